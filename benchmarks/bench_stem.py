"""Benchmark the preprocessing stage on the clickid corpus (23,020 real Indonesian articles).

Two measurements, run one after the other (never in parallel: the machine has 2 shared cores):

1. ``stem`` — the texts of the first N articles (default 3,000), one article per line, fed to
   ``python -m analysis stem`` as a subprocess (interpreter start-up, imports and lexicon loading
   included), against plain uncached PySastrawi: ``Stemmer.stem`` called on every word of the
   same text (words as Sastrawi's own normaliser splits them). Both rates use the same word
   count, so they compare like with like.
2. ``full`` — ``run_preprocess`` over all articles from a documents.parquet built by a simple
   loader (below), in a fresh process per ``n_jobs`` value: wall time, peak resident memory of
   the process and its workers, and whether the outputs are byte-identical.

Usage (from the project root):

    PYTHONPATH=src /work/main/.venv/bin/python benchmarks/bench_stem.py            # both
    PYTHONPATH=src /work/main/.venv/bin/python benchmarks/bench_stem.py --only stem

Everything it writes goes to ``benchmarks/out/`` (git-ignored): the corpus is read from its
shared location at run time and never copied into the repository.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import machine_description  # benchmarks/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"


def corpus_path() -> Path:
    """$CLICKID_PATH, else ../shared beside the project, else /work/shared (worktree layout)."""
    if os.environ.get("CLICKID_PATH"):
        return Path(os.environ["CLICKID_PATH"])
    beside = ROOT.parent / "shared/corpora/clickid/articles.jsonl.gz"
    return beside if beside.is_file() else Path("/work/shared/corpora/clickid/articles.jsonl.gz")


def read_articles(path: Path, limit: int | None = None) -> list[dict]:
    articles = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            articles.append(json.loads(line))
            if limit is not None and len(articles) >= limit:
                break
    return articles


# The scraper joined paragraphs with ".," ("kalimat.,Kalimat berikutnya"); restore the breaks so
# the benchmark sees realistic paragraphs. A simple loader, not the ingest stage.
_JOINED_PARAGRAPHS = re.compile(r"([.!?\"”])\s*,\s*(?=[A-Z\"“])")


def clickid_documents(path: Path):
    import pandas as pd

    rows = []
    for article in read_articles(path):
        text = _JOINED_PARAGRAPHS.sub(r"\1\n\n", article["text"]).strip(" ,-\n")
        rows.append(
            {
                "doc_id": f"clickid-{article['id']}",
                "source_file": "clickid/articles.jsonl.gz",
                "record": str(article["id"]),
                "outlet": article.get("source"),
                "title": article.get("title"),
                "url": article.get("url"),
                "text": text,
                "language": "id",
                "n_words": len(text.split()),
                "duplicate_of": None,
            }
        )
    return pd.DataFrame(rows)


def machine() -> str:
    return machine_description()


def commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


# ------------------------------------------------------------------------------------------


def bench_stem(n_articles: int, repeats: int) -> dict:
    from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
    from Sastrawi.Stemmer.Filter import TextNormalizer
    from Sastrawi.Stemmer.Stemmer import Stemmer
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    articles = read_articles(corpus_path(), limit=n_articles)
    lines = [" ".join(a["text"].split()) for a in articles]  # one article per line
    OUT.mkdir(parents=True, exist_ok=True)
    input_file = OUT / f"stem_input_{n_articles}.txt"
    input_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    words = [w for line in lines for w in TextNormalizer.normalize_text(line).split(" ") if w]

    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT / "tests")]))
    command = [
        sys.executable,
        "-m",
        "analysis",
        "stem",
        "--lexicons",
        str(ROOT / "data" / "lexicons"),
    ]
    plain = Stemmer(ArrayDictionary(StemmerFactory().get_words()))  # no cache

    def run_cli(jobs: int) -> dict:
        output = OUT / f"stem_output_jobs{jobs}.txt"
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        with input_file.open("rb") as stdin, output.open("wb") as stdout:
            subprocess.run(
                command + ["--jobs", str(jobs)],
                stdin=stdin,
                stdout=stdout,
                env=env,
                cwd=ROOT,
                check=True,
            )
        wall = time.perf_counter() - start
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (
            cpu_after.ru_stime - cpu_before.ru_stime
        )
        return {"wall": wall, "cpu": cpu}

    def run_plain() -> dict:
        cpu, start = time.process_time(), time.perf_counter()
        for word in words:
            plain.stem(word)
        return {"wall": time.perf_counter() - start, "cpu": time.process_time() - cpu}

    # Other jobs share the two cores, so each measurement is repeated in alternation and the
    # median is reported, with CPU seconds (less sensitive to contention) beside wall seconds.
    rounds: dict[str, list[dict]] = {"cli_jobs1": [], "cli_jobs2": [], "plain": []}
    for _ in range(repeats):
        rounds["cli_jobs1"].append(run_cli(1))
        rounds["cli_jobs2"].append(run_cli(2))
        rounds["plain"].append(run_plain())
    same_output = (OUT / "stem_output_jobs1.txt").read_bytes() == (
        OUT / "stem_output_jobs2.txt"
    ).read_bytes()
    output_lines = (OUT / "stem_output_jobs1.txt").read_text(encoding="utf-8").count("\n")

    start = time.perf_counter()  # start-up alone: the same command on empty input
    subprocess.run(command, input=b"", env=env, cwd=ROOT, check=True)
    startup_seconds = time.perf_counter() - start

    summary = {
        name: {
            "wall_median": statistics.median(r["wall"] for r in runs),
            "cpu_median": statistics.median(r["cpu"] for r in runs),
            "walls": [round(r["wall"], 2) for r in runs],
        }
        for name, runs in rounds.items()
    }
    for name in summary:
        summary[name]["words_per_s"] = len(words) / summary[name]["wall_median"]
    plain_wall = summary["plain"]["wall_median"]
    plain_cpu = summary["plain"]["cpu_median"]
    return {
        "articles": len(lines),
        "words": len(words),
        "repeats": repeats,
        "output_lines": output_lines,
        "cli_outputs_identical": same_output,
        "cli_startup_seconds": startup_seconds,
        **summary,
        "speedup_wall_jobs1": plain_wall / summary["cli_jobs1"]["wall_median"],
        "speedup_wall_jobs2": plain_wall / summary["cli_jobs2"]["wall_median"],
        "speedup_cpu_jobs1": plain_cpu / summary["cli_jobs1"]["cpu_median"],
        "load_average_after": os.getloadavg(),
    }


_CHILD = """
import json, resource, sys, time
from stage_helpers import run_preprocess
start = time.perf_counter()
result = run_preprocess(sys.argv[1], paragraphs_path=sys.argv[2], lexicon_dir=sys.argv[3],
                        n_jobs=int(sys.argv[4]))
