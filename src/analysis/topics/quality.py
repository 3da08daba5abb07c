"""Quality of a topic solution: NPMI coherence, topic diversity, and LDA/NMF baselines."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from .coherence import npmi_document

__all__ = ["STEM_TOKEN_PATTERN", "stem_vectorizer", "topic_diversity",
           "mean_score", "baselines"]

# A whitespace-delimited token is one stem; `\S+` keeps `kuala_lumpur` whole.
STEM_TOKEN_PATTERN = r"\S+"


def stem_vectorizer(min_df: int = 1):
    """The count vectorizer of space-joined stems (every stem one term, never lower-cased)."""
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(lowercase=False, token_pattern=STEM_TOKEN_PATTERN, min_df=min_df)


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
            "coherence_npmi": mean_score(npmi_document(words, reference)),
            "topic_diversity": topic_diversity(words),
            "top_words": {str(k): " ".join(w) for k, w in enumerate(words)},
        }
    return out
