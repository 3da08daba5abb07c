"""A `dvc repro` killed in the middle of a stage can simply be run again, and then gives the
same outputs, byte for byte, as a run that was never interrupted.

The crash is simulated with SIGKILL to every process of the run (dvc, papermill and the
notebook kernel, which Jupyter starts in a session of its own), so nothing gets to clean up:
DVC's lock files keep the dead process ids, the stage's executed notebook is half written.
The reference is the uninterrupted run of the ``seed_pipeline`` fixture (tests/conftest.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from importlib.util import find_spec

import psutil
import pytest
import yaml
from pipeline_utils import copy_project, output_digests, pipeline_env, run, set_params

pytestmark = pytest.mark.slow

# Killed while this stage's notebook runs: topics writes a persistent embedding cache, tables,
# figures and metrics, and is the longest stage, so the kill lands in the middle of its work.
STAGE_NOTEBOOK = "reports/notebooks/04_topics.ipynb"
SECONDS_INTO_STAGE = 8


def _crash(proc: subprocess.Popen) -> list[int]:
    """SIGKILL the run's process group and every descendant; return the pids killed."""
    os.killpg(proc.pid, signal.SIGSTOP)  # freeze the group: no new child escapes the list
    family = psutil.Process(proc.pid).children(recursive=True)
    os.killpg(proc.pid, signal.SIGKILL)
    for child in family:
        try:
            child.kill()  # the kernel runs in its own session, outside the group
        except psutil.NoSuchProcess:
            pass
    proc.wait()
    psutil.wait_procs(family, timeout=30)
    return [proc.pid] + [child.pid for child in family]


@pytest.fixture(scope="module")
def resumed(tmp_path_factory):
    copy = copy_project(tmp_path_factory.mktemp("interrupt") / "project")
    log = open(copy.parent / "first-run.log", "w", encoding="utf-8")
    proc = subprocess.Popen(
        ["dvc", "repro"],
        cwd=copy,
        env=pipeline_env(copy),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 600
        while not (copy / STAGE_NOTEBOOK).exists():
            assert proc.poll() is None, "dvc repro ended before the stage started"
            assert time.monotonic() < deadline, "the stage did not start within 10 minutes"
            time.sleep(0.2)
        time.sleep(SECONDS_INTO_STAGE)
        assert proc.poll() is None, "the stage finished before it could be interrupted"
        killed = _crash(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
        log.close()
    lock = yaml.safe_load((copy / "dvc.lock").read_text(encoding="utf-8"))
    state = {
        "killed": killed,
        "locked_stages": sorted(lock["stages"]),
        "compare_started": (copy / "reports/notebooks/05_compare.ipynb").exists(),
    }
    second = run(["dvc", "repro"], copy)
    assert second.returncode == 0, (
        f"rerun failed:\n{second.stdout[-4000:]}\n{second.stderr[-4000:]}"
    )
    state["rerun_output"] = second.stdout + second.stderr
    return copy, state


def test_the_kill_interrupted_the_topics_stage(resumed):
    copy, state = resumed
    assert state["locked_stages"] == ["classify", "ingest", "params", "preprocess"]
    assert not state["compare_started"]
    assert not [
        pid
        for pid in state["killed"]
        if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    ]
    # Simply running again did the rest: finished stages were not rerun.
    ran = [line for line in state["rerun_output"].splitlines() if line.startswith("Running stage")]
    assert ran == [
        f"Running stage '{name}':" for name in ("topics", "compare", "explore", "render", "brief")
    ]


def test_resumed_run_equals_an_uninterrupted_run(resumed, seed_pipeline):
    copy, _state = resumed
    got, want = output_digests(copy), output_digests(seed_pipeline)
    assert sorted(got) == sorted(want)  # no leftover temporary or partial file
    assert {k for k in want if got[k] != want[k]} == set()
    assert not [p for p in copy.rglob("*.tmp")]


def test_topics_embedding_is_checked_when_the_stage_starts(resumed):
    copy, _state = resumed
    set_params(copy, topics={"embedding": "models/no-such-model"})
    proc = run(["dvc", "repro"], copy)
    assert proc.returncode != 0
    errors = [line for line in proc.stderr.splitlines() if line.strip()]
    assert errors[0] == (
        "error: params.yaml: topics.embedding = 'models/no-such-model' is not available offline: "
        "allowed values are 'tfidf-svd' (built in), the path of a directory holding a saved "
        f"sentence-transformers model (looked for {copy}/models/no-such-model), or the name of a "
        "model already in the local Hugging Face cache; nothing is downloaded at run time"
        + (
            ""
            if find_spec("sentence_transformers")
            else "; a sentence-transformers model also needs the optional embeddings extra, which is "
            "not installed: `make embeddings`"
        )
    )
    assert errors[1] == (
        "ERROR: failed to reproduce 'topics': failed to run: python3 "
        "src/stage.py topics, exited with 2"
    )
    assert "Traceback" not in proc.stderr + proc.stdout
