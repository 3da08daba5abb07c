"""Topic coherence against a tokenised reference corpus: document NPMI, gensim's c_npmi and C_V."""

# Every measure scores a topic's top words by how often they occur together in a reference
# corpus. They differ in what counts as "together" and in how zero counts are treated:
#
# * ``npmi_document`` (the project's original measure): co-occurrence in the same document
#   (paragraph); a pair that never co-occurs scores exactly -1 and a pair present in every
#   document +1 (the limits of NPMI), and pairs with a word absent from the reference are left
#   out. Not comparable with published numbers.
# * ``c_npmi``: gensim's ``CoherenceModel(coherence="c_npmi")``: boolean sliding windows of 10
#   tokens, ``NPMI = ln((P(a,b)+ε)/(P(a)P(b))) / -ln(P(a,b)+ε)`` with ε = 1e-12, mean over the
#   ordered pairs of distinct positions (one-one segmentation).
# * ``c_npmi_paragraph``: the same formula with one window per document (a whole-paragraph
#   window), i.e. gensim's c_npmi with a window longer than every document.
# * ``c_v``: gensim's C_V (Röder et al. 2015): boolean sliding windows of 110 tokens, one-set
#   segmentation, each word's NPMI context vector over the topic's words compared by cosine with
#   the context vector of the whole topic, arithmetic mean. This is the number the Indonesian
#   topic-model literature reports.
#
# The gensim variants reproduce gensim 4.4's ``CoherenceModel`` to floating-point precision,
# including its treatment of documents shorter than the window (one window holding the whole
# document; empty documents still count as a window), of words absent from the reference (left
# out of the topic) and of its sliding window, which forgets a word when one occurrence leaves
# the window even if another occurrence is still inside it. Counting is vectorised over the
# occurrences of the topic words only, so a reference of a few hundred thousand paragraphs takes
# seconds.

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "EPSILON",
    "C_NPMI_WINDOW",
    "C_V_WINDOW",
    "MEASURES",
    "ReferenceCorpus",
    "WindowCounts",
    "reference_corpus",
    "count_windows",
    "npmi_document",
    "c_npmi",
    "c_v",
    "coherence",
]

EPSILON = 1e-12  # gensim's direct_confirmation_measure.EPSILON
C_NPMI_WINDOW = 10  # gensim's default window sizes
C_V_WINDOW = 110
# Measure name -> (window size, or None for one window per document).
MEASURES: Mapping[str, int | None] = {
    "npmi_document": None,
    "c_npmi": C_NPMI_WINDOW,
    "c_npmi_paragraph": None,
    "c_v": C_V_WINDOW,
}


@dataclass(frozen=True)
class ReferenceCorpus:
    """A tokenised reference corpus encoded once as integer ids.

    Attributes:
        vocabulary: token -> id.
        token_ids: every document's token ids, concatenated (int32).
        offsets: document ``d`` is ``token_ids[offsets[d]:offsets[d + 1]]``.
    """

    vocabulary: Mapping[str, int]
    token_ids: np.ndarray
    offsets: np.ndarray

    @property
    def n_documents(self) -> int:
        """Number of documents (empty ones included)."""
        return len(self.offsets) - 1


@dataclass(frozen=True)
class WindowCounts:
    """Window and co-window counts of some words in a reference corpus.

    Attributes:
        words: the counted words, all present in the reference.
        requested: every word that was asked for (absent ones included), so a topic can be
            checked against these counts.
        window_size: tokens per sliding window, or None for one window per document.
        n_windows: number of windows (gensim's ``num_docs``).
        counts: ``counts[i, j]`` windows holding both ``words[i]`` and ``words[j]``;
            the diagonal holds each word's window count.
    """

    words: tuple[str, ...]
    requested: frozenset[str]
    window_size: int | None
    n_windows: int
    counts: np.ndarray

    def index(self) -> dict[str, int]:
        """word -> row of ``counts``."""
        return {w: i for i, w in enumerate(self.words)}


def reference_corpus(documents: Iterable[Iterable[str]]) -> ReferenceCorpus:
    """Encode tokenised documents (one iterable of tokens per document) as a ReferenceCorpus.

    Token order is kept (sliding windows need it); an empty document is kept as such.
    """
    vocabulary: dict[str, int] = {}
    ids: list[int] = []
    offsets = [0]
    for doc in documents:
        ids.extend(vocabulary.setdefault(token, len(vocabulary)) for token in doc)
        offsets.append(len(ids))
    return ReferenceCorpus(
        vocabulary, np.asarray(ids, dtype=np.int32), np.asarray(offsets, dtype=np.int64)
    )


