"""The pipeline on a Dask cluster started apart from it: same bytes as local, and a killed worker.

The scheduler and the two workers are started the way docs/scaling.md tells a cluster's
machines to start them, each as its own process in its own session, never by the pipeline:
``dask scheduler`` and ``python -m analysis dask-worker tcp://127.0.0.1:PORT`` with the
project's code on PYTHONPATH and a working directory outside the project (workers need the
code, not the data). The project copy then runs ``dvc repro`` with ``compute.backend: dask``
and ``compute.dask_scheduler`` pointing at that scheduler.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pipeline_utils import BIN, copy_project, pipeline_env, run_ok, set_params

pytestmark = [pytest.mark.slow, pytest.mark.corpus]

# The three stages that hand batches to the backend, and what each writes.
PARALLEL_OUTPUTS = (
    "data/processed/documents.parquet",
    "data/processed/rejects.csv",
    "data/processed/paragraphs.parquet",
    "data/processed/classified.parquet",
    "reports/metrics/ingest.json",
    "reports/metrics/preprocess.json",
    "reports/metrics/classify.json",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _digests(copy: Path, names=PARALLEL_OUTPUTS) -> dict[str, str]:
    return {name: hashlib.sha256((copy / name).read_bytes()).hexdigest() for name in names}


class ExternalCluster:
    """A scheduler and two single-threaded workers, each a separate process session."""

    def __init__(self, src: Path, workdir: Path):
        self.address = f"tcp://127.0.0.1:{_free_port()}"
        self.workdir = workdir
        self.env = dict(os.environ)
        # The documented route: the project's code on PYTHONPATH (or installed), nothing else.
        self.env.update(PATH=f"{BIN}{os.pathsep}{self.env.get('PATH', '')}", PYTHONPATH=str(src))
        for key in [k for k in self.env if k.startswith("COOPNEWS_") or k.startswith("NUMBA_")]:
            del self.env[key]  # workers pin themselves (python -m analysis dask-worker)
        self.procs: list[subprocess.Popen] = []

    def _spawn(self, name: str, args: list[str]) -> None:
        log = (self.workdir / f"{name}.log").open("wb")
        self.procs.append(
            subprocess.Popen(
                args,
                cwd=self.workdir,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )

    def start(self) -> None:
        port = self.address.rsplit(":", 1)[1]
        self._spawn(
            "scheduler",
            [
                str(BIN / "dask"),
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                port,
                "--no-dashboard",
            ],
        )
        for name in ("w0", "w1"):
            self._spawn(
                name,
                [
                    sys.executable,
                    "-m",
                    "analysis",
                    "dask-worker",
                    self.address,
                    "--nthreads",
                    "1",
                    "--nworkers",
                    "1",
                    "--no-dashboard",
                    "--name",
                    name,
                    "--memory-limit",
                    "2GB",
                ],
            )
        with self.client() as client:
            client.wait_for_workers(2, timeout=180)

    def client(self):
        from distributed import Client

        return Client(self.address, set_as_default=False, timeout="60s")

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.time() + 20
        for proc in self.procs:
            try:
                proc.wait(max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _transitions(client) -> int:
    return client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.transition_counter)


@pytest.fixture(scope="module")
def cluster_project(tmp_path_factory, clickid_path):
    """A project copy over the first 1,500 clickid articles, its local outputs, and a cluster."""
    pytest.importorskip("distributed")
    base = tmp_path_factory.mktemp("external")
    copy = copy_project(base / "project")
    raw = copy / "data" / "corpus1500"
    raw.mkdir()
    with (
        gzip.open(clickid_path, "rt", encoding="utf-8") as src,
        gzip.open(raw / "first1500.jsonl.gz", "wt", encoding="utf-8") as dst,
    ):
        for number, line in enumerate(src):
            if number == 1500:
                break
            dst.write(line)
    set_params(
        copy,
        ingest={"raw_dir": "data/corpus1500", "metadata_file": ""},
        compute={"backend": "local", "n_jobs": 2, "dask_scheduler": ""},
    )
    run_ok(["dvc", "repro", "classify"], copy)
    local = _digests(copy)
    workdir = base / "cluster"
    workdir.mkdir()
    cluster = ExternalCluster(copy / "src", workdir)
    try:
        cluster.start()
        yield copy, local, cluster
    finally:
        cluster.stop()


def test_external_cluster_gives_the_local_bytes(cluster_project):
    copy, local, cluster = cluster_project
    with cluster.client() as client:
        before = _transitions(client)
        set_params(
            copy, compute={"backend": "dask", "n_jobs": 2, "dask_scheduler": cluster.address}
        )
        run_ok(["dvc", "repro", "classify"], copy)
        worked = _transitions(client) - before
    assert worked > 50, "the stages did not send their batches to the external scheduler"
    assert _digests(copy) == local


def test_a_worker_killed_mid_stage_is_replaced_and_the_output_is_unchanged(cluster_project):
    copy, local, cluster = cluster_project
    set_params(copy, compute={"backend": "dask", "n_jobs": 2, "dask_scheduler": cluster.address})
    ingest = ("data/processed/documents.parquet", "data/processed/rejects.csv")
    with cluster.client() as client:
        start = _transitions(client)
        stage = subprocess.Popen(
            ["dvc", "repro", "-f", "--single-item", "ingest"],
            cwd=copy,
            env=pipeline_env(copy),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        while _transitions(client) - start < 20 and stage.poll() is None:
            time.sleep(0.05)
        killed_while_running = stage.poll() is None
        victim = client.run(os.getpid, workers=[next(iter(client.scheduler_info()["workers"]))])
        [pid] = victim.values()
        os.kill(pid, signal.SIGKILL)
        output, _ = stage.communicate(timeout=600)
        client.wait_for_workers(2, timeout=120)  # the nanny started a new worker process
    assert killed_while_running, "ingest finished before a worker could be killed"
    assert stage.returncode == 0, output[-3000:]
    assert _digests(copy, ingest) == {name: local[name] for name in ingest}
