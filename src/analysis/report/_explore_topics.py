"""Topic data for the explorer: c-TF-IDF profiles, a 2-D map, readable top words, prevalence over time."""

# The readable top words come from analysis.topics.words.readable_words, the one implementation
# the topics stage also writes to topics.csv; it is re-exported here for explore.py.

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..topics.words import readable_words

__all__ = [
    "class_tfidf",
    "project_topics",
    "layout_bubbles",
    "readable_words",
    "topic_prevalence",
]

#: Share of the map's area that the bubbles cover before they are pushed apart.
_BUBBLE_AREA = 0.28
_MAX_RADIUS = 0.16
_GAP = 0.006
_MARGIN = 0.02
_RELAX_ROUNDS = 300
_GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


def class_tfidf(
    stems: Sequence[Sequence[str]], topics: Sequence[int]
) -> tuple[list[int], list[str], sp.csr_matrix]:
    """BERTopic's c-TF-IDF of each topic's stems (``ClassTfidfTransformer`` with its defaults).

    The paragraphs of a topic form one class; a stem's weight is its L1-normalised frequency in
    the class times ``log(1 + A / f)``, where ``A`` is the average number of stems per class
    (truncated to an integer, as BERTopic does) and ``f`` the stem's frequency over all classes.
    Given the paragraphs the model was fitted on and their final topics, this reproduces the
    model's topic words without the model.

    Args:
        stems: each paragraph's stems.
        topics: each paragraph's topic id (``-1`` = outliers, a class like the others).

    Returns:
        ``(topic_ids, vocabulary, matrix)``: sorted topic ids with at least one stem, the sorted
        stem vocabulary, and the topics x stems c-TF-IDF matrix (float64, CSR).
    """
    counts: dict[int, Counter[str]] = {}
    for words, topic in zip(stems, topics, strict=True):
        if words is not None and len(words):
            counts.setdefault(int(topic), Counter()).update(str(w) for w in words)
    topic_ids = sorted(t for t, c in counts.items() if c)
    vocabulary = sorted({w for c in counts.values() for w in c})
    if not topic_ids:
        return [], [], sp.csr_matrix((0, 0))
    column = {w: k for k, w in enumerate(vocabulary)}
    rows, cols, vals = [], [], []
    for r, topic in enumerate(topic_ids):
        for word, n in sorted(counts[topic].items()):
            rows.append(r)
            cols.append(column[word])
            vals.append(float(n))
    x = sp.csr_matrix((vals, (rows, cols)), shape=(len(topic_ids), len(vocabulary)))
    row_sums = np.asarray(x.sum(axis=1)).ravel()
    frequency = np.asarray(x.sum(axis=0)).ravel()
    idf = np.log(int(row_sums.mean()) / frequency + 1)
    tf = sp.diags(1.0 / row_sums) @ x
    return topic_ids, vocabulary, sp.csr_matrix(tf @ sp.diags(idf))


def project_topics(matrix: sp.spmatrix) -> np.ndarray:
    """Two coordinates per topic: classical MDS of the cosine distances of their profiles.

    Deterministic: no random start (unlike UMAP), and each axis' sign is fixed so that its
    largest coordinate is positive. Rounded to 6 decimals so that the last bits of a BLAS
    reduction cannot change the page.

    Args:
        matrix: topics x features (c-TF-IDF rows).

    Returns:
        An ``(n_topics, 2)`` array; zeros for fewer than two topics or identical profiles.
    """
    n = matrix.shape[0]
    if n < 2:
        return np.zeros((n, 2))
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    unit = sp.diags(1.0 / norms) @ sp.csr_matrix(matrix)
    similarity = np.asarray((unit @ unit.T).todense(), dtype=np.float64)
    centre = np.eye(n) - np.full((n, n), 1.0 / n)
    gram = centre @ similarity @ centre
    gram = (gram + gram.T) / 2
    values, vectors = np.linalg.eigh(gram)
    coords = np.zeros((n, 2))
    for axis, k in enumerate((n - 1, n - 2)):
        if values[k] <= 1e-12:
            continue
        column = vectors[:, k] * math.sqrt(values[k])
        if column[np.argmax(np.abs(np.round(column, 9)))] < 0:
            column = -column
        coords[:, axis] = column
    return np.round(coords, 6)


