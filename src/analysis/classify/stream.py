"""classified.parquet written in bounded memory: parts of the corpus coded one after another."""

from __future__ import annotations

import concurrent.futures
import functools
import math
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..core.errors import UserError
from ..core.io import atomic_path, read_stage_parquet
from ..core.parallel import check_backend, compute_options, map_batches, read_ahead
from ..core.schemas import classified_schema
from . import table as table_module
from .rules import Classifier
from .stories import StoryDocument, assign_stories, story_words
from .table import as_day, classify_rows, document_batches, read_classify_inputs, sorted_inputs

if TYPE_CHECKING:
    from ..core.config import ComputeParams

__all__ = ["PART_DOCUMENTS", "ROW_GROUP_ROWS", "CodedSummary", "write_classified", "read_rows_of"]

# The table is in doc_id order (documents.parquet and paragraphs.parquet are in input order), and
# stories join documents of any part, so the stage works in three passes over small files:
#
# 1. **Split.** Only the doc_id and duplicate_of columns of documents.parquet are read whole (the
#    sorted ids of the kept documents fix each document's part: its rank // ``part_documents``).
#    When the corpus has more than one part, both inputs are read a row group at a time and
#    each row is appended to its part's spill file (only the columns classify uses).
#    A corpus of one part is read directly, as before.
# 2. **Code.** Each part is read, sorted like the whole corpus (:func:`.table.read_classify_inputs`)
#    and coded in batches of ``DOCUMENTS_PER_BATCH`` documents (in worker processes or on Dask workers);
#    each coded batch is appended to a spill file (Arrow IPC), and what stories need (date,
#    kind, partners, words) is kept for the coded documents only, which are few.
# 3. **Write.** Stories are grouped from those summaries, and the coded batches are read back in
#    order, given their story_id and written to classified.parquet in row groups of 2**20 rows,
#    the size ``pq.write_table`` uses, from the same batches: the file is the same bytes as
#    the whole-corpus table written at once.
#
# Memory is bounded by one part (its documents' titles and paragraph texts, default 50,000
# documents), one output row group and the sorted ids of the kept documents (about 100 bytes per
# document), so it stops growing with the corpus above one part. Spill files live in a hidden
# folder beside the output and are removed afterwards, also on an error (a killed run's at the
# next start).

#: Documents coded from one part: what bounds the stage's memory (titles and paragraph texts
#: of this many documents; the notebook kernel peaked at 0.7 GB at 100k, in two parts).
PART_DOCUMENTS = 50_000
#: Rows per row group of classified.parquet: pyarrow's default for ``pq.write_table``.
ROW_GROUP_ROWS = 1024 * 1024
#: Document rows kept for the notebook's table of the first documents.
FIRST_DOCUMENTS = 30
#: Batches a local worker codes between two garbage collections (``core.parallel.worker_pool``),
#: 5,000 documents: the rules make no reference cycles (collections every 2,000 documents
#: found none), and the automatic collector cost them 4 % of their CPU (benchmarks/RESULTS.md).
COLLECT_EVERY = 25

_DOCUMENT_COLUMNS = ["doc_id", "title", "duplicate_of"]
_PARAGRAPH_COLUMNS = ["para_id", "doc_id", "para_index", "text"]


@dataclass
class CodedSummary:
    """What the notebook shows of the coded table, gathered while it is written."""

    n_documents: int = 0
    #: document rows per coop_type, kinds in order of first appearance in the table
    kinds: dict[str, int] = field(default_factory=dict)
    #: the first :data:`FIRST_DOCUMENTS` document rows (with story_id), as Arrow
    first_documents: pa.Table | None = None

    def document_counts(self) -> pd.Series:
        """Documents per kind, as ``doc_rows["coop_type"].value_counts()`` gives them."""
        counts = pd.Series(
            list(self.kinds.values()),
            index=pd.Index(list(self.kinds), dtype=pd.StringDtype(), name="coop_type"),
            name="count",
            dtype="int64[pyarrow]",  # what value_counts() of a pyarrow-backed string column gives
        )
        return counts.sort_values(ascending=False, kind="stable")


