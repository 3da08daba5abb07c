"""Prototype (issue 21, proposal a): the compare stage's tables aggregated out of core.

Three engines compute the same tables from the stage's Parquet inputs; each runs in a fresh
process (so its peak RSS is its own) and writes every table with ``analysis.core.io.write_csv``
and the corpus part of the metrics as JSON:

* ``today``: what ``run_compare`` does before drawing figures: the whole documents, paragraphs,
  classified and topics tables read into pandas, ``document_frame``/``paragraph_frame``, then
  the table functions.
* ``arrow``: pyarrow only. Per-document columns (doc_id, outlet, date, duplicate_of, and the
  document-level coop_type) are read as Arrow columns and aggregated with Arrow group-bys;
  paragraphs.parquet and classified.parquet are read in record batches, never whole: each
  batch of classified paragraph rows adds to the per-kind paragraph counts, each batch of
  paragraphs.parquet (para_id, doc_id, stems) is filtered to the paragraphs of the two
  contrasted kinds and its stems counted. Only the cooperation documents and paragraphs (a
  small subset) become pandas frames, for the bootstrap, partner and topic tables, which
  then use today's functions unchanged.
* ``duckdb``: the same plan in SQL over the Parquet files (``read_parquet``), DuckDB doing the
  joins, the ``unnest`` of stems and the group-bys (``--threads``, default 1, and a memory
  limit). DuckDB is not a project dependency: install it into a throwaway venv and pass its
  site-packages with ``--duckdb-path``.

Tables: coverage, coverage_monthly, coverage_outlet, coverage_monthly_wide, sectors,
sectors_paragraphs, log_odds, distinctive_terms, log_odds_sensitivity, topic_prevalence,
partners, partner_counts; plus the metrics' corpus block. ``check`` compares the engines' CSV
files byte for byte with ``today`` (and with the pipeline's own reports/tables/compare when
given).

Usage:
    PYTHONPATH=src python benchmarks/proto_compare.py run --engine today --inputs DIR --out DIR
    PYTHONPATH=src python benchmarks/proto_compare.py bench --inputs PROJECT/data/processed \
        --out /tmp/proto_compare [--duckdb-path /tmp/venv/lib/python3.11/site-packages] \
        [--reference PROJECT/reports/tables/compare]
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENGINES = ("today", "arrow", "duckdb")
BATCH_ROWS = 65_536

# compare's parameters as in params.yaml (the defaults of run_compare)
SETTINGS = dict(n_bootstrap=2000, ci_level=0.95, seed=20250811, min_bootstrap_docs=10)
TOP_TERMS = 15
FOCAL = "Jakarta"
PRIOR_SCALE = 0.1


def _paths(inputs: Path) -> dict[str, Path]:
    return {
        name: inputs / f"{name}.parquet"
        for name in ("documents", "paragraphs", "classified", "topics")
    }


# --------------------------------------------------------------------------------------------
# The tables that come from the cooperation subset: today's functions, unchanged
# --------------------------------------------------------------------------------------------


def _subset_tables(docs_coop, paras_coop, topics, counts_a, counts_b) -> dict:
    import pandas as pd

    from analysis import compare as cp

    a, b = cp.CONTRAST
    alpha_0 = PRIOR_SCALE * float(counts_a.sum() + counts_b.sum())
    if len(counts_a) and len(counts_b) and len(counts_a.index.union(counts_b.index)) >= 2:
        log_odds = cp.log_odds_dirichlet(counts_a, counts_b, alpha_0=alpha_0)
    else:
        log_odds = pd.DataFrame({c: pd.Series(dtype=float) for c in cp._LOG_ODDS_COLUMNS})
        log_odds["term"] = log_odds["term"].astype(str)
    distinctive = cp.distinctive_terms(log_odds, top_n=TOP_TERMS)
    return {
        "sectors": cp.sector_shares(docs_coop, level="document", **SETTINGS),
        "sectors_paragraphs": cp.sector_shares(
            docs_coop, paras_coop, level="paragraph", **SETTINGS
        ),
        "log_odds": log_odds,
        "distinctive_terms": distinctive,
        "log_odds_sensitivity": (
            cp.log_odds_sensitivity(counts_a, counts_b, distinctive["term"].tolist())
            if len(log_odds)
            else pd.DataFrame({"term": pd.Series(dtype=str)})
        ),
        "topic_prevalence": cp.topic_prevalence(topics, paras_coop, **SETTINGS),
        "partners": cp.partner_edges(docs_coop, focal=FOCAL),
        "partner_counts": cp.partner_counts(docs_coop, exclude=(FOCAL,)),
    }


# --------------------------------------------------------------------------------------------
# today
# --------------------------------------------------------------------------------------------


def engine_today(inputs: Path) -> tuple[dict, dict]:
    from analysis import compare as cp
    from analysis.core.io import read_stage_parquet

    p = _paths(inputs)
    documents = read_stage_parquet(p["documents"], "ingest")
    paragraphs = read_stage_parquet(p["paragraphs"], "preprocess")
    classified = read_stage_parquet(p["classified"], "classify")
    topics = read_stage_parquet(p["topics"], "topics")
    cp._check_topic_ids(topics, paragraphs)
    docs = cp.document_frame(documents, classified)
    paras = cp.paragraph_frame(paragraphs, classified, docs)
    a, b = cp.CONTRAST
    counts_a, counts_b = cp.stem_counts(paras, a), cp.stem_counts(paras, b)
    tables = {
        "coverage": cp.coverage_table(docs, paras),
        "coverage_monthly": cp.coverage_monthly(docs),
        "coverage_outlet": cp.coverage_by_outlet(docs),
    }
    # the subset tables with the full frames, exactly as run_compare calls them
    alpha_0 = PRIOR_SCALE * float(counts_a.sum() + counts_b.sum())
    log_odds = cp.log_odds_dirichlet(counts_a, counts_b, alpha_0=alpha_0)
    distinctive = cp.distinctive_terms(log_odds, top_n=TOP_TERMS)
    tables.update(
        {
            "sectors": cp.sector_shares(docs, level="document", **SETTINGS),
            "sectors_paragraphs": cp.sector_shares(docs, paras, level="paragraph", **SETTINGS),
            "log_odds": log_odds,
            "distinctive_terms": distinctive,
            "log_odds_sensitivity": cp.log_odds_sensitivity(
                counts_a, counts_b, distinctive["term"].tolist()
            ),
            "topic_prevalence": cp.topic_prevalence(topics, paras, **SETTINGS),
            "partners": cp.partner_edges(docs, focal=FOCAL),
            "partner_counts": cp.partner_counts(docs, exclude=(FOCAL,)),
        }
    )
    tables["coverage_monthly_wide"] = cp._wide_monthly(tables["coverage_monthly"])
    dated = docs["date"].dropna()
    corpus = {
        "n_documents": len(docs),
        "n_paragraphs": len(paras),
        "outlets": sorted(docs["outlet"].dropna().astype(str).unique()),
        "date_min": dated.min().date().isoformat() if len(dated) else None,
        "date_max": dated.max().date().isoformat() if len(dated) else None,
        "n_undated": int(docs["date"].isna().sum()),
    }
    return tables, corpus


# --------------------------------------------------------------------------------------------
# Coverage tables from aggregates (shared by arrow and duckdb)
# --------------------------------------------------------------------------------------------


def _coverage_from_aggregates(by_kind, monthly, by_outlet, para_counts):
    """Today's coverage, coverage_monthly and coverage_outlet from grouped counts.

    by_kind: coop_type -> (n_documents, date_min, date_max, n_outlets);
    monthly: DataFrame month (Period), coop_type, n; by_outlet: DataFrame outlet, coop_type, n
    (outlet with None as "(unknown)"); para_counts: coop_type -> n_paragraphs.
    """
    import pandas as pd

    from analysis import compare as cp

    n_docs_total = sum(v[0] for v in by_kind.values())
    n_paras_total = sum(para_counts.values())
    rows = []
    for coop in cp.COOP_TYPES:
        n, dmin, dmax, n_outlets = by_kind.get(coop, (0, None, None, 0))
        n_paras = int(para_counts.get(coop, 0))
        rows.append(
            {
                "coop_type": coop,
                "n_documents": n,
                "share_documents": n / n_docs_total if n_docs_total else float("nan"),
                "n_paragraphs": n_paras,
                "share_paragraphs": n_paras / n_paras_total if n_paras_total else float("nan"),
                "n_outlets": int(n_outlets),
                "date_min": dmin.isoformat() if dmin is not None else "",
                "date_max": dmax.isoformat() if dmax is not None else "",
            }
        )
    coverage = pd.DataFrame(rows)
    present = {k for k, v in by_kind.items() if v[0]} | set(cp.CONTRAST)
    kinds = [t for t in cp.COOP_TYPES if t in present]
    if monthly.empty:
        monthly_table = pd.DataFrame(
            {
                "month": pd.Series(dtype=str),
                "coop_type": pd.Series(dtype=str),
                "n_documents": pd.Series(dtype="int64"),
            }
        )
    else:
        months = pd.period_range(monthly["month"].min(), monthly["month"].max(), freq="M")
        counts = monthly.set_index(["month", "coop_type"])["n"]
        grid = pd.MultiIndex.from_product([months, kinds], names=["month", "coop_type"])
        monthly_table = counts.reindex(grid, fill_value=0).rename("n_documents").reset_index()
        monthly_table["month"] = monthly_table["month"].astype(str)
        monthly_table["n_documents"] = monthly_table["n_documents"].astype("int64")
    totals = by_outlet.groupby("outlet")["n"].sum()
    order = sorted(totals.index, key=lambda o: (-int(totals[o]), o))
    counts = by_outlet.set_index(["outlet", "coop_type"])["n"]
    grid = pd.MultiIndex.from_product([order, kinds], names=["outlet", "coop_type"])
    outlet_table = counts.reindex(grid, fill_value=0).rename("n_documents").reset_index()
    outlet_table["n_documents"] = outlet_table["n_documents"].astype("int64")
    return {
        "coverage": coverage,
        "coverage_monthly": monthly_table,
        "coverage_outlet": outlet_table,
    }


def _coop_frames(docs_coop, paras_coop):
    """Today's document_frame/paragraph_frame cleaning applied to the cooperation subset."""
    import pandas as pd

    from analysis.compare.tables import _as_list

    docs_coop = docs_coop.copy()
    docs_coop["date"] = pd.to_datetime(docs_coop["date"]).dt.normalize()
    docs_coop["outlet"] = (
        docs_coop["outlet"].astype(object).where(docs_coop["outlet"].notna(), None)
    )
    docs_coop["coop_type"] = docs_coop["coop_type"].astype(str)
    docs_coop["partners"] = docs_coop["partners"].map(_as_list)
    docs_coop["sectors"] = docs_coop["sectors"].map(lambda v: sorted(set(_as_list(v))))
    docs_coop = docs_coop.sort_values("doc_id", kind="stable").reset_index(drop=True)
    paras_coop = paras_coop.copy()
    paras_coop["coop_type"] = paras_coop["coop_type"].astype(str)
    paras_coop["sectors"] = paras_coop["sectors"].map(lambda v: sorted(set(_as_list(v))))
    paras_coop = paras_coop.sort_values("para_id", kind="stable").reset_index(drop=True)
    return docs_coop, paras_coop


