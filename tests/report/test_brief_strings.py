"""Format of the brief's strings files: both languages say the same things with the same numbers."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from test_brief import CLASSIFY, COMPARE, INGEST, PARAMS, TOPICS

from analysis.report.brief import brief_data, load_strings
from analysis.core.config import Params

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "brief"
SECTIONS = ("question", "findings", "data", "method", "limitations", "reproduce", "commands")
# The codebook's sector ids (see DESIGN.md); every one needs a name in both languages.
SECTOR_IDS = {
    "transport", "water", "waste", "flood", "environment_climate", "health", "culture_tourism",
    "education_youth_sport", "digital_governance", "economy_trade", "food_security",
    "spatial_planning_housing", "other",
}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.fixture(scope="module")
def strings():
    return {lang: load_strings(TEMPLATES, lang) for lang in ("en", "id")}


@pytest.fixture(scope="module")
def known_facts(strings):
    metrics = {"compare": COMPARE, "classify": CLASSIFY, "topics": TOPICS, "ingest": INGEST}
    citation = {"cite_title": "T", "cite_authors": "A", "cite_version": "0.1.0"}
    data = brief_data(metrics, Params.model_validate(PARAMS), strings["en"],
                      commit=("0123456789ab", True), citation=citation)
    return set(data["facts"])


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
