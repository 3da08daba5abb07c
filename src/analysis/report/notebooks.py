"""Run stage notebooks in the stage's process, make them byte-identical, strip source notebooks."""

from __future__ import annotations

import importlib.abc
import importlib.util
import io
import os
import re
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat

from ..core.io import write_text
from ..core.paths import ProjectPaths

__all__ = [
    "KERNEL_ENV",
    "in_process",
    "execute_notebook",
    "clean_executed_notebook",
    "strip_source_notebook",
    "is_stripped",
    "setup_notebook",
]

# "subprocess": Papermill's ordinary kernel (a second Python process); unset or "in-process":
# the notebook runs in the stage's own process.
KERNEL_ENV = "COOPNEWS_NOTEBOOK_KERNEL"
_KERNEL_CHOICES = ("in-process", "subprocess")
_ENGINE = "coopnews-in-process"
_NAMES = ("stdout", "stderr")

# Papermill and nbclient record wall-clock times; they change on every run.
_VOLATILE_NOTEBOOK_KEYS = ("start_time", "end_time", "duration", "environment_variables")
_VOLATILE_CELL_KEYS = ("start_time", "end_time", "duration")
# Reprs like "<object at 0x7f3a...>" differ between processes.
_ADDRESS = re.compile(r"\bat 0x[0-9a-fA-F]{6,}")


def _scrub_text(value: str | list[str]) -> str | list[str]:
    if isinstance(value, list):
        return [_ADDRESS.sub("at 0x…", v) for v in value]
    return _ADDRESS.sub("at 0x…", value)


