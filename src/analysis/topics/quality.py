"""Quality of a topic solution: coherence against named references, topic diversity, LDA/NMF baselines."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..core.errors import UserError
from .coherence import MEASURES, ReferenceCorpus, coherence, npmi_document, reference_corpus

__all__ = [
    "STEM_TOKEN_PATTERN",
    "MEASURE_NAMES",
    "stem_vectorizer",
    "topic_diversity",
    "mean_score",
    "baselines",
    "Reference",
    "read_reference",
    "coherence_block",
    "coherence_verdict",
    "fitted_reference",
]

# A whitespace-delimited token is one stem; `\S+` keeps `kuala_lumpur` whole.
STEM_TOKEN_PATTERN = r"\S+"
#: What each coherence measure of topics.json is (docs/topics_stability.md has the details).
MEASURE_NAMES = {
    "npmi_document": "NPMI by document co-occurrence (a paragraph holds both words or not); "
    "pairs that never co-occur score -1, no epsilon (project measure)",
    "c_npmi": "gensim CoherenceModel c_npmi: boolean sliding window of 10 tokens, epsilon 1e-12",
    "c_npmi_paragraph": "the c_npmi formula with one window per paragraph",
    "c_v": "gensim CoherenceModel c_v (Roeder et al. 2015): boolean sliding window of 110 tokens",
}


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


def baselines(
    docs: list[str],
    n_topics: int,
    top_n: int,
    seed: int,
    reference,
    fit_all: Callable[[list], list] | None = None,
) -> dict:
    """Seeded LDA (counts) and NMF (TF-IDF) on the same stems with the same number of topics.

    ``fit_all`` fits a list of ``(estimator, matrix)`` pairs and returns the fitted estimators
    in the same order (``seed_runs.fit_estimators`` does it in worker processes); by default
    they are fitted here, one after the other. Each fit is seeded, so the result is the same.
    """
    from sklearn.decomposition import NMF, LatentDirichletAllocation
    from sklearn.feature_extraction.text import TfidfTransformer

    vectorizer = stem_vectorizer(min_df=2 if len(docs) >= 1000 else 1)
    counts = vectorizer.fit_transform(docs)
    vocab = vectorizer.get_feature_names_out()
    models = {
        "lda": (
            LatentDirichletAllocation(
                n_components=n_topics,
                learning_method="batch",
                max_iter=20,
                random_state=seed,
                n_jobs=1,
            ),
            counts,
        ),
        "nmf": (
            NMF(n_components=n_topics, init="nndsvda", max_iter=400, random_state=seed),
            TfidfTransformer(sublinear_tf=True).fit_transform(counts),
        ),
    }
    pairs = list(models.values())
    fitted = fit_all(pairs) if fit_all is not None else [e.fit(m) for e, m in pairs]
    out = {}
    for name, estimator in zip(models, fitted):
        words = [
            [str(vocab[i]) for i in np.argsort(-component, kind="stable")[:top_n]]
            for component in estimator.components_
        ]
        out[name] = {
            "n_topics": n_topics,
            "words": words,
            "coherence_npmi": mean_score(npmi_document(words, reference)),
            "topic_diversity": topic_diversity(words),
            "top_words": {str(k): " ".join(w) for k, w in enumerate(words)},
        }
    return out


@dataclass(frozen=True)
class Reference:
    """A coherence reference corpus and what topics.json says about it."""

    name: str
    corpus: ReferenceCorpus
    description: str
    info: dict


def read_reference(path: Path) -> Reference:
    """The ``stems`` column of a Parquet file (e.g. a preprocess paragraphs.parquet) as a reference.

    One document per row, stems in their order (a null list is an empty paragraph); ``info``
    holds the file name, the paragraph and stem counts and a SHA-256 of the content (the
    stems and where each paragraph starts), so two runs can tell whether they used the same
    reference whatever the Parquet writer.

    Raises:
        UserError: when the file cannot be read or has no ``stems`` list column.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    try:
        column = pq.read_table(path, columns=["stems"]).column("stems").combine_chunks()
    except (OSError, KeyError, ValueError, pa.ArrowException) as error:
        raise UserError(
            f"topics.reference_stems = {str(path)!r}: cannot read a 'stems' column "
            f"from it ({error}); point it at a paragraphs.parquet written by the "
            'preprocess stage, or set it to ""'
        ) from None
    if not pa.types.is_list(column.type) and not pa.types.is_large_list(column.type):
        raise UserError(
            f"topics.reference_stems = {str(path)!r}: 'stems' is {column.type}, "
            "not a list of stems per paragraph"
        )
    column = column.fill_null(pa.scalar([], column.type))
    offsets = np.asarray(column.offsets, dtype=np.int64) - int(column.offsets[0].as_py())
    encoded = pc.dictionary_encode(column.flatten().cast(pa.string()))
    words = encoded.dictionary.to_pylist()
    ids = np.asarray(encoded.indices.fill_null(0), dtype=np.int32)
    corpus = ReferenceCorpus({w: i for i, w in enumerate(words)}, ids, offsets)
    digest = hashlib.sha256()
    digest.update("\n".join(words).encode("utf-8"))
    digest.update(ids.astype("<i4").tobytes())
    digest.update(offsets.astype("<i8").tobytes())
    info = {
        "file": Path(path).name,
        "n_paragraphs": corpus.n_documents,
        "n_stems": int(len(ids)),
        "sha256": digest.hexdigest(),
    }
    return Reference(
        "reference",
        corpus,
        f"every paragraph of {Path(path).name} ({corpus.n_documents} paragraphs, "
        "stems of the preprocess stage)",
        info,
    )


