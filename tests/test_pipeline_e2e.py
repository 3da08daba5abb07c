"""The whole pipeline, run with `dvc repro` in a temporary copy of the project.

Checks what a researcher relies on: every stage produces its outputs on a fresh copy, a second
`dvc repro` has nothing to do, and `dvc repro -f` reproduces every committed output byte for
byte (so a fresh clone that reruns the pipeline leaves `git status` clean). The raw corpus is
made read-only first: no stage may write into it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _project_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True,
        text=True, check=True,
    ).stdout.splitlines()
    # Start without any generated output, as on a clone where reports were never built.
    return [f for f in out if not f.startswith("reports/") and f != "dvc.lock"]


def _env(copy: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}", PYTHONPATH=str(copy / "src"),
               DVC_NO_ANALYTICS="1", PYTHONHASHSEED="0", MPLBACKEND="Agg", TQDM_DISABLE="1",
               HF_HUB_OFFLINE="1")
    return env


def _run(args: list[str], copy: Path) -> str:
    proc = subprocess.run(args, cwd=copy, env=_env(copy), capture_output=True, text=True)
    assert proc.returncode == 0, f"{' '.join(args)} failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    return proc.stdout + proc.stderr


def _digests(copy: Path) -> dict[str, str]:
    files = [p for p in (copy / "reports").rglob("*") if p.is_file()] + [copy / "dvc.lock"]
    return {str(p.relative_to(copy)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@pytest.fixture(scope="module")
def pipeline_copy(tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("project")
    for rel in _project_files():
        src = ROOT / rel
        if src.is_file():
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, copy / rel)
    for path in (copy / "data" / "raw").rglob("*"):
        path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    (copy / "data" / "raw").chmod(0o555)
    _run(["git", "init", "-q"], copy)
    _run(["dvc", "repro"], copy)
    return copy


@pytest.mark.slow
def test_every_stage_writes_its_outputs(pipeline_copy):
    expected = [
        "data/processed/documents.parquet", "data/processed/rejects.csv",
        "data/processed/paragraphs.parquet", "data/processed/classified.parquet",
        "data/processed/topics.parquet", "reports/notebooks/index.html",
        "reports/brief_en.pdf", "reports/brief_id.pdf",
    ] + [f"reports/notebooks/0{i}_{n}.{ext}" for i, n in enumerate(
        ["ingest", "preprocess", "classify", "topics", "compare"], start=1) for ext in ("ipynb", "html")]
    missing = [rel for rel in expected if not (pipeline_copy / rel).is_file()]
    assert not missing
    assert list((pipeline_copy / "reports" / "figures" / "compare").glob("*.png"))
    assert list((pipeline_copy / "reports" / "metrics").glob("*.json"))


@pytest.mark.slow
def test_second_repro_is_a_no_op_and_status_is_clean(pipeline_copy):
    status = _run(["dvc", "status"], pipeline_copy)
    assert "up to date" in status.lower(), status
    again = _run(["dvc", "repro"], pipeline_copy)
    assert "Running stage" not in again, again


@pytest.mark.slow
def test_forced_rerun_is_byte_identical(pipeline_copy):
    before = _digests(pipeline_copy)
    _run(["dvc", "repro", "-f"], pipeline_copy)
    after = _digests(pipeline_copy)
    changed = sorted(k for k in before if before[k] != after.get(k))
    assert not changed, f"outputs differ after dvc repro -f: {changed}"
    assert set(before) == set(after)
