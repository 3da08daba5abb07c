"""Build the explorer page for a corpus's stage outputs and measure it: time, memory, weight, browser.

Reads the outputs of one pipeline run (e.g. a project kept by
`benchmarks/bench_pipeline.py --size all --keep`), writes the page outside the repository, and
prints a Markdown block for benchmarks/RESULTS.md: build wall time and peak RSS (the process
tree of `python -m analysis explore`, sampled every 0.05 s), page weight split into data and
code, gzip size, the data's largest parts, and, when Chromium is installed, the time to load and
draw the page and to answer a first search over all articles (headless, network off).

Usage (from the project root):
    PYTHONPATH=src /work/main/.venv/bin/python benchmarks/bench_explore.py \
        --project /tmp/bench/project_all_local [--seed 20250811] [--none-sample 200]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from _common import commit_id  # benchmarks/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parents[1]


def _build(project: Path, out: Path, seed: int, none_sample: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    cmd = [
        sys.executable,
        "-m",
        "analysis",
        "explore",
        "--processed-dir",
        str(project / "data" / "processed"),
        "--topics-dir",
        str(project / "reports" / "tables" / "topics"),
        "--labels",
        str(ROOT / "data" / "lexicons" / "labels_figures.csv"),
        "--seed",
        str(seed),
        "--none-sample",
        str(none_sample),
        "-o",
        str(out),
    ]
    start, cpu_before = time.perf_counter(), _children_cpu()
    process = subprocess.Popen(cmd, env=env, stderr=subprocess.DEVNULL)
    root, peak = psutil.Process(process.pid), 0
    while process.poll() is None:
        try:
            peak = max(
                peak, sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])
            )
        except psutil.NoSuchProcess:
            pass
        time.sleep(0.05)
    if process.returncode:
        raise SystemExit(f"explore failed ({process.returncode}): {' '.join(cmd)}")
    return {
        "wall_s": round(time.perf_counter() - start, 2),
        "cpu_s": round(_children_cpu() - cpu_before, 2),
        "peak_rss_mb": peak // 2**20,
    }


def _children_cpu() -> float:
    """User + system seconds of the finished child processes (robust to a busy machine)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _weights(page: Path) -> dict:
    html = page.read_text(encoding="utf-8")
    match = re.search(
        r'<script type="application/json" id="explorer-data">(.*?)</script>', html, flags=re.S
    )
    data = json.loads(match.group(1))

    def size(value) -> int:
        return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())

    evidence = data["evidence"]
    return {
        "page_bytes": len(html.encode()),
        "data_bytes": len(match.group(1).encode()),
        "gzip_bytes": len(gzip.compress(html.encode(), compresslevel=6, mtime=0)),
        "articles": len(data["articles"]["id"]),
        "topics": len(data["topics"]),
        "with_text": sum(1 for e in evidence if e["text"]),
        "notes_only": sum(1 for e in evidence if not e["text"]),
        "parts_bytes": {
            "article table": size(data["articles"]),
            "evidence with text": sum(size(e) for e in evidence if e["text"]),
            "notes without text": sum(size(e) for e in evidence if not e["text"]),
            "topics and time": size(data["topics"]) + size(data["time"]),
        },
    }


def _browser(page: Path) -> dict | None:
    sys.path.insert(0, str(ROOT / "tests"))
    from browser import Chromium, find_chromium

    if find_chromium() is None:
        return None
    with Chromium() as chromium:
        tab = chromium.new_page(1280, 900)
        start = time.perf_counter()
        tab.goto(page.resolve().as_uri())
        tab.wait_for("document.querySelectorAll('#article-rows tr').length")
        load_s = time.perf_counter() - start
        tab.evaluate(
            "(() => { const s = document.getElementById('f-kind'); s.value = '';"
            " s.dispatchEvent(new Event('change')); })()"
        )
        before = tab.evaluate("performance.now()")
        tab.type("#f-search", "banjir")
        tab.wait_for(
            "document.getElementById('result-count').textContent.includes('filtered')"
            " || document.getElementById('result-count').textContent.startsWith('No ')"
        )
        search_ms = tab.evaluate("performance.now()") - before
        return {
            "load_and_draw_s": round(load_s, 2),
            "first_search_ms": round(search_ms),
            "errors": tab.console_errors(),
            "requests": tab.requests(),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--project",
        type=Path,
        required=True,
        help="folder with data/processed/ and reports/tables/topics/",
    )
    parser.add_argument("--seed", type=int, default=20250811)
    parser.add_argument("--none-sample", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_explore_") as tmp:
        page = Path(tmp) / "index.html"
        build = _build(args.project, page, args.seed, args.none_sample)
        weights = _weights(page)
        browser = _browser(page)
    kb = lambda n: f"{n / 1e3:,.0f} KB" if n < 1e6 else f"{n / 1e6:.2f} MB"  # noqa: E731
    print(
        f"- commit {commit_id()}; project {args.project}; seed {args.seed}; "
        f"none sample {args.none_sample}"
    )
    print(
        f"- build: {build['wall_s']} s wall, {build['cpu_s']} s CPU, peak RSS "
        f"{build['peak_rss_mb']} MB; load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"- page {kb(weights['page_bytes'])} (data {kb(weights['data_bytes'])}, "
        f"code and styles {kb(weights['page_bytes'] - weights['data_bytes'])}), "
        f"gzip {kb(weights['gzip_bytes'])}"
    )
    print(
        f"- {weights['articles']:,} articles listed, {weights['with_text']:,} with text, "
        f"{weights['notes_only']:,} with cue notes only; {weights['topics']} topics"
    )
    print("- data parts: " + "; ".join(f"{k} {kb(v)}" for k, v in weights["parts_bytes"].items()))
    if browser:
        print(
            f"- headless Chromium: load and draw {browser['load_and_draw_s']} s, first search "
            f"over all articles {browser['first_search_ms']} ms (120 ms of it the input "
            f"debounce); console errors {len(browser['errors'])}, requests "
            f"{len(browser['requests'])}"
        )


if __name__ == "__main__":
    main()
