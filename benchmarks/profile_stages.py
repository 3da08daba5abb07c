"""Where the time and the memory of each pipeline stage go: profiles, peak RSS, start-up costs.

Subcommands (run from the project root with the project environment active and
``PYTHONPATH=src``; every child process runs in the pinned numeric environment of
``analysis.core.runtime``, as the stages do):

``prepare --corpus PATH --project DIR``
    A copy of the project's git-listed files in DIR (no reports/, no dvc.lock, ``git init``),
    whose ``ingest.raw_dir`` is a folder of SYMBOLIC LINKS to the input: the clickid file, or
    every ``part-*.jsonl.gz`` shard of a folder written by ``benchmarks/synth_corpus.py``.
    ``classify.clickid_path`` points at the real clickid corpus (the gold-set evaluation), and
    ``ingest.metadata_file`` is empty. Without ``--corpus`` the copy keeps the bundled five
    articles (data/raw) and its own params.

``pipeline --project DIR [--stages ...] [--n-jobs 2] [--force]``
    ``dvc repro [-f] --single-item STAGE`` for each stage (params first), with the summed RSS of
    the process tree sampled every 0.2 s (as ``bench_pipeline.py``): wall, CPU, peak tree RSS,
    largest single process, load average before and after.

``profile --project DIR [--stages ...] [--n-jobs 1]``
    Each stage's work in a fresh pinned process under cProfile: the code cells of the stage's
    notebook are executed in order in that process (the parameters cell replaced by the values
    ``dvc repro`` would pass, ``n_jobs`` overridden: 1 by default, so the per-article work of
    ingest, preprocess and classify is in the profile rather than in worker processes); render
    and brief call the stage runner. No Papermill, no kernel: those are measured by
    ``startup``. Writes ``<stage>.prof`` and, per stage, the top functions by cumulative and
    by self time with their share of the stage, and a *memory by step* table: chosen
    functions of the stage are wrapped to record the process RSS at entry and exit and its
    peak while they run (a sampler thread, every 10 ms), which shows what grows with the
    corpus. The stage's outputs are rewritten in the copy (the same bytes).

``imports [--project DIR]``
    ``python -X importtime`` of what each process of a stage imports: the ``src/stage.py``
    process (runner, config, Papermill), the kernel (ipykernel's start-up) and the code cells
    of the stage's notebook; the slowest packages per stage.

``startup --project DIR``
    On a copy holding the bundled five articles: ``dvc repro -f`` (whole), then each stage
    with ``dvc repro -f --single-item``, then each stage's command ``python3 src/stage.py``
    without DVC, then the parts of one notebook stage measured one by one (interpreter start
    and the pinned re-execution, imports, params validation, kernel start, each notebook
    cell as Papermill records it, notebook cleaning; the notebook runs as the stages run it: in
    the stage's process, or in Papermill's kernel with ``COOPNEWS_NOTEBOOK_KERNEL=subprocess``).

Results are JSON files and a Markdown summary in ``--out`` (default benchmarks/out/profile/,
git-ignored). Timings on a shared machine are noisy: every record carries the 1-minute load
average.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import functools
import importlib
import json
import os
import pstats
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from _common import commit_id, run_timed  # noqa: E402
from bench_pipeline import DEFAULT_CORPUS as CLICKID  # noqa: E402
from bench_pipeline import _children_cpu, _machine, _project_files, _TreePoller  # noqa: E402

from analysis.core.paths import NOTEBOOKS, STAGES  # noqa: E402  (bench_pipeline put src on the path)

RAW_DIR = "bench_raw"
NUMBA_CACHE = Path(".cache") / "numba"  # the stages' compiled-code cache (analysis.core.runtime)
BIN = Path(sys.executable).parent

# Functions wrapped for the memory-by-step table (dotted path; Class.method for methods). They
# are looked up at run time; a name that no longer exists (the package is being reorganised) is
# reported and skipped.
STEPS = {
    "ingest": [
        "analysis.stages.ingest.run",
        "analysis.text.documents.ingest_documents",
        "analysis.text.documents._documents_frame",
        "analysis.text.documents._rejects_frame",
        "analysis.stages.ingest.write_parquet",
        "analysis.stages.ingest.write_csv",
        "analysis.text.documents.IngestResult.metrics",
        "analysis.text.documents.IngestResult.summary_table",
    ],
    "preprocess": [
        "analysis.stages.preprocess.run",
        "analysis.text.paragraphs.paragraph_batches",
        "analysis.text.paragraphs.PreprocessResult.head",
    ],
    "classify": [
        "analysis.stages.classify.run",
        "analysis.classify.table.read_classify_inputs",
        "analysis.classify.table.classified_frame",
        "analysis.classify.evaluate.evaluate_gold",
    ],
    "topics": [
        # wrapped before the stage module binds them by name (it imports them at import)
        "analysis.topics.inputs.read_inputs",
        "analysis.topics.model.fit_selected",
        "analysis.stages.topics.run",
        "analysis.stages.topics.write_row_groups",
        "analysis.topics.tables.load_inputs",
        "analysis.topics.model.select_paragraphs",
        "analysis.topics.embeddings.embed_paragraphs",
        "analysis.topics.model._fit",
        "analysis.topics.model._fit_online",
        "analysis.topics.model._reduce_outliers",
        "analysis.topics.quality.npmi_coherence",
    ],
    "compare": [
        "analysis.stages.compare.run",
        "analysis.core.io.read_stage_parquet",
        "analysis.compare.tables.document_frame",
        "analysis.compare.tables.paragraph_frame",
        "analysis.compare.tables.coverage_table",
        "analysis.compare.tables.coverage_monthly",
        "analysis.compare.tables.coverage_by_outlet",
        "analysis.compare.tables.sector_shares",
        "analysis.compare.tables.topic_prevalence",
        "analysis.compare.tables.partner_edges",
        "analysis.compare.tables.partner_counts",
        "analysis.compare.tables.compare_tables",
        "analysis.compare.scan.compare_parquet",
        "analysis.compare.scan._read_documents",
        "analysis.compare.scan._document_codings",
        "analysis.compare.scan._read_topics",
        "analysis.compare.scan._scan_paragraphs",
        "analysis.compare.scan._coverage",
        "analysis.compare.tables.finish_compare",
    ],
    "explore": [
        "analysis.stages.explore.run",
        "analysis.core.io.read_stage_parquet",
        "analysis.report.explore._needed_codings",
        "analysis.report.explore._needed_paragraphs",
        "analysis.report.explore.build_explorer_data",
        "analysis.report.explore.explorer_html",
    ],
    "render": ["analysis.report.render.render_site"],
    "brief": ["analysis.report.brief.build_briefs"],
}


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def _pinned_env(project: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    from analysis.core.runtime import pinned_environment

    env = pinned_environment(dict(os.environ))
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=str(project / "src"),
        DVC_NO_ANALYTICS="1",
        MPLBACKEND="Agg",
        TQDM_DISABLE="1",
        HF_HUB_OFFLINE="1",
    )
    env.update(extra or {})
    return env


def _plain_env(project: Path) -> dict[str, str]:
    """The environment a researcher's shell has (not pinned: src/stage.py pins itself)."""
    env = dict(os.environ)
    for key in ("COOPNEWS_PINNED",):
        env.pop(key, None)
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=str(project / "src"),
        DVC_NO_ANALYTICS="1",
        PYTHONHASHSEED="0",
        MPLBACKEND="Agg",
        TQDM_DISABLE="1",
        HF_HUB_OFFLINE="1",
    )
    return env


