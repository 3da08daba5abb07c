"""Topic words that occur together: c-TF-IDF candidates re-ranked by LSA centrality of the stems and coverage."""

# c-TF-IDF ranks a topic's words by how much more frequent they are in the topic than in the
# corpus. On short paragraphs that favours words frequent in one or two of the topic's
# paragraphs, so the listed words rarely occur together. Here each topic's best c-TF-IDF words
# are candidates, ranked by
#
#     score = centrality + coverage
#
# * *centrality*: cosine between the word and the centre of the topic's paragraphs in an LSA
#   space of the stems (TF-IDF of the paragraphs' stems → truncated SVD). A word is placed there
#   as a one-word paragraph: its row of the SVD's ``V``, compared with paragraph vectors ``U·S``.
# * *coverage*: the share of the topic's paragraphs that contain the word.
#
# Scores are rounded to 12 decimals and ties keep the c-TF-IDF order, so last-bit float
# differences between machines cannot reorder the words. Offline, seeded, numpy/scipy/sklearn
# only.

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "N_CANDIDATES",
    "LSA_DIMENSIONS",
    "StemSpace",
    "stem_space",
    "candidate_words",
    "central_words",
    "topic_rows",
    "representative_paragraphs",
    "readable_form",
    "readable_words",
]

N_CANDIDATES = 30  # BERTopic's representation models also start from the 30 best words
LSA_DIMENSIONS = 50
_DECIMALS = 12
_CASE_SAMPLE = 400  # paragraphs of a topic searched for the usual spelling of a word
_SENTENCE_ENDS = ".!?:;\"'“”‘’([-–—"  # after these (or at the start) a capital is grammar


@dataclass(frozen=True)
class StemSpace:
    """An LSA space of the fitted paragraphs' stems.

    Attributes:
        index: stem -> row of ``word_vectors``.
        word_vectors: one unit-length row per stem (its row of ``V``).
        paragraph_vectors: one row per paragraph (``U·S``), in the order given.
        presence: paragraphs × stems 0/1 matrix (CSR).
    """

    index: dict
    word_vectors: np.ndarray
    paragraph_vectors: np.ndarray
    presence: object


def stem_space(
    stem_docs: Sequence[str], *, n_components: int = LSA_DIMENSIONS, seed: int = 0
) -> StemSpace:
    """Fit the LSA space on space-joined stem documents (one per fitted paragraph).

    Args:
        stem_docs: e.g. ``"kerja_sama jakarta kuala_lumpur"``; a stem is a whitespace token.
        n_components: SVD dimensions, capped by the vocabulary and the number of paragraphs.
        seed: random state of the randomized SVD.
    """
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

    vectorizer = CountVectorizer(lowercase=False, token_pattern=r"\S+")
    counts = vectorizer.fit_transform(stem_docs)
    tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(counts)
    k = max(1, min(n_components, tfidf.shape[1] - 1, tfidf.shape[0] - 1))
    svd = TruncatedSVD(n_components=k, algorithm="randomized", n_iter=7, random_state=seed)
    paragraph_vectors = svd.fit_transform(tfidf)
    words = svd.components_.T
    norms = np.linalg.norm(words, axis=1, keepdims=True)
    index = {str(w): i for i, w in enumerate(vectorizer.get_feature_names_out())}
    presence = (counts > 0).astype(np.int8).tocsr()
    return StemSpace(index, words / np.where(norms > 0, norms, 1.0), paragraph_vectors, presence)


def candidate_words(scores, vocabulary: Sequence[str], n: int = N_CANDIDATES) -> list[list[str]]:
    """The ``n`` highest-scoring words of each row of a topics × words c-TF-IDF matrix.

    Only positive scores count; ties go alphabetically (as the stage's topic words do).
    """
    from scipy.sparse import csr_matrix

    matrix = csr_matrix(scores)
    out = []
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        pairs = sorted(
            (-float(s), str(vocabulary[i]))
            for i, s in zip(matrix.indices[start:end], matrix.data[start:end])
            if s > 0
        )
        out.append([w for _, w in pairs[:n]])
    return out


def central_words(
    space: StemSpace, labels: Sequence[int], candidates: dict[int, Sequence[str]], n_words: int = 10
) -> dict[int, list[str]]:
    """Each topic's ``n_words`` candidates with the highest centrality + coverage.

    Args:
        space: ``stem_space`` of the same paragraphs, in the same order as ``labels``.
        labels: the topic of each paragraph (-1 = outlier).
        candidates: ``{topic: words in c-TF-IDF order}``; candidates unknown to the space (not
            in any paragraph) are dropped.
        n_words: words kept per topic.

    Returns:
        ``{topic: words}`` for every topic in ``candidates`` with members among the paragraphs.
    """
    labels = np.asarray(labels)
    if len(labels) != space.paragraph_vectors.shape[0]:
        raise ValueError("labels and the stem space must cover the same paragraphs")
    out = {}
    for topic, words in candidates.items():
        members = labels == topic
        known = [w for w in words if w in space.index]
        if not members.any() or not known:
            continue
        columns = [space.index[w] for w in known]
        centre = space.paragraph_vectors[members].mean(axis=0)
        centre = centre / (np.linalg.norm(centre) or 1.0)
        centrality = space.word_vectors[columns] @ centre
        coverage = np.asarray(space.presence[members][:, columns].mean(axis=0)).ravel()
        score = np.round(centrality + coverage, _DECIMALS)
        order = np.argsort(-score, kind="stable")
        out[int(topic)] = [known[i] for i in order[:n_words]]
    return out


