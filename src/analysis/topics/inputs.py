"""The topics stage's inputs read in Arrow batches: only the paragraphs the model needs are held."""

# ``tables.load_inputs`` reads every paragraph's text and stems: 22.8 GB at a million articles,
# to fit the model on the few thousand paragraphs about cooperation. Here paragraphs.parquet and
# classified.parquet are read batch by batch, only the needed columns, and the result is what
# ``model.select_paragraphs(load_inputs(...))`` gives, value for value:
#
# * ``relevant`` (the default): the relevant paragraphs with their text and stems; for the
#   others only counts. (When fewer than MIN_PARAGRAPHS are relevant, the fallback fits on every
#   paragraph, read as ``all`` is.)
# * ``sample``: ids and groups of every paragraph (no text) to draw the sample; the text and
#   stems of the sample only; the others are read again batch by batch when they are assigned
#   (``batches.RestParagraphs``).
# * ``all``, ``online``: the model is fitted on every paragraph, so every text is held.

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..core.errors import UserError
from ..core.ids import hash_candidates, positions_in, string_hashes
from .batches import PARAGRAPH_BATCH, RestParagraphs, record_batches, stem_docs
from .model import MIN_PARAGRAPHS, select_paragraphs
from .tables import NONE, UNCLASSIFIED, UNKNOWN_MONTH, WORD_COLUMNS

__all__ = ["read_inputs"]

_OFF = (NONE, UNCLASSIFIED)
# Columns of tables.load_inputs, in its order.
_FRAME_COLUMNS = [
    "para_id",
    "doc_id",
    "para_index",
    "text",
    "stem_doc",
    "coop_type",
    "doc_coop_type",
    "month",
    "duplicate",
]


def read_inputs(
    paragraphs_path: Path,
    classified_path: Path,
    documents_path: Path,
    fit_on: str,
    sample_size: int,
    seed: int,
    batch_size: int = PARAGRAPH_BATCH,
    *,
    words: bool = False,
    relevant_found: Callable[[int], Any] | None = None,
) -> tuple[pd.DataFrame, RestParagraphs, dict] | tuple[pd.DataFrame, RestParagraphs, dict, Any]:
    """``(fit, rest, selection)`` as ``select_paragraphs(load_inputs(...), ...)`` returns them.

    With ``words``, a fourth value: an Arrow table ``para_id, text, tokens, stems`` of every
    fitted paragraph when the model is fitted on the relevant paragraphs only (read in the same
    pass over paragraphs.parquet, for ``tables.with_readable_labels``), else None.

    ``rest`` holds the ids and groups of the paragraphs assigned after the fit and reads their
    text and stems from paragraphs.parquet in batches of ``batch_size``.

    ``relevant_found`` (``fit_on: relevant``): called with classified.parquet's count of relevant
    paragraphs before paragraphs.parquet is scanned (``seed_runs.SeedWorkers.start``).

    Raises:
        UserError: a missing or unreadable input, a para_id twice in paragraphs.parquet or in
            classified.parquet, paragraphs of documents not in documents.parquet, or an unknown
            ``fit_on``.
    """
    if fit_on not in ("relevant", "all", "sample", "online"):
        raise UserError(
            f"topics.fit_on = {fit_on!r} is not allowed; use relevant, all, sample or online"
        )
    for path, producer, column in (
        (paragraphs_path, "preprocess", "para_id"),
        (classified_path, "classify", "level"),
        (documents_path, "ingest", "doc_id"),
    ):
        for _ in record_batches(path, (column,), producer, 1):  # found, readable: in this order
            break
    docs = _documents(documents_path, classified_path, batch_size)
    relevant_only = fit_on == "relevant"
    codes = _paragraph_codes(classified_path, docs, relevant_only, batch_size)
    if relevant_only and relevant_found is not None:
        relevant_found(len(codes))
    scan = _Scan(paragraphs_path, documents_path, docs, codes, batch_size)
    if relevant_only:
        kept, counts, table = scan.rows(
            lambda relevant, duplicate: relevant & ~duplicate, text=True, words=words
        )
        if counts["relevant"] >= MIN_PARAGRAPHS:
            fit = kept.drop(columns="row")
            selection = {
                "fit_on": fit_on,
                "n_paragraphs_input": counts["input"],
                "n_paragraphs_duplicate_documents": counts["duplicate"],
                "n_paragraphs_relevant": counts["relevant"],
                "fallback": None,
                "fit_on_used": "relevant",
                "n_paragraphs_not_modelled": counts["input"] - counts["duplicate"] - len(fit),
            }
            rest = RestParagraphs(kept.iloc[0:0], paragraphs_path, batch_size)
            return (fit, rest, selection, table) if words else (fit, rest, selection)
        del kept, table
    text = fit_on != "sample"  # sample: text and stems of the drawn paragraphs only
    every, _, _ = scan.rows(lambda relevant, duplicate: np.ones(len(relevant), bool), text=text)
    if not text:
        every = every.assign(text="", stem_doc="")
    fit, rest, selection = select_paragraphs(
        every[_FRAME_COLUMNS + ["row"]], fit_on, sample_size, seed
    )
    del every
    if not text:
        fit = scan.with_text(fit)
    return (
        fit.drop(columns="row"),
        RestParagraphs(rest.drop(columns=["text", "stem_doc"]), paragraphs_path, batch_size),
        selection,
    ) + ((None,) if words else ())