def _counts_series(terms: list[str], counts: list[int]):
    import pandas as pd

    if not terms:
        return pd.Series(dtype="int64", name="count")
    series = pd.Series(counts, index=pd.Index(terms, dtype=object), dtype="int64", name="count")
    return series.sort_index()


# --------------------------------------------------------------------------------------------
# arrow
# --------------------------------------------------------------------------------------------


def _plain_strings(table):
    """large_string columns (pandas-written files) as string, so joins see one key type."""
    import pyarrow as pa

    for i, field in enumerate(table.schema):
        if pa.types.is_large_string(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.string()))
    return table


def engine_arrow(inputs: Path) -> tuple[dict, dict]:
    import datetime as dt
    from collections import Counter

    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from analysis import compare as cp

    p = _paths(inputs)
    coop_kinds = [k for k in cp.COOP_TYPES if k != "none"]
    # documents: four small columns; the kept ones joined with their document-level coding
    documents = _plain_strings(
        pq.read_table(p["documents"], columns=["doc_id", "outlet", "date", "duplicate_of"])
    )
    kept = documents.filter(pc.is_null(documents["duplicate_of"])).drop_columns(["duplicate_of"])
    del documents
    doc_rows = _plain_strings(
        pq.read_table(
            p["classified"],
            columns=["level", "doc_id", "coop_type"],
            filters=[("level", "=", "document")],
        )
    ).drop_columns(["level"])
    if len(doc_rows) != len(pc.unique(doc_rows["doc_id"])):
        raise SystemExit("classified.parquet: a document has more than one document-level row")
    joined = kept.join(doc_rows, "doc_id", join_type="left outer")
    if pc.any(pc.is_null(joined["coop_type"])).as_py():
        raise SystemExit("classified.parquet: a document has no document-level coding")
    dates = pc.cast(joined["date"], pa.timestamp("ns"))
    day = pc.floor_temporal(dates, unit="day")
    joined = joined.set_column(joined.schema.get_field_index("date"), "date", day)
    joined = joined.append_column("month", pc.strftime(day, format="%Y-%m"))
    outlet = pc.fill_null(joined["outlet"], "(unknown)")
    joined = joined.append_column("outlet_key", outlet)
    agg = (
        joined.group_by("coop_type")
        .aggregate(
            [("doc_id", "count"), ("date", "min"), ("date", "max"), ("outlet", "count_distinct")]
        )
        .to_pylist()
    )
    by_kind = {}
    for row in agg:

        def day_of(v):
            return None if v is None else (v.date() if hasattr(v, "date") else v)

        by_kind[row["coop_type"]] = (
            row["doc_id_count"],
            day_of(row["date_min"]),
            day_of(row["date_max"]),
            row["outlet_count_distinct"],
        )
    dated = joined.filter(pc.is_valid(joined["date"]))
    import pandas as pd

    monthly = dated.group_by(["month", "coop_type"]).aggregate([("doc_id", "count")]).to_pandas()
    monthly = monthly.rename(columns={"doc_id_count": "n"})
    monthly["month"] = pd.PeriodIndex(monthly["month"], freq="M")
    by_outlet = (
        joined.group_by(["outlet_key", "coop_type"])
        .aggregate([("doc_id", "count")])
        .to_pandas()
        .rename(columns={"outlet_key": "outlet", "doc_id_count": "n"})
    )
    n_docs = len(joined)
    outlets = sorted(pc.unique(pc.drop_null(joined["outlet"])).to_pylist())
    date_min, date_max = pc.min(joined["date"]).as_py(), pc.max(joined["date"]).as_py()
    n_undated = int(pc.sum(pc.is_null(joined["date"])).as_py() or 0)
    kept_ids = joined["doc_id"]
    coop_docs = joined.filter(pc.is_in(joined["coop_type"], pa.array(coop_kinds)))
    del joined, kept, doc_rows, dated

    # classified: record batches; paragraph counts per kind, the cooperation rows kept
    para_counts: Counter = Counter()
    coop_para_parts, doc_code_parts = [], []
    source = pq.ParquetFile(p["classified"])
    for batch in source.iter_batches(
        BATCH_ROWS, columns=["level", "doc_id", "para_id", "coop_type", "partners", "sectors"]
    ):
        is_para = pc.equal(batch["level"], "paragraph")
        paras = batch.filter(is_para)
        counts = pc.value_counts(paras["coop_type"])
        para_counts.update(
            dict(zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist()))
        )
        coop = pc.is_in(batch["coop_type"], pa.array(coop_kinds))
        coop_para_parts.append(
            paras.filter(pc.is_in(paras["coop_type"], pa.array(coop_kinds))).select(
                ["para_id", "doc_id", "coop_type", "sectors"]
            )
        )
        doc_code_parts.append(
            batch.filter(pc.and_(pc.invert(is_para), coop)).select(
                ["doc_id", "partners", "sectors"]
            )
        )
    coop_paras = pa.Table.from_batches(coop_para_parts)
    contrast_ids = {
        k: coop_paras.filter(pc.equal(coop_paras["coop_type"], k))["para_id"] for k in cp.CONTRAST
    }
    # paragraphs: record batches; stems of the contrasted paragraphs counted, every
    # paragraph's document checked against the kept documents
    stems = {k: Counter() for k in cp.CONTRAST}
    n_paragraphs_kept = 0
    source = pq.ParquetFile(p["paragraphs"])
    for batch in source.iter_batches(BATCH_ROWS, columns=["para_id", "doc_id", "stems"]):
        n_paragraphs_kept += int(pc.sum(pc.is_in(batch["doc_id"], kept_ids)).as_py() or 0)
        for kind, ids in contrast_ids.items():
            rows = batch.filter(pc.is_in(batch["para_id"], ids))
            if len(rows):
                counts = pc.value_counts(pc.list_flatten(rows["stems"]))
                stems[kind].update(
                    dict(
                        zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist())
                    )
                )
    if n_paragraphs_kept != sum(para_counts.values()):
        raise SystemExit("classified.parquet: paragraphs of kept documents without a coding")
    counts_a = _counts_series(list(stems[cp.CONTRAST[0]]), list(stems[cp.CONTRAST[0]].values()))
    counts_b = _counts_series(list(stems[cp.CONTRAST[1]]), list(stems[cp.CONTRAST[1]].values()))
    # the cooperation subset as pandas, and the topics of its paragraphs
    codes = pa.Table.from_batches(doc_code_parts)
    # (Arrow joins cannot carry list columns; the cooperation subset is small: pandas)
    docs_coop = (
        coop_docs.select(["doc_id", "outlet", "date", "coop_type"])
        .to_pandas()
        .merge(codes.to_pandas(), on="doc_id", how="left", validate="one_to_one")
    )
    docs_coop["partners"] = [list(v) if v is not None else [] for v in docs_coop["partners"]]
    # every paragraph coded as cooperation counts with its own kind, whatever its document's
    paras_coop = coop_paras.to_pandas()
    docs_coop, paras_coop = _coop_frames(docs_coop, paras_coop)
    topics = _plain_strings(
        pq.read_table(p["topics"], columns=["para_id", "doc_id", "topic", "topic_label"])
    )
    topics_coop = topics.filter(pc.is_in(topics["para_id"], coop_paras["para_id"]))
    labels = topics.group_by(["topic", "topic_label"]).aggregate([]).to_pandas()
    del topics
    # rows standing for topics no cooperation paragraph has: their labels keep the order
    topics_frame = pd.concat(
        [topics_coop.to_pandas(), labels.assign(para_id="", doc_id="")], ignore_index=True
    )
    tables = _coverage_from_aggregates(by_kind, monthly, by_outlet, para_counts)
    tables.update(_subset_tables(docs_coop, paras_coop, topics_frame, counts_a, counts_b))
    tables["coverage_monthly_wide"] = cp._wide_monthly(tables["coverage_monthly"])

    def iso(v):
        return None if v is None else (v.date() if isinstance(v, dt.datetime) else v).isoformat()

    corpus = {
        "n_documents": n_docs,
        "n_paragraphs": sum(para_counts.values()),
        "outlets": outlets,
        "date_min": iso(date_min),
        "date_max": iso(date_max),
        "n_undated": n_undated,
    }
    return tables, corpus


