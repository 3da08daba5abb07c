"""The ingest stage: the articles of ``ingest.raw_dir`` in, documents.parquet, rejects.csv and ingest.json out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..core.config import Params
from ..core.io import atomic_path, guard_formula, write_json
from ..core.paths import ProjectPaths
from ..text.documents import IngestCounts, IngestResult, empty_rejects_frame, ingest_batches

__all__ = ["PARAMS", "ROW_GROUP_ROWS", "run"]

#: The params.yaml entries this stage reads (dvc.yaml declares the same).
PARAMS = ("seed", "compute", "ingest")

#: Rows per row group of documents.parquet (a smaller table is one row group, as before).
ROW_GROUP_ROWS = 65_536


class _ParquetRows:
    """documents.parquet written in row groups of ``ROW_GROUP_ROWS`` rows as batches arrive.

    The schema (pandas metadata included) is that of the first frame, and a table that fits in
    one row group is the same bytes as ``DataFrame.to_parquet`` of the whole table.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.writer: Any = None
        self.pending: list[Any] = []
        self.rows = 0
        self.written = 0

    def write(self, frame: Any) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(frame, preserve_index=False)
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, table.schema, compression="zstd")
        if table.num_rows:
            self.pending.append(table)
            self.rows += table.num_rows
        elif not self.written and not self.rows:
            self.pending.append(table)  # kept for an empty file's one empty row group
        while self.rows >= ROW_GROUP_ROWS:
            self._flush(ROW_GROUP_ROWS)

    def _flush(self, rows: int) -> None:
        import pyarrow as pa

        table = pa.concat_tables(self.pending)
        self.writer.write_table(table.slice(0, rows), row_group_size=max(1, rows))
        rest = table.slice(rows)
        self.pending = [rest] if rest.num_rows else []
        self.rows = rest.num_rows
        self.written += rows

    def close(self) -> None:
        if self.writer is None:
            return
        if self.rows or (not self.written and self.pending):
            self._flush(self.rows)
        self.writer.close()
        self.writer = None


class _CsvRows:
    """rejects.csv written batch by batch: the same bytes as ``core.io.write_csv`` of the whole."""

    def __init__(self, path: Path) -> None:
        self.handle = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed below
        self.header = True

    def write(self, frame: Any) -> None:
        safe = frame.copy()
        for column in safe.columns:
            safe[column] = safe[column].map(guard_formula)
        safe.to_csv(self.handle, index=False, header=self.header, lineterminator="\n")
        self.header = False

    def close(self) -> None:
        self.handle.close()


def run(params: Params, paths: ProjectPaths) -> IngestResult:
    """Clean every input article and write every output dvc.yaml declares for ingest.

    The two tables are written batch by batch as the records come back from the workers, so
    memory does not grow with the corpus; their content is the same for every ``compute``
    setting and every batch size.

    Args:
        params: the validated params.yaml (``ingest``, ``compute``; ``seed`` for MinHash).
        paths: the project layout (lexicons in, ``data/processed`` and ``reports`` out).

    Returns:
        The counts, with the documents and rejects readable on demand from the written files.
    """
    section = params.ingest
    metadata = section.metadata_file
    counts = IngestCounts()
    batches = ingest_batches(
        paths.resolve(section.raw_dir),
        metadata_file=paths.resolve(metadata) if metadata.strip() else None,
        lexicon_dir=paths.lexicons,
        ingest=section,
        compute=params.compute,
        seed=params.seed,
        counts=counts,
    )
    with atomic_path(paths.documents) as doc_tmp, atomic_path(paths.rejects) as rej_tmp:
        documents, rejects = _ParquetRows(doc_tmp), _CsvRows(rej_tmp)
        try:
            for batch in batches:
                (documents if batch.table == "documents" else rejects).write(batch.frame)
            if rejects.header:
                rejects.write(empty_rejects_frame())
        finally:
            batches.close()  # removes the duplicate detector's scratch folder
            rejects.close()
            documents.close()
    result = IngestResult(counts, documents_path=paths.documents, rejects_path=paths.rejects)
    write_json(paths.metrics("ingest"), result.metrics())
    return result