def _as_reference(reference: ReferenceCorpus | Iterable[Iterable[str]]) -> ReferenceCorpus:
    return reference if isinstance(reference, ReferenceCorpus) else reference_corpus(reference)


def _membership_intervals(corpus: ReferenceCorpus, word_ids: np.ndarray, window_size: int | None):
    """Runs of consecutive windows in which each counted word is present, per document.

    Returns ``(doc, column, start, end, n_windows)``: one row per run, windows numbered from 0
    within the document, ``end`` exclusive. gensim's window state is followed exactly: the
    first window holds its tokens; each step removes the token that left (even if it occurs
    again inside the window) and then adds the token that entered. So a word is present in
    window ``k`` iff its latest add step <= k is not older than its latest remove step <= k,
    where the occurrence at position ``p`` is added at step ``max(0, p - w + 1)`` and removed
    at step ``p + 1``.
    """
    lengths = np.diff(corpus.offsets)
    column = np.full(max(len(corpus.vocabulary), 1), -1, dtype=np.int64)
    column[word_ids] = np.arange(len(word_ids))
    positions = np.flatnonzero(column[corpus.token_ids] >= 0)
    cols = column[corpus.token_ids[positions]]
    docs = np.searchsorted(corpus.offsets, positions, side="right") - 1
    local = positions - corpus.offsets[docs]
    if window_size is None:
        windows = np.ones(len(lengths), dtype=np.int64)
    else:
        windows = np.maximum(1, lengths - window_size + 1)
    n_windows = int(windows.sum())
    steps = windows[docs]
    sliding = steps > 1  # documents shorter than the window are one window, no sliding
    add = np.where(sliding, np.maximum(0, local - (window_size or 0) + 1), 0)
    remove = local + 1
    has_remove = sliding & (remove < steps)
    # Events: (doc, column, step, kind) with kind 0 = remove before 1 = add at the same step.
    ev_doc = np.concatenate([docs, docs[has_remove]])
    ev_col = np.concatenate([cols, cols[has_remove]])
    ev_step = np.concatenate([add, remove[has_remove]])
    ev_kind = np.concatenate(
        [np.ones(len(docs), np.int8), np.zeros(int(has_remove.sum()), np.int8)]
    )
    order = np.lexsort((ev_kind, ev_step, ev_col, ev_doc))
    ev_doc, ev_col, ev_step, ev_kind = ev_doc[order], ev_col[order], ev_step[order], ev_kind[order]
    last = np.ones(len(ev_doc), dtype=bool)
    last[:-1] = (ev_doc[1:] != ev_doc[:-1]) | (ev_col[1:] != ev_col[:-1])
    next_step = np.where(last, windows[ev_doc], np.roll(ev_step, -1))
    is_add = ev_kind == 1
    first = np.ones(len(ev_doc), dtype=bool)
    first[1:] = last[:-1]
    # A run starts at an add that follows a remove or opens the group; consecutive adds merge.
    starts = is_add & (first | ~np.roll(is_add, 1))
    run = np.cumsum(starts) - 1
    run_end = np.zeros(int(starts.sum()), dtype=np.int64)
    np.maximum.at(run_end, run[is_add], next_step[is_add])
    return ev_doc[starts], ev_col[starts], ev_step[starts], run_end, n_windows


def _pair_overlaps(doc, col, start, end, n_words: int) -> np.ndarray:
    """Sum of overlaps of every two runs in the same document, by (column, column)."""
    counts = np.zeros((n_words, n_words), dtype=np.float64)
    if len(doc) == 0:
        return counts
    group_start = np.flatnonzero(np.r_[True, doc[1:] != doc[:-1]])
    group_size = np.diff(np.r_[group_start, len(doc)])
    size_of = np.repeat(group_size, group_size)
    start_of = np.repeat(group_start, group_size)
    left = np.repeat(np.arange(len(doc)), size_of)
    block = np.repeat(np.cumsum(size_of) - size_of, size_of)
    right = start_of[left] + (np.arange(len(left)) - block)
    overlap = np.minimum(end[left], end[right]) - np.maximum(start[left], start[right])
    positive = overlap > 0
    flat = col[left[positive]] * n_words + col[right[positive]]
    counts += np.bincount(flat, weights=overlap[positive], minlength=n_words * n_words).reshape(
        n_words, n_words
    )
    return counts


