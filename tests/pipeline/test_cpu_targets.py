"""Same bytes whatever the CPU: stages run under different code-generation targets agree.

A user's shell (or a different machine) can make numba compile for another CPU, NumPy dispatch
to other SIMD loops, OpenBLAS pick other kernels and glibc other libm variants. Each of these
changed the topic solution before the pipeline pinned them (analysis.core.runtime). Here the
same stage runs twice on this machine, once with every knob at the host's native choice and
once at a different, older target, and every output must be byte-identical.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pipeline_utils import copy_project, output_digests, pipeline_env, run_ok

from analysis.core import runtime

TOPICS_OUTPUTS = (
    "data/processed/topics.parquet",
    "reports/metrics/topics.json",
    "reports/notebooks/04_topics.ipynb",
    "reports/tables/topics",
    "reports/figures/topics",
)


def _host_cpu() -> str:
    probe = "import llvmlite.binding as ll; print(ll.get_host_cpu_name())"
    return subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()


def _target_env(copy: Path, target: str) -> dict[str, str]:
    """The pipeline's environment with the caller's CPU knobs set to ``native`` or ``old``."""
    env = {
        k: v
        for k, v in pipeline_env(copy).items()
        if k not in runtime.PINNED and k not in ("GLIBC_TUNABLES", "COOPNEWS_PINNED")
    }
    if target == "native":  # everything the host offers
        env.update(
            NUMBA_CPU_NAME=_host_cpu(),
            NPY_DISABLE_CPU_FEATURES="",
            OMP_NUM_THREADS="2",
            OPENBLAS_NUM_THREADS="2",
        )
    else:  # baseline code, SSE-era BLAS kernels, libm without FMA, other thread counts
        env.update(
            NUMBA_CPU_NAME="generic",
            NPY_DISABLE_CPU_FEATURES="X86_V3 X86_V4",
            OPENBLAS_CORETYPE="Prescott",
            GLIBC_TUNABLES="glibc.cpu.hwcaps=-FMA,-AVX2",
            OMP_NUM_THREADS="1",
        )
    return env


def _digests(copy: Path, outputs: tuple[str, ...]) -> dict[str, str]:
    return {
        k: v
        for k, v in output_digests(copy).items()
        if any(k == o or k.startswith(o + "/") for o in outputs)
    }


@pytest.mark.slow
def test_topics_stage_is_byte_identical_across_cpu_targets(tmp_path):
    copy = copy_project(tmp_path / "project")
    run_ok(["dvc", "repro", "topics"], copy, env=_target_env(copy, "native"))
    native = _digests(copy, TOPICS_OUTPUTS)
    assert any(k.startswith("reports/figures/topics/") for k in native), sorted(native)
    # the embedding cache would hand the second run the first run's vectors
    shutil.rmtree(copy / "data" / "processed" / "embeddings")
    run_ok([sys.executable, "src/stage.py", "topics"], copy, env=_target_env(copy, "old"))
    old = _digests(copy, TOPICS_OUTPUTS)
    changed = sorted(k for k in native if native[k] != old.get(k))
    assert not changed, f"topics outputs differ between CPU targets: {changed}"
    assert set(native) == set(old)


@pytest.mark.slow
def test_whole_pipeline_is_byte_identical_across_cpu_targets(tmp_path):
    digests = {}
    for target in ("native", "old"):
        copy = copy_project(tmp_path / target)
        run_ok(["dvc", "repro"], copy, env=_target_env(copy, target))
        digests[target] = output_digests(copy)
    native, old = digests["native"], digests["old"]
    changed = sorted(k for k in native if native[k] != old.get(k))
    assert not changed, f"outputs differ between CPU targets: {changed}"
    assert set(native) == set(old)
    assert len(native) > 40  # every stage wrote its outputs (figures, tables, pages, briefs)


def test_target_environments_really_differ():
    # guards the two tests above against comparing a setting with itself
    native, old = (_target_env(Path("/x"), t) for t in ("native", "old"))
    for key in ("NUMBA_CPU_NAME", "NPY_DISABLE_CPU_FEATURES", "OMP_NUM_THREADS"):
        assert native.get(key) != old.get(key), key
    assert "OPENBLAS_CORETYPE" not in native and "GLIBC_TUNABLES" not in native
    assert os.environ.get("COOPNEWS_PINNED") is None or "COOPNEWS_PINNED" not in native
