"""Print the Python 3.11 that `make setup` builds .venv on: a build made for speed when there is one.

Run by any Python 3 (standard library only): ``python3 src/find_python.py``. It asks every
``python3.11`` and ``python3`` on the ``PATH`` (then ``/usr/bin`` and ``/usr/local/bin``) what
it is, keeps the Python 3.11 interpreters that can create a virtual environment, and prints the
first one built for speed, else the first one. *Built for speed* means profile-guided
(``--enable-optimizations``) or an interpreter that does not run through a shared
``libpython`` (as Debian 12's ``/usr/bin/python3.11``). A default pyenv build is neither:
the pure-Python stages ran 12–17 % slower on it than on Debian's Python 3.11, with the same
output bytes (benchmarks/RESULTS.md, *The interpreter's build*). The choice changes only
speed; ``make setup PYTHON=...`` overrides it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

NAMES = ("python3.11", "python3")
EXTRA_DIRS = ("/usr/bin", "/usr/local/bin")

# What each candidate reports of itself (run by the candidate; any Python 3 can run it).
PROBE = r"""
import json, sys, sysconfig
try:
    import ensurepip, venv
    can_venv = True
except ImportError:
    can_venv = False
try:
    with open("/proc/self/maps") as maps:
        shared = "libpython" in maps.read()
except OSError:
    shared = None
print(json.dumps({
    "executable": getattr(sys, "_base_executable", None) or sys.executable,
    "version": list(sys.version_info[:2]),
    "pgo": "--enable-optimizations" in (sysconfig.get_config_var("CONFIG_ARGS") or ""),
    "shared_libpython": shared,
    "can_venv": can_venv,
}))
"""


def candidates(path: str | None = None) -> list[str]:
    """Every ``python3.11`` and ``python3`` on ``path`` (``PATH`` when None), in order, then
    those of /usr/bin and /usr/local/bin; each file once."""
    dirs = (path if path is not None else os.environ.get("PATH", "")).split(os.pathsep)
    found: list[str] = []
    for name in NAMES:
        for folder in [*dirs, *EXTRA_DIRS]:
            file = Path(folder or ".") / name
            if file.is_file() and os.access(file, os.X_OK) and str(file) not in found:
                found.append(str(file))
    return found


def describe(interpreter: str) -> dict | None:
    """What ``interpreter`` says of itself (:data:`PROBE`), or None when it cannot be run."""
    try:
        done = subprocess.run(
            [interpreter, "-I", "-c", PROBE], capture_output=True, text=True, timeout=30
        )
        return json.loads(done.stdout) if done.returncode == 0 else None
    except (OSError, subprocess.SubprocessError, ValueError):
        return None


def built_for_speed(info: dict) -> bool:
    """Profile-guided, or not running through a shared libpython (unknown counts as no)."""
    return bool(info["pgo"]) or info["shared_libpython"] is False


def choose(described: list[dict]) -> str | None:
    """The interpreter to build .venv on, from candidates' descriptions in search order."""
    usable, seen = [], set()
    for info in described:
        real = os.path.realpath(info["executable"])
        if info["version"] == [3, 11] and info["can_venv"] and real not in seen:
            seen.add(real)
            usable.append(info)
    fast = [info for info in usable if built_for_speed(info)]
    chosen = (fast or usable or [None])[0]
    return None if chosen is None else chosen["executable"]


def main() -> int:
    described = [info for info in map(describe, candidates()) if info is not None]
    chosen = choose(described)
    if chosen is None:
        print(
            "error: no Python 3.11 that can create a virtual environment was found on the PATH; "
            "install one (Debian/Ubuntu: apt-get install python3.11-venv) or give it with "
            "`make setup PYTHON=/path/to/python3.11`",
            file=sys.stderr,
        )
        return 1
    print(chosen)
    return 0


if __name__ == "__main__":
    sys.exit(main())
