"""The seed ensemble's tables, the coherence block and reference, and the unstable-topic figures."""

from __future__ import annotations

import math

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis.core.errors import UserError
from analysis.report.figures_topics import UNSTABLE_NOTE, plot_topic_sizes, plot_topics_by_coop_type
from analysis.topics.ensemble import (
    Ensemble,
    EnsembleRun,
    ensemble_metrics,
    fit_ensemble,
    stability_columns,
)
from analysis.topics.quality import (
    coherence_block,
    coherence_verdict,
    fitted_reference,
    read_reference,
)
from analysis.topics.stability import ensemble_seeds

# Three runs over six paragraphs. Run 0: {0,1,2} {3,4,5}; run 1 identical up to the numbers;
# run 2 splits the first topic. Run 1 has the highest mean ARI? runs 0 and 1 are identical
# (ARI 1), each has ARI a with run 2, so runs 0 and 1 tie and the earlier seed (run 0) wins.
LABELS = {11: [0, 0, 0, 1, 1, 1], 22: [1, 1, 1, 0, 0, 0], 33: [0, 0, 2, 1, 1, 1]}
WORDS = {
    11: {0: ["a", "b"], 1: ["c", "d"]},
    22: {1: ["a", "b"], 0: ["c", "x"]},
    33: {0: ["a"], 2: ["b"], 1: ["c", "d"]},
}


def _fake_fit(run_seed: int) -> EnsembleRun:
    labels = LABELS[run_seed]
    return EnsembleRun(run_seed, None, labels, labels, None, WORDS[run_seed])


def _ensemble(monkeypatch) -> Ensemble:
    import analysis.topics.ensemble as module

    monkeypatch.setattr(module, "ensemble_seeds", lambda seed, n: [11, 22, 33][:n])
    return fit_ensemble(11, 3, _fake_fit)


def test_fit_ensemble_publishes_the_medoid_and_measures_stability(monkeypatch):
    ensemble = _ensemble(monkeypatch)
    assert [run.seed for run in ensemble.runs] == [11, 22, 33]
    assert ensemble.published.seed == 11  # ties with run 22 go to the earlier seed
    stability = ensemble.stability.set_index("topic")
    # topic 0 = {0,1,2}: identical in run 22 (Jaccard 1), in run 33 matched to {0,1} (2/3)
    assert stability.loc[0, "mean_jaccard"] == pytest.approx((1 + 2 / 3) / 2)
    assert stability.loc[0, "recurrence"] == 1.0 and stability.loc[1, "recurrence"] == 1.0
    # topic 1's words: {c,d} vs {c,x} (1/2) and vs {c,d} (1)
    assert stability.loc[1, "mean_word_overlap"] == pytest.approx(0.75)


def test_stability_columns_and_metrics(monkeypatch):
    ensemble = _ensemble(monkeypatch)
    columns = stability_columns(ensemble, [-1, 0, 1])
    assert columns["topic"].tolist() == [-1, 0, 1]
    assert columns["stable"].tolist() == [True, True, True]
    assert math.isnan(columns.loc[0, "recurrence"])  # outliers are not a topic
    block = ensemble_metrics(ensemble, columns)
    ens = block["ensemble"]
    assert ens["n_seeds"] == 3 and ens["seeds"] == [11, 22, 33] and ens["published_seed"] == 11
    assert ens["n_topics_per_seed"] == [2, 2, 3]
    assert ens["ari_max"] == pytest.approx(1.0)
    assert (ens["n_topics_stable"], ens["n_topics_unstable"]) == (2, 0)
    assert sorted(block["topic_stability"]) == ["0", "1"]


