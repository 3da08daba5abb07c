"""Stem counts per kind of cooperation read from paragraphs.parquet in Arrow batches (bounded memory)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..core.errors import UserError

__all__ = ["StemCounter", "stem_counts_from_parquet"]

# Paragraph rows per Arrow batch: a few MB of stems, whatever the corpus size.
_BATCH_ROWS = 20_000


def _add(total: dict[str, int], counted) -> None:
    """Add an Arrow ``value_counts`` result (struct of values, counts) to ``total``."""
    values = counted.field("values").to_pylist()
    for value, n in zip(values, counted.field("counts").to_pylist()):
        total[value] = total.get(value, 0) + n


def stem_counts_from_parquet(
    path: str | Path, paras: pd.DataFrame, kinds: Sequence[str]
) -> dict[str, pd.Series]:
    """Occurrences of each stem in the paragraphs of each kind, without loading the stems whole.

    The same numbers as :func:`~analysis.compare.stats.stem_counts` on a paragraph frame that
    holds the stems, but paragraphs.parquet is read ``para_id`` and ``stems`` only, one batch
    at a time, so memory holds one batch and the vocabulary rather than every token.

    Args:
        path: paragraphs.parquet (para_id, stems).
        paras: the paragraphs that count, with the kind each counts for (``para_id``,
            ``coop_type``; :func:`~analysis.compare.tables.paragraph_frame` without stems).
        kinds: the kinds to count.

    Returns:
        For each kind, an int64 Series named ``count`` indexed by stem, sorted by stem (empty
        when the kind has no stems).

    Raises:
        UserError: paragraphs.parquet cannot be read or has no ``para_id``/``stems``.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    counter = StemCounter(paras, kinds)
    try:
        reader = pq.ParquetFile(path)
        missing = {"para_id", "stems"} - set(reader.schema_arrow.names)
        if missing:
            raise KeyError(f"no column {', '.join(sorted(missing))}")
        for batch in reader.iter_batches(batch_size=_BATCH_ROWS, columns=["para_id", "stems"]):
            counter.add(batch)
    except (OSError, KeyError, ValueError, pa.ArrowException) as exc:
        reason = " ".join(str(exc).split())
        raise UserError(
            f"{path}: cannot read para_id and stems ({reason}); rerun the preprocess stage"
        ) from None
    return counter.result()


class StemCounter:
    """Stem counts per kind, added up one Arrow batch of paragraphs (para_id, stems) at a time.

    Args:
        paras: the paragraphs that count, with their kind (``para_id``, ``coop_type``).
        kinds: the kinds to count.
    """

    def __init__(self, paras: pd.DataFrame, kinds: Sequence[str]) -> None:
        import pyarrow as pa

        self._members = {
            kind: pa.array(
                paras.loc[paras["coop_type"] == kind, "para_id"].astype(str).tolist(),
                type=pa.string(),
            )
            for kind in kinds
        }
        self._totals: dict[str, dict[str, int]] = {kind: {} for kind in kinds}

    def add(self, batch) -> None:
        """Count the stems of the batch's paragraphs that belong to a counted kind."""
        import pyarrow as pa
        import pyarrow.compute as pc

        para_ids = batch.column("para_id").cast(pa.string())
        for kind, wanted in self._members.items():
            if not len(wanted):
                continue
            mask = pc.is_in(para_ids, value_set=wanted)
            stems = pc.list_flatten(batch.column("stems").filter(mask))
            stems = stems.filter(pc.is_valid(stems))
            if len(stems):
                _add(self._totals[kind], pc.value_counts(stems.cast(pa.string())))

    def result(self) -> dict[str, pd.Series]:
        """For each kind, an int64 Series named ``count`` indexed by stem, sorted by stem."""
        return _as_series(self._totals)


def _as_series(totals: dict[str, dict[str, int]]) -> dict[str, pd.Series]:
    out: dict[str, pd.Series] = {}
    for kind, total in totals.items():
        if not total:
            out[kind] = pd.Series(dtype="int64", name="count")
            continue
        counts = pd.Series(total, dtype="int64").sort_index()
        counts.index.name = None
        out[kind] = counts.rename("count")
    return out
