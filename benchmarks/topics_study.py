"""Topic quality study for issue 15: levers on a dev split, seed ensembles, coherence tables, stage time.

Corpora (each the topics stage's ``relevant`` selection, built by the real upstream stages):

* ``seeds``: the bundled corpus (``data/processed/*.parquet`` from ``dvc repro``);
* ``clickid``: the clickid cooperation subset (``benchmarks/out/topics/inputs``, built by
  ``benchmarks/bench_topics.py``); split by a hash of ``doc_id`` into ``dev`` (settings are
  chosen here) and ``heldout`` halves.

Coherence references: the fitted paragraphs' stems (``fit``) and every clickid paragraph's
stems from the preprocess stage (``clickid``, ~179k paragraphs). Every run is seeded and runs in
the pinned numeric environment (``analysis.core.runtime.ensure_pinned``). Prints Markdown.

Usage (from the project root, PYTHONPATH=src):
    python benchmarks/topics_study.py levers      # dev split: which settings
    python benchmarks/topics_study.py report      # both corpora: ensemble, stability, coherence
    python benchmarks/topics_study.py timing      # stage time today vs with the seed ensemble

Layout: this study was written against the flat ``analysis.topics`` module of commit f25a0eb
(branch ``topics-quality``) and calls its private helpers (``_select``, ``_fit``,
``_baselines``, ...), which the package layout split into ``analysis.topics.model``,
``quality``, ``ensemble``, ``words``, ``stability`` and ``coherence``. To rerun it, check out
f25a0eb. Its results are now reproduced by the topics stage itself
(``benchmarks/bench_topics.py``, RESULTS.md "In the topics stage").
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SEED = 20250811
TOP_N = 10
INPUTS = {
    "seeds": PROJECT_ROOT / "data" / "processed",
    "clickid": PROJECT_ROOT / "benchmarks" / "out" / "topics" / "inputs",
}
COHERENCE = ("npmi_document", "c_npmi", "c_npmi_paragraph", "c_v")


# --------------------------------------------------------------------------- data


def _load(name: str):
    """The paragraphs the topics stage fits for corpus ``name`` (relevant selection)."""
    import analysis.topics as topics

    folder = INPUTS[name]
    frame = topics._load_inputs(
        folder / "paragraphs.parquet", folder / "classified.parquet", folder / "documents.parquet"
    )
    fit, _, _ = topics._select(frame, "relevant", 20000, SEED)
    return fit


def _dev_half(doc_ids) -> list[bool]:
    """True for paragraphs of documents whose SHA-256(doc_id) starts with an even byte."""
    return [hashlib.sha256(str(d).encode("utf-8")).digest()[0] % 2 == 0 for d in doc_ids]


def _corpora(names):
    """{name: fit frame} for seeds, clickid, dev and heldout (the clickid halves)."""
    out = {}
    if "seeds" in names:
        out["seeds"] = _load("seeds")
    if {"clickid", "dev", "heldout"} & set(names):
        clickid = _load("clickid")
        dev = clickid[_dev_half(clickid["doc_id"])].reset_index(drop=True)
        heldout = clickid[[not d for d in _dev_half(clickid["doc_id"])]].reset_index(drop=True)
        out.update({"clickid": clickid, "dev": dev, "heldout": heldout})
    return {k: v for k, v in out.items() if k in names}


_REFERENCE_CACHE: dict = {}


def _clickid_reference():
    """Every clickid paragraph's stems (preprocess stage output), encoded once."""
    import pandas as pd

    from analysis.topics.coherence import reference_corpus

    if "clickid" not in _REFERENCE_CACHE:
        stems = pd.read_parquet(INPUTS["clickid"] / "paragraphs.parquet", columns=["stems"])
        _REFERENCE_CACHE["clickid"] = reference_corpus(
            list(s) if s is not None else [] for s in stems["stems"]
        )
    return _REFERENCE_CACHE["clickid"]


# --------------------------------------------------------------------------- model pieces


