"""Run one dvc.yaml stage by name: validate params.yaml, execute the stage, tidy its outputs."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from ..core.errors import UserError
from ..core.paths import ANALYSIS_STAGES, NOTEBOOKS, STAGES, ProjectPaths

__all__ = ["STAGES", "stage_module", "notebook_parameters", "run_stage", "main"]


def stage_module(stage: str) -> ModuleType:
    """The module ``analysis.stages.<stage>`` (its ``run(params, paths)`` and ``PARAMS``).

    Raises:
        UserError: ``stage`` is not a stage of dvc.yaml.
    """
    if stage not in STAGES:
        raise UserError(f"unknown stage {stage!r}; stages are {', '.join(STAGES)}")
    return importlib.import_module(f"{__package__}.{stage}")


def notebook_parameters(stage: str, params: Any) -> dict[str, Any]:
    """The values Papermill passes to a stage notebook's ``parameters`` cell.

    One parameter per params.yaml section the stage reads (its ``PARAMS``): the section as a
    mapping, as params.yaml writes it (only the named keys for an entry like
    ``ingest.min_words``), and ``seed`` as a number. A student reading the executed notebook
    sees every value the stage used.

    Raises:
        UserError: ``stage`` is not an analysis (notebook) stage.
    """
    if stage not in ANALYSIS_STAGES:
        raise UserError(
            f"{stage!r} is not a notebook stage; notebook stages are {', '.join(ANALYSIS_STAGES)}"
        )
    values: dict[str, Any] = {}
    for entry in stage_module(stage).PARAMS:
        section, _, key = entry.partition(".")
        value = getattr(params, section)
        if key:
            values.setdefault(section, {})[key] = getattr(value, key)
        elif hasattr(value, "model_fields"):
            values[section] = {name: getattr(value, name) for name in value.model_fields}
        else:
            values[section] = value
    return values


def _run_notebook(stage: str, params: Any) -> None:
    from papermill.exceptions import PapermillExecutionError

    from ..report.notebooks import clean_executed_notebook, execute_notebook

    # Relative to the project root (the working directory): Papermill records both paths in
    # the executed notebook, which must not depend on where the project lives.
    paths = ProjectPaths(Path("."))
    output = paths.executed_notebook(stage)
    output.parent.mkdir(parents=True, exist_ok=True)
    try:
        execute_notebook(paths.notebook(stage), output, notebook_parameters(stage, params))
    except PapermillExecutionError as exc:
        if exc.ename in ("UserError", "ParamsError"):
            raise UserError(str(exc.evalue)) from None
        raise UserError(
            f"stage {stage} failed in cell {exc.exec_count} of {output} "
            f"({exc.ename}: {exc.evalue}); the executed notebook shows the "
            "traceback"
        ) from None
    clean_executed_notebook(output)


def run_stage(stage: str, root: str | Path) -> None:
    """Run one stage of dvc.yaml in the project at ``root``.

    Analysis stages execute their notebook (which calls ``analysis.stages.<stage>.run`` and
    shows its results), then the runner writes the stage's headline metrics file from the full
    one (``report/headline.py``); the others call their ``run`` directly. Either way the
    project root is the working directory and every path is relative to it.

    Raises:
        UserError: an unknown stage, invalid params.yaml, or a stage that failed.
    """
    from ..core.config import check_stage, load_params
    from ..core.runtime import arrow_threads

    module = stage_module(stage)
    root = Path(root).resolve()
    os.chdir(root)
    paths = ProjectPaths(Path("."))
    if stage in NOTEBOOKS:
        from ..report.headline import write_headline

        params = check_stage(stage, paths.params_file)
        arrow_threads(params.compute.n_jobs)  # the notebook runs in this process
        _run_notebook(stage, params)
        # the few numbers dvc.yaml declares under metrics:, from the full file the stage wrote
        write_headline(stage, paths.metrics(stage), paths.headline(stage))
    else:
        params = load_params(paths.params_file, check_paths=stage == "params")
        arrow_threads(params.compute.n_jobs)
        module.run(params, paths)


def main(argv: Sequence[str], root: str | Path) -> int:
    """``src/stage.py NAME``: run one stage; a user error is one line on stderr, exit 2."""
    if len(argv) != 1:
        print(f"usage: python3 src/stage.py STAGE  (one of {', '.join(STAGES)})", file=sys.stderr)
        return 2
    try:
        run_stage(argv[0], root)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
