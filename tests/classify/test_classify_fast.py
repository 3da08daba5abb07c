"""The fast paths of the classify stage: tokens, phrase matching, memoised word lookups and the
stripped-paragraph fingerprint give what the straightforward code gave (hand-checked values)."""

from __future__ import annotations

import pickle

import pytest

from analysis.classify.places import PhraseTable, load_classify_lexicons
from analysis.text.clean import (
    paragraph_fingerprint,
    probed_fingerprint,
    strip_leading_noise,
    stripped_fingerprint,
)
from analysis.text.lexicons import default_cleaning_lexicons
from analysis.text.tokens import Token, WordMemo, probe_words, token_words, tokenize


def test_tokens_carry_positions_sentences_and_separators():
    text = "Pemkot Bekasi, kata Kab. Bogor. Lalu\n(Depok) dato' _x_"
    got = [tuple(t) for t in tokenize(text)]
    assert got == [
        ("Pemkot", "pemkot", 0, 6, 0, False, False),
        ("Bekasi", "bekasi", 7, 13, 0, False, False),
        ("kata", "kata", 15, 19, 0, True, True),  # comma: hard and cut
        ("Kab", "kab", 20, 23, 0, False, False),
        ("Bogor", "bogor", 25, 30, 0, False, False),  # "Kab." is an abbreviation
        ("Lalu", "lalu", 32, 36, 1, True, True),  # full stop: a new sentence
        ("Depok", "depok", 38, 43, 2, True, True),  # a line break cuts
        ("dato", "dato", 45, 49, 2, True, False),  # a closing bracket is hard, not a cut
        ("x", "x", 52, 53, 2, False, False),  # "' _" holds no punctuation that separates
    ]
    first = tokenize(text)[0]
    assert isinstance(first, Token) and first.text == "Pemkot" and first.end == 6
    assert tokenize("") == [] and tokenize(" ...!? ") == []


@pytest.mark.parametrize(
    "text",
    [
        "Pemkot Bekasi, kata Kab. Bogor. Lalu\n(Depok) dato' _x_ Jum'at 12_3 a''b 'c' d'",
        "Ma'ruf Amin, Jakarta's  --  x1y2 Z 9,5 persen __init__ o'o'o",
        "",
    ],
)
def test_ascii_split_is_the_unicode_split(text):
    from analysis.text import tokens as tokens_module

    assert text.isascii()
    expected = tokens_module._WORD_SPLIT.split(text)
    assert tokens_module._ASCII_WORD_SPLIT.split(text) == expected
    assert [t.text for t in tokenize(text)] == expected[1::2]


def test_a_gap_seen_before_still_depends_on_the_word_before_it():
    # ". " after a short word is an abbreviation, after a longer one a sentence end: the facts
    # of a gap are remembered, the abbreviation rule is not
    for _ in range(2):
        tokens = tokenize("Kab. Bogor dan Jakarta. Bekasi di Kab. Bekasi")
        assert [(t.lower, t.sentence, t.hard_before) for t in tokens] == [
            ("kab", 0, False),
            ("bogor", 0, False),
            ("dan", 0, False),
            ("jakarta", 0, False),
            ("bekasi", 1, True),
            ("di", 1, False),
            ("kab", 1, False),
            ("bekasi", 1, False),
        ]


def test_tokens_of_a_long_run_of_punctuation():
    tokens = tokenize("-" * 50_000 + "Jambi")
    assert [(t.lower, t.start, t.hard_before) for t in tokens] == [("jambi", 50_000, False)]


@pytest.mark.parametrize(
    "text",
    [
        "Pemkot Bekasi, kata Kab. Bogor. Lalu\n(Depok) dato' _x_",
        "Kab. Bogor dan Jakarta. Bekasi di Kab. Bekasi",
        "Kerja sama Bekasi–Depok “resmi” dengan Kuala Lumpur.\n\nİstanbul ve Ankara’da",
        "JUM'AT 12/3: Wali Kota (Tri) ... Rp1,5 triliun; D.C.",
        "",
        " ...!? ",
    ],
)
def test_probe_words_are_the_tokens_words_and_flags(text):
    words, hard_before = probe_words(text)
    tokens = tokenize(text)
    assert words == token_words(tokens)
    assert hard_before == [t.hard_before for t in tokens]


