"""The pinned numeric environment (analysis.core.runtime): what it sets and that it takes effect."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from analysis.core import runtime

ROOT = Path(__file__).resolve().parents[2]

_REPORT = (
    "import json, os\n"
    "from analysis.core import runtime\n"
    "runtime.ensure_pinned()\n"
    "import numpy\n"
    "print(json.dumps({'problems': runtime.problems(), 'pid': os.getpid(),\n"
    "                  'numba': os.environ.get('NUMBA_CPU_NAME')}))\n"
)


def _unpinned_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in runtime.PINNED and k not in ("GLIBC_TUNABLES", "COOPNEWS_PINNED")
    }
    env["PYTHONPATH"] = str(ROOT / "src")
    # what a user's shell might hold: a native numba target and a newer BLAS kernel
    env.update(NUMBA_CPU_NAME="host", OPENBLAS_CORETYPE="Haswell", NPY_DISABLE_CPU_FEATURES="")
    return env


def test_pinned_environment_sets_every_setting_and_keeps_other_tunables():
    env = runtime.pinned_environment(
        {"PATH": "/bin", "GLIBC_TUNABLES": "glibc.malloc.arena_max=2:glibc.cpu.hwcaps=-AVX512F"}
    )
    assert env["PATH"] == "/bin"
    assert env["NUMBA_CPU_NAME"] == "generic" and env["NUMBA_CPU_FEATURES"] == ""
    assert env["OPENBLAS_CORETYPE"] == "Nehalem" and env["OMP_NUM_THREADS"] == "1"
    assert env["PYTHONHASHSEED"] == "0"
    tunables = env["GLIBC_TUNABLES"].split(":")
    assert "glibc.malloc.arena_max=2" in tunables
    assert [t for t in tunables if t.startswith("glibc.cpu.hwcaps=")] == [
        f"glibc.cpu.hwcaps={runtime.GLIBC_HWCAPS_MASK}"
    ]
    assert "-FMA" in runtime.GLIBC_HWCAPS_MASK.split(",")
    assert runtime.is_pinned(env)
    assert not runtime.is_pinned({**env, "NUMBA_CPU_NAME": "skylake-avx512"})
    assert not runtime.is_pinned({**env, "GLIBC_TUNABLES": ""})


def test_an_unpinned_process_is_re_executed_with_every_setting_in_effect():
    proc = subprocess.run(
        [sys.executable, "-c", _REPORT],
        env=_unpinned_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    report = json.loads(proc.stdout)
    assert report["problems"] == [], report  # NumPy dispatch, OpenBLAS kernel, glibc, threads
    assert report["numba"] == "generic"


def test_problems_names_what_is_not_pinned():
    probe = (
        "import json\nfrom analysis.core import runtime\nimport numpy, numba.core.config\n"
        "print(json.dumps(runtime.problems()))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe],
        env=_unpinned_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found = json.loads(proc.stdout)
    text = " ".join(found)
    assert "NUMBA_CPU_NAME='host'" in text
    assert "OPENBLAS_CORETYPE='Haswell'" in text
    assert "GLIBC_TUNABLES" in text
    assert "numba compiles for 'host'" in text


def test_python_m_analysis_runs_pinned():
    probe = (
        "import os, sys; print(os.environ.get('NUMBA_CPU_NAME'), "
        "os.environ.get('OPENBLAS_CORETYPE'))"
    )
    env = _unpinned_env()
    proc = subprocess.run(
        [sys.executable, "-m", "analysis", "params", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    # ensure_pinned() runs the given arguments again in the pinned environment
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from analysis.core.runtime import "
            "ensure_pinned; ensure_pinned(['-c', " + repr(probe) + "])",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert proc.stdout.split() == ["generic", "Nehalem"]


def test_stage_launcher_names_the_fix_when_the_environment_is_not_active(tmp_path):
    # An interpreter without the project's packages: a bare venv (no site packages).
    import venv

    venv.EnvBuilder(with_pip=False).create(tmp_path / "bare")
    bare = tmp_path / "bare" / "bin" / "python"
    proc = subprocess.run(
        [str(bare), str(ROOT / "src" / "stage.py"), "topics"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "environment is not active" in lines[0]
    assert "source .venv/bin/activate" in lines[0] and "conda activate coopnews" in lines[0]
    assert "Traceback" not in proc.stderr


_CACHE_PROBE = """
import sys
from pathlib import Path
from analysis.core.runtime import cache_numba
assert cache_numba(sys.argv[1]) is True
import numba
@numba.njit
def twice(x):
    return 2 * x
print(twice(21), sorted(p.suffix for p in Path(sys.argv[1]).rglob('*') if p.is_file()))
"""


def test_cache_numba_writes_compiled_code_and_reloads_it(tmp_path):
    """njit defaults to cache=True under cache_numba: the first process writes an index and
    machine code into the folder, the second loads them (no new files), same result."""
    import subprocess
    import sys

    from analysis.core.runtime import pinned_environment

    script = tmp_path / "probe.py"
    script.write_text(_CACHE_PROBE)
    cache = tmp_path / "numba"
    runs = [
        subprocess.run(
            [sys.executable, str(script), str(cache)],
            capture_output=True,
            text=True,
            env=pinned_environment(),
            check=True,
        ).stdout.strip()
        for _ in range(2)
    ]
    assert runs[0] == runs[1] == "42 ['.nbc', '.nbi']"
    assert len(list(cache.rglob("*.nbc"))) == 1


def test_cache_numba_does_nothing_once_umap_is_imported(monkeypatch, tmp_path):
    import sys
    import types

    from analysis.core.runtime import cache_numba

    monkeypatch.setitem(sys.modules, "umap", types.ModuleType("umap"))
    assert cache_numba(tmp_path) is False
    assert not tmp_path.joinpath("numba").exists()


_ARROW_THREADS = """
import json, os
import pyarrow as pa
from analysis.core.runtime import arrow_threads
before = pa.cpu_count()
used = arrow_threads(2)
one = arrow_threads(1)
print(json.dumps({"before": before, "used": used, "after": pa.cpu_count(), "one": one,
                  "available": len(os.sched_getaffinity(0))}))
"""


def test_arrow_threads_undo_the_pinned_single_thread_in_the_stage_process():
    # OMP_NUM_THREADS=1 (pinned for BLAS) also sizes Arrow's pool: one thread until a stage
    # asks for compute.n_jobs, never more than the CPUs this process may use
    proc = subprocess.run(
        [sys.executable, "-c", _ARROW_THREADS],
        env=runtime.pinned_environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    report = json.loads(proc.stdout)
    assert report["before"] == 1
    assert report["used"] == min(2, report["available"])
    assert report["one"] == 1 and report["after"] == 1
