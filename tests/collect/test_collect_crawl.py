"""A collection run against a loopback server full of hostile answers; every URL is accounted for."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from collect_server import (
    EXPECTED,
    FIXTURES,
    LoopbackServer,
    Reply,
    article_body,
    fixture_page,
    generated_paragraphs,
    gzipped,
    serve_fixture_articles,
)
from stage_helpers import run_ingest

from analysis.collect.options import CollectOptions
from analysis.collect.run import collect, reextract
from analysis.collect.sources import DateRange, read_source
from analysis.collect.warc import WarcRef, read_response
from analysis.text.html import word_f1
from analysis.text.lexicons import load_cleaning_lexicons as load_lexicons

QUERY = '"kerja sama" AND (Bekasi OR Depok OR "sister city" OR "kota kembar")'
CONTACT = "peneliti@example.org"
TRAP_PAGES = 4


def _generated(title: str, seed: int) -> Reply:
    return Reply(body=article_body(title, generated_paragraphs(seed)))


def _trap(server: LoopbackServer, path: str) -> Reply:
    """An article whose "next page" never ends, on a page of 300 links that lead nowhere."""
    number = int(path.rsplit("=", 1)[1]) if "?page=" in path else 1
    links = "".join(f"<a href='/trap/x/{i}'>tautan {i}</a> " for i in range(300))
    body = article_body(f"Artikel Jebakan Halaman {number}", generated_paragraphs(100 + number))
    body = body.replace(
        "</head>", f"<link rel='next' href='/trap/artikel-jebakan?page={number + 1}'></head>"
    )
    return Reply(body=body.replace("</body>", f"<div>{links}</div></body>"))


def _once_then(first: Reply, then: Reply):
    state = {"n": 0}

    def route(server, path):
        state["n"] += 1
        return first if state["n"] == 1 else then

    return route


def _main_site() -> LoopbackServer:
    server = LoopbackServer()
    serve_fixture_articles(server)
    routes = server.routes
    text = {"Content-Type": "text/plain"}
    xml = {"Content-Type": "application/xml"}
    routes["/robots.txt"] = Reply(
        body=(FIXTURES / "collect" / "robots.txt").read_text(), headers=text
    )
    for name in ("sitemap_index.xml", "sitemap-news.xml", "feed.rss", "feed.atom"):
        body = (FIXTURES / "collect" / name).read_text().replace("{base}", server.base)
        routes["/" + name] = Reply(body=body, headers=xml)
    routes["/private/rahasia"] = _generated("Rahasia", 1)
    routes["/private/boleh"] = _generated("Boleh Dibaca", 2)
    routes["/h/404"] = Reply(404, "<html><body>Tidak ditemukan</body></html>")
    routes["/h/500"] = Reply(500, "<html><body>Galat server</body></html>")
    routes["/h/flaky"] = _once_then(Reply(503, "sibuk"), _generated("Server Pulih", 3))
    routes["/h/429"] = _once_then(
        Reply(429, "pelan-pelan", headers={"Retry-After": "1"}), _generated("Setelah Menunggu", 4)
    )
    routes["/h/loop-a"] = Reply(302, "", headers={"Location": "/h/loop-b"})
    routes["/h/loop-b"] = Reply(302, "", headers={"Location": server.url("/h/loop-a")})
    routes["/h/moved"] = Reply(301, "", headers={"Location": "/h/moved-2"})
    routes["/h/moved-2"] = Reply(302, "", headers={"Location": "/h/tujuan"})
    routes["/h/tujuan"] = _generated("Tujuan Pengalihan", 5)
    routes["/h/slow"] = Reply(body=article_body("Lambat", generated_paragraphs(6)), delay=3.0)
    routes["/h/trickle"] = Reply(
        body=article_body("Menetes", generated_paragraphs(7)), trickle=0.05
    )
    routes["/h/big"] = Reply(body=b"<html>", declared_length=50_000_000)
    routes["/h/big-chunked"] = Reply(body=b"<p>besar</p>" * 100_000, chunked=True)
    routes["/h/bomb"] = Reply(
        body=gzipped(b"\0" * 20_000_000),
        headers={"Content-Type": "text/html", "Content-Encoding": "gzip"},
    )
    routes["/h/pdf"] = Reply(
        body=b"%PDF-1.4 bukan html", headers={"Content-Type": "application/pdf"}
    )
    routes["/h/cp1252"] = Reply(
        body=fixture_page(server, "republika_bandung.html").encode("cp1252"),
        headers={"Content-Type": "text/html; charset=windows-1252"},
    )
    latin = article_body("Kafé di Düsseldorf", generated_paragraphs(8) + ["Kafé itu ramai sekali."])
    routes["/h/latin1"] = Reply(
        body=latin.replace("charset='utf-8'", "charset='iso-8859-1'").encode("latin-1"),
        headers={"Content-Type": "text/html"},
    )
    routes["/h/gzip"] = Reply(
        body=gzipped(fixture_page(server, "detik_bekasi.html").encode()),
        headers={"Content-Type": "text/html", "Content-Encoding": "gzip"},
    )
    routes["/h/kosong"] = Reply(
        body="<html><body><nav><a href='/'>Beranda</a></nav>"
        "<div class='iklan'>Iklan</div></body></html>"
    )
    routes["/h/bukan-sitemap.xml"] = Reply(body="<html><p>bukan</p>", headers=xml)
    routes["/trap/artikel-jebakan"] = _trap
    return server


@pytest.fixture(scope="module")
def site():
    main = _main_site()
    limited = LoopbackServer(
        {
            "/r/1": Reply(429, "", headers={"Retry-After": "3600"}),
            "/r/2": _generated("Dua", 9),
            "/r/3": _generated("Tiga", 10),
        }
    )
    broken = LoopbackServer({"/robots.txt": Reply(503, "sibuk"), "/a": _generated("A", 11)})
    yield main, limited, broken
    for server in (main, limited, broken):
        server.close()


def _sources(
    tmp: Path, main: LoopbackServer, limited: LoopbackServer, broken: LoopbackServer
) -> list[str]:
    for name in ("mediacloud.csv", "gdelt.tsv"):
        (tmp / name).write_text(
            (FIXTURES / "collect" / name).read_text().replace("{base}", main.base)
        )
    hostile = [
        "/h/404",
        "/h/500",
        "/h/flaky",
        "/h/429",
        "/h/loop-a",
        "/h/moved",
        "/h/slow",
        "/h/trickle",
        "/h/big",
        "/h/big-chunked",
        "/h/bomb",
        "/h/pdf",
        "/h/cp1252",
        "/h/latin1",
        "/h/gzip",
        "/h/kosong",
        "/h/bukan-sitemap.xml",
        "/trap/artikel-jebakan",
        "/sitemap_index.xml",
        "/feed.rss",
        "/feed.atom",
    ]
    lines = [
        "# hostile and listing URLs",
        *[main.url(p) for p in hostile],
        limited.url("/r/1"),
        limited.url("/r/2"),
        limited.url("/r/3"),
        broken.url("/a"),
        main.url(EXPECTED["detik_bekasi"]["paths"][0]),  # also in the Media Cloud export
        *[main.url(a["paths"][0]) for a in EXPECTED.values() if a.get("held_out")],
        "bukan url sama sekali",
    ]
    (tmp / "urls.txt").write_text("\n".join(lines) + "\n")
    return [str(tmp / "urls.txt"), str(tmp / "mediacloud.csv"), str(tmp / "gdelt.tsv")]


def _options(out: Path, **overrides) -> CollectOptions:
    values = dict(
        out_dir=out,
        contact=CONTACT,
        min_delay=0.0,
        timeout=0.6,
        retries=1,
        retry_backoff=0.05,
        max_bytes=500_000,
        max_pages_per_article=TRAP_PAGES,
        query=QUERY,
        dates=DateRange(dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
    )
    values.update(overrides)
    return CollectOptions(**values)


def _run(sources: list[str], options: CollectOptions, lexicon_dir: Path) -> dict:
    columns = load_lexicons(lexicon_dir).input_columns
    return collect([read_source(s, columns=columns, dates=options.dates) for s in sources], options)


@pytest.fixture(scope="module")
def run(site, tmp_path_factory, lexicon_dir):
    main, limited, broken = site
    tmp = tmp_path_factory.mktemp("collect")
    sources = _sources(tmp, main, limited, broken)
    summary = _run(sources, _options(tmp / "out"), lexicon_dir)
    with open(tmp / "out" / "manifest.csv", newline="", encoding="utf-8") as handle:
        rows = {row["url"]: row for row in csv.DictReader(handle)}
    with gzip.open(
        tmp / "out" / "articles" / "articles.jsonl.gz", "rt", encoding="utf-8"
    ) as handle:
        articles = {a["url"]: a for a in map(json.loads, handle)}
    return {
        "tmp": tmp,
        "out": tmp / "out",
        "sources": sources,
        "summary": summary,
        "rows": rows,
        "articles": articles,
        "log": list(main.paths()),
    }


def _row(run, server, path):
    return run["rows"][server.url(path)]


def test_every_url_ends_as_an_article_or_a_row_with_a_reason(run):
    rows, articles = run["rows"], run["articles"]
    with open(run["out"] / "manifest.csv", encoding="utf-8") as handle:
        assert sum(1 for _ in handle) == len(rows) + 1  # one row per URL after the header
    for url, row in rows.items():
        if row["kind"] == "robots":
            continue
        if row["outcome"] != "fetched":
            assert row["reason"], url
        elif row["kind"] == "article":
            assert bool(row["article_id"]) != (row["reason"] == "extraction_failed"), url
            if row["article_id"]:
                assert articles[url]["id"] == row["article_id"]
    assert {a["id"] for a in articles.values()} == {r["article_id"] for r in rows.values()} - {""}
    assert len(articles) == 19  # 11 fixture articles, 7 hostile pages that are articles, the trap
    counts = run["summary"]["counts"]
    assert counts["articles"] == len(articles)
    assert sum(counts["by_outcome"].values()) == counts["urls"] == len(rows) - 3  # 3 robots rows
    assert "connection_error" not in counts["by_reason"]


@pytest.mark.parametrize(
    ("path", "outcome", "reason", "status"),
    [
        ("/h/404", "failed", "http_error", "404"),
        ("/h/500", "failed", "http_error", "500"),
        ("/h/flaky", "fetched", "", "200"),
        ("/h/429", "fetched", "", "200"),
        ("/h/loop-a", "failed", "redirect_loop", "302"),
        ("/h/moved", "fetched", "", "200"),
        ("/h/slow", "failed", "timeout", ""),
        ("/h/trickle", "failed", "timeout", "200"),
        ("/h/big", "failed", "too_large", "200"),
        ("/h/big-chunked", "failed", "too_large", "200"),
        ("/h/bomb", "failed", "too_large", "200"),
        ("/h/pdf", "failed", "wrong_content_type", "200"),
        ("/h/cp1252", "fetched", "", "200"),
        ("/h/latin1", "fetched", "", "200"),
        ("/h/gzip", "fetched", "", "200"),
        ("/h/kosong", "fetched", "extraction_failed", "200"),
        ("/h/bukan-sitemap.xml", "failed", "unparseable_listing", "200"),
        ("/private/rahasia", "skipped", "robots_disallowed", ""),
        ("/private/boleh", "fetched", "", "200"),
        ("/berita/tanpa-tanggal", "failed", "http_error", "404"),
    ],
)
def test_hostile_answers_are_settled_with_their_reason(site, run, path, outcome, reason, status):
    row = _row(run, site[0], path)
    assert (row["outcome"], row["reason"], row["status"]) == (outcome, reason, status)
    assert row["detail"] or not reason


def test_retries_redirects_and_details(site, run):
    main = site[0]
    assert _row(run, main, "/h/500")["attempts"] == "2"
    assert _row(run, main, "/h/flaky")["attempts"] == "2"
    moved = _row(run, main, "/h/moved")
    assert (moved["final_url"], moved["redirects"]) == (main.url("/h/tujuan"), "2")
    assert run["articles"][main.url("/h/moved")]["final_url"] == main.url("/h/tujuan")
    assert "/h/loop-a -> " in _row(run, main, "/h/loop-a")["detail"]
    assert run["log"].count("/h/loop-a") == 1 and run["log"].count("/h/loop-b") == 1
    assert "50,000,000" in _row(run, main, "/h/big")["detail"]
    assert "decompressed" in _row(run, main, "/h/bomb")["detail"]


def test_retry_after_is_obeyed(site, run):
    times = [e.time for e in site[0].log if e.path == "/h/429"]
    assert len(times) == 2 and times[1] - times[0] >= 1.0


def test_a_host_asking_for_a_long_wait_is_left_alone(site, run):
    limited = site[1]
    assert limited.paths() == ["/robots.txt", "/r/1"]
    for path in ("/r/1", "/r/2", "/r/3"):
        row = run["rows"][limited.url(path)]
        assert (row["outcome"], row["reason"]) == ("failed", "rate_limited")
        assert "3600 s" in row["detail"]


def test_robots_rules_are_obeyed_and_never_bypassed(site, run):
    main, _, broken = site
    assert "/private/rahasia" not in main.paths()
    assert "/private/boleh" in main.paths()  # Allow beats the shorter Disallow
    assert main.paths().count("/robots.txt") == 1
    assert main.paths()[0] == "/robots.txt"
    # robots.txt answering 503: retried, then nothing is fetched from that host (RFC 9309)
    assert broken.paths() == ["/robots.txt", "/robots.txt"]
    row = run["rows"][broken.url("/a")]
    assert (row["outcome"], row["reason"]) == ("skipped", "robots_unavailable")


def test_a_link_trap_is_bounded(run):
    trap = [p for p in run["log"] if p.startswith("/trap/")]
    assert trap == ["/trap/artikel-jebakan"] + [
        f"/trap/artikel-jebakan?page={n}" for n in range(2, TRAP_PAGES + 1)
    ]
    capped = [r for r in run["rows"].values() if r["reason"] == "max_pages_per_article"]
    assert [r["page"] for r in capped] == [str(TRAP_PAGES + 1)]
    article = next(a for a in run["articles"].values() if "jebakan" in a["url"])
    assert article["pages"] == TRAP_PAGES


def test_listings_date_range_and_no_loop(run):
    log = run["log"]
    assert log.count("/sitemap_index.xml") == 1  # it lists itself
    assert "/sitemap-lama.xml" not in log  # lastmod before --since
    assert not [p for p in log if p.startswith("/arsip/")]  # dated outside the range
    assert run["summary"]["this_run"]["listed_outside_date_range"] == 4


def test_multi_page_articles_are_joined(site, run):
    main = site[0]
    for name in ("kompas_depok", "tribun_bandung"):
        article = run["articles"][main.url(EXPECTED[name]["paths"][0])]
        assert article["pages"] == len(EXPECTED[name]["pages"])
        assert word_f1(article["text"], "\n\n".join(EXPECTED[name]["text"])) >= 0.95
        assert (article["title"], article["date"]) == (
            EXPECTED[name]["title"],
            EXPECTED[name]["date"],
        )
    # page 2 was listed by the GDELT export: a page of its article, not an article of its own
    page2 = run["rows"][main.url(EXPECTED["tribun_bandung"]["paths"][1])]
    assert (page2["kind"], page2["page"]) == ("page", "2")
    assert main.url(EXPECTED["tribun_bandung"]["paths"][1]) not in run["articles"]


def test_every_fixture_article_is_extracted_with_title_and_date(site, run):
    main = site[0]
    for name, expected in EXPECTED.items():
        article = run["articles"][main.url(expected["paths"][0])]
        assert word_f1(article["text"], "\n\n".join(expected["text"])) >= 0.95, name
        assert (article["title"], article["date"]) == (expected["title"], expected["date"]), name


def test_charsets_and_content_encoding(site, run):
    main = site[0]
    republika = run["articles"][main.url("/h/cp1252")]["text"]
    assert "Jürgen Köhler" in republika and "“Kami punya sistem" in republika and "–" in republika
    assert "Kafé itu ramai sekali." in run["articles"][main.url("/h/latin1")]["text"]
    detik = run["articles"][main.url(EXPECTED["detik_bekasi"]["paths"][0])]
    assert run["articles"][main.url("/h/gzip")]["text"] == detik["text"]


def test_listed_metadata_is_kept(site, run):
    detik = run["articles"][site[0].url(EXPECTED["detik_bekasi"]["paths"][0])]
    assert detik["source"].startswith("urls.txt:")  # listed first there, then in the export
    tempo = run["rows"][site[0].url(EXPECTED["tempo_bogor"]["paths"][0])]
    assert (tempo["listed_date"], tempo["source"]) == (
        "2025-01-27",
        site[0].url("/sitemap-news.xml"),
    )


def test_requests_name_the_project_and_the_contact(site, run):
    for entry in site[0].log:
        assert entry.headers["User-Agent"].startswith("coopnews-collect/0.1 (")
        assert CONTACT in entry.headers["User-Agent"]
        assert entry.headers["From"] == CONTACT


def test_relevance_marks_articles_without_deleting_any(site, run):
    main = site[0]
    marks = {
        name: run["articles"][main.url(e["paths"][0])]["relevant"] for name, e in EXPECTED.items()
    }
    assert marks["detik_bekasi"] is True  # "kerja sama" + Bekasi
    assert marks["kompas_depok"] is True  # "kerja sama" + Depok
    assert marks["cnn_kualalumpur"] is True  # "kerja sama" + "kota kembar"
    assert marks["tempo_bogor"] is False  # no "kerja sama" in the text
    assert run["summary"]["counts"]["relevant"] == sum(
        a["relevant"] for a in run["articles"].values()
    )
    assert all(r["relevant"] in ("true", "false") for r in run["rows"].values() if r["article_id"])


def test_warc_records_match_the_manifest(run):
    from warcio.archiveiterator import ArchiveIterator

    warc_dir = run["out"] / "warc"
    referenced = [r for r in run["rows"].values() if r["warc_file"]]
    for row in referenced:
        stored = read_response(
            warc_dir,
            WarcRef(
                row["warc_file"],
                int(row["warc_offset"]),
                int(row["warc_length"]),
                row["warc_record_id"],
            ),
        )
        assert hashlib.sha256(stored.body).hexdigest() == row["sha256"]
        assert stored.url == row["final_url"] and str(stored.status) == row["status"]
    types = []
    for path in sorted(warc_dir.glob("*.warc.gz")):
        with open(path, "rb") as handle:
            types += [record.rec_type for record in ArchiveIterator(handle)]
    assert types[0] == "warcinfo"
    assert types.count("request") == types.count("response") >= len(referenced)
    truncated = _row_record(run, "/h/trickle")
    assert truncated.rec_headers.get_header("WARC-Truncated") == "time"


def _row_record(run, path):
    from warcio.archiveiterator import ArchiveIterator

    row = next(r for u, r in run["rows"].items() if u.endswith(path))
    with open(run["out"] / "warc" / row["warc_file"], "rb") as handle:
        handle.seek(int(row["warc_offset"]))
        record = next(iter(ArchiveIterator(handle)))
        record.content_stream().read()
        return record


def test_reextract_rebuilds_the_same_bytes_offline(site, run, tmp_path):
    copy = tmp_path / "out"
    shutil.copytree(run["out"], copy)
    requests_before = len(site[0].log)
    reextract(copy, query=QUERY)
    assert (copy / "articles" / "articles.jsonl.gz").read_bytes() == (
        run["out"] / "articles" / "articles.jsonl.gz"
    ).read_bytes()
    assert (copy / "manifest.csv").read_bytes() == (run["out"] / "manifest.csv").read_bytes()
    reextract(copy, query="Braunschweig")
    with gzip.open(copy / "articles" / "articles.jsonl.gz", "rt") as handle:
        marked = {a["url"]: a["relevant"] for a in map(json.loads, handle)}
    assert {u for u, r in marked.items() if r} == {
        site[0].url(EXPECTED["republika_bandung"]["paths"][0]),
        site[0].url("/h/cp1252"),
    }
    assert len(site[0].log) == requests_before


def test_a_second_run_fetches_only_what_failed(site, run, tmp_path, lexicon_dir):
    main, limited, broken = site
    copy = tmp_path / "out"
    shutil.copytree(run["out"], copy)
    before = {s: len(s.log) for s in site}
    _run(run["sources"], _options(copy), lexicon_dir)
    again = [e.path for e in main.log[before[main] :]]
    failed = {
        u.removeprefix(main.base)
        for u, r in run["rows"].items()
        if r["outcome"] == "failed" and u.startswith(main.base)
    }
    assert set(again) == failed | {"/h/loop-b"}  # the loop's second hop is asked again too
    assert "/robots.txt" not in again  # reused from the archive (within robots_max_age)
    assert not [
        p
        for p in again
        if p
        in {u.removeprefix(main.base) for u, r in run["rows"].items() if r["outcome"] == "fetched"}
    ]
    assert [e.path for e in limited.log[before[limited] :]] == ["/r/1"]
    assert len(list((copy / "warc").glob("*.warc.gz"))) == 2


def test_ingest_reads_the_collected_corpus_unchanged(site, run, tmp_path, lexicon_dir):
    result = run_ingest(
        run["out"] / "articles",
        documents_path=tmp_path / "d.parquet",
        rejects_path=tmp_path / "r.csv",
        lexicon_dir=lexicon_dir,
    )
    docs = result.documents
    main = site[0]
    by_url = docs.set_index("url")
    for expected in EXPECTED.values():
        doc = by_url.loc[main.url(expected["paths"][0])]
        assert doc["title"] == expected["title"]
        assert str(doc["date"].date()) == expected["date"]
        assert doc["doc_id"].startswith("articles.jsonl.gz#")
    assert len(docs) + len(result.rejects) == len(run["articles"])
    copies = docs.set_index("doc_id")["duplicate_of"].dropna()
    assert len(copies) >= 2  # the gzip and cp1252 copies of two fixture pages