def test_probe_words_by_hand():
    assert probe_words("Kota Bekasi, Kab. Bogor.\nDEPOK") == (
        ["kota", "bekasi", "kab", "bogor", "depok"],
        [False, False, True, False, True],
    )


def _table(*terms: str) -> PhraseTable:
    table = PhraseTable()
    for k, term in enumerate(terms):
        table.add(tuple(term.split()), k)
    return table


def test_phrase_table_matches_leftmost_longest_and_never_overlaps():
    table = _table("kota bekasi", "bekasi", "kota", "jawa barat", "barat daya")
    tokens = tokenize("Kota Bekasi dan Jawa Barat Daya, kota")
    assert table.find(tokens) == [(0, 2, 0), (3, 5, 3), (6, 7, 2)]
    # punctuation ends an n-gram: "Jawa, Barat" is not "jawa barat"
    assert table.find(tokenize("Jawa, Barat Daya")) == [(1, 3, 4)]
    assert table.find(tokenize("tidak ada apa-apa")) == []


def test_phrase_table_finds_the_same_from_probe_words():
    table = _table("kota bekasi", "bekasi", "kota", "jawa barat", "barat daya")
    for text in ("Kota Bekasi dan Jawa Barat Daya, kota", "Jawa, Barat Daya", "tidak ada"):
        words, hard_before = probe_words(text)
        assert table.find(None, words, hard_before=hard_before) == table.find(tokenize(text))


def test_triggers_are_the_first_words_of_the_kept_entries_with_their_clitics():
    table = PhraseTable()
    table.add(("kerja", "sama"), "cue")
    table.add(("tidak",), "negation")
    table.add(("mou",), "cue")
    assert table.triggers(lambda value: value == "cue") == {
        "kerja",
        "kerjanya",
        "kerjalah",
        "kerjapun",
        "kerjaku",
        "kerjamu",
        "mou",
        "mounya",
        "moulah",
        "moupun",
        "mouku",
        "moumu",
    }
    assert table.triggers(lambda value: False) == frozenset()


def test_normalise_strips_a_clitic_only_towards_a_known_word():
    table = _table("kerja sama", "bantuan")
    words = ["bantuannya", "samanya", "kerjalah", "tanya", "bantuan"]
    assert table.normalise(words) == ["bantuan", "sama", "kerja", "tanya", "bantuan"]
    table.add(("tanya",), 9)  # a new entry empties the memo: "tanya" is now known
    assert table.normalise(["tanyanya"]) == ["tanya"]


def test_word_memo_is_bounded_and_pickles_empty():
    memo = WordMemo(str.upper, limit=2)
    assert [memo[w] for w in ("a", "b", "a")] == ["A", "B", "A"]
    assert dict(memo) == {"a": "A", "b": "B"}
    assert memo["c"] == "C" and dict(memo) == {"c": "C"}  # it was full: emptied first
    again = pickle.loads(pickle.dumps(memo))
    assert len(again) == 0 and again["d"] == "D" and again.limit == 2


def test_place_words_correct_capitalised_misspellings_only(lexicon_dir):
    lexicons = load_classify_lexicons(lexicon_dir)
    written = ["Kalimatan", "kalimatan", "Barat", "Bekasi", "Rapat"]
    assert lexicons.place_words(written) == ["kalimantan", "kalimatan", "barat", "bekasi", "rapat"]
    again = pickle.loads(pickle.dumps(lexicons))
    assert again.place_words(written[:1]) == ["kalimantan"]


@pytest.mark.parametrize(
    "text",
    ["JAKARTA, KOMPAS.com - Pemprov DKI bekerja sama.", "Kerja sama  Bekasi–Depok, 2024!", ""],
)
def test_stripped_fingerprint_is_the_paragraph_fingerprint(text):
    lexicons = default_cleaning_lexicons()
    stripped = strip_leading_noise(text, lexicons)
    assert stripped_fingerprint(stripped) == paragraph_fingerprint(text, lexicons)
    assert len(stripped_fingerprint(stripped)) == 12


