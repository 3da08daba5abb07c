"""Counts by article and by story per kind of cooperation in a coded corpus (the CLI's CSV).

Usage (from the project root, after benchmarks/bench_classify.py or
`python -m analysis classify CORPUS -o OUT.csv`):
    PYTHONPATH=src python benchmarks/clickid_stories.py [benchmarks/out/clickid_classified.csv]

Prints, per coop_type: articles, stories, the largest story (id, articles, share of the kind),
and the same counts for high-confidence codings only.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from analysis.compare.stories import story_metrics, story_table

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    path = (
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else ROOT / "benchmarks" / "out" / "clickid_classified.csv"
    )
    if not path.is_file():
        print(f"{path}: not found; run benchmarks/bench_classify.py first", file=sys.stderr)
        return 1
    table = pd.read_csv(path, dtype=str, keep_default_na=False).rename(columns={"id": "doc_id"})
    if "story_id" not in table.columns:
        print(f"{path}: no story_id column; code the corpus with this version", file=sys.stderr)
        return 1
    stories = story_table(table)
    print(stories.to_string(index=False))
    confident = story_metrics(stories)["confident_only"]
    print(
        f"coded articles {confident['n_articles_all']}, of which high confidence "
        f"{confident['n_articles']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
