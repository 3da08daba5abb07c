"""Digest every pipeline output of a fresh `dvc repro`, to show that a change kept them the same.

Usage (from the project root, with the project environment active):

    python benchmarks/output_digests.py --rev d37831a --out benchmarks/digests/d37831a.json
    python benchmarks/output_digests.py --rev HEAD --out benchmarks/out/digests-head.json
    python benchmarks/output_digests.py --out benchmarks/out/digests-now.json   # working tree
    python benchmarks/output_digests.py --compare benchmarks/digests/d37831a.json B.json

For each corpus, a copy of the project (``--rev`` a commit via ``git archive``, default the
working tree as the tests copy it) runs ``dvc repro`` in a temporary folder and the sha256 of
every file under ``data/processed/`` and ``reports/`` is recorded (``dvc.lock`` is left out:
its ``deps`` list file paths and their md5, which a move of code changes). Two corpora:

* ``seed``: the bundled articles, params.yaml as committed;
* ``clickid1k``: the first 1,000 lines of the clickid corpus, written into a ``.jsonl.gz`` in
  the temporary copy (never into the repository), with ``ingest.raw_dir`` pointing at it and
  ``ingest.metadata_file: ""``.

The clickid corpus is also linked as ``../shared/corpora/clickid/articles.jsonl.gz`` beside the
copy, where params.yaml's ``classify.clickid_path`` looks for it, so the gold evaluation scores
the clickid gold articles as it does for the committed reports.

Executed notebooks legitimately change when their code cells change, so for
``reports/notebooks/*.ipynb`` the digest covers the cell outputs only (in order, execution
counts left out), and for the rendered pages ``reports/notebooks/0N_*.html`` the rendered
markdown and outputs only (code is folded into ``<details>`` blocks that are left out).
Everything else is compared byte for byte.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from pipeline_utils import copy_project, pipeline_env, run_ok, set_params  # noqa: E402

CORPORA = ("seed", "clickid1k")
SAMPLE_LINES = 1000
SAMPLE_DIR = "data/raw-clickid-1k"
DEFAULT_CLICKID = Path(
    os.environ.get(
        "CLICKID_PATH", ROOT.parent / "shared" / "corpora" / "clickid" / "articles.jsonl.gz"
    )
)


def _copy_rev(rev: str, dest: Path) -> Path:
    """The project as committed at ``rev`` (no reports, no dvc.lock), as a fresh git repository."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", rev], capture_output=True, check=True
    ).stdout
    dest.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        members = [
            m
            for m in tar.getmembers()
            if not m.name.startswith("reports/") and m.name != "dvc.lock"
        ]
        tar.extractall(dest, members=members, filter="data")
    run_ok(["git", "init", "-q"], dest)
    return dest


def _write_sample(corpus: Path, target: Path, lines: int) -> None:
    """The first ``lines`` lines of the corpus as a gzip file with a fixed header."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        gzip.open(corpus, "rb") as source,
        target.open("wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as out,
    ):
        for n, line in enumerate(source):
            if n >= lines:
                break
            out.write(line)


def _notebook_outputs(path: Path) -> bytes:
    """The outputs of every code cell, in order, without execution counts."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    outputs = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            outputs.append({k: v for k, v in output.items() if k != "execution_count"})
    return json.dumps(outputs, sort_keys=True, ensure_ascii=False).encode("utf-8")


