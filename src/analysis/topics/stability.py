"""Agreement between topic solutions of different seeds: ARI, matched topics, medoid, per-topic stability."""

# A topic model fitted twice with different random seeds (UMAP's layout, k-means' starts) can
# give different topics. Fitting an ensemble of seeds and comparing the solutions tells which
# findings survive that noise:
#
# * **Adjusted Rand index (ARI)** of two solutions' paragraph assignments: 1 when they group the
#   paragraphs identically (whatever the topic numbers), about 0 when they agree no more than
#   random groupings of the same sizes would. Outliers (topic -1) count as one group.
# * **Matched topics**: the topics of two solutions are paired one-to-one by the Hungarian method
#   so that the total Jaccard similarity of their member paragraphs (paragraphs in both / in
#   either; outliers excluded) is largest; pairs sharing no paragraph are left unmatched.
# * **Top-word overlap** of a matched pair: the share of top words they have in common.
# * **Medoid**: the solution with the highest mean ARI to the others is the one published (ties,
#   after rounding to 12 decimals, go to the earlier seed in the ensemble).
# * **Per-topic stability** of the published solution: in each other solution a topic *recurs*
#   when its matched topic shares at least half of their paragraphs (Jaccard >= 0.5); its
#   recurrence is the share of other solutions in which it recurs. A topic that recurs in fewer
#   than half of them (recurrence < 0.5) is flagged as unstable.

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "RECUR_JACCARD",
    "STABLE_RECURRENCE",
    "TopicMatch",
    "ensemble_seeds",
    "pairwise_ari",
    "member_jaccard",
    "match_topics",
    "top_word_overlap",
    "choose_medoid",
    "topic_stability",
    "ensemble_agreement",
]

# A topic recurs in another solution when its match shares at least this Jaccard similarity of
# member paragraphs: more paragraphs in common than in either topic alone.
RECUR_JACCARD = 0.5
# A published topic is stable when it recurs in at least this share of the other solutions.
STABLE_RECURRENCE = 0.5
_OUTLIER = -1
_SEED_LIMIT = 2**31 - 1  # seeds must fit the int32 random_state of UMAP and k-means
_TIE_DECIMALS = 12


@dataclass(frozen=True)
class TopicMatch:
    """One pair of matched topics between solutions *a* and *b*."""

    topic_a: int
    topic_b: int
    jaccard: float  # of member paragraphs
    size_a: int
    size_b: int


def ensemble_seeds(seed: int, n_seeds: int) -> list[int]:
    """The ensemble's seeds: ``seed`` itself first, then ``n_seeds - 1`` derived from it.

    The derived seeds come from NumPy's ``SeedSequence(seed)``, whose output is fixed across
    NumPy versions and machines; an ensemble of one is today's single fit.

    Raises:
        ValueError: when ``n_seeds < 1``.
    """
    if n_seeds < 1:
        raise ValueError(f"n_seeds must be at least 1, got {n_seeds}")
    seeds = [int(seed)]
    state = np.random.SeedSequence(int(seed)).generate_state(4 * n_seeds, dtype=np.uint32)
    for value in state:
        candidate = int(value) % _SEED_LIMIT
        if len(seeds) == n_seeds:
            break
        if candidate not in seeds:
            seeds.append(candidate)
    return seeds


def pairwise_ari(assignments: Sequence[Sequence[int]]) -> np.ndarray:
    """Adjusted Rand index between every two solutions (a symmetric matrix, 1 on the diagonal).

    Args:
        assignments: one topic label per paragraph for each solution, paragraphs in the same
            order in every solution.
    """
    from sklearn.metrics import adjusted_rand_score

    labels = [np.asarray(a) for a in assignments]
    if len({len(a) for a in labels}) > 1:
        raise ValueError("every solution must label the same paragraphs")
    n = len(labels)
    ari = np.eye(n)
    for i in range(n):
        for j in range(i + 1, n):
            ari[i, j] = ari[j, i] = adjusted_rand_score(labels[i], labels[j])
    return ari


