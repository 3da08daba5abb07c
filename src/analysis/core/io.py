"""Atomic, deterministic writers for every file a stage produces."""

from __future__ import annotations

import contextlib
import csv
import glob
import json
import math
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where used: the params stage writes JSON only, without pandas
    import pandas as pd

__all__ = [
    "atomic_path",
    "write_text",
    "write_json",
    "write_parquet",
    "write_csv",
    "guard_formula",
    "read_json",
    "read_stage_parquet",
    "RowGroupWriter",
    "csv_delimiter",
]

#: Batches waiting for :func:`iter_stage_batches`'s caller, decoded in a thread (one more may
#: be in the making).
READ_AHEAD = 2

# A spreadsheet saved as CSV in an Indonesian (decimal-comma) locale separates fields with ";".
_CSV_DELIMITERS = (",", ";", "\t")


def csv_delimiter(header: str) -> str:
    """The delimiter (comma, semicolon or tab) that splits a CSV file's header line into the
    most fields; a comma on a tie, and when the line cannot be parsed.

    Every CSV input (ingest's article files, the metadata sidecar, the collector's listings)
    decides this way, so one spreadsheet export reads alike everywhere.
    """
    try:
        counts = {d: len(next(csv.reader([header], delimiter=d), [])) for d in _CSV_DELIMITERS}
    except csv.Error:
        return ","
    return max(_CSV_DELIMITERS, key=lambda d: (counts[d], d == ","))


# Spreadsheet programs execute cells that start with these characters as formulas.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; rename it over ``target`` on success.

    A stage killed half-way leaves either the old file or no file, never a truncated one,
    so an interrupted ``dvc repro`` can simply be run again.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    # A run killed during a write (SIGKILL, power loss) leaves its temporary file behind; remove
    # those of this target so they do not pile up next to outputs or inside output folders.
    for stale in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
        with contextlib.suppress(OSError):
            stale.unlink()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        # mkstemp creates 0600 files; give the output the permissions a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_text(target: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically with Unix newlines."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
    return Path(target)


