"""dvc.yaml, params.yaml and the notebooks agree: parameters, dependencies, stripped sources."""

from __future__ import annotations

import ast
import re
import shlex
from pathlib import Path

import nbformat
import papermill
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DVC = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
PARAMS = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
NOTEBOOK_STAGES = {
    name: stage for name, stage in DVC.items() if "papermill" in stage["cmd"]
}


def _papermill_args(cmd: str) -> tuple[str, dict[str, str]]:
    """Return the input notebook and the ``-p name value`` pairs of a stage command."""
    words = shlex.split(cmd.replace("&&", " && "))
    start = words.index("papermill")
    notebook = words[start + 1]
    passed: dict[str, str] = {}
    i = start
    while i < len(words) and words[i] != "&&":
        if words[i] == "-p":
            passed[words[i + 1]] = words[i + 2]
            i += 3
        else:
            i += 1
    return notebook, passed


def _lookup(dotted: str):
    value = PARAMS
    for part in dotted.split("."):
        value = value[part]
    return value


def test_every_analysis_stage_runs_a_notebook_into_reports():
    assert set(NOTEBOOK_STAGES) == {"ingest", "preprocess", "classify", "topics", "compare"}
    for name, stage in NOTEBOOK_STAGES.items():
        notebook, _ = _papermill_args(stage["cmd"])
        output = f"reports/notebooks/{Path(notebook).name}"
        assert output in stage["cmd"], name
        outs = [next(iter(o)) if isinstance(o, dict) else o for o in stage["outs"]]
        assert output in outs, f"{name}: executed notebook must be a declared (git-tracked) out"
        assert notebook in stage["deps"], f"{name}: source notebook must be a dep"


@pytest.mark.parametrize("stage_name", sorted(NOTEBOOK_STAGES))
def test_parameters_cell_matches_what_dvc_passes(stage_name):
    notebook, passed = _papermill_args(NOTEBOOK_STAGES[stage_name]["cmd"])
    declared = papermill.inspect_notebook(str(ROOT / notebook))
    assert set(passed) == set(declared), (
        f"{notebook}: parameters cell {sorted(declared)} vs dvc.yaml -p {sorted(passed)}"
    )
    for name, raw in passed.items():
        default = declared[name]["default"]
        match = re.fullmatch(r"\$\{([\w.]+)\}", raw)
        if match:  # value comes from params.yaml: same type as the notebook's default
            value = _lookup(match.group(1))
            default_value = ast.literal_eval(default)
            expected = (float, int) if isinstance(default_value, float) else type(default_value)
            assert isinstance(value, expected), (
                f"{name}: params.yaml gives {value!r}, notebook default is {default_value!r}"
            )
        else:  # a literal path written in dvc.yaml: the notebook default is the same path
            assert default.strip("'\"") == raw, f"{name}: default {default} vs dvc.yaml {raw}"


@pytest.mark.parametrize("stage_name", sorted(NOTEBOOK_STAGES))
def test_stage_params_section_is_declared(stage_name):
    stage = NOTEBOOK_STAGES[stage_name]
    used = set(re.findall(r"\$\{([\w.]+)\}", stage["cmd"]))
    declared = set()
    for entry in stage.get("params", []):
        declared.add(entry)
    for dotted in used:
        assert any(dotted == d or dotted.startswith(d + ".") for d in declared), (
            f"{stage_name}: ${{{dotted}}} is passed but not declared under params:"
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
    notebook, _ = _papermill_args(stage["cmd"])
    nb = nbformat.read(ROOT / notebook, as_version=4)
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
