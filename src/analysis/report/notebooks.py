"""Make Papermill-executed notebooks byte-identical across runs, and strip source notebooks."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from ..core.io import write_text
from ..core.paths import ProjectPaths

__all__ = ["clean_executed_notebook", "strip_source_notebook", "is_stripped", "setup_notebook"]

# Papermill and nbclient record wall-clock times; they change on every run.
_VOLATILE_NOTEBOOK_KEYS = ("start_time", "end_time", "duration", "environment_variables")
_VOLATILE_CELL_KEYS = ("start_time", "end_time", "duration")
# Reprs like "<object at 0x7f3a...>" differ between processes.
_ADDRESS = re.compile(r"\bat 0x[0-9a-fA-F]{6,}")


def _scrub_text(value: str | list[str]) -> str | list[str]:
    if isinstance(value, list):
        return [_ADDRESS.sub("at 0x…", v) for v in value]
    return _ADDRESS.sub("at 0x…", value)


def clean_executed_notebook(path: str | Path) -> Path:
    """Remove run timestamps, durations and memory addresses from an executed notebook.

    Parameter values, outputs and figures stay: they are the reproducible record of the run.
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    pm = nb.metadata.get("papermill", {})
    for key in _VOLATILE_NOTEBOOK_KEYS:
        pm.pop(key, None)
    # the kernel's Python patch release (3.11.2 on Debian 12, 3.11.7 elsewhere): any CPython 3.11
    # runs the lock, and must write the same bytes
    nb.metadata.get("language_info", {}).pop("version", None)
    for index, cell in enumerate(nb.cells):
        if "id" in cell:  # nbformat 4.5 gives new cells random ids; number them instead
            cell["id"] = f"cell-{index:03d}"
        cell.metadata.pop("execution", None)
        cell_pm = cell.metadata.get("papermill")
        if cell_pm is not None:
            for key in _VOLATILE_CELL_KEYS:
                cell_pm.pop(key, None)
        for output in cell.get("outputs", []):
            if "text" in output:
                output["text"] = _scrub_text(output["text"])
            data = output.get("data", {})
            if "text/plain" in data:
                data["text/plain"] = _scrub_text(data["text/plain"])
    write_text(path, nbformat.writes(nb) + "\n")
    return path


def strip_source_notebook(path: str | Path) -> bool:
    """Strip outputs and execution counts from a source notebook; return True if it changed."""
    path = Path(path)
    before = path.read_text(encoding="utf-8")
    nb = nbformat.reads(before, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
    nb.metadata.pop("papermill", None)
    after = nbformat.writes(nb) + "\n"
    if after != before:
        write_text(path, after)
        return True
    return False


def is_stripped(path: str | Path) -> bool:
    """Whether every code cell of a notebook is without outputs and execution counts."""
    nb = nbformat.read(Path(path), as_version=4)
    return all(
        not cell.get("outputs") and cell.get("execution_count") is None
        for cell in nb.cells
        if cell.cell_type == "code"
    )


def _check_runtime() -> None:
    """A stage run must be pinned (core.runtime); an interactive kernel is warned."""
    import os
    import warnings

    from ..core.runtime import problems

    found = problems()
    if not found:
        return
    if os.environ.get("COOPNEWS_PINNED"):  # started by src/stage.py or python -m analysis
        raise RuntimeError(
            "the stage's kernel lost the pinned numeric environment: " + "; ".join(found)
        )
    warnings.warn(
        "this kernel does not run in the pipeline's pinned numeric environment, so topic "
        "results may differ from the committed reports; start JupyterLab with "
        "`python -m analysis lab` (or `make lab`). Differences: " + "; ".join(found),
        stacklevel=3,
    )


def setup_notebook() -> ProjectPaths:
    """Prepare a stage notebook: work from the project root, with stable display settings.

    Papermill runs notebooks with ``--cwd .`` from the project root, while JupyterLab starts
    them in ``notebooks/``; moving to the root makes every path relative to it mean the same
    thing in both (and keeps where the project lives out of the executed notebook).

    Returns:
        The project layout, relative to the project root (now the working directory).
    """
    import os
    import warnings

    from ..core.config import find_project_root

    root = find_project_root()
    os.chdir(root)
    _check_runtime()
    os.environ.setdefault("MPLBACKEND", "Agg")
    if "TQDM_DISABLE" not in os.environ:
        # Library progress bars would be saved into the notebook, so tqdm is silenced here; the
        # stages' own bars (analysis.core.parallel.progress) draw on the terminal, not in the
        # notebook, so they stay on unless the user set TQDM_DISABLE.
        os.environ["TQDM_DISABLE"] = "1"
        os.environ["ANALYSIS_NOTEBOOK_SILENCED_TQDM"] = "1"
    warnings.filterwarnings("ignore", message="IProgress not found")

    import matplotlib
    import pandas as pd

    pd.set_option("display.max_colwidth", 120)
    pd.set_option("display.max_rows", 60)
    pd.set_option("display.width", 160)
    matplotlib.rcParams["svg.hashsalt"] = "coopnews"
    matplotlib.rcParams["figure.dpi"] = 100
    return ProjectPaths(Path("."))
