"""Readable topic labels: each stem's most frequent surface word, counted by hand (issue 19)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pytest

from analysis.core.errors import UserError
from analysis.topics.tables import readable_label, with_readable_labels
from analysis.topics.words import readable_form, readable_words

# One hand-made topic (0) and a second one (1) that uses the same stems differently.
# Topic 0, counted by hand:
#   kait:       terkait x2 (p1, p2), berkaitan x1 (p1)   -> "terkait"
#   tantang:    tantangan x1 (p2), menantang x1 (p3)     -> tie, alphabetically first: "menantang"
#   bekasi:     bekasi x2, always "Bekasi" in the texts  -> "Bekasi" (a name keeps its capital)
#   kerja_sama: token kerja_sama x2, written "Kerja sama" (p1, sentence start) and
#               "kerja sama" (p3)                         -> lower case occurs: "kerja sama"
#   air_bersih: no token of topic 0 carries it (a protected multiword expression listed by
#               the model but absent here)               -> its own form, "air bersih"
PARAGRAPHS = pd.DataFrame(
    {
        "para_id": ["p1", "p2", "p3", "p4", "p5"],
        "topic": [0, 0, 0, 1, 1],
        "text": [
            "Kerja sama terkait banjir di Bekasi berkaitan dengan normalisasi kali.",
            "Penanganan banjir terkait tantangan kota.",
            "Bekasi menantang kerja sama banjir.",
            "Kaitan kota dengan kota lain.",
            "Kaitan yang berkaitan.",
        ],
        "tokens": [
            ["kerja_sama", "terkait", "banjir", "bekasi", "berkaitan", "normalisasi", "kali"],
            ["penanganan", "banjir", "terkait", "tantangan", "kota"],
            ["bekasi", "menantang", "kerja_sama", "banjir"],
            ["kaitan", "kota", "kota", "lain"],
            ["kaitan", "berkaitan"],
        ],
        "stems": [
            ["kerja_sama", "kait", "banjir", "bekasi", "kait", "normalisasi", "kali"],
            ["tangan", "banjir", "kait", "tantang", "kota"],
            ["bekasi", "tantang", "kerja_sama", "banjir"],
            ["kait", "kota", "kota", "lain"],
            ["kait", "kait"],
        ],
    }
)
TOP_WORDS = {0: ["kait", "banjir", "kerja_sama", "tantang", "bekasi", "air_bersih"], 1: ["kait"]}


def test_each_stem_gets_its_topics_most_frequent_word():
    forms = readable_words(PARAGRAPHS, TOP_WORDS)
    assert forms[0] == {
        "kait": "terkait",  # 2 against 1 "berkaitan"
        "banjir": "banjir",  # stem and word agree
        "kerja_sama": "kerja sama",  # the MWE written as the texts write it
        "tantang": "menantang",  # 1 against 1 "tantangan": alphabetical tie-break
        "bekasi": "Bekasi",
        "air_bersih": "air bersih",  # no surface form: the stem made readable
    }
    # the same stem, another topic: counted in that topic's paragraphs only (kaitan 2 : 1)
    assert forms[1] == {"kait": "kaitan"}


def test_tie_break_does_not_depend_on_paragraph_order():
    reordered = PARAGRAPHS.iloc[[2, 1, 0, 4, 3]]
    assert readable_words(reordered, TOP_WORDS) == readable_words(PARAGRAPHS, TOP_WORDS)


def test_only_wanted_topics_and_missing_lists_are_skipped():
    frame = PARAGRAPHS.copy()
    frame.loc[1, ["tokens", "stems"]] = None  # p2 unread: kait is then terkait 1 : berkaitan 1
    forms = readable_words(frame, {0: ["kait"]})
    assert forms == {0: {"kait": "berkaitan"}}  # the tie goes to "berkaitan" (b < t)


def test_missing_column_is_a_clear_error():
    with pytest.raises(ValueError, match="tokens"):
        readable_words(PARAGRAPHS.drop(columns="tokens"), TOP_WORDS)


def test_readable_form_and_label():
    assert readable_form("kuala_lumpur") == "kuala lumpur"
    assert readable_form("banjir") == "banjir"
    forms = readable_words(PARAGRAPHS, TOP_WORDS)[0]
    assert readable_label(TOP_WORDS[0], forms) == "terkait, banjir, kerja sama, menantang"
    # a stem without a form is shown as itself; two stems with one word are named once
    assert readable_label(
        ["kait", "kaitan", "air_bersih"], {"kaitan": "terkait", "kait": "terkait"}
    ) == ("terkait, air bersih")
    assert readable_label([], {}) == "(no words)"


@dataclass
class _Result:  # the fields of TopicsResult that with_readable_labels reads and replaces
    assignments: pd.DataFrame
    topic_info: pd.DataFrame
    by_coop_type: pd.DataFrame = field(default_factory=pd.DataFrame)
    over_time: pd.DataFrame = field(default_factory=pd.DataFrame)


def _result() -> _Result:
    assignments = pd.DataFrame(
        {
            "para_id": ["p1", "p2", "p3", "p4", "p5", "p6"],
            "doc_id": ["d1", "d1", "d2", "d3", "d3", "d3"],
            "topic": [0, 0, 0, 1, 1, -1],
            "topic_label": ["kait, banjir"] * 3 + ["kait, kota"] * 2 + ["outliers (no topic)"],
        }
    )
    info = pd.DataFrame(
        {
            "topic": [-1, 0, 1],
            "label": ["outliers (no topic)", "kait, banjir, kerja sama, tantang", "kait, kota"],
            "size": [1, 3, 2],
            "top_words": ["lain", "kait banjir kerja_sama tantang bekasi", "kait kota"],
        }
    )
    by_kind = pd.DataFrame(
        {"coop_type": ["agglomeration"] * 2, "topic": [0, 1], "topic_label": ["x", "y"]}
    )
    return _Result(assignments, info, by_kind, by_kind.rename(columns={"coop_type": "month"}))


def test_stage_tables_gain_readable_columns_beside_the_stems(tmp_path):
    path = tmp_path / "paragraphs.parquet"
    extra = pd.DataFrame(
        {
            "para_id": ["p6", "unused"],
            "topic": [-1, 0],
            "text": ["lain", "x"],
            "tokens": [["lain"], ["terkaitlah"]],
            "stems": [["lain"], ["kait"]],
        }
    )
    pd.concat([PARAGRAPHS, extra]).drop(columns="topic").to_parquet(path, index=False)
    out = with_readable_labels(_result(), path)
    info = out.topic_info.set_index("topic")
    assert list(out.topic_info.columns) == [
        "topic",
        "label",
        "label_readable",
        "size",
        "top_words",
        "top_words_readable",
    ]
    assert info.at[0, "label_readable"] == "terkait, banjir, kerja sama, menantang"
    assert info.at[0, "label"] == "kait, banjir, kerja sama, tantang"  # the stems stay
    assert info.at[0, "top_words_readable"] == "terkait, banjir, kerja sama, menantang, Bekasi"
    assert info.at[1, "label_readable"] == "kaitan, kota"
    assert info.at[-1, "label_readable"] == "outliers (no topic)"
    # a paragraph outside the assignments ("unused") is not counted
    assert "terkaitlah" not in " ".join(out.topic_info["top_words_readable"])
    for table in (out.assignments, out.by_coop_type, out.over_time):
        columns = list(table.columns)
        assert columns[columns.index("topic_label") + 1] == "topic_label_readable"
    assert out.assignments["topic_label_readable"].tolist() == (
        ["terkait, banjir, kerja sama, menantang"] * 3
        + ["kaitan, kota"] * 2
        + ["outliers (no topic)"]
    )
    assert out.by_coop_type["topic_label_readable"].tolist() == [
        "terkait, banjir, kerja sama, menantang",
        "kaitan, kota",
    ]


def test_unreadable_paragraphs_file_is_a_user_error(tmp_path):
    path = tmp_path / "paragraphs.parquet"
    path.write_text("not parquet")
    with pytest.raises(UserError, match="preprocess"):
        with_readable_labels(_result(), path)
    with pytest.raises(UserError, match="run the preprocess stage"):
        with_readable_labels(_result(), tmp_path / "missing.parquet")