def _membership(labels: np.ndarray):
    """Topic ids (outliers left out) and a sparse topics × paragraphs 0/1 matrix (CSR).

    Sparse, so comparing runs over a whole corpus (hundreds of topics, 10⁵ paragraphs) costs
    memory in proportion to the paragraphs, not to topics × paragraphs.
    """
    from scipy.sparse import csr_matrix

    labels = np.asarray(labels)
    topics = sorted(int(t) for t in np.unique(labels) if t != _OUTLIER)
    kept = np.flatnonzero(labels != _OUTLIER)
    rows = np.searchsorted(np.asarray(topics, dtype=np.int64), labels[kept])
    matrix = csr_matrix(
        (np.ones(len(kept), dtype=np.int64), (rows, kept)), shape=(len(topics), len(labels))
    )
    return topics, matrix


def member_jaccard(
    labels_a: Sequence[int], labels_b: Sequence[int]
) -> tuple[list[int], list[int], np.ndarray]:
    """Jaccard similarity of the member paragraphs of every topic of *a* and every topic of *b*.

    Returns:
        ``(topics_a, topics_b, matrix)`` with ``matrix[i, j]`` for ``topics_a[i]`` and
        ``topics_b[j]``; outliers are not a topic.
    """
    a, b = np.asarray(labels_a), np.asarray(labels_b)
    topics_a, members_a = _membership(a)
    topics_b, members_b = _membership(b)
    both = np.asarray((members_a @ members_b.T).todense())
    size_a = np.asarray(members_a.sum(axis=1)).ravel()
    size_b = np.asarray(members_b.sum(axis=1)).ravel()
    either = size_a[:, None] + size_b[None, :] - both
    with np.errstate(invalid="ignore", divide="ignore"):
        matrix = np.where(either > 0, both / np.maximum(either, 1), 0.0)
    return topics_a, topics_b, matrix


def match_topics(labels_a: Sequence[int], labels_b: Sequence[int]) -> list[TopicMatch]:
    """Pair the topics of two solutions one-to-one, maximising the total member Jaccard.

    Hungarian method (``scipy.optimize.linear_sum_assignment``); pairs with no paragraph in
    common are dropped, so a topic may stay unmatched. Sorted by *a*'s topic id.
    """
    from scipy.optimize import linear_sum_assignment

    topics_a, topics_b, matrix = member_jaccard(labels_a, labels_b)
    if not topics_a or not topics_b:
        return []
    # Round so that last-bit differences cannot change which of two equal pairings wins.
    rows, cols = linear_sum_assignment(np.round(matrix, _TIE_DECIMALS), maximize=True)
    a, b = np.asarray(labels_a), np.asarray(labels_b)
    return [
        TopicMatch(
            topics_a[r],
            topics_b[c],
            float(matrix[r, c]),
            int((a == topics_a[r]).sum()),
            int((b == topics_b[c]).sum()),
        )
        for r, c in sorted(zip(rows, cols))
        if matrix[r, c] > 0
    ]


def top_word_overlap(words_a: Sequence[str], words_b: Sequence[str]) -> float:
    """Share of top words two topics have in common: ``|A ∩ B| / max(|A|, |B|)`` (0 if empty)."""
    a, b = set(words_a), set(words_b)
    return len(a & b) / max(len(a), len(b)) if a or b else 0.0


def choose_medoid(ari: np.ndarray) -> int:
    """Index of the solution with the highest mean ARI to the others (earliest on ties)."""
    ari = np.asarray(ari, dtype=np.float64)
    n = len(ari)
    if n == 1:
        return 0
    mean = (ari.sum(axis=1) - np.diag(ari)) / (n - 1)
    rounded = np.round(mean, _TIE_DECIMALS)
    return int(np.flatnonzero(rounded == rounded.max())[0])


