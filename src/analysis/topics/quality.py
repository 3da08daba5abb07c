"""Quality of a topic solution: NPMI coherence, topic diversity, and LDA/NMF baselines."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

__all__ = ["STEM_TOKEN_PATTERN", "stem_vectorizer", "npmi_coherence", "topic_diversity",
           "mean_score", "baselines"]

# A whitespace-delimited token is one stem; `\S+` keeps `kuala_lumpur` whole.
STEM_TOKEN_PATTERN = r"\S+"


def stem_vectorizer(min_df: int = 1):
    """The count vectorizer of space-joined stems (every stem one term, never lower-cased)."""
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(lowercase=False, token_pattern=STEM_TOKEN_PATTERN, min_df=min_df)


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


def mean_score(values: Iterable[float | None]) -> float | None:
    """The mean of the values that are not None (None when there are none)."""
    kept = [v for v in values if v is not None]
    return float(np.mean(kept)) if kept else None


def baselines(docs: list[str], n_topics: int, top_n: int, seed: int, reference) -> dict:
    """Seeded LDA (counts) and NMF (TF-IDF) on the same stems with the same number of topics."""
    from sklearn.decomposition import NMF, LatentDirichletAllocation
    from sklearn.feature_extraction.text import TfidfTransformer

    vectorizer = stem_vectorizer(min_df=2 if len(docs) >= 1000 else 1)
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
            "coherence_npmi": mean_score(npmi_coherence(words, reference)),
            "topic_diversity": topic_diversity(words),
            "top_words": {str(k): " ".join(w) for k, w in enumerate(words)},
        }
    return out
