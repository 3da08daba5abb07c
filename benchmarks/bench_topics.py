"""Benchmark the topics stage on the clickid corpus: the cooperation-relevant subset and a 20k sample.

Inputs are built once by the real upstream stages (ingest → preprocess → classify) from a
symbolic link to the corpus (never a copy) into ``benchmarks/out/topics/inputs`` (git-ignored)
and reused on later runs. Each topic-model run then happens in a fresh child process so its
peak resident memory (``ru_maxrss``) and the one-off numba compilation are its own. Prints a
Markdown block to paste into benchmarks/RESULTS.md.

Usage (from the project root):
    PYTHONPATH=src python benchmarks/bench_topics.py [--runs relevant sample] [--n-jobs 2]
        [--sample-size 20000] [--corpus PATH] [--out DIR] [--numeric pinned native]
        [--n-seeds 5] [--write-reference data/reference/clickid_stems.parquet] [--prepare-only]

Coherence is measured against every clickid paragraph (``topics.reference_stems`` = the
inputs' paragraphs.parquet, whose ``stems`` column the preprocess stage wrote).
``--write-reference PATH`` also writes that column alone to PATH, the file params.yaml's
``topics.reference_stems`` names for the bundled corpus (then ``dvc repro -f topics``).

``--inputs-of DIR [DIR ...] [--fit-on relevant]`` measures the input step alone on the processed
files of existing project copies (``DIR/data/processed``, e.g. made by
``benchmarks/profile_stages.py prepare`` and ``pipeline``): ``load_inputs`` + ``select_paragraphs``
(every paragraph's text and stems read) against ``inputs.read_inputs`` (Arrow batches), each in
a fresh process: wall and CPU seconds, the process's peak RSS (VmHWM) and its RSS after the
imports, and whether both give the same fitted frame, rest and selection record.

``--numeric`` runs each case in the pipeline's pinned numeric environment (the default, as
``dvc repro`` runs it: analysis.core.runtime) and/or with the host's native CPU code paths, to
measure what the pinning costs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
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
LEXICONS = PROJECT_ROOT / "data" / "lexicons"
SEED = 20250811


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _prepare_inputs(corpus: Path, folder: Path, n_jobs: int) -> dict[str, Path]:
    """documents/paragraphs/classified parquet for clickid, built once by the real stages."""
    from stage_helpers import run_classify, run_ingest, run_preprocess

    paths = {name: folder / f"{name}.parquet" for name in ("documents", "paragraphs", "classified")}
    if all(p.is_file() for p in paths.values()):
        return paths
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench_topics_") as tmp:
        raw_dir = Path(tmp) / "raw"
        raw_dir.mkdir()
        (raw_dir / corpus.name).symlink_to(corpus.resolve())
        start = time.perf_counter()
        run_ingest(
            raw_dir,
            documents_path=paths["documents"],
            rejects_path=folder / "rejects.csv",
            lexicon_dir=LEXICONS,
            n_jobs=n_jobs,
        )
        print(f"ingest {time.perf_counter() - start:.0f} s", file=sys.stderr)
    start = time.perf_counter()
    run_preprocess(
        paths["documents"], paragraphs_path=paths["paragraphs"], lexicon_dir=LEXICONS, n_jobs=n_jobs
    )
    print(f"preprocess {time.perf_counter() - start:.0f} s", file=sys.stderr)
    start = time.perf_counter()
    run_classify(
        paths["documents"],
        paths["paragraphs"],
        classified_path=paths["classified"],
        lexicon_dir=LEXICONS,
        n_jobs=n_jobs,
    )
    print(f"classify {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return paths


def _child(run: str, inputs: Path, out: Path, sample_size: int, cache: Path, n_seeds: int) -> None:
    """One run_topics call; prints a JSON line with timings, memory and the key metrics."""
    from stage_helpers import run_topics

    baseline = _peak_rss_mb()
    start = time.perf_counter()
    result = run_topics(
        inputs / "paragraphs.parquet",
        inputs / "classified.parquet",
        inputs / "documents.parquet",
        topics_path=out / "topics.parquet",
        tables_dir=out / "tables",
        metrics_path=out / "topics.json",
        fit_on=run,
        sample_size=sample_size,
        seed=SEED,
        cache_dir=cache,  # empty on the first run: the embedding is timed too
        n_seeds=n_seeds,
        reference_stems=str((inputs / "paragraphs.parquet").resolve()),
    )
    wall = time.perf_counter() - start
    m = result.metrics
    top = result.topic_info[result.topic_info["topic"] != -1].nlargest(8, "size")
    print(
        json.dumps(
            {
                "run": run,
                "wall_s": round(wall, 1),
                "peak_rss_mb": round(_peak_rss_mb()),
                "rss_before_mb": round(baseline),
                "timings": result.timings,
                "metrics": {
                    k: m[k]
                    for k in (
                        "n_paragraphs_input",
                        "n_paragraphs_relevant",
                        "fit_on_used",
                        "fallback",
                        "n_paragraphs_fitted",
                        "n_paragraphs_assigned",
                        "n_paragraphs_without_content",
                        "n_topics",
                        "clustering",
                        "embedding_dimensions",
                        "outlier_share_before_reduction",
                        "outlier_share_after_reduction",
                        "outlier_share_assigned_before_reduction",
                        "outlier_share_assigned_after_reduction",
                        "coherence_npmi",
                        "topic_diversity",
                    )
                },
                "baselines": {
                    k: {
                        "coherence_npmi": v["coherence_npmi"],
                        "topic_diversity": v["topic_diversity"],
                    }
                    for k, v in m["baselines"].items()
                },
                "largest_topics": [
                    f"{r.topic} ({r.size}): {' '.join(r.top_words.split()[:6])}"
                    for r in top.itertuples()
                ],
                "ensemble": {
                    k: m["ensemble"][k]
                    for k in (
                        "n_seeds",
                        "seeds",
                        "published_seed",
                        "n_topics_per_seed",
                        "ari_mean",
                        "ari_min",
                        "ari_max",
                        "word_overlap_mean",
                        "published_mean_ari",
                        "n_topics_stable",
                        "n_topics_unstable",
                    )
                },
                "topic_stability": m["topic_stability"],
                "coherence": {
                    model: m["coherence"][model]
                    for model in ("bertopic", "lda", "nmf")
                    if model in m["coherence"]
                },
                "coherence_verdict": m["coherence_verdict"],
                "unstable_topics": [
                    f"{r.topic} ({r.size}, recurrence {r.recurrence:.2f}): {r.label}"
                    for r in result.topic_info.itertuples()
                    if r.topic != -1 and not r.stable
                ],
            }
        )
    )


def _report(rows: list[dict], args: argparse.Namespace, same: dict[str, bool]) -> None:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=PROJECT_ROOT
    ).stdout.strip()
    print(f"### {time.strftime('%Y-%m-%d')}, commit {commit}")
    print()
    print(
        f"- machine: {platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores; load average at the end "
        + ", ".join(f"{x:.1f}" for x in os.getloadavg())
    )
    print(
        f"- command: `PYTHONPATH=src python benchmarks/bench_topics.py --runs {' '.join(args.runs)} "
        f"--sample-size {args.sample_size} --numeric {' '.join(args.numeric)} --n-seeds {args.n_seeds}"
        f"{' --repeat' if args.repeat else ''}`"
    )
    for run, identical in same.items():
        print(
            f"- {run}: second run (embeddings from the cache) gives "
            f"{'byte-identical' if identical else 'DIFFERENT'} topics.parquet, tables and topics.json"
        )
    print()
    print(
        "| run | paragraphs fitted | assigned | topics | wall s | fit s | assign s | peak RSS MB "
        "| outliers before → after | NPMI BERTopic | NPMI LDA | NPMI NMF | diversity B/L/N |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|")
    for row in rows:
        m, b, t = row["metrics"], row["baselines"], row["timings"]
        npmi = {
            k: (f"{v['coherence_npmi']:.3f}" if v["coherence_npmi"] is not None else "–")
            for k, v in b.items()
        }
        div = "/".join(
            f"{x:.2f}"
            for x in (
                m["topic_diversity"],
                b["lda"]["topic_diversity"],
                b["nmf"]["topic_diversity"],
            )
        )
        print(
            f"| {row['run']} | {m['n_paragraphs_fitted']:,} | {m['n_paragraphs_assigned']:,} "
            f"| {m['n_topics']} | {row['wall_s']} | {t.get('fit', 0):.1f} | {t.get('assign_rest', 0):.1f} "
            f"| {row['peak_rss_mb']:,} | {m['outlier_share_before_reduction']:.3f} → "
            f"{m['outlier_share_after_reduction']:.3f} | {m['coherence_npmi']:.3f} "
            f"| {npmi.get('lda', '–')} | {npmi.get('nmf', '–')} | {div} |"
        )
    print()
    for row in rows:
        m = row["metrics"]
        c = m["clustering"]
        print(
            f"- **{row['run']}**: {m['n_paragraphs_input']:,} paragraphs, "
            f"{m['n_paragraphs_relevant']:,} cooperation-relevant; fit_on_used={m['fit_on_used']}"
            f"{' (' + m['fallback'] + ')' if m['fallback'] else ''}; {c['algorithm']} "
            f"n_neighbors={c['n_neighbors']} min_cluster_size={c['min_cluster_size']} "
            f"min_samples={c['min_samples']}; SVD dims {m['embedding_dimensions']}; "
            f"assigned outliers {m['outlier_share_assigned_before_reduction']} → "
            f"{m['outlier_share_assigned_after_reduction']}"
        )
        print(f"  - seconds per step: {json.dumps(row['timings'])}")
        print(f"  - largest topics: {'; '.join(row['largest_topics'])}")
        e = row["ensemble"]
        print(
            f"  - ensemble: {e['n_seeds']} seeds {e['seeds']}, topics per seed "
            f"{e['n_topics_per_seed']}, mean pairwise ARI {e['ari_mean']:.3f} "
            f"({e['ari_min']:.3f}–{e['ari_max']:.3f}), matched top-word overlap "
            f"{e['word_overlap_mean']:.3f}; published seed {e['published_seed']} (mean ARI "
            f"{e['published_mean_ari']:.3f}); stable {e['n_topics_stable']}, unstable "
            f"{e['n_topics_unstable']}: {'; '.join(row['unstable_topics']) or '–'}"
        )
        print(f"  - coherence verdict: {json.dumps(row['coherence_verdict'])}")
    print()
    print("| run | model | reference | npmi_document | c_npmi | c_npmi_paragraph | c_v |")
    print("|---|---|---|---:|---:|---:|---:|")
    for row in rows:
        for model, refs in row["coherence"].items():
            for ref, values in refs.items():
                cells = " | ".join(
                    "–" if values[k] is None else f"{values[k]:.3f}"
                    for k in ("npmi_document", "c_npmi", "c_npmi_paragraph", "c_v")
                )
                print(f"| {row['run']} | {model} | {ref} | {cells} |")


def _inputs_child(reader: str, project: Path, fit_on: str, sample_size: int) -> None:
    """One input reader in this process; prints a JSON line (the frames go to a pickle)."""
    import pandas as pd

    from analysis.topics.inputs import read_inputs
    from analysis.topics.model import select_paragraphs
    from analysis.topics.tables import load_inputs

    processed = project / "data" / "processed"
    files = [processed / f"{n}.parquet" for n in ("paragraphs", "classified", "documents")]
    imported = _vm("VmRSS")
    start, cpu = time.perf_counter(), time.process_time()
    if reader == "load_inputs":
        fit, rest, info = select_paragraphs(load_inputs(*files), fit_on, sample_size, SEED)
    else:
        fit, rest_batches, info = read_inputs(*files, fit_on, sample_size, SEED)
        rest = rest_batches.frame
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    columns = ["para_id", "doc_id", "para_index", "coop_type", "month"]
    pd.to_pickle((fit, rest[columns], info), project / f".bench_inputs_{reader}.pkl")
    print(
        json.dumps(
            {
                "reader": reader,
                "wall_s": round(wall, 2),
                "cpu_s": round(cpu, 2),
                "rss_after_imports_mb": round(imported),
                "peak_rss_mb": round(_vm("VmHWM")),
                "n_fit": len(fit),
                "n_rest": len(rest),
                "load": os.getloadavg()[0],
            }
        )
    )


def _vm(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _inputs_bench(projects: list[Path], fit_on: str, sample_size: int) -> None:
    import pandas as pd

    print(
        "| project | reader | wall s | CPU s | RSS after imports MB | peak RSS MB | fit rows "
        "| rest rows | load | same result |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for project in projects:
        rows = []
        for reader in ("load_inputs", "read_inputs"):
            done = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--inputs-child",
                    reader,
                    "--inputs-of",
                    str(project),
                    "--fit-on",
                    fit_on,
                    "--sample-size",
                    str(sample_size),
                ],
                check=True,
                capture_output=True,
                text=True,
            )
            rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        loaded = [pd.read_pickle(project / f".bench_inputs_{r['reader']}.pkl") for r in rows]
        same = (
            loaded[0][0].equals(loaded[1][0])
            and loaded[0][1].equals(loaded[1][1])
            and loaded[0][2] == loaded[1][2]
        )
        for r in rows:
            print(
                f"| {project.name} | {r['reader']} | {r['wall_s']} | {r['cpu_s']} | "
                f"{r['rss_after_imports_mb']} | {r['peak_rss_mb']} | {r['n_fit']} | "
                f"{r['n_rest']} | {r['load']:.1f} | {same} |"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", type=Path, default=Path(os.environ.get("CLICKID_PATH", DEFAULT_CORPUS))
    )
    parser.add_argument(
        "--runs",
        nargs="+",
        default=["relevant", "sample"],
        choices=["relevant", "sample", "all", "online"],
    )
    parser.add_argument("--sample-size", type=int, default=20000)
    parser.add_argument("--n-jobs", type=int, default=2, help="workers for building the inputs")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "benchmarks" / "out" / "topics")
    parser.add_argument(
        "--repeat",
        action="store_true",
        help="run each case twice (the second from the embedding cache) and "
        "compare the output files byte for byte",
    )
    parser.add_argument(
        "--numeric",
        nargs="+",
        default=["pinned"],
        choices=["pinned", "native"],
        help="numeric environment of each run (see analysis.core.runtime)",
    )
    parser.add_argument("--n-seeds", type=int, default=5, help="topics.n_seeds of each run")
    parser.add_argument(
        "--write-reference",
        type=Path,
        default=None,
        help="also write the clickid paragraphs' stems column here",
    )
    parser.add_argument(
        "--prepare-only",
        action="store_true",
        help="build the inputs (and --write-reference) without timing any run",
    )
    parser.add_argument("--inputs-of", type=Path, nargs="+", default=None)
    parser.add_argument("--fit-on", default="relevant", choices=["relevant", "sample", "all"])
    parser.add_argument("--inputs-child", help=argparse.SUPPRESS)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(PROJECT_ROOT / "src"))
    sys.path.insert(0, str(PROJECT_ROOT / "tests"))  # stage_helpers: a stage entry on given files
    inputs = args.out / "inputs"

    if args.inputs_child:
        _inputs_child(args.inputs_child, args.inputs_of[0], args.fit_on, args.sample_size)
        return 0
    if args.inputs_of:
        _inputs_bench(args.inputs_of, args.fit_on, args.sample_size)
        return 0
    if args.child:
        _child(
            args.child,
            inputs,
            args.out / args.child_dir,
            args.sample_size,
            args.out / "embeddings" / args.child,
            args.n_seeds,
        )
        return 0
    if not args.corpus.is_file():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    _prepare_inputs(args.corpus, inputs, args.n_jobs)
    if args.write_reference:
        import pyarrow.parquet as pq

        args.write_reference.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(
            pq.read_table(inputs / "paragraphs.parquet", columns=["stems"]),
            args.write_reference,
            compression="zstd",
        )
        print(f"reference stems written to {args.write_reference}", file=sys.stderr)
    if args.prepare_only:
        return 0

    from analysis.core import runtime

    native = {
        k: v
        for k, v in os.environ.items()
        if k not in runtime.PINNED and k not in ("GLIBC_TUNABLES", "COOPNEWS_PINNED")
    }
    environments = {"pinned": runtime.pinned_environment(native), "native": native}
    rows, same = [], {}
    for run in args.runs:  # one at a time: the machine has 2 shared cores
        for numeric in args.numeric:
            shutil.rmtree(args.out / "embeddings" / run, ignore_errors=True)
            label = run if args.numeric == ["pinned"] else f"{run} ({numeric})"
            for attempt in ["first", "second"] if args.repeat else ["first"]:
                child = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--child",
                        run,
                        "--child-dir",
                        f"{run}-{numeric}-{attempt}",
                        "--out",
                        str(args.out),
                        "--sample-size",
                        str(args.sample_size),
                        "--n-seeds",
                        str(args.n_seeds),
                    ],
                    capture_output=True,
                    text=True,
                    cwd=PROJECT_ROOT,
                    env={
                        **environments[numeric],
                        "PYTHONPATH": os.pathsep.join(
                            [str(PROJECT_ROOT / "src"), str(PROJECT_ROOT / "tests")]
                        ),
                    },
                )
                if child.returncode != 0:
                    print(child.stderr, file=sys.stderr)
                    return child.returncode
                row = json.loads(child.stdout.strip().splitlines()[-1])
                row["run"] = label
                print(f"{label} ({attempt}): {row['wall_s']} s", file=sys.stderr)
                if attempt == "first":
                    rows.append(row)
            if args.repeat:
                first = args.out / f"{run}-{numeric}-first"
                second = args.out / f"{run}-{numeric}-second"
                files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
                same[label] = all(
                    (first / f).read_bytes() == (second / f).read_bytes() for f in files
                )
    _report(rows, args, same)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