def _write(out: Path, name: str, data) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / name
    path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def _header() -> dict:
    return {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "commit": commit_id(),
        "machine": _machine(),
    }


# --------------------------------------------------------------------------------------------
# prepare
# --------------------------------------------------------------------------------------------


def prepare(
    project: Path, corpus: Path | None, clickid: Path = CLICKID, numba_cache: str = "cold"
) -> None:
    """A project copy reading ``corpus``; ``numba_cache``: ``warm`` copies this checkout's
    compiled-code cache (``.cache/numba``, written by its first ``dvc repro``), as a researcher
    who ran the bundled corpus first has it; ``cold`` starts without (every stage that uses
    UMAP or pynndescent compiles them first, about a minute in topics)."""
    if project.exists():
        raise SystemExit(f"{project} exists; give a new folder")
    project.mkdir(parents=True)
    for rel in _project_files():
        src = ROOT / rel
        if src.is_file():
            (project / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, project / rel)
    if numba_cache == "warm":
        cache = ROOT / NUMBA_CACHE
        if not cache.is_dir() or not any(cache.iterdir()):
            raise SystemExit(f"--numba-cache warm: {cache} is empty; run dvc repro here first")
        shutil.copytree(cache, project / NUMBA_CACHE)
    params_path = project / "params.yaml"
    params = yaml.safe_load(params_path.read_text(encoding="utf-8"))
    if corpus is not None:
        raw = project / RAW_DIR
        raw.mkdir()
        inputs = sorted(corpus.glob("part-*.jsonl.gz")) if corpus.is_dir() else [corpus]
        if not inputs:
            raise SystemExit(f"no input in {corpus}")
        for path in inputs:
            (raw / path.name).symlink_to(path.resolve())
        params["ingest"]["raw_dir"] = RAW_DIR
        params["ingest"]["metadata_file"] = ""
    params["classify"]["clickid_path"] = str(clickid.resolve())
    params_path.write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)


