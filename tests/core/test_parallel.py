"""analysis.parallel: order, per-worker state, bounded look-ahead, errors, backends, progress bars."""

from __future__ import annotations

import os
import sys

import pytest

from analysis.core.errors import UserError
from analysis.core.parallel import (
    batched,
    beside,
    check_backend,
    map_batches,
    progress,
    progress_enabled,
    read_ahead,
    worker_pool,
)


# Batch functions live at module level: worker processes import them by name.
def _square_all(offset: int, batch: list[int]) -> list[int]:
    return [offset + x * x for x in batch]


def _make_offset(context: dict) -> int:
    return context["base"] * 10


def _pid_and_state(state: object, batch: list[int]) -> tuple[int, int, list[int]]:
    return os.getpid(), id(state), batch


# Weak references to the reference cycles made by earlier batches of this worker process.
_CYCLES: list = []


def _cycle_then_report(_state: None, batch: int) -> tuple[bool, bool, int]:
    """Whether the automatic collector is on, whether the state was frozen, and how many of the
    earlier batches' cycles are gone; then leave one more cycle behind."""
    import gc
    import weakref

    report = (gc.isenabled(), gc.get_freeze_count() > 0, sum(r() is None for r in _CYCLES))

    class Node:
        pass

    node = Node()
    node.me = node  # only the collector can free it
    _CYCLES.append(weakref.ref(node))
    return report


def _fail_on_three(_state: None, batch: list[int]) -> list[int]:
    if 3 in batch:
        raise UserError("batch with 3")
    return batch