class _Documents:
    """Per document (in documents.parquet order, first copy of an id): month, duplicate, coding."""

    def __init__(self, frame: pd.DataFrame, coop: pd.Series) -> None:
        self.index = pd.Index(frame["doc_id"])
        dates = pd.to_datetime(frame["date"], errors="coerce")
        self.month = dates.dt.strftime("%Y-%m").fillna(UNKNOWN_MONTH).to_numpy(dtype=object)
        self.duplicate = (
            frame["duplicate_of"].notna().to_numpy()
            if "duplicate_of" in frame
            else np.zeros(len(frame), dtype=bool)
        )
        self.coop = frame["doc_id"].map(coop).fillna(UNCLASSIFIED).astype(str).to_numpy(object)
        self.relevant_ids = set(frame.loc[~np.isin(self.coop, _OFF), "doc_id"])


def _documents(documents_path: Path, classified_path: Path, batch_size: int) -> _Documents:
    import pyarrow.parquet as pq

    columns = ("doc_id", "date") + (
        ("duplicate_of",) if "duplicate_of" in pq.read_schema(documents_path).names else ()
    )
    parts = [b.to_pandas() for b in record_batches(documents_path, columns, "ingest", batch_size)]
    frame = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    )
    frame = frame.drop_duplicates("doc_id").reset_index(drop=True)
    doc_rows = []
    for batch in record_batches(
        classified_path, ("level", "doc_id", "coop_type"), "classify", batch_size
    ):
        rows = batch.to_pandas()
        doc_rows.append(rows.loc[rows["level"] == "document", ["doc_id", "coop_type"]])
    coop = pd.concat(doc_rows, ignore_index=True).drop_duplicates("doc_id") if doc_rows else None
    coop = coop.set_index("doc_id")["coop_type"] if coop is not None else pd.Series(dtype=object)
    return _Documents(frame, coop)


