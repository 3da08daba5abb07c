"""dvc.yaml, params.yaml, the stage entries and the notebooks agree: parameters, deps, stripped sources."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import papermill
import pytest
import yaml

from analysis.core.config import load_params
from analysis.core.paths import ANALYSIS_STAGES, NOTEBOOKS, STAGES
from analysis.stages.runner import notebook_parameters, stage_module

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "analysis"
DVC = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
NOTEBOOK_STAGES = {name: DVC[name] for name in ANALYSIS_STAGES}


class _Recorder:
    """Stands in for the validated params and records which entries the runner reads."""

    def __init__(self, params, seen: set[str], prefix: str = "") -> None:
        self._params, self._seen, self._prefix = params, seen, prefix

    def __getattr__(self, name):
        value = getattr(self._params, name)
        dotted = self._prefix + name
        if hasattr(value, "model_fields"):
            return _Recorder(value, self._seen, dotted + ".")
        self._seen.add(dotted)
        return value

    @property
    def model_fields(self):
        return self._params.model_fields


def test_every_stage_runs_through_the_stage_runner():
    assert list(DVC) == list(STAGES)
    for name, stage in DVC.items():
        assert stage["cmd"] == f"python3 src/stage.py {name}", name
        assert "src/stage.py" in stage["deps"], name
        assert callable(stage_module(name).run), name


def test_every_analysis_stage_runs_a_notebook_into_reports():
    assert set(NOTEBOOK_STAGES) == {"ingest", "preprocess", "classify", "topics", "compare"}
    for name, stage in NOTEBOOK_STAGES.items():
        notebook = f"notebooks/{NOTEBOOKS[name]}.ipynb"
        output = f"reports/notebooks/{NOTEBOOKS[name]}.ipynb"
        outs = [next(iter(o)) if isinstance(o, dict) else o for o in stage["outs"]]
        assert output in outs, f"{name}: executed notebook must be a declared (git-tracked) out"
        assert notebook in stage["deps"], f"{name}: source notebook must be a dep"


@pytest.mark.parametrize("stage_name", sorted(NOTEBOOK_STAGES))
def test_parameters_cell_matches_what_the_runner_passes(stage_name):
    notebook = ROOT / "notebooks" / f"{NOTEBOOKS[stage_name]}.ipynb"
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


@pytest.mark.parametrize("stage_name", sorted(NOTEBOOK_STAGES))
def test_params_entries_are_the_ones_the_stage_reads(stage_name):
    """dvc.yaml params: == the stage's PARAMS, and its code reads no other section."""
    module = stage_module(stage_name)
    assert list(NOTEBOOK_STAGES[stage_name]["params"]) == list(module.PARAMS)
    sections = {entry.split(".")[0] for entry in module.PARAMS}
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    read = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "params"
    }
    assert read <= sections, f"{stage_name} reads params.{sorted(read - sections)} undeclared"


def _module_file(name: str) -> Path | None:
    path = PACKAGE.parent / Path(*name.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _analysis_imports(source: str, module: str | None = None) -> set[str]:
    """Dotted names of the analysis modules imported by a piece of Python source."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                package = module.split(".")
                if _module_file(module).name != "__init__.py":
                    package = package[:-1]
                base = ".".join(
                    package[: len(package) - node.level + 1]
                    + ([node.module] if node.module else [])
                )
            else:
                base = node.module or ""
            if base.split(".")[0] != "analysis":
                continue
            found.add(base)
            found.update(
                f"{base}.{a.name}"
                for a in node.names
                if _module_file(f"{base}.{a.name}") is not None
            )
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "analysis")
    return {name for name in found if _module_file(name) is not None}


def _closure(start: set[str]) -> set[str]:
    """Every analysis module reached from ``start``, with the packages they sit in."""
    seen: set[str] = set()
    todo = list(start)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        parts = name.split(".")
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))  # parent __init__
        todo.extend(_analysis_imports(_module_file(name).read_text(encoding="utf-8"), name))
    return seen


@pytest.mark.parametrize("stage_name", sorted(DVC))
def test_stage_deps_cover_every_module_its_code_imports(stage_name):
    stage = DVC[stage_name]
    start = {f"analysis.stages.{stage_name}", "analysis.stages.runner"}
    if stage_name in NOTEBOOKS:
        nb = nbformat.read(ROOT / "notebooks" / f"{NOTEBOOKS[stage_name]}.ipynb", as_version=4)
        start |= _analysis_imports("\n".join(c.source for c in nb.cells if c.cell_type == "code"))
    deps = [d for d in stage["deps"] if d.startswith("src/analysis")]
    missing = []
    for name in sorted(_closure(start)):
        rel = _module_file(name).relative_to(ROOT).as_posix()
        if not any(rel == d or rel.startswith(d.rstrip("/") + "/") for d in deps):
            missing.append(rel)
    assert not missing, f"{stage_name}: add to deps: {missing}"


def test_source_notebooks_are_stripped_and_have_a_parameters_cell():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code), path.name
        tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, f"{path.name}: exactly one cell tagged 'parameters'"


def test_notebooks_write_nothing():
    """Notebooks call their stage entry and display; only the entry writes."""
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        for word in ("write_", "save_figure", "to_parquet", "to_csv", "savefig", "open("):
            assert word not in code, f"{path.name} writes ({word})"
        assert "stage.run(params, paths)" in code, path.name


def test_reports_are_git_tracked_and_processed_data_is_cached():
    for name, stage in DVC.items():
        for out in stage.get("outs", []) + stage.get("metrics", []):
            path, opts = next(iter(out.items())) if isinstance(out, dict) else (out, {})
            if path.startswith("reports/"):
                assert opts.get("cache") is False, f"{name}: {path} must be cache: false"
            else:
                assert path.startswith("data/processed/"), f"{name}: unexpected out {path}"
                assert opts.get("cache", True), f"{name}: {path} should be DVC-cached"
