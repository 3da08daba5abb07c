"""Measure HTML extraction and the collector on the loopback server; print a Markdown block.

Parts (``--only`` picks some; all by default, run one after the other):

1. ``extract`` — every hand-written fixture article (tests/fixtures/html, pages joined) through
   three extractors: this project's (``analysis.text.html.extract_pages``), trafilatura alone
   (``bare_extraction``, comments off, pages joined) and the old rule-based reader alone
   (``html_article``, pages joined). Word-level F1 against the known text (bags of case-folded
   ``\\w+`` words), title and date exact-match accuracy. Pages marked ``held_out`` were written
   after the rules were fixed.
2. ``crawl`` — one run over the tests' hostile loopback site (tests/test_collect_crawl.py): URLs,
   outcomes and reasons, and the server log check that robots-disallowed paths were never asked.
3. ``delay`` — two loopback hosts, 4 pages each, the default ``--min-delay`` of 1 s on one and a
   robots.txt ``Crawl-delay: 1.5`` on the other: the smallest gap between requests per host, as
   logged by the server.
4. ``resume`` — ``python -m analysis collect`` on 12 pages (min-delay 0.3 s) killed with SIGKILL
   after 5 articles, then run again: requests per URL over both runs.
5. ``throughput`` — N generated pages (default 300, about 3 KB each) with politeness off
   (``--min-delay 0``): pages per second for fetching (first to last request in the server log;
   each response is written to the WARC and the manifest and fsynced) and for the whole run
   (fetch + extraction + writing the corpus).

Usage (from the project root):

    PYTHONPATH=src:tests /work/main/.venv/bin/python benchmarks/bench_collect.py

Nothing leaves the machine: every server binds 127.0.0.1. Temporary output goes to a folder
under /tmp that is removed at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests"), str(ROOT / "benchmarks")]

from _common import commit_id  # noqa: E402
from collect_server import (  # noqa: E402
    EXPECTED,
    HTML,
    LoopbackServer,
    Reply,
    article_body,
    generated_paragraphs,
)

PARTS = ("extract", "crawl", "delay", "resume", "throughput")


def _extract() -> list[str]:
    from trafilatura import bare_extraction

    from analysis.text.html import extract_pages, html_article, word_f1

    rows, ours, alone, old, titles, dates = [], [], [], [], 0, 0
    for name, article in EXPECTED.items():
        pages = [(HTML / p).read_text(encoding="utf-8") for p in article["pages"]]
        reference = "\n\n".join(article["text"])
        text, fields = extract_pages(pages)
        bare = [bare_extraction(p, include_comments=False, with_metadata=True) for p in pages]
        plain = "\n".join(d.text for d in bare if d is not None and d.text)
        legacy = "\n\n".join(html_article(p)[0] for p in pages)
        scores = (word_f1(text, reference), word_f1(plain, reference), word_f1(legacy, reference))
        ours.append(scores[0])
        alone.append(scores[1])
        old.append(scores[2])
        title_ok = fields["title"] == article["title"]
        date_ok = fields["date"] == article["date"]
        titles += title_ok
        dates += date_ok
        rows.append(
            f"| {name}{' (held out)' if article.get('held_out') else ''} | {len(pages)} | "
            f"{scores[0]:.3f} | {scores[1]:.3f} | {scores[2]:.3f} | "
            f"{'yes' if title_ok else 'NO'} | {'yes' if date_ok else 'NO'} | "
            f"{fields['extractor']} |"
        )
    held = [s for s, a in zip(ours, EXPECTED.values()) if a.get("held_out")]
    n = len(EXPECTED)
    return [
        "| article | pages | F1 this extractor | F1 trafilatura alone | F1 old reader alone | "
        "title | date | used |",
        "|---|---:|---:|---:|---:|---|---|---|",
        *rows,
        f"| **mean** ({n} articles) | | **{statistics.mean(ours):.3f}** | "
        f"{statistics.mean(alone):.3f} | {statistics.mean(old):.3f} | {titles}/{n} | {dates}/{n} | |",
        "",
        f"- title accuracy {titles / n:.0%}, date accuracy {dates / n:.0%}; held-out pages: mean "
        f"F1 {statistics.mean(held):.3f} with the current rules"
        if held
        else "",
    ]


def _crawl(tmp: Path) -> list[str]:
    import csv

    import test_collect_crawl as t

    main = t._main_site()
    limited = LoopbackServer({"/r/1": Reply(429, "", headers={"Retry-After": "3600"})})
    broken = LoopbackServer({"/robots.txt": Reply(503, "")})
    try:
        sources = t._sources(tmp, main, limited, broken)
        start = time.monotonic()
        summary = t._run(sources, t._options(tmp / "crawl"), ROOT / "data" / "lexicons")
        elapsed = time.monotonic() - start
        counts = summary["counts"]
        disallowed = [p for p in main.paths() if p.startswith("/private/rahasia")]
        with open(tmp / "crawl" / "manifest.csv", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        settled = all(
            r["kind"] == "robots" or r["outcome"] == "fetched" or r["reason"] for r in rows
        )
    finally:
        for server in (main, limited, broken):
            server.close()
    reasons = ", ".join(f"{k} {v}" for k, v in counts["by_reason"].items())
    return [
        f"- {counts['urls']} URLs listed (URL list, Media Cloud CSV, GDELT TSV, sitemap index, news "
        f"sitemap, RSS, Atom): {counts['by_outcome']}; {counts['articles']} articles; "
        f"{elapsed:.1f} s (timeouts of 0.6 s and a Retry-After of 1 s included)",
        f"- reasons: {reasons}",
        f"- every URL is an article or a manifest row with a reason: {'yes' if settled else 'NO'}; "
        f"requests for the robots-disallowed path in the server log: {len(disallowed)}",
    ]


def _delay(tmp: Path) -> list[str]:
    from analysis.collect.options import CollectOptions
    from analysis.collect.run import collect
    from analysis.collect.sources import Listed, Listing

    sites = {}
    for name, robots in (
        ("min-delay 1 s", "User-agent: *\nDisallow:\n"),
        ("Crawl-delay 1.5 s", "User-agent: *\nCrawl-delay: 1.5\n"),
    ):
        routes = {"/robots.txt": Reply(body=robots, headers={"Content-Type": "text/plain"})}
        for n in range(4):
            routes[f"/berita/{n}"] = Reply(body=article_body(f"A {n}", generated_paragraphs(n)))
        sites[name] = LoopbackServer(routes)
    try:
        entries = [
            Listed(s.url(f"/berita/{n}"), "article", "bench")
            for n in range(4)
            for s in sites.values()
        ]
        start = time.monotonic()
        collect(
            [Listing(entries=entries)],
            CollectOptions(out_dir=tmp / "delay", contact="bench@example.org"),
        )
        elapsed = time.monotonic() - start
        lines = []
        for name, server in sites.items():
            times = server.times()
            gaps = [b - a for a, b in zip(times, times[1:])]
            lines.append(
                f"- {name}: {len(times)} requests, smallest gap {min(gaps):.3f} s, "
                f"largest {max(gaps):.3f} s"
            )
        lines.append(
            f"- both hosts together: {elapsed:.1f} s for 10 requests (the hosts interleave)"
        )
        return lines
    finally:
        for server in sites.values():
            server.close()


def _resume(tmp: Path) -> list[str]:
    routes = {
        "/robots.txt": Reply(
            body="User-agent: *\nDisallow:\n", headers={"Content-Type": "text/plain"}
        )
    }
    for n in range(12):
        routes[f"/berita/{n}-x"] = Reply(body=article_body(f"A {n}", generated_paragraphs(n)))
    server = LoopbackServer(routes)
    urls = tmp / "resume-urls.txt"
    urls.write_text("\n".join(server.url(f"/berita/{n}-x") for n in range(12)))
    out = tmp / "resume"
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), CI="1")
    command = [
        sys.executable,
        "-m",
        "analysis",
        "collect",
        str(urls),
        "-o",
        str(out),
        "--contact",
        "bench@example.org",
        "--min-delay",
        "0.3",
    ]
    try:
        first = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
        while sum(p.startswith("/berita/") for p in server.paths()) < 5:
            time.sleep(0.01)
        time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait()
        before = len([p for p in server.paths() if p.startswith("/berita/")])
        second = subprocess.run(command, env=env, capture_output=True, text=True)
        counts = Counter(server.paths())
    finally:
        server.close()
    twice = [p for p, c in counts.items() if c > 1]
    return [
        f"- killed after {before} of 12 pages; the rerun exited {second.returncode} and "
        f"fetched {sum(counts.values()) - before - 1} more; URLs requested twice over both "
        f"runs: {len(twice)} ({', '.join(twice) or 'none'}); robots.txt requests: "
        f"{counts['/robots.txt']}"
    ]


def _throughput(tmp: Path, n: int) -> list[str]:
    from analysis.collect.options import CollectOptions
    from analysis.collect.run import collect, reextract
    from analysis.collect.sources import Listed, Listing

    routes = {
        f"/berita/{i}-artikel": Reply(body=article_body(f"Artikel {i}", generated_paragraphs(i)))
        for i in range(n)
    }
    routes["/robots.txt"] = Reply(404, "")
    server = LoopbackServer(routes)
    try:
        entries = [Listed(server.url(f"/berita/{i}-artikel"), "article", "bench") for i in range(n)]
        start = time.monotonic()
        summary = collect(
            [Listing(entries=entries)],
            CollectOptions(out_dir=tmp / "fast", contact="bench@example.org", min_delay=0.0),
        )
        total = time.monotonic() - start
        times = [e.time for e in server.log if e.path.startswith("/berita/")]
        fetch = times[-1] - times[0]
        start = time.monotonic()
        reextract(tmp / "fast", query=None)
        extraction = time.monotonic() - start
    finally:
        server.close()
    return [
        f"- {n} pages, politeness off: fetching {(n - 1) / fetch:.0f} pages/s (first to last "
        f"request; WARC and manifest fsynced per page); whole run {n / total:.1f} pages/s "
        f"({total:.1f} s, {summary['counts']['articles']} articles); extraction alone "
        f"(`--reextract`) {n / extraction:.1f} pages/s"
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS))
    parser.add_argument("--pages", type=int, default=300, help="pages for the throughput run")
    args = parser.parse_args()
    lines = [
        f"### {dt.date.today().isoformat()}, commit {commit_id()}",
        "",
        f"- machine: {platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}",
        "- command: `PYTHONPATH=src:tests python benchmarks/bench_collect.py`",
        "",
    ]
    with tempfile.TemporaryDirectory(prefix="bench-collect-") as folder:
        tmp = Path(folder)
        for part in args.only:
            lines.append(f"**{part}**")
            lines.append("")
            if part == "extract":
                lines += _extract()
            elif part == "crawl":
                lines += _crawl(tmp)
            elif part == "delay":
                lines += _delay(tmp)
            elif part == "resume":
                lines += _resume(tmp)
            else:
                lines += _throughput(tmp, args.pages)
            lines.append("")
    print("\n".join(line for line in lines if line is not None))
    print(json.dumps({"done": True}), file=sys.stderr)


if __name__ == "__main__":
    main()