def topic_rows(model, topics: Sequence[int]) -> dict[int, int]:
    """Map topic id -> row of ``model.c_tf_idf_`` (BERTopic orders rows by sorted topic id)."""
    ids = sorted(set(topics))
    if model.c_tf_idf_.shape[0] != len(ids):
        raise RuntimeError("c-TF-IDF rows do not match the topics")
    return {t: r for r, t in enumerate(ids)}


def representative_paragraphs(
    model, docs: list[str], topics: list[int], para_ids: list[str]
) -> dict[int, int]:
    """Index of each topic's paragraph whose stem profile is closest to the topic's c-TF-IDF.

    Args:
        model: a fitted BERTopic model (``c_tf_idf_`` rows in sorted topic order).
        docs: the fitted paragraphs' stem documents; ``topics`` their topics; ``para_ids``
            their ids, which break ties of similarity (rounded to 12 decimals).
    """
    from sklearn.metrics.pairwise import cosine_similarity

    rows = topic_rows(model, topics)
    profiles = model.ctfidf_model.transform(model.vectorizer_model.transform(docs))
    topic_array = np.asarray(topics)
    chosen = {}
    for topic, row in rows.items():
        if topic == -1:
            continue
        members = np.flatnonzero(topic_array == topic)
        sims = cosine_similarity(profiles[members], model.c_tf_idf_[row]).ravel()
        best = min(
            range(len(members)), key=lambda k: (-round(float(sims[k]), 12), para_ids[members[k]])
        )
        chosen[topic] = int(members[best])
    return chosen


# Readable forms. Topic words are Sastrawi stems ("kait", "tantang"), which readers do not
# write. A stem's readable form is the surface word (the unstemmed token) that carries the stem
# most often in the topic's paragraphs ("terkait"), spelled as those paragraphs usually write
# it ("Kuala Lumpur"). Ties go to the alphabetically first word, so the choice is the same on
# every run.


def readable_form(token: str) -> str:
    """A token or stem as words: a joined multiword expression's ``_`` become spaces."""
    return " ".join(str(token).replace("_", " ").split())


def _surface_pattern(token: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in token.split("_") if w]
    return re.compile(r"(?<!\w)" + r"[\s\-]+".join(words) + r"(?!\w)", re.IGNORECASE)


def _most_frequent(counts: Counter[str]) -> str:
    """The most frequent key; ties: the alphabetically first."""
    return min(counts.items(), key=lambda item: (-item[1], item[0]))[0]


def _starts_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip()
    return not before or before[-1] in _SENTENCE_ENDS


def _usual_spelling(token: str, texts: Iterable[str]) -> str:
    """How ``token`` is written in ``texts``, looked at inside sentences, where a capital is
    not grammar: lower case if it is ever written so there, else its most frequent spelling
    there (names, acronyms; ties: sorted first). Only at sentence starts: lower case when the
    capital is merely the first letter (``Kaitan``), else as written (``Kuala Lumpur``)."""
    pattern = _surface_pattern(token)
    inside: Counter[str] = Counter()
    initial: Counter[str] = Counter()
    for text in texts:
        for match in pattern.finditer(text):
            spelling = " ".join(match.group().replace("-", " ").split())
            (initial if _starts_sentence(text, match.start()) else inside)[spelling] += 1
    lower = readable_form(token)
    if lower in inside or not (inside or initial):
        return lower
    if inside:
        return _most_frequent(inside)
    named = Counter({w: n for w, n in initial.items() if w != lower.capitalize()})
    return _most_frequent(named) if named else lower


def readable_words(
    paragraphs: pd.DataFrame, wanted: Mapping[int, Sequence[str]]
) -> dict[int, dict[str, str]]:
    """The readable form of each wanted stem: the topic's most frequent surface word for it.

    For every paragraph of a topic, the tokens (unstemmed words) are paired with their stems
    position by position; the token seen most often with a stem is its word (``terkait`` for
    ``kait``; a tie goes to the alphabetically first token). The word is then spelled as the
    topic's paragraphs most often write it inside a sentence (lower case whenever it occurs
    so; otherwise e.g. ``Kuala Lumpur``; looked up in the topic's first 400 paragraph texts). A stem no token of
    the topic carries (a protected multiword expression, say) keeps its own form, ``_`` read
    as a space.

    Args:
        paragraphs: ``topic``, ``text``, ``tokens``, ``stems`` (lists of equal length) per
            paragraph assigned to a topic.
        wanted: topic id -> stems to name.

    Returns:
        topic id -> {stem: readable word} for each topic with paragraphs and wanted stems.

    Raises:
        ValueError: a column named above is missing.
    """
    missing = [c for c in ("topic", "text", "tokens", "stems") if c not in paragraphs.columns]
    if missing:
        raise ValueError(f"readable_words needs the paragraph column(s) {', '.join(missing)}")
    result: dict[int, dict[str, str]] = {}
    for topic, group in paragraphs.groupby("topic", sort=True):
        stems_wanted = {str(s) for s in wanted.get(int(topic), ())}
        if not stems_wanted:
            continue
        counts: dict[str, Counter[str]] = {s: Counter() for s in stems_wanted}
        for tokens, stems in zip(group["tokens"], group["stems"], strict=True):
            if tokens is None or stems is None:
                continue
            for token, stem in zip(tokens, stems, strict=False):
                if stem in stems_wanted:
                    counts[stem][str(token)] += 1
        texts = group["text"].head(_CASE_SAMPLE).fillna("").astype(str).tolist()
        result[int(topic)] = {
            stem: _usual_spelling(_most_frequent(counts[stem]) if counts[stem] else stem, texts)
            for stem in sorted(stems_wanted)
        }
    return result