@dataclass(frozen=True)
class Settings:
    """One combination of the levers."""

    svd_components: int = 50
    clustering: str = "rule"  # rule (today's), hdbscan-<min_cluster_size>, kmeans-<k>|kmeans-rule
    n_neighbors: int | None = None  # None: today's rule
    reduce_frequent_words: bool = False
    bm25_weighting: bool = False
    min_paragraphs: int = 1  # a topic word must occur in at least this many fitted paragraphs
    max_share: float = 1.0  # ... and in at most this share of them
    representation: str = "ctfidf"  # ctfidf | mmr-<diversity> | centroid

    def label(self) -> str:
        parts = [f"svd{self.svd_components}", self.clustering]
        if self.n_neighbors:
            parts.append(f"nn{self.n_neighbors}")
        if self.reduce_frequent_words:
            parts.append("rfw")
        if self.bm25_weighting:
            parts.append("bm25")
        parts.append(f"df>={self.min_paragraphs}")
        if self.max_share < 1.0:
            parts.append(f"df<={self.max_share:.0%}")
        parts.append(self.representation)
        return " ".join(parts)


def _embed(frame, svd_components: int):
    from analysis.embeddings import embed_paragraphs

    texts = frame["text"].tolist()
    embeddings, embedder, _ = embed_paragraphs(
        texts, texts, svd_components=svd_components, seed=SEED, cache_dir=None
    )
    return embeddings, embedder


