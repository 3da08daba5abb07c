"""Time ingest, preprocess and classify of two source trees, alternating, and compare their outputs.

For a before/after comparison on a shared machine: each stage function runs in a fresh child
process (so peak RSS and CPU are its own), the trees take turns (A B, then B A, ...) so load
changes hit both, and the outputs of every round are compared with the first tree's: byte for
byte, and as Arrow tables (schema metadata ignored) when the bytes differ.

The corpus is never copied: the raw folder holds a symbolic link to it. Outputs go to --out
(default benchmarks/out/ab, git-ignored).

Usage (from the project root; B is e.g. `git archive <commit> | tar -x -C /tmp/before`):
    PYTHONPATH=src python benchmarks/bench_parallel_stages.py --tree new=. --tree old=/tmp/before \
        [--rounds 2] [--n-jobs 2] [--backend local|dask] [--corpus PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_CORPUS = Path("shared") / "corpora" / "clickid" / "articles.jsonl.gz"
DEFAULT_CORPUS = next(
    (p / _CORPUS for p in ROOT.parents if (p / _CORPUS).is_file()), ROOT.parent / _CORPUS
)
OUTPUTS = ("documents.parquet", "rejects.csv", "paragraphs.parquet", "classified.parquet")

# Runs in the child: one stage of one tree, prints a JSON line with its measurements.
_CHILD = r"""
import json, os, resource, sys, time
from pathlib import Path
tree, stage, raw, out, n_jobs, backend = sys.argv[1:7]
sys.path.insert(0, str(Path(tree) / "src"))
sys.path.insert(0, str(Path(tree) / "tests"))  # stage_helpers: a stage entry on given files
lex = str(Path(tree) / "data" / "lexicons")
out = Path(out)
compute = {"n_jobs": int(n_jobs)}
if backend != "local":
    compute["backend"] = backend

def main():
    start, cpu = time.perf_counter(), time.process_time()
    if stage == "ingest":
        from stage_helpers import run_ingest
        run_ingest(raw, documents_path=out / "documents.parquet", rejects_path=out / "rejects.csv",
                   lexicon_dir=lex, **compute)
    elif stage == "preprocess":
        from stage_helpers import run_preprocess
        result = run_preprocess(out / "documents.parquet", paragraphs_path=out / "paragraphs.parquet",
                                lexicon_dir=lex, **compute)
        (out / "preprocess.json").write_text(json.dumps(result.metrics(), sort_keys=True))
    else:
        from stage_helpers import run_classify
        run_classify(out / "documents.parquet", out / "paragraphs.parquet",
                     classified_path=out / "classified.parquet", lexicon_dir=lex, **compute)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({
        "wall_s": round(time.perf_counter() - start, 2),
        "main_cpu_s": round(time.process_time() - cpu, 2),
        "workers_cpu_s": round(children.ru_utime + children.ru_stime, 2),
        "main_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "worker_rss_mb": children.ru_maxrss // 1024,
    }))

if __name__ == "__main__":
    main()
"""


def _tables_equal(a: Path, b: Path) -> bool:
    import pyarrow.parquet as pq

    left = pq.read_table(a).replace_schema_metadata(None)
    right = pq.read_table(b).replace_schema_metadata(None)
    return left.equals(right)


def _compare(reference: Path, other: Path) -> dict[str, str]:
    verdict = {}
    for name in OUTPUTS:
        a, b = reference / name, other / name
        if a.read_bytes() == b.read_bytes():
            verdict[name] = "same bytes"
        elif name.endswith(".parquet") and _tables_equal(a, b):
            verdict[name] = "same table, other bytes"
        else:
            verdict[name] = "DIFFERENT"
    metrics_a = json.loads((reference / "preprocess.json").read_text())
    metrics_b = json.loads((other / "preprocess.json").read_text())
    verdict["preprocess metrics"] = "same" if metrics_a == metrics_b else "DIFFERENT"
    return verdict


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tree",
        action="append",
        required=True,
        metavar="NAME=PATH",
        help="a source tree with src/ and data/lexicons/; the first is the reference",
    )
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument(
        "--backend", default="local", help="passed to trees that know it (omitted for local)"
    )
    parser.add_argument(
        "--corpus", type=Path, default=Path(os.environ.get("CLICKID_PATH", DEFAULT_CORPUS))
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "ab")
    args = parser.parse_args()
    trees = dict(item.split("=", 1) for item in args.tree)
    names = list(trees)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_ab_") as tmp:
        raw = Path(tmp) / "raw"
        raw.mkdir()
        (raw / args.corpus.name).symlink_to(args.corpus.resolve())
        child = Path(tmp) / "child.py"
        child.write_text(_CHILD, encoding="utf-8")
        for round_no in range(args.rounds):
            order = names if round_no % 2 == 0 else names[::-1]
            for name in order:
                out = args.out / f"{name}-{round_no}"
                out.mkdir(parents=True, exist_ok=True)
                for stage in ("ingest", "preprocess", "classify"):
                    load = os.getloadavg()[0]
                    proc = subprocess.run(
                        [
                            sys.executable,
                            str(child),
                            str(Path(trees[name]).resolve()),
                            stage,
                            str(raw),
                            str(out),
                            str(args.n_jobs),
                            args.backend,
                        ],
                        capture_output=True,
                        text=True,
                        env={**os.environ, "TQDM_DISABLE": "1", "PYTHONHASHSEED": "0"},
                    )
                    if proc.returncode != 0:
                        print(proc.stderr[-3000:], file=sys.stderr)
                        return 1
                    row = {
                        "tree": name,
                        "round": round_no,
                        "stage": stage,
                        "load_1min": round(load, 1),
                        **json.loads(proc.stdout.strip().splitlines()[-1]),
                    }
                    rows.append(row)
                    print(json.dumps(row), file=sys.stderr, flush=True)
    reference = args.out / f"{names[0]}-0"
    verdicts = {
        f"{name}-{r}": _compare(reference, args.out / f"{name}-{r}")
        for name in names
        for r in range(args.rounds)
        if (name, r) != (names[0], 0)
    }
    (args.out / "ab.json").write_text(json.dumps({"rows": rows, "verdicts": verdicts}, indent=2))
    print(
        "| tree | round | stage | load (1 min) | wall s | CPU main s | CPU workers s | RSS main MB | RSS worker MB |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['tree']} | {r['round']} | {r['stage']} | {r['load_1min']} | {r['wall_s']} | "
            f"{r['main_cpu_s']} | {r['workers_cpu_s']} | {r['main_rss_mb']} | {r['worker_rss_mb']} |"
        )
    print()
    for run, verdict in verdicts.items():
        print(f"- {run} vs {names[0]}-0: " + ", ".join(f"{k}: {v}" for k, v in verdict.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