def _page_outputs(path: Path) -> bytes:
    """A rendered notebook page without its folded code: prose and outputs, in order."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    for details in soup.find_all("details", class_="reader-code"):
        details.decompose()
    parts = [
        str(element)
        for element in soup.find_all(class_=["jp-OutputArea-output", "jp-MarkdownOutput"])
    ]
    return "\n".join(parts).encode("utf-8")


def digests(project: Path) -> dict[str, str]:
    """sha256 of every output file (notebooks: their outputs; pages: prose and outputs)."""
    found = {}
    for top in ("data/processed", "reports"):
        for path in sorted((project / top).rglob("*")):
            if not path.is_file():
                continue
            rel = path.relative_to(project).as_posix()
            if rel.startswith("reports/notebooks/") and path.suffix == ".ipynb":
                data = _notebook_outputs(path)
            elif (
                rel.startswith("reports/notebooks/")
                and path.suffix == ".html"
                and path.name != "index.html"
            ):
                data = _page_outputs(path)
            else:
                data = path.read_bytes()
            found[rel] = hashlib.sha256(data).hexdigest()
    return found


def run_corpus(corpus: str, rev: str | None, clickid: Path, workdir: Path) -> dict:
    """Copy the project, set up one corpus, run `dvc repro` and digest the outputs."""
    base = workdir / corpus
    shared = base / "shared" / "corpora" / "clickid"
    shared.mkdir(parents=True)
    (shared / "articles.jsonl.gz").symlink_to(clickid.resolve())
    project = base / "project"
    if rev:
        _copy_rev(rev, project)
    else:
        copy_project(project)
    if corpus == "clickid1k":
        _write_sample(clickid, project / SAMPLE_DIR / "articles.jsonl.gz", SAMPLE_LINES)
        set_params(project, ingest={"raw_dir": SAMPLE_DIR, "metadata_file": ""})
    started = time.perf_counter()
    run_ok(["dvc", "repro"], project, env=pipeline_env(project))
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 1), "files": digests(project)}


def compare(first: dict, second: dict) -> int:
    """Print the differences between two digest files; 0 when every output is the same."""
    status = 0
    for corpus in sorted(set(first["corpora"]) | set(second["corpora"])):
        a = first["corpora"].get(corpus, {}).get("files")
        b = second["corpora"].get(corpus, {}).get("files")
        if a is None or b is None:
            print(f"{corpus}: only in one of the two files")
            status = 1
            continue
        changed = sorted(k for k in a.keys() & b.keys() if a[k] != b[k])
        only = sorted(a.keys() ^ b.keys())
        if changed or only:
            status = 1
        print(
            f"{corpus}: {len(a)} vs {len(b)} outputs; {len(changed)} differ; "
            f"{len(only)} in one only"
        )
        for name in changed:
            print(f"  differs: {name}")
        for name in only:
            print(f"  only in {'first' if name in a else 'second'}: {name}")
    print("identical" if status == 0 else "DIFFERENT")
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rev", help="digest this commit (git archive) instead of the working tree"
    )
    parser.add_argument(
        "--corpus", choices=CORPORA, action="append", help="corpora to run (default: both)"
    )
    parser.add_argument(
        "--clickid",
        type=Path,
        default=DEFAULT_CLICKID,
        help="the clickid corpus (default: $CLICKID_PATH or ../shared/...)",
    )
    parser.add_argument("--out", type=Path, help="write the digests here as JSON")
    parser.add_argument(
        "--compare",
        nargs=2,
        type=Path,
        metavar=("A", "B"),
        help="compare two digest files instead of running the pipeline",
    )
    args = parser.parse_args(argv)
    if args.compare:
        first, second = (json.loads(p.read_text(encoding="utf-8")) for p in args.compare)
        return compare(first, second)
    if not args.clickid.is_file():
        parser.error(f"clickid corpus not found at {args.clickid}; pass --clickid")
    rev = "working tree"
    if args.rev:
        rev = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", args.rev],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    result = {"rev": rev, "corpora": {}}
    with tempfile.TemporaryDirectory(prefix="digests-") as tmp:
        for corpus in args.corpus or CORPORA:
            result["corpora"][corpus] = run_corpus(corpus, args.rev, args.clickid, Path(tmp))
            print(
                f"{corpus}: {len(result['corpora'][corpus]['files'])} outputs in "
                f"{result['corpora'][corpus]['seconds']} s",
                file=sys.stderr,
            )
    text = json.dumps(result, indent=1, sort_keys=True) + "\n"
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
