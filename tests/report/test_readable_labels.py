"""Readers see readable topic words first, the stems beside them (issue 19): figures, reader
tables, compare's table, metrics and findings."""

from __future__ import annotations

import compare_fixtures as fx
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from stage_helpers import run_compare

from analysis.compare.tables import document_frame, paragraph_frame, topic_prevalence
from analysis.report import figures_compare as fc
from analysis.report.display import show_table
from analysis.report.figures_topics import plot_topic_sizes, plot_topics_by_coop_type

INFO = pd.DataFrame(
    {
        "topic": [-1, 0, 1],
        "label": ["outliers (no topic)", "kait, banjir, kerja sama", "banten, jakarta"],
        "label_readable": ["outliers (no topic)", "terkait, banjir, kerja sama", "Banten, Jakarta"],
        "size": [2, 9, 5],
        "stable": [True, True, False],
    }
)


def _ticks(fig) -> list[str]:
    texts = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    plt.close(fig)
    return texts


def test_topic_sizes_name_topics_by_readable_words_with_the_stems_below():
    ticks = _ticks(plot_topic_sizes(INFO))
    assert "0: terkait, banjir, kerja sama\n(stems: kait, banjir, kerja sama)" in ticks
    # stems that differ from the words only in capitals are not repeated
    assert "1: Banten, Jakarta (unstable)" in ticks
    assert "outliers (no topic)" in ticks
    # an older topics.csv without the readable column still draws, with the stems
    assert "0: kait, banjir, kerja sama" in _ticks(
        plot_topic_sizes(INFO.drop(columns="label_readable"))
    )


def test_heatmap_names_topics_by_readable_words():
    table = pd.DataFrame(
        {
            "coop_type": ["agglomeration", "international"] * 2,
            "topic": [0, 0, 1, 1],
            "topic_label": ["kait, banjir"] * 2 + ["banten, jakarta"] * 2,
            "topic_label_readable": ["terkait, banjir"] * 2 + ["Banten, Jakarta"] * 2,
            "share": [0.5, 0.2, 0.5, 0.8],
        }
    )
    assert _ticks(plot_topics_by_coop_type(table, {1})) == [
        "0: terkait, banjir\n(stems: kait, banjir)",
        "1: Banten, Jakarta (unstable)",
    ]


def test_reader_table_puts_readable_columns_first_and_names_the_stems():
    shown = show_table(INFO, caption="Topics.")
    header = shown.plain.splitlines()[1].split("\t")
    assert header == ["topic", "label", "label (stems)", "size", "stable"]
    row = shown.plain.splitlines()[3].split("\t")
    assert row[:3] == ["0", "terkait, banjir, kerja sama", "kait, banjir, kerja sama"]
    # explicit columns are shown as asked
    assert show_table(INFO, caption="T.", columns=["label"]).plain.splitlines()[1] == "label"


@pytest.fixture(scope="module")
def prevalence() -> pd.DataFrame:
    docs = document_frame(fx.documents(), fx.classified())
    paras = paragraph_frame(fx.paragraphs(), fx.classified(), docs)
    topics = fx.topics()
    readable = {0: "kerja sama, Kuala Lumpur", 1: "terkait, banjir", 2: "budaya, sister city"}
    topics["topic_label_readable"] = topics["topic"].map(readable).fillna("outliers (no topic)")
    return topic_prevalence(
        topics, paras, n_bootstrap=50, seed=1, ci_level=0.95, min_bootstrap_docs=10
    )


def test_compare_carries_the_readable_label_into_its_table_metrics_and_findings(prevalence):
    columns = list(prevalence.columns)
    assert columns[2:4] == ["topic_label", "topic_label_readable"]
    intl = prevalence[prevalence["coop_type"] == "international"].set_index("topic")
    assert intl.loc[2, "topic_label"] == "2_budaya_sister_city"  # the stems stay
    assert intl.loc[2, "topic_label_readable"] == "budaya, sister city"
    figure = fc.plot_topic_prevalence(
        prevalence, lang="en", ci_level=0.95, n_bootstrap=50, min_bootstrap_docs=10
    )
    texts = [t.get_text() for ax in figure.axes for t in ax.get_yticklabels()]
    plt.close(figure)
    assert "1: terkait, banjir" in texts and "2: budaya, sister city" in texts


@pytest.fixture(scope="module")
def compare_run(tmp_path_factory):
    """The compare stage on the fixture inputs, topics.parquet with readable labels added."""
    base = tmp_path_factory.mktemp("readable_compare")
    inputs = fx.write_inputs(base / "processed")
    topics = pd.read_parquet(inputs["topics_path"])
    readable = {0: "kerja sama, Kuala Lumpur", 1: "terkait, banjir", 2: "budaya, sister city"}
    topics["topic_label_readable"] = topics["topic"].map(readable).fillna("outliers (no topic)")
    topics.to_parquet(inputs["topics_path"], index=False)
    return run_compare(**inputs, n_bootstrap=100, top_terms=5)


def test_metrics_and_findings_name_topics_readably(compare_run):
    listed = compare_run.metrics["topics"]["international"]
    by_topic = {e["topic"]: e for e in listed}
    assert by_topic[2]["label"] == "2_budaya_sister_city"  # the stems stay under "label"
    assert by_topic[2]["label_readable"] == "budaya, sister city"
    best = listed[0]
    assert f"paragraphs is '{best['label_readable']}'" in " ".join(compare_run.findings)
