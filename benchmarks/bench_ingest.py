"""Benchmark the ingest stage on the clickid corpus (23,020 articles) through run_ingest.

The corpus is never copied: a temporary raw dir holds a symbolic link to it (``--corpus`` may
also be a folder of ``part-*.jsonl.gz`` shards written by ``synth_corpus.py``: each is linked). Prints wall time,
peak resident memory (this process and, for n_jobs > 1, the largest worker) and the counts per
status and reject reason, as a Markdown block to paste into benchmarks/RESULTS.md.

Usage (from the project root):
    PYTHONPATH=src python benchmarks/bench_ingest.py --n-jobs 2 [--corpus PATH] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
_CORPUS = Path("shared") / "corpora" / "clickid" / "articles.jsonl.gz"
# ../shared beside the project; a git worktree sits one level deeper, so look further up too.
DEFAULT_CORPUS = next(
    (p / _CORPUS for p in PROJECT_ROOT.parents if (p / _CORPUS).is_file()),
    PROJECT_ROOT.parent / _CORPUS,
)


def _peak_rss_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", type=Path, default=Path(os.environ.get("CLICKID_PATH", DEFAULT_CORPUS))
    )
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "benchmarks" / "out")
    args = parser.parse_args()
    shards = sorted(args.corpus.glob("*.jsonl.gz")) if args.corpus.is_dir() else [args.corpus]
    if not shards or not all(p.is_file() for p in shards):
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2

    sys.path.insert(0, str(PROJECT_ROOT / "src"))
    sys.path.insert(0, str(PROJECT_ROOT / "tests"))  # stage_helpers: a stage entry on given files
    from stage_helpers import run_ingest

    with tempfile.TemporaryDirectory(prefix="bench_ingest_") as tmp:
        raw_dir = Path(tmp) / "raw"
        raw_dir.mkdir()
        for shard in shards:
            (raw_dir / shard.name).symlink_to(shard.resolve())
        start = time.perf_counter()
        cpu_start = time.process_time()
        result = run_ingest(
            raw_dir,
            documents_path=args.out / "documents.parquet",
            rejects_path=args.out / "rejects.csv",
            lexicon_dir=PROJECT_ROOT / "data" / "lexicons",
            n_jobs=args.n_jobs,
        )
        wall = time.perf_counter() - start
        cpu = time.process_time() - cpu_start
        children_cpu = sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2])
    own, children = _peak_rss_mb()
    metrics = result.metrics()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=PROJECT_ROOT
    ).stdout.strip()
    print(f"- date: {time.strftime('%Y-%m-%d')}; commit: {commit}")
    print(
        f"- machine: {platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores"
    )
    print(f"- command: `PYTHONPATH=src python benchmarks/bench_ingest.py --n-jobs {args.n_jobs}`")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"- wall time: {wall:.1f} s; CPU: main {cpu:.1f} s, workers {children_cpu:.1f} s; "
        f"peak RSS: main {own:.0f} MB, largest worker {children:.0f} MB; "
        f"load average at the end {load} (the 2 cores are shared with other jobs)"
    )
    print(
        f"- inputs {metrics['n_inputs']}, documents {metrics['n_documents']} "
        f"(unique {metrics['n_unique_documents']}, duplicates {metrics['n_duplicates']}), "
        f"rejects {metrics['n_rejects']}"
    )
    print("- rejects by reason: " + json.dumps(metrics["rejects_by_reason"]))
    print("- documents by outlet: " + json.dumps(metrics["documents_by_outlet"]))
    print(
        f"- dates: {metrics['date_min']} .. {metrics['date_max']}; words {metrics['n_words_total']:,}"
    )
    print()
    print(
        result.summary_table().to_markdown(index=False)
        if _has_tabulate()
        else result.summary_table().to_string(index=False)
    )
    return 0


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    raise SystemExit(main())
