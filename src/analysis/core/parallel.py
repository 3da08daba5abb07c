"""Run a stage's per-batch work in this process, in local worker processes or on a Dask cluster."""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import gc
import io
import itertools
import logging
import os
import queue
import sys
import threading
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import UserError

if TYPE_CHECKING:
    from .config import ComputeParams

__all__ = [
    "BACKENDS",
    "WorkerPool",
    "batched",
    "beside",
    "in_background",
    "read_ahead",
    "check_backend",
    "compute_options",
    "map_batches",
    "progress",
    "progress_enabled",
    "worker_pool",
]

# The embarrassingly parallel stages (ingest, preprocess, classify) cut their input into batches
# and hand them to :func:`map_batches` with one batch function. The backend only decides where
# that function runs; results always come back in input order, so a stage's output is the same
# bytes for every backend and every number of workers:
#
# * ``local`` with ``n_jobs = 1`` (or a single batch): in this process, no worker is started.
# * ``local`` with ``n_jobs > 1``: a :mod:`multiprocessing` pool of ``n_jobs`` processes started
#   with ``spawn`` (clean interpreters: no copy of the parent's heap, no inherited threads from
#   Arrow or the notebook kernel).
# * ``dask``: tasks on a :mod:`dask.distributed` client; a ``LocalCluster`` with ``n_jobs``
#   single-threaded worker processes, or an existing cluster when ``scheduler`` gives its address
#   (``tcp://host:8786``). Workers need the same code (the ``analysis`` package) and Python
#   packages as the client; they never read files, because the client reads the input and sends
#   each batch, and the stage's lexicons travel with the ``context`` (see docs/scaling.md).
#
# At most ``in_flight`` batches are submitted and not yet consumed, so a corpus of any size is
# never queued whole and memory stays bounded by a few batches.
#
# A batch function is ``func(state, batch) -> result``: ``state`` is built once per worker process
# by ``setup(context)`` (or is ``context`` itself without ``setup``) and reused for every batch
# that process runs, which is where a stage keeps its lexicons, classifier or stem cache.
#
# :func:`progress` is the stages' progress bar: on the terminal (also from inside a notebook
# kernel run by Papermill, where it writes to the terminal Papermill was started from, not into
# the notebook), silent in CI, when stderr is not a terminal, or with ``TQDM_DISABLE`` set.

BACKENDS = ("local", "dask")

B = TypeVar("B")
R = TypeVar("R")

# Set by analysis.report.notebooks.setup_notebook when it (not the user) silenced tqdm for library
# progress bars inside a notebook; the stages' own bars go to the terminal and stay on.
_NOTEBOOK_SILENCED_TQDM = "ANALYSIS_NOTEBOOK_SILENCED_TQDM"


def check_backend(backend: str, n_jobs: int, scheduler: str = "") -> None:
    """Raise :class:`UserError` for a backend, worker count or scheduler address that cannot work."""
    if backend not in BACKENDS:
        raise UserError(f"compute.backend = {backend!r}; use one of {', '.join(BACKENDS)}")
    if not isinstance(n_jobs, int) or isinstance(n_jobs, bool) or n_jobs < 1:
        raise UserError(f"n_jobs = {n_jobs!r}; use a whole number of at least 1")
    if not isinstance(scheduler, str):
        raise UserError(
            f'compute.dask_scheduler = {scheduler!r}; use "" or an address like tcp://10.0.0.5:8786'
        )
    if scheduler and backend != "dask":
        raise UserError(
            f"compute.dask_scheduler = {scheduler!r} is set but compute.backend is "
            f'{backend!r}; set compute.backend: dask, or dask_scheduler: ""'
        )


def compute_options(compute: ComputeParams | None) -> dict[str, Any]:
    """:func:`map_batches` keywords for params.yaml ``compute`` (None: in this process)."""
    if compute is None:
        return {"backend": "local", "n_jobs": 1, "scheduler": ""}
    return {
        "backend": compute.backend,
        "n_jobs": compute.n_jobs,
        "scheduler": compute.dask_scheduler,
    }


def in_background(function: Callable[..., R], *args: Any) -> concurrent.futures.Future:
    """``function(*args)`` in a daemon thread (it never delays the interpreter's exit); the
    future holds its value or its exception."""
    future: concurrent.futures.Future = concurrent.futures.Future()

    def run() -> None:
        try:
            future.set_result(function(*args))
        except BaseException as exc:  # handed to whoever asks for the result
            future.set_exception(exc)

    threading.Thread(target=run, daemon=True).start()
    return future


