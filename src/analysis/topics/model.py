"""The topic model: size-adaptive BERTopic over paragraph embeddings, with stem topic words."""

from __future__ import annotations

import contextlib
import logging
import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..core.errors import UserError
from ..core.schemas import TOPICS_COLUMNS
from .batches import PARAGRAPH_BATCH, RestParagraphs, assign_rest
from .ensemble import Ensemble, ensemble_metrics, fit_ensemble, stability_columns
from .quality import (
    STEM_TOKEN_PATTERN,
    Reference,
    baselines,
    coherence_block,
    coherence_verdict,
    fitted_reference,
    stem_vectorizer,
    topic_diversity,
)
from .seed_runs import SeedFit, SeedWorkers, quiet_bertopic_logger
from .tables import OUTLIER_LABEL, is_relevant, share_table, topic_label, truncate
from .words import representative_paragraphs, stem_space

if TYPE_CHECKING:
    from ..core.config import TopicsParams

__all__ = [
    "KMEANS_BELOW",
    "MIN_PARAGRAPHS",
    "OUTLIER_STRATEGY",
    "OUTLIER_THRESHOLD",
    "ClusteringSettings",
    "TopicsResult",
    "clustering_settings",
    "online_settings",
    "select_paragraphs",
    "fit_topics",
    "fit_selected",
]

# Design choices (each recorded in ``reports/metrics/topics.json``) are described in
# docs/architecture.md and in the docstrings below: embeddings from the cleaned text, topic words
# from the stems, clustering settings that adapt to the corpus size, outliers reassigned by
# c-TF-IDF similarity, and quality measured against seeded LDA and NMF baselines.

# Fewer paragraphs than this cannot support even two topics of a few paragraphs each.
MIN_PARAGRAPHS = 20
# Below this, HDBSCAN on 5-d UMAP coordinates finds no stable density structure; k-means with
# a handful of clusters still gives readable topics.
KMEANS_BELOW = 50
# k-means aims at topics of at least twice the minimum topic size on average, within these bounds.
KMEANS_MIN_K, KMEANS_MAX_K = 2, 10
# HDBSCAN: one topic per this many paragraphs at most (min_cluster_size = n / this), floored by
# min_topic_size; min_samples a quarter of that keeps outliers down without merging topics.
PARAGRAPHS_PER_MIN_CLUSTER = 500
UMAP_COMPONENTS = 5
UMAP_MIN_NEIGHBORS, UMAP_MAX_NEIGHBORS = 5, 15

OUTLIER_STRATEGY = "c-tf-idf"
# Cosine similarity between an outlier's c-TF-IDF vector and a topic's; below it the paragraph
# shares too few specific stems with any topic and stays an outlier.
OUTLIER_THRESHOLD = 0.1
# fit_on: online — paragraphs per partial_fit call, and the number of k-means topics: about
# one per thousand paragraphs, within these bounds (never more than the paragraphs).
ONLINE_CHUNK = 10_000
PARAGRAPHS_PER_ONLINE_TOPIC = 1000
ONLINE_MIN_TOPICS, ONLINE_MAX_TOPICS = 10, 50



@dataclass(frozen=True)
class ClusteringSettings:
    """UMAP and clustering settings chosen for a corpus of ``n_paragraphs``."""

    algorithm: str  # "hdbscan" or "kmeans"
    n_paragraphs: int
    n_neighbors: int
    n_components: int
    min_dist: float
    min_cluster_size: int
    min_samples: int | None
    n_clusters: int | None
    rule: str


