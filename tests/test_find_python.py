"""src/find_python.py: which Python 3.11 `make setup` builds .venv on."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("find_python", ROOT / "src" / "find_python.py")
find_python = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(find_python)


def _info(executable, *, version=(3, 11), pgo=False, shared=True, can_venv=True):
    return {
        "executable": executable,
        "version": list(version),
        "pgo": pgo,
        "shared_libpython": shared,
        "can_venv": can_venv,
    }


def test_a_build_for_speed_wins_over_an_earlier_default_build():
    described = [
        _info("/home/u/.pyenv/versions/3.11.7/bin/python3.11"),  # shared libpython, no PGO
        _info("/usr/bin/python3.11", shared=False),  # Debian's static interpreter
    ]
    assert find_python.choose(described) == "/usr/bin/python3.11"


def test_a_profile_guided_build_counts_as_built_for_speed_even_with_a_shared_libpython():
    described = [_info("/opt/a/python3.11"), _info("/opt/pgo/python3.11", pgo=True)]
    assert find_python.choose(described) == "/opt/pgo/python3.11"


def test_without_a_fast_build_the_first_usable_one_is_chosen():
    described = [
        _info("/opt/old/python3", version=(3, 10), shared=False),  # wrong version
        _info("/opt/novenv/python3.11", shared=False, can_venv=False),  # no venv module
        _info("/opt/first/python3.11"),
        _info("/opt/second/python3.11", shared=None),  # unknown linkage: not counted as fast
    ]
    assert find_python.choose(described) == "/opt/first/python3.11"


def test_nothing_usable_gives_none():
    assert find_python.choose([]) is None
    assert find_python.choose([_info("/opt/p/python3.12", version=(3, 12))]) is None


def test_candidates_follow_the_path_order_and_skip_what_cannot_run(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    for folder in (first, second):
        folder.mkdir()
    for file, mode in (
        (first / "python3", 0o755),
        (second / "python3.11", 0o755),
        (first / "python3.11", 0o644),  # not executable
    ):
        file.write_text("#!/bin/sh\n")
        file.chmod(mode)
    found = find_python.candidates(os.pathsep.join([str(first), str(second), str(first)]))
    ours = [f for f in found if f.startswith(str(tmp_path))]
    assert ours == [str(second / "python3.11"), str(first / "python3")]


def test_this_interpreter_describes_itself():
    info = find_python.describe(sys.executable)
    assert info is not None
    assert info["version"] == [3, 11]
    assert info["can_venv"] is True
    with open("/proc/self/maps", encoding="utf-8") as maps:
        assert info["shared_libpython"] is ("libpython" in maps.read())
    assert Path(info["executable"]).exists()


def test_an_interpreter_that_cannot_run_is_left_out(tmp_path):
    broken = tmp_path / "python3.11"
    broken.write_text("#!/bin/sh\nexit 3\n")
    broken.chmod(0o755)
    assert find_python.describe(str(broken)) is None


def test_no_interpreter_found_is_one_line_naming_the_way_out(monkeypatch, capsys):
    monkeypatch.setattr(find_python, "candidates", lambda path=None: [])
    assert find_python.main() == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "PYTHON=" in err and "python3.11-venv" in err


@pytest.mark.skipif(not os.environ.get("CI"), reason="CI builds .venv from scratch with make")
def test_ci_builds_the_environment_on_the_chosen_interpreter():
    """On a clean clone `make test` made `.venv` from find_python's choice (unless PYTHON=...)."""
    venv = ROOT / ".venv"
    if Path(sys.prefix).resolve() != venv.resolve() or os.environ.get("PYTHON"):
        pytest.skip("the tests do not run in the default .venv made without PYTHON=")
    chosen = find_python.choose(
        [i for i in map(find_python.describe, find_python.candidates()) if i is not None]
    )
    home = (venv / "pyvenv.cfg").read_text(encoding="utf-8")
    assert f"home = {Path(chosen).parent}\n" in home