@pytest.mark.parametrize(
    "text",
    [
        "Pemprov DKI_Jakarta & Kota BEKASI sepakat (MoU) 12/3/2024: Rp1,5 triliun.",
        "Jum'at pagi, dato' o'o'o a''b 'c' d' snake_case__x 007 Jakarta's",
        "Kerja sama Bekasi–Depok “resmi” dengan Kuala Lumpur.",  # not ASCII
        "İstanbul ve Ankara’da ﬁnal Straße",
        "",
        " ...!? ",
    ],
)
def test_probed_fingerprint_is_the_stripped_fingerprint(text):
    words, _hard = probe_words(text)
    assert probed_fingerprint(text, words) == stripped_fingerprint(text)


def test_probed_words_must_come_with_the_stripped_texts(lexicon_dir):
    from analysis.classify.rules import Classifier

    classifier = Classifier.from_lexicons(lexicon_dir)
    paragraphs = ["Pemprov DKI dan Pemkot Bekasi menjalin kerja sama sampah.", "Lain hal."]
    stripped = [strip_leading_noise(p, classifier.cleaning) for p in paragraphs]
    given = classifier.classify_document(
        "Judul", paragraphs, stripped=stripped, probed_words=[probe_words(t) for t in stripped]
    )
    assert given == classifier.classify_document("Judul", paragraphs)
    assert given.coop_type == "agglomeration"
    with pytest.raises(ValueError, match="probed_words"):
        classifier.classify_document("Judul", paragraphs, probed_words=[probe_words("x")] * 2)


def test_scoped_rules_keep_file_order():
    lexicons = default_cleaning_lexicons()
    datelines = lexicons.scoped("paragraph_dateline")
    assert datelines == tuple(r for r in lexicons.rules if r.scope == "paragraph_dateline")
    assert datelines and lexicons.scoped("no such scope") == ()


@pytest.mark.parametrize(
    "text",
    [
        "Pemprov DKI_Jakarta & Kota BEKASI sepakat (MoU) 12/3/2024: Rp1,5 triliun.",
        "Wali Kota 'Tri' Adhianto di Jum'at pagi; snake_case__x 007",
        "   ",
        "Kerja sama Bekasi–Depok “resmi” dengan Kuala Lumpur, Malaysia.",  # not ASCII
        "İstanbul ve Ankara’da ﬁnal Straße",  # the letters NFKC and casefold change
    ],
)
def test_fingerprint_of_any_text_is_the_normalised_words_digest(text):
    # ASCII text takes a shorter route (lower() and an ASCII pattern): the same digest as the
    # definition, NFKC + casefold + every run of letters and digits
    import hashlib
    import unicodedata

    from analysis.text.tokens import ALNUM_RUN

    words = ALNUM_RUN.findall(unicodedata.normalize("NFKC", text).casefold())
    expected = hashlib.sha1(" ".join(words).encode("utf-8")).hexdigest()[:12]
    assert stripped_fingerprint(text) == expected
    assert stripped_fingerprint(text.upper()) == expected or not text.isascii()


_NO_CUE_TITLE = "Wali Kota Bekasi Tinjau Rumah Sakit"
_NO_CUE_PARAGRAPHS = [
    "Wali Kota Bekasi Tri Adhianto meninjau rumah sakit di Jakarta, Senin.",
    "Tidak ada pembangunan jalan tol baru tahun ini, kata Polres Bekasi.",
    "Baca juga: Banjir di Depok",
]


@pytest.fixture(scope="module")
def classifier(lexicon_dir):
    from analysis.classify.rules import Classifier

    return Classifier.from_lexicons(lexicon_dir)


