"""Format of the brief's strings files: both languages say the same things with the same numbers."""

from __future__ import annotations

import copy
import string
from pathlib import Path

import pytest
from test_brief import CLASSIFY, COMPARE, INGEST, PARAMS, TOPICS

from analysis.core.config import Params
from analysis.report.brief import brief_data, load_strings

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "brief"
SECTIONS = ("question", "findings", "data", "method", "limitations", "reproduce", "commands")
# The codebook's sector ids (see DESIGN.md); every one needs a name in both languages.
SECTOR_IDS = {
    "transport",
    "water",
    "waste",
    "flood",
    "environment_climate",
    "health",
    "culture_tourism",
    "education_youth_sport",
    "digital_governance",
    "economy_trade",
    "food_security",
    "spatial_planning_housing",
    "other",
}


# Document counts with zeros, for the sentences written for a kind no article reports.
ZERO_COUNTS = (
    {"agglomeration": 0, "international": 3, "domestic_other": 0, "none": 0},
    {"agglomeration": 2, "international": 0, "domestic_other": 1, "none": 2},
    {"agglomeration": 0, "international": 0, "domestic_other": 3, "none": 2},
)


def _with_counts(counts: dict) -> dict:
    compare = copy.deepcopy(COMPARE)
    compare["corpus"]["n_documents"] = sum(counts.values())
    compare["coverage"]["documents"] = dict(counts)
    return compare


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.fixture(scope="module")
def strings():
    return {lang: load_strings(TEMPLATES, lang) for lang in ("en", "id")}


@pytest.fixture(scope="module")
def known_facts(strings):
    # Some topic sentences are alternatives (all topics stable or not; BERTopic ahead of NMF
    # or behind): the facts of both variants together.
    winning = {
        **TOPICS,
        "ensemble": {**TOPICS["ensemble"], "n_topics_unstable": 0},
        "coherence_verdict": {**TOPICS["coherence_verdict"], "bertopic_at_least_nmf": True},
    }
    citation = {"cite_title": "T", "cite_authors": "A", "cite_version": "0.1.0"}
    facts = set()
    variants = [(COMPARE, TOPICS, INGEST), (COMPARE, winning, INGEST)]
    variants += [
        (_with_counts(counts), TOPICS, {"n_duplicates": 0, "n_rejects": 0})
        for counts in ZERO_COUNTS
    ]
    for compare, topics, ingest in variants:
        metrics = {"compare": compare, "classify": CLASSIFY, "topics": topics, "ingest": ingest}
        data = brief_data(
            metrics,
            Params.model_validate(PARAMS),
            strings["en"],
            commit=("0123456789ab", True),
            citation=citation,
        )
        facts |= set(data["facts"])
    return facts


def test_languages_have_the_same_sentences_with_the_same_placeholders(strings):
    en, id_ = strings["en"]["text"], strings["id"]["text"]
    for section in SECTIONS:
        assert len(en[section]) == len(id_[section]), section
        for i, (english, indonesian) in enumerate(zip(en[section], id_[section])):
            assert _fields(english) == _fields(indonesian), f"{section}[{i}]"
    for key in ("subtitle", "findings_note"):
        assert _fields(en[key]) == _fields(id_[key]), key
    assert [_fields(t) for t in en["citation"]] == [_fields(t) for t in id_["citation"]]
    assert set(en["headings"]) == set(id_["headings"])


def test_every_placeholder_is_a_value_the_brief_computes(strings, known_facts):
    for language, table in strings.items():
        text = table["text"]
        templates = [t for section in SECTIONS for t in text[section]]
        templates += [text["subtitle"], *text["citation"], text["findings_note"]]
        templates += [figure["caption"] for figure in table["figures"]]
        unknown = {f for t in templates for f in _fields(t)} - known_facts
        assert unknown == set(), language


def test_item_and_number_patterns_have_their_fields(strings):
    for table in strings.values():
        fmt, items = table["format"], table["items"]
        assert _fields(fmt["percent"]) == {"value"}
        assert _fields(fmt["percent_range"]) == {"low", "high"}
        assert _fields(fmt["date"]) == {"day", "month", "year"}
        assert len(fmt["months"]) == 12
        assert _fields(items["sector_share_ci"]) == {"sector", "share", "ci"}
        assert _fields(items["partner_many"]) == {"partner", "n"}
        assert _fields(items["more"]) == {"n"}


def test_sector_names_and_figures(strings):
    for table in strings.values():
        assert set(table["sectors"]) == SECTOR_IDS
    en, id_ = strings["en"], strings["id"]
    assert [f["name"] for f in en["figures"]] == [f["name"] for f in id_["figures"]]
    assert 2 <= len(en["figures"]) <= 3
    assert id_["figures_dir"] == en["figures_dir"] + "/id"
    assert id_["format"]["decimal"] == "," and id_["format"]["thousands"] == "."
    assert "persen" in id_["format"]["percent"]


