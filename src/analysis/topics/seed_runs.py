"""The seed ensemble's fits, in this process or in worker processes, with the same bytes either way."""

# Each run of the ensemble (``ensemble.fit_ensemble``) fits the topic model with one seed on the
# same embedding: UMAP, HDBSCAN or k-means, outlier reduction and topic words. The runs share
# nothing but their inputs, each is seeded and single-threaded, and they are put back in seed
# order, so fitting them in parallel worker processes changes no output byte; it only divides
# the stage's largest cost (about half of it at 1M articles) by the number of workers.
#
# Worker processes are started with ``spawn`` by ``core.parallel.map_batches`` (backend
# ``local``); they inherit the pinned numeric environment of the stage process, keep numba's
# compiled code in the same disk cache, and receive the inputs once. A pool costs a few seconds
# (importing BERTopic), so small fits (fewer than ``PARALLEL_FROM`` paragraphs, the bundled
# corpus among them) stay in this process.
#
# The stage can start them earlier (``SeedWorkers.start``): as soon as classified.parquet has
# told it how many paragraphs the fit will have, before it scans paragraphs.parquet for their
# text. The workers then import BERTopic and have numba compile UMAP's nearest-neighbour search
# (``_warm_worker``) on the core the reading process leaves idle; pynndescent's search cannot be
# kept in numba's disk cache, so every worker compiled it at its first fit (about 18 s at 1M
# articles, and more with an empty cache). The warm-up fits UMAP on its own made-up rows with its
# own seed and keeps nothing but the compiled code, so the runs give the same bytes.
#
# A run that goes back from a worker is pickled, and pickling a UMAP fitted with pynndescent builds
# the index's search structures first (its search graph and trees) and unpickling sets up its
# search function: numba code that a first large fit must compile, in every worker and again in the
# stage process (78-90 s of CPU in all, 36-40 s of the stage's time, at 1M articles with an empty
# or a bundled-corpus cache; benchmarks/RESULTS.md). Only UMAP's
# ``transform`` uses that index: the stage transforms only in the ``sample`` mode (the paragraphs
# outside the sample), so otherwise its runs leave it behind (``keep_search_index``), as UMAP
# allows; ``model.fit_selected`` keeps it by default, for a caller who assigns paragraphs later.

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.parallel import WorkerPool, map_batches, worker_pool
from .ensemble import EnsembleRun, run_words
from .quality import stem_vectorizer
from .words import StemSpace

__all__ = [
    "PARALLEL_FROM",
    "SeedFit",
    "SeedWorkers",
    "drop_search_index",
    "fit_estimators",
    "fit_runs",
    "quiet_bertopic_logger",
]

#: Fitted paragraphs from which the runs go to worker processes (below, a pool costs more
#: than it saves).
PARALLEL_FROM = 1_000


@dataclass
class SeedFit:
    """Everything a run needs; calling it with a seed fits that run.

    Attributes:
        docs: the fitted paragraphs' space-joined stems.
        embeddings: their embedding rows (no zero row).
        embedder: the embedding model BERTopic keeps (to embed paragraphs assigned later).
        settings: ``model.clustering_settings`` (or ``online_settings``) for ``docs``.
        top_n_words: topic words kept per topic.
        online: fit with BERTopic's online path.
        space: ``words.stem_space(docs)``, for the topic words.
        fit_function: ``model._fit`` or ``model._fit_online`` (module-level, so a worker
            process finds it by name).
        reduce_outliers: ``model._reduce_outliers``.
        keep_search_index: keep UMAP's nearest-neighbour index in the fitted model, which its
            ``transform`` needs (paragraphs assigned after the fit); without, it is dropped
            (:func:`drop_search_index`).
    """

    docs: list[str]
    embeddings: np.ndarray
    embedder: Any
    settings: Any
    top_n_words: int
    online: bool
    space: StemSpace
    fit_function: Callable
    reduce_outliers: Callable
    keep_search_index: bool = True

    def __call__(self, run_seed: int) -> EnsembleRun:
        docs, top_n_words = self.docs, self.top_n_words
        model, raw, used = self.fit_function(
            docs, self.embeddings, self.embedder, self.settings, top_n_words, run_seed
        )
        reduced = self.reduce_outliers(model, docs, raw)
        if self.online:
            # Topic words from the final assignments, with the same batch vectorizer and
            # c-TF-IDF as the other modes (the online vectorizer only served the training).
            model.update_topics(
                docs,
                topics=reduced,
                vectorizer_model=stem_vectorizer(),
                ctfidf_model=model.ctfidf_model,
                top_n_words=top_n_words,
            )
        elif reduced != raw:
            # Same vectorizer and c-TF-IDF: topic words stay stems after the reassignment.
            model.update_topics(
                docs,
                topics=reduced,
                vectorizer_model=model.vectorizer_model,
                ctfidf_model=model.ctfidf_model,
                top_n_words=top_n_words,
            )
        if not self.keep_search_index:
            drop_search_index(model)
        return EnsembleRun(
            run_seed, model, raw, reduced, used, run_words(model, reduced, self.space, top_n_words)
        )


