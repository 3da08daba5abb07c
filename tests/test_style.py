"""The code passes the project's lint and format checks (ruff, configured in pyproject.toml).

Expected to fail on a branch until the code base has been formatted once: the integrator runs
`ruff check --fix src tests benchmarks && ruff format src tests benchmarks` when merging (README,
"Contributing"); from then on these tests keep it so, like the pre-commit hooks do before a commit.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUFF = Path(sys.executable).parent / "ruff"
CHECKED = ["src", "tests", "benchmarks"]

pytestmark = pytest.mark.skipif(not RUFF.is_file(), reason="ruff is not installed (make setup)")


def _ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(RUFF), *args, *CHECKED], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_ruff_is_the_pinned_version():
    """Rules and formatting change between ruff releases: the checks use the locked one."""
    pinned = re.search(
        r"^ruff==(\S+)", (ROOT / "requirements.in").read_text(encoding="utf-8"), re.M
    )[1]
    version = subprocess.run(
        [str(RUFF), "--version"], capture_output=True, text=True, check=True
    ).stdout.split()[1]
    assert version == pinned


def test_ruff_config_keeps_the_code_width():
    ruff = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ruff"]
    assert ruff["line-length"] == 100
    assert {"E", "F", "W", "I", "UP", "B"} <= set(ruff["lint"]["select"])
    for path in ruff["format"]["exclude"]:  # the size-limit exceptions exist (none left stale)
        assert (ROOT / path).is_file(), path


def test_ruff_check_passes():
    proc = _ruff("check", "--no-cache", "--output-format", "concise")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-1000:]


def test_ruff_format_check_passes():
    proc = _ruff("format", "--check", "--no-cache")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-1000:]
