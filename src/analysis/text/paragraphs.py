"""The paragraphs table of the preprocess stage: every paragraph with its tokens and stems."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import UserError
from ..core.io import read_stage_parquet
from ..core.parallel import check_backend, compute_options, map_batches
from ..core.schemas import paragraphs_schema
from .clean import split_paragraphs
from .lexicons import StemLexicons
from .stem import Preprocessor

if TYPE_CHECKING:  # pandas is imported lazily
    import pandas as pd

    from ..core.config import ComputeParams

__all__ = [
    "ROW_GROUP_ROWS",
    "PreprocessResult",
    "ParagraphCounts",
    "check_documents",
    "paragraph_batches",
]

# Documents per worker task (800: 5 % less wall time at 100k than 200, the per-task work of the
# pool and the Arrow batches), and paragraphs per Parquet row group (fixed, and each row group
# written as one chunk, so the file never depends on batching, workers or backend).
_DOC_BATCH = 800
# Batches a local worker processes between two garbage collections (core.parallel.worker_pool),
# about 5,000 documents: the stemming and counting make no reference cycles (collections every
# 400 documents found none), and the automatic collector cost them 7 % of their CPU in one
# process while the stem cache filled, less in the stage (benchmarks/RESULTS.md).
_COLLECT_EVERY = 6
ROW_GROUP_ROWS = 65_536
# How many of the most frequent stems and multiword terms the metrics list.
_TOP_N = 30
# (word, count) rows ParagraphCounts holds before summing them (~5 MB of Arrow memory).
_COMPACT_ROWS = 250_000


class PreprocessResult:
    """What the preprocess stage produced: its metrics, and the paragraphs on demand.

    The paragraphs are kept as Arrow record batches (or read back from the written file), not
    as Python lists: :attr:`paragraphs` builds the pandas table only when it is asked for.

    Attributes:
        stats: counts gathered on the way; see :meth:`metrics`.
    """

    def __init__(
        self, stats: dict[str, Any], *, path: Path | None = None, batches: list[Any] | None = None
    ) -> None:
        self.stats = stats
        self._path = path
        self._batches = batches
        self._frame: pd.DataFrame | None = None

    def metrics(self) -> dict[str, Any]:
        """JSON-ready summary: documents, paragraphs, tokens, types, protection, top stems."""
        return dict(self.stats)

    def _arrow(self, limit: int | None = None) -> Any:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self._batches is not None:
            table = pa.Table.from_batches(self._batches, schema=paragraphs_schema())
            return table if limit is None else table.slice(0, limit)
        if limit is None:
            return pq.read_table(self._path, schema=paragraphs_schema())
        batches = next(pq.ParquetFile(self._path).iter_batches(batch_size=max(1, limit)), None)
        return (
            pa.Table.from_batches([batches])
            if batches is not None
            else paragraphs_schema().empty_table()
        )

    @staticmethod
    def _to_frame(table: Any) -> pd.DataFrame:
        import pandas as pd

        frame = table.drop_columns(["tokens", "stems"]).to_pandas()
        frame["tokens"] = pd.Series(table.column("tokens").to_pylist(), dtype=object)
        frame["stems"] = pd.Series(table.column("stems").to_pylist(), dtype=object)
        return frame

    @property
    def paragraphs(self) -> pd.DataFrame:
        """The paragraphs table (the contract of paragraphs.parquet); tokens/stems as lists."""
        if self._frame is None:
            self._frame = self._to_frame(self._arrow())
        return self._frame

    def head(self, n: int = 5) -> pd.DataFrame:
        """The first ``n`` paragraphs, without building the whole table."""
        return self._to_frame(self._arrow(n))


_REQUIRED_DOC_COLUMNS = ("doc_id", "text", "duplicate_of")


def check_documents(documents_path: Path) -> tuple[int, int]:
    """Check documents.parquet; return how many documents are kept and how many are copies.

    The texts are not read here: :func:`paragraph_batches` streams them batch by batch.

    Raises:
        UserError: the file is missing, unreadable, lacks a column or repeats a doc_id.
    """

    frame = read_stage_parquet(
        documents_path, "ingest", _REQUIRED_DOC_COLUMNS, columns=["doc_id", "duplicate_of"]
    )
    duplicated = frame["doc_id"][frame["doc_id"].duplicated()]
    if len(duplicated):
        raise UserError(
            f"{documents_path}: doc_id must be unique; repeated: "
            f"{', '.join(map(str, duplicated.head(5)))}"
        )
    if frame["doc_id"].isna().any():
        raise UserError(
            f"{documents_path}: {int(frame['doc_id'].isna().sum())} row(s) without doc_id"
        )
    is_duplicate = frame["duplicate_of"].notna() & (frame["duplicate_of"].astype(str) != "")
    return int((~is_duplicate).sum()), int(is_duplicate.sum())


def _document_batches(documents_path: Path) -> Iterator[list[tuple[str, str | None]]]:
    """``(doc_id, text)`` of the non-duplicate documents, ``_DOC_BATCH`` at a time, in file order."""
    import pyarrow.parquet as pq

    pending: list[tuple[str, str | None]] = []
    for chunk in pq.ParquetFile(documents_path).iter_batches(
        batch_size=_DOC_BATCH, columns=list(_REQUIRED_DOC_COLUMNS)
    ):
        for doc_id, text, duplicate_of in zip(
            chunk.column("doc_id").to_pylist(),
            chunk.column("text").to_pylist(),
            chunk.column("duplicate_of").to_pylist(),
        ):
            # null marks an original; an empty string is read the same way (a CSV round trip)
            if duplicate_of is not None and str(duplicate_of) != "":
                continue
            pending.append((str(doc_id), text if isinstance(text, str) else None))
            if len(pending) == _DOC_BATCH:
                yield pending
                pending = []
    if pending:
        yield pending


def _preprocess_batch(
    pre: Preprocessor, batch: list[tuple[str, str | None]]
) -> tuple[Any, list[str], int]:
    """Paragraphs, tokens and stems of a batch of documents as one Arrow record batch.

    Each worker keeps its Preprocessor (and so its stem cache) for every batch it gets; a stem
    is a function of the token alone, so which worker stems a word does not matter.

    Returns:
        The record batch (paragraphs.parquet schema), the ids of documents without paragraphs
        and the number of documents in the batch.
    """
    import pyarrow as pa

    para_ids: list[str] = []
    doc_ids: list[str] = []
    indices: list[int] = []
    texts: list[str] = []
    token_lists: list[list[str]] = []
    stem_lists: list[list[str]] = []
    without_paragraphs: list[str] = []
    for doc_id, text in batch:
        paragraphs = split_paragraphs(text)
        if not paragraphs:
            without_paragraphs.append(doc_id)
        for index, paragraph in enumerate(paragraphs):
            tokens = pre.tokenize(paragraph)
            para_ids.append(f"{doc_id}:p{index:03d}")
            doc_ids.append(doc_id)
            indices.append(index)
            texts.append(paragraph)
            token_lists.append(tokens)
            stem_lists.append(pre.stem_tokens(tokens))
    schema = paragraphs_schema()
    arrays = [
        pa.array(values, type=schema.field(i).type)
        for i, values in enumerate((para_ids, doc_ids, indices, texts, token_lists, stem_lists))
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=schema), without_paragraphs, len(batch)


def _stage_worker(context: tuple[StemLexicons, int]) -> Preprocessor:
    lexicons, min_token_length = context
    return Preprocessor(lexicons, min_token_length=min_token_length)


def paragraph_batches(
    documents_path: Path,
    *,
    lexicons: StemLexicons,
    min_token_length: int,
    compute: ComputeParams | None,
) -> Iterator[tuple[Any, list[str], int]]:
    """Paragraphs, tokens and stems of the non-duplicate documents, batch by batch, in order.

    The documents are read from the Parquet file in batches and processed as batches (in this
    process, a pool of worker processes or on Dask workers: ``compute``, see
    :mod:`analysis.core.parallel`); they come back in document order, so what is written from
    them is the same bytes for every ``n_jobs`` and backend. Paragraphs are the blank-line
    separated blocks of ``text``; a paragraph without any token is kept with empty lists.

    Yields:
        ``(record batch, ids of documents without paragraphs, documents in the batch)``; the
        record batch has the paragraphs.parquet schema.
    """
    options = compute_options(compute)
    check_backend(options["backend"], options["n_jobs"], options["scheduler"])
    yield from map_batches(
        _preprocess_batch,
        _document_batches(documents_path),
        context=(lexicons, min_token_length),
        setup=_stage_worker,
        collect_every=_COLLECT_EVERY,
        **options,
    )


class ParagraphCounts:
    """Token and stem counts gathered while the paragraph batches go by.

    The counts stay in Arrow while the batches go by: each batch adds its ``value_counts``
    (word, count) table, and every ``_COMPACT_ROWS`` pending rows are summed into one table by
    an Arrow group-by. Updating a Python ``Counter`` with every batch's counts instead was
    serial work in the parent process while the workers waited (5.4 of 52 CPU s at 100k).
    :attr:`token_counts` and :attr:`stem_counts` build the Counters once, when asked for.

    Attributes:
        without_paragraphs: ids of the documents without any paragraph.
        n_paragraphs: paragraphs counted.
        n_without_tokens: paragraphs without any token.
    """

    def __init__(self) -> None:
        self.without_paragraphs: list[str] = []
        self.n_paragraphs = 0
        self.n_without_tokens = 0
        # column -> (word, count) tables not yet summed, and how many rows they hold
        self._pending: dict[str, list[Any]] = {"tokens": [], "stems": []}
        self._pending_rows = {"tokens": 0, "stems": 0}
        self._counters: dict[str, Counter[str]] = {}

    def add(self, batch: Any, without: list[str]) -> None:
        """Count one record batch of paragraphs (and its documents without paragraphs)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        self.without_paragraphs.extend(without)
        self.n_paragraphs += batch.num_rows
        tokens = batch.column("tokens")
        self.n_without_tokens += int(pc.sum(pc.equal(pc.list_value_length(tokens), 0)).as_py() or 0)
        self._counters.clear()
        for name in ("tokens", "stems"):
            counts = pc.value_counts(pc.list_flatten(batch.column(name)))
            self._pending[name].append(
                pa.table({"word": counts.field("values"), "count": counts.field("counts")})
            )
            self._pending_rows[name] += len(counts)
            if self._pending_rows[name] >= _COMPACT_ROWS:
                self._compact(name)

    def _compact(self, name: str) -> Any:
        """Sum the pending (word, count) tables of ``name`` into one; return it."""
        import pyarrow as pa

        pending = self._pending[name]
        if len(pending) != 1:
            table = (
                pa.concat_tables(pending)
                .group_by("word", use_threads=False)
                .aggregate([("count", "sum")])
                if pending
                else pa.table(
                    {"word": pa.array([], pa.string()), "count_sum": pa.array([], pa.int64())}
                )
            )
            pending[:] = [table.rename_columns(["word", "count"])]
        self._pending_rows[name] = len(pending[0])
        return pending[0]

    def _counter(self, name: str) -> Counter[str]:
        if name not in self._counters:
            table = self._compact(name)
            self._counters[name] = Counter(
                dict(zip(table.column("word").to_pylist(), table.column("count").to_pylist()))
            )
        return self._counters[name]

    @property
    def token_counts(self) -> Counter[str]:
        """How often each token occurs in the paragraphs counted so far."""
        return self._counter("tokens")

    @property
    def stem_counts(self) -> Counter[str]:
        """How often each stem occurs in the paragraphs counted so far."""
        return self._counter("stems")

    def metrics(self, pre: Preprocessor, *, n_kept: int, n_duplicates: int) -> dict[str, Any]:
        """The preprocess.json content: documents, paragraphs, tokens, protection, top stems."""
        stats = _count_metrics(pre, self.token_counts, self.stem_counts, top_n=_TOP_N)
        stats.update(
            {
                "n_documents": n_kept,
                "n_duplicates_skipped": n_duplicates,
                "n_documents_without_paragraphs": len(self.without_paragraphs),
                "documents_without_paragraphs": sorted(self.without_paragraphs)[:20],
                "n_paragraphs": self.n_paragraphs,
                "n_paragraphs_without_tokens": self.n_without_tokens,
                # every token type no lexicon decides goes through Sastrawi once (per process)
                "n_sastrawi_types": sum(
                    1 for token in self.token_counts if pre.protection(token) is None
                ),
                "min_token_length": pre.min_token_length,
                "lexicon_files": list(pre.lexicons.sources),
            }
        )
        return stats


def _count_metrics(
    pre: Preprocessor, token_counts: Counter[str], stem_counts: Counter[str], *, top_n: int
) -> dict[str, Any]:
    hits: Counter[str] = Counter()
    for token, count in token_counts.items():
        reason = pre.protection(token)
        if reason:
            hits[reason] += count
    multiword = Counter({t: c for t, c in token_counts.items() if "_" in t})

    def top(counter: Counter[str]) -> list[list[Any]]:
        return [
            [k, int(v)] for k, v in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:top_n]
        ]

    return {
        "n_tokens": int(sum(token_counts.values())),
        "n_types": len(token_counts),
        "n_stem_types": len(stem_counts),
        "n_protected_hits": int(sum(hits.values())),
        "n_protected_hits_by_reason": {
            k: int(hits[k]) for k in ("multiword", "override", "protected")
        },
        "n_multiword_types": len(multiword),
        "top_stems": top(stem_counts),
        "top_multiword": top(multiword),
    }