# --------------------------------------------------------------------------------------------
# duckdb
# --------------------------------------------------------------------------------------------


def engine_duckdb(inputs: Path, threads: int = 1, memory_limit: str = "1GB") -> tuple[dict, dict]:
    import duckdb
    import pandas as pd

    from analysis import compare as cp

    p = {k: str(v) for k, v in _paths(inputs).items()}
    con = duckdb.connect(
        config={"threads": threads, "memory_limit": memory_limit, "preserve_insertion_order": False}
    )
    con.execute(f"""
        CREATE TEMP VIEW kept AS
          SELECT d.doc_id, d.outlet, CAST(d.date AS DATE) AS day, c.coop_type
          FROM read_parquet('{p["documents"]}') d
          LEFT JOIN (SELECT doc_id, coop_type FROM read_parquet('{p["classified"]}')
                     WHERE level = 'document') c USING (doc_id)
          WHERE d.duplicate_of IS NULL""")
    problems = con.execute("""SELECT count(*) FILTER (WHERE coop_type IS NULL),
                                     count(*) - count(DISTINCT doc_id) FROM kept""").fetchone()
    if problems != (0, 0):
        raise SystemExit(f"classified.parquet: uncoded or repeated documents {problems}")
    by_kind = {
        r[0]: (r[1], r[2], r[3], r[4])
        for r in con.execute("""
        SELECT coop_type, count(*), min(day), max(day), count(DISTINCT outlet)
        FROM kept GROUP BY coop_type""").fetchall()
    }
    monthly = con.execute("""
        SELECT strftime(day, '%Y-%m') AS month, coop_type, count(*) AS n
        FROM kept WHERE day IS NOT NULL GROUP BY ALL""").df()
    monthly["month"] = pd.PeriodIndex(monthly["month"], freq="M")
    by_outlet = con.execute("""
        SELECT coalesce(outlet, '(unknown)') AS outlet, coop_type, count(*) AS n
        FROM kept GROUP BY ALL""").df()
    n_docs, date_min, date_max, n_undated = con.execute(
        "SELECT count(*), min(day), max(day), count(*) - count(day) FROM kept"
    ).fetchone()
    outlets = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT outlet FROM kept WHERE outlet IS NOT NULL ORDER BY outlet"
        ).fetchall()
    ]
    outlets = sorted(outlets)  # Python's order, as today's sorted()
    con.execute(f"""
        CREATE TEMP TABLE coop_paras AS
          SELECT para_id, doc_id, coop_type, sectors FROM read_parquet('{p["classified"]}')
          WHERE level = 'paragraph' AND coop_type <> 'none'""")
    para_counts = dict(
        con.execute(f"""
        SELECT coop_type, count(*) FROM read_parquet('{p["classified"]}')
        WHERE level = 'paragraph' GROUP BY coop_type""").fetchall()
    )
    n_paragraphs_kept = con.execute(f"""
        SELECT count(*) FROM read_parquet('{p["paragraphs"]}') WHERE doc_id IN
        (SELECT doc_id FROM kept)""").fetchone()[0]
    if n_paragraphs_kept != sum(para_counts.values()):
        raise SystemExit("classified.parquet: paragraphs of kept documents without a coding")
    stem_rows = con.execute(f"""
        SELECT c.coop_type, s.stem, count(*) AS n
        FROM (SELECT para_id, coop_type FROM coop_paras
              WHERE coop_type IN ('{cp.CONTRAST[0]}', '{cp.CONTRAST[1]}')) c
        JOIN (SELECT para_id, unnest(stems) AS stem FROM read_parquet('{p["paragraphs"]}')
              WHERE para_id IN (SELECT para_id FROM coop_paras)) s USING (para_id)
        GROUP BY ALL""").fetchall()
    per_kind: dict[str, dict[str, int]] = {k: {} for k in cp.CONTRAST}
    for kind, stem, n in stem_rows:
        per_kind[kind][stem] = n
    counts_a = _counts_series(
        list(per_kind[cp.CONTRAST[0]]), list(per_kind[cp.CONTRAST[0]].values())
    )
    counts_b = _counts_series(
        list(per_kind[cp.CONTRAST[1]]), list(per_kind[cp.CONTRAST[1]].values())
    )
    docs_coop = con.execute(f"""
        SELECT k.doc_id, k.outlet, CAST(k.day AS TIMESTAMP) AS date, k.coop_type, c.partners,
               c.sectors
        FROM kept k JOIN (SELECT doc_id, partners, sectors FROM read_parquet('{p["classified"]}')
                          WHERE level = 'document') c USING (doc_id)
        WHERE k.coop_type <> 'none'""").df()
    docs_coop["partners"] = [list(v) if v is not None else [] for v in docs_coop["partners"]]
    paras_coop = con.execute("SELECT * FROM coop_paras").df()
    docs_coop, paras_coop = _coop_frames(docs_coop, paras_coop)
    topics_coop = con.execute(f"""
        SELECT para_id, doc_id, topic, topic_label FROM read_parquet('{p["topics"]}')
        WHERE para_id IN (SELECT para_id FROM coop_paras)""").df()
    labels = con.execute(f"""SELECT DISTINCT topic, topic_label
                             FROM read_parquet('{p["topics"]}')""").df()
    topics_frame = pd.concat([topics_coop, labels.assign(para_id="", doc_id="")], ignore_index=True)
    tables = _coverage_from_aggregates(by_kind, monthly, by_outlet, para_counts)
    tables.update(_subset_tables(docs_coop, paras_coop, topics_frame, counts_a, counts_b))
    tables["coverage_monthly_wide"] = cp._wide_monthly(tables["coverage_monthly"])
    corpus = {
        "n_documents": n_docs,
        "n_paragraphs": sum(para_counts.values()),
        "outlets": outlets,
        "date_min": date_min.isoformat() if date_min else None,
        "date_max": date_max.isoformat() if date_max else None,
        "n_undated": int(n_undated),
    }
    return tables, corpus


