"""The pinned numeric environment: the same output bytes on any x86-64 CPU, not only on this one.

Several libraries pick machine code for the CPU they run on, and the choices round floats
differently in the last bit. UMAP's stochastic layout amplifies such a bit into a different
topic solution, so every process the pipeline starts runs with these settings:

* numba compiles for the baseline x86-64 target (``NUMBA_CPU_NAME=generic``, no extra
  features): no AVX/FMA code in UMAP or pynndescent, whatever the host offers;
* NumPy's runtime dispatch is limited to its build baseline (x86-64-v2): its AVX2/AVX-512
  loops (``exp``, ``log``, ``power`` …) round differently from the baseline ones;
* OpenBLAS uses one kernel family, ``Nehalem`` (SSE only, so any CPU that runs NumPy runs it),
  single-threaded: its kernels for newer cores sum in other orders;
* glibc's libm is kept off its FMA/AVX variants (``GLIBC_TUNABLES``), whose ``exp``, ``log``,
  ``pow``, ``sin`` … differ in the last bit from the SSE2 ones;
* one thread for OpenMP and numba, and Arrow without SIMD dispatch.

The loader and glibc read some of these only when a process starts, so :func:`ensure_pinned`
re-executes the current command with them once; child processes (worker pools, Dask workers
started by the pipeline, a Papermill kernel when one is asked for) inherit them. A stage's
notebook runs in the stage's own process, so it is pinned by the same re-execution. :func:`problems` checks, inside any
process, that the settings really took effect.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

__all__ = [
    "arrow_threads",
    "PINNED",
    "GLIBC_HWCAPS_MASK",
    "pinned_environment",
    "is_pinned",
    "ensure_pinned",
    "problems",
    "summary",
    "NUMBA_CACHE_ENV",
    "cache_numba",
]

# Every NumPy dispatch target above the x86-64-v2 baseline of NumPy 2.4's wheels. A new NumPy
# with new target names is caught by problems() (and its test): the list is then updated here.
_NUMPY_DISPATCH_TARGETS = ("X86_V3", "X86_V4", "AVX512_ICL", "AVX512_SPR")
# glibc's libm chooses its FMA/FMA4/AVX variants by these CPU features; masking them selects the
# SSE2 code that every x86-64 CPU runs. glibc 2.33+ spells them without "_Usable", older releases
# with it; names a release does not know are ignored.
_GLIBC_MASKED = ("AVX", "AVX2", "FMA", "FMA4", "AVX512F")
GLIBC_HWCAPS_MASK = ",".join(
    [f"-{name}" for name in _GLIBC_MASKED] + [f"-{name}_Usable" for name in _GLIBC_MASKED]
)
_GLIBC_TUNABLE = "glibc.cpu.hwcaps"
BLAS_CORETYPE = "Nehalem"

PINNED: Mapping[str, str] = {
    "NUMBA_CPU_NAME": "generic",
    "NUMBA_CPU_FEATURES": "",
    "NUMBA_NUM_THREADS": "1",
    "NPY_DISABLE_CPU_FEATURES": " ".join(_NUMPY_DISPATCH_TARGETS),
    "OPENBLAS_CORETYPE": BLAS_CORETYPE,
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "ARROW_USER_SIMD_LEVEL": "NONE",
}
# Set for repeatability, not verified: no output may depend on set order (Dask's nanny gives its
# workers a hash seed of its own, and the Dask backend is tested to give the same bytes).
_HASH_SEED = {"PYTHONHASHSEED": "0"}
# Where compiled numba code is kept between runs: this variable, else ``.cache/numba`` under the
# working directory (the project root in every stage); git ignores ``.cache/``.
NUMBA_CACHE_ENV = "COOPNEWS_NUMBA_CACHE"
# Set in the re-executed process, so a second ensure_pinned() does not loop.
_MARKER = "COOPNEWS_PINNED"


def _glibc_tunables(current: str) -> str:
    """``current`` GLIBC_TUNABLES with the hwcaps mask set (other tunables are kept)."""
    kept = [
        item for item in current.split(":") if item and not item.startswith(_GLIBC_TUNABLE + "=")
    ]
    return ":".join([*kept, f"{_GLIBC_TUNABLE}={GLIBC_HWCAPS_MASK}"])


def pinned_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) with every pinned setting applied."""
    env = dict(os.environ if base is None else base)
    env.update(PINNED)
    env.update(_HASH_SEED)
    env["GLIBC_TUNABLES"] = _glibc_tunables(env.get("GLIBC_TUNABLES", ""))
    env[_MARKER] = "1"
    return env


def is_pinned(env: Mapping[str, str] | None = None) -> bool:
    """Whether ``env`` (default: this process's) holds every pinned setting."""
    env = os.environ if env is None else env
    return all(
        env.get(key) == value for key, value in PINNED.items()
    ) and f"{_GLIBC_TUNABLE}={GLIBC_HWCAPS_MASK}" in env.get("GLIBC_TUNABLES", "").split(":")