def test_an_article_without_a_cue_is_coded_from_its_sector_words(classifier):
    coding = classifier.classify_document(_NO_CUE_TITLE, _NO_CUE_PARAGRAPHS)
    assert [c.evidence for c in coding.paragraphs] == [
        "no cooperation cue in the article | sectors: health:rumah sakit",
        "no cooperation cue in the article | sectors: transport:jalan tol",
        "link line (Baca juga) ignored",
    ]
    assert (
        coding.title.evidence == "no cooperation cue in the article | sectors: health:rumah sakit"
    )
    # the codes are those of the full rules (which also weigh "di Jakarta" and "Polres Bekasi")
    for text, unit in zip(_NO_CUE_PARAGRAPHS, coding.paragraphs, strict=True):
        full = classifier.classify_paragraph(text)
        assert (unit.coop_type, unit.partners, unit.sectors, unit.cues, unit.basis) == (
            full.coop_type,
            full.partners,
            full.sectors,
            full.cues,
            full.basis,
        )
    assert classifier.classify_paragraph(_NO_CUE_PARAGRAPHS[0]).evidence == (
        "no cooperation cue | not parties: Jakarta(location) | sectors: health:rumah sakit"
    )
    document = (coding.coop_type, coding.partners, coding.sectors, coding.evidence, coding.cues)
    short = classifier.classify_document(_NO_CUE_TITLE, _NO_CUE_PARAGRAPHS, paragraph_codings=False)
    assert document == (short.coop_type, short.partners, short.sectors, short.evidence, short.cues)
    assert document == (
        "none",
        (),
        (),
        "document: none (no unit with a cue and two governments)",
        (),
    )
    assert (coding.confidence, coding.confidence_reasons) == ("", ())
    assert len(coding.paragraphs) == len(_NO_CUE_PARAGRAPHS)


def test_a_cue_anywhere_in_the_article_brings_the_full_rules_to_every_unit(classifier):
    # "mengirim" is a cue only next to a team or aid word: it holds none here, but a cue
    # matched at all sends the article through the full rules
    sent = classifier.classify_document(
        _NO_CUE_TITLE, [*_NO_CUE_PARAGRAPHS, "Pemkot Bekasi mengirim surat kepada warga."]
    )
    assert sent.coop_type == "none"
    assert sent.paragraphs[0].evidence == (
        "no cooperation cue | not parties: Jakarta(location) | sectors: health:rumah sakit"
    )
    assert sent.paragraphs[1].evidence == (
        "no cooperation cue | not parties: Bekasi(org) | sectors: transport:jalan tol"
    )
    cooperation = "Pemkot Bekasi dan Pemkot Depok menjalin kerja sama pengelolaan sampah."
    coded = classifier.classify_document(_NO_CUE_TITLE, [*_NO_CUE_PARAGRAPHS, cooperation])
    assert (coded.coop_type, coded.partners) == ("agglomeration", ("Bekasi", "Depok"))
    assert coded.paragraphs[0].evidence.startswith("no cooperation cue | not parties: Jakarta")
    assert coded.paragraphs[3].evidence == (
        "agglomeration: jabodetabekjur | cues: kerja sama | parties: Bekasi(gov), Depok(gov) "
        "| sectors: waste:sampah"
    )


def test_the_trigger_shortcuts_code_as_the_tables_do(lexicon_dir, raw_dir):
    # every unit of the bundled articles and of hand-written ones: whether it holds a cue, and
    # a cueless unit's coding, as the full tokens and tables give them
    from analysis.classify.decide import decide_cueless
    from analysis.classify.mentions import find_sectors, holds_cue
    from analysis.classify.rules import Classifier

    classifier = Classifier.from_lexicons(lexicon_dir)
    lexicons = classifier.lexicons
    texts = [
        "Pemprov DKI dan Pemkot Bekasi menjalin kerjasamanya di bidang sampah.",
        "Kerja samanya dengan Kuala Lumpur, Malaysia: banjir dan sekolahnya.",
        "Tidak ada yang baru hari ini; harga cabai naik.",
        "Pemkot Depok membangun jalan tol, rumah sakit dan TPA.",
        "",
    ]
    for path in sorted(raw_dir.glob("*.txt")):
        texts += path.read_text(encoding="utf-8").split("\n\n")
    cues = 0
    for text in texts:
        [probe] = classifier._probe_units([("p0", text)], [None], [None])
        if probe is None:  # a link line
            continue
        tokens = tokenize(probe.text)
        words = token_words(tokens)
        assert probe.cue == holds_cue(lexicons, tokens, words)
        assert classifier._cueless(probe) == decide_cueless(find_sectors(lexicons, tokens, words))
        cues += probe.cue
    assert cues >= 2  # the hand-written cues at least