# --------------------------------------------------------------------------------------------
# Runner and check
# --------------------------------------------------------------------------------------------


def _vmhwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run(engine: str, inputs: Path, out: Path, threads: int) -> dict:
    started = time.perf_counter()
    cpu = time.process_time()
    if engine == "today":
        tables, corpus = engine_today(inputs)
    elif engine == "arrow":
        tables, corpus = engine_arrow(inputs)
    else:
        tables, corpus = engine_duckdb(inputs, threads=threads)
    seconds = time.perf_counter() - started
    from analysis.core.io import write_csv

    out.mkdir(parents=True, exist_ok=True)
    for name, table in sorted(tables.items()):
        write_csv(out / f"{name}.csv", table)
    (out / "corpus.json").write_text(json.dumps(corpus, indent=1, sort_keys=True) + "\n")
    import pickle

    # the frames themselves, to compare every float bit (the CSVs print 6 significant digits)
    with (out / "tables.pkl").open("wb") as handle:
        pickle.dump({k: v.reset_index(drop=True) for k, v in tables.items()}, handle)
    result = {
        "engine": engine,
        "wall_s": round(seconds, 2),
        "cpu_s": round(time.process_time() - cpu, 2),
        "peak_rss_mb": round(_vmhwm_mb()),
        "threads": threads if engine == "duckdb" else 1,
    }
    (out / "timing.json").write_text(json.dumps(result) + "\n")
    return result