def drop_search_index(model: Any) -> bool:
    """Remove UMAP's nearest-neighbour search index from a fitted BERTopic model; True if there
    was one.

    The index serves UMAP's ``transform`` only (which then raises ``NotImplementedError``, as
    umap-learn documents for a model without one); the fit's embedding, graph and topics do not
    use it. A fit of fewer than 4,096 rows (exact distances) or a model without UMAP has none.
    """
    umap_model = getattr(model, "umap_model", None)
    if getattr(umap_model, "_knn_search_index", None) is None:
        return False
    umap_model._knn_search_index = None
    return True


def _worker_setup(fit: SeedFit | None) -> SeedFit | None:
    """In a worker process: the stage process's settings for a fit, once per process."""
    from threadpoolctl import threadpool_limits

    from ..core.runtime import cache_numba

    cache_numba()  # before UMAP is imported: the stage's numba disk cache
    threadpool_limits(limits=1)  # as in model._fit_and_assign, for the life of the worker
    quiet_bertopic_logger()
    return fit


class _CustomTopicsWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "custom list of topic assignments" not in record.getMessage()


def quiet_bertopic_logger() -> logging.Filter:
    """Drop BERTopic's warning about custom topic lists (passing them is the point here)."""
    # A filter, not a level: BERTopic resets its logger's level whenever a model is built.
    quiet = _CustomTopicsWarning()
    logging.getLogger("BERTopic").addFilter(quiet)
    return quiet


def _pool_size(n_docs: int, n_tasks: int, n_jobs: int) -> int:
    """Worker processes for ``n_tasks`` fits on ``n_docs`` paragraphs; 1 means this process."""
    return 1 if n_docs < PARALLEL_FROM else max(1, min(n_jobs, n_tasks))


def _fit_batch(fit: SeedFit, seeds: list[int]) -> list[EnsembleRun]:
    return [fit(seed) for seed in seeds]


def fit_runs(fit: SeedFit, seeds: Sequence[int], n_jobs: int = 1) -> list[EnsembleRun]:
    """Fit one run per seed, in seed order; in up to ``n_jobs`` worker processes for large fits.

    Args:
        fit: the shared inputs of the runs.
        seeds: ``stability.ensemble_seeds`` of the stage.
        n_jobs: params.yaml ``compute.n_jobs``, the most processes used (never more than
            there are seeds); 1, or a fit of fewer than ``PARALLEL_FROM`` paragraphs, fits
            every run in this process.
    """
    seeds = list(seeds)
    n_workers = _pool_size(len(fit.docs), len(seeds), n_jobs)
    if n_workers == 1:
        return [fit(seed) for seed in seeds]
    batches = map_batches(
        _fit_batch,
        ([seed] for seed in seeds),
        context=fit,
        setup=_worker_setup,
        backend="local",
        n_jobs=n_workers,
        in_flight=len(seeds),
    )
    return [run for batch in batches for run in batch]


def _fit_estimator(_state: None, pair: tuple) -> Any:
    from threadpoolctl import threadpool_limits

    estimator, matrix = pair
    with threadpool_limits(limits=1):  # as in the stage process
        return estimator.fit(matrix)


def fit_estimators(pairs: list, n_docs: int, n_jobs: int = 1) -> list:
    """Fit ``(estimator, matrix)`` pairs (the LDA and NMF baselines), in order, returning the
    fitted estimators; in up to ``n_jobs`` worker processes when ``n_docs`` reaches
    ``PARALLEL_FROM``. Each estimator is seeded: the same bytes either way."""
    n_workers = _pool_size(n_docs, len(pairs), n_jobs)
    if n_workers == 1:
        return [_fit_estimator(None, pair) for pair in pairs]
    return list(map_batches(_fit_estimator, pairs, backend="local", n_jobs=n_workers))


