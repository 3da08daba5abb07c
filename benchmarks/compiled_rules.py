"""Would compiling classify's rule code pay? The same Python built with mypyc, timed against the interpreter.

Usage (from the project root, project environment active):
    PYTHONPATH=src python benchmarks/compiled_rules.py --project DIR --mypyc MYPYC \
        [--docs 10000] [--offset 0] [--repeats 3]

DIR is a project copy whose ingest and preprocess have run (``profile_stages.py prepare``, then
``profile_stages.py pipeline --stages params ingest preprocess``). mypyc comes with mypy, which
the project does not depend on: install it apart, with the project's Python, e.g.
``python -m venv /tmp/mypyc && /tmp/mypyc/bin/pip install mypy==1.13.0 setuptools``, and pass
``--mypyc /tmp/mypyc/bin/mypyc``. A C compiler is needed.

What it measures: ``classify.table.classify_rows`` (the workers' whole per-document work) on
``--docs`` kept documents from ``--offset`` in doc_id order, in a fresh pinned process per
variant, each variant ``--repeats`` times after one warm-up batch:

- ``python``: the project's code, as the stage runs it;
- ``python, gc off``: the same with Python's cyclic garbage collector disabled (what the
  collector costs the rules; the batches are built one at a time, as a worker holds them,
  and only ``classify_rows`` is timed);
- ``mypyc``: a copy of ``src/analysis`` in a temporary folder whose rule modules (``MODULES``)
  are built by mypyc after their type annotations are removed. mypyc checks annotations and
  enforces them at run time; without them every value stays a Python object, so the compiled
  code does what the interpreter does and the figure is that of compilation alone, not of a
  typed rewrite.

Every variant must give the same rows (a digest of every column of every batch); the script
stops otherwise. Documents differ in cost by outlet (the corpus is in doc_id order, outlet by
outlet), so compare variants on the same ``--offset`` and ``--docs``. Nothing is appended to
RESULTS.md.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import ROOT, add_project_argument, run_timed

#: The modules of the per-unit rules and of what they call per paragraph.
MODULES = [
    "analysis/text/tokens.py",
    "analysis/text/clean.py",
    "analysis/classify/places.py",
    "analysis/classify/mentions.py",
    "analysis/classify/decide.py",
    "analysis/classify/confidence.py",
    "analysis/classify/scoring.py",
    "analysis/classify/rules.py",
    "analysis/classify/table.py",
]

# Run in a child process: prints one JSON line with the times and the digest.
_TIMING = r"""
import gc, hashlib, json, sys, time
from pathlib import Path
from analysis.core.runtime import ensure_pinned
ensure_pinned()
from analysis.classify.rules import Classifier
from analysis.classify.table import classify_rows, document_batches, read_classify_inputs
project, offset, n, repeats, gc_off = Path(sys.argv[1]), *map(int, sys.argv[2:6])
kept, paragraphs = read_classify_inputs(project / "data/processed/documents.parquet",
                                        project / "data/processed/paragraphs.parquet")
kept = kept.slice(offset, n)
classifier = Classifier.from_lexicons(project / "data/lexicons")
classify_rows(classifier, next(iter(document_batches(kept, paragraphs, 50))))
if gc_off:
    gc.disable()
times = []
for _ in range(repeats):
    # one batch at a time, as a worker holds them; only classify_rows is timed
    spent, out = 0.0, []
    for batch in document_batches(kept, paragraphs, 50):
        started = time.perf_counter()
        out.append(classify_rows(classifier, batch))
        spent += time.perf_counter() - started
    times.append(spent / kept.num_rows * 1e3)
digest = hashlib.sha256()
for rows in out:
    for column in rows.columns:
        digest.update(repr(column.to_pylist()).encode())
print(json.dumps({"ms_per_doc": times, "digest": digest.hexdigest()[:16],
                  "compiled": __import__("analysis.classify.places").classify.places.__file__}))