def topic_stability(
    assignments: Sequence[Sequence[int]],
    top_words: Sequence[dict[int, Sequence[str]]],
    published: int,
) -> pd.DataFrame:
    """How often, and how closely, each topic of the published solution recurs in the others.

    Args:
        assignments: each solution's topic label per paragraph (same paragraph order).
        top_words: each solution's ``{topic: top words}``.
        published: index of the published solution (usually ``choose_medoid``).

    Returns:
        One row per published topic (outliers excluded): ``topic``, ``size``,
        ``recurrence`` (share of other solutions where its match has Jaccard >=
        ``RECUR_JACCARD``), ``mean_jaccard`` and ``mean_word_overlap`` (over the other
        solutions, 0 where unmatched) and ``stable`` (recurrence >= ``STABLE_RECURRENCE``).
        With one solution, recurrence and means are NaN and ``stable`` is False.
    """
    base = np.asarray(assignments[published])
    topics, _ = _membership(base)
    others = [i for i in range(len(assignments)) if i != published]
    jaccard = np.zeros((len(topics), len(others)))
    overlap = np.zeros((len(topics), len(others)))
    row_of = {t: r for r, t in enumerate(topics)}
    for column, other in enumerate(others):
        for match in match_topics(base, assignments[other]):
            row = row_of[match.topic_a]
            jaccard[row, column] = match.jaccard
            overlap[row, column] = top_word_overlap(
                top_words[published].get(match.topic_a, []), top_words[other].get(match.topic_b, [])
            )
    with np.errstate(invalid="ignore"):
        recurrence = (
            (jaccard >= RECUR_JACCARD).mean(axis=1) if others else np.full(len(topics), np.nan)
        )
        mean_jaccard = jaccard.mean(axis=1) if others else np.full(len(topics), np.nan)
        mean_overlap = overlap.mean(axis=1) if others else np.full(len(topics), np.nan)
    return pd.DataFrame(
        {
            "topic": np.asarray(topics, dtype=np.int64),
            "size": np.asarray([int((base == t).sum()) for t in topics], dtype=np.int64),
            "recurrence": recurrence,
            "mean_jaccard": mean_jaccard,
            "mean_word_overlap": mean_overlap,
            "stable": np.asarray(recurrence >= STABLE_RECURRENCE)
            if others
            else np.zeros(len(topics), dtype=bool),
        }
    )


def _pair_word_agreement(labels_a, labels_b, words_a, words_b) -> float:
    """Mean top-word overlap of matched topics; unmatched topics of the larger solution count 0."""
    n_topics = max(
        len(_membership(np.asarray(labels_a))[0]), len(_membership(np.asarray(labels_b))[0])
    )
    if n_topics == 0:
        return float("nan")
    total = sum(
        top_word_overlap(words_a.get(m.topic_a, []), words_b.get(m.topic_b, []))
        for m in match_topics(labels_a, labels_b)
    )
    return total / n_topics


def ensemble_agreement(
    assignments: Sequence[Sequence[int]], top_words: Sequence[dict[int, Sequence[str]]]
) -> dict:
    """Summary of an ensemble: pairwise ARI and top-word overlap, and the medoid.

    Returns:
        A JSON-ready dict: ``n_solutions``, ``n_topics`` per solution, ``ari_mean``,
        ``ari_min``, ``ari_max`` (over the pairs of solutions), ``word_overlap_mean`` (mean
        over pairs of the matched topics' top-word overlap, unmatched topics counting 0),
        ``medoid`` (index), ``medoid_mean_ari`` and ``pairwise_ari`` (the matrix as lists).
    """
    ari = pairwise_ari(assignments)
    n = len(assignments)
    upper = ari[np.triu_indices(n, k=1)]
    words = [
        _pair_word_agreement(assignments[i], assignments[j], top_words[i], top_words[j])
        for i in range(n)
        for j in range(i + 1, n)
    ]
    medoid = choose_medoid(ari)
    return {
        "n_solutions": n,
        "n_topics": [len(_membership(np.asarray(a))[0]) for a in assignments],
        "ari_mean": float(upper.mean()) if len(upper) else None,
        "ari_min": float(upper.min()) if len(upper) else None,
        "ari_max": float(upper.max()) if len(upper) else None,
        "word_overlap_mean": float(np.mean(words)) if words else None,
        "medoid": medoid,
        "medoid_mean_ari": float((ari[medoid].sum() - 1) / (n - 1)) if n > 1 else None,
        "pairwise_ari": [[float(x) for x in row] for row in ari],
    }
