"""The package layout keeps its rules: layers, no import circles, no private names across modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "analysis"
# Which layer may import which (docs/architecture.md): a module imports only its own
# subpackage and the layers below it.
LAYERS = {
    "core": 0,
    "text": 1,
    "classify": 2,
    "topics": 2,
    "compare": 2,
    "collect": 2,
    "report": 3,
    "stages": 4,
    "cli": 5,
    "__main__": 6,
    "__init__": 0,
}
MAX_MODULE_LINES = 630  # "about 600": four modules sit just above 600
MAX_FUNCTION_LINES = 80


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    package = module.split(".")
    if not MODULES[module].name == "__init__.py":
        package = package[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(module: str) -> list[tuple[str, list[str]]]:
    """(imported analysis module, names) for every import of ``module`` (lazy ones too)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            if target.split(".")[0] != "analysis":
                continue
            names = [a.name for a in node.names]
            # "from . import figures_compare" imports a module, not a name
            submodules = [n for n in names if f"{target}.{n}" in MODULES]
            for sub in submodules:
                found.append((f"{target}.{sub}", []))
            rest = [n for n in names if n not in submodules]
            if rest or not submodules:
                found.append((target, rest))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "analysis":
                    found.append((alias.name, []))
    return found


def _layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS[parts[1] if len(parts) > 1 else "__init__"]


def test_every_module_is_in_a_layer():
    assert {m.split(".")[1] for m in MODULES if "." in m} <= set(LAYERS)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_respect_the_layers(module):
    own = module.split(".")[1] if "." in module else "__init__"
    for target, _names in _imports(module):
        if (
            target == "analysis"
            or target not in MODULES
            and target.rsplit(".", 1)[0] not in MODULES
        ):
            continue
        other = target.split(".")[1] if "." in target else "__init__"
        if other == own:
            continue
        assert _layer(target) < _layer(module), (
            f"{module} imports {target}: a layer may import only the layers below it"
        )


def test_no_import_circles():
    graph = {
        m: {t if t in MODULES else t.rsplit(".", 1)[0] for t, _ in _imports(m)} & set(MODULES)
        for m in MODULES
    }
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node] - {node}):
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt) :] + [nxt]
                raise AssertionError("import circle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)


def test_no_private_name_is_imported_across_modules():
    offenders = [
        f"{module}: {target}.{name}"
        for module in MODULES
        for target, names in _imports(module)
        for name in names
        if name.startswith("_") and not name.startswith("__")
    ]
    assert not offenders, offenders


def test_text_and_report_packages_are_docstring_only():
    for name in ("text", "report"):
        tree = ast.parse((PACKAGE / name / "__init__.py").read_text(encoding="utf-8"))
        assert len(tree.body) == 1 and isinstance(tree.body[0].value, ast.Constant), name


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_and_functions_stay_small(module):
    source = MODULES[module].read_text(encoding="utf-8")
    assert source.count("\n") <= MAX_MODULE_LINES, f"{module}: over {MAX_MODULE_LINES} lines"
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            doc = ast.get_docstring(node) or ""
            if length > MAX_FUNCTION_LINES:
                assert "One piece" in doc, (
                    f"{module}.{node.name}: {length} lines; split it or say in its docstring "
                    "why it is one piece"
                )


def test_every_module_has_a_one_line_docstring_and_all():
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        doc = ast.get_docstring(tree)
        assert doc, module
        # runtime.py keeps its account of the pinned environment (kept as it was written)
        assert "\n" not in doc.strip() or module == "analysis.core.runtime", (
            f"{module}: module docstrings are one line"
        )
        if path.name not in ("__init__.py", "__main__.py"):
            names = [
                t.id
                for n in tree.body
                if isinstance(n, ast.Assign)
                for t in n.targets
                if isinstance(t, ast.Name)
            ]
            assert "__all__" in names, f"{module}: no __all__"
