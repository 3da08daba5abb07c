"""Collection sources: URL lists, Media Cloud and GDELT exports, sitemaps, feeds; URLs and pages."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pytest

from analysis.collect.sources import DateRange, parse_listing, read_source
from analysis.collect.urls import host_key, next_page_url, normalize_url, page_of
from analysis.core.errors import UserError
from analysis.text.lexicons import load_cleaning_lexicons as load_lexicons

FIXTURES = Path(__file__).parents[1] / "fixtures" / "collect"
BASE = "http://127.0.0.1:8765"
RANGE_2025 = DateRange(dt.date(2025, 1, 1), dt.date(2025, 12, 31))


@pytest.fixture(scope="module")
def columns(lexicon_dir):
    return load_lexicons(lexicon_dir).input_columns


def _materialise(tmp_path: Path, name: str) -> Path:
    """A fixture source with {base} filled in, as a researcher's file would be."""
    path = tmp_path / name
    path.write_text(
        (FIXTURES / name).read_text(encoding="utf-8").replace("{base}", BASE), encoding="utf-8"
    )
    return path


def test_url_list_keeps_order_skips_comments_and_flags_invalid_lines(tmp_path, columns):
    path = tmp_path / "urls.txt"
    path.write_text(
        "# daftar\n\nhttps://Contoh.test/a b\nftp://x.test/f\nhttps://contoh.test/sitemap.xml\n"
        "http://contoh.test:80/berita?id=1#komentar\n",
        encoding="utf-8",
    )
    listing = read_source(str(path), columns=columns)
    assert [(e.url, e.kind, e.source) for e in listing.entries] == [
        ("https://contoh.test/a%20b", "article", "urls.txt:3"),
        ("ftp://x.test/f", "invalid", "urls.txt:4"),
        ("https://contoh.test/sitemap.xml", "listing", "urls.txt:5"),
        ("http://contoh.test/berita?id=1", "article", "urls.txt:6"),
    ]


def test_media_cloud_export_columns_are_recognised(tmp_path, columns):
    listing = read_source(
        str(_materialise(tmp_path, "mediacloud.csv")), columns=columns, dates=RANGE_2025
    )
    assert listing.out_of_range == 1
    first, second = listing.entries
    assert (
        first.url
        == BASE + "/berita/d-7712345/jakarta-dan-bekasi-sepakati-integrasi-layanan-bus-lintas-batas"
    )
    assert (first.date, first.outlet) == ("2025-05-12", "detikNews Contoh")
    assert first.title == "Jakarta dan Bekasi Sepakati Integrasi Layanan Bus Lintas Batas"
    assert second.source == "mediacloud.csv:3"


def test_gdelt_tab_separated_export_is_recognised(tmp_path, columns):
    listing = read_source(
        str(_materialise(tmp_path, "gdelt.tsv")), columns=columns, dates=RANGE_2025
    )
    kinds = [(e.kind, e.date, e.outlet) for e in listing.entries]
    assert kinds == [
        ("article", "2025-02-18", "tribun-contoh.test"),
        ("article", "2025-02-18", "tribun-contoh.test"),
        ("invalid", None, None),
    ]
    assert listing.entries[2].url == "bukan-url-yang-sah"


def test_semicolon_separated_export_is_recognised(tmp_path, columns):
    # a Media Cloud export reopened and saved by a spreadsheet in an Indonesian locale
    path = tmp_path / "ekspor.csv"
    path.write_text(
        "\ufeffurl;title;publish_date;media_name\n"
        "https://contoh.test/a;Jakarta, Depok sepakat;2025-03-01;Contoh News\n"
        "https://contoh.test/b;Lama;2019-01-01;Contoh News\n",
        encoding="utf-8",
    )
    listing = read_source(str(path), columns=columns, dates=RANGE_2025)
    assert listing.out_of_range == 1
    [entry] = listing.entries
    assert (entry.url, entry.title, entry.date, entry.outlet, entry.source) == (
        "https://contoh.test/a",
        "Jakarta, Depok sepakat",
        "2025-03-01",
        "Contoh News",
        "ekspor.csv:2",
    )