def test_a_topic_that_does_not_recur_is_flagged(monkeypatch):
    import analysis.topics.ensemble as module

    labels = {1: [0, 0, 1, 1, 2, 2], 2: [0, 0, 1, 1, 1, 1], 3: [0, 0, 1, 1, 1, 1]}
    monkeypatch.setattr(module, "ensemble_seeds", lambda seed, n: [1, 2, 3])
    ensemble = fit_ensemble(1, 3, lambda s: EnsembleRun(s, None, labels[s], labels[s], None, {}))
    # runs 2 and 3 agree (ARI 1) and are published (run 2, the earlier); its topic 1 = {2..5}
    # matches {2,3} of run 1 with Jaccard 0.5 (recurs) and all of run 3's topic 1
    assert ensemble.published.seed == 2
    columns = stability_columns(ensemble, [0, 1]).set_index("topic")
    assert columns.loc[1, "recurrence"] == 1.0 and bool(columns.loc[1, "stable"])
    # published run 1 instead: its topic 2 = {4,5} matches nothing at Jaccard >= 0.5
    from analysis.topics.stability import topic_stability

    table = topic_stability([labels[1], labels[2], labels[3]], [{}, {}, {}], 0).set_index("topic")
    assert table.loc[2, "recurrence"] == 0.0 and not table.loc[2, "stable"]
    assert table.loc[0, "stable"]


def test_one_seed_is_the_single_fit_without_stability(monkeypatch):
    _ensemble(monkeypatch)
    single = fit_ensemble(11, 1, _fake_fit)
    assert len(single.runs) == 1 and single.published.seed == 11
    columns = stability_columns(single, [0, 1])
    assert columns["stable"].all() and columns["recurrence"].isna().all()
    assert ensemble_metrics(single, columns)["ensemble"]["n_topics_unstable"] == 0
    assert ensemble_seeds(20250811, 1) == [20250811]


# --------------------------------------------------------------------------- coherence block


def test_coherence_block_and_verdict_on_a_hand_checked_corpus():
    docs = ["a b", "a b", "a c", "d"]
    fit = fitted_reference(docs, "the 4 fitted paragraphs")
    block = coherence_block({"bertopic": [["a", "b"]], "nmf": [["a", "c"]]}, [fit], 2)
    # document NPMI: P(a)=3/4, P(b)=1/2, P(a,b)=1/2 -> ln(4/3)/ln 2; (a, c): ln(4/3)/ln 4
    assert block["bertopic"]["fit"]["npmi_document"] == pytest.approx(math.log(4 / 3) / math.log(2))
    assert block["nmf"]["fit"]["npmi_document"] == pytest.approx(math.log(4 / 3) / math.log(4))
    assert block["references"]["fit"] == {
        "description": "the 4 fitted paragraphs",
        "n_paragraphs": 4,
    }
    assert block["by_topic"]["nmf"]["fit"]["c_v"] == [block["nmf"]["fit"]["c_v"]]
    verdict = coherence_verdict(block)
    assert verdict["reference"] == "fit" and verdict["bertopic_at_least_nmf"] is (
        block["bertopic"]["fit"]["c_v"] >= block["nmf"]["fit"]["c_v"]
    )
    assert verdict["gap_npmi_document"] == pytest.approx(
        math.log(4 / 3) / math.log(2) - math.log(4 / 3) / math.log(4)
    )


def test_verdict_falls_back_to_the_fitted_paragraphs_when_the_reference_is_missing():
    docs = ["a b", "a b", "a c", "d"]
    block = coherence_block(
        {"bertopic": [["a", "b"]], "nmf": [["a", "c"]]}, [fitted_reference(docs, "x")], 2
    )
    block["references"]["reference"] = {"status": "not found", "path": "data/reference/x.parquet"}
    verdict = coherence_verdict(block)
    assert verdict["reference"] == "fit"
    assert verdict["gap_npmi_document"] == pytest.approx(
        math.log(4 / 3) / math.log(2) - math.log(4 / 3) / math.log(4)
    )


def _stems_file(path, rows):
    table = pa.table(
        {
            "para_id": [f"p{i}" for i in range(len(rows))],
            "stems": pa.array(rows, type=pa.list_(pa.string())),
        }
    )
    pq.write_table(table, path, row_group_size=2)
    return path


