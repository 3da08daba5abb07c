"""Prototype (issue 21, proposal c): the topics stage's input for ``fit_on: relevant`` without the corpus.

Today ``analysis.topics.tables.load_inputs`` reads every paragraph's text and stems (and builds a
stem string for each) before ``_select`` keeps the cooperation-relevant ones (309 of 179,033
paragraphs on clickid), so the stage's memory grows with the corpus although the model does
not. The prototype (``lean``) reads classified.parquet in record batches to find the relevant
paragraphs (coded as cooperation, or in a document coded as cooperation), then reads only
those rows of paragraphs.parquet (batches filtered on para_id) and only the needed documents'
dates; the counts the metrics report (paragraphs in, paragraphs of duplicate documents,
relevant paragraphs) come from the same passes. It returns the same ``fit`` frame and the same
selection record as ``_select(_load_inputs(...), "relevant", ...)``.

Each engine runs in a fresh pinned process (peak RSS = VmHWM of that process).

Usage:
    PYTHONPATH=src python benchmarks/proto_topics.py bench --inputs PROJECT/data/processed --out DIR
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BATCH_ROWS = 65_536
SEED = 20250811


def _paths(inputs: Path) -> tuple[Path, Path, Path]:
    return (
        inputs / "paragraphs.parquet",
        inputs / "classified.parquet",
        inputs / "documents.parquet",
    )


def engine_today(inputs: Path):
    from analysis.topics.model import select_paragraphs as _select
    from analysis.topics.tables import load_inputs as _load_inputs

    frame = _load_inputs(*_paths(inputs))
    fit, rest, info = _select(frame, "relevant", 20000, SEED)
    return fit, info


def engine_lean(inputs: Path):
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from analysis.topics.model import MIN_PARAGRAPHS
    from analysis.topics.model import select_paragraphs as _select
    from analysis.topics.tables import NONE, UNCLASSIFIED, UNKNOWN_MONTH
    from analysis.topics.tables import load_inputs as _load_inputs

    paragraphs_path, classified_path, documents_path = _paths(inputs)
    off = pa.array([NONE, UNCLASSIFIED])
    # pass 1: documents coded as cooperation (document rows only)
    coop_docs_parts = []
    for batch in pq.ParquetFile(classified_path).iter_batches(
        BATCH_ROWS, columns=["level", "doc_id", "coop_type"]
    ):
        rows = batch.filter(pc.equal(batch["level"], "document"))
        coop_docs_parts.append(rows.filter(pc.invert(pc.is_in(rows["coop_type"], off))))
    coop_docs = pa.Table.from_batches(coop_docs_parts).drop_columns(["level"])
    # pass 2: paragraph rows that are relevant (own coding or their document's)
    para_parts = []
    for batch in pq.ParquetFile(classified_path).iter_batches(
        BATCH_ROWS, columns=["level", "doc_id", "para_id", "coop_type"]
    ):
        rows = batch.filter(pc.equal(batch["level"], "paragraph"))
        keep = pc.or_(
            pc.invert(pc.is_in(rows["coop_type"], off)),
            pc.is_in(rows["doc_id"], coop_docs["doc_id"]),
        )
        para_parts.append(rows.filter(keep).select(["para_id", "coop_type"]))
    relevant_rows = pa.Table.from_batches(para_parts)
    # documents: which are duplicates (their paragraphs are never modelled) and the dates
    documents = pq.read_table(documents_path, columns=["doc_id", "date", "duplicate_of"])
    duplicates = documents.filter(pc.is_valid(documents["duplicate_of"]))["doc_id"]
    # pass 3: paragraphs.parquet, only the relevant rows kept; counts for the metrics
    n_input = n_duplicate = 0
    parts = []
    for batch in pq.ParquetFile(paragraphs_path).iter_batches(
        BATCH_ROWS, columns=["para_id", "doc_id", "para_index", "text", "stems"]
    ):
        n_input += batch.num_rows
        dup = pc.is_in(batch["doc_id"], duplicates)
        n_duplicate += int(pc.sum(dup).as_py() or 0)
        rows = batch.filter(
            pc.and_(pc.is_in(batch["para_id"], relevant_rows["para_id"]), pc.invert(dup))
        )
        if rows.num_rows:
            parts.append(rows)
    if len(relevant_rows) < MIN_PARAGRAPHS:
        # the fallback fits on every paragraph: today's path (the corpus is small then)
        frame = _load_inputs(paragraphs_path, *_paths(inputs)[1:])
        fit, _rest, info = _select(frame, "relevant", 20000, SEED)
        return fit, info
    table = pa.Table.from_batches(parts, schema=parts[0].schema) if parts else None
    frame = table.select(["para_id", "doc_id", "para_index", "text"]).to_pandas()
    frame["text"] = frame["text"].fillna("").astype(str)
    frame["stem_doc"] = [
        " ".join(str(s) for s in stems) if stems is not None else ""
        for stems in table["stems"].to_pylist()
    ]
    codes = relevant_rows.to_pandas().set_index("para_id")["coop_type"]
    frame["coop_type"] = frame["para_id"].map(codes).fillna(UNCLASSIFIED).astype(str)
    doc_codes = coop_docs.to_pandas().drop_duplicates("doc_id").set_index("doc_id")["coop_type"]
    frame["doc_coop_type"] = frame["doc_id"].map(doc_codes).fillna(UNCLASSIFIED).astype(str)
    docs = documents.filter(pc.is_in(documents["doc_id"], pa.array(frame["doc_id"].unique())))
    docs = docs.to_pandas().drop_duplicates("doc_id").set_index("doc_id")
    dates = pd.to_datetime(frame["doc_id"].map(docs["date"]), errors="coerce")
    frame["month"] = dates.dt.strftime("%Y-%m").fillna(UNKNOWN_MONTH)
    frame["duplicate"] = False
    fit = frame.sort_values(["doc_id", "para_index"], kind="stable").reset_index(drop=True)
    info = {
        "fit_on": "relevant",
        "n_paragraphs_input": n_input,
        "n_paragraphs_duplicate_documents": n_duplicate,
        "n_paragraphs_relevant": int(len(fit)),
        "fallback": None,
        "fit_on_used": "relevant",
        "n_paragraphs_not_modelled": int(n_input - n_duplicate - len(fit)),
    }
    return fit, info


def _vmhwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run(engine: str, inputs: Path, out: Path) -> dict:
    started = time.perf_counter()
    cpu = time.process_time()
    fit, info = (engine_today if engine == "today" else engine_lean)(inputs)
    result = {
        "engine": engine,
        "wall_s": round(time.perf_counter() - started, 2),
        "cpu_s": round(time.process_time() - cpu, 2),
        "peak_rss_mb": round(_vmhwm_mb()),
        "n_fit": len(fit),
        "info": info,
    }
    out.mkdir(parents=True, exist_ok=True)
    fit.to_pickle(out / f"fit_{engine}.pkl")
    (out / f"{engine}.json").write_text(json.dumps(result) + "\n")
    return result


def bench(inputs: Path, out: Path, rounds: int) -> dict:
    import pandas as pd

    from analysis.core.runtime import pinned_environment

    env = pinned_environment(dict(os.environ))
    env["PYTHONPATH"] = str(ROOT / "src")
    runs = []
    for r in range(rounds):
        for engine in ("today", "lean"):
            load = os.getloadavg()[0]
            proc = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "run",
                    "--engine",
                    engine,
                    "--inputs",
                    str(inputs),
                    "--out",
                    str(out),
                ],
                env=env,
                capture_output=True,
                text=True,
            )
            if proc.returncode != 0:
                raise SystemExit(proc.stderr[-3000:])
            row = json.loads((out / f"{engine}.json").read_text())
            row.update(round=r, load=round(load, 2))
            runs.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
    today = pd.read_pickle(out / "fit_today.pkl")
    lean = pd.read_pickle(out / "fit_lean.pkl")
    same_frame = today.reset_index(drop=True).equals(lean[today.columns].reset_index(drop=True))
    infos = {row["engine"]: row["info"] for row in runs}
    result = {
        "inputs": str(inputs),
        "runs": runs,
        "fit_frames_equal": bool(same_frame),
        "selection_info_equal": infos["today"] == infos["lean"],
    }
    (out / "bench.json").write_text(json.dumps(result, indent=1) + "\n")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run")
    p.add_argument("--engine", choices=("today", "lean"), required=True)
    p.add_argument("--inputs", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p = sub.add_parser("bench")
    p.add_argument("--inputs", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    if args.command == "run":
        print(json.dumps(run(args.engine, args.inputs, args.out)))
    else:
        print(json.dumps(bench(args.inputs, args.out, args.rounds), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
