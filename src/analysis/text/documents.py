"""The documents and rejects tables of the ingest stage: cleaned records, duplicates flagged."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..core.errors import UserError
from ..core.parallel import progress
from ..core.schemas import REJECT_REASONS, documents_schema
from .dedup import Deduplicator
from .lexicons import load_cleaning_lexicons
from .records import RawRecord, iter_outcomes
from .tokens import WORD_RUN

if TYPE_CHECKING:
    from ..core.config import ComputeParams, IngestParams

__all__ = ["IngestResult", "ingest_documents"]


def _str_column(values: list) -> pd.Series:
    return pd.Series(values, dtype="str")


def _documents_frame(rows: list[tuple[RawRecord, str | None]]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "doc_id": _str_column([r.doc_id for r, _ in rows]),
            "source_file": _str_column([r.source_file for r, _ in rows]),
            "record": _str_column([r.record for r, _ in rows]),
            "outlet": _str_column([r.outlet for r, _ in rows]),
            "date": pd.Series(pd.to_datetime([r.date for r, _ in rows]), dtype="datetime64[ns]"),
            "title": _str_column([r.title for r, _ in rows]),
            "url": _str_column([r.url for r, _ in rows]),
            "text": _str_column([r.text for r, _ in rows]),
            "language": _str_column([r.language for r, _ in rows]),
            "n_words": pd.Series([r.n_words for r, _ in rows], dtype="int64"),
            "duplicate_of": _str_column([dup for _, dup in rows]),
        }
    )
    return documents_schema().validate(frame)


def _rejects_frame(rows: list[RawRecord]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_file": _str_column([r.source_file for r in rows]),
            "record": _str_column([r.record for r in rows]),
            "reason": _str_column([r.reason for r in rows]),
            "detail": _str_column([r.detail for r in rows]),
        }
    )


def _file_format(source_file: str) -> str:
    lower = source_file.lower()
    if lower.endswith(".jsonl.gz"):
        return "jsonl.gz"
    suffix = os.path.splitext(lower)[1].lstrip(".")
    return suffix or "(none)"


@dataclass(frozen=True)
class IngestResult:
    """What :func:`ingest_documents` produced: the documents and rejects tables."""

    documents: pd.DataFrame
    rejects: pd.DataFrame

    def metrics(self) -> dict:
        """JSON-ready counts for ``reports/metrics``.

        ``n_documents`` counts every row of documents.parquet, duplicates included;
        ``documents_by_outlet``, ``date_min``/``date_max`` and ``n_words_total`` describe the
        documents later stages use (``duplicate_of`` null). Every reject reason is listed, with
        0 when it did not occur, so the keys are the same on every run.
        """
        docs = self.documents
        unique = docs[docs["duplicate_of"].isna()]
        reasons = Counter(self.rejects["reason"])
        outlets = Counter(unique["outlet"].fillna("(unknown)"))
        dates = unique["date"].dropna()
        return {
            "n_inputs": int(len(docs) + len(self.rejects)),
            "n_documents": int(len(docs)),
            "n_unique_documents": int(len(unique)),
            "n_duplicates": int(docs["duplicate_of"].notna().sum()),
            "n_rejects": int(len(self.rejects)),
            "rejects_by_reason": {reason: int(reasons.get(reason, 0)) for reason in REJECT_REASONS},
            "documents_by_outlet": dict(sorted((str(k), int(v)) for k, v in outlets.items())),
            "date_min": dates.min().date().isoformat() if len(dates) else None,
            "date_max": dates.max().date().isoformat() if len(dates) else None,
            "n_words_total": int(unique["n_words"].sum()),
        }

    def summary_table(self) -> pd.DataFrame:
        """One row per (status, reason, format) with its count, for the ingest notebook.

        status is ``document``, ``duplicate`` (reason ``exact_duplicate`` when the copy has the
        same words as the first, else ``near_duplicate``) or ``rejected`` (reason from rejects).
        """
        docs = self.documents
        words = {
            doc_id: WORD_RUN.findall(text.casefold())
            for doc_id, text, dup in zip(docs["doc_id"], docs["text"], docs["duplicate_of"])
            if isinstance(dup, str)
        }
        originals = set(docs["duplicate_of"].dropna())
        words.update(
            {
                doc_id: WORD_RUN.findall(text.casefold())
                for doc_id, text in zip(docs["doc_id"], docs["text"])
                if doc_id in originals
            }
        )
        rows = []
        for doc_id, source_file, dup in zip(
            docs["doc_id"], docs["source_file"], docs["duplicate_of"]
        ):
            if isinstance(dup, str):
                kind = "exact_duplicate" if words[doc_id] == words[dup] else "near_duplicate"
                rows.append(("duplicate", kind, _file_format(source_file)))
            else:
                rows.append(("document", "", _file_format(source_file)))
        for source_file, reason in zip(self.rejects["source_file"], self.rejects["reason"]):
            rows.append(("rejected", reason, _file_format(source_file)))
        table = pd.DataFrame(rows, columns=["status", "reason", "format"])
        order = {"document": 0, "duplicate": 1, "rejected": 2}
        counts = (
            table.groupby(["status", "reason", "format"], sort=False)
            .size()
            .rename("n")
            .reset_index()
        )
        counts["_order"] = counts["status"].map(order)
        counts = counts.sort_values(["_order", "reason", "format"]).drop(columns="_order")
        return counts.reset_index(drop=True)


def ingest_documents(
    raw_dir: str | Path,
    *,
    metadata_file: str | Path | None,
    lexicon_dir: str | Path,
    ingest: IngestParams,
    compute: ComputeParams | None,
    seed: int,
) -> IngestResult:
    """Clean every article under ``raw_dir`` into the documents and rejects tables.

    Every input file or record ends up in exactly one of the two tables. Metadata precedence:
    the sidecar (``metadata.csv``) wins where its cell is non-empty; then what the record or
    page states (JSONL/CSV fields, HTML meta tags; for the outlet, the ``source`` field before
    the URL's domain); then what the text says (dateline, header line, byline date,
    weekday-anchored date). Language: :func:`~analysis.text.language.identify_language`. Too
    short: fewer than ``ingest.min_words`` whitespace words after cleaning. Duplicates
    (:class:`~analysis.text.dedup.Deduplicator`) stay in the documents with ``duplicate_of``.

    Args:
        raw_dir: input folder; sub-folders are included. Never written to.
        metadata_file: sidecar CSV whose non-empty cells override extracted metadata; its
            ``file`` column is relative to ``raw_dir``. None for none.
        lexicon_dir: folder of the cleaning lexicons.
        ingest: ``min_words`` and ``near_duplicate_threshold`` (params.yaml ``ingest``).
        compute: where the per-record cleaning runs (``local`` pool or ``dask``); reading the
            input and duplicate detection (global over all documents) stay in this process.
            The tables are the same for every backend and number of workers.
        seed: seed of the MinHash permutations (params.yaml ``seed``).

    Returns:
        The two tables, with ``metrics()`` and ``summary_table()``.

    Raises:
        UserError: for a missing or empty folder, a missing lexicon or sidecar, or a sidecar
            date that is not a date.
    """
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise UserError(
            f"raw_dir {raw_dir} is not a directory; point ingest.raw_dir at a folder of articles"
        )
    lexicons = load_cleaning_lexicons(lexicon_dir)
    dedup = Deduplicator(float(ingest.near_duplicate_threshold), seed)
    documents: list[tuple[RawRecord, str | None]] = []
    rejects: list[RawRecord] = []
    outcomes = iter_outcomes(
        raw_dir,
        lexicons=lexicons,
        metadata_file=metadata_file,
        min_words=ingest.min_words,
        compute=compute,
        seed=seed,
    )
    with progress(desc="ingest", unit=" articles") as bar:
        for outcome in outcomes:
            bar.update(1)
            record = outcome.record
            if record.is_reject:
                rejects.append(record)
                continue
            documents.append((record, dedup.check(record.doc_id, outcome.fingerprint)))
    del dedup
    return IngestResult(_documents_frame(documents), _rejects_frame(rejects))
