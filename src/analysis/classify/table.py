"""The classified.parquet table: every document and its paragraphs coded, in batches."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..core.errors import UserError
from ..core.io import read_stage_parquet
from ..core.schemas import CLASSIFIED_COLUMNS, classified_schema
from ..text.clean import probed_fingerprint, strip_leading_noise
from ..text.tokens import probe_words
from .rules import Classifier

__all__ = [
    "DOCUMENTS_PER_BATCH",
    "as_day",
    "classified_frame",
    "classify_rows",
    "document_batches",
    "read_classify_inputs",
    "sorted_inputs",
]

# Documents per worker task: 200 took 7 % less wall time than 50 at 100k (the pool's per-task
# work and one Arrow batch per task); classified.parquet is the same bytes either way.
DOCUMENTS_PER_BATCH = 200


def classify_rows(
    classifier: Classifier, batch: list[tuple[str, str | None, list[str], list[int], list[str]]]
) -> pa.RecordBatch:
    """classified.parquet rows of a batch of documents: each document, then its paragraphs."""
    # rows as tuples in CLASSIFIED_COLUMNS order, turned into columns once at the end (C speed);
    # the list columns take the codings' tuples as they are
    rows: list[tuple] = []
    for doc_id, title, para_ids, para_indices, texts in batch:
        # each paragraph stripped of its leading noise and read as words once, for its coding
        # and its fingerprint
        stripped = [strip_leading_noise(text or "", classifier.cleaning) for text in texts]
        probed = list(map(probe_words, stripped))
        coding = classifier.classify_document(title, texts, stripped=stripped, probed_words=probed)
        # story_id is left null here: stories join documents across batches (stories.py)
        rows.append(
            (
                "document",
                doc_id,
                None,
                None,
                None,
                coding.coop_type,
                coding.partners,
                coding.sectors,
                coding.evidence,
                coding.confidence or None,
                coding.confidence_reasons if coding.confidence else None,
                None,
                coding.cues,
            )
        )
        rows += [
            (
                "paragraph",
                doc_id,
                para_id,
                para_index,
                probed_fingerprint(clean, words),
                unit.coop_type,
                unit.partners,
                unit.sectors,
                unit.evidence,
                None,
                None,
                None,
                unit.cues,
            )
            for para_id, para_index, clean, (words, _hard), unit in zip(
                para_ids, para_indices, stripped, probed, coding.paragraphs, strict=True
            )
        ]
    schema = classified_schema()
    columns = list(zip(*rows)) if rows else [()] * len(CLASSIFIED_COLUMNS)
    return pa.RecordBatch.from_arrays(
        [pa.array(column, type=field.type) for column, field in zip(columns, schema, strict=True)],
        schema=schema,
    )


def document_batches(
    kept: pa.Table, paragraphs: pa.Table, size: int
) -> Iterable[list[tuple[str, str | None, list[str], list[int], list[str]]]]:
    """Batches of ``(doc_id, title, para_ids, para_indices, texts)``, documents in ``kept`` order.

    ``kept`` and ``paragraphs`` are sorted by doc_id, so a batch's paragraphs are one slice of
    ``paragraphs``; only one batch at a time becomes Python objects.
    """
    ends = pc.run_end_encode(paragraphs.column("doc_id").combine_chunks())
    spans: dict[str, tuple[int, int]] = {}
    start = 0
    for doc_id, end in zip(ends.values.to_pylist(), ends.run_ends.to_pylist()):
        spans[doc_id] = (start, end)
        start = end
    for offset in range(0, kept.num_rows, size):
        chunk = kept.slice(offset, size)
        doc_ids = chunk.column("doc_id").to_pylist()
        titles = chunk.column("title").to_pylist()
        found = [spans[d] for d in doc_ids if d in spans]
        first = found[0][0] if found else 0
        last = found[-1][1] if found else 0
        rows = paragraphs.slice(first, last - first)
        para_ids = rows.column("para_id").to_pylist()
        para_indices = rows.column("para_index").to_pylist()
        texts = [t or "" for t in rows.column("text").to_pylist()]
        batch = []
        for doc_id, title in zip(doc_ids, titles):
            lo, hi = spans.get(doc_id, (first, first))
            lo, hi = lo - first, hi - first
            batch.append(
                (
                    doc_id,
                    title if isinstance(title, str) else None,
                    para_ids[lo:hi],
                    [int(i) for i in para_indices[lo:hi]],
                    texts[lo:hi],
                )
            )
        yield batch


def read_classify_inputs(documents_path: Path, paragraphs_path: Path) -> tuple[pa.Table, pa.Table]:
    """The non-duplicate documents and their paragraphs, both sorted by doc_id (Arrow tables).

    Raises:
        UserError: an input file is missing or lacks a required column, or paragraphs refer to
            documents that are not in documents.parquet.
    """
    documents = _read_columns(
        documents_path, "ingest", ["doc_id", "title", "duplicate_of"], optional=["date"]
    )
    paragraphs = _read_columns(
        paragraphs_path, "preprocess", ["para_id", "doc_id", "para_index", "text"]
    )
    return sorted_inputs(documents, paragraphs, documents_path, paragraphs_path)


def sorted_inputs(
    documents: pa.Table, paragraphs: pa.Table, documents_path, paragraphs_path
) -> tuple[pa.Table, pa.Table]:
    """:func:`read_classify_inputs` of tables already read (the paths name them in errors).

    A documents table without ``date`` gets one of nulls: a date-less documents file still
    codes, without stories across dates.
    """
    if "date" not in documents.column_names:
        documents = documents.append_column(
            "date", pa.nulls(documents.num_rows, pa.timestamp("ns"))
        )
    unknown = pc.invert(pc.is_in(paragraphs.column("doc_id"), value_set=documents.column("doc_id")))
    if pc.any(unknown).as_py():
        orphans = sorted(set(paragraphs.column("doc_id").filter(unknown).to_pylist()))
        raise UserError(
            f"{paragraphs_path}: {len(orphans)} document id(s) not in {documents_path} "
            f"(first: {orphans[0]!r}); rerun ingest and preprocess together"
        )
    kept = documents.filter(pc.is_null(documents.column("duplicate_of")))
    kept = kept.take(pc.sort_indices(kept, sort_keys=[("doc_id", "ascending")]))
    paragraphs = paragraphs.filter(
        pc.is_in(paragraphs.column("doc_id"), value_set=kept.column("doc_id"))
    )
    paragraphs = paragraphs.take(
        pc.sort_indices(
            paragraphs, sort_keys=[("doc_id", "ascending"), ("para_index", "ascending")]
        )
    )
    return kept, paragraphs


def as_day(value: object):
    """A date or timestamp cell as a ``datetime.date`` (None when missing)."""
    if value is None:
        return None
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def classified_frame(arrow: pa.Table) -> pd.DataFrame:
    """The table as pandas: text columns as ``string``, para_index ``Int32``, lists as lists."""
    table = pd.DataFrame(
        {
            name: (
                pd.Series(arrow.column(name).to_pylist(), dtype=object)
                if name in ("partners", "sectors", "confidence_reasons", "cues")
                else arrow.column(name).to_pandas(
                    types_mapper={pa.int32(): pd.Int32Dtype(), pa.string(): pd.StringDtype()}.get
                )
            )
            for name in CLASSIFIED_COLUMNS
        }
    )
    return table


def _read_columns(
    path: str | Path, producer: str, names: list[str], optional: list[str] = ()
) -> pa.Table:
    """The ``names`` columns (required) and those of ``optional`` the file has."""
    present: list[str] = []
    if optional and Path(path).is_file():
        try:
            present = [c for c in optional if c in pq.read_schema(path).names]
        except Exception:  # noqa: BLE001 -- read_stage_parquet reports an unreadable file
            present = []
    return read_stage_parquet(path, producer, names, columns=[*names, *present], arrow=True)
