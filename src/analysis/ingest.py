"""Ingest stage: any folder of article files in, clean documents and reasoned rejects out.

``run_ingest`` reads every file under the input directory (see
:func:`analysis.ingest_sources.discover_files` for what is skipped and why), cleans each
article with :mod:`analysis.textclean`, identifies its language, flags exact and near
duplicates, and writes ``documents.parquet`` and ``rejects.csv`` as ``docs/architecture.md``
specifies. Every input file or record ends up in exactly one of the two tables.

Decisions that shape the numbers (each documented where it is made):

- Metadata precedence: the sidecar (``metadata.csv``) wins where its cell is non-empty; then
  what the record or page states (JSONL/CSV fields, HTML meta tags; for the outlet, the
  ``source`` field before the URL's domain); then what the text says (dateline, header line,
  byline date, weekday-anchored date).
- Language: :func:`identify_language`.
- Too short: fewer than ``min_words`` whitespace words after cleaning.
- Duplicates: :class:`_Deduplicator`. Copies stay in documents.parquet with ``duplicate_of``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import os
import re
import warnings
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import UserError
from .ingest_sources import (
    MAX_ARTICLE_CHARS,
    SourceItem,
    decode_bytes,
    discover_files,
    iter_source_items,
    markdown_article,
)
from .io import write_csv, write_parquet
from .parallel import batched, check_backend, map_batches, progress, progress_enabled
from .text.html import ExtractionFailed, extract_html
from .textclean import CleaningLexicons, canonical_outlet, clean_article, load_lexicons, parse_date

__all__ = [
    "REJECT_REASONS",
    "DOCUMENT_COLUMNS",
    "REJECT_COLUMNS",
    "RawRecord",
    "IngestResult",
    "identify_language",
    "iter_records",
    "read_articles",
    "run_ingest",
    "documents_schema",
]

REJECT_REASONS = ("empty", "binary", "undecodable", "unsupported_format", "malformed",
                  "not_indonesian", "too_short", "too_large", "extraction_failed")
DOCUMENT_COLUMNS = ("doc_id", "source_file", "record", "outlet", "date", "title", "url", "text",
                    "language", "n_words", "duplicate_of")
REJECT_COLUMNS = ("source_file", "record", "reason", "detail")

# MinHash settings for near-duplicate search. The seed is fixed so candidate sets, and hence
# the run, are reproducible; the final decision uses the exact Jaccard similarity anyway.
_NUM_PERM = 128
_MINHASH_SEED = 20250811
_SHINGLE_WORDS = 5
# Below this many words a language guess is unreliable: only a confident guess rejects.
_SHORT_TEXT_WORDS = 20
_INDONESIAN_COMPATIBLE = ("id", "ms")
_BATCH = 64  # records per worker task (a few tasks per worker are in flight)


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RawRecord:
    """One input article after cleaning, or the reason it could not become a document.

    Attributes:
        doc_id: ``relpath`` or ``relpath#key`` (see :func:`iter_records`).
        source_file: path relative to the input directory, POSIX separators.
        record: key inside a multi-record file, else None.
        title, text, date, url, outlet: cleaned values (None when unknown; text "" on rejects).
        language: ISO 639-1 code from the identifier ("" when not identified).
        n_words: whitespace words in ``text``.
        reason: reject reason (one of ``REJECT_REASONS``) or None for a usable article.
        detail: what was seen, in words, for a reject.
    """

    doc_id: str
    source_file: str
    record: str | None
    title: str | None = None
    text: str = ""
    date: dt.date | None = None
    url: str | None = None
    outlet: str | None = None
    language: str = ""
    n_words: int = 0
    reason: str | None = None
    detail: str = ""

    @property
    def is_reject(self) -> bool:
        return self.reason is not None


@dataclass(frozen=True)
class _Context:
    lexicons: CleaningLexicons
    min_words: int


@dataclass(frozen=True)
class _Outcome:
    record: RawRecord
    digest: str | None = None
    shingles: np.ndarray | None = None
    minhash: np.ndarray | None = None


# --------------------------------------------------------------------------------------------
# Language
# --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _language_identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def identify_language(text: str) -> tuple[str, float, bool]:
    """Identify the language of an article and decide whether it counts as Indonesian.

    The offline identifier (py3langid, 97 languages, probabilities normalised) reads the first
    1,500 characters (title first), plenty for a stable label and half the cost of 3,000.

    Malay: Indonesian and Malay are standard varieties of one language and the identifier cannot
    separate them reliably in news prose; on the clickid corpus (all Indonesian outlets) about
    0.2 % of articles, often religious pieces full of Arabic loanwords, come out as ``ms`` with
    probabilities up to 1.0. So ``ms`` counts as Indonesian-compatible: the article is kept and
    its ``language`` column says ``ms``, so a researcher can still filter those rows.

    Short texts: under 20 words the guess is unreliable, so another language rejects a short
    text only when the identifier is at least 0.9 sure (with the default ``min_words`` of 40
    such texts are rejected as too short first).

    Returns:
        ``(label, probability of that label, is_indonesian)``.
    """
    ranked = _language_identifier().rank(text[:1500])
    top, p_top = ranked[0]
    if top in _INDONESIAN_COMPATIBLE:
        return top, float(p_top), True
    if len(text.split()) < _SHORT_TEXT_WORDS and p_top < 0.9:
        p_id = dict(ranked).get("id", 0.0)
        return "id", float(p_id), True
    return top, float(p_top), False


# --------------------------------------------------------------------------------------------
# Fingerprints for duplicate detection
# --------------------------------------------------------------------------------------------

_WORD = re.compile(r"\w+")
_SHINGLE_BASE = np.uint64(1_000_003)


def _fingerprints(text: str) -> tuple[str, np.ndarray, np.ndarray]:
    """(digest of the word sequence, sorted unique 32-bit word 5-shingle hashes, MinHash values).

    Words are lower-cased ``\\w+`` runs, so reflowed whitespace or punctuation does not hide a copy.
    """
    from datasketch import MinHash

    words = _WORD.findall(text.casefold())
    digest = hashlib.sha1(" ".join(words).encode("utf-8")).hexdigest()
    cache: dict[str, int] = {}
    codes = np.fromiter(
        (cache.setdefault(w, zlib.crc32(w.encode("utf-8"))) for w in words),
        dtype=np.uint64, count=len(words),
    )
    if len(codes) < _SHINGLE_WORDS:
        combined = np.array([sum(int(c) for c in codes) & 0xFFFFFFFF], dtype=np.uint64)
    else:
        n = len(codes) - _SHINGLE_WORDS + 1
        combined = np.zeros(n, dtype=np.uint64)
        with np.errstate(over="ignore"):  # wrap-around is the intended modular arithmetic
            for k in range(_SHINGLE_WORDS):
                combined = combined * _SHINGLE_BASE + codes[k: k + n]
    folded = ((combined ^ (combined >> np.uint64(32))) & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    shingles = np.unique(folded)
    minhash = MinHash(num_perm=_NUM_PERM, seed=_MINHASH_SEED, hashfunc=int,
                      permutations=_permutations(), scheme="affine32")
    minhash.update_batch(shingles.tolist())
    return digest, shingles, np.asarray(minhash.hashvalues)


@functools.lru_cache(maxsize=1)
def _permutations():
    from datasketch import MinHash

    return MinHash(num_perm=_NUM_PERM, seed=_MINHASH_SEED, scheme="affine32").permutations


class _Deduplicator:
    """Flag exact and near duplicates against the documents kept so far, in input order.

    Exact: the same lower-cased word sequence. Near: Jaccard similarity of the sets of word
    5-shingles at least ``threshold``. MinHash LSH (datasketch, 128 permutations, fixed seed)
    proposes candidates at a looser threshold (``threshold - 0.15``) so few true pairs are
    missed, and the exact Jaccard of the shingle sets decides. A document is compared only with
    earlier documents that are not themselves duplicates, so ``duplicate_of`` always names a
    document with ``duplicate_of`` null; among several matches the earliest one wins.
    """

    def __init__(self, threshold: float):
        from datasketch import MinHashLSH

        self.threshold = threshold
        self.lsh = MinHashLSH(threshold=max(0.05, threshold - 0.15), num_perm=_NUM_PERM)
        self.exact: dict[str, str] = {}
        self.shingles: dict[str, np.ndarray] = {}
        self.order: dict[str, int] = {}

    def check(self, doc_id: str, digest: str, shingles: np.ndarray, hashvalues: np.ndarray) -> str | None:
        from datasketch import MinHash

        if digest in self.exact:
            return self.exact[digest]
        minhash = MinHash(num_perm=_NUM_PERM, seed=_MINHASH_SEED, hashvalues=hashvalues,
                          permutations=_permutations(), scheme="affine32")
        best = None
        for candidate in self.lsh.query(minhash):
            other = self.shingles[candidate]
            inter = np.intersect1d(shingles, other, assume_unique=True).size
            jaccard = inter / (shingles.size + other.size - inter)
            if jaccard >= self.threshold and (best is None or self.order[candidate] < self.order[best]):
                best = candidate
        if best is not None:
            return best
        self.exact[digest] = doc_id
        self.lsh.insert(doc_id, minhash)
        self.shingles[doc_id] = shingles
        self.order[doc_id] = len(self.order)
        return None


# --------------------------------------------------------------------------------------------
# Per-record processing (runs in worker processes when n_jobs > 1)
# --------------------------------------------------------------------------------------------


def _reject(item: SourceItem, reason: str, detail: str) -> _Outcome:
    return _Outcome(RawRecord(item.doc_id, item.source_file, item.record, reason=reason,
                              detail=detail))


def _first(*values):
    for value in values:
        if value is not None and value != "":
            return value
    return None


def _process(item: SourceItem, override: dict[str, object], ctx: _Context,
             fingerprints: bool = True) -> _Outcome:
    """Turn one source item into a cleaned record (or a reject) plus its duplicate fingerprints."""
    if item.reject is not None:
        return _reject(item, *item.reject)
    lex = ctx.lexicons
    fields = dict(item.fields)
    if isinstance(item.payload, bytes):
        text, reason, detail = decode_bytes(item.payload)
        if text is None:
            return _reject(item, reason, detail)
        if item.fmt == "html":
            try:
                text, fields = extract_html(text)
            except ExtractionFailed as exc:
                return _reject(item, "extraction_failed", str(exc))
            except (ValueError, RecursionError) as exc:  # pathological markup
                return _reject(item, "malformed", f"HTML could not be parsed: {exc}")
        elif item.fmt == "md":
            text, md_title = markdown_article(text)
            fields["title"] = md_title
    else:
        text = item.payload or ""
    if not text.strip():
        return _reject(item, "empty", "no text" if item.record is None else "the text field is empty")
    if len(text) > MAX_ARTICLE_CHARS:
        return _reject(item, "too_large", f"{len(text):,} characters; an article may have at most "
                       f"{MAX_ARTICLE_CHARS:,}")
    given_title = fields.get("title")
    cleaned = clean_article(text, lex, title=given_title,
                            detect_title=item.fmt in ("txt", "md") and not given_title)
    body = cleaned.text
    n_words = len(body.split())
    if n_words == 0:
        return _reject(item, "empty", "nothing left after boilerplate removal")
    title = _first(override.get("title"), cleaned.title)
    outlet = _first(
        override.get("outlet"),
        canonical_outlet(fields.get("outlet"), lex),
        canonical_outlet(fields.get("url"), lex) if fields.get("url") else None,
        cleaned.outlet,
    )
    date = _first(override.get("date"), parse_date(fields.get("date")), cleaned.date)
    url = _first(override.get("url"), fields.get("url"))
    base = RawRecord(item.doc_id, item.source_file, item.record, title=title, text=body,
                     date=date, url=url, outlet=outlet, n_words=n_words)
    if n_words < ctx.min_words:
        return _Outcome(dataclasses.replace(
            base, reason="too_short",
            detail=f"{n_words} words after cleaning; min_words is {ctx.min_words}"))
    label, prob, indonesian = identify_language(f"{title or ''}\n{body}")
    record = dataclasses.replace(base, language=label)
    if not indonesian:
        return _Outcome(dataclasses.replace(
            record, reason="not_indonesian",
            detail=f"language identified as {label!r} with probability {prob:.2f}"))
    if not fingerprints:
        return _Outcome(record)
    digest, shingles, minhash = _fingerprints(body)
    return _Outcome(record, digest, shingles, minhash)


def _process_batch(ctx: _Context, batch: list[tuple[SourceItem, dict, bool]]) -> list[_Outcome]:
    """The per-record work of one batch; runs wherever :func:`analysis.parallel.map_batches` puts it."""
    return [_process(item, override, ctx, fp) for item, override, fp in batch]


def _progress_disabled() -> bool:
    return not progress_enabled()


def _outcomes(tasks: Iterable[tuple[SourceItem, dict, bool]], ctx: _Context, n_jobs: int,
              backend: str = "local", dask_scheduler: str = "") -> Iterator[_Outcome]:
    """Process tasks in order, in this process, in local worker processes or on Dask workers.

    Batches of ``_BATCH`` records go to the workers, a few batches ahead of the one being
    consumed, so a large corpus is never queued whole; results come back in input order, so
    the output depends on neither ``n_jobs`` nor ``backend``.
    """
    for outcomes in map_batches(_process_batch, batched(tasks, _BATCH), context=ctx,
                                backend=backend, n_jobs=n_jobs, scheduler=dask_scheduler):
        yield from outcomes


# --------------------------------------------------------------------------------------------
# Sidecar metadata
# --------------------------------------------------------------------------------------------

_SIDECAR_COLUMNS = ("file", "outlet", "date", "title", "url")


def _load_sidecar(path: Path, lex: CleaningLexicons) -> dict[str, dict[str, object]]:
    """Read ``metadata.csv``: ``file`` (relative to the input directory, or ``relpath#key`` for a
    record) and the non-empty cells that override extracted values."""
    if not path.is_file():
        raise UserError(f"metadata file {path} not found; set ingest.metadata_file to '' for none")
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise UserError(f"metadata file {path} is not a readable UTF-8 CSV file ({exc})") from None
    table.columns = [str(c).strip().lower() for c in table.columns]
    if "file" not in table.columns:
        raise UserError(
            f"metadata file {path} has no 'file' column; expected columns {', '.join(_SIDECAR_COLUMNS)}"
        )
    overrides: dict[str, dict[str, object]] = {}
    for number, row in enumerate(table.to_dict("records"), start=2):
        key = row["file"].strip().replace("\\", "/")
        if not key:
            continue
        if key in overrides:
            raise UserError(f"metadata file {path}, line {number}: file {key!r} is listed twice")
        values: dict[str, object] = {}
        if row.get("title", "").strip():
            values["title"] = " ".join(row["title"].split())
        if row.get("url", "").strip():
            values["url"] = row["url"].strip()
        if row.get("outlet", "").strip():
            values["outlet"] = canonical_outlet(row["outlet"], lex)
        if row.get("date", "").strip():
            parsed = parse_date(row["date"])
            if parsed is None:
                raise UserError(
                    f"metadata file {path}, line {number}: date {row['date']!r} for {key!r} is "
                    "not a valid date; write it as YYYY-MM-DD or leave the cell empty"
                )
            values["date"] = parsed
        overrides[key] = values
    return overrides


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def _resolve_input(input_path: str | Path) -> tuple[Path, list[tuple[str, Path]] | None]:
    path = Path(input_path)
    if path.is_dir():
        return path, None
    if path.is_file():
        return path.parent, [(path.name, path)]
    raise UserError(f"input {path} not found; give a folder of articles or a .jsonl/.jsonl.gz/.csv file")


def _tasks(input_path: str | Path, lex: CleaningLexicons, sidecar: Path | None,
           fingerprints: bool) -> tuple[Iterator[tuple[SourceItem, dict, bool]], list[str]]:
    root, files = _resolve_input(input_path)
    overrides = _load_sidecar(sidecar, lex) if sidecar else {}
    skip = frozenset({sidecar}) if sidecar else frozenset()
    if files is None:
        files = discover_files(root, skip=skip)
        if not files:
            raise UserError(
                f"no input files in {root} (hidden files and metadata.csv are not inputs); "
                "put article files (.txt, .md, .html, .jsonl, .jsonl.gz, .csv) there"
            )
    known = {rel for rel, _ in files}
    unmatched = sorted(k for k in overrides if k.split("#", 1)[0] not in known)

    def generate() -> Iterator[tuple[SourceItem, dict, bool]]:
        for item in iter_source_items(files, lex):
            yield item, overrides.get(item.doc_id, {}), fingerprints

    return generate(), unmatched


def iter_records(
    input_path: str | Path,
    *,
    lexicon_dir: str | Path = "data/lexicons",
    metadata_file: str | Path = "",
    min_words: int = 40,
    n_jobs: int = 1,
    backend: str = "local",
    dask_scheduler: str = "",
) -> Iterator[RawRecord]:
    """Read and clean every article in a folder or in one file, in a stable order.

    This is the ingest code path without duplicate detection and without writing anything; the
    classify CLI uses it to read a folder or a ``.jsonl``/``.jsonl.gz`` export directly.

    Args:
        input_path: a folder (sub-folders included) or one .txt/.md/.html/.jsonl/.jsonl.gz/.csv.
        lexicon_dir: folder with ``boilerplate_rules.csv``, ``outlet_aliases.csv``,
            ``public_suffixes.txt`` and ``input_columns.csv``.
        metadata_file: optional sidecar CSV (``file,outlet,date,title,url,notes``); "" for none.
        min_words: articles with fewer words after cleaning come back as ``too_short``.
        n_jobs: worker processes (1 = in this process); the output does not depend on it.
        backend: ``local`` or ``dask`` (see :mod:`analysis.parallel`); the output does not
            depend on it.
        dask_scheduler: address of a running Dask scheduler; "" starts a local cluster.

    Yields:
        One :class:`RawRecord` per input file or record, rejects included (``reason`` set).
        ``doc_id`` is the path relative to the folder (for a single file: its name), plus
        ``#key`` inside multi-record files: the record's ``id`` when present and unique in the
        file, else ``L{line}`` (JSONL, 1-based) or ``R{row}`` (CSV, 1-based data row).
    """
    check_backend(backend, n_jobs, dask_scheduler)
    lex = load_lexicons(lexicon_dir)
    sidecar = Path(metadata_file) if str(metadata_file) else None
    tasks, unmatched = _tasks(input_path, lex, sidecar, fingerprints=False)
    _warn_unmatched(unmatched, sidecar)
    for outcome in _outcomes(tasks, _Context(lex, min_words), n_jobs, backend, dask_scheduler):
        yield outcome.record


def read_articles(input_path: str | Path, **kwargs) -> Iterator[tuple[str, str | None, str]]:
    """``(doc_id, title, text)`` for every usable article under ``input_path`` (rejects skipped).

    Keyword arguments are those of :func:`iter_records`.
    """
    for record in iter_records(input_path, **kwargs):
        if not record.is_reject:
            yield record.doc_id, record.title, record.text


def _warn_unmatched(unmatched: list[str], sidecar: Path | None) -> None:
    if unmatched:
        shown = ", ".join(unmatched[:5]) + (" …" if len(unmatched) > 5 else "")
        warnings.warn(f"{sidecar}: {len(unmatched)} row(s) name no input file: {shown}",
                      stacklevel=3)


def documents_schema():
    """The pandera schema documents.parquet is validated against before it is written."""
    import pandera.pandas as pa

    def text(nullable: bool) -> pa.Column:
        return pa.Column(str, nullable=nullable)

    return pa.DataFrameSchema(
        {
            "doc_id": pa.Column(str, unique=True, checks=pa.Check.str_length(min_value=1)),
            "source_file": text(False),
            "record": text(True),
            "outlet": text(True),
            "date": pa.Column("datetime64[ns]", nullable=True),
            "title": text(True),
            "url": text(True),
            "text": pa.Column(str, checks=pa.Check.str_length(min_value=1)),
            "language": pa.Column(str, checks=pa.Check.str_length(min_value=2, max_value=3)),
            "n_words": pa.Column("int64", checks=pa.Check.ge(1)),
            "duplicate_of": text(True),
        },
        checks=[
            pa.Check(lambda df: df["duplicate_of"].isna() | df["duplicate_of"].isin(df["doc_id"]),
                     error="duplicate_of must name a doc_id in the table"),
            pa.Check(lambda df: ~df["text"].str.contains("\n\n\n", regex=False),
                     error="paragraphs must be separated by exactly one blank line"),
        ],
        strict=True,
        ordered=True,
    )


def _str_column(values: list) -> pd.Series:
    return pd.Series(values, dtype="str")


def _documents_frame(rows: list[tuple[RawRecord, str | None]]) -> pd.DataFrame:
    frame = pd.DataFrame({
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
    })
    return documents_schema().validate(frame)


def _rejects_frame(rows: list[RawRecord]) -> pd.DataFrame:
    return pd.DataFrame({
        "source_file": _str_column([r.source_file for r in rows]),
        "record": _str_column([r.record for r in rows]),
        "reason": _str_column([r.reason for r in rows]),
        "detail": _str_column([r.detail for r in rows]),
    })


def _file_format(source_file: str) -> str:
    lower = source_file.lower()
    if lower.endswith(".jsonl.gz"):
        return "jsonl.gz"
    suffix = os.path.splitext(lower)[1].lstrip(".")
    return suffix or "(none)"


@dataclass(frozen=True)
class IngestResult:
    """What ``run_ingest`` produced: the two tables exactly as written to disk."""

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
        words = {doc_id: _WORD.findall(text.casefold())
                 for doc_id, text, dup in zip(docs["doc_id"], docs["text"], docs["duplicate_of"])
                 if isinstance(dup, str)}
        originals = set(docs["duplicate_of"].dropna())
        words.update({doc_id: _WORD.findall(text.casefold())
                      for doc_id, text in zip(docs["doc_id"], docs["text"]) if doc_id in originals})
        rows = []
        for doc_id, source_file, dup in zip(docs["doc_id"], docs["source_file"], docs["duplicate_of"]):
            if isinstance(dup, str):
                kind = "exact_duplicate" if words[doc_id] == words[dup] else "near_duplicate"
                rows.append(("duplicate", kind, _file_format(source_file)))
            else:
                rows.append(("document", "", _file_format(source_file)))
        for source_file, reason in zip(self.rejects["source_file"], self.rejects["reason"]):
            rows.append(("rejected", reason, _file_format(source_file)))
        table = pd.DataFrame(rows, columns=["status", "reason", "format"])
        order = {"document": 0, "duplicate": 1, "rejected": 2}
        counts = (table.groupby(["status", "reason", "format"], sort=False).size()
                  .rename("n").reset_index())
        counts["_order"] = counts["status"].map(order)
        counts = counts.sort_values(["_order", "reason", "format"]).drop(columns="_order")
        return counts.reset_index(drop=True)


def _check_arguments(raw_dir: Path, min_words: int, threshold: float, n_jobs: int) -> None:
    if not raw_dir.is_dir():
        raise UserError(f"raw_dir {raw_dir} is not a directory; point ingest.raw_dir at a folder of articles")
    if not isinstance(min_words, int) or min_words < 1:
        raise UserError(f"min_words = {min_words!r}; use a whole number of at least 1")
    if not 0.0 < float(threshold) <= 1.0:
        raise UserError(f"near_duplicate_threshold = {threshold!r}; use a number in (0, 1]")
    if not isinstance(n_jobs, int) or n_jobs < 1:
        raise UserError(f"n_jobs = {n_jobs!r}; use a whole number of at least 1")


def run_ingest(
    raw_dir: str | Path,
    *,
    documents_path: str | Path,
    rejects_path: str | Path,
    metadata_file: str | Path = "",
    lexicon_dir: str | Path = "data/lexicons",
    min_words: int = 40,
    near_duplicate_threshold: float = 0.8,
    n_jobs: int = 1,
    backend: str = "local",
    dask_scheduler: str = "",
) -> IngestResult:
    """Ingest every article under ``raw_dir`` into documents.parquet and rejects.csv.

    Args:
        raw_dir: input folder; sub-folders are included. Never written to.
        documents_path: where to write documents.parquet (atomically).
        rejects_path: where to write rejects.csv (atomically, spreadsheet-safe).
        metadata_file: sidecar CSV whose non-empty cells override extracted metadata; its
            ``file`` column is relative to ``raw_dir``. "" for none.
        lexicon_dir: folder of the ingest lexicons (see :func:`iter_records`).
        min_words: documents with fewer whitespace words after cleaning are ``too_short``.
        near_duplicate_threshold: Jaccard similarity of word 5-shingle sets at or above which a
            document is a near duplicate of an earlier one.
        n_jobs: worker processes for per-record cleaning; results are identical for any value.
        backend: where the per-record cleaning runs: ``local`` (this process or a pool of
            ``n_jobs`` processes) or ``dask`` (a Dask cluster, see :mod:`analysis.parallel`).
            Reading the input and duplicate detection (global over all documents) stay in this
            process. The output is byte-identical for both.
        dask_scheduler: address of a running Dask scheduler; "" starts a local cluster of
            ``n_jobs`` workers.

    Returns:
        The two tables as written, with ``metrics()`` and ``summary_table()``.

    Raises:
        UserError: for a missing or empty folder, a missing lexicon or sidecar, a sidecar date
            that is not a date, or impossible argument values.
    """
    raw_dir = Path(raw_dir)
    _check_arguments(raw_dir, min_words, near_duplicate_threshold, n_jobs)
    check_backend(backend, n_jobs, dask_scheduler)
    lex = load_lexicons(lexicon_dir)
    sidecar = Path(metadata_file) if str(metadata_file) else None
    tasks, unmatched = _tasks(raw_dir, lex, sidecar, fingerprints=True)
    _warn_unmatched(unmatched, sidecar)

    dedup = _Deduplicator(float(near_duplicate_threshold))
    documents: list[tuple[RawRecord, str | None]] = []
    rejects: list[RawRecord] = []
    outcomes = _outcomes(tasks, _Context(lex, min_words), n_jobs, backend, dask_scheduler)
    with progress(desc="ingest", unit=" articles") as bar:
        for outcome in outcomes:
            bar.update(1)
            record = outcome.record
            if record.is_reject:
                rejects.append(record)
                continue
            duplicate_of = dedup.check(record.doc_id, outcome.digest, outcome.shingles,
                                       outcome.minhash)
            documents.append((record, duplicate_of))
    del dedup

    doc_frame = _documents_frame(documents)
    reject_frame = _rejects_frame(rejects)
    write_parquet(documents_path, doc_frame)
    write_csv(rejects_path, reject_frame)
    return IngestResult(doc_frame, reject_frame)
