"""The seed ensemble of the topic model: fit each seed, choose the medoid, describe its stability."""

# The model is fitted once per seed of ``stability.ensemble_seeds(seed, n_seeds)`` on the same
# embedding (computed once: it is deterministic, so the ensemble measures the randomness of the
# map and the clustering only). The run most in agreement with the others (mean pairwise ARI) is
# published; every topic of it gets its recurrence in the other runs and a ``stable`` flag.
# docs/topics_stability.md explains the measures in words a student can follow.

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .stability import (
    RECUR_JACCARD,
    STABLE_RECURRENCE,
    ensemble_agreement,
    ensemble_seeds,
    topic_stability,
)
from .words import (
    LSA_DIMENSIONS,
    N_CANDIDATES,
    StemSpace,
    candidate_words,
    central_words,
    topic_rows,
)

__all__ = [
    "STABILITY_COLUMNS",
    "EnsembleRun",
    "Ensemble",
    "run_words",
    "fit_ensemble",
    "stability_columns",
    "ensemble_metrics",
]

#: Columns topics.csv gains from the ensemble (outliers: recurrence NaN, stable true).
STABILITY_COLUMNS = ("recurrence", "mean_jaccard", "mean_word_overlap", "stable")


@dataclass
class EnsembleRun:
    """One fit of the ensemble.

    Attributes:
        seed: the seed of UMAP, the clustering and the baselines of this run.
        model: the fitted BERTopic model (topic words updated after outlier reduction).
        raw_topics: topic of each fitted paragraph before outlier reduction.
        topics: topic of each fitted paragraph after outlier reduction.
        settings: the clustering settings used (HDBSCAN may fall back to k-means).
        words: ``{topic: top words}`` (``run_words``), outliers (-1) included when present.
    """

    seed: int
    model: Any
    raw_topics: list[int]
    topics: list[int]
    settings: Any
    words: dict[int, list[str]]


@dataclass
class Ensemble:
    """Every run, their agreement, the published run (medoid) and its per-topic stability."""

    runs: list[EnsembleRun]
    agreement: dict
    stability: pd.DataFrame

    @property
    def published(self) -> EnsembleRun:
        """The medoid run, the one the tables, figures and brief show."""
        return self.runs[self.agreement["medoid"]]


def run_words(model, topics: Sequence[int], space: StemSpace, n_words: int) -> dict[int, list[str]]:
    """A run's topic words: its best c-TF-IDF stems re-ranked by centrality + coverage.

    Args:
        model: a fitted BERTopic model whose ``c_tf_idf_`` rows follow the sorted topic ids.
        topics: the topic of each fitted paragraph (the order of ``space``).
        space: ``words.stem_space`` of the fitted paragraphs' stem documents.
        n_words: words kept per topic.
    """
    ids = list(topic_rows(model, topics))
    vocabulary = model.vectorizer_model.get_feature_names_out()
    candidates = candidate_words(model.c_tf_idf_, vocabulary, max(N_CANDIDATES, n_words))
    return central_words(space, topics, dict(zip(ids, candidates)), n_words)


def fit_ensemble(
    seed: int,
    n_seeds: int,
    fit_one: Callable[[int], EnsembleRun],
    fit_all: Callable[[list[int]], list[EnsembleRun]] | None = None,
) -> Ensemble:
    """Fit one run per ensemble seed and compare them.

    Args:
        seed: params.yaml ``seed``, the first seed of the ensemble.
        n_seeds: params.yaml ``topics.n_seeds`` (1 = a single fit, no stability measured).
        fit_one: fits the model with a given seed on the shared embedding.
        fit_all: fits every seed's run at once and returns them in seed order (e.g.
            ``seed_runs.fit_runs`` in worker processes); default ``fit_one`` seed by seed.

    Returns:
        The runs in seed order, ``stability.ensemble_agreement`` of their assignments and
        words, and ``stability.topic_stability`` of the medoid.
    """
    seeds = ensemble_seeds(seed, n_seeds)
    runs = fit_all(seeds) if fit_all is not None else [fit_one(run_seed) for run_seed in seeds]
    labels = [run.topics for run in runs]
    words = [run.words for run in runs]
    agreement = ensemble_agreement(labels, words)
    stability = topic_stability(labels, words, agreement["medoid"])
    return Ensemble(runs, agreement, stability)


def stability_columns(ensemble: Ensemble, topic_ids: Sequence[int]) -> pd.DataFrame:
    """``topic`` + ``STABILITY_COLUMNS`` for every topic of the published table.

    Outliers (-1) are not a topic: recurrence and means NaN, ``stable`` true (never greyed as a
    finding). With one seed nothing is measured: NaN and ``stable`` true for every topic.
    """
    table = ensemble.stability.set_index("topic")
    single = len(ensemble.runs) == 1
    rows = []
    for topic in topic_ids:
        if topic == -1 or single or topic not in table.index:
            rows.append(
                {
                    "topic": topic,
                    "recurrence": np.nan,
                    "mean_jaccard": np.nan,
                    "mean_word_overlap": np.nan,
                    "stable": True,
                }
            )
        else:
            row = table.loc[topic]
            rows.append(
                {
                    "topic": topic,
                    "recurrence": float(row["recurrence"]),
                    "mean_jaccard": float(row["mean_jaccard"]),
                    "mean_word_overlap": float(row["mean_word_overlap"]),
                    "stable": bool(row["stable"]),
                }
            )
    return pd.DataFrame(rows, columns=["topic", *STABILITY_COLUMNS]).astype(
        {"topic": "int64", "stable": "bool"}
    )


def ensemble_metrics(ensemble: Ensemble, columns: pd.DataFrame) -> dict:
    """The ``ensemble`` and ``topic_stability`` blocks of topics.json.

    Args:
        ensemble: the fitted ensemble.
        columns: ``stability_columns`` of the published topics.
    """
    agreement = ensemble.agreement
    real = columns[columns["topic"] != -1]
    n_stable = int(real["stable"].sum())
    return {
        "ensemble": {
            "n_seeds": len(ensemble.runs),
            "seeds": [run.seed for run in ensemble.runs],
            "published_seed": ensemble.published.seed,
            "published_index": agreement["medoid"],
            "n_topics_per_seed": agreement["n_topics"],
            "ari_mean": agreement["ari_mean"],
            "ari_min": agreement["ari_min"],
            "ari_max": agreement["ari_max"],
            "pairwise_ari": agreement["pairwise_ari"],
            "word_overlap_mean": agreement["word_overlap_mean"],
            "published_mean_ari": agreement["medoid_mean_ari"],
            "embedding": "computed once, shared by every seed",
            "published_rule": "the run with the highest mean ARI to the other runs (medoid); "
            "ties to the earlier seed",
            "stability_rule": (
                f"recurs: Hungarian match with member-paragraph Jaccard >= "
                f"{RECUR_JACCARD}; stable: recurs in >= {STABLE_RECURRENCE:.0%} "
                "of the other runs"
            ),
            "n_topics_stable": n_stable,
            "n_topics_unstable": int(len(real) - n_stable) if len(ensemble.runs) > 1 else 0,
        },
        "topic_words": {
            "method": f"centrality + coverage over the {N_CANDIDATES} best "
            "c-TF-IDF stems of each topic",
            "lsa_dimensions": LSA_DIMENSIONS,
        },
        "topic_stability": {
            str(int(row.topic)): {
                "recurrence": row.recurrence,
                "mean_jaccard": row.mean_jaccard,
                "mean_word_overlap": row.mean_word_overlap,
                "stable": bool(row.stable),
            }
            for row in real.itertuples()
        },
    }
