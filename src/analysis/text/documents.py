"""The documents and rejects tables of the ingest stage: cleaned records, duplicates flagged."""

# The tables are produced in batches, in input order, as the records come back from the workers:
# each document's duplicate decision is final when it is checked, so nothing but the duplicate
# detector's compact index and the counts for the metrics is kept from one batch to the next.

from __future__ import annotations

import datetime as dt
import functools
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..core.errors import UserError
from ..core.parallel import progress
from ..core.schemas import REJECT_REASONS, documents_schema
from .dedup import Deduplicator
from .lexicons import load_cleaning_lexicons
from .records import RawRecord, iter_outcomes

if TYPE_CHECKING:
    from ..core.config import ComputeParams, IngestParams

__all__ = [
    "DOCUMENT_BATCH_ROWS",
    "IngestBatch",
    "IngestCounts",
    "IngestResult",
    "empty_rejects_frame",
    "ingest_batches",
]

#: Documents per batch handed to the writer (the stage writes row groups of its own size).
DOCUMENT_BATCH_ROWS = 4096
#: Rejects per batch handed to the writer.
REJECT_BATCH_ROWS = 4096


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
    return _batch_schema().validate(frame)


@functools.lru_cache(maxsize=1)
def _batch_schema():
    """documents.parquet's schema for one batch: the cross-row check that ``duplicate_of``
    names a doc_id of the table is left out, because the original may be in an earlier batch;
    the duplicate detector only ever returns the doc_id of a document it kept, which holds it.
    doc_ids are unique by construction (a file's path, plus a key unique within the file)."""
    schema = documents_schema()
    schema.checks = [c for c in schema.checks if "duplicate_of" not in str(c.error)]
    return schema


def _rejects_frame(rows: list[RawRecord]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_file": _str_column([r.source_file for r in rows]),
            "record": _str_column([r.record for r in rows]),
            "reason": _str_column([r.reason for r in rows]),
            "detail": _str_column([r.detail for r in rows]),
        }
    )


def _unguard(value: str) -> str:
    """Undo :func:`~analysis.core.io.guard_formula` for a cell read back from rejects.csv."""
    if value.startswith("'") and value[1:2] in ("=", "+", "-", "@", "\t", "\r"):
        return value[1:]
    return value


def empty_rejects_frame() -> pd.DataFrame:
    """The rejects table without rows (its header is still written)."""
    return _rejects_frame([])


def _file_format(source_file: str) -> str:
    lower = source_file.lower()
    if lower.endswith(".jsonl.gz"):
        return "jsonl.gz"
    suffix = os.path.splitext(lower)[1].lstrip(".")
    return suffix or "(none)"


@dataclass
class IngestCounts:
    """What the metrics and the notebook's summary need, counted while the tables stream by."""

    n_documents: int = 0
    n_duplicates: int = 0
    n_rejects: int = 0
    n_words_total: int = 0  # of the documents without duplicate_of
    rejects_by_reason: Counter = field(default_factory=Counter)
    outlets: Counter = field(default_factory=Counter)  # of the documents without duplicate_of
    date_min: dt.date | None = None
    date_max: dt.date | None = None
    summary: Counter = field(default_factory=Counter)  # (status, reason, format) -> n

    def add_document(self, record: RawRecord, duplicate_of: str | None, exact: bool) -> None:
        self.n_documents += 1
        fmt = _file_format(record.source_file)
        if duplicate_of is not None:
            self.n_duplicates += 1
            kind = "exact_duplicate" if exact else "near_duplicate"
            self.summary["duplicate", kind, fmt] += 1
            return
        self.summary["document", "", fmt] += 1
        self.n_words_total += record.n_words
        self.outlets[record.outlet if record.outlet is not None else "(unknown)"] += 1
        if record.date is not None:
            day = record.date
            self.date_min = day if self.date_min is None else min(self.date_min, day)
            self.date_max = day if self.date_max is None else max(self.date_max, day)

    def add_reject(self, record: RawRecord) -> None:
        self.n_rejects += 1
        self.rejects_by_reason[record.reason] += 1
        self.summary["rejected", record.reason, _file_format(record.source_file)] += 1


@dataclass(frozen=True)
class IngestBatch:
    """Consecutive rows of one of the two tables, in input order (``table``: documents|rejects)."""

    table: str
    frame: pd.DataFrame