def test_batched_cuts_consecutive_lists():
    assert list(batched(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(batched([], 3)) == []
    with pytest.raises(ValueError):
        list(batched([1], 0))


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_local_results_come_back_in_input_order(n_jobs):
    batches = list(batched(range(40), 3))
    out = list(
        map_batches(_square_all, batches, context={"base": 1}, setup=_make_offset, n_jobs=n_jobs)
    )
    assert out == [[10 + x * x for x in batch] for batch in batches]


def test_state_is_built_once_per_worker_process():
    out = list(
        map_batches(
            _pid_and_state, [[i] for i in range(12)], context="lexicons", setup=str.upper, n_jobs=2
        )
    )
    assert [b for _, _, b in out] == [[i] for i in range(12)]
    states_per_pid: dict[int, set[int]] = {}
    for pid, state_id, _ in out:
        states_per_pid.setdefault(pid, set()).add(state_id)
    assert os.getpid() not in states_per_pid  # the work ran in the pool, not here
    assert all(len(ids) == 1 for ids in states_per_pid.values())


def test_one_batch_runs_in_this_process_without_a_pool():
    [(pid, _, batch)] = map_batches(_pid_and_state, [[1, 2]], context=None, n_jobs=2)
    assert pid == os.getpid() and batch == [1, 2]


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_batches_are_read_lazily(n_jobs):
    pulled = []

    def source():
        for i in range(50):
            pulled.append(i)
            yield [i]

    results = map_batches(_square_all, source(), context=0, n_jobs=n_jobs, in_flight=3)
    assert next(results) == [0]
    # the first result arrives with at most the look-ahead in flight, not all 50 batches read
    assert len(pulled) <= 3 + 2
    assert list(results) == [[i * i] for i in range(1, 50)]


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_worker_errors_reach_the_caller_with_their_type(n_jobs):
    with pytest.raises(UserError, match="batch with 3"):
        list(map_batches(_fail_on_three, [[1], [2], [3], [4]], n_jobs=n_jobs))


def test_bad_backend_settings_are_user_errors():
    with pytest.raises(UserError, match="compute.backend = 'spark'"):
        check_backend("spark", 2)
    with pytest.raises(UserError, match="n_jobs = 0"):
        check_backend("local", 0)
    with pytest.raises(UserError, match="set compute.backend: dask"):
        check_backend("local", 2, "tcp://127.0.0.1:8786")
    with pytest.raises(UserError):
        list(map_batches(_square_all, [[1]], backend="dask", n_jobs=True))


@pytest.mark.slow
def test_dask_local_cluster_keeps_order_and_state():
    batches = list(batched(range(30), 4))
    out = list(
        map_batches(
            _square_all, batches, context={"base": 2}, setup=_make_offset, backend="dask", n_jobs=2
        )
    )
    assert out == [[20 + x * x for x in batch] for batch in batches]
    with pytest.raises(UserError, match="batch with 3"):
        list(map_batches(_fail_on_three, [[1], [2], [3]], backend="dask", n_jobs=1))


def test_unreachable_scheduler_is_a_user_error():
    dask = pytest.importorskip("dask")
    with (
        dask.config.set({"distributed.comm.timeouts.connect": "1s"}),
        pytest.raises(UserError, match="no Dask scheduler answered"),
    ):
        list(map_batches(_square_all, [[1], [2]], backend="dask", scheduler="tcp://127.0.0.1:9"))


# ------------------------------------------------------------------------------ progress bars


@pytest.fixture
def terminal(monkeypatch):
    """A function that connects stderr to a pseudo-terminal and returns its master end.

    It must be called inside the test: pytest puts its own capture back on sys.stderr between
    fixture setup and the test.
    """
    for name in ("CI", "TQDM_DISABLE", "ANALYSIS_NOTEBOOK_SILENCED_TQDM"):
        monkeypatch.delenv(name, raising=False)
    opened = []

    def connect() -> int:
        master, slave = os.openpty()
        stream = os.fdopen(slave, "w", buffering=1)
        opened.append((master, stream))
        monkeypatch.setattr(sys, "stderr", stream)
        return master

    yield connect
    for master, stream in opened:
        stream.close()
        os.close(master)


def _drain(master: int) -> str:
    """Everything written to the pseudo-terminal so far (it may arrive in several chunks)."""
    import select

    chunks = []
    while select.select([master], [], [], 0.2)[0]:
        chunks.append(os.read(master, 4096))
    return b"".join(chunks).decode()


def test_progress_draws_on_a_terminal(terminal):
    master = terminal()
    assert progress_enabled()
    with progress(total=4, desc="ingest", unit="article") as bar:
        bar.update(4)
    drawn = _drain(master)
    assert "ingest" in drawn and "4/4" in drawn


@pytest.mark.parametrize("env", [{"CI": "true"}, {"TQDM_DISABLE": "1"}])
def test_progress_is_silent_in_ci_or_when_disabled(terminal, monkeypatch, env):
    terminal()
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert not progress_enabled()
    with progress(total=2, desc="ingest", unit="article") as bar:
        bar.update(2)  # a silent bar still accepts updates


def test_progress_stays_on_when_only_the_notebook_silenced_tqdm(terminal, monkeypatch):
    # setup_notebook silences library bars (they would be saved into the notebook) and says so
    terminal()
    monkeypatch.setenv("TQDM_DISABLE", "1")
    monkeypatch.setenv("ANALYSIS_NOTEBOOK_SILENCED_TQDM", "1")
    assert progress_enabled()


def test_progress_is_silent_without_a_terminal(monkeypatch, tmp_path):
    for name in ("CI", "TQDM_DISABLE", "ANALYSIS_NOTEBOOK_SILENCED_TQDM"):
        monkeypatch.delenv(name, raising=False)
    with open(tmp_path / "log.txt", "w") as log:
        monkeypatch.setattr(sys, "stderr", log)
        assert not progress_enabled()
        with progress(total=1, desc="ingest", unit="article") as bar:
            bar.update(1)
    assert (tmp_path / "log.txt").read_text() == ""


def test_params_refuse_a_scheduler_address_without_the_dask_backend():
    from analysis.core.config import ParamsError, validate_section

    with pytest.raises(
        ParamsError, match=r"compute\.dask_scheduler = 'tcp://10\.0\.0\.5:8786'.*backend: dask"
    ):
        validate_section("compute", backend="local", n_jobs=2, dask_scheduler="tcp://10.0.0.5:8786")
    accepted = validate_section(
        "compute", backend="dask", n_jobs=2, dask_scheduler="tcp://10.0.0.5:8786"
    )
    assert accepted.dask_scheduler == "tcp://10.0.0.5:8786"


def test_workers_can_collect_cycles_every_n_batches_instead_of_automatically():
    # one worker: the batches run in order in one process
    with worker_pool(1, collect_every=3) as pool:
        reports = pool.map(_cycle_then_report, range(5))
    # collections before the 3rd batch (cycles of batches 1-2 freed) and not before the 6th
    assert reports == [
        (False, True, 0),
        (False, True, 0),
        (False, True, 2),
        (False, True, 2),
        (False, True, 2),
    ]
    with worker_pool(1) as pool:  # the default leaves Python's collector as it is
        assert [r[:2] for r in pool.map(_cycle_then_report, range(2))] == [(True, False)] * 2


def _counting(log: list, stop_at: int | None = None):
    """0, 1, 2, … (up to ``stop_at``, or raising ValueError there when negative), noting in
    ``log`` each item made, the thread it was made in, and its own closing."""
    import threading

    try:
        k = 0
        while stop_at is None or k < abs(stop_at):
            log.append(("made", k, threading.current_thread().name))
            yield k
            k += 1
        if stop_at is not None and stop_at < 0:
            raise ValueError(f"broken after {k} items")
    finally:
        log.append(("closed", threading.current_thread().name))


def test_read_ahead_keeps_order_and_makes_the_items_in_its_thread():
    log: list = []
    assert list(read_ahead(lambda: _counting(log, 7), depth=2)) == list(range(7))
    assert {entry[-1] for entry in log} == {"read-ahead"}
    assert log[-1] == ("closed", "read-ahead")


def test_read_ahead_raises_the_iterators_error_after_the_items_before_it():
    log: list = []
    seen = []
    with pytest.raises(ValueError, match="broken after 3 items"):
        for item in read_ahead(lambda: _counting(log, -3)):
            seen.append(item)
    assert seen == [0, 1, 2]


def test_read_ahead_stays_at_most_depth_items_ahead_and_closes_when_the_caller_stops():
    import threading
    import time

    log: list = []
    reader = read_ahead(lambda: _counting(log), depth=3)  # endless
    assert next(reader) == 0
    time.sleep(0.3)  # the thread fills its slots, then waits
    made = [entry for entry in log if entry[0] == "made"]
    # item 0 taken, three waiting in the slots, one made and waiting for a slot
    assert len(made) == 5
    reader.close()
    assert log[-1] == ("closed", "read-ahead")
    assert not any(t.name == "read-ahead" for t in threading.enumerate())
    with pytest.raises(ValueError, match="depth"):
        next(read_ahead(lambda: iter([]), depth=0))
    assert list(read_ahead(lambda: iter([1, 2]), depth=1)) == [1, 2]  # an iterator without close


# --------------------------------------------------------------------------------------------
# beside: one second process for a piece of a stage


_SETUP_MARK: list[str] = []


def _remember(mark: str) -> None:
    _SETUP_MARK.append(mark)


def _pid_and_marks(value: int) -> tuple[int, int, list[str]]:
    return os.getpid(), value * 2, list(_SETUP_MARK)


def _killed_in_a_worker(value: int) -> tuple[int, int]:
    import multiprocessing
    import signal

    if multiprocessing.parent_process() is not None:  # only ever the worker, never the test
        os.kill(os.getpid(), signal.SIGKILL)
    return os.getpid(), value * 2


def test_beside_runs_the_work_in_a_worker_that_ran_its_setup_first():
    with beside(True, setup=_remember, setup_args=("ready",)) as other:
        pending = other.submit(_pid_and_marks, 21)
        pid, value, marks = pending()
    assert pid != os.getpid()
    assert value == 42
    assert marks == ["ready"]  # setup ran in the worker, before the work
    assert _SETUP_MARK == []  # and not here


def test_beside_disabled_runs_the_work_here_when_asked_for():
    with beside(False, setup=_remember, setup_args=("ready",)) as other:
        pending = other.submit(_pid_and_marks, 5)
        assert pending() == (os.getpid(), 10, [])


def test_beside_redoes_the_work_of_a_killed_worker_here(capfd):
    with beside(True) as other:
        pending = other.submit(_killed_in_a_worker, 21)
        assert pending() == (os.getpid(), 42)
    assert "the second process stopped" in capfd.readouterr().err


def _setup_fails() -> None:
    raise RuntimeError("no setup")


def test_beside_does_the_work_here_when_the_workers_setup_failed(capfd):
    with beside(True, setup=_setup_fails) as other:
        pending = other.submit(_pid_and_marks, 4)
        assert pending() == (os.getpid(), 8, [])
        # the pool is known to be broken now: a later submit is refused at once, and done here
        assert other.submit(_pid_and_marks, 5)() == (os.getpid(), 10, [])
    assert "the second process stopped" in capfd.readouterr().err


def test_beside_hands_a_workers_error_to_the_caller():
    with beside(True) as other:
        pending = other.submit(_fail_on_three, None, [1, 3])
        with pytest.raises(UserError, match="batch with 3"):
            pending()