def _set_params(project: Path, **compute) -> None:
    path = project / "params.yaml"
    params = yaml.safe_load(path.read_text(encoding="utf-8"))
    params["compute"].update(compute)
    path.write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")


# --------------------------------------------------------------------------------------------
# pipeline: dvc repro per stage with the process-tree RSS
# --------------------------------------------------------------------------------------------


def _timed(args: list[str], cwd: Path, env: dict[str, str], log: Path) -> dict:
    load_before = _load()
    cpu_before = _children_cpu()
    start = time.perf_counter()
    with log.open("ab") as handle:
        handle.write(f"$ {' '.join(args)}\n".encode())
        handle.flush()
        proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=handle, stderr=subprocess.STDOUT)
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
        "load_before": load_before,
        "load_after": _load(),
    }


def pipeline(
    project: Path, stages: list[str], out: Path, label: str, n_jobs: int, force: bool = False
) -> dict:
    _set_params(project, n_jobs=n_jobs)
    log = out / f"pipeline_{label}.log"
    out.mkdir(parents=True, exist_ok=True)
    log.write_text("", encoding="utf-8")
    env = _plain_env(project)
    results = {**_header(), "label": label, "project": str(project), "n_jobs": n_jobs, "stages": {}}
    cache = project / NUMBA_CACHE
    # 0 files: a cold start (the topics stage compiles UMAP and pynndescent first)
    results["numba_cache_files_at_start"] = (
        sum(1 for p in cache.rglob("*") if p.is_file()) if cache.is_dir() else 0
    )
    for stage in [s for s in STAGES if s in stages or s == "params"]:
        print(f"[{label}] {stage} ...", file=sys.stderr, flush=True)
        # -f: a copy that already ran (e.g. profiled) would otherwise skip every stage
        args = ["dvc", "repro", *(["-f"] if force else []), "--single-item", stage]
        results["stages"][stage] = _timed(args, project, env, log)
        print(f"[{label}] {stage}: {results['stages'][stage]}", file=sys.stderr, flush=True)
    metrics = project / "reports" / "metrics"
    counts = {}
    for name, keys in (
        ("ingest", ("n_inputs", "n_unique_documents", "n_duplicates")),
        ("preprocess", ("n_paragraphs", "n_tokens")),
        ("topics", ("n_paragraphs_relevant", "n_topics")),
    ):
        path = metrics / f"{name}.json"
        if path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            counts.update({k: data.get(k) for k in keys})
    results["counts"] = counts
    _write(out, f"pipeline_{label}.json", results)
    return results


# --------------------------------------------------------------------------------------------
# profile: one stage's work under cProfile, with memory by step
# --------------------------------------------------------------------------------------------


class _RssSampler(threading.Thread):
    """The process RSS every ``interval`` s; raises the peak of every step that is running."""

    def __init__(self, interval: float = 0.01):
        super().__init__(daemon=True)
        import psutil

        self.proc = psutil.Process()
        self.interval = interval
        self.active: list[dict] = []
        self.peak = 0
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def rss(self) -> int:
        return self.proc.memory_info().rss

    def run(self) -> None:
        while not self.stop.is_set():
            rss = self.rss()
            self.peak = max(self.peak, rss)
            with self.lock:
                for step in self.active:
                    step["peak"] = max(step["peak"], rss)
            self.stop.wait(self.interval)


