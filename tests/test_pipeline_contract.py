"""dvc.yaml, params.yaml and the notebooks agree: parameters, dependencies, stripped sources."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import papermill
import pytest
import yaml

from analysis.config import load_params
from analysis.stages.runner import NOTEBOOK_STAGES as RUNNER_NOTEBOOKS
from analysis.stages.runner import STAGES as RUNNER_STAGES
from analysis.stages.runner import notebook_parameters

ROOT = Path(__file__).resolve().parents[1]
DVC = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
PARAMS = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
NOTEBOOK_STAGES = {name: DVC[name] for name in RUNNER_NOTEBOOKS}


class _Recorder:
    """Stands in for the validated params and records which sections the runner reads."""

    def __init__(self, params, seen: set[str], prefix: str = "") -> None:
        self._params, self._seen, self._prefix = params, seen, prefix

    def __getattr__(self, name):
        value = getattr(self._params, name)
        dotted = self._prefix + name
        if hasattr(value, "model_fields"):
            return _Recorder(value, self._seen, dotted + ".")
        self._seen.add(dotted)
        return value


def test_every_stage_runs_through_the_stage_runner():
    assert set(DVC) == set(RUNNER_STAGES)
    for name, stage in DVC.items():
        assert stage["cmd"] == f"python3 src/stage.py {name}", name
        assert "src/stage.py" in stage["deps"], name


def test_every_analysis_stage_runs_a_notebook_into_reports():
    assert set(NOTEBOOK_STAGES) == {"ingest", "preprocess", "classify", "topics", "compare"}
    for name, stage in NOTEBOOK_STAGES.items():
        notebook = f"notebooks/{RUNNER_NOTEBOOKS[name]}.ipynb"
        output = f"reports/notebooks/{RUNNER_NOTEBOOKS[name]}.ipynb"
        outs = [next(iter(o)) if isinstance(o, dict) else o for o in stage["outs"]]
        assert output in outs, f"{name}: executed notebook must be a declared (git-tracked) out"
        assert notebook in stage["deps"], f"{name}: source notebook must be a dep"


@pytest.mark.parametrize("stage_name", sorted(NOTEBOOK_STAGES))
def test_parameters_cell_matches_what_the_runner_passes(stage_name):
    notebook = ROOT / "notebooks" / f"{RUNNER_NOTEBOOKS[stage_name]}.ipynb"
    passed = notebook_parameters(stage_name, load_params(ROOT / "params.yaml"))
    declared = papermill.inspect_notebook(str(notebook))
    assert set(passed) == set(declared), (
        f"{notebook.name}: parameters cell {sorted(declared)} vs runner {sorted(passed)}"
    )
    for name, value in passed.items():
        # the cell's defaults are the committed params.yaml, so a JupyterLab run matches dvc repro
        assert ast.literal_eval(declared[name]["default"]) == value, name


@pytest.mark.parametrize("stage_name", sorted(NOTEBOOK_STAGES))
def test_stage_params_section_is_declared(stage_name):
    seen: set[str] = set()
    notebook_parameters(stage_name, _Recorder(load_params(ROOT / "params.yaml"), seen))
    declared = set(NOTEBOOK_STAGES[stage_name].get("params", []))
    for dotted in seen:
        assert any(dotted == d or dotted.startswith(d + ".") for d in declared), (
            f"{stage_name}: {dotted} is passed but not declared under params:"
        )


def _analysis_imports(source: str, current: str | None = None) -> set[str]:
    """Names of analysis.* modules imported by a piece of Python source."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and current is not None:
                base = node.module
                if base:
                    found.add(base.split(".")[0])
                else:
                    found.update(alias.name for alias in node.names)
            elif node.module and node.module.split(".")[0] == "analysis":
                parts = node.module.split(".")
                if len(parts) > 1:
                    found.add(parts[1])
                else:
                    found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "analysis" and len(parts) > 1:
                    found.add(parts[1])
    return found


def _module_closure(start: set[str]) -> set[str]:
    package = ROOT / "src" / "analysis"
    seen: set[str] = set()
    todo = list(start)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        path = package / f"{name}.py"
        if not path.is_file():
            continue
        seen.add(name)
        todo.extend(_analysis_imports(path.read_text(encoding="utf-8"), current=name))
    return seen


@pytest.mark.parametrize("stage_name", sorted(NOTEBOOK_STAGES))
def test_stage_declares_every_module_its_notebook_imports(stage_name):
    stage = NOTEBOOK_STAGES[stage_name]
    nb = nbformat.read(ROOT / "notebooks" / f"{RUNNER_NOTEBOOKS[stage_name]}.ipynb", as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    modules = _module_closure(_analysis_imports(code))
    declared = {Path(d).stem for d in stage["deps"] if d.startswith("src/analysis/")}
    missing = sorted(modules - declared)
    assert not missing, f"{stage_name}: add src/analysis/{{{','.join(missing)}}}.py to deps"


def test_source_notebooks_are_stripped_and_have_a_parameters_cell():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code), path.name
        tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, f"{path.name}: exactly one cell tagged 'parameters'"


def test_reports_are_git_tracked_and_processed_data_is_cached():
    for name, stage in DVC.items():
        for out in stage.get("outs", []) + stage.get("metrics", []):
            path, opts = (next(iter(out.items())) if isinstance(out, dict) else (out, {}))
            if path.startswith("reports/"):
                assert opts.get("cache") is False, f"{name}: {path} must be cache: false"
            else:
                assert path.startswith("data/processed/"), f"{name}: unexpected out {path}"
                assert opts.get("cache", True), f"{name}: {path} should be DVC-cached"