def clean_executed_notebook(path: str | Path) -> Path:
    """Remove run timestamps, durations and memory addresses from an executed notebook.

    Parameter values, outputs and figures stay: they are the reproducible record of the run.
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    pm = nb.metadata.get("papermill", {})
    for key in _VOLATILE_NOTEBOOK_KEYS:
        pm.pop(key, None)
    # the kernel's Python patch release (3.11.2 on Debian 12, 3.11.7 elsewhere): any CPython 3.11
    # runs the lock, and must write the same bytes
    nb.metadata.get("language_info", {}).pop("version", None)
    for index, cell in enumerate(nb.cells):
        if "id" in cell:  # nbformat 4.5 gives new cells random ids; number them instead
            cell["id"] = f"cell-{index:03d}"
        cell.metadata.pop("execution", None)
        cell_pm = cell.metadata.get("papermill")
        if cell_pm is not None:
            for key in _VOLATILE_CELL_KEYS:
                cell_pm.pop(key, None)
        for output in cell.get("outputs", []):
            if "text" in output:
                output["text"] = _scrub_text(output["text"])
            data = output.get("data", {})
            if "text/plain" in data:
                data["text/plain"] = _scrub_text(data["text/plain"])
    write_text(path, nbformat.writes(nb) + "\n")
    return path


def strip_source_notebook(path: str | Path) -> bool:
    """Strip outputs and execution counts from a source notebook; return True if it changed."""
    path = Path(path)
    before = path.read_text(encoding="utf-8")
    nb = nbformat.reads(before, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
    nb.metadata.pop("papermill", None)
    after = nbformat.writes(nb) + "\n"
    if after != before:
        write_text(path, after)
        return True
    return False


def is_stripped(path: str | Path) -> bool:
    """Whether every code cell of a notebook is without outputs and execution counts."""
    nb = nbformat.read(Path(path), as_version=4)
    return all(
        not cell.get("outputs") and cell.get("execution_count") is None
        for cell in nb.cells
        if cell.cell_type == "code"
    )


def _check_runtime() -> None:
    """A stage run must be pinned (core.runtime); an interactive kernel is warned."""
    import os
    import warnings

    from ..core.runtime import problems

    found = problems()
    if not found:
        return
    if os.environ.get("COOPNEWS_PINNED"):  # started by src/stage.py or python -m analysis
        raise RuntimeError(
            "the stage's kernel lost the pinned numeric environment: " + "; ".join(found)
        )
    warnings.warn(
        "this kernel does not run in the pipeline's pinned numeric environment, so topic "
        "results may differ from the committed reports; start JupyterLab with "
        "`python -m analysis lab` (or `make lab`). Differences: " + "; ".join(found),
        stacklevel=3,
    )


def setup_notebook() -> ProjectPaths:
    """Prepare a stage notebook: work from the project root, with stable display settings.

    Papermill runs notebooks with ``--cwd .`` from the project root, while JupyterLab starts
    them in ``notebooks/``; moving to the root makes every path relative to it mean the same
    thing in both (and keeps where the project lives out of the executed notebook).

    Returns:
        The project layout, relative to the project root (now the working directory).
    """
    import os
    import warnings

    from ..core.config import find_project_root

    root = find_project_root()
    os.chdir(root)
    _check_runtime()
    os.environ.setdefault("MPLBACKEND", "Agg")
    if "TQDM_DISABLE" not in os.environ:
        # Library progress bars would be saved into the notebook, so tqdm is silenced here; the
        # stages' own bars (analysis.core.parallel.progress) draw on the terminal, not in the
        # notebook, so they stay on unless the user set TQDM_DISABLE.
        os.environ["TQDM_DISABLE"] = "1"
        os.environ["ANALYSIS_NOTEBOOK_SILENCED_TQDM"] = "1"
    warnings.filterwarnings("ignore", message="IProgress not found")

    import pandas as pd

    pd.set_option("display.max_colwidth", 120)
    pd.set_option("display.max_rows", 60)
    pd.set_option("display.width", 160)
    # Stable settings for any figure a reader adds with pyplot. The stages' own figures set
    # theirs (report/figures.py), and the ingest, preprocess and classify notebooks draw
    # nothing, so matplotlib (about 0.3 s to import) is configured when something imports it.
    _when_imported("matplotlib", _figure_defaults)
    return ProjectPaths(Path("."))


def _figure_defaults(matplotlib: Any) -> None:
    matplotlib.rcParams["svg.hashsalt"] = "coopnews"
    matplotlib.rcParams["figure.dpi"] = 100


def _when_imported(name: str, action: Callable[[Any], None]) -> None:
    """Call ``action(module)`` once the top-level module ``name`` is imported: now when it
    already is, else right after its import (the module itself is not imported here)."""
    if name in sys.modules:
        action(sys.modules[name])
        return
    sys.meta_path.insert(0, _AfterImport(name, action))


class _AfterImport(importlib.abc.MetaPathFinder):
    """A finder that lets the other finders find ``name``, then runs ``action`` after the
    module's code has run; it removes itself at its first use."""

    def __init__(self, name: str, action: Callable[[Any], None]) -> None:
        self.name, self.action = name, action

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        loader, action = spec.loader, self.action

        class _Loader(importlib.abc.Loader):
            def create_module(self, spec: Any) -> Any:
                return loader.create_module(spec)

            def exec_module(self, module: Any) -> None:
                loader.exec_module(module)
                action(module)

        spec.loader = _Loader()
        return spec


# --------------------------------------------------------------------------------------------
# Executing a stage notebook in the stage's own process
#
# Papermill drives the cells as usual, but an IPython shell in this process executes them
# instead of a kernel started as a second Python process. The shell is ipykernel's, and what
# it publishes goes through a Jupyter session into the cell's outputs the way nbclient records
# a kernel's messages, so the executed notebook is the one the ordinary kernel gives
# (tests/report/test_notebooks.py runs a notebook both ways).
# --------------------------------------------------------------------------------------------


def in_process() -> bool:
    """Whether stage notebooks run in the stage's own process (the default; see ``KERNEL_ENV``).

    Raises:
        UserError: ``COOPNEWS_NOTEBOOK_KERNEL`` holds something else than the two choices.
    """
    from ..core.errors import UserError

    value = os.environ.get(KERNEL_ENV, "").strip().lower() or _KERNEL_CHOICES[0]
    if value not in _KERNEL_CHOICES:
        raise UserError(
            f"{KERNEL_ENV}={os.environ[KERNEL_ENV]!r} is not allowed: set it to "
            f"{' or '.join(_KERNEL_CHOICES)} (unset means {_KERNEL_CHOICES[0]})"
        )
    return value == _KERNEL_CHOICES[0]