def _clustering(n: int, settings: Settings):
    """The stage's ClusteringSettings for ``n`` paragraphs, changed as ``settings`` says."""
    import analysis.topics as topics

    rule = topics.clustering_settings(n, 4)
    if settings.n_neighbors:
        rule = replace(rule, n_neighbors=settings.n_neighbors)
    kind = settings.clustering
    if kind == "rule":
        return rule
    if kind.startswith("hdbscan-"):
        size = int(kind.split("-")[1])
        return replace(
            rule,
            algorithm="hdbscan",
            min_cluster_size=size,
            min_samples=max(1, size // 4),
            n_clusters=None,
            rule=kind,
        )
    if kind.startswith("kmeans-"):
        value = kind.split("-")[1]
        k = topics._kmeans_k(n, 4) if value == "rule" else int(value)
        return replace(rule, algorithm="kmeans", n_clusters=k, min_samples=None, rule=kind)
    raise ValueError(kind)


def fit_labels(docs, embeddings, embedder, settings: Settings, seed: int) -> list[int]:
    """Topic of each paragraph: BERTopic (stage settings), then the stage's outlier reduction."""
    import analysis.topics as topics

    cluster = _clustering(len(docs), settings)
    model = topics._build_model(cluster, embedder, TOP_N, seed)
    raw, _ = model.fit_transform(docs, embeddings=embeddings)
    raw = [int(t) for t in raw]
    if cluster.algorithm == "hdbscan" and len({t for t in raw if t != -1}) < 2:
        model, raw, cluster = topics._fit(docs, embeddings, embedder, cluster, TOP_N, seed)
    return topics._reduce_outliers(model, docs, raw)


def _word_vectors(docs, dims: int = 50):
    """LSA of the fitted stems: ``(word index, word vectors, paragraph vectors)``.

    A word is folded in as a one-word pseudo-paragraph: its vector is its row of ``V`` (unit
    length), comparable by cosine with the paragraph vectors ``U·S`` and with other words.
    """
    import numpy as np
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

    from analysis.topics import STEM_TOKEN_PATTERN

    vectorizer = CountVectorizer(lowercase=False, token_pattern=STEM_TOKEN_PATTERN)
    tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(vectorizer.fit_transform(docs))
    k = max(2, min(dims, tfidf.shape[1] - 1, tfidf.shape[0] - 1))
    svd = TruncatedSVD(n_components=k, algorithm="randomized", n_iter=7, random_state=SEED)
    doc_vectors = svd.fit_transform(tfidf)
    word = svd.components_.T
    norms = np.linalg.norm(word, axis=1, keepdims=True)
    index = {w: i for i, w in enumerate(vectorizer.get_feature_names_out())}
    return index, word / np.where(norms > 0, norms, 1), doc_vectors


def topic_words(docs, labels, settings: Settings, lsa=None) -> dict[int, list[str]]:
    """Each topic's top stems under the representation levers (outliers get none)."""
    import numpy as np
    from bertopic.vectorizers import ClassTfidfTransformer
    from sklearn.feature_extraction.text import CountVectorizer

    from analysis.topics import STEM_TOKEN_PATTERN

    vectorizer = CountVectorizer(
        lowercase=False,
        token_pattern=STEM_TOKEN_PATTERN,
        min_df=settings.min_paragraphs,
        max_df=settings.max_share,
    )
    counts = vectorizer.fit_transform(docs)
    vocab = vectorizer.get_feature_names_out()
    labels = np.asarray(labels)
    topics = sorted(set(labels.tolist()))
    per_topic = np.vstack([np.asarray(counts[labels == t].sum(axis=0)).ravel() for t in topics])
    ctfidf = ClassTfidfTransformer(
        reduce_frequent_words=settings.reduce_frequent_words, bm25_weighting=settings.bm25_weighting
    )
    from scipy.sparse import csr_matrix

    scores = ctfidf.fit_transform(csr_matrix(per_topic)).toarray()
    if settings.representation == "centroid-coverage":  # the library's version (recommended)
        from analysis.topics.words import candidate_words, central_words, stem_space

        real = [t for t in topics if t != -1]
        candidates = candidate_words(scores[[topics.index(t) for t in real]], vocab)
        space = stem_space(docs, seed=SEED)
        return central_words(space, labels, dict(zip(real, candidates)), TOP_N)
    out = {}
    for row, topic in enumerate(topics):
        if topic == -1:
            continue
        members = labels == topic
        order = sorted((-scores[row, j], str(vocab[j])) for j in np.flatnonzero(scores[row] > 0))
        candidates = [w for _, w in order[:30]]
        columns = [vectorizer.vocabulary_[w] for w in candidates]
        coverage = np.asarray((counts[members][:, columns] > 0).mean(axis=0)).ravel()
        out[topic] = _rerank(
            candidates,
            np.asarray([-v for v, _ in order[:30]]),
            coverage,
            settings.representation,
            lsa,
            members,
        )
    return out


def _rerank(candidates, weights, coverage, representation: str, lsa, members) -> list[str]:
    """Top words from the 30 best c-TF-IDF candidates.

    ``ctfidf``: as c-TF-IDF ranks them (today). ``coverage``: c-TF-IDF times the share of the
    topic's paragraphs that contain the word, so a word must be typical of the topic's
    paragraphs, not frequent in a few. ``centroid``: cosine between the word (folded into the
    LSA space of the stems) and the centroid of the topic's paragraphs, minus 0.02 per c-TF-IDF
    rank; ``centroid0`` the cosine alone; ``centroid-coverage`` cosine plus coverage.
    ``mmr-<d>``: maximal marginal relevance with diversity d on the LSA vectors.
    """
    import numpy as np

    if not candidates:
        return []
    if representation == "ctfidf":
        return candidates[:TOP_N]
    if representation == "coverage":
        score = weights * coverage
        return [candidates[i] for i in np.argsort(-score, kind="stable")[:TOP_N]]
    index, vectors, doc_vectors = lsa
    keep = [i for i, w in enumerate(candidates) if w in index]
    known = [candidates[i] for i in keep]
    word_vecs = np.vstack([vectors[index[w]] for w in known])
    centroid = doc_vectors[members].mean(axis=0)
    centroid = centroid / (np.linalg.norm(centroid) or 1)
    relevance = word_vecs @ centroid
    if representation.startswith("centroid"):
        if representation == "centroid":
            score = relevance - 0.02 * np.arange(len(known))
        elif representation == "centroid0":
            score = relevance
        else:
            score = relevance + coverage[keep]
        return [known[i] for i in np.argsort(-score, kind="stable")[:TOP_N]]
    diversity = float(representation.split("-")[1])
    chosen = [int(np.argmax(relevance))]
    while len(chosen) < min(TOP_N, len(known)):
        rest = [i for i in range(len(known)) if i not in chosen]
        similarity = word_vecs[rest] @ word_vecs[chosen].T
        mmr = (1 - diversity) * relevance[rest] - diversity * similarity.max(axis=1)
        chosen.append(rest[int(np.argmax(mmr))])
    return [known[i] for i in chosen]


def baseline_words(docs, n_topics: int, seed: int) -> dict[str, list[list[str]]]:
    """The stage's seeded LDA and NMF baselines on the same stems with the same K."""
    import analysis.topics as topics

    out = topics._baselines(docs, n_topics, TOP_N, seed, [d.split() for d in docs])
    return {
        name: [
            words.split()
            for _, words in sorted(result["top_words"].items(), key=lambda kv: int(kv[0]))
        ]
        for name, result in out.items()
    }


def score(topic_lists: dict[str, list[list[str]]], references: dict) -> dict:
    """{(model, reference, measure): mean} with counts shared by all models per reference."""
    from analysis.topics.coherence import MEASURES, c_npmi, c_v, count_windows, npmi_document

    words = {w for topics in topic_lists.values() for topic in topics for w in topic}
    results = {}
    for ref_name, reference in references.items():
        counts = {
            window: count_windows(reference, words, window)
            for window in {MEASURES[m] for m in COHERENCE}
        }
        for model, topics in topic_lists.items():
            for measure in COHERENCE:
                window = MEASURES[measure]
                if measure == "npmi_document":
                    values = npmi_document(topics, counts=counts[window])
                elif measure.startswith("c_npmi"):
                    values = c_npmi(topics, window_size=window, counts=counts[window])
                else:
                    values = c_v(topics, window_size=window, counts=counts[window])
                kept = [v for v in values if v is not None]
                results[(model, ref_name, measure)] = sum(kept) / len(kept) if kept else math.nan
    return results


# --------------------------------------------------------------------------- levers (dev split)

CLUSTER_VARIANTS = [
    Settings(),
    Settings(svd_components=20),
    Settings(svd_components=100),
    Settings(clustering="hdbscan-8"),
    Settings(n_neighbors=15),
    Settings(clustering="kmeans-rule"),
]
GRIDS = {
    "wide": None,  # the first grid: every clustering variant x REPRESENTATION_VARIANTS
    "representation": (
        [Settings(), Settings(svd_components=20)],
        [
            dict(
                reduce_frequent_words=rfw,
                bm25_weighting=False,
                min_paragraphs=df,
                representation=rep,
            )
            for rfw in (False, True)
            for df in (1, 2)
            for rep in ("ctfidf", "coverage", "centroid", "centroid0", "centroid-coverage")
        ],
    ),
    "vocabulary": (
        [Settings()],
        [
            dict(max_share=share, representation=rep)
            for share in (1.0, 0.5, 0.25, 0.1)
            for rep in ("ctfidf", "centroid-coverage")
        ],
    ),
}
REPRESENTATION_VARIANTS = [
    dict(reduce_frequent_words=rfw, bm25_weighting=bm25, min_paragraphs=df, representation=rep)
    for rfw in (False, True)
    for bm25 in (False, True)
    for df in (1, 2, 3)
    for rep in ("ctfidf", "mmr-0.3", "centroid")
]
KEY_MEASURES = [
    ("fit", "npmi_document"),
    ("fit", "c_v"),
    ("clickid", "npmi_document"),
    ("clickid", "c_v"),
]


def _cluster_label(settings: Settings) -> str:
    return settings.label().rsplit(" df>=", 1)[0]


def _fmt(value) -> str:
    return (
        "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.3f}"
    )


def run_levers(n_seeds: int, corpus: str = "dev", grid: str = "wide") -> dict:
    """Fit every clustering variant for each seed on the dev split, score every representation."""
    import numpy as np

    from analysis.topics.coherence import reference_corpus
    from analysis.topics.stability import ensemble_seeds, pairwise_ari

    frame = _corpora([corpus])[corpus]
    docs = frame["stem_doc"].tolist()
    references = {"fit": reference_corpus(d.split() for d in docs), "clickid": _clickid_reference()}
    lsa = _word_vectors(docs)
    seeds = ensemble_seeds(SEED, n_seeds)
    rows = []
    cluster_info = []
    cluster_variants, representation_variants = GRIDS[grid] or (
        CLUSTER_VARIANTS,
        REPRESENTATION_VARIANTS,
    )
    for base in cluster_variants:
        embeddings, embedder = _embed(frame, base.svd_components)
        labels_per_seed = []
        for seed in seeds:
            labels = fit_labels(docs, embeddings, embedder, base, seed)
            labels_per_seed.append(labels)
            k = len({t for t in labels if t != -1})
            lists = {}
            for variant in representation_variants:
                settings = replace(base, **variant)
                words = topic_words(docs, labels, settings, lsa)
                lists[settings.label()] = [words[t] for t in sorted(words)]
            lists.update({f"baseline {m}": w for m, w in baseline_words(docs, k, seed).items()})
            scores = score(lists, references)
            for name in lists:
                rows.append(
                    {
                        "clustering": _cluster_label(base),
                        "variant": name,
                        "seed": seed,
                        "k": k,
                        **{f"{r}/{m}": scores[(name, r, m)] for r in references for m in COHERENCE},
                    }
                )
        ari = pairwise_ari(labels_per_seed)
        cluster_info.append(
            {
                "clustering": _cluster_label(base),
                "ari_mean": float(ari[np.triu_indices(len(seeds), 1)].mean())
                if len(seeds) > 1
                else None,
                "k": [len({t for t in lab if t != -1}) for lab in labels_per_seed],
            }
        )
        print(f"{base.label()}: done", file=sys.stderr)
    return {
        "corpus": corpus,
        "grid": grid,
        "n_paragraphs": len(docs),
        "seeds": seeds,
        "rows": rows,
        "clusterings": cluster_info,
    }


def print_levers(result: dict) -> None:
    import pandas as pd

    table = pd.DataFrame(result["rows"])
    metric_cols = [c for c in table.columns if "/" in c]
    mean = table.groupby(["clustering", "variant"], sort=False)[metric_cols + ["k"]].mean()
    print(
        f"#### Dev split: {result['corpus']}, {result['n_paragraphs']} paragraphs, "
        f"seeds {result['seeds']}"
    )
    print()
    print("| clustering | topics per seed | mean pairwise ARI |")
    print("|---|---|---:|")
    for info in result["clusterings"]:
        print(f"| {info['clustering']} | {info['k']} | {_fmt(info['ari_mean'])} |")
    print()
    key = [f"{r}/{m}" for r, m in KEY_MEASURES]
    nmf = mean.xs("baseline nmf", level="variant")[key]
    margins = []
    for (clustering, variant), row in mean.iterrows():
        if variant.startswith("baseline"):
            continue
        margin = (row[key] - nmf.loc[clustering]).mean()
        margins.append((clustering, variant, margin, row))
    margins.sort(key=lambda item: -item[2])
    print(
        "Mean over seeds; margin = mean over the four key numbers (document NPMI and C_V, "
        "fit and clickid references) of BERTopic minus NMF at the same K."
    )
    print()
    print(
        "| clustering | representation | K | margin vs NMF | "
        + " | ".join(key)
        + " | fit/c_npmi | clickid/c_npmi |"
    )
    print("|---|---|---:|---:|" + "---:|" * (len(key) + 2))
    shown = margins[:15] + [
        m
        for m in margins[15:]
        if m[1].endswith("df>=1 ctfidf") and "rfw" not in m[1] and "bm25" not in m[1]
    ]
    for clustering, variant, margin, row in shown:
        rep = variant[len(clustering) :].strip() if variant.startswith(clustering) else variant
        print(
            f"| {clustering} | {rep} | {row['k']:.1f} | {margin:+.3f} | "
            + " | ".join(_fmt(row[c]) for c in key)
            + f" | {_fmt(row['fit/c_npmi'])} | {_fmt(row['clickid/c_npmi'])} |"
        )
    print()
    print("Baselines at the same K:")
    print()
    print("| clustering | model | " + " | ".join(key) + " |")
    print("|---|---|" + "---:|" * len(key))
    for (clustering, variant), row in mean.iterrows():
        if variant.startswith("baseline"):
            print(
                f"| {clustering} | {variant.split()[1]} | "
                + " | ".join(_fmt(row[c]) for c in key)
                + " |"
            )


# --------------------------------------------------------------------------- ensemble report

# The settings recommended from the dev split (see RESULTS.md); TODAY is the stage before it.
TODAY = Settings()
RECOMMENDED = Settings(representation="centroid-coverage")
N_SEEDS = 5


def run_ensemble(frame, settings: Settings, n_seeds: int) -> dict:
    """Fit ``n_seeds`` seeds on one fixed embedding; agreement, medoid and its stability."""
    from analysis.topics.stability import ensemble_agreement, ensemble_seeds, topic_stability

    docs = frame["stem_doc"].tolist()
    embeddings, embedder = _embed(frame, settings.svd_components)
    lsa = _word_vectors(docs) if settings.representation != "ctfidf" else None
    seeds = ensemble_seeds(SEED, n_seeds)
    labels, words = [], []
    for seed in seeds:
        labels.append(fit_labels(docs, embeddings, embedder, settings, seed))
        words.append(topic_words(docs, labels[-1], settings, lsa))
    agreement = ensemble_agreement(labels, words)
    medoid = agreement["medoid"]
    stability = topic_stability(labels, words, medoid)
    return {
        "seeds": seeds,
        "labels": labels,
        "words": words,
        "agreement": agreement,
        "medoid": medoid,
        "stability": stability,
        "docs": docs,
    }


def run_report(corpora, n_seeds: int, settings: Settings) -> None:
    """Ensemble, stability and the coherence table (BERTopic today / recommended, LDA, NMF)."""
    from analysis.topics.coherence import reference_corpus

    frames = _corpora(corpora)
    print(
        f"Recommended settings: `{settings.label()}`; today: `{TODAY.label()}`; "
        f"{n_seeds} seeds, one fixed embedding per corpus."
    )
    print()
    coherence_rows = []
    for name, frame in frames.items():
        today = run_ensemble(frame, TODAY, n_seeds)
        new = run_ensemble(frame, settings, n_seeds)
        docs = new["docs"]
        k = len(new["words"][new["medoid"]])
        lists = {
            "BERTopic today (seed)": [today["words"][0][t] for t in sorted(today["words"][0])],
            "BERTopic recommended (medoid)": [
                new["words"][new["medoid"]][t] for t in sorted(new["words"][new["medoid"]])
            ],
        }
        lists.update({m.upper() + " (same K)": w for m, w in baseline_words(docs, k, SEED).items()})
        per_seed = {
            f"seed {i}": [words[t] for t in sorted(words)] for i, words in enumerate(new["words"])
        }
        references = {
            "fit": reference_corpus(d.split() for d in docs),
            "clickid": _clickid_reference(),
        }
        scores = score({**lists, **per_seed}, references)
        for model in lists:
            coherence_rows.append(
                (
                    name,
                    len(docs),
                    model,
                    len(lists[model]),
                    {(r, m): _fmt(scores[(model, r, m)]) for r in references for m in COHERENCE},
                )
            )
        coherence_rows.append(
            (
                name,
                len(docs),
                f"BERTopic recommended, range over the {n_seeds} seeds",
                "–",
                {
                    (r, m): "–".join(
                        _fmt(f(scores[(s, r, m)] for s in per_seed)) for f in (min, max)
                    )
                    for r in references
                    for m in COHERENCE
                },
            )
        )
        _print_ensemble(name, len(docs), today, new)
    _print_coherence(coherence_rows)


def _print_ensemble(name, n_docs, today, new) -> None:
    print(f"#### {name}: {n_docs} paragraphs, seeds {new['seeds']}")
    print()
    print(
        "| settings | topics per seed | mean pairwise ARI (min–max) | matched top-word overlap "
        "| medoid seed | medoid mean ARI | stable topics of the medoid |"
    )
    print("|---|---|---|---:|---:|---:|---|")
    for label, run in (("today", today), ("recommended", new)):
        a = run["agreement"]
        stable = run["stability"]["stable"]
        print(
            f"| {label} | {a['n_topics']} | {_fmt(a['ari_mean'])} ({_fmt(a['ari_min'])}–"
            f"{_fmt(a['ari_max'])}) | {_fmt(a['word_overlap_mean'])} | "
            f"{run['seeds'][run['medoid']]} | {_fmt(a['medoid_mean_ari'])} | "
            f"{int(stable.sum())} of {len(stable)} |"
        )
    print()
    print("Published (medoid) topics, recommended settings:")
    print()
    print(
        "| topic | size | recurrence | mean Jaccard | mean top-word overlap | stable | top words |"
    )
    print("|---:|---:|---:|---:|---:|---|---|")
    words = new["words"][new["medoid"]]
    for row in new["stability"].itertuples():
        print(
            f"| {row.topic} | {row.size} | {row.recurrence:.2f} | {row.mean_jaccard:.2f} | "
            f"{row.mean_word_overlap:.2f} | {'yes' if row.stable else '**no (unstable)**'} | "
            f"{' '.join(words[row.topic][:8])} |"
        )
    print()


def _print_coherence(rows) -> None:
    print("#### Coherence (mean over topics, top 10 stems)")
    print()
    print(
        "| corpus | paragraphs | model | K | "
        + " | ".join(f"{m} ({r})" for r in ("fit", "clickid") for m in COHERENCE)
        + " |"
    )
    print("|---|---:|---|---:|" + "---:|" * (2 * len(COHERENCE)))
    for name, n_docs, model, k, values in rows:
        print(
            f"| {name} | {n_docs} | {model} | {k} | "
            + " | ".join(values[(r, m)] for r in ("fit", "clickid") for m in COHERENCE)
            + " |"
        )
    print()


# --------------------------------------------------------------------------- stage time


def _stage_today(folder: Path, out: Path) -> dict:
    """Today's topics stage (run_topics), its embedding cache empty."""
    from analysis.topics import run_topics

    result = run_topics(
        folder / "paragraphs.parquet",
        folder / "classified.parquet",
        folder / "documents.parquet",
        topics_path=out / "topics.parquet",
        tables_dir=out / "tables",
        metrics_path=out / "topics.json",
        seed=SEED,
        cache_dir=out / "embeddings",
    )
    return {"n_topics": result.metrics["n_topics"], "timings": result.timings}


def _stage_ensemble(folder: Path, out: Path, settings: Settings, n_seeds: int) -> dict:
    """What the stage would do with the seed ensemble: load, embed once, fit every seed,
    agreement/medoid/stability, LDA/NMF at the medoid's K, four coherence measures against
    the fitted paragraphs and against every paragraph of the input corpus."""
    import analysis.topics as topics
    from analysis.topics.coherence import coherence, reference_corpus

    clock = topics._Stopwatch()
    frame = topics._load_inputs(
        folder / "paragraphs.parquet", folder / "classified.parquet", folder / "documents.parquet"
    )
    fit, _, _ = topics._select(frame, "relevant", 20000, SEED)
    import bertopic  # noqa: F401  (the stage imports it too)

    clock.lap("load_inputs_and_imports")
    run = run_ensemble(fit, settings, n_seeds)
    clock.lap("embed_and_fit_ensemble")
    docs = run["docs"]
    words = run["words"][run["medoid"]]
    topic_lists = [words[t] for t in sorted(words)]
    fit_reference = reference_corpus(d.split() for d in docs)
    baselines = topics._baselines(docs, len(topic_lists), TOP_N, SEED, [d.split() for d in docs])
    lists = {
        "bertopic": topic_lists,
        **{name: [w.split() for w in b["top_words"].values()] for name, b in baselines.items()},
    }
    corpus_reference = reference_corpus(d.split() for d in frame["stem_doc"])
    metrics = {
        model: {
            "fit": coherence(topics_, fit_reference),
            "corpus": coherence(topics_, corpus_reference),
        }
        for model, topics_ in lists.items()
    }
    clock.lap("quality_and_baselines")
    out.mkdir(parents=True, exist_ok=True)
    (out / "ensemble.json").write_text(
        json.dumps(
            {
                "agreement": run["agreement"],
                "stability": run["stability"].to_dict("list"),
                "coherence": metrics,
            },
            default=float,
        )
    )
    clock.lap("write")
    return {"n_topics": len(topic_lists), "timings": clock.laps}


def _child(args) -> int:
    import tempfile

    folder = INPUTS[args.corpus]
    with tempfile.TemporaryDirectory(prefix="topics_study_") as tmp:
        start = time.perf_counter()
        if args.child == "today":
            info = _stage_today(folder, Path(tmp))
        else:
            info = _stage_ensemble(folder, Path(tmp), RECOMMENDED, args.n_seeds)
        info["wall_s"] = round(time.perf_counter() - start, 2)
    info["load"] = os.getloadavg()[0]
    print(json.dumps(info))
    return 0


def run_timing(corpora, repeats: int, n_seeds: int) -> None:
    """Each case ``repeats`` times in a fresh (pinned) process; the minimum wall time counts."""
    print(
        f"Stage time, wall seconds, minimum of {repeats} fresh processes each (numba "
        f"compiles UMAP anew in every process); ensemble = {n_seeds} seeds with "
        f"`{RECOMMENDED.label()}`."
    )
    print()
    print(
        "| corpus | today: min (all runs) | ensemble: min (all runs) | ratio | topics "
        "today / ensemble | 1-min load during runs |"
    )
    print("|---|---|---|---:|---|---|")
    for corpus in corpora:
        walls = {"today": [], "ensemble": []}
        info = {}
        loads = []
        for _ in range(repeats):
            for case in ("today", "ensemble"):  # interleaved, so load changes hit both
                child = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "child",
                        case,
                        "--corpus",
                        corpus,
                        "--n-seeds",
                        str(n_seeds),
                    ],
                    capture_output=True,
                    text=True,
                    cwd=PROJECT_ROOT,
                )
                if child.returncode != 0:
                    print(child.stderr, file=sys.stderr)
                    raise SystemExit(child.returncode)
                info[case] = json.loads(child.stdout.strip().splitlines()[-1])
                walls[case].append(info[case]["wall_s"])
                loads.append(info[case]["load"])
                print(
                    f"{corpus} {case}: {info[case]['wall_s']} s {info[case]['timings']}",
                    file=sys.stderr,
                )
        today, ensemble = min(walls["today"]), min(walls["ensemble"])
        print(
            f"| {corpus} | {today:.1f} ({', '.join(f'{w:.1f}' for w in walls['today'])}) | "
            f"{ensemble:.1f} ({', '.join(f'{w:.1f}' for w in walls['ensemble'])}) | "
            f"{ensemble / today:.2f} | {info['today']['n_topics']} / "
            f"{info['ensemble']['n_topics']} | {min(loads):.1f}–{max(loads):.1f} |"
        )
    print()


