"""Helpers shared by the benchmark scripts (run as `python benchmarks/NAME.py`)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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
