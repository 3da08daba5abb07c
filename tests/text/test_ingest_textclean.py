"""Text cleaning on hand-checked examples: dates, Unicode, paragraphs, boilerplate on the seeds."""

from __future__ import annotations

import datetime as dt

import pytest

from analysis.text.clean import clean_article, clean_text, segment_paragraphs
from analysis.text.lexicons import load_cleaning_lexicons as load_lexicons
from analysis.text.metadata import canonical_outlet, find_text_date, parse_date, registrable_domain
from analysis.text.normalize import normalize_text

D = dt.date


@pytest.fixture(scope="module")
def lex(lexicon_dir):
    return load_lexicons(lexicon_dir)


@pytest.fixture(scope="module")
def seeds(raw_dir):
    return {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(raw_dir.glob("*.txt"))}


# --------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2025-08-11", D(2025, 8, 11)),
        ("2025-08-11T22:00:00+07:00", D(2025, 8, 11)),
        ("2025-08-11 22:00", D(2025, 8, 11)),
        ("Senin, 11 Agustus 2025 | 22:00", D(2025, 8, 11)),
        ("Senin, 11 Agustus 2025 | 22:00 WIB", D(2025, 8, 11)),
        ("(9/4/2025)", D(2025, 4, 9)),
        ("Rabu (9/4/2025)", D(2025, 4, 9)),
        ("10/09/2019", D(2019, 9, 10)),  # DD/MM/YYYY, as clickid's Kompas dates
        ("12/25/2019", D(2019, 12, 25)),  # only readable month-first
        ("31 Juli 2019", D(2019, 7, 31)),
        ("09 Agustus 2019", D(2019, 8, 9)),
        ("25 Okt 2019", D(2019, 10, 25)),
        ("16 Sep 2019", D(2019, 9, 16)),
        ("Sep 16, 2019", D(2019, 9, 16)),
        ("Oct 1, 2019", D(2019, 10, 1)),
        ("Oktober 19, 2019", D(2019, 10, 19)),
        ("Juni 06, 2019", D(2019, 6, 6)),
        ("10-Sep-19", D(2019, 9, 10)),
        ("1 Desember 1999", D(1999, 12, 1)),
        ("Selasa, 8 Juli 2025", D(2025, 7, 8)),
        ("Monday, September 16, 2019", D(2019, 9, 16)),
        # ambiguous, incomplete or impossible: None, never an exception
        ("31/02/2019", None),
        ("13/13/2019", None),
        ("2019-02-30", None),
        ("11/8", None),
        ("Agustus 2025", None),
        ("2025", None),
        ("32 Juli 2019", None),
        ("31 Foo 2019", None),
        ("kemarin sore", None),
        ("", None),
        ("   ", None),
        ("0000-00-00", None),
        ("1700-01-01", None),
        (None, None),
        (20190910, None),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


def test_parse_date_passes_dates_through():
    assert parse_date(dt.datetime(2025, 8, 11, 22, 0)) == D(2025, 8, 11)
    assert parse_date(D(2025, 8, 11)) == D(2025, 8, 11)


def test_find_text_date_needs_a_weekday():
    assert find_text_date("kata Pramono, Selasa, 8 Juli 2025.") == D(2025, 7, 8)
    assert find_text_date("menerima kunjungan, Rabu (9/4/2025)") == D(2025, 4, 9)
    assert find_text_date("Pada 21 Agustus 2025, PAM Jaya menandatangani") is None
    assert find_text_date("dirilis pada Senin (11/8), menekankan") is None
    # the first-letter lookahead is case-insensitive like the rest, and "Jum'at" still counts
    assert find_text_date("digelar JUMAT, 4 April 2025 di Bogor") == D(2025, 4, 4)
    assert find_text_date("pada Jum'at (4/4/2025) malam") == D(2025, 4, 4)
    assert find_text_date("hari Fri, 4 Apr 2025") == D(2025, 4, 4)
    assert find_text_date("Minggu lalu, 4 April 2025") is None  # "lalu" is no date


WEEKDAY_TEXTS = [
    "Jakarta, Selasa (8/7/2025) - kata dia. Rabu, 9 Juli 2025 lalu",
    "Rabu 9 Kamis 2025 dan Kamis 10 Juli 2025",  # a weekday inside a failed date
    "Selasa Rabu, 9 Juli 2025 dan sunat Senin 1 Juli 2024",  # names inside words
    "SABTU (31/2/2023) lalu Minggu (1/3/2023) – \u201cSaturday, 2 Mar 2024\u201d",
    "\U0001f600 Selasa, 1 Juli 2024 \U0001f600 Rabu (2/7/2024)",  # astral characters
    "\uff33enin, 1 Juli 2024 lalu Senin, 1 Juli 2024",  # a full-width S is no s
    # the four letters that match ASCII ones case-insensitively: the pattern scans these
    "\u212aamis, 9 Juli 2025",
    "\u017fenin, 1 Juli 2024 \u2013 Selasa, 2 Juli 2024",
    "Kam\u0131s, 9 Juli 2025",
    "\u0130stanbul, Senin, 1 Juli 2024",
]