#: Rows of the warm-up fit's made-up data (``_warm_worker``).
WARM_ROWS = 600
#: Fitted paragraphs from which UMAP searches neighbours with pynndescent (umap-learn's own
#: threshold; below it the distances are exact and there is nothing to compile ahead).
APPROXIMATE_FROM = 4096


def _warm_worker(_context: None) -> None:
    """A seed worker's set-up before any fit arrives: the stage's settings, BERTopic imported,
    and UMAP's approximate nearest-neighbour search compiled by a fit on made-up rows.

    UMAP takes that search (pynndescent) from 4,096 rows on, or when forced, as here; every
    compiled function is a function of its argument types only (UMAP hands it float32 rows
    whatever it is given), so the real fits reuse the code and compute what they would have.
    """
    _worker_setup(None)
    import bertopic  # noqa: F401  (the import itself is the point: several seconds)

    _warm_up_fit()


def _warm_up_fit() -> Any:
    """UMAP fitted on ``WARM_ROWS`` made-up rows with pynndescent's search forced (seed 0)."""
    from .seeded_umap import SeededUMAP

    rows = np.random.default_rng(0).random((WARM_ROWS, 8))
    return SeededUMAP(
        n_neighbors=15,
        n_components=5,
        min_dist=0.0,
        metric="cosine",
        random_state=0,
        n_jobs=1,
        low_memory=True,
        n_epochs=5,
        force_approximation_algorithm=True,
    ).fit(rows)


def _fit_seed(_state: None, task: tuple[SeedFit, int]) -> EnsembleRun:
    fit, seed = task
    return fit(seed)


class SeedWorkers:
    """The worker processes of one topics fit: the seed runs, then the LDA and NMF baselines.

    By default nothing starts until the fit asks (``runs`` and ``estimators`` are then
    :func:`fit_runs` and :func:`fit_estimators`). ``start(n_docs)`` starts warmed-up workers at
    once when a fit of ``n_docs`` paragraphs would use them; the fit then reuses them for both
    steps. Either way each run and baseline is seeded and single-threaded: the same bytes.
    Use as a context manager: at its end the workers are joined, or terminated on an error.

    Args:
        n_jobs: params.yaml ``compute.n_jobs``.
        n_seeds: params.yaml ``topics.n_seeds``.
    """

    def __init__(self, n_jobs: int = 1, n_seeds: int = 1) -> None:
        self.n_jobs, self.n_seeds = n_jobs, n_seeds
        self._stack = contextlib.ExitStack()
        self._pool: WorkerPool | None = None

    def __enter__(self) -> SeedWorkers:
        return self

    def __exit__(self, *exc: Any) -> None:
        # On an error the workers are terminated at once (``worker_pool`` sees the exception),
        # not waited for: a stage that stops on a bad input must not wait for a warm-up.
        self._pool = None
        self._stack.__exit__(*exc)

    @property
    def started(self) -> bool:
        return self._pool is not None

    def start(self, n_docs: int) -> bool:
        """Start warmed-up workers now if a fit of ``n_docs`` paragraphs would use them and its
        UMAP would search neighbours with pynndescent (at least ``APPROXIMATE_FROM``
        paragraphs, and ``n_jobs`` > 1); True when they run. Below that the warm-up would
        compile code the fit never calls (at 100k articles, 1,872 fitted paragraphs, it cost
        the stage 13 s), so the workers start with the fit, as without this call."""
        n_workers = _pool_size(n_docs, max(self.n_seeds, 2), self.n_jobs)
        if self._pool is None and n_workers > 1 and n_docs >= APPROXIMATE_FROM:
            self._pool = self._stack.enter_context(
                worker_pool(n_workers, setup=_warm_worker, join=True)
            )
        return self.started

    def runs(self, fit: SeedFit, seeds: Sequence[int]) -> list[EnsembleRun]:
        """:func:`fit_runs` with this object's ``n_jobs``, in the started workers if any."""
        if self._pool is None:
            return fit_runs(fit, seeds, self.n_jobs)
        handles = [self._pool.submit(_fit_seed, (fit, seed)) for seed in seeds]
        return [handle.get() for handle in handles]

    def estimators(self, pairs: list, n_docs: int) -> list:
        """:func:`fit_estimators` with this object's ``n_jobs``, in the started workers if any."""
        if self._pool is None:
            return fit_estimators(pairs, n_docs, self.n_jobs)
        return self._pool.map(_fit_estimator, pairs)
