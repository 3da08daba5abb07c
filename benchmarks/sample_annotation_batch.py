"""Draw annotation batches: the fresh negative-heavy test (`fresh1`) and the double-coding set.

The batch is drawn by keyword strata only (never from the classifier's output) and labelled by
reading before any rule is changed or run on it, so its false-positive rate is an honest,
out-of-sample figure. Articles already in the gold set are excluded. The order inside each
stratum is sha1(seed:id), so the draw is reproducible and independent of corpus order.

    python benchmarks/sample_annotation_batch.py --out-dir /tmp/annot

writes `fresh1_articles.jsonl` (id, stratum, outlet, date, title, text: for the annotator,
never committed: the texts stay with the publishers) and `fresh1_ids.csv` (id, stratum: the
draw, committed as data/annotations/fresh1_sample.csv).

The double-coding set (`double_articles.jsonl`, `double_ids.csv`) is every gold positive plus
`--double-negatives` gold negatives (sha1(seed:id) order), for an independent second coder who
sees only GUIDE.md and the article, never the gold labels.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "clickid" / "articles.jsonl.gz"

# Stratum sizes: most of the batch comes from strata where false positives live.
STRATA = {
    "gov_coop": 65,  # a regional-government word and a cooperation/aid/coordination word
    "foreign_gov": 35,  # a regional-government word and a foreign envoy/sister-city word or foreign place
    "two_regions": 35,  # two different Indonesian regions and a government word
    "random": 25,  # anything else
}
_GOV = re.compile(
    r"\b(pemprov|pemkot|pemkab|pemda|pemerintah (provinsi|kota|kabupaten|daerah)|"
    r"gubernur|wali ?kota|bupati|dprd)\b"
)
_COOP = re.compile(
    r"\b(kerja ?sama|bekerja ?sama|kolaborasi|nota kesepahaman|mou|perjanjian|"
    r"kesepakatan|koordinasi|berkoordinasi|bantuan|hibah|membantu|patungan|"
    r"tim gabungan|satgas)\b"
)
_FOREIGN = re.compile(
    r"\b(sister city|kota kembar|kota bersaudara|duta besar|dubes|kedutaan|"
    r"konsulat|delegasi|kunjungan kerja ke luar negeri)\b"
)


def _names(path: Path, column: str = "name") -> list[str]:
    with path.open(encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return sorted(
            {row[column].strip().lower() for row in rows if len(row[column].strip()) >= 5}
        )


def _pattern(names: list[str]) -> re.Pattern[str]:
    return re.compile(
        r"\b(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")\b"
    )


def _gold_ids(gold_csv: Path) -> set[str]:
    with gold_csv.open(encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {f"clickid:{row['doc_id']}" for row in rows if row["corpus"] == "clickid"}


def _stratum(text: str, regions: re.Pattern[str], foreign: re.Pattern[str]) -> str:
    gov = bool(_GOV.search(text))
    if gov and _COOP.search(text):
        return "gov_coop"
    if gov and (_FOREIGN.search(text) or foreign.search(text)):
        return "foreign_gov"
    if gov and len(set(regions.findall(text))) >= 2:
        return "two_regions"
    return "random"


def draw(corpus: Path, seed: int, exclude: set[str]) -> list[dict]:
    lexicons = ROOT / "data" / "lexicons"
    regions = _pattern(_names(lexicons / "gazetteer_indonesia.csv"))
    foreign = _pattern(_names(lexicons / "gazetteer_foreign.csv"))
    pools: dict[str, list[tuple[str, dict]]] = {name: [] for name in STRATA}
    with gzip.open(corpus, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record["id"] in exclude:
                continue
            text = f"{record.get('title') or ''} {record.get('text') or ''}".lower()
            key = hashlib.sha1(f"{seed}:{record['id']}".encode()).hexdigest()
            pools[_stratum(text, regions, foreign)].append((key, record))
    chosen = []
    for name, size in STRATA.items():
        for _, record in sorted(pools[name], key=lambda item: item[0])[:size]:
            chosen.append(
                {
                    "id": record["id"],
                    "stratum": name,
                    "outlet": record.get("source"),
                    "date": record.get("date"),
                    "title": record.get("title"),
                    "text": record.get("text"),
                }
            )
    return chosen


def double_coding_set(corpus: Path, gold_csv: Path, seed: int, n_negatives: int) -> list[dict]:
    """Every gold positive and a seeded sample of gold negatives, with their texts, no labels."""
    with gold_csv.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    positives = [r for r in rows if r["coop_type"] != "none"]
    negatives = sorted(
        (r for r in rows if r["coop_type"] == "none"),
        key=lambda r: hashlib.sha1(f"{seed}:{r['doc_id']}".encode()).hexdigest(),
    )
    chosen = {(r["corpus"], r["doc_id"]) for r in positives + negatives[:n_negatives]}
    wanted = {f"clickid:{doc}" for corpus_name, doc in chosen if corpus_name == "clickid"}
    items = []
    for corpus_name, doc in sorted(chosen):
        if corpus_name == "seed":
            raw = (ROOT / "data" / "raw" / doc).read_text(encoding="utf-8")
            items.append(
                {"id": f"seed:{doc}", "outlet": None, "date": None, "title": None, "text": raw}
            )
    with gzip.open(corpus, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record["id"] in wanted:
                items.append(
                    {
                        "id": record["id"],
                        "outlet": record.get("source"),
                        "date": record.get("date"),
                        "title": record.get("title"),
                        "text": record.get("text"),
                    }
                )
    # shuffled by hash so the coder cannot tell positives from negatives by position
    return sorted(items, key=lambda item: hashlib.sha1(f"{seed}:{item['id']}".encode()).hexdigest())


def _write(out_dir: Path, name: str, items: list[dict], extra: str | None) -> None:
    with (out_dir / f"{name}_articles.jsonl").open("w", encoding="utf-8") as handle:
        for item in items:
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")
    with (out_dir / f"{name}_ids.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id"] + ([extra] if extra else []))
        writer.writerows([item["id"]] + ([item[extra]] if extra else []) for item in items)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--gold", type=Path, default=ROOT / "data/annotations/gold_documents.csv")
    parser.add_argument("--seed", type=int, default=20261204)
    parser.add_argument("--double-negatives", type=int, default=22)
    parser.add_argument("--out-dir", type=Path, required=True)
    args = parser.parse_args()
    batch = draw(args.corpus, args.seed, _gold_ids(args.gold))
    args.out_dir.mkdir(parents=True, exist_ok=True)
    _write(args.out_dir, "fresh1", batch, "stratum")
    double = double_coding_set(args.corpus, args.gold, args.seed, args.double_negatives)
    _write(args.out_dir, "double", double, None)
    print(f"double-coding set: {len(double)} articles")
    counts = {name: sum(item["stratum"] == name for item in batch) for name in STRATA}
    print(f"{len(batch)} articles: {counts}")


if __name__ == "__main__":
    main()
