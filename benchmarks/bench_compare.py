"""Benchmark the compare stage at clickid scale (23,020 real Indonesian articles).

Inputs are built from the corpus at run time into ``benchmarks/out/compare/`` (git-ignored;
nothing from the corpus enters the repository):

* documents.parquet: one row per article (id, outlet = source, date parsed from the mixed
  clickid formats; unparseable dates stay empty, which exercises the "undated" path);
* paragraphs.parquet: paragraphs split where clickid joined them (``.,``), ``stems`` = the
  lower-cased word tokens (no Sastrawi: the benchmark times the comparison, not stemming; the
  vocabulary is therefore larger than after stemming, a harder case for the log-odds);
* classified.parquet and topics.parquet: *synthetic, seeded* labels (a stress case, not a
  finding): 30% agglomeration, 30% international, 10% other inter-regional, 30% none;
  each codebook sector with probability 0.2; 1-3 partners from a list of 40 names plus
  Jakarta in 70% of articles; a paragraph keeps its article's kind with probability 0.6;
  cooperation paragraphs get one of 40 topics or the outlier topic (20%).

Then ``run_compare`` runs in a fresh process (the same call as the notebook, both languages,
all figures), timed, with its peak resident memory (``ru_maxrss`` of that child). Separate
timings of the two heavy kernels: the log-odds over the full vocabulary and the bootstrap.

Usage (from the project root):

    PYTHONPATH=src /work/main/.venv/bin/python benchmarks/bench_compare.py
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.codebook import SECTORS

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out" / "compare"
KINDS = ["agglomeration", "international", "domestic_other", "none"]
PARTNERS = [f"Partner {i:02d}" for i in range(40)]
_TOKEN = re.compile(r"[a-z]+")
_PARAGRAPH_BREAK = re.compile(r"(?<=[.!?\"\u201d]),(?=\S)")


def corpus_path() -> Path:
    if os.environ.get("CLICKID_PATH"):
        return Path(os.environ["CLICKID_PATH"])
    beside = ROOT.parent / "shared/corpora/clickid/articles.jsonl.gz"
    return beside if beside.is_file() else Path("/work/shared/corpora/clickid/articles.jsonl.gz")


def build_inputs(path: Path, out: Path, seed: int = 20250811) -> dict[str, Path]:
    rng = np.random.default_rng(seed)
    docs, paras, coded, topics = [], [], [], []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        articles = [json.loads(line) for line in handle]
    dates = pd.to_datetime(
        pd.Series([a.get("date") for a in articles]), format="mixed", dayfirst=True, errors="coerce"
    )
    for article, date in zip(articles, dates):
        doc_id = article["id"]
        kind = KINDS[rng.choice(4, p=[0.3, 0.3, 0.1, 0.3])]
        sectors = [s for s in SECTORS if rng.random() < 0.2]
        partners = list(rng.choice(PARTNERS, size=rng.integers(1, 4), replace=False))
        if rng.random() < 0.7:
            partners.append("Jakarta")
        docs.append(
            {
                "doc_id": doc_id,
                "outlet": str(article.get("source", "")).lower() or None,
                "date": date,
                "title": article.get("title"),
                "duplicate_of": None,
            }
        )
        coded.append(
            {
                "level": "document",
                "doc_id": doc_id,
                "para_id": None,
                "coop_type": kind,
                "partners": sorted(partners),
                "sectors": sectors,
                "evidence": "synthetic",
            }
        )
        for index, text in enumerate(_PARAGRAPH_BREAK.split(article.get("text") or "")):
            para_id = f"{doc_id}:p{index:03d}"
            stems = [t for t in _TOKEN.findall(text.lower()) if len(t) > 1]
            paras.append(
                {
                    "para_id": para_id,
                    "doc_id": doc_id,
                    "para_index": index,
                    "text": "",
                    "tokens": stems,
                    "stems": stems,
                }
            )
            para_kind = kind if rng.random() < 0.6 else "none"
            coded.append(
                {
                    "level": "paragraph",
                    "doc_id": doc_id,
                    "para_id": para_id,
                    "coop_type": para_kind,
                    "partners": [],
                    "sectors": [s for s in sectors if rng.random() < 0.3],
                    "evidence": "synthetic",
                }
            )
            if para_kind != "none":
                topic = -1 if rng.random() < 0.2 else int(rng.integers(0, 40))
                topics.append(
                    {
                        "para_id": para_id,
                        "doc_id": doc_id,
                        "topic": topic,
                        "topic_label": f"{topic}_kata_{topic}_lain",
                    }
                )
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        name: out / f"{name}.parquet"
        for name in ("documents", "paragraphs", "classified", "topics")
    }
    pd.DataFrame(docs).to_parquet(paths["documents"], index=False)
    pd.DataFrame(paras).to_parquet(paths["paragraphs"], index=False)
    pd.DataFrame(coded).to_parquet(paths["classified"], index=False)
    pd.DataFrame(topics).astype({"topic": "int64"}).to_parquet(paths["topics"], index=False)
    return paths


_CHILD = """
import json, resource, sys, time
from stage_helpers import run_compare
out = sys.argv[1]
start = time.perf_counter()
result = run_compare(f"{out}/documents.parquet", f"{out}/paragraphs.parquet",
                     f"{out}/classified.parquet", f"{out}/topics.parquet",
                     figures_dir=f"{out}/figures", tables_dir=f"{out}/tables",
                     metrics_path=f"{out}/compare.json", n_bootstrap=2000, ci_level=0.95,
                     top_terms=15, seed=20250811)
