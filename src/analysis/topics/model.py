"""Topics stage: BERTopic over paragraphs, offline embeddings, size-adaptive clustering, stem topic words.

Design choices (each is recorded in ``reports/metrics/topics.json``):

* Embeddings come from the cleaned paragraph text (``analysis.embeddings``: TF-IDF→SVD by
  default); topic words come from the stems, so c-TF-IDF sees space-joined stems such as
  ``kuala_lumpur sister_city kerja_sama`` and a whitespace tokenizer keeps every stem whole.
  BERTopic 0.17 strips non-alphanumeric characters (``_`` included) before c-TF-IDF only when
  its ``language`` is ``"english"``; it sets ``language`` to None whenever an embedding model is
  given, and ``_build_model`` checks that this stays so.
* Clustering adapts to the number of fitted paragraphs (``clustering_settings``): UMAP
  neighbours and HDBSCAN cluster sizes grow with the corpus, very small corpora use seeded
  k-means, and fewer than ``MIN_PARAGRAPHS`` paragraphs is an error.
* Outliers are reassigned to the topic whose c-TF-IDF profile their stems resemble most, only
  when that cosine similarity reaches ``OUTLIER_THRESHOLD``; the topic words are then recomputed
  with the same vectorizer and c-TF-IDF settings.
* Quality: NPMI coherence of each topic's top stems over the fitted paragraphs (document
  co-occurrence), topic diversity, outlier shares, and the same numbers for seeded LDA and
  NMF baselines with as many topics.
* Scale (``fit_on``): the cooperation-relevant subset by default; a seeded sample with the
  rest assigned by ``transform``; or BERTopic's online path over every paragraph
  (IncrementalPCA + MiniBatchKMeans + OnlineCountVectorizer, ``partial_fit`` chunk by chunk),
  whose memory does not grow with the corpus the way UMAP and HDBSCAN do (docs/scaling.md).
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import UserError
from .io import read_stage_parquet, write_csv, write_json, write_parquet

__all__ = [
    "KMEANS_BELOW",
    "MIN_PARAGRAPHS",
    "OUTLIER_STRATEGY",
    "OUTLIER_THRESHOLD",
    "ClusteringSettings",
    "TopicsResult",
    "clustering_settings",
    "online_settings",
    "npmi_coherence",
    "topic_diversity",
    "run_topics",
    "plot_topic_sizes",
    "plot_topics_by_coop_type",
]

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
LABEL_WORDS = 4
REPRESENTATIVE_CHARS = 300
NONE = "none"
UNCLASSIFIED = "unclassified"
UNKNOWN_MONTH = "unknown"
OUTLIER_LABEL = "outliers (no topic)"
# A whitespace-delimited token is one stem; `\S+` keeps `kuala_lumpur` whole.
STEM_TOKEN_PATTERN = r"\S+"
# fit_on: online — paragraphs per partial_fit call, and the number of k-means topics: about
# one per thousand paragraphs, within these bounds (never more than the paragraphs).
ONLINE_CHUNK = 10_000
PARAGRAPHS_PER_ONLINE_TOPIC = 1000
ONLINE_MIN_TOPICS, ONLINE_MAX_TOPICS = 10, 50


# --------------------------------------------------------------------------- settings


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


def clustering_settings(n_paragraphs: int, min_topic_size: int = 4) -> ClusteringSettings:
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
            f"topic modelling needs at least {MIN_PARAGRAPHS} paragraphs, got {n_paragraphs}; "
            "add articles to the corpus (ingest.raw_dir) or set topics.fit_on: all"
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


def online_settings(n_paragraphs: int, min_topic_size: int = 4) -> ClusteringSettings:
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


# --------------------------------------------------------------------------- quality metrics


def npmi_coherence(
    topic_words: Sequence[Sequence[str]], documents: Iterable[Iterable[str]]
) -> list[float | None]:
    """Mean normalised PMI of every pair of each topic's words, by document co-occurrence.

    For words *a*, *b* in N reference documents, ``P(a)`` is the share of documents containing
    *a* and ``P(a,b)`` the share containing both; ``NPMI = ln(P(a,b) / (P(a)P(b))) / -ln P(a,b)``.
    Zero counts are handled by the limits instead of an epsilon: a pair that never co-occurs
    scores -1, a pair present in every document scores +1. Pairs with a word absent from the
    reference documents are left out; a topic with no scorable pair gets None.

    Args:
        topic_words: each topic's top words (the caller chooses how many).
        documents: the reference corpus, one iterable of words (stems) per document; only
            presence counts.

    Returns:
        One coherence value per topic, in [-1, 1] (or None).
    """
    vocabulary = sorted({w for words in topic_words for w in words})
    index = {w: i for i, w in enumerate(vocabulary)}
    rows, cols = [], []
    n_docs = 0
    for doc_row, doc in enumerate(documents):
        n_docs += 1
        for word in {w for w in doc if w in index}:
            rows.append(doc_row)
            cols.append(index[word])
    if n_docs == 0:
        return [None for _ in topic_words]
    from scipy.sparse import csr_matrix

    presence = csr_matrix(
        (np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=(n_docs, len(vocabulary))
    )
    together = (presence.T @ presence).toarray()  # co-document counts; diagonal = document counts
    counts = np.diag(together)

    scores: list[float | None] = []
    for words in topic_words:
        ids = [index[w] for w in dict.fromkeys(words)]
        values = []
        for i_pos, i in enumerate(ids):
            for j in ids[i_pos + 1:]:
                if counts[i] == 0 or counts[j] == 0:
                    continue
                joint = together[i, j]
                if joint == 0:
                    values.append(-1.0)
                elif joint == n_docs:
                    values.append(1.0)
                else:
                    p_ij = joint / n_docs
                    pmi = math.log(p_ij / ((counts[i] / n_docs) * (counts[j] / n_docs)))
                    values.append(pmi / -math.log(p_ij))
        scores.append(float(np.mean(values)) if values else None)
    return scores


def topic_diversity(topic_words: Sequence[Sequence[str]]) -> float | None:
    """Share of distinct words among all topics' listed top words (1 = no word repeated)."""
    listed = [w for words in topic_words for w in words]
    return len(set(listed)) / len(listed) if listed else None


