"""Property-based tests of the text path on arbitrary Unicode: decoding, cleaning, dates,
tokens and stems, coding. Nothing may raise, and each step keeps the invariants later stages
and readers rely on (docs/architecture.md).

Hypothesis does not generate 1 MB single-line texts, mixed right-to-left scripts or lone
surrogates often enough, so they are added as explicit examples. Example counts are bounded so
the file runs in well under a minute; with CI=1 the runs are derandomised (see conftest.py).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from analysis.classify.rules import Classifier
from analysis.core.codebook import COOP_TYPES, SECTORS
from analysis.core.config import IngestParams, PreprocessParams, TopicsParams
from analysis.text.clean import clean_article, clean_text, segment_paragraphs
from analysis.text.lexicons import load_cleaning_lexicons as load_lexicons
from analysis.text.metadata import parse_date
from analysis.text.normalize import normalize_text
from analysis.text.sources import decode_bytes
from analysis.text.stem import Preprocessor

MIN_WORDS = IngestParams().min_words
MIN_TOKEN_LENGTH = PreprocessParams().min_token_length
MIN_TOPIC_SIZE = TopicsParams().min_topic_size

# Words of the domain (written for these tests) so generated text also exercises the rules.
_WORDS = (
    "Pemerintah Provinsi DKI Jakarta Kota Bekasi Depok Tangerang Bogor Banten Jawa Barat "
    "kerja sama kerjasama bekerja sister city Kuala Lumpur Ankara nota kesepahaman MoU LoI "
    "sampah banjir transportasi air bersih Bantar Gebang PAM Jaya gubernur wali kota relawan "
    "perbankan Baca juga: Sebarkan artikel ini Avatar photo date 2025-08-11 Jakarta - "
    "Ntvnews.id, Selasa, 8 Juli 2025 (9/4/2025) yang dan dengan di ke dari untuk"
).split()
# Characters that have broken text pipelines: spaces and marks that look like nothing,
# right-to-left text and overrides, emoji sequences, combining marks, controls, line and
# paragraph separators, BOM, mojibake, HTML entities and markup, a lone surrogate.
_TRICKY = [
    "\u00a0",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u202e",
    "\u2066",
    "\u2069",
    "\ufeff",
    "\u00ad",
    "\u2028",
    "\u2029",
    "\x85",
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "\x9c",
    "\r",
    "\r\n",
    "\n",
    "\n\n\n",
    "\t",
    "\x0b",
    "\x0c",
    "\u3000",
    "\u1680",
    "مرحبا بالعالم",
    "שלום עולם",
    "سلام",
    "😀",
    "👨\u200d👩\u200d👧",
    "🇮🇩",
    "e\u0301",
    "\u0301",
    "\ud800",
    "\udfff",
    "â€œ",
    "Ã©",
    "Â ",
    "&amp;",
    "&#0;",
    "&#x1F600;",
    "&#xD800;",
    "&nbsp;",
    "<script>alert(1)</script>",
    "<b>",
    "”",
    "“",
    "’",
    ".,A",
    " , ",
    ",,",
    "\u03b1",
    "\U0010ffff",
    "\ufffd",
    "\uffff",
]
_FORBIDDEN = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u00a0\u00ad\u200b-\u200f\u2028\u2029\u202a-\u202e"
    "\u2060-\u2064\u2066-\u2069\ufeff\ud800-\udfff]"
)

any_char = st.characters(exclude_categories=())  # every code point, surrogates included
pieces = st.one_of(
    st.sampled_from(_WORDS),
    st.sampled_from(_TRICKY),
    st.text(any_char, max_size=12),
    st.sampled_from([" ", " ", "\n", "\n\n", ". ", ", "]),
)
hostile_text = st.lists(pieces, max_size=60).map("".join)

MB_LINE = "Jakarta dan Bekasi bekerja sama mengelola sampah. " * 20_972  # ~1 MB, no newline
RTL_MIXED = "Pemprov DKI Jakarta \u202eمرحبا\u202c bekerja sama dengan שלום Kota Bekasi 😀."
SURROGATES = "Kerja sama \ud800 Jakarta\udfff dan Bekasi \ud83d"


@pytest.fixture(scope="module")
def cleaning_lexicons(lexicon_dir):
    return load_lexicons(lexicon_dir)


@pytest.fixture(scope="module")
def preprocessor(lexicon_dir):
    return Preprocessor.from_lexicons(lexicon_dir, MIN_TOKEN_LENGTH)


@pytest.fixture(scope="module")
def classifier(lexicon_dir):
    return Classifier.from_lexicons(lexicon_dir)


# --------------------------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------------------------

_BINARY_STARTS = ("%PDF", "PK\x03\x04", "GIF8", "{\\rtf", "\x7fELF")


def _plain(text: str) -> bool:
    """Text that decode_bytes must return unchanged from its UTF-8 bytes."""
    return not text.startswith(("\ufeff", *_BINARY_STARTS)) and not any(
        unicodedata.category(c) == "Cc" and c not in "\t\n\r\x0c" for c in text
    )


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
@example(b"")
@example(b"\xff\xfe")  # a UTF-16 BOM alone
@example(b"\xff\xfe\x00")  # a UTF-16 BOM with half a code unit
@example(b"\xef\xbb\xbf\xff")  # a UTF-8 BOM, then invalid UTF-8
@example(b"\x00\x00\xfe\xff\x00\x00\xd8\x00")  # UTF-32 BOM and a surrogate code point
@example("Jakarta \u00e9 caf\u00e9".encode("utf-8") + "Bekasi \u00e9".encode("cp1252"))  # mixed
def test_decode_bytes_never_raises_and_reports_a_reason(data):
    text, reason, detail = decode_bytes(data)
    if text is None:
        assert reason in {"binary", "undecodable"}
        assert isinstance(detail, str) and detail
    else:
        assert reason is None
        assert isinstance(text, str)
        assert detail in {"utf-8", "utf-8-sig", "utf-16", "utf-32", "cp1252", "latin-1"}
        text.encode("utf-8")  # a decoded text can always be written out


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))  # st.text never yields surrogates, so every text is encodable
@example(RTL_MIXED)
def test_utf8_and_utf16_round_trip(text):
    if _plain(text):
        assert decode_bytes(text.encode("utf-8"))[0] == text
    if not text.startswith("\x00"):  # FF FE 00 00 is also the UTF-32 byte-order mark
        utf16, _, encoding = decode_bytes(text.encode("utf-16"))  # with a byte-order mark
        assert (utf16, encoding) == (text, "utf-16")


# --------------------------------------------------------------------------------------------
# Cleaning
# --------------------------------------------------------------------------------------------


def _assert_clean_body(body: str) -> None:
    assert isinstance(body, str)
    assert not _FORBIDDEN.search(body), repr(_FORBIDDEN.search(body).group(0))
    assert body == body.strip()
    assert "\n\n\n" not in body
    if body:
        for paragraph in body.split("\n\n"):
            assert paragraph and paragraph == paragraph.strip()
            assert "\n" not in paragraph
            assert "  " not in paragraph
    body.encode("utf-8")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_text)
@example("")
@example(MB_LINE)
@example(RTL_MIXED)
@example(SURROGATES)
@example("\n".join(["Judul Kerja Sama Jakarta dan Bekasi", "", "Isi."] * 3))
@example("a\n" * 50_000)
def test_clean_text_output_is_clean_and_segmented(cleaning_lexicons, text):
    _assert_clean_body(clean_text(text, cleaning_lexicons))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_text, st.one_of(st.none(), hostile_text))
@example(SURROGATES, SURROGATES)
@example(MB_LINE, "<script>alert(1)</script>")
def test_clean_article_metadata_is_clean(cleaning_lexicons, text, title):
    cleaned = clean_article(text, cleaning_lexicons, title=title)
    _assert_clean_body(cleaned.text)
    if cleaned.title is not None:
        assert cleaned.title and not _FORBIDDEN.search(cleaned.title)
        assert "\n" not in cleaned.title
    if cleaned.date is not None:
        assert 1900 <= cleaned.date.year <= 2100
    if cleaned.outlet is not None:
        assert cleaned.outlet == cleaned.outlet.lower() and not _FORBIDDEN.search(cleaned.outlet)


@settings(max_examples=300, deadline=None)
@given(hostile_text)
@example(SURROGATES)
@example("\r\n\r\n\r\n")
def test_normalize_and_segment(text):
    normal = normalize_text(text)
    assert not _FORBIDDEN.search(normal)
    assert "\n\n\n" not in normal and normal == normal.strip()
    for paragraph in segment_paragraphs(normal):
        assert paragraph and paragraph == paragraph.strip() and "\n" not in paragraph


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------

_MONTHS_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
_WEEKDAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        hostile_text,
        st.text(max_size=80),
        st.integers(),
        st.floats(),
        st.none(),
        st.binary(max_size=20),
        st.lists(st.integers(), max_size=3),
    )
)
@example("31/02/2019")
@example("0000-00-00")
@example("9999-12-31")
@example("2025-08-11T25:99:99+99:99")
@example("١١/٠٨/٢٠٢٥")  # Arabic-Indic digits
@example("11/08/2025" + "\u200b" * 100)
def test_parse_date_never_raises(value):
    parsed = parse_date(value)
    assert parsed is None or (isinstance(parsed, dt.date) and 1900 <= parsed.year <= 2100)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_parse_date_round_trips_the_written_forms(day):
    weekday = _WEEKDAYS_ID[day.weekday()]
    month = _MONTHS_ID[day.month - 1]
    assert parse_date(day.isoformat()) == day
    assert parse_date(f"{day.isoformat()}T10:30:00+07:00") == day
    assert parse_date(f"{day.day} {month} {day.year}") == day
    assert parse_date(f"{weekday}, {day.day} {month} {day.year} | 22:00") == day
    assert parse_date(f"{day.day:02d}/{day.month:02d}/{day.year}") == day  # day first
    assert parse_date(f"({day.day}/{day.month}/{day.year})") == day


# --------------------------------------------------------------------------------------------
# Tokens and stems
# --------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_text)
@example(MB_LINE)
@example(RTL_MIXED)
@example(SURROGATES)
@example("Ｊａｋａｒｔａ ＢＥＫＡＳＩ ﬁnansial ǅakarta İstanbul ß")  # width, ligature, case folds
def test_tokens_are_lower_case_words_and_stems_align(preprocessor, text):
    tokens, stems = preprocessor.process(text)
    assert len(stems) == len(tokens)
    for token, stem in zip(tokens, stems):
        assert _TOKEN.fullmatch(token), token
        assert token == token.lower() and not any(c.isspace() for c in token)
        assert len(token) >= preprocessor.min_token_length
        assert token not in preprocessor.lexicons.stopwords
        assert isinstance(stem, str) and stem and not any(c.isspace() for c in stem)
    assert preprocessor.tokenize(text) == tokens  # deterministic


# --------------------------------------------------------------------------------------------
# Coding
# --------------------------------------------------------------------------------------------


def _assert_coding(coding) -> None:
    assert coding.coop_type in COOP_TYPES
    assert set(coding.sectors) <= set(SECTORS)
    assert list(coding.sectors) == sorted(coding.sectors, key=SECTORS.index)  # codebook order
    assert len(set(coding.sectors)) == len(coding.sectors)
    assert all(isinstance(p, str) and p for p in coding.partners)
    assert isinstance(coding.evidence, str)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.none(), hostile_text), st.lists(hostile_text, max_size=6))
@example("<script>alert(1)</script>", [MB_LINE])
@example(RTL_MIXED, [RTL_MIXED, SURROGATES, ""])
@example(None, [])
def test_classifier_codes_anything_with_codebook_ids(classifier, title, paragraphs):
    document = classifier.classify_document(title, paragraphs)
    _assert_coding(document)
    assert len(document.paragraphs) == len(paragraphs)
    for coding in document.paragraphs:
        _assert_coding(coding)
    if paragraphs:
        _assert_coding(classifier.classify_paragraph(paragraphs[0]))


def _table_text():
    """Texts mixing every character the two translation tables change with ordinary text."""
    from analysis.text import normalize as normalize_module
    from analysis.text import tokens as tokens_module

    keys = sorted(
        {chr(k) for k in normalize_module._TRANSLATION} | {chr(k) for k in tokens_module._CHAR_MAP}
    )
    return st.text(alphabet=st.sampled_from(keys) | st.characters(codec="utf-8"), max_size=200)


@settings(max_examples=300, deadline=None)
@given(_table_text())
@example("")
@example(
    "\u00a0\u201cKerja sama\u201d\u00a0\t\x00\x7f\u0085\u2028 \u200b\u200c\ufeff\u03b1`\u2032 ok"
)
def test_char_table_is_str_translate(text):
    """CharTable replaces the characters a text has, one ``str.replace`` each: the same string
    as ``str.translate`` with its table, for both tables the cleaning and the tokens use."""
    from analysis.text import normalize as normalize_module
    from analysis.text import tokens as tokens_module
    from analysis.text.normalize import CharTable

    for table in (normalize_module._TRANSLATION, tokens_module._CHAR_MAP):
        assert CharTable(table)(text) == text.translate(table)


def test_char_table_refuses_a_table_whose_order_would_matter():
    from analysis.text.normalize import CharTable

    with pytest.raises(ValueError, match="replacement contains"):
        CharTable(
            str.maketrans({"a": "b", "b": "c"})
        )  # translate gives "bc" for "ab"; replace "cc"
    assert CharTable(str.maketrans({"\u00a0": " ", "x": None}))("a\u00a0x\u00a0") == "a  "