elapsed = time.perf_counter() - start
print(json.dumps({"seconds": elapsed,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "vocabulary": len(result.tables["log_odds"]),
                  "metrics_corpus": result.metrics["corpus"],
                  "coverage": result.metrics["coverage"]["documents"]}))
"""


def time_kernels(out: Path) -> dict[str, float]:
    """Log-odds over the full vocabulary and the bootstrap of the largest kind, alone."""
    from analysis.compare import tables as cmp

    classified = pd.read_parquet(out / "classified.parquet")
    docs = cmp.document_frame(pd.read_parquet(out / "documents.parquet"), classified)
    paras = cmp.paragraph_frame(pd.read_parquet(out / "paragraphs.parquet"), classified, docs)
    start = time.perf_counter()
    counts_a = cmp.stem_counts(paras, "agglomeration")
    counts_b = cmp.stem_counts(paras, "international")
    counting = time.perf_counter() - start
    start = time.perf_counter()
    table = cmp.log_odds_dirichlet(counts_a, counts_b)
    log_odds = time.perf_counter() - start
    group = docs[docs["coop_type"] == "agglomeration"]
    indicator = np.array([[s in set(v) for s in SECTORS] for v in group["sectors"]], dtype=float)
    start = time.perf_counter()
    cmp.bootstrap_share_ci(indicator, n_bootstrap=2000, seed=1, ci_level=0.95)
    bootstrap = time.perf_counter() - start
    return {
        "stem_counting_s": counting,
        "log_odds_s": log_odds,
        "vocabulary": len(table),
        "bootstrap_s": bootstrap,
        "bootstrap_units": len(group),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="reuse inputs already built")
    args = parser.parse_args()
    path = corpus_path()
    if not path.is_file():
        print(f"clickid corpus not found at {path}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    if not (args.reuse and (OUT / "topics.parquet").is_file()):
        build_inputs(path, OUT)
    build_s = time.perf_counter() - start
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "tests")]),
        "MPLBACKEND": "Agg",
        "PYTHONHASHSEED": "0",
    }
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, str(OUT)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    run = json.loads(child.stdout.strip().splitlines()[-1])
    kernels = time_kernels(OUT)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    report = {
        "machine": f"{platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores",
        "commit": commit,
        "load_average": os.getloadavg(),
        "build_inputs_s": build_s,
        "run_compare": run,
        "kernels": kernels,
    }
    print(json.dumps(report, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