def _mean(values: Iterable[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return float(np.mean(kept)) if kept else None


# --------------------------------------------------------------------------- inputs



def _load_inputs(paragraphs_path, classified_path, documents_path) -> pd.DataFrame:
    """One row per paragraph with its stem document, coop_types, month and duplicate flag."""
    paragraphs = read_stage_parquet(
        paragraphs_path, "preprocess", ["para_id", "doc_id", "para_index", "text", "stems"])
    classified = read_stage_parquet(
        classified_path, "classify", ["level", "doc_id", "para_id", "coop_type"])
    documents = read_stage_parquet(documents_path, "ingest", ["doc_id", "date"])

    if paragraphs["para_id"].duplicated().any():
        dup = paragraphs.loc[paragraphs["para_id"].duplicated(), "para_id"].iloc[0]
        raise UserError(f"{paragraphs_path}: para_id {dup!r} occurs more than once; rerun preprocess")
    unknown_docs = sorted(set(paragraphs["doc_id"]) - set(documents["doc_id"]))
    if unknown_docs:
        raise UserError(
            f"{paragraphs_path}: {len(unknown_docs)} doc_id(s) not in {documents_path} "
            f"(e.g. {unknown_docs[0]!r}); the inputs come from different runs — rerun dvc repro"
        )

    frame = paragraphs[["para_id", "doc_id", "para_index", "text"]].copy()
    frame["text"] = frame["text"].fillna("").astype(str)
    frame["stem_doc"] = [" ".join(str(s) for s in stems) if stems is not None else ""
                         for stems in paragraphs["stems"]]

    para_rows = classified[classified["level"] == "paragraph"]
    if para_rows["para_id"].duplicated().any():
        raise UserError(f"{classified_path}: a paragraph is classified twice; rerun classify")
    doc_rows = classified[classified["level"] == "document"].drop_duplicates("doc_id")
    frame["coop_type"] = frame["para_id"].map(
        para_rows.set_index("para_id")["coop_type"]).fillna(UNCLASSIFIED).astype(str)
    frame["doc_coop_type"] = frame["doc_id"].map(
        doc_rows.set_index("doc_id")["coop_type"]).fillna(UNCLASSIFIED).astype(str)

    docs = documents.drop_duplicates("doc_id").set_index("doc_id")
    dates = pd.to_datetime(frame["doc_id"].map(docs["date"]), errors="coerce")
    frame["month"] = dates.dt.strftime("%Y-%m").fillna(UNKNOWN_MONTH)
    if "duplicate_of" in docs.columns:
        frame["duplicate"] = frame["doc_id"].map(docs["duplicate_of"]).notna()
    else:
        frame["duplicate"] = False
    return frame.sort_values(["doc_id", "para_index"], kind="stable").reset_index(drop=True)


def _is_relevant(frame: pd.DataFrame) -> pd.Series:
    """A paragraph coded as cooperation, or any paragraph of a document coded as cooperation."""
    off = {NONE, UNCLASSIFIED}
    return ~frame["coop_type"].isin(off) | ~frame["doc_coop_type"].isin(off)


def _select(frame: pd.DataFrame, fit_on: str, sample_size: int, seed: int
            ) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Split non-duplicate paragraphs into those the model is fitted on and those assigned after."""
    pool = frame[~frame["duplicate"]]
    relevant = _is_relevant(pool)
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


# --------------------------------------------------------------------------- model


class _CustomTopicsWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "custom list of topic assignments" not in record.getMessage()


@contextlib.contextmanager
def _quiet_bertopic() -> Iterator[None]:
    """Drop BERTopic's warning about custom topic lists: passing them is the point here."""
    # A filter, not a level: BERTopic resets its logger's level whenever a model is built.
    logger = logging.getLogger("BERTopic")
    quiet = _CustomTopicsWarning()
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)


def _stem_vectorizer(min_df: int = 1):
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(lowercase=False, token_pattern=STEM_TOKEN_PATTERN, min_df=min_df)


def _build_model(settings: ClusteringSettings, embedder, top_n_words: int, seed: int):
    from bertopic import BERTopic
    from bertopic.vectorizers import ClassTfidfTransformer
    from hdbscan import HDBSCAN
    from sklearn.cluster import KMeans
    from umap import UMAP

    umap_model = UMAP(
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
        vectorizer_model=_stem_vectorizer(), ctfidf_model=ClassTfidfTransformer(),
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


def _topic_rows(model, topics: Sequence[int]) -> dict[int, int]:
    """Map topic id -> row of ``model.c_tf_idf_`` (BERTopic orders rows by sorted topic id)."""
    ids = sorted(set(topics))
    if model.c_tf_idf_.shape[0] != len(ids):
        raise RuntimeError("c-TF-IDF rows do not match the topics")
    return {t: r for r, t in enumerate(ids)}


def _top_words(model, topics: Sequence[int], n: int) -> dict[int, list[str]]:
    """Each topic's n highest-scoring stems; ties broken alphabetically so runs agree."""
    words = model.vectorizer_model.get_feature_names_out()
    matrix = model.c_tf_idf_.tocsr()
    result = {}
    for topic, row in _topic_rows(model, topics).items():
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        pairs = [(-float(s), str(words[i])) for i, s in
                 zip(matrix.indices[start:end], matrix.data[start:end]) if s > 0]
        result[topic] = [w for _, w in sorted(pairs)[:n]]
    return result


def _representatives(model, docs: list[str], topics: list[int], para_ids: list[str]
                     ) -> dict[int, int]:
    """Index of each topic's paragraph whose stem profile is closest to the topic's c-TF-IDF."""
    from sklearn.metrics.pairwise import cosine_similarity

    rows = _topic_rows(model, topics)
    profiles = model.ctfidf_model.transform(model.vectorizer_model.transform(docs))
    topic_array = np.asarray(topics)
    chosen = {}
    for topic, row in rows.items():
        if topic == -1:
            continue
        members = np.flatnonzero(topic_array == topic)
        sims = cosine_similarity(profiles[members], model.c_tf_idf_[row]).ravel()
        best = min(range(len(members)), key=lambda k: (-round(float(sims[k]), 12), para_ids[members[k]]))
        chosen[topic] = int(members[best])
    return chosen


def _baselines(docs: list[str], n_topics: int, top_n: int, seed: int, reference) -> dict:
    """Seeded LDA (counts) and NMF (TF-IDF) on the same stems with the same number of topics."""
    from sklearn.decomposition import NMF, LatentDirichletAllocation
    from sklearn.feature_extraction.text import TfidfTransformer

    vectorizer = _stem_vectorizer(min_df=2 if len(docs) >= 1000 else 1)
    counts = vectorizer.fit_transform(docs)
    vocab = vectorizer.get_feature_names_out()
    models = {
        "lda": (LatentDirichletAllocation(n_components=n_topics, learning_method="batch",
                                          max_iter=20, random_state=seed, n_jobs=1), counts),
        "nmf": (NMF(n_components=n_topics, init="nndsvda", max_iter=400, random_state=seed),
                TfidfTransformer(sublinear_tf=True).fit_transform(counts)),
    }
    out = {}
    for name, (estimator, matrix) in models.items():
        estimator.fit(matrix)
        words = [[str(vocab[i]) for i in np.argsort(-component, kind="stable")[:top_n]]
                 for component in estimator.components_]
        out[name] = {
            "n_topics": n_topics,
            "coherence_npmi": _mean(npmi_coherence(words, reference)),
            "topic_diversity": topic_diversity(words),
            "top_words": {str(k): " ".join(w) for k, w in enumerate(words)},
        }
    return out


# --------------------------------------------------------------------------- tables


def _truncate(text: str, limit: int = REPRESENTATIVE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _label(words: Sequence[str]) -> str:
    return ", ".join(w.replace("_", " ") for w in words[:LABEL_WORDS]) or "(no words)"


def _share_table(assigned: pd.DataFrame, group: str, topic_info: pd.DataFrame) -> pd.DataFrame:
    """Paragraph counts and within-group shares for every (group, topic) pair, zeros included."""
    groups = sorted(assigned[group].unique())
    grid = pd.MultiIndex.from_product([groups, topic_info["topic"].tolist()], names=[group, "topic"])
    counts = assigned.groupby([group, "topic"]).size().reindex(grid, fill_value=0)
    table = counts.rename("n_paragraphs").reset_index()
    totals = assigned.groupby(group).size()
    table[f"{group}_total"] = table[group].map(totals).astype("int64")
    table["share"] = table["n_paragraphs"] / table[f"{group}_total"]
    table["topic_label"] = table["topic"].map(topic_info.set_index("topic")["label"])
    return table[[group, "topic", "topic_label", "n_paragraphs", f"{group}_total", "share"]]


# --------------------------------------------------------------------------- stage


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
    """What ``run_topics`` returns.

    Attributes:
        assignments: one row per modelled paragraph (the topics.parquet table).
        topic_info: one row per topic, outliers (-1) first (the topics.csv table).
        metrics: the topics.json content.
        model: the fitted BERTopic model. Its documents are space-joined stems; to assign new
            paragraphs pass their text embeddings explicitly:
            ``model.transform(stem_docs, embeddings=model.embedding_model.embed(texts))``.
        by_coop_type: the topics_by_coop_type.csv table.
        over_time: the topics_over_time.csv table.
        timings: seconds per step (for benchmarks; never written to the outputs, which must
            not change between runs).
    """

    assignments: pd.DataFrame
    topic_info: pd.DataFrame
    metrics: dict
    model: Any
    by_coop_type: pd.DataFrame = field(default_factory=pd.DataFrame)
    over_time: pd.DataFrame = field(default_factory=pd.DataFrame)
    timings: dict = field(default_factory=dict)


def run_topics(
    paragraphs_path: str | Path,
    classified_path: str | Path,
    documents_path: str | Path,
    *,
    topics_path: str | Path,
    tables_dir: str | Path = "reports/tables",
    metrics_path: str | Path = "reports/metrics/topics.json",
    embedding: str = "tfidf-svd",
    svd_components: int = 50,
    min_topic_size: int = 4,
    top_n_words: int = 10,
    fit_on: str = "relevant",
    sample_size: int = 20000,
    seed: int = 20250811,
    cache_dir: str | Path | None = "data/processed/embeddings",
) -> TopicsResult:
    """Fit BERTopic on the paragraphs and write assignments, topic tables and quality metrics.

    Args:
        paragraphs_path: paragraphs.parquet (preprocess).
        classified_path: classified.parquet (classify); paragraph rows give coop_type.
        documents_path: documents.parquet (ingest); gives dates and duplicate flags.
        topics_path: where topics.parquet is written.
        tables_dir: directory for topics.csv, topics_by_coop_type.csv, topics_over_time.csv.
        metrics_path: where topics.json is written.
        embedding: ``"tfidf-svd"`` or a local sentence-transformers model (never downloaded).
        svd_components: SVD dimensions of the tfidf-svd embedding.
        min_topic_size: smallest topic HDBSCAN may form (floor of the size-adaptive rule).
        top_n_words: stems listed per topic and used for coherence/diversity.
        fit_on: ``relevant`` — paragraphs coded as cooperation plus every paragraph of a
            document coded as cooperation (the context of the cooperation: what is built,
            funded, supplied), falling back to all paragraphs when fewer than
            ``MIN_PARAGRAPHS``; ``all``; ``sample`` — fit on ``sample_size`` paragraphs
            drawn with ``seed`` and assign the others with the fitted model; or ``online`` —
            every paragraph, through BERTopic's ``partial_fit`` (see :func:`online_settings`);
            the TF-IDF→SVD embedding, the NPMI reference and the LDA/NMF baselines then use
            a seeded sample of at most ``sample_size`` paragraphs. Paragraphs of
            documents flagged as duplicates are never modelled.
        sample_size: paragraphs fitted when ``fit_on="sample"``; with ``"online"`` the
            size of the sample behind the embedding fit and the quality measures.
        seed: seed of the SVD, UMAP, k-means, sampling and the baselines.
        cache_dir: embedding cache directory (None disables it).

    Returns:
        A ``TopicsResult``.

    Raises:
        UserError: missing or inconsistent inputs, too few paragraphs, or a sentence model that
            is not available locally.
    """
    clock = _Stopwatch()
    frame = _load_inputs(paragraphs_path, classified_path, documents_path)
    fit, rest, selection = _select(frame, fit_on, sample_size, seed)
    if len(fit) < MIN_PARAGRAPHS:
        clustering_settings(len(fit), min_topic_size)  # raises the user-facing message

    # Imported here: BERTopic pulls in torch, which takes seconds and is not needed to report
    # a bad input.
    from threadpoolctl import threadpool_limits

    from .embeddings import embed_paragraphs

    # One BLAS/OpenMP thread: SVD, k-means and LDA sums then run in a fixed order, so a rerun
    # (or a machine with more cores) gives bit-identical embeddings and assignments.
    with threadpool_limits(limits=1), _quiet_bertopic():
        clock.lap("load_inputs_and_imports")
        all_texts = fit["text"].tolist() + rest["text"].tolist()
        online = selection["fit_on_used"] == "online"
        # Online: the TF-IDF vocabulary and SVD come from a seeded sample, like the fit of
        # fit_on: sample, so their cost does not grow with the corpus.
        embed_fit = (_seeded_sample(fit["text"].tolist(), sample_size, seed) if online
                     else fit["text"].tolist())
        embeddings, embedder, embedding_info = embed_paragraphs(
            embed_fit, all_texts, embedding=embedding,
            svd_components=svd_components, seed=seed, cache_dir=cache_dir,
        )
        # A paragraph with no known word has a zero vector: UMAP cannot place it, so it is an
        # outlier by definition and stays in the output as such.
        has_content = np.linalg.norm(embeddings, axis=1) > 0
        fit_ok = has_content[: len(fit)]
        rest_ok = has_content[len(fit):]
        fit_model = fit[fit_ok].reset_index(drop=True)
        fit_emb = embeddings[: len(fit)][fit_ok]
        settings = (online_settings if online else clustering_settings)(len(fit_model),
                                                                         min_topic_size)
        clock.lap("embed")

        docs = fit_model["stem_doc"].tolist()
        fit_function = _fit_online if online else _fit
        model, raw_topics, settings = fit_function(docs, fit_emb, embedder, settings,
                                                   top_n_words, seed)
        clock.lap("fit")
        topics = _reduce_outliers(model, docs, raw_topics)
        clock.lap("reduce_outliers")

        rest_model = rest[rest_ok].reset_index(drop=True)
        rest_raw: list[int] = []
        rest_topics: list[int] = []
        if len(rest_model):
            rest_docs = rest_model["stem_doc"].tolist()
            predicted, _ = model.transform(rest_docs, embeddings=embeddings[len(fit):][rest_ok])
            rest_raw = [int(t) for t in predicted]
            rest_topics = _reduce_outliers(model, rest_docs, rest_raw)

        clock.lap("assign_rest")
        if online:
            # Topic words from the final assignments, with the same batch vectorizer and
            # c-TF-IDF as the other modes (the online vectorizer only served the training).
            model.update_topics(docs, topics=topics, vectorizer_model=_stem_vectorizer(),
                                ctfidf_model=model.ctfidf_model, top_n_words=top_n_words)
        elif topics != raw_topics:
            # Same vectorizer and c-TF-IDF: topic words stay stems after the reassignment.
            model.update_topics(docs, topics=topics, vectorizer_model=model.vectorizer_model,
                                ctfidf_model=model.ctfidf_model, top_n_words=top_n_words)

        words = _top_words(model, topics, top_n_words)
        reps = _representatives(model, docs, topics, fit_model["para_id"].tolist())
        topic_ids = sorted(set(topics) | set(rest_topics))
        real_topics = [t for t in topic_ids if t != -1]
        # Online: coherence and the LDA/NMF baselines on a seeded sample of the paragraphs
        # (batch LDA over every paragraph of a large corpus would dominate the stage).
        quality_docs = _seeded_sample(docs, sample_size, seed) if online else docs
        reference = [doc.split() for doc in quality_docs]
        clock.lap("update_topics")
        per_topic_npmi = npmi_coherence([words.get(t, []) for t in real_topics], reference)
        baselines = (_baselines(quality_docs, len(real_topics), top_n_words, seed, reference)
                     if len(real_topics) >= 2 else {})

        clock.lap("quality_and_baselines")

    # ---- assignments (fitted, assigned, and paragraphs without content)
    parts = [
        fit_model.assign(topic=topics, raw_topic=raw_topics, fitted=True),
        rest_model.assign(topic=rest_topics, raw_topic=rest_raw, fitted=False),
        fit[~fit_ok].assign(topic=-1, raw_topic=-1, fitted=True),
        rest[~rest_ok].assign(topic=-1, raw_topic=-1, fitted=False),
    ]
    assigned = pd.concat([p for p in parts if len(p)], ignore_index=True)
    assigned["topic"] = assigned["topic"].astype("int64")
    assigned["reassigned"] = (assigned["raw_topic"] == -1) & (assigned["topic"] != -1)
    assigned = assigned.sort_values(["doc_id", "para_index"], kind="stable").reset_index(drop=True)

    # ---- topic table
    sizes = assigned["topic"].value_counts()
    info_rows = []
    for topic in topic_ids:
        top = words.get(topic, [])
        rep = fit_model.iloc[reps[topic]] if topic in reps else None
        info_rows.append({
            "topic": topic,
            "label": OUTLIER_LABEL if topic == -1 else _label(top),
            "size": int(sizes.get(topic, 0)),
            "share": float(sizes.get(topic, 0)) / len(assigned),
            "top_words": " ".join(top),
            "representative_para_id": rep["para_id"] if rep is not None else "",
            "representative_text": _truncate(rep["text"]) if rep is not None else "",
        })
    topic_info = pd.DataFrame(info_rows).astype({"topic": "int64", "size": "int64"})
    labels = topic_info.set_index("topic")["label"]
    assigned["topic_label"] = assigned["topic"].map(labels).astype(str)

    by_coop_type = _share_table(assigned, "coop_type", topic_info)
    over_time = _share_table(assigned, "month", topic_info)

    # ---- metrics
    def outlier_share(values: Sequence[int]) -> float | None:
        return float(np.mean(np.asarray(values) == -1)) if len(values) else None

    metrics = {
        **selection,
        "seed": seed,
        "n_paragraphs_fitted": int(len(fit)),
        "n_paragraphs_assigned": int(len(rest)),
        "n_paragraphs_without_content": int((~has_content).sum()),
        "n_paragraphs_output": int(len(assigned)),
        "embedding": embedding_info["embedding"],
        "embedding_dimensions": embedding_info["dimensions"],
        "embedding_cache_key": embedding_info["cache_key"],
        "clustering": asdict(settings),
        **({"online": {"chunk_paragraphs": ONLINE_CHUNK,
                       "n_chunks": max(1, math.ceil(len(fit_model) / ONLINE_CHUNK)),
                       "embedding_fit_paragraphs": len(embed_fit)}} if online else {}),
        "outlier_reduction": {"strategy": OUTLIER_STRATEGY, "threshold": OUTLIER_THRESHOLD},
        "n_topics": len(real_topics),
        "top_n_words": top_n_words,
        "outlier_share_before_reduction": outlier_share(raw_topics),
        "outlier_share_after_reduction": outlier_share(topics),
        "outlier_share_assigned_before_reduction": outlier_share(rest_raw),
        "outlier_share_assigned_after_reduction": outlier_share(rest_topics),
        "outlier_share_output": outlier_share(assigned["topic"].tolist()),
        "coherence_npmi": _mean(per_topic_npmi),
        "coherence_npmi_by_topic": {str(t): v for t, v in zip(real_topics, per_topic_npmi)},
        "coherence_reference": (
            f"seeded sample of {len(reference)} fitted paragraphs, stem presence per paragraph"
            if online else "fitted paragraphs, stem presence per paragraph"),
        "topic_diversity": topic_diversity([words.get(t, []) for t in real_topics]),
        "baselines": baselines,
    }

    out_columns = ["para_id", "doc_id", "topic", "topic_label", "fitted", "reassigned"]
    write_parquet(topics_path, assigned[out_columns])
    tables_dir = Path(tables_dir)
    write_csv(tables_dir / "topics.csv", topic_info)
    write_csv(tables_dir / "topics_by_coop_type.csv", by_coop_type)
    write_csv(tables_dir / "topics_over_time.csv", over_time)
    write_json(metrics_path, metrics)
    clock.lap("tables_and_write")
    return TopicsResult(assigned[out_columns].copy(), topic_info, metrics, model,
                        by_coop_type, over_time, clock.laps)


# --------------------------------------------------------------------------- figures

MAX_PLOTTED_TOPICS = 30
# The compare figures' fonts, so topic figures sit well beside them in reports.
_FIGURE_STYLE = {"font.family": "DejaVu Sans", "font.size": 9, "axes.titlesize": 10,
                 "xtick.labelsize": 8, "ytick.labelsize": 8, "axes.spines.top": False,
                 "axes.spines.right": False}


def _topic_name(topic: int, label: str) -> str:
    return label if topic == -1 else f"{topic}: {label}"


def plot_topic_sizes(topic_info: pd.DataFrame):
    """Horizontal bar chart of paragraphs per topic (outliers in grey, largest 30 topics).

    Args:
        topic_info: ``TopicsResult.topic_info`` or topics.csv (topic, label, size).

    Returns:
        A matplotlib Figure; saving it is the caller's job.
    """
    import matplotlib as mpl

    from .figures import new_figure

    data = topic_info.sort_values(["size", "topic"], ascending=[False, True]).head(MAX_PLOTTED_TOPICS)
    data = data.iloc[::-1]  # largest at the top
    with mpl.rc_context(_FIGURE_STYLE):
        fig = new_figure(1.2 + 0.28 * len(data), width=7.0)
        ax = fig.subplots()
        colors = ["#BBBBBB" if t == -1 else "#0072B2" for t in data["topic"]]
        ax.barh(range(len(data)), data["size"], color=colors)
        ax.set_yticks(range(len(data)),
                      [_topic_name(t, lab) for t, lab in zip(data["topic"], data["label"])])
        ax.set_xlabel("paragraphs")
        shown = "" if len(topic_info) <= MAX_PLOTTED_TOPICS else f" ({MAX_PLOTTED_TOPICS} largest)"
        ax.set_title(f"Paragraphs per topic{shown}", loc="left")
    return fig


def plot_topics_by_coop_type(table: pd.DataFrame):
    """Heatmap of each topic's share of the paragraphs of each kind of cooperation.

    Args:
        table: topics_by_coop_type.csv (coop_type, topic, topic_label, share).

    Returns:
        A matplotlib Figure; saving it is the caller's job.
    """
    import matplotlib as mpl

    from .figures import label, new_figure

    wide = table.pivot_table(index=["topic", "topic_label"], columns="coop_type", values="share",
                             aggfunc="sum", fill_value=0.0).sort_index(level="topic")
    wide = wide.head(MAX_PLOTTED_TOPICS + 1)  # topics in id order: BERTopic numbers by size
    values = wide.to_numpy()
    top = max(0.01, float(values.max())) if values.size else 0.01
    with mpl.rc_context(_FIGURE_STYLE):
        fig = new_figure(1.6 + 0.28 * len(wide), width=2.8 + 1.2 * wide.shape[1])
        ax = fig.subplots()
        image = ax.imshow(values, cmap="Blues", vmin=0, vmax=top, aspect="auto")
        ax.set_xticks(range(wide.shape[1]), [label(f"coop_short.{c}") for c in wide.columns],
                      rotation=30, ha="right")
        ax.set_yticks(range(len(wide)), [_topic_name(t, lab) for t, lab in wide.index])
        for (i, j), value in np.ndenumerate(values):
            ax.text(j, i, f"{value:.0%}", ha="center", va="center", fontsize=7,
                    color="white" if value > 0.6 * top else "black")
        fig.colorbar(image, ax=ax, label="share of the kind's paragraphs", format="{x:.0%}")
        ax.set_title("Topic share by kind of cooperation", loc="left")
    return fig
