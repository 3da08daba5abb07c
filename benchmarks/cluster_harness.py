"""A real Dask cluster on loopback for the pipeline: start, run stages against it, kill a worker, stop.

The processes are started the way a cluster's machines would start them, each as its own
process (own session, so it can be stopped with its children), never by the pipeline:

* ``dask scheduler --host 127.0.0.1 --port PORT --no-dashboard`` with ``PYTHONPATH`` at the
  project's ``src`` (the scheduler unpickles the tasks, so it needs the code);
* ``python -m analysis dask-worker tcp://127.0.0.1:PORT --nthreads 1 --nworkers 1 ...`` per
  worker (the documented route: the pinned numeric environment, a nanny that restarts its
  worker process).

Subcommands (from the project root, project environment active, ``PYTHONPATH=src``):

``identical --corpus FILE --n N``
    Two project copies (``profile_stages.prepare``) over the first N articles of FILE; runs
    ingest, preprocess and classify with ``dvc repro --single-item`` in one with
    ``compute.backend: local`` (n_jobs 2) and in the other with ``backend: dask`` and
    ``dask_scheduler`` pointing at the cluster; compares the output files byte for byte.

``kill --corpus FILE --n N --stage ingest --mode worker|nanny [--after-transitions K]``
    Runs one stage (after the stages before it, on the cluster) and, once the scheduler has
    made K task transitions, SIGKILLs one worker: ``worker`` kills the worker process (its
    nanny restarts it), ``nanny`` kills the nanny's whole process group (the worker is gone
    for good), ``all`` kills every worker with its nanny.
    Records whether the stage completes, fails (exit code, message) or hangs
    (``--timeout``), its wall time, and whether its output equals the local backend's.

``up`` / ``down``
    Start the cluster and leave it running (state in ``--state``); stop it.

Every process is stopped on exit (SIGTERM to its session, SIGKILL after 20 s). Results go to
``--out`` (default benchmarks/out/cluster/) as JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_pipeline import _subset  # noqa: E402
from profile_stages import CLICKID, _plain_env, prepare  # noqa: E402

BIN = Path(sys.executable).parent
OUTPUTS = {
    "ingest": ["data/processed/documents.parquet", "data/processed/rejects.csv"],
    "preprocess": ["data/processed/paragraphs.parquet"],
    "classify": ["data/processed/classified.parquet"],
}
ORDER = ("ingest", "preprocess", "classify")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Cluster:
    """A scheduler and ``n`` single-threaded workers, each a separate process on loopback."""

    def __init__(
        self,
        src: Path,
        logs: Path,
        n_workers: int = 2,
        port: int | None = None,
        memory_limit: str = "2GB",
    ):
        self.src = src
        self.logs = logs
        self.n_workers = n_workers
        self.port = port or _free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.memory_limit = memory_limit
        self.procs: dict[str, subprocess.Popen] = {}

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
            PYTHONPATH=str(self.src),
            DASK_DISTRIBUTED__WORKER__DAEMON="False",
        )
        return env

    def _spawn(self, name: str, args: list[str]) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        log = (self.logs / f"{name}.log").open("ab")
        self.procs[name] = subprocess.Popen(
            args,
            env=self._env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=self.src.parent,
        )

    def start(self, timeout: float = 180) -> float:
        started = time.perf_counter()
        self._spawn(
            "scheduler",
            [
                "dask",
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--no-dashboard",
            ],
        )
        for i in range(self.n_workers):
            self.add_worker(f"w{i}")
        self.wait_for_workers(self.n_workers, timeout)
        return round(time.perf_counter() - started, 2)

    def add_worker(self, name: str) -> None:
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
                "--memory-limit",
                self.memory_limit,
                "--name",
                name,
                "--death-timeout",
                "60",
            ],
        )

    def client(self):
        from distributed import Client

        return Client(self.address, set_as_default=False, timeout="60s")

    def wait_for_workers(self, n: int, timeout: float = 180) -> None:
        deadline = time.time() + timeout
        while True:
            try:
                with self.client() as client:
                    client.wait_for_workers(n, timeout=max(1.0, deadline - time.time()))
                    return
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(1)

    def worker_processes(self) -> dict[str, dict]:
        """name -> {nanny: pid, worker: pid, address}."""
        with self.client() as client:
            info = client.scheduler_info(n_workers=-1)["workers"]
            pids = client.run(os.getpid)
        found = {}
        for address, worker in info.items():
            found[worker["name"]] = {
                "address": address,
                "worker": pids.get(address),
                "nanny": self.procs[worker["name"]].pid if worker["name"] in self.procs else None,
            }
        return found

    def transitions(self) -> int:
        with self.client() as client:
            return client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.transition_counter)

    def stop(self) -> None:
        for _name, proc in list(self.procs.items())[::-1]:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.time() + 20
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.procs.clear()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()


def _set_compute(project: Path, **compute) -> None:
    path = project / "params.yaml"
    params = yaml.safe_load(path.read_text(encoding="utf-8"))
    params["compute"].update(compute)
    path.write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")


def _repro(project: Path, stage: str, timeout: float, log: Path) -> dict:
    started = time.perf_counter()
    with log.open("ab") as handle:
        handle.write(f"$ dvc repro --single-item {stage}\n".encode())
        handle.flush()
        proc = subprocess.Popen(
            ["dvc", "repro", "--single-item", stage],
            cwd=project,
            env=_plain_env(project),
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            code = proc.wait(timeout=timeout)
            outcome = "completed" if code == 0 else "failed"
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            code, outcome = None, "hung (killed after the timeout)"
    return {
        "stage": stage,
        "exit_code": code,
        "outcome": outcome,
        "wall_s": round(time.perf_counter() - started, 2),
        "load": round(os.getloadavg()[0], 2),
    }


def _copies(work: Path, corpus: Path, n: int, names: list[str]) -> dict[str, Path]:
    subset = _subset(corpus, n, work) if n else corpus
    projects = {}
    for name in names:
        projects[name] = work / name
        prepare(projects[name], subset, CLICKID)
    return projects


def identical(args) -> dict:
    work = Path(tempfile.mkdtemp(prefix="cluster_identical_", dir=args.tmp))
    projects = _copies(work, args.corpus, args.n, ["local", "dask"])
    log = args.out / "identical.log"
    result: dict = {"corpus": str(args.corpus), "n": args.n, "runs": {}}
    _set_compute(projects["local"], backend="local", n_jobs=2, dask_scheduler="")
    for stage in ("params", *ORDER):
        result["runs"].setdefault("local", []).append(
            _repro(projects["local"], stage, args.timeout, log)
        )
    with Cluster(projects["dask"] / "src", args.out / "logs_identical") as cluster:
        result["cluster_start_s"] = "started"
        _set_compute(projects["dask"], backend="dask", n_jobs=2, dask_scheduler=cluster.address)
        for stage in ("params", *ORDER):
            result["runs"].setdefault("dask", []).append(
                _repro(projects["dask"], stage, args.timeout, log)
            )
    result["identical"] = {
        rel: _sha256(projects["local"] / rel) == _sha256(projects["dask"] / rel)
        for stage in ORDER
        for rel in OUTPUTS[stage]
        if (projects["local"] / rel).is_file() and (projects["dask"] / rel).is_file()
    }
    if not args.keep:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    return result


def kill(args) -> dict:
    work = Path(tempfile.mkdtemp(prefix="cluster_kill_", dir=args.tmp))
    projects = _copies(work, args.corpus, args.n, ["local", "dask"])
    log = args.out / f"kill_{args.stage}_{args.mode}.log"
    result: dict = {
        "corpus": str(args.corpus),
        "n": args.n,
        "stage": args.stage,
        "mode": args.mode,
        "after_transitions": args.after_transitions,
    }
    stages = ORDER[: ORDER.index(args.stage) + 1]
    _set_compute(projects["local"], backend="local", n_jobs=2, dask_scheduler="")
    result["local"] = [_repro(projects["local"], s, args.timeout, log) for s in ("params", *stages)]
    with Cluster(
        projects["dask"] / "src", args.out / f"logs_kill_{args.stage}_{args.mode}"
    ) as cluster:
        _set_compute(projects["dask"], backend="dask", n_jobs=2, dask_scheduler=cluster.address)
        result["before"] = [
            _repro(projects["dask"], s, args.timeout, log) for s in ("params", *stages[:-1])
        ]
        # the stage under test, in the background; kill a worker once it is under way
        started = time.perf_counter()
        with log.open("ab") as handle:
            proc = subprocess.Popen(
                ["dvc", "repro", "--single-item", args.stage],
                cwd=projects["dask"],
                env=_plain_env(projects["dask"]),
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        base = cluster.transitions()
        while proc.poll() is None and cluster.transitions() - base < args.after_transitions:
            time.sleep(0.2)
        victim_name = "w0"
        victim = cluster.worker_processes().get(victim_name, {})
        killed_at = round(time.perf_counter() - started, 2)
        if args.mode == "all":  # every worker, nanny included: the cluster has no worker left
            victim = cluster.worker_processes()
            if proc.poll() is None:
                for info in victim.values():
                    os.killpg(info["nanny"], signal.SIGKILL)
        elif proc.poll() is None and victim:
            if args.mode == "worker":
                os.kill(victim["worker"], signal.SIGKILL)
            else:
                os.killpg(victim["nanny"], signal.SIGKILL)
        result["killed"] = {
            "at_s": killed_at,
            "victim": victim,
            "transitions_seen": cluster.transitions() - base,
            "stage_still_running": proc.poll() is None,
        }
        try:
            code = proc.wait(timeout=args.timeout)
            outcome = "completed" if code == 0 else "failed"
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            code, outcome = None, f"hung (killed after {args.timeout:.0f} s)"
        result["stage_run"] = {
            "exit_code": code,
            "outcome": outcome,
            "wall_s": round(time.perf_counter() - started, 2),
        }
        time.sleep(2)
        try:
            result["workers_after"] = sorted(cluster.worker_processes())
        except Exception as exc:  # noqa: BLE001 - recorded, not fatal
            result["workers_after"] = f"unknown ({exc})"
        if args.mode == "all" and args.rerun:  # the rerun below needs workers again
            for name in list(victim):
                cluster.procs.pop(name, None)
    text = log.read_text(encoding="utf-8", errors="replace")
    result["log_tail"] = text[-2500:]
    result["identical_to_local"] = {
        rel: _sha256(projects["local"] / rel) == _sha256(projects["dask"] / rel)
        for rel in OUTPUTS[args.stage]
        if (projects["local"] / rel).is_file() and (projects["dask"] / rel).is_file()
    }
    # rerun cleanly after a failure (or to check that a rerun gives the same bytes)
    if result["stage_run"]["outcome"] != "completed" and args.rerun:
        with Cluster(projects["dask"] / "src", args.out / "logs_rerun") as cluster:
            _set_compute(projects["dask"], backend="dask", n_jobs=2, dask_scheduler=cluster.address)
            result["rerun"] = _repro(projects["dask"], args.stage, args.timeout, log)
        result["rerun_identical_to_local"] = {
            rel: _sha256(projects["local"] / rel) == _sha256(projects["dask"] / rel)
            for rel in OUTPUTS[args.stage]
            if (projects["dask"] / rel).is_file()
        }
    if not args.keep:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("identical", "kill"):
        p = sub.add_parser(name)
        p.add_argument("--corpus", type=Path, default=CLICKID)
        p.add_argument("--n", type=int, default=2000, help="first N articles (0 = all)")
        p.add_argument("--timeout", type=float, default=900)
        p.add_argument("--tmp", default=None)
        p.add_argument("--keep", action="store_true")
        p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "cluster")
        if name == "kill":
            p.add_argument("--stage", choices=ORDER, default="ingest")
            p.add_argument("--mode", choices=("worker", "nanny", "all"), default="worker")
            p.add_argument("--after-transitions", type=int, default=200)
            p.add_argument("--rerun", action="store_true")
    p = sub.add_parser("up")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--state", type=Path, default=Path("/tmp/coopnews_cluster.json"))
    p = sub.add_parser("down")
    p.add_argument("--state", type=Path, default=Path("/tmp/coopnews_cluster.json"))
    args = parser.parse_args()
    if args.command == "up":
        cluster = Cluster(
            ROOT / "src", Path(tempfile.mkdtemp(prefix="cluster_logs_")), n_workers=args.workers
        )
        cluster.start()
        args.state.write_text(
            json.dumps(
                {"address": cluster.address, "pids": {n: p.pid for n, p in cluster.procs.items()}}
            )
            + "\n"
        )
        print(cluster.address)
        return 0
    if args.command == "down":
        state = json.loads(args.state.read_text())
        for pid in state["pids"].values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGTERM)
        args.state.unlink()
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    result = identical(args) if args.command == "identical" else kill(args)
    name = "identical" if args.command == "identical" else f"kill_{args.stage}_{args.mode}"
    (args.out / f"{name}.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "log_tail"}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
