"""The environment: exact, hash-pinned lock files, every import declared, the optional extras."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from importlib.util import find_spec
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_LOCK = ROOT / "requirements.lock"
LAB_LOCK = ROOT / "requirements-lab.lock"
EMBEDDINGS_LOCK = ROOT / "requirements-embeddings.lock"

# The transformer stack and what PyPI's Linux torch brings for CUDA: never in the default lock.
HEAVY = re.compile(
    r"(torch|torchvision|transformers|sentence-transformers|triton|nvidia-.+|cuda-.+)"
)
# Import names that differ from the name of the distribution that provides them.
DISTRIBUTION_OF_IMPORT = {
    "bs4": "beautifulsoup4",
    "IPython": "ipython",
    "PIL": "pillow",
    "Sastrawi": "pysastrawi",
    "sklearn": "scikit-learn",
    "umap": "umap-learn",
    "yaml": "pyyaml",
    "websocket": "websocket-client",
}
# Requirements that requirements.in leaves out on purpose: the only lines `pip check` may print in
# the default environment (bertopic's two disappear once the embeddings and lab extras are
# installed; debugpy and jedi, which ipykernel and IPython import only when they are there, come
# back with the lab extra).
LEFT_OUT = {
    ("bertopic", "sentence-transformers"),
    ("bertopic", "plotly"),
    ("ipykernel", "debugpy"),
    ("ipython", "jedi"),
}
_LOCK_LINE = re.compile(
    r"(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[A-Za-z0-9.+!_-]+)"
    r"(?P<hashes>(?:\s+--hash=sha256:[0-9a-f]{64})+)"
)


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _lock(path: Path) -> dict[str, str]:
    """name → version of a lock file; asserts that every requirement is exact and hashed."""
    text = re.sub(r"\\\n", " ", path.read_text(encoding="utf-8"))  # join continuation lines
    pins: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = _LOCK_LINE.fullmatch(line)
        assert match, f"{path.name}: not `name==version --hash=sha256:…`: {line[:100]}"
        name = _normalise(match["name"])
        assert name not in pins, f"{path.name}: {name} is pinned twice"
        pins[name] = match["version"]
    assert pins, f"{path.name} pins nothing"
    return pins


def _requirement_names(lines) -> set[str]:
    """Distribution names (extras and version specifiers dropped) of requirement strings."""
    names = set()
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line:
            names.add(_normalise(re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line)[0]))
    return names


def _in_file(name: str) -> set[str]:
    return _requirement_names((ROOT / name).read_text(encoding="utf-8").splitlines())


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _imports(source: str) -> list[tuple[str, bool]]:
    """(top-level module, imported inside a function) of every absolute import in ``source``."""
    found = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                found.extend((alias.name.split(".")[0], in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                found.append((child.module.split(".")[0], in_function))
            visit(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)))

    visit(ast.parse(source), False)
    return found


def _third_party(module: str, local: set[str]) -> bool:
    return module not in sys.stdlib_module_names and module not in local and module != "__future__"


def _distribution(module: str) -> str:
    return _normalise(DISTRIBUTION_OF_IMPORT.get(module, module))


def _sources(folder: str):
    """(path, code) of the Python files under ``folder`` and of the code cells of its notebooks."""
    for path in sorted((ROOT / folder).rglob("*.py")):
        yield path, path.read_text(encoding="utf-8")
    for path in sorted((ROOT / folder).rglob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                lines = "".join(cell["source"]).splitlines()
                yield (
                    path,
                    "\n".join(line for line in lines if not line.lstrip().startswith(("%", "!"))),
                )


@pytest.mark.parametrize("lock", [DEFAULT_LOCK, LAB_LOCK, EMBEDDINGS_LOCK], ids=lambda p: p.name)
def test_locks_are_exact_and_hash_pinned(lock):
    assert len(_lock(lock)) >= 10


def test_no_transformer_or_cuda_package_is_locked_by_default():
    heavy = sorted(name for name in _lock(DEFAULT_LOCK) | _lock(LAB_LOCK) if HEAVY.fullmatch(name))
    assert heavy == []
    # the embeddings extra has sentence-transformers, but never a CUDA package nor torch itself
    # (`make embeddings` installs torch's CPU build from PyTorch's index)
    embeddings = _lock(EMBEDDINGS_LOCK)
    assert "sentence-transformers" in embeddings
    assert (
        sorted(
            n
            for n in embeddings
            if HEAVY.fullmatch(n) and n != "sentence-transformers" and n != "transformers"
        )
        == []
    )


def test_direct_dependencies_are_locked():
    default, lab, embeddings = _lock(DEFAULT_LOCK), _lock(LAB_LOCK), _lock(EMBEDDINGS_LOCK)
    assert _in_file("requirements.in") - default.keys() == set()
    assert _in_file("requirements-lab.in") - default.keys() - lab.keys() == set()
    assert _in_file("requirements-embeddings.in") - default.keys() - embeddings.keys() == {"torch"}


def test_extras_add_to_the_default_lock_and_agree_with_each_other():
    default, lab, embeddings = _lock(DEFAULT_LOCK), _lock(LAB_LOCK), _lock(EMBEDDINGS_LOCK)
    assert lab.keys() & default.keys() == set()
    assert embeddings.keys() & default.keys() == set()
    assert {
        n: (lab[n], embeddings[n])
        for n in lab.keys() & embeddings.keys()
        if lab[n] != embeddings[n]
    } == {}


def test_requirements_in_files_match_pyproject():
    project = _pyproject()
    extras = project["optional-dependencies"]
    assert _in_file("requirements.in") == _requirement_names(
        project["dependencies"] + extras["test"]
    )
    assert _in_file("requirements-lab.in") == _requirement_names(extras["lab"])
    assert _in_file("requirements-embeddings.in") == _requirement_names(extras["embeddings"])
    assert "charset-normalizer" not in _in_file("requirements.in")  # nothing imports it


def test_every_import_in_src_is_a_declared_dependency():
    project = _pyproject()
    runtime = _requirement_names(project["dependencies"])
    embeddings = _requirement_names(project["optional-dependencies"]["embeddings"])
    problems = []
    for path, source in _sources("src"):
        for module, lazy in _imports(source):
            if not _third_party(module, {"analysis"}):
                continue
            dist = _distribution(module)
            if dist in runtime or (lazy and dist in embeddings):
                continue
            where = "pyproject `dependencies`" + ("" if not lazy else " or the embeddings extra")
            problems.append(f"{path.relative_to(ROOT)}: {module} ({dist}) is not in {where}")
    assert problems == []


# Imported only behind pytest.importorskip or a benchmark's own check, never installed by a lock:
# reference implementations that a test or benchmark compares against when someone has them.
REFERENCE_ONLY = {
    "gensim": "CoherenceModel, the reference our coherence code is checked against (stored values in CI)",
    "duckdb": "the second engine of benchmarks/proto_compare.py, measured against pyarrow",
}


def test_every_import_in_tests_benchmarks_and_notebooks_is_declared():
    declared = (
        _in_file("requirements.in")
        | _in_file("requirements-lab.in")
        | _in_file("requirements-embeddings.in")
        | set(REFERENCE_ONLY)
    )
    local = {"analysis"} | {
        p.stem for folder in ("tests", "benchmarks") for p in (ROOT / folder).rglob("*.py")
    }
    problems = sorted(
        f"{path.relative_to(ROOT)}: {module}"
        for folder in ("tests", "benchmarks", "notebooks")
        for path, source in _sources(folder)
        for module, _ in _imports(source)
        if _third_party(module, local) and _distribution(module) not in declared
    )
    assert problems == []


def test_import_names_map_to_the_installed_distributions():
    installed = metadata.packages_distributions()
    for module, dist in DISTRIBUTION_OF_IMPORT.items():
        if module in installed:
            assert dist in {_normalise(d) for d in installed[module]}, module


def test_conda_environment_takes_its_packages_from_the_lock():
    import yaml

    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    env = yaml.safe_load(text)
    # a `pip:` section would resolve bertopic's left-out requirements; the lock is installed by
    # the documented second command instead
    assert env["dependencies"] == ["python=3.11", "pip"]
    assert "pip install --no-deps --require-hashes -r requirements.lock" in text
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    exported = dict(re.findall(r"^export (\w+) :?= (\S+)$", makefile, re.M))
    assert env["variables"] == {
        k: v for k, v in exported.items() if k not in {"PATH", "PYTHONPATH"}
    }


def test_pip_check_reports_only_what_bertopic_is_installed_without():
    result = subprocess.run(
        [sys.executable, "-m", "pip", "check"], capture_output=True, text=True, check=False
    )
    problems = []
    for line in result.stdout.splitlines():
        missing = re.fullmatch(r"(\S+) \S+ requires (\S+), which is not installed\.", line.strip())
        if not (missing and (_normalise(missing[1]), _normalise(missing[2])) in LEFT_OUT):
            problems.append(line)
    assert problems == [], result.stdout + result.stderr


@pytest.mark.skipif(
    not (Path(sys.prefix) / ".coopnews-installed").is_file(),
    reason="not an environment built by `make setup`",
)
def test_environment_built_by_make_is_exactly_the_lock():
    expected = _lock(DEFAULT_LOCK)
    if (Path(sys.prefix) / ".coopnews-lab").is_file():
        expected |= _lock(LAB_LOCK)
    if (Path(sys.prefix) / ".coopnews-embeddings").is_file():
        expected |= _lock(EMBEDDINGS_LOCK)
    installed = {_normalise(d.metadata["Name"]): d.version for d in metadata.distributions()}
    # pip comes with the venv, the project is installed in editable mode, torch by its own command
    extra = {"pip", "coopnews-analysis"} | ({"torch"} if "torch" in installed else set())
    assert {n: v for n, v in installed.items() if n not in extra and expected.get(n) != v} == {}
    assert expected.keys() - installed.keys() == set()


def test_without_the_embeddings_extra_the_messages_name_its_install_command(tmp_path):
    if find_spec("sentence_transformers") is not None:
        pytest.skip("the embeddings extra is installed")
    import yaml

    from analysis.core.config import ParamsError, check_stage
    from analysis.core.errors import UserError
    from analysis.topics.embeddings import load_sentence_model

    with pytest.raises(UserError, match=r"embeddings extra is not installed .*`make embeddings`"):
        load_sentence_model(str(tmp_path / "model"))
    params = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    params["ingest"]["metadata_file"] = ""
    params["topics"]["embedding"] = "sentence-transformers/all-MiniLM-L6-v2"
    for folder in ("data/raw", "data/annotations"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params), encoding="utf-8")
    with pytest.raises(ParamsError, match=r"not available offline: .*`make embeddings`$"):
        check_stage("topics", tmp_path / "params.yaml")


def test_embeddings_extra_embeds_two_sentences_with_a_local_model(tmp_path):
    pytest.importorskip("sentence_transformers")
    import torch
    from test_embeddings import _tiny_sentence_model

    from analysis.topics.embeddings import load_sentence_model

    locked = _lock(EMBEDDINGS_LOCK)
    for name in ("sentence-transformers", "transformers", "tokenizers", "huggingface-hub"):
        assert metadata.version(name) == locked[name], name
    torch_pin = re.search(
        r"^torch==(\S+)", (ROOT / "requirements-embeddings.in").read_text(encoding="utf-8"), re.M
    )[1]
    assert torch.__version__.split("+")[0] == torch_pin
    model = load_sentence_model(str(_tiny_sentence_model(tmp_path / "tiny-model")))
    vectors = model.encode(
        [
            "Jakarta dan Bekasi menjalin kerja sama sampah.",
            "Kerja sama sister city Jakarta Kuala Lumpur.",
        ],
        convert_to_numpy=True,
        normalize_embeddings=True,
    )
    assert vectors.shape == (2, 16)
    assert abs(float(vectors[0] @ vectors[0]) - 1) < 1e-5
    assert float(vectors[0] @ vectors[1]) < 0.999  # two different sentences, two directions