def _paragraph_codes(
    classified_path: Path, docs: _Documents, relevant_only: bool, batch_size: int
) -> pd.Series:
    """``para_id -> coop_type`` of classified's paragraph rows (``relevant``: only the rows of
    relevant paragraphs); a para_id coded twice stops the stage, as in ``load_inputs``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    off = pa.array(_OFF, pa.string())
    relevant_ids = pa.array(sorted(docs.relevant_ids), pa.string())
    parts, hashes = [], []
    # filtered in Arrow: only the kept rows become pandas (nearly none at scale)
    for batch in record_batches(
        classified_path, ("level", "doc_id", "para_id", "coop_type"), "classify", batch_size
    ):
        rows = pa.Table.from_batches([batch]).filter(pc.equal(batch["level"], "paragraph"))
        hashes.append(string_hashes(rows["para_id"]))
        if relevant_only:
            coded = pc.invert(pc.is_in(rows["coop_type"], value_set=off))
            rows = rows.filter(pc.or_(coded, pc.is_in(rows["doc_id"], value_set=relevant_ids)))
        parts.append(rows.select(["para_id", "coop_type"]))
    codes = (
        pa.concat_tables(parts).to_pandas()
        if parts
        else pd.DataFrame({"para_id": [], "coop_type": []})
    )
    if _classified_twice(classified_path, hashes, batch_size):
        raise UserError(f"{classified_path}: a paragraph is classified twice; rerun classify")
    return codes.set_index("para_id")["coop_type"]


def _repeats(hashes: list[np.ndarray]) -> np.ndarray:
    """Hash values that occur more than once (candidates for a repeated id; usually none)."""
    every = np.sort(np.concatenate(hashes)) if hashes else np.zeros(0, np.uint64)
    return np.unique(every[1:][every[1:] == every[:-1]])


def _classified_twice(classified_path: Path, hashes: list[np.ndarray], batch_size: int) -> bool:
    """Whether a para_id really repeats among classified's paragraph rows (hashes can collide)."""
    candidates = _repeats(hashes)
    if not len(candidates):
        return False
    import pyarrow.compute as pc

    seen: set[str] = set()
    for batch in record_batches(classified_path, ("level", "para_id"), "classify", batch_size):
        ids = batch.column("para_id").filter(pc.equal(batch.column("level"), "paragraph"))
        for value in ids.filter(np.isin(string_hashes(ids), candidates)).to_pylist():
            if value in seen:
                return True
            seen.add(value)
    return False


class _CodeLookup:
    """classified's paragraph codes looked up by para_id, as ``ids.map(codes)`` does, fast.

    Only the rows whose para_id hash is among the codes' hashes are looked up as strings (at a
    million articles, 19 thousand of 8 million rows): the hashes choose, the strings decide.
    """

    def __init__(self, codes: pd.Series) -> None:
        import pyarrow as pa

        self.series = codes
        ids = [i if isinstance(i, str) else None for i in codes.index]
        self.hashes = np.unique(string_hashes(pa.array(ids, pa.string())))  # sorted

    def codes(self, para_ids, para_hashes: np.ndarray) -> np.ndarray:
        """The code of each row (UNCLASSIFIED where classified has none), as an object array."""
        coop = np.full(len(para_hashes), UNCLASSIFIED, dtype=object)
        candidates = hash_candidates(self.hashes, para_hashes)
        if len(candidates):
            ids = pd.Series(para_ids.take(candidates).to_pylist(), dtype=object)
            found = ids.map(self.series).fillna(UNCLASSIFIED).astype(str)
            coop[candidates] = found.to_numpy(dtype=object)
        return coop