def _resolve(dotted: str):
    """(owner object, attribute name) for ``module.func`` or ``module.Class.method``."""
    parts = dotted.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            owner = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:-1]:
            owner = getattr(owner, name)
        return owner, parts[-1]
    raise ImportError(dotted)


def _wrap_steps(names: list[str], sampler: _RssSampler, table: dict) -> list[str]:
    missing = []
    for dotted in names:
        try:
            owner, attr = _resolve(dotted)
            original = getattr(owner, attr)
        except (ImportError, AttributeError):
            missing.append(dotted)
            continue
        if isinstance(owner, type) and isinstance(
            owner.__dict__.get(attr), (staticmethod, classmethod)
        ):
            missing.append(dotted)
            continue
        label = dotted.replace("analysis.", "", 1)

        def make(original=original, label=label):
            @functools.wraps(original)
            def wrapper(*args, **kwargs):
                step = {"peak": sampler.rss()}
                before = step["peak"]
                with sampler.lock:
                    sampler.active.append(step)
                started = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    elapsed = time.perf_counter() - started
                    after = sampler.rss()
                    with sampler.lock:  # by identity: two steps' dicts may be equal
                        sampler.active[:] = [s for s in sampler.active if s is not step]
                    row = table.setdefault(
                        label,
                        {
                            "calls": 0,
                            "seconds": 0.0,
                            "rss_before_mb": before / 2**20,
                            "peak_mb": 0.0,
                            "max_rise_mb": 0.0,
                        },
                    )
                    row["calls"] += 1
                    row["seconds"] += elapsed
                    row["rss_after_mb"] = after / 2**20
                    row["peak_mb"] = max(row["peak_mb"], max(step["peak"], after) / 2**20)
                    row["max_rise_mb"] = max(
                        row["max_rise_mb"], (max(step["peak"], after) - before) / 2**20
                    )

            return wrapper

        setattr(owner, attr, make())
    return missing


def _notebook_cells(project: Path, stage: str, n_jobs: int) -> list[str]:
    import nbformat

    from analysis.core.config import check_stage
    from analysis.stages.runner import notebook_parameters

    params = check_stage(stage, project / "params.yaml")
    values = notebook_parameters(stage, params)
    if "compute" in values:  # the stages take params.yaml's whole compute section
        values["compute"] = {**values["compute"], "n_jobs": n_jobs}
    nb = nbformat.read(project / "notebooks" / f"{NOTEBOOKS[stage]}.ipynb", as_version=4)
    cells = [c.source for c in nb.cells if c.cell_type == "code"]
    # the first code cell is the parameters cell: replace it as Papermill would
    return ["\n".join(f"{k} = {v!r}" for k, v in values.items()), *cells[1:]]


def _run_stage_inside(project: Path, stage: str, out: Path, n_jobs: int) -> None:
    """Runs in the child process: the stage's work under cProfile with memory by step."""
    os.chdir(project)
    sampler = _RssSampler()
    steps: dict[str, dict] = {}
    missing = _wrap_steps(STEPS.get(stage, []), sampler, steps)
    sampler.start()
    rss_start = sampler.rss()
    profiler = cProfile.Profile()
    cells_s: list[float] = []
    started = time.perf_counter()
    if stage in NOTEBOOKS:
        namespace: dict = {"__name__": "__main__"}
        for source in _notebook_cells(project, stage, n_jobs):
            code = compile(source, f"<{stage} cell>", "exec")
            t0 = time.perf_counter()
            profiler.enable()
            try:
                exec(code, namespace)  # noqa: S102 - the project's own notebook cells
            finally:
                profiler.disable()
            cells_s.append(round(time.perf_counter() - t0, 3))
    else:
        from analysis.stages.runner import run_stage

        profiler.enable()
        run_stage(stage, project)
        profiler.disable()
    wall = time.perf_counter() - started
    sampler.stop.set()
    sampler.join()
    profiler.dump_stats(str(out / f"{stage}.prof"))
    _write(
        out,
        f"{stage}.steps.json",
        {
            "stage": stage,
            "n_jobs": n_jobs,
            "wall_s": round(wall, 2),
            "cells_s": cells_s,
            "rss_start_mb": round(rss_start / 2**20),
            "peak_rss_mb": round(sampler.peak / 2**20),
            "maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "steps": {
                k: {kk: round(vv, 3) if isinstance(vv, float) else vv for kk, vv in v.items()}
                for k, v in steps.items()
            },
            "steps_missing": missing,
        },
    )