def write_classified(
    documents_path: Path,
    paragraphs_path: Path,
    out_path: Path,
    classifier: Classifier,
    compute: ComputeParams | None,
    *,
    window_days: int,
    min_similarity: float,
    part_documents: int = PART_DOCUMENTS,
    on_batch: Callable[[int], None] | None = None,
) -> CodedSummary:
    """Code every kept document and paragraph and write classified.parquet (atomically).

    Args:
        documents_path, paragraphs_path: the ingest and preprocess outputs.
        out_path: classified.parquet.
        classifier: the rules.
        compute: the ``compute`` section (backend, n_jobs, scheduler) for the coding.
        window_days, min_similarity: the story settings (:mod:`.stories`).
        part_documents: documents per part (the memory bound); at least 1.
        on_batch: called with the number of documents of each coded batch (progress).

    Returns:
        The counts and first rows the notebook shows.

    Raises:
        UserError: an input is missing, unreadable or lacks a column, or paragraphs refer to
            documents that are not in documents.parquet.
    """
    if part_documents < 1:
        raise ValueError("part_documents must be at least 1")
    options = compute_options(compute)
    check_backend(options["backend"], options["n_jobs"], options["scheduler"])
    kept_ids = _kept_ids(documents_path, paragraphs_path)
    n_parts = max(1, math.ceil(len(kept_ids) / part_documents))
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    for stale in out_path.parent.glob(".classify-spill-*"):  # left by a killed run
        shutil.rmtree(stale, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix=".classify-spill-", dir=out_path.parent) as tmp:
        spill = Path(tmp)
        if n_parts == 1:
            parts = [(documents_path, paragraphs_path)]
        else:
            parts = _split(documents_path, paragraphs_path, kept_ids, part_documents, spill)
        del kept_ids
        coded_path = spill / "coded.parquet"
        stories = _code_parts(parts, classifier, options, coded_path, on_batch)
        story_of = assign_stories(stories, window_days=window_days, min_similarity=min_similarity)
        with atomic_path(out_path) as target:
            return _write_final(coded_path, target, story_of)


def _kept_ids(documents_path: Path, paragraphs_path: Path) -> pa.Array:
    """The sorted doc_ids of the non-duplicate documents; checks both inputs' columns."""
    read_stage_parquet(paragraphs_path, "preprocess", _PARAGRAPH_COLUMNS, columns=[], arrow=True)
    documents = read_stage_parquet(
        documents_path, "ingest", _DOCUMENT_COLUMNS, columns=["doc_id", "duplicate_of"], arrow=True
    )
    ids = documents.column("doc_id").filter(pc.is_null(documents.column("duplicate_of")))
    return ids.take(pc.sort_indices(ids)).combine_chunks()


