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

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.parallel import map_batches
from .ensemble import EnsembleRun, run_words
from .quality import stem_vectorizer
from .words import StemSpace

__all__ = ["PARALLEL_FROM", "SeedFit", "fit_estimators", "fit_runs", "quiet_bertopic_logger"]

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
        return EnsembleRun(
            run_seed, model, raw, reduced, used, run_words(model, reduced, self.space, top_n_words)
        )


def _worker_setup(fit: SeedFit) -> SeedFit:
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