def run_reference_cost() -> None:
    """Cost of scoring against the clickid reference: read stems, encode, count three windows."""
    import pandas as pd

    from analysis.topics.coherence import count_windows, reference_corpus

    start = time.perf_counter()
    stems = pd.read_parquet(INPUTS["clickid"] / "paragraphs.parquet", columns=["stems"])
    read = time.perf_counter() - start
    reference = reference_corpus(list(s) for s in stems["stems"])
    encode = time.perf_counter() - start - read
    words = list(reference.vocabulary)[:300]  # ~3 models x 10 topics x 10 words
    laps = []
    for window in (None, 10, 110):
        lap = time.perf_counter()
        count_windows(reference, words, window)
        laps.append(time.perf_counter() - lap)
    print(
        f"clickid reference: {reference.n_documents:,} paragraphs, "
        f"{len(reference.token_ids):,} stems; read {read:.1f} s, encode {encode:.1f} s, "
        f"count 300 words: whole paragraph {laps[0]:.1f} s, window 10 {laps[1]:.1f} s, "
        f"window 110 {laps[2]:.1f} s"
    )
    print()


# --------------------------------------------------------------------------- main

OUT = PROJECT_ROOT / "benchmarks" / "out" / "study"


def _header(command: str) -> None:
    sys.path.insert(0, str(PROJECT_ROOT / "benchmarks"))
    from _common import commit_id

    print(f"### topics study `{command}`: {time.strftime('%Y-%m-%d %H:%M')}, commit {commit_id()}")
    print()
    print(
        f"- machine: {platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores; load average at the start "
        + ", ".join(f"{x:.1f}" for x in os.getloadavg())
    )
    print(f"- command: `PYTHONPATH=src python benchmarks/topics_study.py {command}`")
    print()