class IngestResult:
    """What the ingest stage produced: its counts, and the two tables read back on demand.

    The tables are not held: :attr:`documents` and :attr:`rejects` read the written files
    when asked for (the whole table; at a million articles that is gigabytes).
    """

    def __init__(self, counts: IngestCounts, *, documents_path: Path, rejects_path: Path):
        self.counts = counts
        self.documents_path = Path(documents_path)
        self.rejects_path = Path(rejects_path)

    @functools.cached_property
    def documents(self) -> pd.DataFrame:
        """documents.parquet as written (read on first use)."""
        return pd.read_parquet(self.documents_path)

    def documents_head(self, n: int) -> pd.DataFrame:
        """The first ``n`` rows of documents.parquet, read without the rest of the file (the
        same frame as ``documents.head(n)``, in memory bounded by ``n`` and one row group)."""
        reader = pq.ParquetFile(self.documents_path)
        batch = next(reader.iter_batches(batch_size=max(int(n), 1)), None)
        if batch is None:
            return reader.schema_arrow.empty_table().to_pandas()
        return pa.Table.from_batches([batch], schema=reader.schema_arrow).to_pandas()

    @functools.cached_property
    def rejects(self) -> pd.DataFrame:
        """rejects.csv as written (read on first use)."""
        return self.rejects_head(None)

    def rejects_head(self, n: int | None) -> pd.DataFrame:
        """The first ``n`` rows of rejects.csv (all with ``None``): an empty ``record`` is null,
        and the apostrophe the writer puts before a cell a spreadsheet would run as a formula is
        removed, so the values are those of the records."""
        # rows end in "\n" only; a "\r" inside an unquoted cell (an id from a JSON string) is text
        frame = pd.read_csv(
            self.rejects_path, dtype="str", keep_default_na=False, nrows=n, lineterminator="\n"
        )
        for column in frame.columns:
            frame[column] = frame[column].map(_unguard)
        frame["record"] = frame["record"].where(frame["record"] != "")
        return frame

    def metrics(self) -> dict:
        """JSON-ready counts for ``reports/metrics``.

        ``n_documents`` counts every row of documents.parquet, duplicates included;
        ``documents_by_outlet``, ``date_min``/``date_max`` and ``n_words_total`` describe the
        documents later stages use (``duplicate_of`` null). Every reject reason is listed, with
        0 when it did not occur, so the keys are the same on every run.
        """
        c = self.counts
        return {
            "n_inputs": c.n_documents + c.n_rejects,
            "n_documents": c.n_documents,
            "n_unique_documents": c.n_documents - c.n_duplicates,
            "n_duplicates": c.n_duplicates,
            "n_rejects": c.n_rejects,
            "rejects_by_reason": {r: int(c.rejects_by_reason.get(r, 0)) for r in REJECT_REASONS},
            "documents_by_outlet": dict(sorted((str(k), int(v)) for k, v in c.outlets.items())),
            "date_min": c.date_min.isoformat() if c.date_min is not None else None,
            "date_max": c.date_max.isoformat() if c.date_max is not None else None,
            "n_words_total": c.n_words_total,
        }

    def summary_table(self) -> pd.DataFrame:
        """One row per (status, reason, format) with its count, for the ingest notebook.

        status is ``document``, ``duplicate`` (reason ``exact_duplicate`` when the copy has the
        same words as the first, else ``near_duplicate``) or ``rejected`` (reason from rejects).
        """
        order = {"document": 0, "duplicate": 1, "rejected": 2}
        rows = sorted(
            ((status, reason, fmt, n) for (status, reason, fmt), n in self.counts.summary.items()),
            key=lambda row: (order[row[0]], row[1], row[2]),
        )
        table = pd.DataFrame(rows, columns=["status", "reason", "format", "n"])
        table["n"] = table["n"].astype("int64")
        return table


def ingest_batches(
    raw_dir: str | Path,
    *,
    metadata_file: str | Path | None,
    lexicon_dir: str | Path,
    ingest: IngestParams,
    compute: ComputeParams | None,
    seed: int,
    counts: IngestCounts,
    scratch_dir: str | None = None,
) -> Iterator[IngestBatch]:
    """Clean every article under ``raw_dir`` into batches of the documents and rejects tables.

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
        counts: filled while the batches are produced (metrics and the notebook's summary).
        scratch_dir: where the duplicate detector's temporary folder goes (None: the system's);
            it is removed when the generator finishes or is closed, also after an error.

    Yields:
        :class:`IngestBatch` objects in input order within each table; the documents come in
        batches of :data:`DOCUMENT_BATCH_ROWS` rows and end with a (possibly empty) last one.

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
    outcomes = iter_outcomes(
        raw_dir,
        lexicons=lexicons,
        metadata_file=metadata_file,
        min_words=ingest.min_words,
        compute=compute,
        seed=seed,
    )
    yield from _stream(outcomes, float(ingest.near_duplicate_threshold), seed, counts, scratch_dir)


def _stream(outcomes, threshold: float, seed: int, counts: IngestCounts, scratch_dir: str | None):
    """Decide each document in input order and hand the rows on in batches."""
    documents: list[tuple[RawRecord, str | None]] = []
    rejects: list[RawRecord] = []
    with (
        Deduplicator(threshold, seed, scratch_dir) as dedup,
        progress(desc="ingest", unit=" articles") as bar,
    ):
        for outcome in outcomes:
            bar.update(1)
            record = outcome.record
            if record.is_reject:
                counts.add_reject(record)
                rejects.append(record)
                if len(rejects) >= REJECT_BATCH_ROWS:
                    yield IngestBatch("rejects", _rejects_frame(rejects))
                    rejects = []
                continue
            duplicate_of = dedup.check(record.doc_id, outcome.fingerprint)
            counts.add_document(record, duplicate_of, dedup.last_exact)
            documents.append((record, duplicate_of))
            if len(documents) >= DOCUMENT_BATCH_ROWS:
                yield IngestBatch("documents", _documents_frame(documents))
                documents = []
    yield IngestBatch("documents", _documents_frame(documents))
    if rejects:
        yield IngestBatch("rejects", _rejects_frame(rejects))