def _kmeans_k(n_paragraphs: int, topic_size: int) -> int:
    return int(min(KMEANS_MAX_K, max(KMEANS_MIN_K, n_paragraphs // (2 * topic_size))))


def clustering_settings(n_paragraphs: int, min_topic_size: int) -> ClusteringSettings:
    """Choose UMAP/HDBSCAN (or k-means) settings that work for ``n_paragraphs``.

    Rule: ``n_neighbors = clip(round(sqrt(n)), 5, 15)``; UMAP to 5 dimensions, ``min_dist=0``.
    Below ``KMEANS_BELOW`` paragraphs: k-means with ``k = clip(n // (2·min_topic_size), 2, 10)``.
    Otherwise HDBSCAN with ``min_cluster_size = max(min_topic_size, ceil(n / 500))`` and
    ``min_samples = max(1, min_cluster_size // 4)``. On the 59 seed paragraphs this gives
    n_neighbors 8, min_cluster_size 4, min_samples 1; on 20,000 paragraphs 15, 40, 10.

    Raises:
        UserError: when ``n_paragraphs < MIN_PARAGRAPHS``.
    """
    if n_paragraphs < MIN_PARAGRAPHS:
        raise UserError(
            f"topic modelling needs at least {MIN_PARAGRAPHS} paragraphs, got {n_paragraphs} "
            "(every fit mode falls back to all the paragraphs of non-duplicate articles, so the "
            "corpus itself has too few); add articles to the corpus (ingest.raw_dir), and see "
            "data/processed/rejects.csv for the documents ingest rejected and why"
        )
    n_neighbors = int(min(UMAP_MAX_NEIGHBORS, max(UMAP_MIN_NEIGHBORS, round(math.sqrt(n_paragraphs)))))
    if n_paragraphs < KMEANS_BELOW:
        k = _kmeans_k(n_paragraphs, min_topic_size)
        return ClusteringSettings(
            "kmeans", n_paragraphs, n_neighbors, UMAP_COMPONENTS, 0.0, min_topic_size, None, k,
            f"n < {KMEANS_BELOW}: k-means, k = clip(n // (2*min_topic_size), "
            f"{KMEANS_MIN_K}, {KMEANS_MAX_K})",
        )
    min_cluster_size = max(min_topic_size, math.ceil(n_paragraphs / PARAGRAPHS_PER_MIN_CLUSTER))
    return ClusteringSettings(
        "hdbscan", n_paragraphs, n_neighbors, UMAP_COMPONENTS, 0.0, min_cluster_size,
        max(1, min_cluster_size // 4), None,
        f"n >= {KMEANS_BELOW}: HDBSCAN, min_cluster_size = max(min_topic_size, "
        f"ceil(n/{PARAGRAPHS_PER_MIN_CLUSTER})), min_samples = max(1, min_cluster_size // 4)",
    )


def online_settings(n_paragraphs: int, min_topic_size: int) -> ClusteringSettings:
    """Settings of the online fit (``fit_on: online``) for ``n_paragraphs``.

    IncrementalPCA to 5 dimensions replaces UMAP, MiniBatchKMeans replaces HDBSCAN, with
    ``k = clip(n // 1000, 10, 50)`` topics (at most ``n``): 10 topics up to 10,000 paragraphs,
    50 from 50,000. k-means leaves no outliers.

    Raises:
        UserError: when ``n_paragraphs < MIN_PARAGRAPHS``.
    """
    clustering_settings(n_paragraphs, min_topic_size)  # the same lower bound and message
    k = int(min(n_paragraphs, ONLINE_MAX_TOPICS,
                max(ONLINE_MIN_TOPICS, n_paragraphs // PARAGRAPHS_PER_ONLINE_TOPIC)))
    return ClusteringSettings(
        "minibatch-kmeans", n_paragraphs, 0, UMAP_COMPONENTS, 0.0, min_topic_size, None, k,
        f"online: IncrementalPCA({UMAP_COMPONENTS}) + MiniBatchKMeans, k = clip(n // "
        f"{PARAGRAPHS_PER_ONLINE_TOPIC}, {ONLINE_MIN_TOPICS}, {ONLINE_MAX_TOPICS}); partial_fit "
        f"on seeded chunks of {ONLINE_CHUNK} paragraphs, then every paragraph assigned by the "
        "final model",
    )


def select_paragraphs(frame: pd.DataFrame, fit_on: str, sample_size: int, seed: int
            ) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Split non-duplicate paragraphs into those the model is fitted on and those assigned after."""
    pool = frame[~frame["duplicate"]]
    relevant = is_relevant(pool)
    info: dict[str, Any] = {
        "fit_on": fit_on,
        "n_paragraphs_input": int(len(frame)),
        "n_paragraphs_duplicate_documents": int(frame["duplicate"].sum()),
        "n_paragraphs_relevant": int(relevant.sum()),
        "fallback": None,
    }
    empty = pool.iloc[0:0]
    if fit_on == "relevant":
        if relevant.sum() >= MIN_PARAGRAPHS:
            fit, rest, used = pool[relevant], empty, "relevant"
        else:
            fit, rest, used = pool, empty, "all"
            info["fallback"] = (
                f"only {int(relevant.sum())} cooperation-relevant paragraphs (< {MIN_PARAGRAPHS}); "
                "fitted on all paragraphs instead"
            )
    elif fit_on == "all":
        fit, rest, used = pool, empty, "all"
    elif fit_on == "online":
        fit, rest, used = pool, empty, "online"
    elif fit_on == "sample":
        if len(pool) <= sample_size:
            fit, rest, used = pool, empty, "all"
            info["fallback"] = (
                f"sample_size {sample_size} >= {len(pool)} paragraphs; fitted on all of them"
            )
        else:
            chosen = np.sort(np.random.default_rng(seed).choice(len(pool), sample_size, replace=False))
            mask = np.zeros(len(pool), dtype=bool)
            mask[chosen] = True
            fit, rest, used = pool[mask], pool[~mask], "sample"
    else:
        raise UserError(f"topics.fit_on = {fit_on!r} is not allowed; use relevant, all, sample "
                        "or online")
    info["fit_on_used"] = used
    info["n_paragraphs_not_modelled"] = int(len(pool) - len(fit) - len(rest))
    return fit.reset_index(drop=True), rest.reset_index(drop=True), info


@contextlib.contextmanager
def _quiet_bertopic() -> Iterator[None]:
    """:func:`quiet_bertopic_logger` for the duration of the block."""
    quiet = quiet_bertopic_logger()
    try:
        yield
    finally:
        logging.getLogger("BERTopic").removeFilter(quiet)


def _build_model(settings: ClusteringSettings, embedder, top_n_words: int, seed: int):
    from bertopic import BERTopic
    from bertopic.vectorizers import ClassTfidfTransformer
    from hdbscan import HDBSCAN
    from sklearn.cluster import KMeans

    from .seeded_umap import SeededUMAP

    # UMAP with its spectral start seeded where ARPACK restarts at random (seeded_umap.py).
    umap_model = SeededUMAP(
        n_neighbors=settings.n_neighbors, n_components=settings.n_components,
        min_dist=settings.min_dist, metric="cosine", random_state=seed, transform_seed=seed,
        n_jobs=1, low_memory=True,
    )
    if settings.algorithm == "kmeans":
        cluster_model = KMeans(n_clusters=settings.n_clusters, n_init=10, random_state=seed)
    else:
        cluster_model = HDBSCAN(
            min_cluster_size=settings.min_cluster_size, min_samples=settings.min_samples,
            metric="euclidean", cluster_selection_method="eom", prediction_data=True,
            core_dist_n_jobs=1,
        )
    model = BERTopic(
        embedding_model=embedder, umap_model=umap_model, hdbscan_model=cluster_model,
        vectorizer_model=stem_vectorizer(), ctfidf_model=ClassTfidfTransformer(),
        top_n_words=top_n_words, min_topic_size=settings.min_cluster_size,
        calculate_probabilities=False, verbose=False,
    )
    # The underscore trap: with language "english" BERTopic deletes "_" from every document
    # before c-TF-IDF, turning kuala_lumpur into kualalumpur.
    if model.language == "english":
        raise RuntimeError("BERTopic would strip '_' from stems; pass an embedding model")
    return model


def _fit(docs, embeddings, embedder, settings, top_n_words, seed):
    """Fit BERTopic; if HDBSCAN finds fewer than two topics, refit with k-means."""
    model = _build_model(settings, embedder, top_n_words, seed)
    topics, _ = model.fit_transform(docs, embeddings=embeddings)
    if settings.algorithm == "hdbscan" and len({t for t in topics if t != -1}) < 2:
        k = _kmeans_k(settings.n_paragraphs, settings.min_cluster_size)
        settings = ClusteringSettings(
            "kmeans", settings.n_paragraphs, settings.n_neighbors, settings.n_components,
            settings.min_dist, settings.min_cluster_size, None, k,
            settings.rule + f"; HDBSCAN found < 2 topics, so k-means with k = {k}",
        )
        model = _build_model(settings, embedder, top_n_words, seed)
        topics, _ = model.fit_transform(docs, embeddings=embeddings)
    return model, [int(t) for t in topics], settings


def _fit_online(docs, embeddings, embedder, settings, top_n_words, seed):
    """BERTopic's online path: ``partial_fit`` chunk by chunk, then assign with the final model.

    The chunks are a seeded permutation of the paragraphs cut into nearly equal parts (so each
    mixes outlets and months, and none is too small for IncrementalPCA). Assigning every
    paragraph with the final model, instead of keeping the label it got when its chunk was
    seen, makes the assignment independent of the chunk order; the topic words are then
    recomputed from these assignments (``run_topics``).
    """
    from bertopic import BERTopic
    from bertopic.vectorizers import ClassTfidfTransformer, OnlineCountVectorizer
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.decomposition import IncrementalPCA

    model = BERTopic(
        embedding_model=embedder,
        umap_model=IncrementalPCA(n_components=settings.n_components),
        hdbscan_model=MiniBatchKMeans(n_clusters=settings.n_clusters, random_state=seed,
                                      n_init=3, batch_size=1024),
        vectorizer_model=OnlineCountVectorizer(lowercase=False, token_pattern=STEM_TOKEN_PATTERN),
        ctfidf_model=ClassTfidfTransformer(), top_n_words=top_n_words,
        calculate_probabilities=False, verbose=False,
    )
    if model.language == "english":  # see _build_model
        raise RuntimeError("BERTopic would strip '_' from stems; pass an embedding model")
    order = np.random.default_rng(seed).permutation(len(docs))
    n_chunks = max(1, math.ceil(len(docs) / ONLINE_CHUNK))
    for chunk in np.array_split(order, n_chunks):
        model.partial_fit([docs[i] for i in chunk], embeddings=embeddings[chunk])
    topics: list[int] = []
    for start in range(0, len(docs), ONLINE_CHUNK):
        predicted, _ = model.transform(docs[start:start + ONLINE_CHUNK],
                                       embeddings=embeddings[start:start + ONLINE_CHUNK])
        topics.extend(int(t) for t in predicted)
    return model, topics, settings


def _seeded_sample(items: list, size: int, seed: int) -> list:
    """At most ``size`` items drawn with ``seed``, in their original order."""
    if len(items) <= size:
        return list(items)
    chosen = np.sort(np.random.default_rng(seed).choice(len(items), size, replace=False))
    return [items[i] for i in chosen]


def _reduce_outliers(model, docs: list[str], topics: list[int]) -> list[int]:
    if -1 not in topics or not model._outliers:
        return list(topics)
    reduced = model.reduce_outliers(docs, topics, strategy=OUTLIER_STRATEGY,
                                    threshold=OUTLIER_THRESHOLD)
    return [int(t) for t in reduced]


class _Stopwatch:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self._last, 3)
        self._last = now


@dataclass
class TopicsResult:
    """What :func:`fit_topics` returns.

    Attributes:
        assignments: one row per modelled paragraph (the topics.parquet table).
        topic_info: one row per topic, outliers (-1) first (the topics.csv table).
        metrics: the topics.json content.
        model: the fitted BERTopic model. Its documents are space-joined stems; to assign new
            paragraphs pass their text embeddings explicitly:
            ``model.transform(stem_docs, embeddings=model.embedding_model.embed(texts))``
            (the topics stage's model cannot, from 4,096 fitted paragraphs on, unless it
            assigned others: see ``fit_selected``'s ``keep_search_index``).
        by_coop_type: the topics_by_coop_type.csv table.
        over_time: the topics_over_time.csv table.
        timings: seconds per step (for benchmarks; never written to the outputs, which must
            not change between runs).
        figures: the figures the topics stage drew from the tables (name -> Figure).
    """

    assignments: pd.DataFrame
    topic_info: pd.DataFrame
    metrics: dict
    model: Any
    by_coop_type: pd.DataFrame = field(default_factory=pd.DataFrame)
    over_time: pd.DataFrame = field(default_factory=pd.DataFrame)
    timings: dict = field(default_factory=dict)
    figures: dict = field(default_factory=dict)


@dataclass
class _Fit:
    """The fitted model and the assignments of the fitted and the assigned paragraphs."""

    model: Any
    settings: ClusteringSettings
    embedding_info: dict
    has_content: np.ndarray  # fitted paragraphs, then the assigned ones
    fit_model: pd.DataFrame  # fitted paragraphs that have content
    raw_topics: list[int]
    topics: list[int]
    rest_raw: list[int]  # assigned paragraphs that have content
    rest_topics: list[int]
    rest_raw_all: np.ndarray  # every assigned paragraph (-1 without content), rest.frame order
    rest_topics_all: np.ndarray
    words: dict[int, list[str]]
    reps: dict[int, int]
    embed_fit_size: int
    quality: dict  # the coherence block, the baselines
    ensemble: Ensemble


def fit_topics(frame: pd.DataFrame, topics: TopicsParams, seed: int,
               cache_dir: str | Path | None, reference: Reference | str | None = None,
               batch_size: int = PARAGRAPH_BATCH) -> TopicsResult:
    """Fit BERTopic on the paragraphs and build assignments, topic tables and quality metrics.

    Args:
        frame: :func:`~analysis.topics.tables.load_inputs` (paragraphs with stems, coop_types,
            months and duplicate flags).
        topics: params.yaml ``topics``: ``embedding`` (``tfidf-svd`` or a local
            sentence-transformers model, never downloaded), ``svd_components``,
            ``min_topic_size`` (floor of the size-adaptive rule), ``top_n_words`` (stems listed
            per topic and used for coherence/diversity), ``fit_on`` — ``relevant``: paragraphs
            coded as cooperation plus every paragraph of a document coded as cooperation,
            falling back to all paragraphs when fewer than ``MIN_PARAGRAPHS``; ``all``;
            ``sample``: fit on ``sample_size`` paragraphs drawn with ``seed`` and assign the
            others; ``online``: every paragraph through BERTopic's ``partial_fit`` (see
            :func:`online_settings`), the embedding fit, NPMI reference and baselines on a
            seeded sample of at most ``sample_size``. Paragraphs of duplicate documents are
            never modelled.
            ``n_seeds``: the model is fitted with this many seeds and the run most in
            agreement with the others is published (:mod:`analysis.topics.ensemble`).
        seed: seed of the SVD, UMAP, k-means, sampling and the baselines; the first seed of
            the ensemble.
        cache_dir: embedding cache directory (None disables it).
        reference: a larger coherence reference (``quality.read_reference``), or the path
            that was configured but not found (reported as absent), or None.
        batch_size: paragraphs embedded and assigned at a time after the fit (the result
            does not depend on it).

    Raises:
        UserError: too few paragraphs, or a sentence model that is not available locally.
    """
    fit, rest, selection = select_paragraphs(frame, topics.fit_on, topics.sample_size, seed)
    return fit_selected(fit, RestParagraphs(rest, None, batch_size), selection, topics, seed,
                        cache_dir, reference)


def fit_selected(fit: pd.DataFrame, rest: RestParagraphs, selection: dict, topics: TopicsParams,
                 seed: int, cache_dir: str | Path | None,
                 reference: Reference | str | None = None, n_jobs: int = 1,
                 workers: SeedWorkers | None = None,
                 keep_search_index: bool = True) -> TopicsResult:
    """:func:`fit_topics` on paragraphs already selected (``analysis.topics.inputs``).

    ``fit`` holds the paragraphs the model is fitted on (as :func:`select_paragraphs` returns
    them), ``rest`` those assigned after the fit, read and assigned batch by batch. ``n_jobs``
    (params.yaml ``compute.n_jobs``): worker processes for the seed runs and baselines of a
    large fit (``seed_runs.fit_runs``); ``workers``, the stage's ``seed_runs.SeedWorkers``
    (perhaps already started; default: new ones with ``n_jobs``). The output depends on
    neither. ``keep_search_index=False``: the returned model may lack UMAP's nearest-neighbour
    index, so its ``transform`` raises ``NotImplementedError`` for a fit of 4,096 paragraphs or
    more (the stage, which never transforms with it, saves compiling and moving the index);
    the index is kept anyway when ``rest`` is assigned.
    """
    clock = _Stopwatch()
    if len(fit) < MIN_PARAGRAPHS:
        clustering_settings(len(fit), topics.min_topic_size)  # raises the user-facing message
    with contextlib.ExitStack() as stack:
        if workers is None:
            workers = stack.enter_context(SeedWorkers(n_jobs, topics.n_seeds))
        done = _fit_and_assign(fit, rest, selection, topics, seed, cache_dir, clock, reference,
                               workers, keep_search_index)
    result = _result(fit, rest.frame, selection, done, topics, seed)
    clock.lap("tables")
    result.timings = clock.laps
    return result


def _fit_and_assign(fit: pd.DataFrame, rest: RestParagraphs, selection: dict,
                    topics: TopicsParams, seed: int, cache_dir: str | Path | None,
                    clock: _Stopwatch, reference: Reference | str | None,
                    workers: SeedWorkers, keep_search_index: bool = True) -> _Fit:
    """Embed, fit the seed ensemble, assign the rest with the medoid, topic words and quality.

    One piece: every step runs inside the one-thread BLAS limit and BERTopic's quiet logger,
    and the steps hand each other the model and index arrays of the same selection.
    """
    # Imported here: BERTopic pulls in torch, which takes seconds and is not needed to report
    # a bad input.
    from threadpoolctl import threadpool_limits

    from .embeddings import embed_paragraphs, embedding_function

    sample_size, top_n_words = topics.sample_size, topics.top_n_words
    # One BLAS/OpenMP thread: SVD, k-means and LDA sums then run in a fixed order, so a rerun
    # (or a machine with more cores) gives bit-identical embeddings and assignments.
    with threadpool_limits(limits=1), _quiet_bertopic():
        clock.lap("load_inputs_and_imports")
        fit_texts = fit["text"].tolist()
        online = selection["fit_on_used"] == "online"
        # Online: the TF-IDF vocabulary and SVD come from a seeded sample, like the fit of
        # fit_on: sample, so their cost does not grow with the corpus.
        embed_fit = _seeded_sample(fit_texts, sample_size, seed) if online else fit_texts
        # Only the fitted paragraphs are embedded (and cached) here; the others are embedded
        # batch by batch when they are assigned.
        embeddings, embedder, embedding_info = embed_paragraphs(
            embed_fit, fit_texts, embedding=topics.embedding,
            svd_components=topics.svd_components, seed=seed, cache_dir=cache_dir,
        )
        # A paragraph with no known word has a zero vector: UMAP cannot place it, so it is an
        # outlier by definition and stays in the output as such.
        fit_ok = np.linalg.norm(embeddings, axis=1) > 0
        fit_model = fit[fit_ok].reset_index(drop=True)
        fit_emb = embeddings[fit_ok]
        del embeddings
        settings = (online_settings if online else clustering_settings)(len(fit_model),
                                                                         topics.min_topic_size)
        clock.lap("embed")

        docs = fit_model["stem_doc"].tolist()
        # UMAP's search index stays in the runs when asked for or when others are assigned.
        seed_fit = SeedFit(docs, fit_emb, embedder, settings, top_n_words, online,
                           stem_space(docs, seed=seed), _fit_online if online else _fit,
                           _reduce_outliers, keep_search_index or len(rest) > 0)
        ensemble = fit_ensemble(seed, topics.n_seeds, seed_fit,
                                lambda seeds: workers.runs(seed_fit, seeds))
        published = ensemble.published
        model, raw_topics, assigned, settings = (published.model, published.raw_topics,
                                                 published.topics, published.settings)
        for run in ensemble.runs:
            if run is not published:
                run.model = None  # only the published model is kept
        clock.lap("fit")

        rest_ok, rest_raw_all, rest_topics_all = assign_rest(
            model, embedding_function(embedder), rest, _reduce_outliers)
        rest_raw = rest_raw_all[rest_ok].tolist()
        rest_topics = rest_topics_all[rest_ok].tolist()
        has_content = np.concatenate([fit_ok, rest_ok])
        clock.lap("assign_rest")

        words = published.words
        reps = representative_paragraphs(model, docs, assigned, fit_model["para_id"].tolist())
        real_topics = [t for t in sorted(set(assigned) | set(rest_topics)) if t != -1]
        # Online: coherence and the LDA/NMF baselines on a seeded sample of the paragraphs
        # (batch LDA over every paragraph of a large corpus would dominate the stage).
        quality_docs = _seeded_sample(docs, sample_size, seed) if online else docs
        fitted = fitted_reference(quality_docs, (
            f"seeded sample of {len(quality_docs)} fitted paragraphs" if online
            else f"the {len(quality_docs)} fitted paragraphs"))
        compared = (baselines(quality_docs, len(real_topics), top_n_words, seed, fitted.corpus,
                              lambda pairs: workers.estimators(pairs, len(quality_docs)))
                    if len(real_topics) >= 2 else {})
        clock.lap("baselines")
        topic_words = {"bertopic": [words.get(t, []) for t in real_topics],
                       **{name: b.pop("words") for name, b in compared.items()}}
        references = [fitted] + ([reference] if isinstance(reference, Reference) else [])
        block = coherence_block(topic_words, references, top_n_words)
        if isinstance(reference, str):
            block["references"]["reference"] = {"status": "not found", "path": reference}
        clock.lap("coherence")
    return _Fit(model, settings, embedding_info, has_content, fit_model, raw_topics, assigned,
                rest_raw, rest_topics, rest_raw_all, rest_topics_all, words, reps, len(embed_fit),
                {"coherence": block, "baselines": compared}, ensemble)


def _result(fit: pd.DataFrame, rest: pd.DataFrame, selection: dict, done: _Fit,
            topics: TopicsParams, seed: int) -> TopicsResult:
    """Assignments of every paragraph, the topic tables and the metrics of a fit."""
    has_content = done.has_content
    parts = [
        done.fit_model.assign(topic=done.topics, raw_topic=done.raw_topics, fitted=True),
        rest.assign(topic=done.rest_topics_all, raw_topic=done.rest_raw_all, fitted=False),
        fit[~has_content[: len(fit)]].assign(topic=-1, raw_topic=-1, fitted=True),
    ]
    assigned = pd.concat([p for p in parts if len(p)], ignore_index=True)
    assigned["topic"] = assigned["topic"].astype("int64")
    assigned["reassigned"] = (assigned["raw_topic"] == -1) & (assigned["topic"] != -1)
    assigned = assigned.sort_values(["doc_id", "para_index"], kind="stable").reset_index(drop=True)

    topic_ids = sorted(set(done.topics) | set(done.rest_topics))
    sizes = assigned["topic"].value_counts()
    info_rows = []
    for topic in topic_ids:
        top = done.words.get(topic, [])
        rep = done.fit_model.iloc[done.reps[topic]] if topic in done.reps else None
        info_rows.append({
            "topic": topic,
            "label": OUTLIER_LABEL if topic == -1 else topic_label(top),
            "size": int(sizes.get(topic, 0)),
            "share": float(sizes.get(topic, 0)) / len(assigned),
            "top_words": " ".join(top),
            "representative_para_id": rep["para_id"] if rep is not None else "",
            "representative_text": truncate(rep["text"]) if rep is not None else "",
        })
    topic_info = pd.DataFrame(info_rows).astype({"topic": "int64", "size": "int64"})
    stability = stability_columns(done.ensemble, topic_ids)
    topic_info = topic_info.merge(stability, on="topic", how="left", validate="one_to_one")
    labels = topic_info.set_index("topic")["label"]
    assigned["topic_label"] = assigned["topic"].map(labels).astype(str)
    metrics = _metrics(fit, rest, selection, done, assigned, topics, seed)
    metrics.update(ensemble_metrics(done.ensemble, stability))
    out_columns = list(TOPICS_COLUMNS)
    return TopicsResult(assigned[out_columns].copy(), topic_info, metrics, done.model,
                        share_table(assigned, "coop_type", topic_info),
                        share_table(assigned, "month", topic_info))


def _metrics(fit: pd.DataFrame, rest: pd.DataFrame, selection: dict, done: _Fit,
             assigned: pd.DataFrame, topics: TopicsParams, seed: int) -> dict:
    """The topics.json content (keys in docs/architecture.md)."""
    def outlier_share(values: Sequence[int]) -> float | None:
        return float(np.mean(np.asarray(values) == -1)) if len(values) else None

    real_topics = [t for t in sorted(set(done.topics) | set(done.rest_topics)) if t != -1]
    online = selection["fit_on_used"] == "online"
    block = done.quality["coherence"]
    per_topic_npmi = block["by_topic"]["bertopic"]["fit"]["npmi_document"]
    return {
        **selection,
        "seed": seed,
        "n_paragraphs_fitted": int(len(fit)),
        "n_paragraphs_assigned": int(len(rest)),
        "n_paragraphs_without_content": int((~done.has_content).sum()),
        "n_paragraphs_output": int(len(assigned)),
        "embedding": done.embedding_info["embedding"],
        "embedding_dimensions": done.embedding_info["dimensions"],
        "embedding_cache_key": done.embedding_info["cache_key"],
        "clustering": asdict(done.settings),
        **({"online": {"chunk_paragraphs": ONLINE_CHUNK,
                       "n_chunks": max(1, math.ceil(len(done.fit_model) / ONLINE_CHUNK)),
                       "embedding_fit_paragraphs": done.embed_fit_size}} if online else {}),
        "outlier_reduction": {"strategy": OUTLIER_STRATEGY, "threshold": OUTLIER_THRESHOLD},
        "n_topics": len(real_topics),
        "top_n_words": topics.top_n_words,
        "outlier_share_before_reduction": outlier_share(done.raw_topics),
        "outlier_share_after_reduction": outlier_share(done.topics),
        "outlier_share_assigned_before_reduction": outlier_share(done.rest_raw),
        "outlier_share_assigned_after_reduction": outlier_share(done.rest_topics),
        "outlier_share_output": outlier_share(assigned["topic"].tolist()),
        # The project's NPMI (document co-occurrence), named in the coherence block; kept
        # under its old keys for existing readers.
        "coherence_npmi": block["bertopic"]["fit"]["npmi_document"],
        "coherence_npmi_by_topic": {str(t): v for t, v in zip(real_topics, per_topic_npmi)},
        "coherence_reference": block["references"]["fit"]["description"]
        + ", stem presence per paragraph",
        "coherence": block,
        "coherence_verdict": (coherence_verdict(block) if "nmf" in block else None),
        "topic_diversity": topic_diversity([done.words.get(t, []) for t in real_topics]),
        "baselines": done.quality["baselines"],
    }