def ensure_pinned(argv: Sequence[str] | None = None) -> None:
    """Re-execute this process with the pinned environment unless it already has it.

    Call it first thing in a command's entry point, before NumPy, numba or Arrow are imported.
    It returns only in a pinned process; otherwise it replaces the process (same interpreter,
    same arguments) and never returns.

    Args:
        argv: the interpreter arguments to run again (default: ``sys.orig_argv`` without the
            interpreter itself, e.g. ``["-m", "analysis", "stage", "topics"]``).
    """
    if is_pinned():
        return
    if os.environ.get(_MARKER):
        # Already re-executed once and still not pinned: something strips the environment.
        # Go on rather than loop; problems() reports what is missing.
        return
    args = list(sys.orig_argv[1:] if argv is None else argv)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, [sys.executable, *args], pinned_environment())


def problems() -> list[str]:
    """What in this process differs from the pinned environment (empty when all is pinned).

    Imports NumPy and threadpoolctl; numba's settings are checked when it is already imported
    (it reads them from the environment, which is checked in any case).
    """
    found = [
        f"{key}={os.environ.get(key)!r} (pinned: {value!r})"
        for key, value in PINNED.items()
        if os.environ.get(key) != value
    ]
    if f"{_GLIBC_TUNABLE}={GLIBC_HWCAPS_MASK}" not in os.environ.get("GLIBC_TUNABLES", "").split(
        ":"
    ):
        found.append("GLIBC_TUNABLES does not mask glibc's FMA/AVX code paths")
    from numpy._core import _multiarray_umath as umath

    active = [name for name in umath.__cpu_dispatch__ if umath.__cpu_features__.get(name)]
    if active:
        found.append(f"NumPy dispatches to {', '.join(active)} (pinned: baseline only)")
    from threadpoolctl import threadpool_info

    for pool in threadpool_info():
        if pool.get("internal_api") == "openblas":
            if str(pool.get("architecture", "")).lower() != BLAS_CORETYPE.lower():
                found.append(
                    f"OpenBLAS {pool.get('prefix')} uses {pool.get('architecture')} "
                    f"kernels (pinned: {BLAS_CORETYPE})"
                )
            if pool.get("num_threads") != 1:
                found.append(
                    f"OpenBLAS {pool.get('prefix')} runs {pool.get('num_threads')} "
                    "threads (pinned: 1)"
                )
    if "numba.core.config" in sys.modules:  # read from the environment when numba was imported
        from numba.core import config

        if str(config.CPU_NAME) != "generic" or config.CPU_FEATURES != "":
            found.append(f"numba compiles for {config.CPU_NAME!r} (pinned: 'generic')")
    return found


def summary() -> dict[str, str]:
    """The pinned settings as recorded in a stage's metrics (what a reader needs to rerun it)."""
    return {**PINNED, "GLIBC_TUNABLES": f"{_GLIBC_TUNABLE}={GLIBC_HWCAPS_MASK}"}


def arrow_threads(n_jobs: int) -> int:
    """Let Arrow decode Parquet with up to ``n_jobs`` threads in this process; returns how many.

    The pinned ``OMP_NUM_THREADS=1`` (for BLAS) also sizes Arrow's CPU pool, so every Parquet
    scan of a stage's own process ran on one core (11.7 s for the columns of paragraphs.parquet
    at a million articles, 6.4 s with two threads). Decoding gives the same values with any
    number of threads, and the one Arrow operation here whose output order depends on them
    (``Table.group_by``) is always called with ``use_threads=False``. Worker processes keep one
    thread each: they run beside one another.
    """
    import pyarrow as pa

    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        available = os.cpu_count() or 1
    threads = max(1, min(int(n_jobs), available))
    pa.set_cpu_count(threads)
    return threads


def cache_numba(cache_dir: str | os.PathLike[str] | None = None) -> bool:
    """Keep the machine code numba compiles (UMAP, pynndescent) on disk for the next run.

    UMAP and pynndescent decorate most of their functions without ``cache=True``, so each run
    compiled them again (about 10 s of every topics stage). Called before ``umap`` is imported,
    this makes ``numba.jit``/``numba.njit`` default to ``cache=True`` and points numba's cache
    at ``cache_dir``. numba keys every cached entry by its target (CPU name and features) and
    the source file's stamp, so under the pinned ``generic`` target a cache written on one
    x86-64 CPU is the same code on any other, and code compiled for another target is never
    loaded. Functions numba cannot cache are compiled as before (its warning is silenced).

    Args:
        cache_dir: the cache folder (default: ``$COOPNEWS_NUMBA_CACHE``, else
            ``.cache/numba`` under the working directory).

    Returns:
        False when UMAP was already imported (nothing changes then), True otherwise.
    """
    if "umap" in sys.modules:
        return False
    import functools
    import warnings

    import numba
    from numba.core import config
    from numba.core.errors import NumbaWarning

    folder = cache_dir or os.environ.get(NUMBA_CACHE_ENV) or os.path.join(".cache", "numba")
    config.CACHE_DIR = os.path.abspath(folder)
    warnings.filterwarnings(
        "ignore", message="Cannot cache compiled function", category=NumbaWarning
    )
    for name in ("jit", "njit"):
        original = getattr(numba, name)
        if getattr(original, "_coopnews_cached", False):
            continue

        @functools.wraps(original)
        def cached(*args, _original=original, **kwargs):
            kwargs.setdefault("cache", True)
            return _original(*args, **kwargs)

        cached._coopnews_cached = True
        setattr(numba, name, cached)
    return True