class Beside:
    """Work handed to a second process while this one goes on (see :func:`beside`)."""

    def __init__(self, executor: Any) -> None:
        self._executor = executor

    def submit(self, function: Callable[..., R], *args: Any) -> Callable[[], R]:
        """Start ``function(*args)``; the returned call waits for its value and returns it.

        ``function`` must be a module-level function and its arguments picklable. Without a
        second process (``enabled`` false) it runs when its value is asked for. When the
        second process dies (killed, out of memory), the work is done again in this process,
        with a line on stderr, so the stage still completes with the same result.
        """
        from concurrent.futures.process import BrokenProcessPool

        def here(exc: BaseException | None = None) -> R:
            if exc is not None:
                print(
                    f"warning: the second process stopped ({exc}); doing its work here",
                    file=sys.stderr,
                )
            return function(*args)

        if self._executor is None:
            return here
        try:
            future = self._executor.submit(function, *args)
        except BrokenProcessPool as exc:  # it died before (its setup failed, or it was killed)
            return functools.partial(here, exc)

        def result() -> R:
            try:
                return future.result()
            except BrokenProcessPool as exc:
                return here(exc)

        return result


@contextlib.contextmanager
def beside(
    enabled: bool, *, setup: Callable[..., None] | None = None, setup_args: tuple = ()
) -> Iterator[Beside]:
    """One spawned worker process for a piece of a stage that can run beside the rest.

    Meant for fixed costs of a small run that would otherwise queue on one core while the
    other idles (the compare stage draws its Indonesian figures there while it draws the
    English ones). The worker starts at once and runs ``setup(*setup_args)`` first (imports,
    settings), so its start-up overlaps what this process does until the first
    :meth:`Beside.submit`. With ``enabled`` false nothing is started and submitted work runs in
    this process. At the end of the block, work not yet started is cancelled, work under way
    is waited for, and the worker exits.
    """
    if not enabled:
        yield Beside(None)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    executor = ProcessPoolExecutor(
        1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=setup,
        initargs=setup_args,
    )
    executor.submit(int)  # start the worker now, not at the first real submit
    try:
        yield Beside(executor)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def read_ahead(make: Callable[[], Iterator[B]], depth: int = 2) -> Iterator[B]:
    """The items of ``make()``, produced by a daemon thread ahead of the caller.

    Up to ``depth`` items wait for the caller, and the thread may hold one more it has made
    while they wait: ``depth + 1`` items ahead at most. The iterator is made, advanced and
    closed in that thread only, so a reader whose work
    releases the GIL (pyarrow decoding a Parquet file) reads the next items while the caller
    works on this one. Items and exceptions come in the iterator's order; when the caller stops
    early (``close``, an exception, garbage collection), the thread closes the iterator and is
    joined before this generator returns, so a file it reads is closed by then.
    """
    if depth < 1:
        raise ValueError(f"depth must be at least 1, got {depth}")
    slots: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def offer(entry: tuple) -> bool:
        while not stop.is_set():
            try:
                slots.put(entry, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        items = None
        try:
            items = make()
            for item in items:
                if not offer((True, item)):
                    return
        except BaseException as exc:  # handed over in order, raised by the caller
            offer((False, exc))
            return
        finally:
            getattr(items, "close", lambda: None)()  # a generator's cleanup runs here
        offer((False, None))

    thread = threading.Thread(target=produce, daemon=True, name="read-ahead")
    thread.start()
    try:
        while True:
            ok, value = slots.get()
            if ok:
                yield value
            elif value is None:
                return
            else:
                raise value
    finally:
        stop.set()
        thread.join()


def batched(items: Iterable[B], size: int) -> Iterator[list[B]]:
    """Consecutive lists of ``size`` items (the last may be shorter), read lazily."""
    if size < 1:
        raise ValueError(f"batch size must be at least 1, got {size}")
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


# --------------------------------------------------------------------------------------------
# Worker-side state: built once per process and run (token), reused for every batch.

_STATES: OrderedDict[str, Any] = OrderedDict()
_STATES_LOCK = threading.Lock()
_MAX_STATES = 2  # a worker of a shared cluster may serve two runs at once; older states go


def _state(token: str, setup: Callable[[Any], Any] | None, context: Any) -> Any:
    with _STATES_LOCK:
        if token not in _STATES:
            _STATES[token] = setup(context) if setup is not None else context
            while len(_STATES) > _MAX_STATES:
                _STATES.popitem(last=False)
        return _STATES[token]


def _run_batch(
    token: str,
    setup: Callable[[Any], Any] | None,
    context: Any,
    func: Callable[[Any, Any], Any],
    batch: Any,
) -> Any:
    return func(_state(token, setup, context), batch)


# Batches left until this pool worker collects reference cycles itself (0: Python's collector
# runs as usual); set by _pool_init from ``collect_every``.
_COLLECT = {"every": 0, "left": 0}


def _pool_init(
    token: str, setup: Callable[[Any], Any] | None, context: Any, collect_every: int = 0
) -> None:
    _state(token, setup, context)
    if collect_every > 0:
        # The state (lexicons, rules) lives as long as the worker: out of the collector's sight.
        gc.collect()
        gc.freeze()
        gc.disable()
        _COLLECT["every"] = _COLLECT["left"] = collect_every


def _pool_run(token: str, func: Callable[[Any, Any], Any], batch: Any) -> Any:
    if _COLLECT["every"]:
        _COLLECT["left"] -= 1
        if _COLLECT["left"] <= 0:
            gc.collect()
            _COLLECT["left"] = _COLLECT["every"]
    return func(_STATES[token], batch)


# --------------------------------------------------------------------------------------------
# Client side


def _ordered(
    submit: Callable[[Any], Any], fetch: Callable[[Any], R], batches: Iterator[Any], in_flight: int
) -> Iterator[R]:
    """Submit batches, keeping at most ``in_flight`` pending; yield results in input order."""
    pending: deque = deque()
    for batch in batches:
        pending.append(submit(batch))
        if len(pending) >= in_flight:
            yield fetch(pending.popleft())
    while pending:
        yield fetch(pending.popleft())


class WorkerPool:
    """Worker processes that each hold a state built once (see :func:`worker_pool`)."""

    def __init__(self, pool: Any, token: str, n_jobs: int) -> None:
        self._pool = pool
        self._token = token
        self.n_jobs = n_jobs

    def submit(self, func: Callable[[Any, B], R], batch: B) -> Any:
        """Start ``func(state, batch)`` in a worker; ``.get()`` on the handle waits for it."""
        return self._pool.apply_async(_pool_run, (self._token, func, batch))

    def map(self, func: Callable[[Any, B], R], batches: Iterable[B]) -> list[R]:
        """``func(state, batch)`` for every batch, in the workers, results in input order."""
        return self._pool.starmap(_pool_run, [(self._token, func, b) for b in batches])


@contextlib.contextmanager
def worker_pool(
    n_jobs: int,
    *,
    setup: Callable[[Any], Any] | None = None,
    context: Any = None,
    collect_every: int = 0,
    join: bool = False,
) -> Iterator[WorkerPool]:
    """A pool of ``n_jobs`` worker processes, started with ``spawn``.

    Spawned workers are clean interpreters: no copy of the parent's heap and no inherited
    threads (Arrow, a notebook kernel), on every platform alike. Each worker builds its state
    ``setup(context)`` (or keeps ``context``) once and reuses it for every batch it runs.

    ``collect_every`` > 0 turns Python's automatic garbage collector off in the workers and
    collects reference cycles before every ``collect_every``-th batch instead: for work that
    allocates millions of short-lived objects and frees them all by reference counting (the
    collector finds nothing there, but its passes over the young objects cost classify's
    rules 4 % of their CPU). Nothing is computed differently.

    At the end of the block the workers are terminated; with ``join`` they are first let to
    exit on their own, so that what they registered with multiprocessing's resource tracker
    is released (a worker that fitted UMAP holds a joblib semaphore, reported as leaked at
    shutdown when its process is killed).
    """
    import multiprocessing

    token = uuid.uuid4().hex
    pool = multiprocessing.get_context("spawn").Pool(
        n_jobs, initializer=_pool_init, initargs=(token, setup, context, collect_every)
    )
    try:
        yield WorkerPool(pool, token, n_jobs)
        pool.close()
        if join:
            pool.join()
    finally:
        pool.terminate()
        pool.join()


def _local_pool(func, batches, context, setup, n_jobs, in_flight, collect_every) -> Iterator[Any]:
    with worker_pool(n_jobs, setup=setup, context=context, collect_every=collect_every) as pool:
        yield from _ordered(
            lambda b: pool.submit(func, b), lambda handle: handle.get(), batches, in_flight
        )


@contextlib.contextmanager
def _dask_client(n_jobs: int, scheduler: str) -> Iterator[Any]:
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - dask[distributed] is a project dependency
        raise UserError(
            "compute.backend = 'dask' needs dask[distributed]; install the project's "
            "requirements.lock or set compute.backend: local"
        ) from exc
    if scheduler:
        try:
            client = Client(scheduler, set_as_default=False)
        except OSError as exc:
            raise UserError(
                f"compute.dask_scheduler = {scheduler!r}: no Dask scheduler answered "
                f'({exc}); start one (dask scheduler) or set dask_scheduler: "" for '
                f"a local cluster"
            ) from None
        try:
            _check_workers_pinned(client, scheduler)
            yield client
        finally:
            client.close()
        return
    # One single-threaded process per job: the batch functions are pure Python (GIL-bound).
    # No dashboard: a pipeline stage should not open a web port; see docs/scaling.md.
    cluster = LocalCluster(
        n_workers=n_jobs,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    try:
        client = Client(cluster, set_as_default=False)
        try:
            yield client
        finally:
            client.close()
    finally:
        cluster.close()


def _worker_pinned() -> bool:
    from .runtime import is_pinned

    return is_pinned()


def _check_workers_pinned(client: Any, scheduler: str) -> None:
    """Workers of an external cluster must compute as the pipeline does (core.runtime)."""
    unpinned = sorted(addr for addr, ok in client.run(_worker_pinned).items() if not ok)
    if unpinned:
        raise UserError(
            f"compute.dask_scheduler = {scheduler!r}: {len(unpinned)} worker(s) (e.g. "
            f"{unpinned[0]}) run without the pinned numeric environment, so their results could "
            "differ in the last bit from this machine's; start every worker with "
            f"`python -m analysis dask-worker {scheduler}` (docs/scaling.md)"
        )


def _dask(func, batches, context, setup, n_jobs, scheduler, in_flight) -> Iterator[Any]:
    token = uuid.uuid4().hex
    with _dask_client(n_jobs, scheduler) as client:
        from distributed import KilledWorker  # importable: _dask_client checked it

        # A task whose workers all died (KilledWorker after repeated deaths, a cancelled future
        # when the scheduler lost every worker): the stage cannot finish on this cluster.
        lost = (KilledWorker, concurrent.futures.CancelledError)
        # The context (lexicons) goes to every worker once, not with every task.
        [shared] = client.scatter([context], broadcast=True, hash=False)
        if in_flight is None:
            in_flight = 4 * max(1, sum(client.nthreads().values()))

        def submit(batch):
            return client.submit(_run_batch, token, setup, shared, func, batch, pure=False)

        def fetch(future):
            try:
                return future.result()
            except lost as exc:
                where = f" at {scheduler}" if scheduler else ""
                raise UserError(
                    f"the Dask cluster{where} lost the workers running this stage "
                    f"({type(exc).__name__}: {exc}); the stage stopped before its outputs were "
                    "complete: start workers again (or use compute.backend: local) and rerun it, "
                    "which rewrites them (docs/scaling.md)"
                ) from None
            except Exception as exc:
                # A scheduler or worker without the project's code: the scheduler reports a
                # RuntimeError caused by the ImportError, a worker the ImportError itself.
                missing = exc if isinstance(exc, ImportError) else exc.__cause__
                if not isinstance(missing, ImportError):
                    raise
                where = f" at {scheduler}" if scheduler else ""
                raise UserError(
                    f"the Dask cluster{where} cannot import {missing.name or 'a module'!r} "
                    f"({missing}); "
                    "the scheduler and every worker need the project's code and packages "
                    "(see docs/scaling.md, 'Running on a real Dask cluster')"
                ) from exc

        try:
            yield from _ordered(submit, fetch, batches, in_flight)
        finally:
            client.cancel([shared])


def map_batches(
    func: Callable[[Any, B], R],
    batches: Iterable[B],
    *,
    context: Any = None,
    setup: Callable[[Any], Any] | None = None,
    backend: str = "local",
    n_jobs: int = 1,
    scheduler: str = "",
    in_flight: int | None = None,
    collect_every: int = 0,
) -> Iterator[R]:
    """Apply ``func(state, batch)`` to every batch, yielding the results in input order.

    Args:
        func: a module-level function (workers import it by name) taking the worker state and
            one batch; it must not depend on which process runs it.
        batches: an iterable of batches, read lazily (at most ``in_flight`` ahead).
        context: what every worker needs (lexicons, settings); pickled once per worker.
        setup: builds the worker state from ``context`` once per process (e.g. a classifier);
            ``None`` uses ``context`` itself.
        backend: ``"local"`` or ``"dask"`` (see the module docstring).
        n_jobs: worker processes (local pool or LocalCluster workers); ignored with a scheduler
            address, where the cluster's workers are used.
        scheduler: address of a running Dask scheduler; "" starts a LocalCluster.
        in_flight: batches submitted ahead of the one being consumed; default four times the
            number of workers.
        collect_every: local worker processes only (see :func:`worker_pool`): > 0 replaces
            the automatic garbage collector by a collection every this many batches.

    Yields:
        ``func``'s result for each batch, in the order of ``batches``.

    Raises:
        UserError: unknown backend, bad ``n_jobs``, unreachable scheduler.
    """
    check_backend(backend, n_jobs, scheduler)
    iterator = iter(batches)
    if backend == "local":
        # Look ahead: a pool costs more than it saves for a single batch.
        head = list(itertools.islice(iterator, 2))
        iterator = itertools.chain(head, iterator)
        if n_jobs == 1 or len(head) < 2:
            state = setup(context) if setup is not None else context
            for batch in iterator:
                yield func(state, batch)
            return
        yield from _local_pool(
            func, iterator, context, setup, n_jobs, in_flight or 4 * n_jobs, collect_every
        )
        return
    yield from _dask(func, iterator, context, setup, n_jobs, scheduler, in_flight)


# --------------------------------------------------------------------------------------------
# Progress bars


def _truthy(value: str | None) -> bool:
    return bool(value) and value.strip().lower() not in ("0", "false", "no", "off", "")


def _terminal_fd() -> int | None:
    """The file descriptor of the terminal progress may be drawn on, or None to stay silent."""
    if os.environ.get("CI"):
        return None
    if _truthy(os.environ.get("TQDM_DISABLE")) and not _truthy(
        os.environ.get(_NOTEBOOK_SILENCED_TQDM)
    ):
        return None
    # In a notebook kernel sys.stderr is captured into the notebook, but its fileno() is the
    # stream the kernel was started with: the terminal of `dvc repro` / papermill, if any.
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, ValueError, OSError, io.UnsupportedOperation):
        return None
    return fd if os.isatty(fd) else None


def progress_enabled() -> bool:
    """Whether :func:`progress` draws a bar (a terminal is attached and nothing silences it)."""
    return _terminal_fd() is not None


@contextlib.contextmanager
def progress(*, total: int | None = None, desc: str, unit: str) -> Iterator[Any]:
    """A tqdm progress bar on the terminal, or a silent one (same interface) when there is none.

    Silent when the environment variable ``CI`` is set, when ``TQDM_DISABLE`` is set by the
    user, or when stderr is not a terminal (logs, pipes, CI runners).

    Args:
        total: expected number of units, if known.
        desc: label shown before the bar (the stage name).
        unit: what is counted, with a leading space (``" articles"``).

    Yields:
        An object with ``update(n)`` and ``set_postfix_str(text)``.
    """
    from tqdm import tqdm

    fd = _terminal_fd()
    if fd is None:
        bar = tqdm(total=total, desc=desc, unit=unit, disable=True)
        try:
            yield bar
        finally:
            bar.close()
        return
    stream = open(fd, "w", encoding="utf-8", closefd=False)  # noqa: SIM115 - closed below
    try:
        sized = os.get_terminal_size(fd).columns > 0
    except OSError:
        sized = False
    # a pseudo-terminal that reports no width would get an empty bar: assume 80 columns
    width = {"dynamic_ncols": True} if sized else {"ncols": 80}
    bar = tqdm(
        total=total, desc=desc, unit=unit, file=stream, disable=False, mininterval=0.5, **width
    )
    try:
        yield bar
    finally:
        bar.close()
        stream.flush()
        stream.close()
