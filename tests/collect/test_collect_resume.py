"""A collection killed in the middle resumes without refetching anything and loses nothing."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from collect_server import LoopbackServer, Reply, article_body, generated_paragraphs

from analysis.collect.manifest import ManifestLog, read_manifest
from analysis.collect.warc import repair

ROOT = Path(__file__).resolve().parents[2]
N_ARTICLES = 8
KILL_AFTER = 3


def _collect(urls: Path, out: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), CI="1")
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "analysis",
            "collect",
            str(urls),
            "-o",
            str(out),
            "--contact",
            "uji@example.org",
            "--min-delay",
            "0.5",
            "--timeout",
            "5",
            "--lexicons",
            str(ROOT / "data" / "lexicons"),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _article_rows(manifest: Path) -> int:
    if not manifest.is_file():
        return 0
    with open(manifest, encoding="utf-8", newline="") as handle:
        lines = handle.read().splitlines()[1:]
    return sum(1 for line in lines if ",article,fetched," in line)


def test_kill_then_resume_fetches_each_url_once(tmp_path):
    routes = {
        "/robots.txt": Reply(
            body="User-agent: *\nDisallow:\n", headers={"Content-Type": "text/plain"}
        )
    }
    for n in range(N_ARTICLES):
        routes[f"/berita/{n}-kerja-sama"] = Reply(
            body=article_body(f"Artikel {n}", generated_paragraphs(n))
        )
    server = LoopbackServer(routes)
    try:
        urls = tmp_path / "urls.txt"
        urls.write_text("\n".join(server.url(f"/berita/{n}-kerja-sama") for n in range(N_ARTICLES)))
        out = tmp_path / "out"
        first = _collect(urls, out)
        deadline = time.monotonic() + 60
        while _article_rows(out / "manifest.csv") < KILL_AFTER and time.monotonic() < deadline:
            time.sleep(0.01)
        first.send_signal(signal.SIGKILL)  # now sleeping out the 0.5 s delay: no request in flight
        first.wait()
        requested = [p for p in server.paths() if p.startswith("/berita/")]
        assert KILL_AFTER <= len(requested) < N_ARTICLES
        rows = read_manifest(out / "manifest.csv")
        assert all(
            server.url(p) in rows and rows[server.url(p)]["outcome"] == "fetched" for p in requested
        )  # everything requested before the kill was kept
        assert not (out / "articles").exists()  # the corpus is written when a run completes

        second = _collect(urls, out)
        stdout, stderr = second.communicate(timeout=120)
        assert second.returncode == 0, stderr
        assert f"{N_ARTICLES} articles" in stderr
        counts = Counter(server.paths())
        assert counts["/robots.txt"] == 1  # reused from the first run's archive
        assert all(counts[f"/berita/{n}-kerja-sama"] == 1 for n in range(N_ARTICLES)), counts
        with open(out / "manifest.csv", encoding="utf-8", newline="") as handle:
            final = list(csv.DictReader(handle))
        assert len(final) == N_ARTICLES + 1 and len({r["url"] for r in final}) == len(final)
        assert sorted(p.name for p in (out / "warc").iterdir()) == [
            "collect-00001.warc.gz",
            "collect-00002.warc.gz",
        ]
    finally:
        server.close()


def test_torn_manifest_line_and_partial_warc_record_are_cut(tmp_path):
    manifest = tmp_path / "manifest.csv"
    log = ManifestLog(manifest)
    log.append(
        {
            "url": "http://a.test/1",
            "kind": "article",
            "outcome": "fetched",
            "warc_file": "collect-00001.warc.gz",
            "warc_offset": 10,
            "warc_length": 90,
        }
    )
    log.close()
    with open(manifest, "a", encoding="utf-8") as handle:
        handle.write("http://a.test/2,article,fetch")  # killed mid-row
    rows = read_manifest(manifest)
    assert list(rows) == ["http://a.test/1"]
    assert manifest.read_text(encoding="utf-8").endswith("\n")
    warc_dir = tmp_path / "warc"
    warc_dir.mkdir()
    (warc_dir / "collect-00001.warc.gz").write_bytes(b"x" * 100 + b"partial record")
    assert repair(warc_dir, {"collect-00001.warc.gz": 100}) == {"collect-00001.warc.gz": 14}
    assert (warc_dir / "collect-00001.warc.gz").stat().st_size == 100


def test_titles_from_the_web_cannot_become_spreadsheet_formulas(tmp_path):
    manifest = tmp_path / "manifest.csv"
    log = ManifestLog(manifest)
    log.append({"url": "http://a.test/1", "listed_title": '=HYPERLINK("x")', "detail": "-1+1"})
    log.close()
    assert "'=HYPERLINK" in manifest.read_text(encoding="utf-8")
    row = read_manifest(manifest)["http://a.test/1"]
    assert (row["listed_title"], row["detail"]) == ('=HYPERLINK("x")', "-1+1")
