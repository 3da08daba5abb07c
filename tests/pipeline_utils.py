"""Run the real pipeline (`dvc repro`) in a temporary copy of the project, for end-to-end tests.

A copy holds the project's tracked and untracked-but-not-ignored files except generated output
(``reports/``, ``dvc.lock``), as on a clone where the pipeline never ran. Its raw corpus is made
read-only and fingerprinted, so a test can check that no stage wrote into it (the tests run as
root in CI, where permission bits alone would not stop a write).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

__all__ = [
    "ROOT",
    "copy_project",
    "make_read_only",
    "tree_fingerprint",
    "pipeline_env",
    "run",
    "run_ok",
    "output_digests",
    "set_params",
    "block_network",
]


def _project_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    # Start without any generated output, as on a clone where reports were never built.
    return [f for f in out if not f.startswith("reports/") and f != "dvc.lock"]


def make_read_only(path: Path) -> None:
    """Remove write permission from ``path`` and everything under it (directories last)."""
    entries = sorted(path.rglob("*"), key=lambda p: len(p.parts), reverse=True)
    for entry in [*entries, path]:
        if entry.is_symlink():
            continue
        mode = entry.stat().st_mode
        entry.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def tree_fingerprint(path: Path) -> dict[str, tuple]:
    """Every entry under ``path``: kind, permission bits, size, mtime and sha256 of its bytes.

    Symbolic links are recorded by target, never followed (a hostile corpus holds a loop), and
    named pipes by their metadata only (opening one blocks).
    """
    found: dict[str, tuple] = {}
    for entry in sorted(path.rglob("*")):
        rel = entry.relative_to(path).as_posix()
        info = entry.lstat()
        if entry.is_symlink():
            found[rel] = ("link", os.readlink(entry))
        elif entry.is_dir():
            found[rel] = ("dir", stat.S_IMODE(info.st_mode), info.st_mtime_ns)
        elif not stat.S_ISREG(info.st_mode):  # a named pipe: opening it would block
            found[rel] = ("special", stat.S_IFMT(info.st_mode), stat.S_IMODE(info.st_mode))
        else:
            digest = hashlib.sha256()
            with entry.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    if not chunk.strip(b"\0"):
                        digest.update(len(chunk).to_bytes(8, "little"))  # sparse: cheap
                    else:
                        digest.update(chunk)
            found[rel] = (
                "file",
                stat.S_IMODE(info.st_mode),
                info.st_size,
                info.st_mtime_ns,
                digest.hexdigest(),
            )
    root = path.lstat()
    found["."] = ("dir", stat.S_IMODE(root.st_mode), root.st_mtime_ns)
    return found


def copy_project(dest: Path) -> Path:
    """Copy the project (sources, notebooks, data, params; no reports, no dvc.lock) to ``dest``,
    make ``data/raw`` read-only and start a git repository there (the brief stamps a commit).

    When the clickid corpus is on this machine (``$CLICKID_PATH`` or ``../shared`` beside the
    project), it is linked where params.yaml's ``classify.clickid_path`` looks for it beside the
    copy, so the gold evaluation of the copy scores the clickid gold articles as the committed
    reports do; likewise the git-ignored coherence reference ``topics.reference_stems``
    (``data/reference/clickid_stems.parquet``) when it has been built.
    """
    dest.mkdir(parents=True, exist_ok=True)
    _link_clickid(dest)
    _link_reference(dest)
    for rel in _project_files():
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    make_read_only(dest / "data" / "raw")
    run_ok(["git", "init", "-q"], dest)
    return dest


def _link_clickid(dest: Path) -> None:
    corpus = Path(
        os.environ.get(
            "CLICKID_PATH", ROOT.parent / "shared" / "corpora" / "clickid" / "articles.jsonl.gz"
        )
    )
    link = dest.parent / "shared" / "corpora" / "clickid" / "articles.jsonl.gz"
    if corpus.is_file() and not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(corpus.resolve())


def _link_reference(dest: Path) -> None:
    reference = ROOT / "data" / "reference" / "clickid_stems.parquet"
    link = dest / "data" / "reference" / "clickid_stems.parquet"
    if reference.is_file() and not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(reference.resolve())


def pipeline_env(copy: Path, *, extra_path: Path | None = None) -> dict[str, str]:
    """The environment `make repro` sets, pointing PYTHONPATH at the copy's sources.

    ``extra_path`` goes first on PYTHONPATH (e.g. a folder with a ``sitecustomize.py``).
    """
    env = dict(os.environ)
    pythonpath = [str(copy / "src")]
    if extra_path is not None:
        pythonpath.insert(0, str(extra_path))
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=os.pathsep.join(pythonpath),
        DVC_NO_ANALYTICS="1",
        PYTHONHASHSEED="0",
        MPLBACKEND="Agg",
        TQDM_DISABLE="1",
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
    )
    return env


def run(
    args: list[str], copy: Path, *, env: dict[str, str] | None = None, timeout: float = 900
) -> subprocess.CompletedProcess:
    """Run a command in the copy; never raises on a non-zero exit (the caller checks)."""
    return subprocess.run(
        args,
        cwd=copy,
        env=env or pipeline_env(copy),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_ok(args: list[str], copy: Path, *, env: dict[str, str] | None = None) -> str:
    """Run a command in the copy, fail the test with its output when it fails; return output."""
    proc = run(args, copy, env=env)
    assert proc.returncode == 0, (
        f"{' '.join(args)} failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    )
    return proc.stdout + proc.stderr


def output_digests(copy: Path) -> dict[str, str]:
    """sha256 of every pipeline output: data/processed (embedding cache included), reports/
    and dvc.lock."""
    files = [
        p for top in ("data/processed", "reports") for p in (copy / top).rglob("*") if p.is_file()
    ]
    files.append(copy / "dvc.lock")
    return {str(p.relative_to(copy)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def set_params(copy: Path, **sections: dict) -> None:
    """Update params.yaml in the copy section by section (``ingest={"raw_dir": "x"}``)."""
    path = copy / "params.yaml"
    params = yaml.safe_load(path.read_text(encoding="utf-8"))
    for section, values in sections.items():
        if isinstance(values, dict):
            params.setdefault(section, {}).update(values)
        else:
            params[section] = values
    path.write_text(yaml.safe_dump(params, sort_keys=False, allow_unicode=True), encoding="utf-8")


_SITECUSTOMIZE = '''\
"""Test harness: no network. Any connection or name lookup that leaves this machine raises,
and is logged to $NETWORK_LOG so the test can report it even when the code swallows the error.
Unix sockets and loopback (the Jupyter kernel talks to Papermill over ZMQ on 127.0.0.1) work."""
import os
import socket

_LOG = os.environ.get("NETWORK_LOG")
_LOCAL_NAMES = {"localhost", "127.0.0.1", "::1", "ip6-localhost", None, ""}


def _record(what):
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()} {what}\\n")


def _is_local(address):
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return True
    host = address[0] if isinstance(address, tuple) and address else address
    return host in _LOCAL_NAMES or str(host).startswith("127.") or host == "::1"


_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_getaddrinfo = socket.getaddrinfo


def _guarded_connect(self, address):
    if self.family != socket.AF_UNIX and not _is_local(address):
        _record(f"connect {address!r}")
        raise OSError(f"network access blocked by the test harness: connect {address!r}")
    return _connect(self, address)


def _guarded_connect_ex(self, address):
    if self.family != socket.AF_UNIX and not _is_local(address):
        _record(f"connect_ex {address!r}")
        raise OSError(f"network access blocked by the test harness: connect {address!r}")
    return _connect_ex(self, address)


def _guarded_getaddrinfo(host, *args, **kwargs):
    name = host.decode() if isinstance(host, bytes) else host
    if not _is_local((name,)):
        _record(f"getaddrinfo {name!r}")
        raise socket.gaierror(f"network access blocked by the test harness: lookup {name!r}")
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _guarded_connect
socket.socket.connect_ex = _guarded_connect_ex
socket.getaddrinfo = _guarded_getaddrinfo
'''


def block_network(folder: Path) -> Path:
    """Write a ``sitecustomize.py`` into ``folder`` that blocks non-local network access in
    every Python process started with ``folder`` on PYTHONPATH (dvc, papermill, the kernel)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(_SITECUSTOMIZE, encoding="utf-8")
    return folder