def _top_functions(prof: Path, n: int = 12) -> dict:
    stats = pstats.Stats(str(prof))
    total = stats.total_tt
    rows = []
    for (filename, line, func), (_cc, nc, tt, ct, _callers) in stats.stats.items():
        where = filename
        for marker in ("site-packages/", "/src/", "lib/python3.11/"):
            if marker in where:
                where = where.split(marker, 1)[1]
                break
        rows.append({"function": f"{where}:{line}({func})", "calls": nc, "self_s": tt, "cum_s": ct})

    def pick(key: str, skip_wrappers: bool) -> list[dict]:
        chosen = []
        for row in sorted(rows, key=lambda r: -r[key]):
            name = row["function"]
            if skip_wrappers and (
                name.startswith("~")
                or "<" in name.split("(")[0]
                or "profile_stages" in name
                or "(exec)" in name
            ):
                continue
            chosen.append({**row, "share": row[key] / total if total else 0.0})
            if len(chosen) == n:
                break
        return chosen

    return {
        "total_s": total,
        "by_cumulative": pick("cum_s", True),
        "by_self": pick("self_s", False),
    }


def profile(project: Path, stages: list[str], out: Path, label: str, n_jobs: int) -> dict:
    folder = out / f"profile_{label}"
    folder.mkdir(parents=True, exist_ok=True)
    results = {**_header(), "label": label, "n_jobs": n_jobs, "stages": {}}
    for stage in [s for s in stages if s != "params"]:
        print(f"[profile {label}] {stage} ...", file=sys.stderr, flush=True)
        load_before = _load()
        started = time.perf_counter()
        with (folder / f"{stage}.log").open("w") as log:
            code = subprocess.run(
                [
                    sys.executable,
                    str(Path(__file__).resolve()),
                    "_inside",
                    "--project",
                    str(project),
                    "--stage",
                    stage,
                    "--out",
                    str(folder),
                    "--n-jobs",
                    str(n_jobs),
                ],
                env=_pinned_env(project),
                cwd=project,
                stdout=log,
                stderr=subprocess.STDOUT,
            ).returncode
        if code != 0:
            raise SystemExit(f"profiling {stage} failed (exit {code}); see {folder / stage}.log")
        steps = json.loads((folder / f"{stage}.steps.json").read_text(encoding="utf-8"))
        results["stages"][stage] = {
            "process_wall_s": round(time.perf_counter() - started, 2),
            "load_before": load_before,
            "load_after": _load(),
            **steps,
            "top": _top_functions(folder / f"{stage}.prof"),
        }
    _write(out, f"profile_{label}.json", results)
    print(profile_markdown(results))
    return results


def profile_markdown(results: dict, n: int = 8) -> str:
    lines = [
        f"### Profile {results['label']} ({results['date']}, commit {results['commit']}, "
        f"n_jobs {results['n_jobs']})",
        "",
    ]
    for stage, data in results["stages"].items():
        top = data["top"]
        lines += [
            f"**{stage}**: profiled {top['total_s']:.1f} s (wall {data['wall_s']:.1f} s "
            f"under cProfile), peak RSS {data['peak_rss_mb']:,} MB, load "
            f"{data['load_before']} → {data['load_after']}",
            "",
            "| by cumulative time | cum s | share | | by self time | self s | share |",
            "|---|---:|---:|---|---|---:|---:|",
        ]
        for a, b in zip(top["by_cumulative"][:n], top["by_self"][:n]):
            lines.append(
                f"| `{a['function']}` | {a['cum_s']:.1f} | {100 * a['share']:.0f} % | "
                f"| `{b['function']}` | {b['self_s']:.1f} | {100 * b['share']:.0f} % |"
            )
        if data["steps"]:
            lines += [
                "",
                "| step | calls | s | RSS before MB | peak MB | max rise MB |",
                "|---|---:|---:|---:|---:|---:|",
            ]
            for name, row in data["steps"].items():
                lines.append(
                    f"| `{name}` | {row['calls']:,} | {row['seconds']:.1f} | "
                    f"{row['rss_before_mb']:,.0f} | {row['peak_mb']:,.0f} | "
                    f"{row['max_rise_mb']:,.0f} |"
                )
        lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# imports: python -X importtime per process of a stage