def check(out: Path, engines: list[str], reference: Path | None) -> dict:
    base = out / "today"
    names = sorted(p.name for p in base.glob("*.csv")) + ["corpus.json"]
    import pickle

    report = {}
    with (base / "tables.pkl").open("rb") as handle:
        reference_frames = pickle.load(handle)
    for engine in engines:
        if engine == "today":
            continue
        report[engine] = {n: filecmp.cmp(base / n, out / engine / n, shallow=False) for n in names}
        with (out / engine / "tables.pkl").open("rb") as handle:
            frames = pickle.load(handle)
        # DataFrame.equals: same dtypes and the same values, float bits included (NaN == NaN)
        report[engine + " (frames, bit for bit)"] = {
            name: bool(frame.equals(frames.get(name))) for name, frame in reference_frames.items()
        }
    if reference is not None:
        report["today vs pipeline reports"] = {
            n: filecmp.cmp(base / n, reference / n, shallow=False)
            for n in names
            if (reference / n).is_file()
        }
    return report


def bench(
    inputs: Path,
    out: Path,
    engines: list[str],
    duckdb_path: str | None,
    threads: int,
    reference: Path | None,
    rounds: int,
) -> dict:
    from analysis.core.runtime import pinned_environment

    results = {"inputs": str(inputs), "runs": []}
    for r in range(rounds):
        for engine in engines:
            env = pinned_environment(dict(os.environ))
            env["PYTHONPATH"] = os.pathsep.join(
                x for x in (str(ROOT / "src"), duckdb_path if engine == "duckdb" else None) if x
            )
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
                    str(out / engine),
                    "--threads",
                    str(threads),
                ],
                env=env,
                capture_output=True,
                text=True,
            )
            if proc.returncode != 0:
                raise SystemExit(f"{engine} failed:\n{proc.stderr[-3000:]}")
            timing = json.loads((out / engine / "timing.json").read_text())
            timing.update(round=r, load=round(load, 2))
            results["runs"].append(timing)
            print(json.dumps(timing), file=sys.stderr, flush=True)
    results["identical"] = check(out, engines, reference)
    if duckdb_path and "duckdb" in engines:
        env = dict(os.environ, PYTHONPATH=duckdb_path)
        results["duckdb_version"] = subprocess.run(
            [sys.executable, "-c", "import duckdb; print(duckdb.__version__)"],
            env=env,
            capture_output=True,
            text=True,
        ).stdout.strip()
    (out / "bench.json").write_text(json.dumps(results, indent=1) + "\n")
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run")
    p.add_argument("--engine", choices=ENGINES, required=True)
    p.add_argument("--inputs", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--threads", type=int, default=1)
    p = sub.add_parser("bench")
    p.add_argument("--inputs", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--engines", default=",".join(ENGINES))
    p.add_argument("--duckdb-path", default=None)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--reference", type=Path, default=None)
    p.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    if args.command == "run":
        print(json.dumps(run(args.engine, args.inputs, args.out, args.threads)))
    else:
        engines = args.engines.split(",")
        result = bench(
            args.inputs,
            args.out,
            engines,
            args.duckdb_path,
            args.threads,
            args.reference,
            args.rounds,
        )
        print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
