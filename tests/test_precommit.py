"""The pre-commit hooks are local (nothing downloaded at hook time) and their checks work."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
LARGE_FILES = ROOT / ".ci" / "check_large_files.py"


def _hooks() -> dict[str, dict]:
    return {hook["id"]: hook for repo in CONFIG["repos"] for hook in repo["hooks"]}


def test_every_hook_is_local_and_runs_the_project_environment():
    assert [repo["repo"] for repo in CONFIG["repos"]] == ["local"]
    hooks = _hooks()
    assert set(hooks) == {"ruff-check", "ruff-format", "nbclean", "large-files"}
    assert {hook["language"] for hook in hooks.values()} <= {"system", "unsupported"}
    assert hooks["ruff-check"]["entry"].startswith("ruff check")
    assert hooks["ruff-format"]["entry"].startswith("ruff format")
    # the formatter's exclude list in pyproject.toml applies to files pre-commit names, too
    assert "--force-exclude" in hooks["ruff-format"]["entry"]
    assert hooks["nbclean"]["entry"] == "python -m analysis nbclean --source"


def test_large_file_check_refuses_only_files_over_the_limit(tmp_path):
    small, large = tmp_path / "small.csv", tmp_path / "large.bin"
    small.write_bytes(b"x" * 2048)
    large.write_bytes(b"x" * 2049)
    command = [sys.executable, str(LARGE_FILES), "--max-kb", "2"]
    ok = subprocess.run(
        [*command, str(small), str(tmp_path / "deleted.txt")], capture_output=True, text=True
    )
    assert ok.returncode == 0 and ok.stderr == ""
    refused = subprocess.run([*command, str(small), str(large)], capture_output=True, text=True)
    assert refused.returncode == 1
    assert refused.stderr.startswith(f"{large}: 2,049 bytes, over the 2 KiB limit")
    assert str(small) not in refused.stderr


def test_no_committed_file_is_over_the_hook_limit():
    tracked = (
        subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
        .stdout.decode()
        .split("\0")
    )
    proc = subprocess.run(
        [sys.executable, str(LARGE_FILES), *filter(None, tracked)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