def _clean_json(value: Any) -> Any:
    """Make a value JSON-safe and stable: NaN -> None, numpy scalars -> Python, floats rounded."""
    if isinstance(value, dict):
        return {str(k): _clean_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean_json(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        with contextlib.suppress(ValueError, TypeError):
            value = value.item()
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return round(value, 6)
    pandas = sys.modules.get("pandas")  # a Timestamp exists only once pandas is imported
    if pandas is not None and isinstance(value, pandas.Timestamp):
        return value.isoformat()
    return value


def write_json(target: str | Path, data: Any) -> Path:
    """Write JSON with sorted keys and rounded floats so reruns are byte-identical."""
    text = json.dumps(_clean_json(data), indent=2, sort_keys=True, ensure_ascii=False)
    return write_text(target, text + "\n")


def parse_json(text: str | bytes) -> Any:
    """``json.loads``, with a value nested too deeply for the parser (json raises
    ``RecursionError`` from about a thousand levels) reported as a ``ValueError``, like any other
    malformed JSON: one hostile line of an input file is a reject, not a crash."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply to parse (more than about 1,000 levels)") from None


def read_json(path: str | Path) -> Any:
    """Read a JSON file written by :func:`write_json`."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def read_stage_parquet(
    path: str | Path,
    producer: str,
    required: tuple[str, ...] | list[str] = (),
    *,
    columns: list[str] | None = None,
    optional: tuple[str, ...] = (),
    arrow: bool = False,
):
    """Read a Parquet file another stage wrote, or stop with a message the user can act on.

    ``producer`` names the stage that writes the file (the message says to run it);
    ``required`` columns must be present; ``columns`` limits what is read (default: all), and
    the ``optional`` columns are read with them where the file has them.
    Returns a DataFrame, or a ``pyarrow.Table`` with ``arrow=True``.
    """
    import pyarrow.parquet as pq

    path = Path(path)
    with contextlib.closing(_open_stage_file(path, producer, required)) as handle:
        names = handle.schema_arrow.names
    if columns is not None:
        columns = [*columns, *(c for c in optional if c in names and c not in columns)]
    try:
        if arrow:
            return pq.read_table(path, columns=columns)
        import pandas as pd

        return pd.read_parquet(path, columns=columns)
    except Exception as exc:
        raise _unreadable(path, producer, exc) from None


def iter_stage_batches(
    path: str | Path,
    producer: str,
    columns: Sequence[str],
    *,
    optional: Sequence[str] = (),
    batch_rows: int = 65_536,
    by_row_group: bool = False,
    ahead: int | None = None,
) -> Iterator[Any]:
    """Arrow record batches of at most ``batch_rows`` rows of ``columns`` (plus the ``optional``
    ones the file has) of a Parquet file another stage wrote, one at a time: only the current
    batch and at most ``ahead + 1`` next ones are referenced here. The checks and messages are
    :func:`read_stage_parquet`'s.

    The next batches are decoded in a thread while the caller works on this one
    (``core.parallel.read_ahead`` with ``ahead``, default :data:`READ_AHEAD`; 0 for no thread):
    pyarrow decodes without the GIL, so a stage process that scans a large file uses a second
    core for it.

    With ``by_row_group`` the file is read one row group at a time (a batch then never spans
    two row groups): pyarrow's reader over the whole file holds much more than the current
    batch (iterating text, tokens and stems of paragraphs.parquet at 1M articles peaks at
    1.6 GB that way, 0.24 GB a row group at a time), so a caller that keeps nothing and must
    stay small asks for this. The default keeps the batch boundaries the stages were written
    with.
    """
    depth = READ_AHEAD if ahead is None else ahead
    args = (Path(path), producer, columns, optional, batch_rows, by_row_group)
    if depth < 1:
        yield from _stage_batches(*args)
    else:
        from .parallel import read_ahead

        yield from read_ahead(lambda: _stage_batches(*args), depth)


def _stage_batches(
    path: Path,
    producer: str,
    columns: Sequence[str],
    optional: Sequence[str],
    batch_rows: int,
    by_row_group: bool,
) -> Iterator[Any]:
    """:func:`iter_stage_batches` read in this thread."""
    with contextlib.closing(_open_stage_file(path, producer, columns)) as handle:
        names = handle.schema_arrow.names
        wanted = [*columns, *(c for c in optional if c in names and c not in columns)]
        if by_row_group:
            batches = (
                batch
                for group in range(handle.num_row_groups)
                for batch in handle.iter_batches(
                    batch_size=batch_rows, columns=wanted, row_groups=[group]
                )
            )
        else:
            batches = handle.iter_batches(batch_size=batch_rows, columns=wanted)
        while True:
            try:
                batch = next(batches)
            except StopIteration:
                return
            except Exception as exc:  # a damaged row group shows only when it is read
                raise _unreadable(path, producer, exc) from None
            yield batch


def _open_stage_file(path: Path, producer: str, required: Sequence[str]):
    """The ``pyarrow.parquet.ParquetFile`` of a stage's output, after the checks every reader
    makes: the file exists, is Parquet (pyarrow raises many exception types for a damaged or
    foreign file; each is the user's file problem, not a bug here, so all of them become the
    same message) and has the ``required`` columns."""
    import pyarrow.parquet as pq

    from .errors import UserError

    if not path.is_file():
        raise UserError(f"{path}: not found; run the {producer} stage first (dvc repro {producer})")
    try:
        handle = pq.ParquetFile(path)
        names = handle.schema_arrow.names
    except Exception as exc:
        raise _unreadable(path, producer, exc) from None
    missing = [c for c in required if c not in names]
    if missing:
        handle.close()
        raise UserError(
            f"{path}: missing column(s) {', '.join(missing)} "
            f"(see docs/architecture.md); rerun the {producer} stage"
        )
    return handle


def _unreadable(path: Path, producer: str, exc: Exception) -> Exception:
    from .errors import UserError

    reason = " ".join(str(exc).split())  # pyarrow messages may end in a newline
    return UserError(f"{path}: not a readable Parquet file ({reason}); rerun the {producer} stage")


def write_parquet(target: str | Path, frame: pd.DataFrame) -> Path:
    """Write a DataFrame to Parquet deterministically (no index, fixed compression)."""
    with atomic_path(target) as tmp:
        frame.to_parquet(tmp, index=False, engine="pyarrow", compression="zstd")
    return Path(target)


def guard_formula(value: Any) -> Any:
    """Prefix a text cell that a spreadsheet would run as a formula with an apostrophe.

    Numbers are left alone: ``-0.5`` is data, but ``-1+cmd|...`` as text is an attack.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def write_csv(target: str | Path, frame: pd.DataFrame, *, float_format: str = "%.6g") -> Path:
    """Write a CSV table that is safe to open in a spreadsheet and byte-stable across runs."""
    import pandas as pd

    safe = frame.copy()
    for column in safe.columns:
        values = safe[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype(object)  # category labels are text too ("@outlet")
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            safe[column] = values.map(guard_formula)
    # Header cells come from data when a table is pivoted (one column per outlet or partner).
    safe.columns = [guard_formula(c) for c in safe.columns]
    with atomic_path(target) as tmp:
        safe.to_csv(tmp, index=False, float_format=float_format, lineterminator="\n")
    return Path(target)


class RowGroupWriter:
    """Write Arrow record batches to Parquet in row groups of a fixed number of rows.

    The file layout then depends on the rows alone, never on how they were batched by workers:
    each row group is written as one contiguous chunk (pyarrow's writer checks its page size
    at chunk boundaries, so a row group written as many small chunks has other pages).
    """

    def __init__(self, path: str | Path, schema: Any, row_group_rows: int) -> None:
        import pyarrow.parquet as pq

        self._schema = schema
        self._row_group_rows = row_group_rows
        self._writer = pq.ParquetWriter(path, schema, compression="zstd")
        self._pending: list[Any] = []
        self._rows = 0

    def write(self, batch: Any) -> None:
        """Add one record batch (written once a row group is full)."""
        self._pending.append(batch)
        self._rows += batch.num_rows
        while self._rows >= self._row_group_rows:
            self._flush(self._row_group_rows)

    def _flush(self, rows: int) -> None:
        import pyarrow as pa

        table = pa.Table.from_batches(self._pending, schema=self._schema)
        self._writer.write_table(table.slice(0, rows).combine_chunks(), row_group_size=rows)
        rest = table.slice(rows)
        self._pending = rest.to_batches() if rest.num_rows else []
        self._rows = rest.num_rows

    def close(self) -> None:
        """Write the last, shorter row group and close the file."""
        if self._rows:
            self._flush(self._rows)
        self._writer.close()
