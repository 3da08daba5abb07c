"""The seed runs in worker processes give the same topics, words and tables as in this process."""

from __future__ import annotations

import pandas as pd
import pytest

import analysis.topics.seed_runs as seed_runs
from analysis.core.config import Params, TopicsParams
from analysis.topics.batches import RestParagraphs
from analysis.topics.model import fit_selected, select_paragraphs
from analysis.topics.tables import load_inputs

SEED = Params().seed


def _fit(seed_inputs, n_jobs: int, workers=None):
    frame = load_inputs(
        seed_inputs["paragraphs"], seed_inputs["classified"], seed_inputs["documents"]
    )
    topics = TopicsParams.model_construct(fit_on="all", n_seeds=3)
    fit, rest, selection = select_paragraphs(frame, topics.fit_on, topics.sample_size, SEED)
    return fit_selected(
        fit,
        RestParagraphs(rest, None, 100),
        selection,
        topics,
        SEED,
        None,
        n_jobs=n_jobs,
        workers=workers,
    )


@pytest.mark.slow
def test_runs_in_two_worker_processes_equal_the_runs_in_this_process(seed_inputs, monkeypatch):
    here = _fit(seed_inputs, n_jobs=1)
    calls = []
    real_map = seed_runs.map_batches

    def counting_map(*args, **kwargs):
        calls.append(kwargs["n_jobs"])
        return real_map(*args, **kwargs)

    # The bundled corpus is far below PARALLEL_FROM; lower it so the pool really starts.
    monkeypatch.setattr(seed_runs, "PARALLEL_FROM", 0)
    monkeypatch.setattr(seed_runs, "map_batches", counting_map)
    pooled = _fit(seed_inputs, n_jobs=2)
    # one pool of two workers for the three seeds, one for the LDA and NMF baselines
    assert calls == [2, 2]
    pd.testing.assert_frame_equal(pooled.assignments, here.assignments)
    pd.testing.assert_frame_equal(pooled.topic_info, here.topic_info)
    assert pooled.metrics == here.metrics  # the baselines' words and coherence among them
    assert set(pooled.metrics["baselines"]) == {"lda", "nmf"}
    assert pooled.metrics["ensemble"]["n_seeds"] == 3
    # the published model came back from a worker and still assigns new paragraphs
    assert pooled.model.topic_representations_ == here.model.topic_representations_

    # Workers started before the inputs are read (as the stage does at scale): warmed up, then
    # the three seeds and both baselines in the same two processes, with the same result.
    calls.clear()
    with seed_runs.SeedWorkers(n_jobs=2, n_seeds=3) as early:
        assert early.start(n_docs=seed_runs.APPROXIMATE_FROM)
        # the warm-up compiled pynndescent's search in each worker before any fit arrived
        compiled = early._pool.map(_compiled_searches, [None, None])
        assert all(n >= 1 for n in compiled), compiled
        warmed = _fit(seed_inputs, n_jobs=1, workers=early)
    assert calls == []  # no other pool was started
    pd.testing.assert_frame_equal(warmed.assignments, here.assignments)
    pd.testing.assert_frame_equal(warmed.topic_info, here.topic_info)
    assert warmed.metrics == here.metrics
    assert warmed.model.topic_representations_ == here.model.topic_representations_


def _compiled_searches(_state, _batch) -> int:
    """In a worker: machine-code versions numba holds of the nearest-neighbour search UMAP
    uses (pynndescent, reached through umap-learn, which declares it)."""
    import importlib

    import umap.umap_

    search = importlib.import_module(umap.umap_.NNDescent.__module__)
    return len(search.nn_descent_internal.signatures)


def test_seed_workers_start_only_for_a_large_fit_and_more_than_one_job(monkeypatch):
    started = []
    monkeypatch.setattr(seed_runs, "worker_pool", lambda *a, **k: started.append(k) or None)
    with seed_runs.SeedWorkers(n_jobs=2, n_seeds=5) as workers:
        assert not workers.start(seed_runs.PARALLEL_FROM - 1) and not workers.started
        # large enough for a pool, too small for pynndescent: no warm-up, the pool comes later
        assert not workers.start(seed_runs.APPROXIMATE_FROM - 1) and not workers.started
    with seed_runs.SeedWorkers(n_jobs=1, n_seeds=5) as workers:
        assert not workers.start(10**6)
    assert started == []
    # not started: the runs and baselines take the usual path (here: this process, small fit)

    class Fit:
        docs = ["a b"] * 10

        def __call__(self, seed):
            return -seed

    with seed_runs.SeedWorkers(n_jobs=2, n_seeds=2) as workers:
        assert workers.runs(Fit(), [3, 4]) == [-3, -4]