@pytest.mark.parametrize("text", WEEKDAY_TEXTS)
def test_weekday_dates_are_found_where_the_pattern_scan_finds_them(text):
    from analysis.text.metadata import WEEKDAY_DATE, _weekday_dates

    expected = [(m.span(), m.group(1)) for m in WEEKDAY_DATE.finditer(text)]
    assert [(m.span(), m.group(1)) for m in _weekday_dates(text)] == expected
    assert expected  # every example has a date


def test_weekday_date_scan_on_hand_checked_examples():
    # "9 Kamis 2025" has the shape of a date; parse_date then refuses it
    assert [m.group(1) for m in _dates(WEEKDAY_TEXTS[1])] == ["9 Kamis 2025", "10 Juli 2025"]
    assert find_text_date(WEEKDAY_TEXTS[1]) == D(2025, 7, 10)
    assert [m.group(1) for m in _dates(WEEKDAY_TEXTS[4])] == ["1 Juli 2024", "2/7/2024"]
    assert [m.group(1) for m in _dates(WEEKDAY_TEXTS[5])] == ["1 Juli 2024"]  # the second
    assert [m.group(0) for m in _dates(WEEKDAY_TEXTS[6])] == ["\u212aamis, 9 Juli 2025"]
    assert find_text_date(WEEKDAY_TEXTS[3]) == D(2023, 3, 1)  # 31 February is no date


def _dates(text):
    from analysis.text.metadata import _weekday_dates

    return list(_weekday_dates(text))


def test_a_given_date_spares_the_text_scan_and_wins(lex):
    text = "Kata Pramono, Selasa, 8 Juli 2025, di Balai Kota.\n\n" + "kata " * 40
    assert clean_article(text, lex).date == D(2025, 7, 8)
    assert clean_article(text, lex, date_in_text=False).date is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("kata dia.Sementara itu", "kata dia. Sementara itu"),  # glued sentence split
        ("Ini A.Bc dan ab.C saja", "Ini A.Bc dan ab.C saja"),  # not two lower-case letters
        ("ya!Kami datang?Dia", "ya! Kami datang? Dia"),
        ("Menurut , Budi,, dia", "Menurut Budi, dia"),  # link gap and doubled comma
        (" ;, kata dia ,", "kata dia"),  # junk at both edges
        ("\u3000tengah\u2003", "tengah"),  # Unicode spaces at the edges
    ],
)
def test_tidy(raw, expected):
    from analysis.text.clean import _tidy

    assert _tidy(raw) == expected


def test_rules_by_scope_keep_file_order(lex):
    for scope in ("line", "prefix", "lead", "trailer", "suffix"):
        assert lex.scoped(scope) == tuple(r for r in lex.rules if r.scope == scope)
    assert lex.scoped("line")  # the project's lexicon has line rules
    assert lex.scoped("no such scope") == ()


# --------------------------------------------------------------------------------- unicode


def test_normalize_text_unicode_repairs():
    raw = (
        "\ufeffKata\u00a0kunci \u201cdikutip\u201d dan \u2018tunggal\u2019\u200b di\u200dsini"
        "\x07.\r\nBaris\tdua  \u00a0 spasi.\r\n\r\n\r\n\r\nBaris tiga."
    )
    assert normalize_text(raw) == (
        "Kata kunci \"dikutip\" dan 'tunggal' disini.\nBaris dua spasi.\n\nBaris tiga."
    )


def test_normalize_text_repairs_mojibake_and_entities():
    assert normalize_text(
        "Dato\u00e2\u20ac\u2122 Seri \u00e2\u20ac\u0153Maimunah\u00e2\u20ac\x9d"
    ) == ('Dato\' Seri "Maimunah"')
    assert normalize_text("Caf\u00c3\u00a9 &amp; kopi &#8220;enak&#8221;") == 'Café & kopi "enak"'
    assert normalize_text("e\u0301") == "\u00e9"  # NFC
    assert normalize_text("J\u03b1karta") == "Jakarta"  # Greek alpha typed for a Latin a


# --------------------------------------------------------------------------------- paragraphs