# --------------------------------------------------------------------------------------------


def _cell_imports(project: Path, stage: str) -> list[str]:
    """The import statements of the stage notebook's code cells (first cell excluded)."""
    import nbformat

    nb = nbformat.read(project / "notebooks" / f"{NOTEBOOKS[stage]}.ipynb", as_version=4)
    found = []
    for cell in nb.cells[1:]:
        if cell.cell_type != "code":
            continue
        for line in cell.source.splitlines():
            if re.match(r"\s*(from \S+ import .+|import \S+)", line) and "(" not in line:
                found.append(line.strip())
            elif re.match(r"\s*from \S+ import \(", line):
                found.append(line.strip().split("(")[0] + "*")
    return found


_IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")


def _importtime(code: str, env: dict[str, str], cwd: Path) -> dict:
    proc, wall = run_timed(
        [sys.executable, "-X", "importtime", "-c", code], cwd=cwd, env=env, what=f"import {code}"
    )
    by_package: dict[str, int] = {}
    total_self = 0
    for line in proc.stderr.splitlines():
        m = _IMPORT_LINE.match(line)
        if not m:
            continue
        self_us, name = int(m[1]), m[4]
        total_self += self_us
        package = name.split(".")[0]
        by_package[package] = by_package.get(package, 0) + self_us
    # self time summed per top-level package: the parts add up to the import total
    return {
        "wall_s": round(wall, 2),
        "imports_s": round(total_self / 1e6, 2),
        "top_packages_s": {
            k: round(v / 1e6, 2) for k, v in sorted(by_package.items(), key=lambda kv: -kv[1])[:10]
        },
    }


def imports(project: Path, out: Path) -> dict:
    env = _pinned_env(project)
    results = {**_header(), "load_before": _load(), "processes": {}}
    results["processes"]["python -c pass"] = _importtime("pass", env, project)
    results["processes"]["stage.py process (runner, config, papermill, nbformat)"] = _importtime(
        "import analysis.core.runtime, analysis.stages.runner, analysis.core.config, "
        "analysis.report.notebooks, papermill, papermill.exceptions",
        env,
        project,
    )
    results["processes"]["kernel start-up (ipykernel)"] = _importtime(
        "import ipykernel.kernelapp, ipykernel.ipkernel", env, project
    )
    for stage in NOTEBOOKS:
        statements = [s for s in _cell_imports(project, stage) if not s.endswith("*")]
        code = "import os; os.chdir(%r)\n" % str(project) + "\n".join(statements)
        results["processes"][f"{stage} notebook cells"] = {
            "statements": statements,
            **_importtime(code, env, project),
        }
    # imports that happen inside stage functions (lazily)
    lazy = {
        "topics (run_topics: bertopic, umap, hdbscan, sklearn, torch)": (
            "import analysis.topics.embeddings, bertopic, umap, hdbscan, sklearn.decomposition"
        ),
        "ingest workers (datasketch, py3langid)": "import datasketch, py3langid.langid",
        "preprocess (Sastrawi)": "import Sastrawi.Stemmer.StemmerFactory",
        "render (nbconvert)": "import analysis.report.render, nbconvert",
        "brief (analysis.report.brief)": "import analysis.report.brief",
    }
    for name, code in lazy.items():
        results["processes"][name] = _importtime(code, env, project)
    results["load_after"] = _load()
    _write(out, "imports.json", results)
    lines = [
        "| process | wall s | import s | packages by import time (self time summed, s) |",
        "|---|---:|---:|---|",
    ]
    for name, row in results["processes"].items():
        tops = ", ".join(f"{k} {v:.2f}" for k, v in list(row["top_packages_s"].items())[:5])
        lines.append(f"| {name} | {row['wall_s']:.2f} | {row['imports_s']:.2f} | {tops} |")
    print("\n".join(lines))
    return results


