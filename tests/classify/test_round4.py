"""Round-4 rules: negated cues, wishes of non-parties, treaty names, travel destinations,
vertical coordination, confidence levels and stories (issue 20).

The short sentences are written for these tests (not taken from any corpus). The clickid tests
code the eight false positives the issue names and skip without the corpus.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import pytest

from analysis.classify.confidence import assess
from analysis.classify.decide import Coding
from analysis.classify.files import input_records
from analysis.classify.rules import Classifier
from analysis.classify.stories import StoryDocument, assign_stories, story_words
from analysis.text.clean import split_paragraphs


@pytest.fixture(scope="module")
def classifier(lexicon_dir: Path) -> Classifier:
    return Classifier.from_lexicons(lexicon_dir)


# ------------------------------------------------------------------ negation and modality
@pytest.mark.parametrize(
    "text",
    [
        "Sampai kini belum ada koordinasi dengan Pemprov DKI Jakarta, kata Wali Kota Bekasi.",
        "Wali Kota Bekasi menyebut tidak ada kerja sama dengan Pemprov DKI Jakarta soal itu.",
        "Belum ada (koordinasi dengan Pemprov DKI), kata pejabat Pemkot Bekasi.",
    ],
)
def test_negated_cue_is_no_cooperation(classifier, text):
    coding = classifier.classify_paragraph(text)
    assert coding.coop_type == "none"
    assert "(negated)" in coding.evidence


def test_negation_far_before_the_cue_does_not_drop_it(classifier):
    # "tidak ada" negates the flooding, five words before the cue
    coding = classifier.classify_paragraph(
        "Tidak ada lagi banjir besar tahun ini, sehingga Pemkot Bekasi bekerja sama dengan "
        "Pemprov DKI Jakarta menata sungai."
    )
    assert coding.coop_type == "agglomeration"


def test_wish_of_a_non_party_is_no_cooperation(classifier):
    coding = classifier.classify_paragraph(
        "Kami berharap Papua dan Pemprov Papua Barat bisa bekerja sama, ujar ketua majelis adat."
    )
    assert coding.coop_type == "none"
    assert "wish of a non-party" in coding.evidence


def test_a_governments_own_wish_is_a_request(classifier):
    coding = classifier.classify_paragraph(
        "Wali Kota Bekasi berharap Pemprov DKI Jakarta bekerja sama menangani banjir."
    )
    assert coding.coop_type == "agglomeration"
    assert coding.partners == ("Bekasi", "Jakarta")
    assert coding.hedges == ("wish",)


def test_speakers_wish_about_own_cooperation_stays(classifier):
    coding = classifier.classify_document(
        "Gubernur DKI Jakarta dan Wali Kota Kuala Lumpur teken sister city",
        [
            "Gubernur DKI Jakarta bertemu Wali Kota Kuala Lumpur.",
            "Dia berharap melalui kerja sama sister city ini kedua kota saling belajar.",
        ],
    )
    assert coding.paragraphs[1].coop_type == "international"


def test_refusal_keeps_the_offer_but_lowers_confidence(classifier):
    coding = classifier.classify_document(
        None,
        ["Pemprov Riau menolak bantuan yang ditawarkan Pemprov DKI Jakarta untuk memadamkan api."],
    )
    assert coding.coop_type == "domestic_other"
    assert coding.confidence == "low"
    assert "refusal_nearby" in coding.confidence_reasons


# ------------------------------------------------------------------ false parties
@pytest.mark.parametrize(
    "text",
    [
        "Pemprov Sumatera Utara bekerja sama demi target Paris Agreement tentang iklim.",
        "Pemprov Sumatera Utara bekerja sama demi target Perjanjian Paris tentang iklim.",
    ],
)
def test_treaty_named_after_a_city_names_no_party(classifier, text):
    coding = classifier.classify_paragraph(text)
    assert coding.coop_type == "none"
    assert "Paris(org)" in coding.evidence


def test_flight_destination_is_not_a_partner(classifier):
    coding = classifier.classify_paragraph(
        "Pemprov Sulawesi Utara meresmikan penerbangan ke Davao serta kerja sama pariwisata."
    )
    assert coding.coop_type == "none"
    assert "Davao(location)" in coding.evidence


def test_help_travelling_to_a_domestic_region_still_goes_to_it(classifier):
    coding = classifier.classify_paragraph(
        "Pemprov DKI Jakarta mengirim 60 personel pemadam yang berangkat ke Riau dengan pesawat."
    )
    assert coding.coop_type == "domestic_other"
    assert coding.partners == ("Jakarta", "Riau")


def test_vertical_coordination_in_the_cue_sentence_is_hierarchy(classifier):
    coding = classifier.classify_paragraph(
        "Pemkab Serang berkoordinasi dengan Dinas Pendidikan Provinsi Banten soal pelajar. "
        "Mereka dikirim oleh Pemerintah Papua."
    )
    assert coding.coop_type == "none"
    assert "hierarchy" in coding.evidence


# ------------------------------------------------------------------ recall
def test_region_helped_written_as_a_location(classifier):
    coding = classifier.classify_paragraph(
        "Gubernur DKI Jakarta mengirim 65 personel untuk membantu memadamkan kebakaran lahan "
        "di Riau."
    )
    assert coding.coop_type == "domestic_other"
    assert coding.partners == ("Jakarta", "Riau")


def test_a_location_without_a_help_word_stays_a_location(classifier):
    # the team is sent, but "di Riau" only says where the governor spoke
    coding = classifier.classify_paragraph(
        "Gubernur DKI Jakarta mengirim 65 personel pada acara di Riau."
    )
    assert coding.coop_type == "none"


def test_one_letter_misspelling_of_a_long_place_name(classifier):
    coding = classifier.classify_paragraph(
        "Pemprov DKI Jakarta mengirim bantuan personel ke Kalimatan Barat untuk memadamkan api."
    )
    assert coding.coop_type == "domestic_other"
    assert coding.partners == ("Jakarta", "Kalimantan Barat")
    lex = classifier.lexicons
    assert lex.correct("kalimatan") == "kalimantan"  # a deleted letter
    assert lex.correct("sulawasi") == "sulawesi"  # a changed letter
    assert lex.correct("sumber") == "sumber"  # "Sumbar" is an alias, not corrected to
    assert lex.correct("istana") == "istana"  # foreign names (Astana) are never targets
    assert lex.correct("bogir") == "bogir"  # five letters: too short


def test_named_regional_landfill_is_a_shared_facility(classifier):
    coding = classifier.classify_paragraph(
        "Pemkot Depok akan membuang sampah ke TPPAS Lulut-Nambo milik Pemprov Jawa Barat."
    )
    assert coding.coop_type == "agglomeration"
    assert "lulut nambo" in " ".join(coding.cues)


# ------------------------------------------------------------------ confidence
def _unit(
    coop: str,
    basis: str,
    cues: tuple[str, ...],
    governments: tuple[str, ...] = (),
    hedges: tuple[str, ...] = (),
) -> Coding:
    return Coding(coop, (), (), "", basis, cues, (), (), governments, hedges)


def test_confidence_levels_and_reasons():
    direct = _unit("agglomeration", "direct", ("kerja sama",), ("Bekasi", "Jakarta"))
    other = _unit("none", "none", ())
    # one cue paragraph, nothing else: low, every missing piece named
    assert assess("agglomeration", ("Bekasi", "Jakarta"), None, [direct, other], {"mou"}) == (
        "low",
        ("single_cue", "no_instrument", "no_title_cue"),
    )
    # the same paragraph naming an MoU: high
    signed = _unit("agglomeration", "direct", ("mou",), ("Bekasi", "Jakarta"))
    assert assess("agglomeration", ("Bekasi", "Jakarta"), None, [signed], {"mou"}) == (
        "high",
        ("instrument", "two_sided"),
    )
    # two cue paragraphs but one partner only named as a place: low
    half = _unit("domestic_other", "direct", ("bantuan",), ("Jakarta",))
    assert assess("domestic_other", ("Jakarta", "Riau"), None, [half, half], set()) == (
        "low",
        ("no_instrument", "no_title_cue", "one_sided_partners"),
    )
    # ... unless that partner is foreign (foreign cities need no government mark)
    visit = _unit("international", "direct", ("kerja sama",), ("Jakarta",))
    assert (
        assess(
            "international", ("Jakarta", "Tokyo"), None, [visit, visit], set(), foreign=("Tokyo",)
        )[0]
        == "high"
    )
    # a negation word left in the only two cooperation units lowers it
    hedged = _unit("agglomeration", "direct", ("kerja sama",), ("Bekasi", "Jakarta"), ("negation",))
    assert assess("agglomeration", ("Bekasi", "Jakarta"), None, [hedged, direct], set()) == (
        "low",
        ("no_instrument", "no_title_cue", "negated_nearby"),
    )
    assert assess("none", (), None, [other], set()) == ("", ())


# ------------------------------------------------------------------ stories
def _doc(doc_id, day, coop="domestic_other", partners=("Jakarta", "Riau"), words="a b c d"):
    return StoryDocument(
        doc_id,
        None if day is None else dt.date(2019, 9, day),
        coop,
        frozenset(partners),
        frozenset(words.split()),
    )


def test_story_words_keep_words_of_four_letters_or_more():
    assert story_words("Tim DKI ke Riau", ["Pemadam berangkat, 65 personel."]) == frozenset(
        {"riau", "pemadam", "berangkat", "personel"}
    )


def test_stories_group_same_parties_close_dates_similar_text():
    docs = [
        _doc("b", 16),
        _doc("a", 17),  # same event, two outlets
        _doc("c", 30),  # same words, 14 days later
        _doc("d", 17, partners=("Jakarta", "Jambi")),  # other parties
        _doc("e", 17, coop="agglomeration"),  # other kind
        _doc("f", 18, words="w x y z"),  # other text
        _doc("g", None),  # undated: its own story
        _doc("h", 22),  # joins b via a chain? no: 5 days from a
    ]
    stories = assign_stories(docs, window_days=7, min_similarity=0.5)
    assert stories["a"] == stories["b"] == "b"  # the earliest article names the story
    assert stories["h"] == "b"  # linked to a (5 days) and so to b: single linkage
    for own in ("c", "d", "e", "f", "g"):
        assert stories[own] == own
    assert assign_stories(docs, window_days=0, min_similarity=0.5)["a"] == "a"


# ------------------------------------------------------------------ the issue's false positives
# (id, what the classifier must say): none, or a low confidence with the reason
_FALSE_POSITIVES = {
    "kompas:2248": ("none", None),  # "Belum ada (koordinasi dengan DKI)"
    "okezone:4172": ("none", None),  # "Paris Agreement"
    "sindonews:1182": ("none", None),  # a flight to Davao
    "kompas:406": ("none", None),  # a council's wish that two provinces cooperate
    "sindonews:1135": ("none", None),  # a regency coordinating with its own province
    "wowkeren:1700": ("low", "single_cue"),  # two co-givers of help to the nation
    "tempo:2254": ("low", "single_cue"),  # a passing mention of a landfill plan
    "okezone:725": ("low", "single_cue"),  # councillors told to work with their own mayor
}


@pytest.fixture(scope="module")
def false_positive_codings(clickid_path, lexicon_dir, classifier, tmp_path_factory):
    wanted = {f"clickid:{k}" for k in _FALSE_POSITIVES}
    subset = tmp_path_factory.mktemp("fp") / "fp.jsonl"
    with gzip.open(clickid_path, "rt", encoding="utf-8") as src, subset.open("w") as out:
        out.writelines(line for line in src if json.loads(line).get("id") in wanted)
    codings = {}
    for doc_id, record in input_records(
        subset, lexicon_dir, min_words=40, n_jobs=1, metadata_file=""
    ):
        codings[doc_id.removeprefix("clickid:")] = classifier.classify_document(
            record.title, split_paragraphs(record.text)
        )
    return codings


@pytest.fixture(scope="module")
def send_off_coding(clickid_path, lexicon_dir, classifier, tmp_path_factory):
    subset = tmp_path_factory.mktemp("miss") / "miss.jsonl"
    with gzip.open(clickid_path, "rt", encoding="utf-8") as src, subset.open("w") as out:
        out.writelines(
            line for line in src if json.loads(line).get("id") == "clickid:sindonews:2878"
        )
    ((_doc_id, record),) = input_records(
        subset, lexicon_dir, min_words=40, n_jobs=1, metadata_file=""
    )
    return classifier.classify_document(record.title, split_paragraphs(record.text))


def test_issue_miss_send_off_to_riau_written_as_location(send_off_coding):
    # DKI's team sent "untuk membantu menanggulangi ... di Riau": a named miss, now found
    assert send_off_coding.coop_type == "domestic_other"
    assert send_off_coding.partners == ("Jakarta", "Riau")
    assert send_off_coding.confidence == "low"  # one cue paragraph, Riau not marked


@pytest.mark.parametrize("doc_id", sorted(_FALSE_POSITIVES))
def test_issue_false_positive(false_positive_codings, doc_id):
    expected, reason = _FALSE_POSITIVES[doc_id]
    coding = false_positive_codings[doc_id]
    if expected == "none":
        assert coding.coop_type == "none", coding.evidence
    else:
        assert coding.confidence == "low" and reason in coding.confidence_reasons, coding.evidence


# ------------------------------------------------------------------ round-4 figures
def test_round4_report_without_the_corpus(project_root, lexicon_dir):
    import pandas as pd

    from analysis.classify.evaluate import evaluate_gold

    empty = pd.DataFrame(columns=["doc_id", "coop_type", "partners", "sectors"])
    report = evaluate_gold(
        empty, project_root / "data" / "annotations", None, lexicon_dir=lexicon_dir, min_words=40
    )["round4"]
    agreement = report["agreement"]
    # every double-coded article (seeds included) is in the gold set; the coders agreed on 73
    # of 75 coop_types (GUIDE §7: kompas:406 and kompas:2248), and after the two written
    # resolutions everywhere
    assert agreement["n"] == 75 and agreement["not_in_gold"] == []
    assert agreement["agree"] == 73 and agreement["n_resolved"] == 2
    assert agreement["cohen_kappa"] == pytest.approx(0.963, abs=5e-4)
    assert agreement["krippendorff_alpha"] == pytest.approx(0.964, abs=5e-4)
    assert agreement["after_resolutions"]["agree"] == 75
    assert agreement["after_resolutions"]["cohen_kappa"] == pytest.approx(1.0)
    assert report["fresh1"]["status"].startswith("clickid corpus not found")
    assert report["fresh1"]["n"] == 160
    assert "heldout3" not in report  # nothing coded, nothing scored