def test_flattened_paragraphs_are_split_but_numbers_and_commas_are_not():
    text = (
        'Harga naik 1,5 persen, kata dia.,Kalimat berikutnya dimulai di sini.,"Kutipan '
        'langsung," ujarnya.",Paragraf tiga. ,Paragraf empat.,,,Paragraf lima.'
    )
    assert segment_paragraphs(text) == [
        "Harga naik 1,5 persen, kata dia.",
        "Kalimat berikutnya dimulai di sini.",
        '"Kutipan langsung," ujarnya."',
        "Paragraf tiga.",
        "Paragraf empat.",
        "Paragraf lima.",
    ]
    # a comma followed by a space, or a lower-case word, is prose
    assert segment_paragraphs("Ia datang., lalu pergi. Kota, Jakarta.") == [
        "Ia datang., lalu pergi. Kota, Jakarta."
    ]


def test_single_newline_and_blank_line_texts():
    assert segment_paragraphs("Satu.\nDua.\n\n\nTiga.") == ["Satu.", "Dua.", "Tiga."]
    wrapped = (
        "Baris ini dipotong pada lebar tetap oleh penyunting\n"
        "teks sehingga satu paragraf menjadi beberapa baris\n"
        "yang harus disambung kembali menjadi satu.\n\nParagraf kedua."
    )
    assert segment_paragraphs(wrapped) == [
        "Baris ini dipotong pada lebar tetap oleh penyunting teks sehingga satu paragraf menjadi "
        "beberapa baris yang harus disambung kembali menjadi satu.",
        "Paragraf kedua.",
    ]


def test_clean_text_joins_paragraphs_with_one_blank_line(lex):
    out = clean_text(" - Pemerintah kota menyiapkan bus baru.,Warga menyambut baik.", lex)
    assert out == "Pemerintah kota menyiapkan bus baru.\n\nWarga menyambut baik."
    assert clean_text(", , - Badan usaha menaikkan tarif.", lex) == "Badan usaha menaikkan tarif."
    assert clean_text("Polisi di , terkejut melihat ,, Jakarta.", lex) == (
        "Polisi di terkejut melihat, Jakarta."
    )
    assert clean_text("Hal itu disampaikan kemarin.Hal lain menyusul.", lex) == (
        "Hal itu disampaikan kemarin. Hal lain menyusul."
    )


def test_suffix_rules_on_made_up_tails(lex):
    tail = (
        'Atlet itu siap bertanding. Simak Video "Contoh Judul" [Gambas:Video Contoh] '
        "(abc/def) olahraga contoh"
    )
    assert clean_text(tail, lex) == "Atlet itu siap bertanding."
    assert clean_text("Kemacetan terurai sore hari. (abc/def),,,loading...", lex) == (
        "Kemacetan terurai sore hari."
    )
    assert clean_text("Bantuan sudah disalurkan., ,(*)", lex) == "Bantuan sudah disalurkan."


# --------------------------------------------------------------------------------- outlets


def test_outlets(lex):
    assert registrable_domain("https://jakarta.bisnis.com/read/1") == "bisnis.com"
    assert registrable_domain("news.republika.co.id", lex.public_suffixes) == "republika.co.id"
    assert registrable_domain("bukan domain") is None
    assert canonical_outlet("NTVNews.id", lex) == "ntvnews.id"
    assert canonical_outlet("KOMPAS.com", lex) == "kompas.com"
    assert canonical_outlet("Bisnis Indonesia Premium", lex) == "bisnis.com"
    assert canonical_outlet("https://stg.ntvnews.id/news/1", lex) == "ntvnews.id"
    assert canonical_outlet("Harian Contoh", lex) == "harian contoh"
    assert canonical_outlet("  ", lex) is None


# --------------------------------------------------------------------------------- seeds