# --------------------------------------------------------------------------------------------
# startup: the fixed cost of each stage on the bundled five articles
# --------------------------------------------------------------------------------------------


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> dict:
    """Wall and CPU seconds (the command's whole process tree) of one command."""
    started = time.perf_counter()
    cpu = _children_cpu()
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{proc.stdout[-1500:]}\n{proc.stderr[-1500:]}")
    return {
        "wall_s": round(time.perf_counter() - started, 2),
        "cpu_s": round(_children_cpu() - cpu, 2),
    }


def _best(runs: list[dict]) -> dict:
    return min(runs, key=lambda r: r["wall_s"])


_KERNEL_PROBE = r"""
import json, sys, time
t0 = time.perf_counter()
from jupyter_client.manager import start_new_kernel
t_import = time.perf_counter() - t0
t1 = time.perf_counter()
km, kc = start_new_kernel(kernel_name="python3")
t_start = time.perf_counter() - t1
t2 = time.perf_counter()
kc.execute_interactive("1")
t_first = time.perf_counter() - t2
t3 = time.perf_counter()
kc.stop_channels(); km.shutdown_kernel(now=False)
t_stop = time.perf_counter() - t3
print("@@JSON " + json.dumps({"import_jupyter_client_s": t_import, "kernel_start_s": t_start,
                  "first_execute_s": t_first, "kernel_shutdown_s": t_stop}))
"""

_NOTEBOOK_PROBE = r"""
import json, os, sys, time
from pathlib import Path
t0 = time.perf_counter()
from analysis.core.config import check_stage
from analysis.core.paths import ProjectPaths
from analysis.report.notebooks import clean_executed_notebook, execute_notebook, in_process
from analysis.stages.runner import notebook_parameters
t_import = time.perf_counter() - t0
stage = sys.argv[1]
t1 = time.perf_counter()
params = check_stage(stage, Path("params.yaml"))
t_params = time.perf_counter() - t1
paths = ProjectPaths(Path("."))
output = paths.executed_notebook(stage)
t2 = time.perf_counter()
nb = execute_notebook(paths.notebook(stage), output, notebook_parameters(stage, params))
t_papermill = time.perf_counter() - t2
cells = [float(c.metadata.get("papermill", {}).get("duration") or 0.0) for c in nb.cells
         if c.cell_type == "code"]
t3 = time.perf_counter()
clean_executed_notebook(output)
t_clean = time.perf_counter() - t3
print("@@JSON " + json.dumps({"kernel": "in-process" if in_process() else "subprocess",
                  "imports_s": t_import, "params_check_s": t_params,
                  "papermill_s": t_papermill, "cells_s": cells, "clean_s": t_clean}))
"""


_NUMBA_PROBE = r"""
import json, time
t0 = time.perf_counter(); c0 = time.process_time()
import numpy as np, umap
t_import = time.perf_counter() - t0; c_import = time.process_time() - c0
X = np.random.default_rng(0).normal(size=(80, 12))
fits = []
for _ in range(2):
    t = time.perf_counter(); c = time.process_time()
    umap.UMAP(n_neighbors=5, n_components=5, min_dist=0.0, metric="cosine",
              random_state=1).fit(X)
    fits.append((time.perf_counter() - t, time.process_time() - c))
print("@@JSON " + json.dumps({"import_umap_s": t_import, "import_umap_cpu_s": c_import,
                  "first_fit_s": fits[0][0], "first_fit_cpu_s": fits[0][1],
                  "second_fit_s": fits[1][0], "second_fit_cpu_s": fits[1][1]}))
"""


def _probe(code: str, args: list[str], project: Path, env: dict[str, str]) -> dict:
    cpu = _children_cpu()
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=project, env=env, capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    # (the probe's own output, e.g. the kernel's "1", may share the marker's line)
    marked = [line.split("@@JSON ", 1)[1] for line in proc.stdout.splitlines() if "@@JSON " in line]
    result = json.loads(marked[-1])
    result.update(
        process_wall_s=round(time.perf_counter() - started, 2),
        process_cpu_s=round(_children_cpu() - cpu, 2),
    )
    return result