class _Scan:
    """Passes over paragraphs.parquet that keep the rows a predicate chooses."""

    def __init__(
        self, path: Path, documents_path: Path, docs: _Documents, codes: pd.Series, batch_size: int
    ) -> None:
        self.path, self.documents_path, self.docs = path, documents_path, docs
        self.codes, self.batch_size = codes, batch_size

    def _batches(self, columns: tuple[str, ...]) -> Iterator[tuple[int, pd.DataFrame]]:
        offset = 0
        for batch in record_batches(self.path, columns, "preprocess", self.batch_size):
            yield offset, batch
            offset += batch.num_rows

    def rows(self, keep, text: bool, words: bool = False) -> tuple[pd.DataFrame, dict, Any]:
        """Rows where ``keep(relevant, duplicate)``, sorted by document and paragraph index,
        with a ``row`` column; their counts; with ``words``, an Arrow table of the same rows'
        ``para_id, text, tokens, stems`` in file order (else, or when no row is kept, None)."""
        import pyarrow as pa

        columns = ("para_id", "doc_id", "para_index") + (("text", "stems") if text else ())
        columns += ("tokens",) if words else ()
        counts = {"input": 0, "duplicate": 0, "relevant": 0}
        parts, hashes, unknown, word_parts = [], [], set(), []
        coded = _CodeLookup(self.codes)
        for offset, batch in self._batches(columns):
            para_hashes = string_hashes(batch.column("para_id"))
            hashes.append(para_hashes)
            position, missing = positions_in(self.docs.index, batch.column("doc_id"))
            unknown.update(missing)
            if len(unknown):
                continue  # the stage stops after the pass (load_inputs' message needs the count)
            duplicate = self.docs.duplicate[position]
            coop = coded.codes(batch.column("para_id"), para_hashes)
            doc_coop = self.docs.coop[position]
            relevant = ~np.isin(coop, _OFF) | ~np.isin(doc_coop, _OFF)
            counts["input"] += batch.num_rows
            counts["duplicate"] += int(duplicate.sum())
            counts["relevant"] += int((relevant & ~duplicate).sum())
            chosen = np.flatnonzero(keep(relevant, duplicate))
            if not len(chosen):
                continue
            picked = batch.take(chosen)
            part = picked.select(["para_id", "doc_id", "para_index"]).to_pandas()
            if text:
                part["text"] = [
                    t if t is not None else "" for t in picked.column("text").to_pylist()
                ]
                part["stem_doc"] = stem_docs(picked.column("stems").to_pylist())
            if words:
                word_parts.append(pa.Table.from_batches([picked.select(WORD_COLUMNS)]))
            part["coop_type"] = coop[chosen]
            part["doc_coop_type"] = doc_coop[chosen]
            part["month"] = self.docs.month[position[chosen]]
            part["duplicate"] = duplicate[chosen]
            part["row"] = offset + chosen
            parts.append(part)
        self._check(hashes, unknown)
        if not parts:
            names = [c for c in _FRAME_COLUMNS if text or c not in ("text", "stem_doc")]
            parts = [pd.DataFrame({c: pd.Series([], dtype=object) for c in names + ["row"]})]
        frame = pd.concat(parts, ignore_index=True)
        strings = [
            c for c in ("text", "stem_doc", "coop_type", "doc_coop_type", "month") if c in frame
        ]
        frame = frame.astype({**dict.fromkeys(strings, str), "duplicate": bool, "row": np.int64})
        frame = frame.sort_values(["doc_id", "para_index"], kind="stable").reset_index(drop=True)
        return frame, counts, pa.concat_tables(word_parts) if word_parts else None

    def _check(self, hashes: list[np.ndarray], unknown: set) -> None:
        """load_inputs' checks: no para_id twice, no paragraph of an unknown document."""
        candidates = _repeats(hashes)
        if len(candidates):
            seen: set[str] = set()
            for _, batch in self._batches(("para_id",)):
                ids = batch.column("para_id")
                for value in ids.filter(np.isin(string_hashes(ids), candidates)).to_pylist():
                    if value in seen:
                        raise UserError(
                            f"{self.path}: para_id {value!r} occurs more than once; "
                            "rerun preprocess"
                        )
                    seen.add(value)
        if unknown:
            first = sorted(unknown)[0]
            raise UserError(
                f"{self.path}: {len(unknown)} doc_id(s) not in {self.documents_path} "
                f"(e.g. {first!r}); the inputs come from different runs — rerun dvc repro"
            )

    def with_text(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` (with ``row``) given the text and stem document of each of its rows."""
        wanted = np.zeros(int(frame["row"].max()) + 1 if len(frame) else 0, dtype=bool)
        wanted[frame["row"].to_numpy(dtype=np.int64)] = True
        texts, docs, rows = [], [], []
        for offset, batch in self._batches(("text", "stems")):
            span = np.arange(offset, min(offset + batch.num_rows, len(wanted)))
            chosen = np.flatnonzero(wanted[span]) if len(span) else np.zeros(0, np.int64)
            if not len(chosen):
                continue
            picked = batch.take(chosen)
            texts += [t if t is not None else "" for t in picked.column("text").to_pylist()]
            docs += stem_docs(picked.column("stems").to_pylist())
            rows.append(offset + chosen)
        found = pd.DataFrame(
            {"text": texts, "stem_doc": docs}, index=np.concatenate(rows) if rows else []
        )
        frame = frame.copy()
        frame["text"] = found["text"].reindex(frame["row"]).to_numpy(dtype=object)
        frame["stem_doc"] = found["stem_doc"].reindex(frame["row"]).to_numpy(dtype=object)
        frame = frame.astype({"text": str, "stem_doc": str})
        return frame[_FRAME_COLUMNS + ["row"]]