"""


class _Unannotated(ast.NodeTransformer):
    """Drop the annotations of functions and local variables; class and module fields become
    ``_Any`` (mypyc wants a return annotation on properties: ``_Any`` too)."""

    def __init__(self) -> None:
        self.depth = 0

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1
        is_property = any(getattr(d, "id", None) == "property" for d in node.decorator_list)
        node.returns = ast.Name("_Any", ast.Load()) if is_property else None
        arguments = node.args
        for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
            argument.annotation = None
        for argument in (arguments.vararg, arguments.kwarg):
            if argument is not None:
                argument.annotation = None
        return node

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.stmt:
        if self.depth:
            return ast.Assign([node.target], node.value) if node.value else ast.Pass()
        node.annotation = ast.Name("_Any", ast.Load())
        return node


def unannotated(source: str) -> str:
    """``source`` without annotations (see :class:`_Unannotated`), ``_Any`` imported."""
    tree = _Unannotated().visit(ast.parse(source))
    at = 0
    while at < len(tree.body) and (
        isinstance(tree.body[at], ast.Expr)
        or (isinstance(tree.body[at], ast.ImportFrom) and tree.body[at].module == "__future__")
    ):
        at += 1
    tree.body.insert(at, ast.parse("from typing import Any as _Any").body[0])
    text = ast.unparse(ast.fix_missing_locations(tree))
    # tokens.py's CharTable(_CHAR_MAP): mypy infers a narrower dict type than CharTable's
    # annotation accepts (dicts are invariant) and would refuse to build the module
    return text.replace("CharTable(_CHAR_MAP)\n", "CharTable(_CHAR_MAP)  # type: ignore\n")


def build_compiled(mypyc: str, folder: Path) -> Path:
    """A copy of src/analysis in ``folder`` with MODULES built by mypyc; the folder to import."""
    shutil.copytree(ROOT / "src" / "analysis", folder / "analysis")
    for module in MODULES:
        path = folder / module
        path.write_text(unannotated(path.read_text(encoding="utf-8")), encoding="utf-8")
    env = {**os.environ, "MYPYPATH": str(folder)}
    proc = subprocess.run(
        [mypyc, "--ignore-missing-imports", "--follow-imports=silent", *MODULES],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:  # mypy reports its errors on standard output
        raise SystemExit(f"mypyc failed:\n{(proc.stdout + proc.stderr)[-3000:]}")
    built = [m for m in MODULES if list((folder / m).parent.glob(Path(m).stem + ".*.so"))]
    if len(built) != len(MODULES):
        raise SystemExit(f"mypyc built {len(built)} of {len(MODULES)} modules")
    return folder


def time_variant(tree: Path, args: argparse.Namespace, gc_off: bool) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONHASHSEED": "0"}
    proc, _ = run_timed(
        [
            sys.executable,
            "-c",
            _TIMING,
            str(args.project.resolve()),
            str(args.offset),
            str(args.docs),
            str(args.repeats),
            str(int(gc_off)),
        ],
        cwd=ROOT,
        env=env,
        what=f"timing {tree}",
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_project_argument(parser)  # ingest and preprocess are what this benchmark reads
    parser.add_argument("--mypyc", required=True, help="the mypyc executable (see the docstring)")
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if not (args.project / "data/processed/paragraphs.parquet").is_file():
        raise SystemExit(
            f"{args.project}: no data/processed/paragraphs.parquet; run ingest and "
            "preprocess there first"
        )
    if shutil.which(args.mypyc) is None:
        raise SystemExit(f"--mypyc {args.mypyc}: not found (install mypy apart, see --help)")
    with tempfile.TemporaryDirectory(prefix="compiled-rules-") as tmp:
        compiled = build_compiled(args.mypyc, Path(tmp))
        variants = [
            ("python", ROOT / "src", False),
            ("python, gc off", ROOT / "src", True),
            ("mypyc", compiled, False),
        ]
        results = {name: time_variant(tree, args, gc_off) for name, tree, gc_off in variants}
    digests = {r["digest"] for r in results.values()}
    if len(digests) != 1:
        raise SystemExit(f"the variants disagree: {results}")
    base = statistics.median(results["python"]["ms_per_doc"])
    print(f"{args.docs} documents from {args.offset}, digest {digests.pop()}")
    for name, result in results.items():
        median = statistics.median(result["ms_per_doc"])
        runs = ", ".join(f"{t:.3f}" for t in result["ms_per_doc"])
        print(f"{name:15s} {median:.3f} ms/doc (runs {runs}), {median / base - 1:+.1%}")
    if not results["mypyc"]["compiled"].endswith(".so"):
        raise SystemExit("the mypyc variant imported the Python module, not the compiled one")


if __name__ == "__main__":
    main()
