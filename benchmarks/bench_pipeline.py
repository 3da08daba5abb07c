"""Time the whole pipeline (`dvc repro`, stage by stage) on the clickid corpus or its first N articles.

The same code path as a researcher's `dvc repro`: the project's git-listed files are copied into
a temporary directory (reports/ and dvc.lock left out, as on a fresh clone), `git init` is run
there, and the copy's params.yaml is pointed at a raw folder that holds one SYMBOLIC LINK to the
input (never a copy of the corpus): the corpus file itself, or for `--size N` a .jsonl.gz of its
first N lines written to /tmp, outside the repository. `classify.clickid_path` is set to the
corpus' absolute path so the classify stage evaluates the gold set exactly as in the project.

Each stage runs as `dvc repro --single-item <stage>` under a poller that sums the resident memory
(RSS) of the whole process tree every 0.2 s (dvc, papermill, the notebook kernel, worker
processes, Dask workers); the peak of that sum is the "tree" peak, an upper bound because pages
shared between forked processes are counted once per process. CPU seconds are the finished
children's user+system time (`RUSAGE_CHILDREN`). After the last stage the script times a no-op
`dvc repro` three times and checks `dvc status`.

Results: one JSON file per run in --out (default benchmarks/out/pipeline/, git-ignored) and a
Markdown block on stdout to paste into benchmarks/RESULTS.md.

Usage (from the project root):
    PYTHONPATH=src /work/main/.venv/bin/python benchmarks/bench_pipeline.py --size 1000 \
        [--size 5000 --size all] [--backend local|dask] [--n-jobs 2] [--stages ingest,preprocess] \
        [--set topics.fit_on=online] [--label NAME] [--keep]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import yaml
from _common import (  # benchmarks/ is on sys.path when run as a script
    commit_id,
    machine_description,
)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from analysis.core.paths import STAGES  # noqa: E402  (every dvc.yaml stage, in pipeline order)

_CORPUS = Path("shared") / "corpora" / "clickid" / "articles.jsonl.gz"
# ../shared beside the project; a git worktree sits one level deeper, so look further up too.
DEFAULT_CORPUS = next(
    (p / _CORPUS for p in ROOT.parents if (p / _CORPUS).is_file()), ROOT.parent / _CORPUS
)
BIN = Path(sys.executable).parent
RAW_DIR = "bench_raw"  # the copy's raw folder: one symlink, nothing else


def _machine() -> str:
    return machine_description()


def _subset(corpus: Path, n: int, tmp: Path) -> Path:
    """The first ``n`` non-blank lines of the corpus as a .jsonl.gz in ``tmp`` (outside the repo)."""
    target = tmp / f"clickid_first{n}.jsonl.gz"
    written = 0
    with (
        gzip.open(corpus, "rt", encoding="utf-8") as src,
        gzip.open(target, "wt", encoding="utf-8", compresslevel=6) as dst,
    ):
        for line in src:
            if not line.strip():
                continue
            dst.write(line)
            written += 1
            if written == n:
                break
    if written < n:
        raise SystemExit(f"{corpus} has only {written} records; asked for {n}")
    return target


def _project_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return [f for f in out if not f.startswith("reports/") and f != "dvc.lock"]


def _make_copy(
    dest: Path,
    raw_input: Path,
    corpus: Path,
    backend: str,
    n_jobs: int,
    scheduler: str,
    overrides: dict[str, str],
) -> None:
    for rel in _project_files():
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    raw = dest / RAW_DIR
    raw.mkdir()
    (raw / raw_input.name).symlink_to(raw_input.resolve())
    params_path = dest / "params.yaml"
    params = yaml.safe_load(params_path.read_text(encoding="utf-8"))
    params["ingest"]["raw_dir"] = RAW_DIR
    params["ingest"]["metadata_file"] = ""
    params["classify"]["clickid_path"] = str(corpus.resolve())
    params["compute"].update(backend=backend, n_jobs=n_jobs, dask_scheduler=scheduler)
    for dotted, value in overrides.items():
        section, key = dotted.split(".", 1)
        params[section][key] = yaml.safe_load(value)
    params_path.write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=dest, check=True)


def _env(copy: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=str(copy / "src"),
        DVC_NO_ANALYTICS="1",
        PYTHONHASHSEED="0",
        MPLBACKEND="Agg",
        TQDM_DISABLE="1",
        HF_HUB_OFFLINE="1",
    )
    return env


class _TreePoller(threading.Thread):
    """Peak of the summed RSS of a process and all its descendants, sampled every ``interval`` s."""

    def __init__(self, pid: int, interval: float = 0.2):
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak_tree = 0
        self.peak_process = 0
        self.peak_processes = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            total = 0
            for proc in procs:
                try:
                    rss = proc.memory_info().rss
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
                total += rss
                self.peak_process = max(self.peak_process, rss)
            self.peak_tree = max(self.peak_tree, total)
            self.peak_processes = max(self.peak_processes, len(procs))
            self.stop.wait(self.interval)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(args: list[str], copy: Path, log: Path) -> dict:
    load_before = os.getloadavg()
    cpu_before = _children_cpu()
    start = time.perf_counter()
    with log.open("ab") as handle:
        handle.write(f"$ {' '.join(args)}\n".encode())
        handle.flush()
        proc = subprocess.Popen(
            args, cwd=copy, env=_env(copy), stdout=handle, stderr=subprocess.STDOUT
        )
        poller = _TreePoller(proc.pid)
        poller.start()
        code = proc.wait()
        poller.stop.set()
        poller.join()
    wall = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"{' '.join(args)} failed with exit code {code}; see {log}")
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(_children_cpu() - cpu_before, 2),
        "peak_tree_rss_mb": round(poller.peak_tree / 2**20),
        "peak_process_rss_mb": round(poller.peak_process / 2**20),
        "max_processes": poller.peak_processes,
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }


def _counts(copy: Path) -> dict:
    metrics = copy / "reports" / "metrics"

    def read(name: str) -> dict:
        path = metrics / f"{name}.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}

    ingest, pre, topics = read("ingest"), read("preprocess"), read("topics")
    return {
        "n_inputs": ingest.get("n_inputs"),
        "n_documents": ingest.get("n_unique_documents"),
        "n_paragraphs": pre.get("n_paragraphs"),
        "n_tokens": pre.get("n_tokens"),
        "n_topics": topics.get("n_topics"),
    }


def run_one(size: str, corpus: Path, args: argparse.Namespace) -> dict:
    # the params check writes the stamp every later stage depends on: always run it first
    stages = [s for s in STAGES if s in args.stages or s == "params"]
    with tempfile.TemporaryDirectory(prefix=f"bench_pipeline_{size}_") as tmp:
        tmp = Path(tmp)
        raw_input = corpus if size == "all" else _subset(corpus, int(size), tmp)
        copy = tmp / "project"
        copy.mkdir()
        _make_copy(
            copy, raw_input, corpus, args.backend, args.n_jobs, args.dask_scheduler, args.set
        )
        tag = f"{size}_{args.label or args.backend}"
        log = args.out / f"pipeline_{tag}.log"
        log.write_text("", encoding="utf-8")
        results: dict = {
            "size": size,
            "backend": args.backend,
            "n_jobs": args.n_jobs,
            "params": args.set,
            "stages": {},
        }
        for stage in stages:
            print(f"[{size}] {stage} ...", file=sys.stderr, flush=True)
            results["stages"][stage] = _timed(["dvc", "repro", "--single-item", stage], copy, log)
            print(f"[{size}] {stage}: {results['stages'][stage]}", file=sys.stderr, flush=True)
        if stages == list(STAGES):
            noop = [_timed(["dvc", "repro"], copy, log)["wall_s"] for _ in range(3)]
            status = subprocess.run(
                ["dvc", "status"], cwd=copy, env=_env(copy), capture_output=True, text=True
            ).stdout.strip()
            results["noop_repro_s"] = noop
            results["dvc_status"] = status
        results["counts"] = _counts(copy)
        if args.keep:
            kept = args.out / f"project_{tag}"
            shutil.rmtree(kept, ignore_errors=True)
            shutil.copytree(copy / "data" / "processed", kept / "data" / "processed", symlinks=True)
            shutil.copytree(copy / "reports", kept / "reports")
    return results


def _markdown(runs: list[dict], header: dict) -> str:
    lines = [
        f"- date: {header['date']}; commit: {header['commit']}",
        f"- machine: {header['machine']}",
        f"- command: `{header['command']}`",
        "",
        "| articles | stage | wall s | CPU s | peak RSS tree MB | peak RSS one process MB "
        "| load before → after (1 min) |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for run in runs:
        total_wall = sum(s["wall_s"] for s in run["stages"].values())
        for stage, s in run["stages"].items():
            lines.append(
                f"| {run['size']} | {stage} | {s['wall_s']:.1f} | {s['cpu_s']:.1f} | "
                f"{s['peak_tree_rss_mb']:,} | {s['peak_process_rss_mb']:,} | "
                f"{s['load_before'][0]:.1f} → {s['load_after'][0]:.1f} |"
            )
        peak = max(s["peak_tree_rss_mb"] for s in run["stages"].values())
        lines.append(f"| {run['size']} | **total** | **{total_wall:.1f}** | | **{peak:,}** | | |")
    lines.append("")
    for run in runs:
        counts = ", ".join(
            f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}" for k, v in run["counts"].items()
        )
        lines.append(f"- {run['size']}: {counts}")
        if "noop_repro_s" in run:
            lines.append(
                f"  - no-op `dvc repro` after the run: "
                f"{', '.join(f'{x:.1f}' for x in run['noop_repro_s'])} s; "
                f"`dvc status`: {run['dvc_status']!r}"
            )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", type=Path, default=Path(os.environ.get("CLICKID_PATH", DEFAULT_CORPUS))
    )
    parser.add_argument(
        "--size",
        action="append",
        default=None,
        help="articles: a number (first N of the corpus) or 'all'; repeatable",
    )
    parser.add_argument("--backend", choices=("local", "dask"), default="local")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--dask-scheduler", default="")
    parser.add_argument(
        "--stages",
        default=",".join(STAGES),
        help="comma-separated stages to run, in pipeline order",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="override a params.yaml value in the copy, e.g. topics.fit_on=online",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "pipeline")
    parser.add_argument(
        "--label", default="", help="name used in the output file names instead of the backend"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep data/processed and reports of each run in --out"
    )
    args = parser.parse_args()
    args.stages = [s.strip() for s in args.stages.split(",") if s.strip()]
    try:
        args.set = dict(item.split("=", 1) for item in args.set)
    except ValueError:
        parser.error("--set takes SECTION.KEY=VALUE")
    unknown = sorted(set(args.stages) - set(STAGES))
    if unknown:
        parser.error(f"unknown stage(s) {unknown}; choose from {', '.join(STAGES)}")
    if not args.corpus.is_file():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    header = {
        "date": dt.date.today().isoformat(),
        "commit": commit_id(),
        "machine": _machine(),
        "command": "PYTHONPATH=src python benchmarks/bench_pipeline.py " + " ".join(sys.argv[1:]),
    }
    runs = []
    for size in args.size or ["1000"]:
        run = run_one(size, args.corpus, args)
        runs.append(run)
        stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
        path = args.out / f"pipeline_{size}_{args.label or args.backend}_{stamp}.json"
        path.write_text(json.dumps({**header, **run}, indent=2) + "\n", encoding="utf-8")
    print(_markdown(runs, header))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
