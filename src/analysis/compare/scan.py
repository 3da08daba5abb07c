"""The compare stage out of core: the four Parquet files read in Arrow batches, never whole."""

# Every compare table needs either counts over all documents and paragraphs (coverage by kind,
# month and outlet, paragraphs per kind, the corpus block of compare.json) or the rows of the
# cooperation kinds only (sectors, partners, stories, topics, the stems of the two contrasted
# kinds): a few hundred rows in a corpus of a million articles. :func:`compare_parquet` reads
# each file in record batches of the columns it needs and keeps
#
# * per kept document (not a duplicate): its id, outlet (dictionary-encoded), day and kind, as
#   Arrow and NumPy columns, about 60 bytes per document (0.06 GB at a million);
# * of every paragraph: nothing but running counts, and a checksum (the sum of 64-bit hashes of
#   ``(para_id, doc_id)``) on each side of the paragraphs.parquet / classified.parquet join,
#   which must match as it would in memory; when they do not, a second pass names a paragraph
#   that is missing, coded twice or foreign, as :func:`~analysis.compare.tables.paragraph_frame`
#   does;
# * the cooperation kinds' documents and paragraphs as pandas frames, which go through the
#   same functions as the in-memory path (:func:`~analysis.compare.tables.finish_compare`), so
#   the intervals, log-odds and every table are the same numbers, bit for bit.

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..core.codebook import CONTRAST, COOP_DISPLAY_ORDER, COOPERATION_TYPES
from ..core.config import CompareParams
from ..core.errors import UserError
from ..core.ids import positions_in, string_hashes
from ..core.io import iter_stage_batches
from .counts import StemCounter
from .tables import (
    CompareResult,
    ParagraphLabels,
    document_frame,
    finish_compare,
    paragraph_frame,
)

__all__ = ["BATCH_ROWS", "iter_batches", "compare_parquet"]

#: Rows per Arrow batch: a few MB of the narrow columns compare reads, whatever the corpus.
BATCH_ROWS = 65_536
_KIND_CODE = {kind: i for i, kind in enumerate(COOP_DISPLAY_ORDER)}
_UNKNOWN_OUTLET = "(unknown)"


def iter_batches(
    path: str | Path,
    producer: str,
    columns: Sequence[str],
    *,
    optional: Sequence[str] = (),
    batch_rows: int = BATCH_ROWS,
) -> Iterator[Any]:
    """Arrow record batches of at most ``batch_rows`` rows of ``columns`` (+ ``optional`` ones
    the file has), strings as ``string`` (pandas-written files hold ``large_string``).

    Raises:
        UserError: the file is missing, unreadable or lacks a column; names the stage to rerun
            (``core.io.iter_stage_batches``).
    """
    import pyarrow as pa

    for batch in iter_stage_batches(
        path, producer, columns, optional=optional, batch_rows=batch_rows
    ):
        for i, field in enumerate(batch.schema):
            if pa.types.is_large_string(field.type):
                batch = batch.set_column(i, field.name, batch.column(i).cast(pa.string()))
        yield batch