def main() -> int:
    sys.path.insert(0, str(PROJECT_ROOT / "src"))
    from analysis.core.runtime import ensure_pinned

    ensure_pinned()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    levers = sub.add_parser("levers", help="dev split: representation and clustering levers")
    levers.add_argument("--n-seeds", type=int, default=3)
    levers.add_argument("--corpus", default="dev", choices=["dev", "heldout", "seeds", "clickid"])
    levers.add_argument("--grid", default="wide", choices=sorted(GRIDS))
    report = sub.add_parser("report", help="ensemble, stability and coherence on both corpora")
    report.add_argument("--n-seeds", type=int, default=N_SEEDS)
    report.add_argument("--corpora", nargs="+", default=["seeds", "clickid", "heldout"])
    timing = sub.add_parser("timing", help="stage time today vs with the seed ensemble")
    timing.add_argument("--repeats", type=int, default=3)
    timing.add_argument("--n-seeds", type=int, default=N_SEEDS)
    timing.add_argument("--corpora", nargs="+", default=["seeds", "clickid"])
    child = sub.add_parser("child", help=argparse.SUPPRESS)
    child.add_argument("child", choices=["today", "ensemble"])
    child.add_argument("--corpus", required=True)
    child.add_argument("--n-seeds", type=int, default=N_SEEDS)
    args = parser.parse_args()
    if args.command == "child":
        from threadpoolctl import threadpool_limits

        import analysis.topics as topics

        with threadpool_limits(limits=1), topics._quiet_bertopic():
            return _child(args)
    if args.command == "timing":
        _header(
            f"timing --repeats {args.repeats} --n-seeds {args.n_seeds} "
            f"--corpora {' '.join(args.corpora)}"
        )
        run_timing(args.corpora, args.repeats, args.n_seeds)
        run_reference_cost()
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    from threadpoolctl import threadpool_limits

    import analysis.topics as topics

    with threadpool_limits(limits=1), topics._quiet_bertopic():
        if args.command == "levers":
            _header(f"levers --corpus {args.corpus} --n-seeds {args.n_seeds} --grid {args.grid}")
            result = run_levers(args.n_seeds, args.corpus, args.grid)
            (OUT / f"levers_{args.corpus}_{args.grid}.json").write_text(
                json.dumps(result, indent=1)
            )
            print_levers(result)
        elif args.command == "report":
            _header(f"report --n-seeds {args.n_seeds} --corpora {' '.join(args.corpora)}")
            run_report(args.corpora, args.n_seeds, RECOMMENDED)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