def test_small_fits_and_one_job_stay_in_this_process(monkeypatch):
    started = []
    monkeypatch.setattr(seed_runs, "map_batches", lambda *a, **k: started.append(k) or [])

    class Fit:
        docs = ["a b"] * 10

        def __call__(self, seed):
            return seed * 2

    assert seed_runs.fit_runs(Fit(), [1, 2, 3], n_jobs=2) == [2, 4, 6]  # 10 < PARALLEL_FROM
    monkeypatch.setattr(seed_runs, "PARALLEL_FROM", 0)
    assert seed_runs.fit_runs(Fit(), [1, 2, 3], n_jobs=1) == [2, 4, 6]
    assert seed_runs.fit_runs(Fit(), [5], n_jobs=4) == [10]

    class Estimator:
        def fit(self, matrix):
            self.fitted_on = matrix
            return self

    fitted = seed_runs.fit_estimators([(Estimator(), 1), (Estimator(), 2)], n_docs=10, n_jobs=1)
    assert [e.fitted_on for e in fitted] == [1, 2]
    assert started == []


def test_an_error_stops_started_workers_without_waiting_for_them(monkeypatch):
    import contextlib

    seen = []

    @contextlib.contextmanager
    def fake_pool(n_jobs, **kwargs):
        try:
            yield "pool"
            seen.append(("ended", kwargs["join"]))  # the normal end: close, then join
        except BaseException as exc:  # what worker_pool's finally then terminates
            seen.append(("error", type(exc).__name__))
            raise

    monkeypatch.setattr(seed_runs, "worker_pool", fake_pool)
    with seed_runs.SeedWorkers(n_jobs=2, n_seeds=5) as workers:
        assert workers.start(seed_runs.APPROXIMATE_FROM)
    assert seen == [("ended", True)]
    seen.clear()
    with pytest.raises(KeyError):
        with seed_runs.SeedWorkers(n_jobs=2, n_seeds=5) as workers:
            workers.start(seed_runs.APPROXIMATE_FROM)
            raise KeyError("a bad input found while reading")
    assert seen == [("error", "KeyError")]


@pytest.mark.slow
def test_drop_search_index_removes_only_the_index_umap_transform_needs():
    import pickle
    from types import SimpleNamespace

    import numpy as np

    # the seed workers' warm-up fit: 600 made-up rows, pynndescent's search forced
    umap_model = seed_runs._warm_up_fit()
    rows = np.random.default_rng(3).random((20, 8))
    model = SimpleNamespace(umap_model=umap_model)
    embedding = umap_model.embedding_.copy()
    assert umap_model._knn_search_index is not None
    with_index = len(pickle.dumps(model))
    assert seed_runs.drop_search_index(model) is True
    assert umap_model._knn_search_index is None
    np.testing.assert_array_equal(umap_model.embedding_, embedding)
    assert len(pickle.dumps(model)) < with_index
    with pytest.raises(NotImplementedError):
        umap_model.transform(rows[:5])
    # nothing left to drop, or no UMAP at all (the online mode's IncrementalPCA)
    assert seed_runs.drop_search_index(model) is False
    assert seed_runs.drop_search_index(SimpleNamespace(umap_model=object())) is False


@pytest.mark.parametrize(
    ("fit_on", "keep", "dropped"), [("all", False, 3), ("sample", False, 0), ("all", True, 0)]
)
def test_runs_keep_the_search_index_when_asked_or_when_others_are_assigned_after_the_fit(
    seed_inputs, monkeypatch, fit_on, keep, dropped
):
    frame = load_inputs(
        seed_inputs["paragraphs"], seed_inputs["classified"], seed_inputs["documents"]
    )
    topics = TopicsParams.model_construct(fit_on=fit_on, n_seeds=3, sample_size=40)
    fit, rest, selection = select_paragraphs(frame, topics.fit_on, topics.sample_size, SEED)
    assert (len(rest) > 0) == (fit_on == "sample")
    calls = []
    monkeypatch.setattr(seed_runs, "drop_search_index", calls.append)
    rest = RestParagraphs(rest, None, 100)
    fit_selected(fit, rest, selection, topics, SEED, None, keep_search_index=keep)
    assert len(calls) == dropped