def count_windows(
    reference: ReferenceCorpus | Iterable[Iterable[str]],
    words: Iterable[str],
    window_size: int | None,
    *,
    chunk_documents: int = 50_000,
) -> WindowCounts:
    """Count the windows holding each word and each pair of ``words`` in ``reference``.

    Args:
        reference: a ReferenceCorpus or tokenised documents.
        words: the words to count; words absent from the reference are dropped.
        window_size: tokens per boolean sliding window (gensim: a document of ``n`` tokens
            gives ``max(1, n - window_size + 1)`` windows), or None for one window per document.
        chunk_documents: documents processed at a time (bounds the memory of the pair step).

    Returns:
        A WindowCounts over the words present in the reference, in sorted order.
    """
    if window_size is not None and window_size < 1:
        raise ValueError(f"window_size must be >= 1 or None, got {window_size}")
    corpus = _as_reference(reference)
    requested = frozenset(words)
    present = sorted(w for w in requested if w in corpus.vocabulary)
    word_ids = np.asarray([corpus.vocabulary[w] for w in present], dtype=np.int64)
    counts = np.zeros((len(present), len(present)), dtype=np.float64)
    n_windows = 0
    for first in range(0, max(corpus.n_documents, 1), chunk_documents):
        last = min(first + chunk_documents, corpus.n_documents)
        lo, hi = corpus.offsets[first], corpus.offsets[last]
        part = ReferenceCorpus(
            corpus.vocabulary, corpus.token_ids[lo:hi], corpus.offsets[first : last + 1] - lo
        )
        runs = _membership_intervals(part, word_ids, window_size)
        n_windows += runs[4]
        counts += _pair_overlaps(*runs[:4], len(present))
    return WindowCounts(tuple(present), requested, window_size, n_windows, counts)


def _npmi_matrix(counts: WindowCounts) -> np.ndarray:
    """gensim's normalised log-ratio measure for every pair of counted words."""
    n = float(counts.n_windows)
    single = np.diag(counts.counts) / n
    joint = counts.counts / n + EPSILON
    with np.errstate(divide="ignore", invalid="ignore"):
        numerator = np.log(joint / np.multiply.outer(single, single))
        return numerator / -np.log(joint)


def _topic_columns(topic: Sequence[str], index: Mapping[str, int]) -> np.ndarray:
    return np.asarray([index[w] for w in topic if w in index], dtype=np.int64)


def _per_topic(
    topics: Sequence[Sequence[str]], counts: WindowCounts, min_words: int, score
) -> list[float | None]:
    """``score(npmi, columns)`` of each topic whose words in the reference number at least
    ``min_words`` (None for the others), over the NPMI matrix of ``counts``."""
    npmi = _npmi_matrix(counts)
    index = counts.index()
    return [
        score(npmi, cols) if len(cols) >= min_words else None
        for cols in (_topic_columns(topic, index) for topic in topics)
    ]


def _counts_for(topics, reference, window_size, counts) -> WindowCounts:
    words = {w for topic in topics for w in topic}
    if counts is None:
        if reference is None:
            raise ValueError("pass a reference corpus or precomputed counts")
        return count_windows(reference, words, window_size)
    if counts.window_size != window_size:
        raise ValueError(
            f"counts are for window_size={counts.window_size}, this measure needs {window_size}"
        )
    if not words <= counts.requested:
        raise ValueError("the counts were made for other words; count these topics' words")
    return counts


def npmi_document(
    topics: Sequence[Sequence[str]],
    reference: ReferenceCorpus | Iterable[Iterable[str]] | None = None,
    *,
    counts: WindowCounts | None = None,
) -> list[float | None]:
    """Mean NPMI over the pairs of each topic's distinct words, by document co-occurrence.

    ``P(a)`` is the share of reference documents containing *a*, ``P(a,b)`` the share
    containing both, ``NPMI = ln(P(a,b)/(P(a)P(b))) / -ln P(a,b)``. No epsilon: a pair that
    never co-occurs scores -1 and a pair present in every document +1. Pairs with a word absent
    from the reference are left out; a topic without a scorable pair gets None.

    Args:
        topics: each topic's top words.
        reference: tokenised documents (or a ReferenceCorpus); only presence counts.
        counts: precomputed ``count_windows(reference, words, None)`` instead of ``reference``.

    Returns:
        One value per topic, in [-1, 1], or None.
    """
    counts = _counts_for(topics, reference, None, counts)
    n = float(counts.n_windows)
    index = counts.index()
    scores: list[float | None] = []
    for topic in topics:
        cols = _topic_columns(list(dict.fromkeys(topic)), index)
        i, j = np.triu_indices(len(cols), k=1)
        if len(i) == 0:
            scores.append(None)
            continue
        a, b = cols[i], cols[j]
        joint = counts.counts[a, b]
        p_joint = joint / n
        with np.errstate(divide="ignore", invalid="ignore"):
            pmi = np.log(p_joint / ((counts.counts[a, a] / n) * (counts.counts[b, b] / n)))
            values = np.where(joint == 0, -1.0, np.where(joint == n, 1.0, pmi / -np.log(p_joint)))
        scores.append(float(np.mean(values)))
    return scores