def test_csv_without_a_url_column_is_a_user_error(tmp_path, columns):
    path = tmp_path / "hasil.csv"
    path.write_text("judul,tanggal\nA,2025-01-01\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"hasil.csv: no URL column among judul, tanggal"):
        read_source(str(path), columns=columns)


def test_sitemap_index_children_and_lastmod_filter():
    data = (FIXTURES / "sitemap_index.xml").read_text().replace("{base}", BASE).encode()
    listing = parse_listing(data, source="index", dates=RANGE_2025)
    assert listing.kind == "sitemapindex"
    assert [e.url for e in listing.entries] == [
        BASE + "/sitemap-news.xml",
        BASE + "/sitemap_index.xml",
    ]
    assert {e.kind for e in listing.entries} == {"listing"}
    assert listing.out_of_range == 1  # the 2019 child sitemap


def test_news_sitemap_dates_titles_and_range():
    data = (FIXTURES / "sitemap-news.xml").read_text().replace("{base}", BASE).encode()
    listing = parse_listing(gzip.compress(data), source="news", dates=RANGE_2025)  # .xml.gz too
    assert listing.kind == "urlset" and listing.out_of_range == 1
    first = listing.entries[0]
    assert (first.date, first.title) == (
        "2025-01-27",
        "Jakarta dan Bogor Sepakat Tata Ulang Bantaran Ciliwung",
    )
    assert [e.date for e in listing.entries] == [
        "2025-01-27",
        "2025-03-04",
        "2025-02-01",
        "2025-02-02",
    ]
    assert len(parse_listing(data, source="news").entries) == 5  # no range: all


def test_rss_and_atom_feeds():
    rss = parse_listing(
        (FIXTURES / "feed.rss").read_text().replace("{base}", BASE).encode(),
        source="rss",
        dates=RANGE_2025,
    )
    assert [e.date for e in rss.entries] == ["2025-06-20", "2025-07-08"] and rss.out_of_range == 1
    atom = parse_listing(
        (FIXTURES / "feed.atom").read_text().replace("{base}", BASE).encode(),
        source="atom",
        dates=RANGE_2025,
    )
    assert [(e.url.removeprefix(BASE), e.date) for e in atom.entries] == [
        ("/berita/812345/surabaya-dan-busan-sepakati-pertukaran-tenaga-ahli", "2025-06-16"),
        ("/berita/tanpa-tanggal", None),
    ]  # undated entries are kept


@pytest.mark.parametrize(
    "data",
    [
        b"<html><body>bukan sitemap</body></html>",
        b"\x00\x01garbage",
        b'<?xml version="1.0"?><catalog/>',
    ],
)
def test_documents_that_are_not_listings_raise(data):
    with pytest.raises(ValueError):
        parse_listing(data, source="x")


def test_xml_with_an_external_entity_is_not_resolved(tmp_path):
    secret = tmp_path / "rahasia.txt"
    secret.write_text("RAHASIA", encoding="utf-8")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>'
        f"{BASE}/a?q=&x;</loc></url></urlset>"
    ).encode()
    entries = parse_listing(data, source="x").entries
    assert all("RAHASIA" not in e.url for e in entries)


def test_source_that_is_neither_file_nor_url(columns):
    with pytest.raises(UserError, match="neither a file nor an http"):
        read_source("tidak-ada.txt", columns=columns)


def test_normalize_url_and_host_key():
    assert (
        normalize_url(" HTTPS://Berita.Contoh.TEST:443/a/é?b=1#x ")
        == "https://berita.contoh.test/a/%C3%A9?b=1"
    )
    assert normalize_url("javascript:alert(1)") is None
    assert normalize_url("http://[::1") is None
    assert host_key("http://127.0.0.1:8080/a?b") == "http://127.0.0.1:8080"


@pytest.mark.parametrize(
    ("url", "base", "page"),
    [
        ("http://x.test/read/1/judul-berita?page=2", "http://x.test/read/1/judul-berita", 2),
        (
            "http://x.test/read/1/judul-berita?id=5&hal=3",
            "http://x.test/read/1/judul-berita?id=5",
            3,
        ),
        ("http://x.test/berita/d-1/judul-berita/2", "http://x.test/berita/d-1/judul-berita", 2),
        ("http://x.test/judul-berita/halaman-4", "http://x.test/judul-berita", 4),
        ("http://x.test/berita/812345", "http://x.test/berita/812345", 1),  # an id, not a page
        (
            "http://x.test/read/1/judul-berita?page=all",
            "http://x.test/read/1/judul-berita?page=all",
            1,
        ),
    ],
)
def test_page_of(url, base, page):
    assert page_of(url) == (base, page)


def test_next_page_only_follows_page_n_plus_one_of_the_same_article():
    url = "http://x.test/read/1/judul-berita"
    page = (
        '<html><head><link rel="next" href="/lain/artikel-lain?page=2"></head><body>'
        '<a href="?page=3">3</a><div class="paging"><a href="?page=2">2</a>'
        '<a href="?page=all">Show All</a></div></body></html>'
    )
    assert next_page_url(page, url) == url + "?page=2"
    assert next_page_url(page.replace('href="?page=2"', 'href="?page=1"'), url) is None
    assert (
        next_page_url(
            "<html><body><a href='?page=2'>Selanjutnya</a></body></html>", url + "?page=2"
        )
        is None
    )  # back to page 2 from page 2: no