def startup(project: Path, out: Path, rounds: int = 2) -> dict:
    plain = _plain_env(project)
    pinned = _pinned_env(project)
    results = {**_header(), "project": str(project), "load_before": _load(), "rounds": []}
    for _round in range(rounds):
        row: dict = {"load_before": _load()}
        _run(["dvc", "repro"], project, plain)  # everything exists and is up to date
        row["dvc_repro_noop_s"] = _run(["dvc", "repro"], project, plain)
        row["dvc_repro_f_s"] = _run(["dvc", "repro", "-f"], project, plain)
        row["dvc_single_item_s"] = {
            s: _run(["dvc", "repro", "-f", "--single-item", s], project, plain) for s in STAGES
        }
        row["stage_py_s"] = {
            s: _run(["python3", "src/stage.py", s], project, plain) for s in STAGES
        }
        row["python_c_pass_s"] = _best(
            [_run(["python3", "-c", "pass"], project, plain) for _ in range(3)]
        )
        row["python_no_site_s"] = _best(
            [_run(["python3", "-S", "-c", "pass"], project, plain) for _ in range(3)]
        )
        row["pinned_reexec_s"] = _best(
            [
                _run(
                    [
                        "python3",
                        "-c",
                        "import sys; sys.path.insert(0, 'src');"
                        " from analysis.core.runtime import ensure_pinned;"
                        " ensure_pinned()",
                    ],
                    project,
                    plain,
                )
                for _ in range(3)
            ]
        )
        row["dvc_version_s"] = _best([_run(["dvc", "--version"], project, plain) for _ in range(3)])
        _write(out, "startup_partial.json", {**results, "partial_row": row})
        row["kernel"] = _probe(_KERNEL_PROBE, [], project, pinned)
        row["numba"] = _probe(_NUMBA_PROBE, [], project, pinned)
        row["notebooks"] = {
            stage: _probe(_NOTEBOOK_PROBE, [stage], project, pinned) for stage in NOTEBOOKS
        }
        row["load_after"] = _load()
        results["rounds"].append(row)
        print(json.dumps(row, indent=1), file=sys.stderr)
        _write(out, "startup.json", results)
    return results


# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--project", type=Path, required=True)
    p.add_argument("--corpus", type=Path, default=None)
    p.add_argument("--clickid", type=Path, default=CLICKID)
    p.add_argument(
        "--numba-cache",
        choices=("cold", "warm"),
        default="cold",
        help="warm: copy this checkout's .cache/numba (written by its first dvc repro)",
    )
    for name in ("pipeline", "profile"):
        p = sub.add_parser(name)
        p.add_argument("--project", type=Path, required=True)
        p.add_argument("--stages", default=",".join(STAGES))
        p.add_argument("--label", required=True)
        p.add_argument("--n-jobs", type=int, default=2 if name == "pipeline" else 1)
        p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "profile")
        if name == "pipeline":
            p.add_argument(
                "--force",
                action="store_true",
                help="dvc repro -f: rerun stages that are up to date",
            )
    p = sub.add_parser("imports")
    p.add_argument("--project", type=Path, default=ROOT)
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "profile")
    p = sub.add_parser("startup")
    p.add_argument("--project", type=Path, required=True)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "profile")
    p = sub.add_parser("_inside")  # internal: the child process of `profile`
    p.add_argument("--project", type=Path, required=True)
    p.add_argument("--stage", required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--n-jobs", type=int, default=1)
    args = parser.parse_args()
    if args.command == "prepare":
        prepare(args.project.resolve(), args.corpus, args.clickid, args.numba_cache)
    elif args.command == "pipeline":
        pipeline(
            args.project.resolve(),
            args.stages.split(","),
            args.out,
            args.label,
            args.n_jobs,
            args.force,
        )
    elif args.command == "profile":
        profile(args.project.resolve(), args.stages.split(","), args.out, args.label, args.n_jobs)
    elif args.command == "imports":
        imports(args.project.resolve(), args.out)
    elif args.command == "startup":
        startup(args.project.resolve(), args.out, args.rounds)
    elif args.command == "_inside":
        _run_stage_inside(args.project, args.stage, args.out, args.n_jobs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