def c_npmi(
    topics: Sequence[Sequence[str]],
    reference: ReferenceCorpus | Iterable[Iterable[str]] | None = None,
    *,
    window_size: int | None = C_NPMI_WINDOW,
    counts: WindowCounts | None = None,
) -> list[float | None]:
    """gensim's ``c_npmi`` of each topic (one-one segmentation, ε = 1e-12, arithmetic mean).

    Args:
        topics: each topic's top words; words absent from the reference are dropped first,
            as gensim does.
        reference: tokenised documents in their token order (or a ReferenceCorpus).
        window_size: 10 in gensim; None gives the whole-paragraph variant
            (``c_npmi_paragraph``), gensim's c_npmi with a window longer than any document.
        counts: precomputed ``count_windows(reference, words, window_size)``.

    Returns:
        One value per topic, or None for a topic with fewer than two words in the reference.
    """

    def mean_pair_npmi(npmi: np.ndarray, cols: np.ndarray) -> float:
        block = npmi[np.ix_(cols, cols)]
        off_diagonal = ~np.eye(len(cols), dtype=bool)  # positions, so a repeated word counts
        return float(np.mean(block[off_diagonal]))

    return _per_topic(
        topics, _counts_for(topics, reference, window_size, counts), 2, mean_pair_npmi
    )


def c_v(
    topics: Sequence[Sequence[str]],
    reference: ReferenceCorpus | Iterable[Iterable[str]] | None = None,
    *,
    window_size: int | None = C_V_WINDOW,
    counts: WindowCounts | None = None,
) -> list[float | None]:
    """gensim's C_V of each topic.

    For a topic with words ``w_1..w_n`` (those present in the reference), the context vector
    of ``w_i`` is ``(NPMI(w_i, w_1), ..., NPMI(w_i, w_n))`` and that of the topic is the sum of
    them; C_V is the mean over ``i`` of the cosine between the two (one-set segmentation,
    indirect cosine confirmation, gamma 1, arithmetic mean). NPMI uses gensim's ε and boolean
    sliding windows of ``window_size`` tokens (110 in gensim).

    Args:
        topics: each topic's top words; words absent from the reference are dropped first.
        reference: tokenised documents in their token order (or a ReferenceCorpus).
        window_size: 110 in gensim; None for one window per document.
        counts: precomputed ``count_windows(reference, words, window_size)``.

    Returns:
        One value per topic, or None for a topic with no word in the reference.
    """

    def mean_cosine(npmi: np.ndarray, cols: np.ndarray) -> float:
        unique, multiplicity = np.unique(cols, return_counts=True)
        # gensim adds a term per listed word, so a repeated word weighs twice.
        vectors = npmi[np.ix_(cols, unique)] * multiplicity
        whole = vectors.sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            cosine = (vectors @ whole) / (
                np.sqrt((vectors**2).sum(axis=1)) * np.sqrt((whole**2).sum())
            )
        return float(np.mean(cosine))

    return _per_topic(topics, _counts_for(topics, reference, window_size, counts), 1, mean_cosine)


def coherence(
    topics: Sequence[Sequence[str]],
    reference: ReferenceCorpus | Iterable[Iterable[str]],
    measures: Iterable[str] = tuple(MEASURES),
) -> dict[str, dict]:
    """Several coherence measures of the same topics against one reference corpus.

    Args:
        topics: each topic's top words.
        reference: tokenised documents (or a ReferenceCorpus, to encode a large one once).
        measures: names from ``MEASURES``.

    Returns:
        ``{measure: {"mean": float | None, "by_topic": [float | None, ...],
        "window_size": int | None}}``; the mean leaves out topics scored None.
    """
    corpus = _as_reference(reference)
    words = {w for topic in topics for w in topic}
    functions = {"c_npmi": c_npmi, "c_npmi_paragraph": c_npmi, "c_v": c_v}
    cache: dict[int | None, WindowCounts] = {}
    out = {}
    for name in measures:
        if name not in MEASURES:
            raise ValueError(f"unknown coherence measure {name!r}; use one of {list(MEASURES)}")
        window = MEASURES[name]
        if window not in cache:
            cache[window] = count_windows(corpus, words, window)
        if name == "npmi_document":
            by_topic = npmi_document(topics, counts=cache[window])
        else:
            by_topic = functions[name](topics, window_size=window, counts=cache[window])
        kept = [v for v in by_topic if v is not None]
        out[name] = {
            "mean": float(np.mean(kept)) if kept else None,
            "by_topic": by_topic,
            "window_size": window,
        }
    return out