# Every line of each seed that is boilerplate (after normalize_text), by seed number. All other
# lines must survive as paragraphs, minus the dateline prefix listed in DATELINES.
BOILERPLATE = {
    "000": [
        "Pramono Anung dan Tri Adhianto Tjahyono (NTVNews.id/ Adiansyah)",
        "Baca Juga: Pramono: Setelah Saya Merenung, Banjir Terkadang Tidak Bisa Dilawan",
    ],
    "001": [
        "Dikunjungi Andra Soni, Pramono Tawarkan Aplikasi JAKI untuk Digunakan di Banten",
        "10 bulan yang lalu",
        "HUKUM | 2 hari yang lalu",
        "OLAHRAGA | 2 hari yang lalu",
        "PERISTIWA | 2 hari yang lalu",
        "EKBIS | 2 hari yang lalu",
        "EKBIS | 1 hari yang lalu",
        "OLAHRAGA | 1 hari yang lalu",
        "HUKUM | 1 hari yang lalu",
    ],
    "002": [
        "date 2025-08-11 Bisnis Indonesia Premium",
        "Pramono Anung Gandeng Kuala Lumpur Demi Atasi Kemacetan Jakarta",
        "Sholahuddin Al Ayyubi",
        "Senin, 11 Agustus 2025 | 22:00",
        "Gubernur Jakarta Pramono Anung ketika ditemui di Balaikota Jakarta, Jakarta Pusat, "
        "Senin (5/5/2025)/Bisnis-Jessica Gabriela Soehandoko",
        "Penulis : Sholahuddin Al Ayyubi",
        "Editor : Feni Freycinetia Fitriani",
    ],
    "003": [],
    "004": [
        "Nasional",
        "Jakarta dan Kuala Lumpur Jalin Kerja Sama Sister City untuk Atasi Tantangan Bersama",
        "Avatar photo",
        "3",
        "×",
        "Sebarkan artikel ini",
        'Jakarta dan Kuala Lumpur Jalin Kerja Sama "Sister City" untuk Hadapi Tantangan Bersama',
    ],
}
DATELINES = {
    "000": "Ntvnews.id, Jakarta - ",
    "001": "BeritaNasional.com - ",
    "002": "Bisnis.com, Jakarta — ",
    "003": "date 2025-08-21 ",
}


@pytest.mark.parametrize("seed", sorted(BOILERPLATE))
def test_seed_boilerplate_removed_and_every_other_line_kept(seed, seeds, lex):
    cleaned = clean_article(seeds[seed], lex)
    paragraphs = cleaned.text.split("\n\n")
    assert all(p == p.strip() and p for p in paragraphs)
    for line in BOILERPLATE[seed]:
        assert line not in paragraphs, line
    dateline = DATELINES.get(seed, "")
    for line in normalize_text(seeds[seed]).split("\n"):
        if not line or line in BOILERPLATE[seed]:
            continue
        if dateline and line.startswith(dateline):
            line = line[len(dateline) :]
        assert line in paragraphs, f"seed {seed} lost a real sentence: {line[:80]}"
    assert len(paragraphs) == len(set(paragraphs))


def test_seed_rules_that_fire(seeds, lex):
    fired = {seed: set(clean_article(text, lex).rules_fired) for seed, text in seeds.items()}
    assert fired["000"] == {"photo_caption_credit", "read_also", "dateline_domain"}
    assert fired["001"] == {"headline", "dateline_domain", "related_relative_time"}
    assert fired["002"] == {
        "header_date_line",
        "byline_date_line",
        "photo_caption_slash",
        "byline_label",
        "author_name_line",
        "headline",
        "dateline_domain",
    }
    assert fired["003"] == {"header_date_prefix"}
    assert fired["004"] == {
        "section_label",
        "avatar_photo",
        "stray_counter",
        "share_prompt",
        "headline",
        "headline_echo",
    }


def test_seed_000_loses_the_read_also_line(seeds, lex):
    text = clean_text(seeds["000"], lex)
    assert "banjir" not in text.lower()
    assert "Baca Juga" not in text


@pytest.mark.parametrize(
    "seed, title, date, outlet",
    [
        ("000", None, D(2025, 7, 8), "ntvnews.id"),
        (
            "001",
            "Dikunjungi Andra Soni, Pramono Tawarkan Aplikasi JAKI untuk Digunakan di Banten",
            D(2025, 4, 9),
            "beritanasional.com",
        ),
        (
            "002",
            "Pramono Anung Gandeng Kuala Lumpur Demi Atasi Kemacetan Jakarta",
            D(2025, 8, 11),
            "bisnis.com",
        ),
        ("003", None, D(2025, 8, 21), None),
        (
            "004",
            "Jakarta dan Kuala Lumpur Jalin Kerja Sama Sister City untuk Atasi Tantangan Bersama",
            None,
            None,
        ),
    ],
)
def test_seed_metadata_from_text_alone(seed, title, date, outlet, seeds, lex):
    cleaned = clean_article(seeds[seed], lex)
    assert (cleaned.title, cleaned.date, cleaned.outlet) == (title, date, outlet)


def test_seed_002_text_starts_with_lede_and_ends_with_quote(seeds, lex):
    paragraphs = clean_text(seeds["002"], lex).split("\n\n")
    assert paragraphs[0].startswith("Pemprov Jakarta dan Kuala Lumpur menjalin kerja sama")
    assert paragraphs[1].startswith("Pemerintah Provinsi Jakarta menjalin kerja sama sister city")
    assert paragraphs[-1].endswith(
        'Kemitraan antara Kuala Lumpur dan Jakarta semakin kuat," tuturnya.'
    )
