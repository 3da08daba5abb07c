"""Time `classify_input` on the whole clickid corpus and append the result to benchmarks/RESULTS.md.

Usage (from the project root):
    PYTHONPATH=src python benchmarks/bench_classify.py [--n-jobs 1] [--corpus PATH]
    PYTHONPATH=src python benchmarks/bench_classify.py --project DIR --part-documents N [--n-jobs 2]

The second form times the classify stage's table writer alone (``analysis.classify.stream.
write_classified``, no notebook, no gold evaluation) on the documents.parquet and
paragraphs.parquet of a project copy (e.g. one made by ``profile_stages.py prepare`` and run up
to preprocess), writing classified.parquet to a temporary folder, with N documents per part; it
prints wall, CPU, the peak RSS of this process and of its largest worker, and the load, and
appends nothing. Comparing N and corpus sizes shows what bounds the stage's memory.

Writes the coded corpus to benchmarks/out/clickid_classified.csv (git-ignored; rejects beside it)
and appends date, machine, load, commit, command, wall and CPU time, peak RSS, the count per
coop_type and the rejects per reason under "## classify". CPU time (this process and its workers)
does not depend on what else the shared machine runs; wall time does.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import sys
import time
from pathlib import Path

from _common import commit_id  # benchmarks/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = Path(
    os.environ.get(
        "CLICKID_PATH", ROOT.parent / "shared" / "corpora" / "clickid" / "articles.jsonl.gz"
    )
)


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux; include worker processes
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def _bench_parts(project: Path, part_documents: int, n_jobs: int) -> int:
    """Time write_classified on a project copy's processed inputs with a given part size."""
    import json
    import tempfile

    sys.path.insert(0, str(ROOT / "src"))
    from analysis.classify import stream
    from analysis.classify.rules import Classifier
    from analysis.core.config import ComputeParams

    processed = project / "data" / "processed"
    classifier = Classifier.from_lexicons(project / "data" / "lexicons")
    load = os.getloadavg()[0]
    cpu_start, start = _cpu_seconds(), time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="classify21_bench_") as tmp:
        summary = stream.write_classified(
            processed / "documents.parquet",
            processed / "paragraphs.parquet",
            Path(tmp) / "classified.parquet",
            classifier,
            ComputeParams(n_jobs=n_jobs),
            window_days=7,
            min_similarity=0.2,
            part_documents=part_documents or stream.PART_DOCUMENTS,
        )
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    record = {
        "project": str(project),
        "documents": summary.n_documents,
        "part_documents": part_documents or stream.PART_DOCUMENTS,
        "n_jobs": n_jobs,
        "wall_s": round(time.perf_counter() - start, 1),
        "cpu_s": round(_cpu_seconds() - cpu_start, 1),
        "peak_rss_mb": round(own),
        "peak_worker_rss_mb": round(worker),
        "load_before": round(load, 1),
        "load_after": round(os.getloadavg()[0], 1),
        "commit": commit_id(),
    }
    print(json.dumps(record))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    parser.add_argument("--project", type=Path, help="time write_classified on this project copy")
    parser.add_argument("--part-documents", type=int, default=0, help="with --project")
    args = parser.parse_args()
    if args.project is not None:
        return _bench_parts(args.project, args.part_documents, args.n_jobs)
    if not args.corpus.is_file():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2

    sys.path.insert(0, str(ROOT / "src"))
    from analysis.classify.files import classify_input
    from analysis.core.config import IngestParams

    out = ROOT / "benchmarks" / "out" / "clickid_classified.csv"
    load = os.getloadavg()[0]
    cpu_start = _cpu_seconds()
    start = time.perf_counter()
    result = classify_input(
        args.corpus,
        out,
        lexicon_dir=ROOT / "data" / "lexicons",
        n_jobs=args.n_jobs,
        min_words=IngestParams().min_words,
    )
    seconds = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu_start
    load_after = os.getloadavg()[0]
    table = result.codings
    counts = table["coop_type"].value_counts()
    reasons = result.rejects["reason"].value_counts().sort_index()
    order = ["agglomeration", "domestic_other", "international", "none"]
    lines = [
        "",
        f"### {dt.date.today().isoformat()} — classify_input on clickid, n_jobs={args.n_jobs}",
        "",
        f"- machine: {platform.machine()}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, 2 cores shared; load average {load:.1f} before "
        f"and {load_after:.1f} after the run (other sessions)",
        f"- commit: {commit_id()}",
        f"- command: `PYTHONPATH=src python benchmarks/bench_classify.py --n-jobs {args.n_jobs} "
        f"--corpus {args.corpus}`",
        f"- input records: {len(table) + len(result.rejects)} = coded {len(table)} + rejected "
        f"{len(result.rejects)} ("
        + (", ".join(f"{r} {n}" for r, n in reasons.items()) or "none")
        + ")",
        f"- wall time: {seconds:.1f} s ({len(table) / seconds:.0f} docs/s); CPU time (all "
        f"processes): {cpu:.1f} s; peak RSS: {_peak_rss_mb():.0f} MB",
        "- documents per coop_type: "
        + ", ".join(f"{label} {int(counts.get(label, 0))}" for label in order),
        "",
    ]
    text = args.results.read_text(encoding="utf-8") if args.results.is_file() else ""
    if "## classify" not in text:
        text += (
            "\n## classify\n\nRule classifier over all 23,020 clickid articles "
            "(`analysis.classify.classify_input`, reading the .jsonl.gz with ingest's "
            "reader).\n"
        )
    # the entry goes at the end of the classify section, before the next "## " heading
    section = text.index("## classify")
    end = text.find("\n## ", section + 1)
    end = len(text) if end < 0 else end
    entry = "\n".join(lines)
    args.results.write_text(text[:end].rstrip("\n") + "\n" + entry + text[end:], encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
