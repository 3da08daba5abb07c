"""Helpers shared by the benchmark scripts (run as `python benchmarks/NAME.py`)."""

from __future__ import annotations

import os
import platform
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cpu_model() -> str:
    """The processor's name and clock as the kernel reports them (``/proc/cpuinfo``), else what
    ``platform`` knows. The same code took 2.1 times as long on one 2-core machine as on another
    (benchmarks/RESULTS.md, 2026-12-06 afternoon), so a timing means little without it."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            fields = dict(
                (key.strip(), value.strip())
                for key, _sep, value in (line.partition(":") for line in handle)
                if key.strip() in ("model name", "cpu family", "model", "cpu MHz")
            )
    except OSError:
        fields = {}
    name = fields.get("model name") or platform.processor() or platform.machine()
    if fields.get("cpu family") and fields.get("model"):
        # a virtual machine often names only the vendor ("AMD EPYC"); these tell the generation
        name += f" (family {fields['cpu family']}, model {fields['model']})"
    mhz = fields.get("cpu MHz")
    return f"{name} at {float(mhz):,.0f} MHz" if mhz else name


def machine_description() -> str:
    """One line for a benchmark record: OS, Python, processor, cores and memory."""
    try:
        memory = f", {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GB RAM"
    except (ValueError, OSError, AttributeError):
        memory = ""
    return (
        f"{platform.platform()}, Python {platform.python_version()}, {cpu_model()}, "
        f"{os.cpu_count()} cores{memory}"
    )


def commit_id() -> str:
    """Short HEAD commit, with "+uncommitted changes" when the tree differs from it.

    benchmarks/RESULTS.md itself is left out of the check: it is where results are written.
    """
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", ".", ":!benchmarks/RESULTS.md"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+uncommitted changes" if dirty else "")


def run_timed(args: list[str], *, cwd: Path, env: dict[str, str], what: str):
    """Run ``args`` with captured text output; ``(completed process, wall seconds)``.

    A failed command stops the benchmark with ``what`` and the end of its stderr.
    """
    started = time.perf_counter()
    proc = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{what} failed:\n{proc.stderr[-2000:]}")
    return proc, wall


def add_project_argument(parser) -> None:
    """``--project``: a project made by ``profile_stages.py prepare`` (the topics benchmarks)."""
    parser.add_argument(
        "--project",
        type=Path,
        required=True,
        help="a prepared project whose stages up to classify have run",
    )