def test_read_reference_encodes_the_stems_and_fingerprints_the_content(tmp_path):
    rows = [["a", "b"], None, ["b", "c", "a"], []]
    ref = read_reference(_stems_file(tmp_path / "ref.parquet", rows))
    corpus = ref.corpus
    assert corpus.n_documents == 4
    assert [
        [w for w, i in sorted(corpus.vocabulary.items(), key=lambda x: x[1])][j]
        for j in corpus.token_ids
    ] == ["a", "b", "b", "c", "a"]
    assert corpus.offsets.tolist() == [0, 2, 2, 5, 5]
    assert ref.info["n_paragraphs"] == 4 and ref.info["n_stems"] == 5
    # the same stems written differently (one row group, other ids) give the same fingerprint
    table = pa.table({"stems": pa.array(rows, type=pa.list_(pa.string())), "x": [1, 2, 3, 4]})
    pq.write_table(table, tmp_path / "other.parquet")
    assert read_reference(tmp_path / "other.parquet").info["sha256"] == ref.info["sha256"]
    changed = read_reference(
        _stems_file(tmp_path / "changed.parquet", [["a", "b"], None, ["b", "c"], ["a"]])
    )
    assert changed.info["sha256"] != ref.info["sha256"]
    # and the reference scores like the same documents given as lists
    block = coherence_block({"bertopic": [["a", "b", "c"]]}, [ref], 3)
    direct = coherence_block(
        {"bertopic": [["a", "b", "c"]]}, [fitted_reference(["a b", "", "b c a", ""], "x")], 3
    )
    assert block["bertopic"]["reference"] == direct["bertopic"]["fit"]


def test_read_reference_errors_are_user_errors(tmp_path):
    pq.write_table(pa.table({"text": ["a b"]}), tmp_path / "no_stems.parquet")
    with pytest.raises(UserError, match="cannot read a 'stems' column"):
        read_reference(tmp_path / "no_stems.parquet")
    pq.write_table(pa.table({"stems": ["a b"]}), tmp_path / "flat.parquet")
    with pytest.raises(UserError, match="not a list of stems"):
        read_reference(tmp_path / "flat.parquet")
    (tmp_path / "junk.parquet").write_bytes(b"not parquet")
    with pytest.raises(UserError, match="reference_stems"):
        read_reference(tmp_path / "junk.parquet")


# --------------------------------------------------------------------------- figures

INFO = pd.DataFrame(
    {
        "topic": [-1, 0, 1, 2],
        "label": ["outliers (no topic)", "a, b", "c, d", "e, f"],
        "size": [3, 10, 6, 2],
        "stable": [True, True, False, True],
    }
)


def test_unstable_topics_are_grey_hatched_and_explained():
    fig = plot_topic_sizes(INFO)
    ax = fig.axes[0]
    bars = {tick.get_text(): bar for tick, bar in zip(ax.get_yticklabels(), ax.patches)}
    assert bars["1: c, d (unstable)"].get_hatch() == "///"
    assert bars["0: a, b"].get_hatch() is None
    assert bars["1: c, d (unstable)"].get_facecolor() != bars["0: a, b"].get_facecolor()
    assert UNSTABLE_NOTE in ax.get_xlabel()
    stable_only = plot_topic_sizes(INFO.assign(stable=True))
    assert stable_only.axes[0].get_xlabel() == "paragraphs"
    assert plot_topic_sizes(INFO.drop(columns="stable")).axes[0].get_xlabel() == "paragraphs"


def test_heatmap_marks_unstable_topics():
    table = pd.DataFrame(
        {
            "coop_type": ["agglomeration"] * 3,
            "topic": [0, 1, 2],
            "topic_label": ["a, b", "c, d", "e, f"],
            "share": [0.5, 0.3, 0.2],
        }
    )
    fig = plot_topics_by_coop_type(table, {1})
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["0: a, b", "1: c, d (unstable)", "2: e, f"]
    assert "unstable" in fig.axes[0].get_xlabel()
    assert plot_topics_by_coop_type(table).axes[0].get_xlabel() == ""
