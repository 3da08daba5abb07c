"""Score the classifier on the whole gold set (seeds + clickid articles) and print every split.

Usage (from the project root):
    PYTHONPATH=src python benchmarks/eval_classify_gold.py [--corpus PATH] [--json OUT.json]

The seeds are read and cleaned like ingest does and coded by ``run_classify`` (so paragraph
labels are scored too); the gold clickid articles are read from the corpus and coded afresh by
``evaluate_gold``. Prints macro-F1, accuracy, per-class precision/recall/F1 and the confusion
matrix for every split; ``--json`` also writes the full metrics (ids and labels only).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = Path(
    os.environ.get(
        "CLICKID_PATH", ROOT.parent / "shared" / "corpora" / "clickid" / "articles.jsonl.gz"
    )
)
SPLITS = ("all", "dev", "heldout", "heldout2", "heldout3", "heldout_all", "seed", "clickid_all")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if not args.corpus.is_file():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT / "tests"))  # stage_helpers: a stage entry on given files
    import pandas as pd
    from stage_helpers import run_classify

    from analysis.classify.evaluate import evaluate_gold
    from analysis.core.config import IngestParams
    from analysis.text.records import iter_records

    min_words = IngestParams().min_words

    raw, lexicons = ROOT / "data" / "raw", ROOT / "data" / "lexicons"
    records = [
        r
        for r in iter_records(
            raw, lexicon_dir=lexicons, metadata_file=raw / "metadata.csv", min_words=min_words
        )
        if not r.is_reject
    ]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        pd.DataFrame(
            {
                "doc_id": [r.doc_id for r in records],
                "title": [r.title for r in records],
                "duplicate_of": [None] * len(records),
            }
        ).to_parquet(tmp / "d.parquet")
        rows = [
            (f"{r.doc_id}:p{i:03d}", r.doc_id, i, text)
            for r in records
            for i, text in enumerate(r.text.split("\n\n"))
        ]
        pd.DataFrame(rows, columns=["para_id", "doc_id", "para_index", "text"]).to_parquet(
            tmp / "p.parquet"
        )
        classified = run_classify(
            tmp / "d.parquet",
            tmp / "p.parquet",
            classified_path=tmp / "c.parquet",
            lexicon_dir=lexicons,
        )
    metrics = evaluate_gold(
        classified,
        ROOT / "data" / "annotations",
        args.corpus,
        lexicon_dir=lexicons,
        min_words=min_words,
    )
    documents = metrics["documents"]
    print(f"clickid: {documents['clickid']}; unmatched: {documents['unmatched']}")
    for split in SPLITS:
        block = documents.get(split)
        if not block:
            continue
        print(
            f"\n{split}: n={block['n']} macro-F1={block['macro_f1']:.3f} "
            f"accuracy={block['accuracy']:.3f}"
        )
        for label, s in block["per_class"].items():
            print(
                f"  {label:15s} P={s['precision']:.2f} R={s['recall']:.2f} F1={s['f1']:.2f} "
                f"support={s['support']} predicted={s['predicted']}"
            )
        print(
            f"  confusion (rows gold, columns predicted, {', '.join(block['confusion']['labels'])}):"
            f" {block['confusion']['rows_gold_columns_predicted']}"
        )
    paragraphs = metrics["paragraphs"]
    print(
        f"\nparagraphs (seeds): n={paragraphs['n']} macro-F1={paragraphs['macro_f1']:.3f} "
        f"accuracy={paragraphs['accuracy']:.3f}"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(metrics, indent=1, sort_keys=True), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
