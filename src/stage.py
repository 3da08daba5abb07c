"""Run one pipeline stage: `python3 src/stage.py NAME` is the command of every stage in dvc.yaml.

This file imports only the standard library until it has checked that the project environment
is active, so a shell without it gets one line saying what to do instead of a traceback. It then
re-executes itself with the pinned numeric environment (analysis.core.runtime), so every
process of the stage, this one (which also runs the stage's notebook) and its worker processes,
computes the same bytes on any x86-64 CPU. The re-execution cannot be avoided: glibc reads its
setting (``GLIBC_TUNABLES``) only when a process starts; it costs about 0.03 s.
"""

import os
import sys
from importlib.util import find_spec
from pathlib import Path

SRC = Path(__file__).resolve().parent
ROOT = SRC.parent
# What a stage imports before anything else; missing means the environment is not active.
NEEDED = ("numpy", "pandas", "pyarrow", "yaml", "pydantic", "papermill", "nbformat")


def _environment_problem() -> str | None:
    if sys.version_info[:2] != (3, 11):
        return f"{sys.executable} is Python {sys.version.split()[0]}, the project needs 3.11"
    missing = [name for name in NEEDED if find_spec(name) is None]
    if missing:
        return f"{sys.executable} cannot import {', '.join(missing)}"
    return None


def main() -> int:
    problem = _environment_problem()
    if problem:
        print(
            f"error: the project environment is not active ({problem}): run "
            "`source .venv/bin/activate` (create it with `make setup`) or "
            "`conda activate coopnews`, then run the dvc command again",
            file=sys.stderr,
        )
        return 2
    # Workers (and a Papermill kernel, if asked for) import this checkout's code, whatever else
    # is installed.
    path = os.environ.get("PYTHONPATH", "")
    if str(SRC) not in path.split(os.pathsep):
        os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), path) if p)
    from analysis.core.runtime import ensure_pinned

    ensure_pinned()
    from analysis.stages.runner import main as run

    return run(sys.argv[1:], ROOT)


if __name__ == "__main__":
    raise SystemExit(main())