@pytest.mark.parametrize("language", ["en", "id"])
def test_topic_sentences_follow_the_stable_solution_and_the_coherence_verdict(strings, language):
    """All topics stable and BERTopic ahead: the other sentence of each pair, numbers from topics.json."""
    topics = {
        **TOPICS,
        "ensemble": {**TOPICS["ensemble"], "n_topics_stable": 7, "n_topics_unstable": 0},
        "coherence_verdict": {"reference": "fit", "bertopic_at_least_nmf": True},
        "coherence": {
            "references": {"fit": {"n_paragraphs": 54}},
            "bertopic": {"fit": {"c_v": 0.8123}},
            "nmf": {"fit": {"c_v": 0.7911}},
        },
    }
    metrics = {"compare": COMPARE, "classify": CLASSIFY, "topics": topics, "ingest": INGEST}
    data = brief_data(
        metrics, Params.model_validate(PARAMS), strings[language], commit=("0123456789ab", False)
    )
    method = " ".join(data["method"])
    if language == "en":
        assert "All 7 topics come back in at least half of the other runs." in method
        assert (
            "against the 54 paragraphs the models were fitted on, a small reference that favours NMF"
            in method
        )
        assert (
            "is 0.81 for BERTopic and 0.79 for NMF" in method and "at least as coherent" in method
        )
        assert "less well" not in method and "that do not" not in method
    else:
        assert "Seluruh 7 topik muncul kembali" in method
        assert "0,81 untuk BERTopic dan 0,79 untuk NMF" in method and "54 paragraf tempat" in method
    # without the ensemble and coherence blocks (an older topics.json) the sentences are left out
    plain = brief_data(
        {**metrics, "topics": {"n_topics": 7}},
        Params.model_validate(PARAMS),
        strings[language],
        commit=("0123456789ab", False),
    )
    # ... and, with no stability known, the largest metropolitan topic is the one without a
    # readable label, so the sentence naming a readable label's stems goes too
    assert len(plain["method"]) == len(data["method"]) - 4
    assert any("stems" in m or "kata dasar “" in m for m in data["method"])
    assert not any(
        "stands for the stems" in m or "mewakili kata dasar" in m for m in plain["method"]
    )


def _brief_text(strings, language, counts, ingest):
    metrics = {
        "compare": _with_counts(counts),
        "classify": CLASSIFY,
        "topics": TOPICS,
        "ingest": ingest,
    }
    data = brief_data(
        metrics, Params.model_validate(PARAMS), strings[language], commit=("0123456789ab", False)
    )
    return " ".join(data["findings"] + data["data"])


@pytest.mark.parametrize(
    "language, expected, absent",
    [
        (
            "en",
            [
                "None of the 5 news articles analysed reports cooperation inside a metropolitan "
                "region; 3 (60%) report international cooperation",
                "None of the 5 articles reports cooperation between Indonesian regions outside",
                "All 5 articles report cooperation between governments.",
                "Before the analysis, no duplicate copies and 1 unusable input file (empty",
            ],
            ["0 (0%)", "0 articles", "(0%)"],
        ),
        (
            "id",
            [
                "Tidak satu pun dari 5 artikel berita yang dianalisis memberitakan kerja sama di "
                "dalam satu kawasan aglomerasi; 3 (60\u00a0persen)",
                "Tidak satu pun dari 5 artikel memberitakan kerja sama antardaerah",
                "Semua 5 artikel memberitakan kerja sama antarpemerintah.",
                "Sebelum analisis, tidak ada salinan ganda dan 1 berkas masukan",
            ],
            ["0 (0\u00a0persen)", "0 artikel", "(0\u00a0persen)"],
        ),
    ],
)
def test_zero_counts_are_said_in_words(strings, language, expected, absent):
    # 0 metropolitan, 3 international, 0 other domestic, 2 not cooperation; 0 duplicates
    text = _brief_text(
        strings,
        language,
        {"agglomeration": 0, "international": 3, "domestic_other": 0, "none": 2},
        {"n_duplicates": 0, "n_rejects": 1},
    )
    for fragment in (expected[0], expected[1], expected[3]):
        assert fragment in text
    for fragment in absent:
        assert fragment not in text
    # every article is cooperation: the "not cooperation" count is said in words too
    everything = _brief_text(
        strings,
        language,
        {"agglomeration": 2, "international": 3, "domestic_other": 0, "none": 0},
        {"n_duplicates": 2, "n_rejects": 0},
    )
    assert expected[2] in everything


def test_both_contrasted_kinds_zero_gets_one_sentence(strings):
    text = _brief_text(
        strings,
        "en",
        {"agglomeration": 0, "international": 0, "domestic_other": 3, "none": 2},
        {"n_duplicates": 0, "n_rejects": 0},
    )
    assert (
        "None of the 5 news articles analysed reports cooperation inside a metropolitan "
        "region or international cooperation such as sister-city agreements."
    ) in text
    assert "Before the analysis, no duplicate copies and no unusable input files" in text
    assert "3 articles (60%)" in text