def fitted_reference(docs: Sequence[str], description: str) -> Reference:
    """The fitted paragraphs' stem documents as a reference (circular, but always available)."""
    corpus = reference_corpus(doc.split() for doc in docs)
    return Reference("fit", corpus, description, {"n_paragraphs": corpus.n_documents})


def coherence_block(
    words_by_model: Mapping[str, Sequence[Sequence[str]]],
    references: Sequence[Reference],
    top_n: int,
) -> dict:
    """The ``coherence`` block of topics.json: every measure for every model and reference.

    Args:
        words_by_model: ``{"bertopic" | "lda" | "nmf": each topic's top words}``, the same K.
        references: the fitted paragraphs first, then the larger reference when available.
        top_n: top words per topic (the same for every model).

    Returns:
        ``{top_n_words, measures, references, <model>: {<reference>: {<measure>: mean}},
        by_topic: {<model>: {<reference>: {<measure>: [...]}}}}``.
    """
    block: dict[str, Any] = {
        "top_n_words": top_n,
        "measures": dict(MEASURE_NAMES),
        "references": {
            ref.name: {"description": ref.description, **ref.info} for ref in references
        },
        "by_topic": {},
    }
    for model, words in words_by_model.items():
        block[model], block["by_topic"][model] = {}, {}
        for ref in references:
            scores = coherence(words, ref.corpus, tuple(MEASURES))
            block[model][ref.name] = {m: scores[m]["mean"] for m in MEASURES}
            block["by_topic"][model][ref.name] = {m: scores[m]["by_topic"] for m in MEASURES}
    return block


def coherence_verdict(block: Mapping[str, Any]) -> dict:
    """Whether BERTopic is at least as coherent as NMF at the same K, on C_V and document NPMI.

    Judged on the larger reference when there is one (independent of the fit), else on the
    fitted paragraphs; the gaps are BERTopic minus NMF (negative: NMF ahead).
    """
    # "references" may list a reference that was configured but not found (no scores).
    reference = "reference" if "reference" in block.get("bertopic", {}) else "fit"
    ours, nmf = block["bertopic"][reference], block["nmf"][reference]
    gaps = {
        m: (None if ours[m] is None or nmf[m] is None else ours[m] - nmf[m])
        for m in ("c_v", "npmi_document")
    }
    holds = all(g is not None and g >= 0 for g in gaps.values())
    return {
        "reference": reference,
        "bertopic_at_least_nmf": holds,
        "gap_c_v": gaps["c_v"],
        "gap_npmi_document": gaps["npmi_document"],
    }