def _fit_unit_square(points: list[list[float]], radii: list[float]) -> tuple[list, list]:
    """Scale and centre circles (one factor for both axes) to fill the unit square, less a
    margin so that no bubble touches the frame."""
    left = min(p[0] - r for p, r in zip(points, radii, strict=True))
    right = max(p[0] + r for p, r in zip(points, radii, strict=True))
    bottom = min(p[1] - r for p, r in zip(points, radii, strict=True))
    top = max(p[1] + r for p, r in zip(points, radii, strict=True))
    scale = (1.0 - 2 * _MARGIN) / max(right - left, top - bottom, 1e-9)
    dx = (1.0 - (right - left) * scale) / 2
    dy = (1.0 - (top - bottom) * scale) / 2
    placed = [[(x - left) * scale + dx, (y - bottom) * scale + dy] for x, y in points]
    return placed, [r * scale for r in radii]


def layout_bubbles(coords: np.ndarray, sizes: Sequence[int]) -> list[tuple[float, float, float]]:
    """Bubble centres and radii in the unit square, area proportional to size, pushed apart.

    The projection fixes where each topic starts; overlapping bubbles are then pushed apart
    along the line joining their centres for a fixed number of rounds (pure Python floats, so
    the result is the same on every machine).

    Args:
        coords: ``(n, 2)`` projected positions.
        sizes: paragraphs per topic.

    Returns:
        ``(x, y, r)`` per topic, rounded to 4 decimals, y pointing up.
    """
    n = len(sizes)
    if n == 0:
        return []
    largest = max(max(sizes), 1)
    relative = [max(s, 1) / largest for s in sizes]
    scale = min(_MAX_RADIUS, math.sqrt(_BUBBLE_AREA / (math.pi * sum(relative))))
    radii = [scale * math.sqrt(v) for v in relative]
    span = float(np.ptp(coords, axis=0).max()) if n > 1 else 0.0
    if span <= 0:  # one topic, or identical profiles: start on a small spiral
        points = [
            [
                0.5 + 0.01 * i * math.cos(i * _GOLDEN_ANGLE),
                0.5 + 0.01 * i * math.sin(i * _GOLDEN_ANGLE),
            ]
            for i in range(n)
        ]
    else:
        points = [[float(x) / span, float(y) / span] for x, y in coords]
    for _round in range(_RELAX_ROUNDS):
        moved = False
        for i in range(n):
            for j in range(i + 1, n):
                dx = points[j][0] - points[i][0]
                dy = points[j][1] - points[i][1]
                distance = math.hypot(dx, dy)
                wanted = radii[i] + radii[j] + _GAP
                if distance >= wanted:
                    continue
                if distance < 1e-9:
                    angle = (i + j) * _GOLDEN_ANGLE
                    dx, dy, distance = math.cos(angle), math.sin(angle), 1.0
                push = (wanted - distance) / 2 / distance
                points[i][0] -= dx * push
                points[i][1] -= dy * push
                points[j][0] += dx * push
                points[j][1] += dy * push
                moved = True
        if not moved:
            break
    points, radii = _fit_unit_square(points, radii)
    return [
        (round(p[0], 4), round(p[1], 4), round(r, 4)) for p, r in zip(points, radii, strict=True)
    ]


def topic_prevalence(assigned: pd.DataFrame) -> dict:
    """Modelled paragraphs per month, kind of cooperation and topic.

    Args:
        assigned: one row per modelled paragraph with ``topic``, ``kind`` (the paragraph's
            coop_type) and ``month`` (``YYYY-MM`` or empty when the article has no date).

    Returns:
        ``{"months", "kinds", "totals": {kind: [n per month]}, "counts": [[topic, kind index,
        month index, n], ...], "undated": n}``; months are consecutive from the first to the
        last dated month (empty months included), kinds sorted.
    """
    dated = assigned[assigned["month"] != ""]
    undated = int(len(assigned) - len(dated))
    if dated.empty:
        return {"months": [], "kinds": [], "totals": {}, "counts": [], "undated": undated}
    first, last = pd.Period(dated["month"].min(), "M"), pd.Period(dated["month"].max(), "M")
    months = [str(p) for p in pd.period_range(first, last, freq="M")]
    month_index = {m: k for k, m in enumerate(months)}
    kinds = sorted(dated["kind"].unique())
    kind_index = {k: i for i, k in enumerate(kinds)}
    totals = {k: [0] * len(months) for k in kinds}
    for (kind, month), n in dated.groupby(["kind", "month"]).size().items():
        totals[kind][month_index[month]] = int(n)
    counts = [
        [int(topic), kind_index[kind], month_index[month], int(n)]
        for (topic, kind, month), n in dated.groupby(["topic", "kind", "month"]).size().items()
    ]
    return {
        "months": months,
        "kinds": kinds,
        "totals": totals,
        "counts": sorted(counts),
        "undated": undated,
    }