def _split(
    documents_path: Path,
    paragraphs_path: Path,
    kept_ids: pa.Array,
    part_documents: int,
    spill: Path,
) -> list[tuple[Path, Path]]:
    """Each input's rows appended to the spill file of their document's part (file order kept).

    Raises:
        UserError: paragraphs refer to documents that are not in documents.parquet.
    """
    n_parts = math.ceil(len(kept_ids) / part_documents)
    # Arrow IPC files: read once, soon, so not worth encoding (as Parquet, writing the parts
    # of a million articles took 10 of the split's 15 s, all before any worker starts)
    parts = [
        (spill / f"documents-{k}.arrow", spill / f"paragraphs-{k}.arrow") for k in range(n_parts)
    ]
    doc_columns = [
        *_DOCUMENT_COLUMNS,
        *(["date"] if "date" in pq.read_schema(documents_path).names else []),
    ]
    all_ids = read_stage_parquet(documents_path, "ingest", columns=["doc_id"], arrow=True)
    rank_of = _KeptRank(all_ids.column(0), kept_ids)
    orphans: set[str] = set()
    for side, (path, columns) in enumerate(
        ((documents_path, doc_columns), (paragraphs_path, _PARAGRAPH_COLUMNS))
    ):
        writers: dict[int, pa.ipc.RecordBatchFileWriter] = {}
        try:
            producer = "ingest" if side == 0 else "preprocess"
            # the next row groups are decoded in a thread while this one is split
            for batch in read_ahead(functools.partial(_batches, path, columns, producer), 1):
                doc_ids = batch.column("doc_id")
                known, rank = rank_of(doc_ids)
                if side == 1 and not known.all():
                    orphans.update(doc_ids.filter(pa.array(~known)).to_pylist())
                part = np.where(rank >= 0, rank // part_documents, -1)
                for k in np.unique(part[part >= 0]).tolist():
                    rows = batch.filter(pa.array(part == k))
                    if k not in writers:
                        writers[k] = pa.ipc.new_file(str(parts[k][side]), rows.schema)
                    writers[k].write_batch(rows)
        finally:
            for writer in writers.values():
                writer.close()
    if orphans:
        first = sorted(orphans)[0]
        raise UserError(
            f"{paragraphs_path}: {len(orphans)} document id(s) not in {documents_path} "
            f"(first: {first!r}); rerun ingest and preprocess together"
        )
    for k, (docs, paras) in enumerate(parts):  # a part without paragraphs still codes its titles
        if not paras.exists():
            schema = pq.read_schema(paragraphs_path)
            with pa.ipc.new_file(
                str(paras), pa.schema([schema.field(name) for name in _PARAGRAPH_COLUMNS])
            ):
                pass
        if not docs.exists():  # cannot happen: every part holds kept documents
            raise AssertionError(f"part {k} has no documents")
    return parts


class _KeptRank:
    """Where each doc_id of a batch stands: in documents.parquet at all, and its rank among the
    kept (sorted) doc_ids (-1: a duplicate, or unknown).

    The hash tables are built once. Arrow's ``is_in``/``index_in`` build theirs from the value
    set on every call: once per batch, at a million documents, that was most of the split's time.
    """

    def __init__(self, all_ids: pa.ChunkedArray, kept_ids: pa.Array) -> None:
        unique = pc.unique(all_ids)
        self.index = pd.Index(unique.to_numpy(zero_copy_only=False), dtype=object)
        # the first position of each document id among the kept ones, as index_in gives it
        rank = pc.index_in(unique, value_set=kept_ids)
        self.rank = np.append(pc.fill_null(rank, -1).to_numpy().astype(np.int64), -1)

    def __call__(self, doc_ids: pa.Array) -> tuple[np.ndarray, np.ndarray]:
        position = self.index.get_indexer(doc_ids.to_numpy(zero_copy_only=False))
        return position >= 0, self.rank[position]  # position -1 reads the appended -1


def _batches(path: Path, columns: list[str], producer: str) -> Iterator[pa.RecordBatch]:
    """``columns`` of a Parquet file a row group at a time (an unreadable file is a UserError)."""
    try:
        handle = pq.ParquetFile(path)
        for group in range(handle.num_row_groups):
            yield from handle.read_row_group(group, columns=columns).to_batches()
    except (OSError, pa.ArrowException) as exc:
        raise UserError(f"{path}: unreadable ({exc}); rerun the {producer} stage") from None


def _part_batches(parts: list[tuple[Path, Path]]) -> Iterator[list[tuple]]:
    """Batches of ``DOCUMENTS_PER_BATCH`` documents (dates last), part after part, in doc_id order.

    The next part is read and sorted in a thread (Arrow releases the GIL) while this part's
    batches go to the workers, which would otherwise wait for it: two parts are held at most.
    """
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as reader:
        ahead = reader.submit(_read_part, *parts[0]) if parts else None
        for k in range(len(parts)):
            kept, paras = ahead.result()
            if k + 1 < len(parts):
                ahead = reader.submit(_read_part, *parts[k + 1])
            yield from _batches_of(kept, paras)
            del kept, paras


def _read_part(documents: Path, paragraphs: Path) -> tuple[pa.Table, pa.Table]:
    """A part's kept documents and their paragraphs, sorted (:func:`.table.read_classify_inputs`);
    the parts :func:`_split` wrote are Arrow IPC files, a single part is the inputs themselves."""
    if documents.suffix != ".arrow":
        return read_classify_inputs(documents, paragraphs)
    tables = []
    for path in (documents, paragraphs):
        with pa.memory_map(str(path)) as source:
            tables.append(pa.ipc.open_file(source).read_all())
    return sorted_inputs(*tables, documents, paragraphs)


def _batches_of(kept: pa.Table, paras: pa.Table) -> Iterator[list[tuple]]:
    """One part's batches, with each document's date last."""
    dates = kept.column("date").to_pylist()
    at = 0
    for batch in document_batches(kept, paras, table_module.DOCUMENTS_PER_BATCH):
        yield [(*item, as_day(dates[at + i])) for i, item in enumerate(batch)]
        at += len(batch)


def _code_batch(
    classifier: Classifier, batch: list[tuple]
) -> tuple[pa.RecordBatch, list[StoryDocument]]:
    """A batch's classified rows and the story summaries of its coded documents."""
    rows = classify_rows(classifier, [item[:5] for item in batch])
    dated = {item[0]: item for item in batch}
    stories = []
    level, doc_ids = rows.column("level").to_pylist(), rows.column("doc_id").to_pylist()
    kinds, partners = rows.column("coop_type").to_pylist(), rows.column("partners").to_pylist()
    for lv, doc_id, kind, names in zip(level, doc_ids, kinds, partners):
        if lv == "document" and kind != "none":
            _, title, _, _, texts, day = dated[doc_id]
            stories.append(
                StoryDocument(doc_id, day, kind, frozenset(names or ()), story_words(title, texts))
            )
    return rows, stories


def _code_parts(
    parts: list[tuple[Path, Path]],
    classifier: Classifier,
    options: dict,
    coded_path: Path,
    on_batch: Callable[[int], None] | None,
) -> list[StoryDocument]:
    """Code every part into ``coded_path``, an Arrow IPC file of the coded batches as they came
    (writing them costs a copy, where a Parquet spill file was encoded and compressed, then
    decoded); the coded documents' stories."""
    stories: list[StoryDocument] = []
    with (
        pa.OSFile(str(coded_path), "wb") as sink,
        pa.ipc.new_file(sink, classified_schema()) as writer,
    ):
        for rows, found in map_batches(
            _code_batch,
            _part_batches(parts),
            context=classifier,
            collect_every=COLLECT_EVERY,
            **options,
        ):
            writer.write_batch(rows)
            stories.extend(found)
            if on_batch is not None:
                on_batch(int(pc.sum(pc.equal(rows.column("level"), "document")).as_py() or 0))
    return stories


def _write_final(coded_path: Path, target: Path, story_of: dict[str, str]) -> CodedSummary:
    """The coded batches with their story_id, in row groups of :data:`ROW_GROUP_ROWS` rows."""
    schema = classified_schema()
    summary = CodedSummary()
    stories = _StoryColumn(story_of) if story_of else None
    pending: list[pa.RecordBatch] = []
    n_pending = 0
    # read, not memory-mapped: the batches kept (the first documents) must not depend on a
    # mapping of a file that is removed next (which Windows refuses while it is mapped)
    with (
        pa.OSFile(str(coded_path), "rb") as source,
        pq.ParquetWriter(target, schema, compression="zstd") as writer,
        _GroupWriter(writer) as groups,
    ):
        coded = pa.ipc.open_file(source)
        for batch in map(coded.get_batch, range(coded.num_record_batches)):
            pending.append(batch)
            n_pending += batch.num_rows
            while n_pending >= ROW_GROUP_ROWS:
                table = pa.Table.from_batches(pending, schema=schema)
                _write_group(groups, table.slice(0, ROW_GROUP_ROWS), stories, summary)
                pending = table.slice(ROW_GROUP_ROWS).to_batches()
                n_pending -= ROW_GROUP_ROWS
        if n_pending or summary.first_documents is None:
            _write_group(groups, pa.Table.from_batches(pending, schema=schema), stories, summary)
    return summary


class _GroupWriter:
    """Row groups encoded and written in a thread, in order, while the next one is assembled
    (pyarrow encodes without the GIL): one group is written while at most one more waits.
    Leaving the block waits for the last group; a writing error is raised by the next
    ``write`` or there."""

    def __init__(self, writer: pq.ParquetWriter) -> None:
        self._writer = writer
        self._thread = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        self._pending: list[concurrent.futures.Future] = []

    def write(self, table: pa.Table) -> None:
        while len(self._pending) > 1:
            self._pending.pop(0).result()
        self._pending.append(
            self._thread.submit(self._writer.write_table, table, row_group_size=ROW_GROUP_ROWS)
        )

    def __enter__(self) -> _GroupWriter:
        return self

    def __exit__(self, *exc) -> None:
        try:
            for future in self._pending:
                if exc[0] is None:
                    future.result()
                else:
                    future.cancel()
        finally:
            self._thread.shutdown(wait=True)


def _write_group(
    groups: _GroupWriter, table: pa.Table, stories: _StoryColumn | None, summary: CodedSummary
) -> None:
    """One row group: story_id set on the document rows (one array, as a whole-table column)."""
    if stories is not None:  # without any coded document the column stays as coded (all null)
        index = table.schema.get_field_index("story_id")
        field_ = table.schema.field("story_id")
        table = table.set_column(index, field_, stories.column(table))
    # one contiguous chunk: the pages then do not depend on the batches the rows were coded in
    groups.write(table.combine_chunks())  # an empty table: one empty group
    documents = table.filter(pc.equal(table.column("level"), "document"))
    summary.n_documents += documents.num_rows
    for kind in documents.column("coop_type").to_pylist():
        summary.kinds[kind] = summary.kinds.get(kind, 0) + 1
    first = summary.first_documents
    if first is None or first.num_rows < FIRST_DOCUMENTS:
        more = documents.slice(0, FIRST_DOCUMENTS - (0 if first is None else first.num_rows))
        summary.first_documents = more if first is None else pa.concat_tables([first, more])


class _StoryColumn:
    """The story_id column of a coded table, computed in Arrow from ``doc_id -> story_id``: the
    story of each document row; null on paragraph rows and for documents without a story."""

    def __init__(self, story_of: dict[str, str]) -> None:
        self.doc_ids = pa.array(list(story_of), pa.string())
        self.story_ids = pa.array(list(story_of.values()), pa.string())

    def column(self, table: pa.Table) -> pa.Array:
        position = pc.index_in(table.column("doc_id"), value_set=self.doc_ids)
        position = pc.if_else(pc.equal(table.column("level"), "document"), position, None)
        return pc.take(self.story_ids, position).combine_chunks()  # one array, as before


def read_rows_of(path: Path, doc_ids: set[str]) -> pa.Table:
    """The rows of classified.parquet whose doc_id is in ``doc_ids``, in file order, read a row
    group at a time (the gold evaluation needs the gold documents' rows only)."""
    handle = pq.ParquetFile(path)
    wanted = pa.array(sorted(doc_ids), pa.string())
    tables = [
        table.filter(pc.is_in(table.column("doc_id"), value_set=wanted))
        for table in (handle.read_row_group(g) for g in range(handle.num_row_groups))
    ]
    schema = classified_schema()
    return pa.concat_tables(tables) if tables else schema.empty_table()