def execute_notebook(source: str | Path, output: str | Path, parameters: dict[str, Any]) -> Any:
    """Execute the notebook ``source`` into ``output`` with Papermill, from the working directory.

    The cells run in this process (:class:`_InProcessKernel`) unless
    ``COOPNEWS_NOTEBOOK_KERNEL=subprocess`` asks for Papermill's ordinary kernel. Papermill's
    own errors pass through: a failing cell raises ``PapermillExecutionError`` after the
    notebook, with the traceback, is saved.

    Returns:
        The executed notebook (an ``nbformat`` node), as Papermill returns it.
    """
    import papermill

    engine = None
    if in_process():
        from papermill.engines import papermill_engines

        papermill_engines.register(_ENGINE, _engine())
        engine = _ENGINE
    return papermill.execute_notebook(
        str(source),
        str(output),
        parameters=parameters,
        kernel_name="python3",
        engine_name=engine,
        cwd=".",
        progress_bar=False,
        log_output=False,
    )


def _engine() -> type:
    """A Papermill engine: Papermill's cell loop and bookkeeping, cells run in this process."""
    from papermill.engines import Engine

    class InProcessEngine(Engine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            # nbclient's loop as Papermill drives it: start, run, on error mark and stop, complete
            with _InProcessKernel(nb_man.nb.cells) as kernel:
                for index, cell in enumerate(nb_man.nb.cells):
                    nb_man.cell_start(cell, index)
                    try:
                        if kernel.execute(index):
                            nb_man.cell_exception(cell, cell_index=index)
                            break
                    finally:
                        nb_man.cell_complete(cell, cell_index=index)
                nb_man.nb.metadata["language_info"] = kernel.language_info()

    return InProcessEngine


class _KernelStream(io.TextIOBase):
    """``sys.stdout``/``sys.stderr`` during a cell: text goes to the kernel's stream buffers."""

    encoding = "UTF-8"

    def __init__(self, kernel: _InProcessKernel, name: str, original: Any):
        super().__init__()
        self.name = name
        self._kernel = kernel
        self._original = original
        self.fd_capture: _FdCapture | None = None

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self._kernel.write(self.name, text)
        return len(text)

    def flush(self) -> None:
        self._kernel.flush(self.name)

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        # as ipykernel's streams: the descriptor the process started with (a terminal, if any)
        if self.fd_capture is not None:
            return self.fd_capture.copy
        return self._original.fileno()


class _FdCapture:
    """What is written to file descriptor 1 or 2 (C code, child processes) goes into the cell.

    ipykernel does this in a kernel: the descriptor becomes a pipe, read by a thread, and what
    is read is written to the stream of that name and echoed to the original descriptor. Here
    the same, and :meth:`drain` reads what is left in the pipe when a cell ends, so output the
    cell wrote is never carried into the next one.
    """

    def __init__(self, kernel: _InProcessKernel, name: str, fd: int):
        import codecs

        self._kernel, self._name, self._fd = kernel, name, fd
        self.copy = os.dup(fd)
        self._read, write = os.pipe()
        os.dup2(write, fd)
        os.close(write)
        os.set_blocking(self._read, False)
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._lock = threading.Lock()
        self._open = True
        self._thread = threading.Thread(target=self._watch, name=f"fd-{name}", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while self._pump(0.05):
            pass

    def _pump(self, timeout: float) -> bool:
        """Pass on what the pipe holds; False once it is closed (or at end of file)."""
        import select

        ready, _, _ = select.select([self._read], [], [], timeout)
        with self._lock:
            if not self._open:
                return False
            if not ready:
                return True
            try:
                data = os.read(self._read, 65536)
            except BlockingIOError:  # the other reader took it
                return True
            if not data:
                return False
            self._kernel.write(self._name, self._decoder.decode(data))
            os.write(self.copy, data)
            return True

    def drain(self) -> None:
        """Pass on everything written to the descriptor so far."""
        for stream in (sys.__stdout__, sys.__stderr__):
            if stream is not None:
                stream.flush()
        while self._open and self._pump(0) and _readable(self._read):
            pass

    def close(self) -> None:
        self.drain()
        os.dup2(self.copy, self._fd)
        with self._lock:
            self._open = False
        self._thread.join(timeout=1)
        os.close(self._read)
        os.close(self.copy)


def _readable(fd: int) -> bool:
    import select

    return bool(select.select([fd], [], [], 0)[0])


class _InProcessKernel:
    """ipykernel's shell, run in this process, with its output recorded as nbclient records it.

    The shell's display hook, display publisher and traceback handler send Jupyter messages
    through a session; here the "socket" is this object, which turns each message into a cell
    output exactly where nbclient would (``stream``, ``display_data``, ``execute_result``,
    ``error``, ``clear_output``, display ids). stdout and stderr are buffered as ipykernel's
    streams buffer them: text written within ``OutStream.flush_interval`` (0.2 s) of a
    stream's first unsent write goes out as one ``stream`` output, and both streams are sent
    (stdout first) before anything is displayed, before a traceback and at the end of a cell.
    """

    def __init__(self, cells: list[Any]):
        from ipykernel.iostream import OutStream
        from jupyter_client.session import Session

        self.session = Session(key=b"")
        self.cells = cells
        self.cell: Any = None
        self.shell: Any = None
        self._interval = OutStream.flush_interval
        self._lock = threading.RLock()
        self._pending: dict[str, list[str]] = {}
        self._since: dict[str, float] = {}
        self._clear_before_next = False
        self._displays: dict[str, dict[int, list[int]]] = {}
        self._index = -1
        self._saved: tuple[Any, ...] = ()
        self._captures: list[_FdCapture] = []

    def __enter__(self) -> _InProcessKernel:
        import builtins
        import getpass

        self._saved = (sys.stdout, sys.stderr, sys.modules.get("__main__"))
        self._saved_input = (builtins.input, getpass.getpass)
        # what ipykernel's application sets up before its shell: the inline matplotlib backend
        # unless one is chosen, the streams, no stdin (nbclient allows none)
        if not os.environ.get("MPLBACKEND"):
            os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
        streams = [_KernelStream(self, name, saved) for name, saved in zip(_NAMES, self._saved)]
        sys.stdout, sys.stderr = streams
        builtins.input = _no_stdin("raw_input")
        getpass.getpass = _no_stdin("getpass")
        try:
            if _watch_fds():
                for fd, stream in enumerate(streams, start=1):
                    stream.fd_capture = _FdCapture(self, stream.name, fd)
                    self._captures.append(stream.fd_capture)
            self.shell = _new_shell(self.session, self)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: Any) -> None:
        import builtins
        import getpass

        from IPython.core.interactiveshell import InteractiveShell

        with self._lock:
            self.cell = None  # like nbclient, what comes after the last cell is not recorded
        for capture in self._captures:
            capture.close()
        sys.stdout, sys.stderr, main = self._saved
        builtins.input, getpass.getpass = self._saved_input
        if main is not None:  # the shell made its namespace __main__, as in a kernel
            sys.modules["__main__"] = main
        if self.shell is not None:
            self.shell.history_manager.end_session()
            InteractiveShell.clear_instance()

    def execute(self, index: int) -> bool:
        """Run cell ``index`` as nbclient asks a kernel to; True when it failed the notebook."""
        cell = self.cells[index]
        if cell.cell_type != "code" or not cell.source.strip():
            return False
        with self._lock:
            self.cell, self._index = cell, index
            cell.outputs = []
            self._clear_before_next = False
            cell.execution_count = self.shell.execution_count
        result = self.shell.run_cell(
            cell.source, store_history=True, silent=False, cell_id=cell.get("id")
        )
        for capture in self._captures:
            capture.drain()
        self.flush("stdout")  # the kernel flushes both streams before it replies
        self.flush("stderr")
        failed = not result.success or getattr(
            self.shell, "_last_traceback_during_displayhook", False
        )
        return failed and "raises-exception" not in cell.metadata.get("tags", [])

    def language_info(self) -> dict[str, Any]:
        """What the kernel reports as its language (Papermill stores it in the notebook)."""
        import json

        from ipykernel.ipkernel import IPythonKernel

        return json.loads(json.dumps(IPythonKernel.language_info))

    # -- the streams -------------------------------------------------------------------------

    def write(self, name: str, text: str) -> None:
        with self._lock:
            self._send_due()
            if text:
                self._pending.setdefault(name, []).append(text)
                self._since.setdefault(name, time.monotonic())

    def flush(self, name: str) -> None:
        with self._lock:
            self._send_due()
            self._send_stream(name)

    def _send_due(self) -> None:
        """Send the streams whose flush timer would have fired by now, in firing order."""
        now = time.monotonic()
        for name in sorted(self._since, key=self._since.__getitem__):
            if now - self._since[name] >= self._interval:
                self._send_stream(name)

    def _send_stream(self, name: str) -> None:
        text = "".join(self._pending.pop(name, []))
        self._since.pop(name, None)
        if text:
            msg = self.session.msg("stream", {"name": name, "text": text})
            self.session.send(self, msg)

    # -- the IOPub "socket": messages become cell outputs ------------------------------------

    def send_multipart(self, frames: list[bytes], copy: bool = True, **kwargs: Any) -> None:
        _identities, frames = self.session.feed_identities(frames)
        with self._lock:
            if self.cell is not None:  # like nbclient, output after its cell is not recorded
                self._record(self.session.deserialize(frames))

    def _record(self, msg: dict[str, Any]) -> None:
        from nbformat.v4 import new_output, output_from_msg

        kind, content = msg["header"]["msg_type"], msg["content"]
        outputs = self.cell.outputs
        display_id = (content.get("transient") or {}).get("display_id")
        if display_id and kind in ("execute_result", "display_data", "update_display_data"):
            shown = new_output("display_data", data=content["data"], metadata=content["metadata"])
            for cell_index, places in self._displays.get(display_id, {}).items():
                for place in places:
                    self.cells[cell_index].outputs[place]["data"] = shown["data"]
                    self.cells[cell_index].outputs[place]["metadata"] = shown["metadata"]
        if "execution_count" in content:
            self.cell["execution_count"] = content["execution_count"]
        if kind == "clear_output":
            if content.get("wait"):
                self._clear_before_next = True
            else:
                self._clear(outputs)
            return
        if kind == "update_display_data":
            return
        try:
            output = output_from_msg(msg)
        except ValueError:
            return
        if self._clear_before_next:
            self._clear(outputs)
            self._clear_before_next = False
        if display_id:
            self._displays.setdefault(display_id, {}).setdefault(self._index, []).append(
                len(outputs)
            )
        outputs.append(output)

    def _clear(self, outputs: list[Any]) -> None:
        outputs[:] = []
        for places in self._displays.values():
            if self._index in places:
                places[self._index] = []


def _watch_fds() -> bool:
    """Whether ipykernel would capture file descriptors 1 and 2 here (not inside pytest)."""
    platform = sys.platform.startswith(("linux", "darwin"))
    return platform and "PYTEST_CURRENT_TEST" not in os.environ


def _no_stdin(name: str) -> Any:
    """What ``input()``/``getpass()`` do in a kernel that nbclient started: refuse."""

    def refuse(*args: Any, **kwargs: Any) -> str:
        from IPython.core.error import StdinNotImplementedError

        raise StdinNotImplementedError(
            f"{name} was called, but this frontend does not support input requests."
        )

    return refuse


def _new_shell(session: Any, socket: Any) -> Any:
    """ipykernel's shell as a kernel configures it for nbclient, publishing to ``socket``."""
    from ipykernel.compiler import XCachingCompiler
    from ipykernel.zmqshell import ZMQInteractiveShell
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    InteractiveShell.clear_instance()
    config = Config()
    config.HistoryManager.hist_file = ":memory:"  # as nbclient starts its kernels
    shell = ZMQInteractiveShell.instance(config=config, compiler_class=XCachingCompiler)
    for hook in (shell.displayhook, shell.display_pub):
        hook.session = session
        hook.pub_socket = socket
    return shell
