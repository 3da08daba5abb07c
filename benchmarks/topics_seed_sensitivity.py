"""How many topics the bundled seed corpus yields around the size rule's UMAP/HDBSCAN settings.

The seeds are run through the real ingest → preprocess → classify stages into
``benchmarks/out/topics/seeds`` (git-ignored); the paragraphs the topics stage would fit are
embedded once, and BERTopic is fitted for each (n_neighbors, min_cluster_size) pair with
min_samples = 1. Prints a Markdown table: topics found, outlier share before reduction and
mean NPMI of the top-10 stems. The point is to show how sensitive a ~55-paragraph corpus is,
not to tune the rule on it.

Usage (from the project root):
    PYTHONPATH=src python benchmarks/topics_seed_sensitivity.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SEED = 20250811
NEIGHBORS = (5, 6, 7, 8, 10, 12)
MIN_CLUSTER_SIZES = (3, 4, 5)


def main() -> int:
    sys.path.insert(0, str(PROJECT_ROOT / "src"))
    sys.path.insert(0, str(PROJECT_ROOT / "tests"))  # stage_helpers: a stage entry on given files
    from stage_helpers import run_classify, run_ingest, run_preprocess
    from threadpoolctl import threadpool_limits

    import analysis.topics.model as topics
    from analysis.core.config import TopicsParams
    from analysis.topics.coherence import npmi_document as npmi_coherence
    from analysis.topics.embeddings import embed_paragraphs
    from analysis.topics.quality import mean_score
    from analysis.topics.tables import load_inputs
    from analysis.topics.words import candidate_words, topic_rows

    raw, lexicons = PROJECT_ROOT / "data" / "raw", PROJECT_ROOT / "data" / "lexicons"
    out = PROJECT_ROOT / "benchmarks" / "out" / "topics" / "seeds"
    out.mkdir(parents=True, exist_ok=True)
    run_ingest(
        raw,
        documents_path=out / "documents.parquet",
        rejects_path=out / "rejects.csv",
        metadata_file=raw / "metadata.csv",
        lexicon_dir=lexicons,
    )
    run_preprocess(
        out / "documents.parquet", paragraphs_path=out / "paragraphs.parquet", lexicon_dir=lexicons
    )
    run_classify(
        out / "documents.parquet",
        out / "paragraphs.parquet",
        classified_path=out / "classified.parquet",
        lexicon_dir=lexicons,
    )
    frame = load_inputs(
        out / "paragraphs.parquet", out / "classified.parquet", out / "documents.parquet"
    )
    fit, _, _ = topics.select_paragraphs(frame, "relevant", 20000, SEED)
    docs = fit["stem_doc"].tolist()
    reference = [d.split() for d in docs]
    rule = topics.clustering_settings(len(docs), TopicsParams().min_topic_size)
    print(
        f"{len(docs)} seed paragraphs; the rule chooses n_neighbors={rule.n_neighbors}, "
        f"min_cluster_size={rule.min_cluster_size}, min_samples={rule.min_samples}"
    )
    print()
    print(
        "| n_neighbors | " + " | ".join(f"min_cluster_size {m}" for m in MIN_CLUSTER_SIZES) + " |"
    )
    print("|---:|" + "---|" * len(MIN_CLUSTER_SIZES))
    with threadpool_limits(limits=1), topics._quiet_bertopic():
        embeddings, embedder, _ = embed_paragraphs(
            fit["text"].tolist(),
            fit["text"].tolist(),
            seed=SEED,
            cache_dir=None,
            svd_components=TopicsParams().svd_components,
        )
        for neighbors in NEIGHBORS:
            cells = []
            for size in MIN_CLUSTER_SIZES:
                settings = topics.ClusteringSettings(
                    "hdbscan", len(docs), neighbors, 5, 0.0, size, 1, None, "grid"
                )
                model = topics._build_model(settings, embedder, 10, SEED)
                found, _ = model.fit_transform(docs, embeddings=embeddings)
                # the c-TF-IDF top 10 of each topic (the stage's words before issue 15)
                ids = list(topic_rows(model, found))
                vocabulary = model.vectorizer_model.get_feature_names_out()
                words = dict(zip(ids, candidate_words(model.c_tf_idf_, vocabulary, 10)))
                real = [t for t in sorted(words) if t != -1]
                npmi = mean_score(npmi_coherence([words[t] for t in real], reference))
                cells.append(
                    f"{len(real)} topics, {np.mean(np.asarray(found) == -1):.0%} out, "
                    f"NPMI {npmi:.2f}"
                    if npmi is not None
                    else f"{len(real)} topics"
                )
            print(f"| {neighbors} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