seconds = time.perf_counter() - start
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
m = result.metrics()
print(json.dumps({"seconds": seconds, "peak_rss_mb": own / 1024, "worker_peak_rss_mb": workers / 1024,
                  **{k: m[k] for k in ("n_documents", "n_paragraphs", "n_tokens", "n_types",
                                       "n_stem_types", "n_protected_hits", "n_sastrawi_types")},
                  "n_protected_hits_by_reason": m["n_protected_hits_by_reason"],
                  "top_stems": m["top_stems"][:15], "top_multiword": m["top_multiword"][:15]}))
"""


def bench_full(jobs: list[int], repeats: int) -> dict:
    from analysis.core.io import write_parquet

    OUT.mkdir(parents=True, exist_ok=True)
    documents = OUT / "clickid_documents.parquet"
    start = time.perf_counter()
    write_parquet(documents, clickid_documents(corpus_path()))
    load_seconds = time.perf_counter() - start
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT / "tests")]))
    runs = {}
    for n_jobs in jobs:
        target = OUT / f"clickid_paragraphs_jobs{n_jobs}.parquet"
        trials = []
        for _ in range(repeats):
            start = time.perf_counter()
            proc = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    _CHILD,
                    str(documents),
                    str(target),
                    str(ROOT / "data" / "lexicons"),
                    str(n_jobs),
                ],
                env=env,
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            )
            trials.append(
                {"process_wall_seconds": time.perf_counter() - start, **json.loads(proc.stdout)}
            )
        runs[n_jobs] = {
            **trials[-1],
            "process_wall_seconds_median": statistics.median(
                t["process_wall_seconds"] for t in trials
            ),
            "process_wall_seconds_all": [round(t["process_wall_seconds"], 1) for t in trials],
            "peak_rss_mb_max": max(t["peak_rss_mb"] for t in trials),
        }
    outputs = {(OUT / f"clickid_paragraphs_jobs{n}.parquet").read_bytes() for n in jobs}
    return {
        "loader_seconds": load_seconds,
        "runs": runs,
        "identical_outputs": len(outputs) == 1,
        "load_average_after": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["stem", "full"])
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    report: dict = {
        "load_average_before": os.getloadavg(),
        "machine": machine(),
        "commit": commit(),
        "date": time.strftime("%Y-%m-%d"),
        "corpus": str(corpus_path()),
    }
    if args.only in (None, "stem"):
        report["stem"] = bench_stem(args.articles, args.repeats)
    if args.only in (None, "full"):
        report["full"] = bench_full(args.jobs, max(1, args.repeats - 1))
    text = json.dumps(report, indent=2, ensure_ascii=False)
    (OUT / f"bench_stem_{args.only or 'all'}.json").write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