def _pair_hashes(para_ids, doc_ids) -> tuple[int, int]:
    """(rows, sum of 64-bit hashes of the (para_id, doc_id) pairs mod 2**64): a multiset checksum.

    Each pair's hash mixes the two ids' FNV-1a hashes (:func:`~analysis.core.ids.string_hashes`,
    computed in Arrow's buffers) with splitmix64's finaliser, so the sum over a table does not
    depend on the order of its rows, and two tables that differ by a row differ in their sums
    except with probability about 2**-64."""
    with np.errstate(over="ignore"):
        mixed = string_hashes(para_ids) * _PAIR_MULTIPLIER + string_hashes(doc_ids)
        mixed = (mixed ^ (mixed >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        mixed = (mixed ^ (mixed >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        mixed ^= mixed >> np.uint64(31)
    return len(mixed), int(mixed.sum(dtype=np.uint64))


_PAIR_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # odd: para_id's hash is spread, not lost


def _codebook(values, name: str) -> None:
    """Stop with the in-memory path's message when a coop_type is not a codebook id."""
    import pyarrow.compute as pc

    unknown = sorted(set(pc.unique(values.drop_null()).to_pylist()) - set(COOP_DISPLAY_ORDER))
    if values.null_count:
        unknown.append("<null>")
    if unknown:
        raise UserError(
            f"{name}: coop_type {', '.join(unknown)} is not a codebook id "
            f"({', '.join(COOP_DISPLAY_ORDER)}); fix the classify stage output"
        )


# --------------------------------------------------------------------------------------------
# Documents: the kept ones with their kind
# --------------------------------------------------------------------------------------------


def _read_documents(path: Path, batch_rows: int):
    """Every doc_id, and the kept documents' doc_id, outlet and date (Arrow tables)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    ids, kept = [], []
    for batch in iter_batches(
        path, "ingest", ("doc_id", "outlet", "date", "duplicate_of"), batch_rows=batch_rows
    ):
        ids.append(batch.column("doc_id"))
        rows = batch.filter(pc.is_null(batch.column("duplicate_of")))
        kept.append(
            pa.record_batch(
                [rows.column("doc_id"), rows.column("outlet"), rows.column("date")],
                names=["doc_id", "outlet", "date"],
            )
        )
    all_ids = pa.chunked_array(ids, type=pa.string())
    if not kept:
        return all_ids, None
    return all_ids, pa.Table.from_batches(kept).combine_chunks()


def _document_codings(path: Path, batch_rows: int):
    """classified.parquet's document rows: (doc_id, coop_type) of all, full rows of cooperation."""
    import pyarrow as pa
    import pyarrow.compute as pc

    ids, kinds, coop = [], [], []
    cooperation = pa.array(COOPERATION_TYPES)
    for batch in iter_batches(
        path,
        "classify",
        ("level", "doc_id", "para_id", "coop_type", "partners", "sectors"),
        optional=("confidence", "story_id"),
        batch_rows=batch_rows,
    ):
        rows = batch.filter(pc.equal(batch.column("level"), "document"))
        ids.append(rows.column("doc_id"))
        kinds.append(rows.column("coop_type"))
        coop.append(
            rows.filter(pc.fill_null(pc.is_in(rows.column("coop_type"), cooperation), False))
        )
    coded = pa.table(
        {
            "doc_id": pa.chunked_array(ids, type=pa.string()),
            "coop_type": pa.chunked_array(kinds, type=pa.string()),
        }
    )
    return coded.combine_chunks(), pa.Table.from_batches(coop) if coop else None


def _kept_kinds(all_ids, kept, coded) -> np.ndarray:
    """The kind code of every kept document, with document_frame's checks and messages."""
    import pyarrow.compute as pc

    _codebook(coded.column("coop_type"), "classified.parquet (document level)")
    ids = coded.column("doc_id")
    if pc.count_distinct(ids).as_py() != len(ids):
        series = pd.Series(ids.to_pylist())
        repeated = series[series.duplicated()].unique()
        raise UserError(
            f"classified.parquet: {len(repeated)} document(s) have more than one document-level "
            f"row (e.g. {repeated[0]}); rerun the classify stage"
        )
    known = pc.is_in(ids, value_set=all_ids)
    if not pc.all(known).as_py():
        unknown = sorted(set(ids.filter(pc.invert(known)).to_pylist()))
        raise UserError(
            f"classified.parquet: {len(unknown)} document(s) are not in documents.parquet "
            f"(e.g. {unknown[0]}); the inputs are from different runs, rerun classify"
        )
    position = pc.index_in(kept.column("doc_id"), value_set=ids)
    if position.null_count:
        uncoded = kept.column("doc_id").filter(pc.is_null(position)).to_pylist()
        raise UserError(
            f"classified.parquet: {len(uncoded)} document(s) from documents.parquet have no "
            f"document-level coding (e.g. {uncoded[0]}); rerun the classify stage"
        )
    codes = np.array([_KIND_CODE[k] for k in coded.column("coop_type").to_pylist()], np.int8)
    return codes[position.to_numpy(zero_copy_only=False)]


# --------------------------------------------------------------------------------------------
# Paragraphs: counts and checksums, the cooperation rows kept
# --------------------------------------------------------------------------------------------


class _Paragraphs:
    """What the two paragraph passes leave: counts per kind, checksums, cooperation rows."""

    def __init__(self, kept_ids: pd.Index, kinds: np.ndarray, labels: ParagraphLabels) -> None:
        self.kept_ids, self.kinds, self.labels = kept_ids, kinds, labels
        self.per_kind = np.zeros(len(COOP_DISPLAY_ORDER), np.int64)
        self.coded = [0, 0]  # rows, hash sum of classified's paragraph rows of kept documents
        self.listed = [0, 0]  # the same for paragraphs.parquet
        self.coop: list[Any] = []

    def position(self, doc_ids) -> np.ndarray:
        return positions_in(self.kept_ids, doc_ids)[0]

    def add_coded(self, batch) -> None:
        """A classified.parquet batch: its paragraph rows counted, cooperation rows kept."""
        import pyarrow as pa
        import pyarrow.compute as pc

        rows = batch.filter(pc.equal(batch.column("level"), "paragraph"))
        _codebook(rows.column("coop_type"), "classified.parquet (paragraph level)")
        where = self.position(rows.column("doc_id"))
        rows = rows.filter(pa.array(where >= 0))
        where = where[where >= 0]
        if self.labels == "document":
            codes = self.kinds[where]
        else:
            codes = np.array([_KIND_CODE[k] for k in rows.column("coop_type").to_pylist()], np.int8)
        self.per_kind += np.bincount(codes, minlength=len(COOP_DISPLAY_ORDER))
        _accumulate(self.coded, rows.column("para_id"), rows.column("doc_id"))
        coop = codes != _KIND_CODE["none"]
        if coop.any():
            keep = rows.filter(pa.array(coop)).select(["para_id", "doc_id", "coop_type", "sectors"])
            self.coop.append(
                keep.append_column(
                    "doc_kind",
                    pa.array([COOP_DISPLAY_ORDER[k] for k in self.kinds[where[coop]]], pa.string()),
                )
            )

    def add_listed(self, batch) -> None:
        """A paragraphs.parquet batch: the paragraphs of kept documents counted."""
        import pyarrow as pa

        where = self.position(batch.column("doc_id"))
        rows = batch.filter(pa.array(where >= 0))
        _accumulate(self.listed, rows.column("para_id"), rows.column("doc_id"))


def _accumulate(total: list[int], para_ids, doc_ids) -> None:
    rows, checksum = _pair_hashes(para_ids, doc_ids)
    total[0] += rows
    total[1] = (total[1] + checksum) % 2**64


def _paragraph_mismatch(
    paragraphs: Path, classified: Path, kept_ids: pd.Index, batch_rows: int
) -> UserError:
    """The error for paragraph tables that do not match (second pass; bad input only)."""
    import pyarrow.compute as pc

    coded, coded_kept, listed = [], [], []
    for batch in iter_batches(
        classified, "classify", ("level", "doc_id", "para_id"), batch_rows=batch_rows
    ):
        rows = batch.filter(pc.equal(batch.column("level"), "paragraph"))
        ids = rows.column("para_id").to_pylist()
        coded.extend(ids)
        kept = kept_ids.get_indexer(rows.column("doc_id").to_numpy(zero_copy_only=False)) >= 0
        coded_kept.extend(
            zip(np.asarray(ids, dtype=object)[kept], rows.column("doc_id").filter(kept).to_pylist())
        )
    for batch in iter_batches(
        paragraphs, "preprocess", ("para_id", "doc_id"), batch_rows=batch_rows
    ):
        kept = kept_ids.get_indexer(batch.column("doc_id").to_numpy(zero_copy_only=False)) >= 0
        listed.extend(
            zip(
                batch.column("para_id").filter(kept).to_pylist(),
                batch.column("doc_id").filter(kept).to_pylist(),
            )
        )
    series = pd.Series(coded, dtype=object)
    if series.duplicated().any():
        first = series[series.duplicated()].iloc[0]
        return UserError(f"classified.parquet: paragraph {first} is coded twice; rerun classify")
    known = set(coded)
    uncoded = [para for para, _ in listed if para not in known]
    if uncoded:
        return UserError(
            f"classified.parquet: {len(uncoded)} paragraph(s) from paragraphs.parquet have no "
            f"paragraph-level coding (e.g. {uncoded[0]}); rerun the classify stage"
        )
    foreign = sorted(set(coded_kept) - set(listed))
    return UserError(
        f"classified.parquet: {len(foreign)} paragraph coding(s) of kept documents are not "
        f"paragraphs of that document in paragraphs.parquet (e.g. {foreign[0][0]}); the inputs "
        "are from different runs, rerun classify"
    )


# --------------------------------------------------------------------------------------------
# Topics: the cooperation paragraphs' rows and every topic's label
# --------------------------------------------------------------------------------------------


def _read_topics(path: Path, coop_para_ids, batch_rows: int):
    """(topic rows of the cooperation paragraphs + one label row per topic, every para_id).

    ``topic_label_readable`` is carried when the file has it (topics stages since issue 19).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    base = ["para_id", "doc_id", "topic", "topic_label"]
    rows, ids, labels, readable = [], [], {}, {}
    for batch in iter_batches(
        path, "topics", base, optional=("topic_label_readable",), batch_rows=batch_rows
    ):
        columns = batch.schema.names
        ids.append(pc.unique(batch.column("para_id")))
        rows.append(
            batch.filter(pc.is_in(batch.column("para_id"), value_set=coop_para_ids)).select(columns)
        )
        pairs = pa.table({"topic": batch.column("topic"), "label": batch.column("topic_label")})
        for pair in (
            pairs.group_by("topic", use_threads=False).aggregate([("label", "min")]).to_pylist()
        ):
            known = labels.get(pair["topic"])
            if known is None or (pair["label_min"] is not None and pair["label_min"] < known):
                labels[pair["topic"]] = pair["label_min"]
        if "topic_label_readable" in columns:  # one readable label per topic (the first seen)
            for topic, label in zip(
                batch.column("topic").to_pylist(), batch.column("topic_label_readable").to_pylist()
            ):
                readable.setdefault(topic, label)
    frame = pa.Table.from_batches(rows).to_pandas() if rows else pd.DataFrame(columns=base)
    # topic_prevalence labels each topic with its first label in (topic, label) order; a row
    # that matches no paragraph carries each topic's label (the in-memory path has them all)
    extra = pd.DataFrame(
        {"para_id": "", "doc_id": "", "topic": list(labels), "topic_label": list(labels.values())}
    )
    if readable:
        extra["topic_label_readable"] = [readable.get(t) for t in labels]
    frame = pd.concat([frame, extra], ignore_index=True) if len(frame) else extra
    frame["topic"] = frame["topic"].astype("int64")
    unique = (
        pc.unique(pa.chunked_array(ids, type=pa.string())) if ids else pa.array([], pa.string())
    )
    return frame, unique


# --------------------------------------------------------------------------------------------
# Coverage from the kept documents' columns
# --------------------------------------------------------------------------------------------


def _coverage(kept, kinds: np.ndarray, per_kind: np.ndarray) -> tuple[dict, dict]:
    """The three coverage tables and compare.json's corpus block, as the in-memory functions."""
    import pyarrow as pa
    import pyarrow.compute as pc

    outlet = kept.column("outlet").combine_chunks().dictionary_encode()
    outlet_names = np.asarray(outlet.dictionary.to_pylist() + [None], dtype=object)
    outlet_code = outlet.indices.fill_null(len(outlet.dictionary)).to_numpy()
    stamps = pc.cast(kept.column("date"), pa.timestamp("ns"))
    days = pd.DatetimeIndex(stamps.to_numpy(zero_copy_only=False)).normalize()
    frame = pd.DataFrame({"kind": kinds, "outlet": outlet_code, "day": days})
    n_docs, n_paras = len(frame), int(per_kind.sum())
    rows = []
    for code, coop in enumerate(COOP_DISPLAY_ORDER):
        group = frame[frame["kind"] == code]
        dates = group["day"].dropna()
        named = group.loc[group["outlet"] < len(outlet.dictionary), "outlet"]
        rows.append(
            {
                "coop_type": coop,
                "n_documents": len(group),
                "share_documents": len(group) / n_docs if n_docs else float("nan"),
                "n_paragraphs": int(per_kind[code]),
                "share_paragraphs": int(per_kind[code]) / n_paras if n_paras else float("nan"),
                "n_outlets": int(named.nunique()),
                "date_min": dates.min().date().isoformat() if len(dates) else "",
                "date_max": dates.max().date().isoformat() if len(dates) else "",
            }
        )
    present = {COOP_DISPLAY_ORDER[k] for k in np.unique(kinds)} | set(CONTRAST)
    order = [k for k in COOP_DISPLAY_ORDER if k in present]
    frame["coop_type"] = pd.Categorical.from_codes(frame["kind"], COOP_DISPLAY_ORDER)
    tables = {
        "coverage": pd.DataFrame(rows),
        "coverage_monthly": _monthly(frame, order),
        "coverage_outlet": _by_outlet(frame, outlet_names, order),
    }
    dated = frame["day"].dropna()
    named = sorted(
        str(name)
        for name in outlet_names[:-1][np.unique(outlet_code[outlet_code < len(outlet.dictionary)])]
    )
    corpus = {
        "n_documents": n_docs,
        "n_paragraphs": n_paras,
        "n_outlets": len(named),
        "outlets": named,
        "date_min": dated.min().date().isoformat() if len(dated) else None,
        "date_max": dated.max().date().isoformat() if len(dated) else None,
        "n_undated": int(frame["day"].isna().sum()),
    }
    return tables, corpus


def _monthly(frame: pd.DataFrame, kinds: list[str]) -> pd.DataFrame:
    dated = frame.dropna(subset=["day"])
    if dated.empty:
        return pd.DataFrame(
            {
                "month": pd.Series(dtype=str),
                "coop_type": pd.Series(dtype=str),
                "n_documents": pd.Series(dtype="int64"),
            }
        )
    months = pd.period_range(dated["day"].min(), dated["day"].max(), freq="M")
    counts = dated.groupby([dated["day"].dt.to_period("M"), dated["coop_type"].astype(str)]).size()
    grid = pd.MultiIndex.from_product([months, kinds], names=["month", "coop_type"])
    table = counts.reindex(grid, fill_value=0).rename("n_documents").reset_index()
    table["month"] = table["month"].astype(str)
    table["n_documents"] = table["n_documents"].astype("int64")
    return table


def _by_outlet(frame: pd.DataFrame, names: np.ndarray, kinds: list[str]) -> pd.DataFrame:
    names = np.where(pd.isna(names), _UNKNOWN_OUTLET, names).astype(object)
    counts = frame.groupby(["outlet", "kind"]).size()
    by_name: dict[tuple[str, str], int] = {}
    for (code, kind), n in counts.items():
        key = (str(names[code]), COOP_DISPLAY_ORDER[kind])
        by_name[key] = by_name.get(key, 0) + int(n)
    totals: dict[str, int] = {}
    for (outlet, _), n in by_name.items():
        totals[outlet] = totals.get(outlet, 0) + n
    order = sorted(totals, key=lambda o: (-totals[o], o))
    rows = [(o, k, by_name.get((o, k), 0)) for o in order for k in kinds]
    table = pd.DataFrame(rows, columns=["outlet", "coop_type", "n_documents"])
    table["n_documents"] = table["n_documents"].astype("int64")
    return table


# --------------------------------------------------------------------------------------------
# The whole comparison
# --------------------------------------------------------------------------------------------


def compare_parquet(
    documents: str | Path,
    paragraphs: str | Path,
    classified: str | Path,
    topics: str | Path,
    compare: CompareParams,
    seed: int,
    *,
    paragraph_labels: ParagraphLabels = "paragraph",
    alpha_0: float | None = None,
    batch_rows: int = BATCH_ROWS,
) -> CompareResult:
    """Every table and number of :func:`~analysis.compare.tables.compare_tables`, from the four
    stage files read in batches of ``batch_rows`` rows (the same values; memory grows with the
    documents by about 60 bytes each and with the cooperation rows, not with the paragraphs).

    ``result.docs`` holds the cooperation kinds' documents only.

    Raises:
        UserError: a file missing or unreadable, inputs from different runs, uncoded documents
            or paragraphs, no documents (the messages of the in-memory path).
    """
    import pyarrow as pa

    if paragraph_labels not in ("paragraph", "document"):
        raise UserError(f"paragraph_labels = {paragraph_labels!r}: use 'paragraph' or 'document'")
    documents, paragraphs, classified, topics = map(
        Path, (documents, paragraphs, classified, topics)
    )
    all_ids, kept = _read_documents(documents, batch_rows)
    coded, coop_docs = _document_codings(classified, batch_rows)
    if kept is None or not len(kept):
        _kept_kinds(all_ids, pa.table({"doc_id": pa.array([], pa.string())}), coded)
        raise UserError("documents.parquet: no non-duplicate documents to compare; check ingest")
    kinds = _kept_kinds(all_ids, kept, coded)
    del all_ids, coded
    kept_ids = pd.Index(kept.column("doc_id").to_numpy(zero_copy_only=False))
    if not kept_ids.is_unique:
        first = kept_ids[kept_ids.duplicated()][0]
        raise UserError(f"documents.parquet: doc_id {first} is there twice; rerun the ingest stage")
    state = _Paragraphs(kept_ids, kinds, paragraph_labels)
    for batch in iter_batches(
        classified,
        "classify",
        ("level", "doc_id", "para_id", "coop_type", "sectors"),
        batch_rows=batch_rows,
    ):
        state.add_coded(batch)
    paras = _cooperation_paragraphs(state, paragraph_labels)
    topic_rows, topic_ids = _read_topics(
        topics, pa.array(paras["para_id"], pa.string()), batch_rows
    )
    counted = _scan_paragraphs(
        paragraphs, state, StemCounter(paras, CONTRAST), topic_ids, batch_rows
    )
    if state.listed != state.coded:
        raise _paragraph_mismatch(paragraphs, classified, kept_ids, batch_rows)
    coverage, corpus = _coverage(kept, kinds, state.per_kind)
    docs = _cooperation_documents(kept, kinds, coop_docs)
    return finish_compare(
        docs,
        paras,
        topic_rows,
        counted,
        coverage,
        corpus,
        compare,
        seed,
        paragraph_labels=paragraph_labels,
        alpha_0=alpha_0,
    )


def _scan_paragraphs(
    path: Path, state: _Paragraphs, counter: StemCounter, topic_ids, batch_rows: int
) -> dict[str, pd.Series]:
    """paragraphs.parquet in batches: counted and checksummed, stems counted, topic ids found."""
    import pyarrow as pa

    found = np.zeros(len(topic_ids), bool)
    for batch in iter_batches(
        path, "preprocess", ("para_id", "doc_id", "stems"), batch_rows=batch_rows
    ):
        found[_found(topic_ids, batch.column("para_id"))] = True
        state.add_listed(batch)
        counter.add(batch)
    if not found.all():
        unknown = sorted(topic_ids.filter(pa.array(~found)).to_pylist())
        raise UserError(
            f"topics.parquet: {len(unknown)} paragraph(s) are not in paragraphs.parquet "
            f"(e.g. {unknown[0]}); the inputs are from different runs, rerun the topics stage"
        )
    return counter.result()


def _found(topic_ids, para_ids) -> np.ndarray:
    """Positions in ``topic_ids`` of the batch's paragraph ids that are topic rows."""
    import pyarrow.compute as pc

    if not len(topic_ids):
        return np.zeros(0, np.int64)
    index = pc.index_in(para_ids, value_set=topic_ids)
    return index.drop_null().to_numpy().astype(np.int64)


def _cooperation_paragraphs(state: _Paragraphs, labels: ParagraphLabels) -> pd.DataFrame:
    """paragraph_frame of the cooperation paragraphs (the same cleaning and order)."""
    import pyarrow as pa

    columns = ["para_id", "doc_id", "coop_type", "sectors", "doc_kind"]
    rows = (
        pa.Table.from_batches(state.coop).to_pandas()
        if state.coop
        else pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    )
    listed = rows[["para_id", "doc_id"]]
    coded = rows[["para_id", "coop_type", "sectors"]].assign(level="paragraph")
    owners = (
        rows[["doc_id", "doc_kind"]]
        .drop_duplicates("doc_id")
        .rename(columns={"doc_kind": "coop_type"})
    )
    return paragraph_frame(listed, coded, owners, paragraph_labels=labels)


def _cooperation_documents(kept, kinds: np.ndarray, coop_rows) -> pd.DataFrame:
    """document_frame of the kept cooperation documents (the same cleaning and order)."""
    import pyarrow as pa

    cooperation = np.isin(kinds, [_KIND_CODE[k] for k in COOPERATION_TYPES])
    subset = kept.filter(pa.array(cooperation)).to_pandas()
    subset["duplicate_of"] = None
    codes = (
        coop_rows.to_pandas()
        if coop_rows is not None
        else pd.DataFrame(
            columns=["level", "doc_id", "para_id", "coop_type", "partners", "sectors"]
        )
    )
    codes = codes[codes["doc_id"].isin(set(subset["doc_id"]))]
    return document_frame(subset, codes)
