"""Read and clean every article of a folder or file: one record per input, rejects with reasons."""

from __future__ import annotations

import dataclasses
import datetime as dt
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import UserError
from ..core.io import csv_delimiter
from ..core.parallel import batched, check_backend, compute_options, map_batches
from .clean import clean_article
from .dedup import Fingerprint, fingerprint
from .html import ExtractionFailed, extract_html
from .language import identify_languages
from .lexicons import CleaningLexicons, load_cleaning_lexicons
from .metadata import canonical_outlet, parse_date
from .sources import (
    MAX_ARTICLE_CHARS,
    SourceItem,
    decode_bytes,
    discover_files,
    iter_source_items,
    markdown_article,
)

if TYPE_CHECKING:
    from ..core.config import ComputeParams

__all__ = ["RawRecord", "Outcome", "iter_records", "iter_outcomes", "read_articles"]

# Records per worker task (a few tasks per worker are in flight): at 64 the pool's per-task
# work cost ingest 5 % more wall time at 100k than at 256 (benchmarks/RESULTS.md).
_BATCH = 256


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

    def __reduce__(self):
        # Records come back from the ingest workers by the million: their values travel as a
        # tuple (a dataclass's default pickling cost the workers ~7 µs more per record).
        return (_rebuild, (RawRecord, _record_values(self)))


@dataclass(frozen=True)
class _Context:
    lexicons: CleaningLexicons
    min_words: int
    seed: int | None  # MinHash seed; None: no duplicate fingerprints


@dataclass(frozen=True)
class Outcome:
    """One record, and its duplicate fingerprint when one was asked for (kept articles only)."""

    record: RawRecord
    fingerprint: Fingerprint | None = None

    def __reduce__(self):
        return (Outcome, (self.record, self.fingerprint))


_record_values = attrgetter(*RawRecord.__dataclass_fields__)


def _rebuild(cls: type, values: tuple) -> object:
    """A frozen dataclass from its field values in order (what ``__reduce__`` sends)."""
    obj = object.__new__(cls)
    obj.__dict__.update(zip(cls.__dataclass_fields__, values, strict=True))
    return obj


def _reject(item: SourceItem, reason: str, detail: str) -> Outcome:
    return Outcome(RawRecord(item.doc_id, item.source_file, item.record, reason=reason,
                              detail=detail))


def _first(*values):
    for value in values:
        if value is not None and value != "":
            return value
    return None


def _clean(item: SourceItem, override: dict[str, object], ctx: _Context) -> Outcome | RawRecord:
    """One source item cleaned: its final outcome when it is rejected here, else the record
    whose language is still to be identified."""
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
    # a date from the sidecar or the record wins over one found in the text: then the text's
    # own is not looked for
    given_date = _first(override.get("date"), parse_date(fields.get("date")))
    cleaned = clean_article(text, lex, title=given_title,
                            detect_title=item.fmt in ("txt", "md") and not given_title,
                            date_in_text=given_date is None)
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
    date = _first(given_date, cleaned.date)
    url = _first(override.get("url"), fields.get("url"))
    base = RawRecord(item.doc_id, item.source_file, item.record, title=title, text=body,
                     date=date, url=url, outlet=outlet, n_words=n_words)
    if n_words < ctx.min_words:
        return Outcome(dataclasses.replace(
            base, reason="too_short",
            detail=f"{n_words} words after cleaning; min_words is {ctx.min_words}"))
    return base


def _identified(base: RawRecord, language: tuple[str, float, bool]) -> Outcome:
    """The outcome of a cleaned record given what the language identifier said of it."""
    label, prob, indonesian = language
    record = dataclasses.replace(base, language=label)
    if not indonesian:
        return Outcome(dataclasses.replace(
            record, reason="not_indonesian",
            detail=f"language identified as {label!r} with probability {prob:.2f}"))
    return Outcome(record)


def _process_batch(ctx: _Context, batch: list[tuple[SourceItem, dict]]) -> list[Outcome]:
    """The per-record work of one batch; runs wherever :func:`~analysis.core.parallel.map_batches` puts it.

    The steps run one after the other over the whole batch (cleaning, then language
    identification, then the duplicate fingerprints), not article by article: each step's
    tables (the identifier's 39 MB automaton and 57 MB score table above all) then stay in the
    processor's caches from one article to the next, which saves about a fifth of the work. Each step is a
    function of its article alone, so the outcomes are those of one article at a time.
    """
    outcomes: list[Outcome | RawRecord] = [_clean(item, override, ctx) for item, override in batch]
    cleaned = [k for k, base in enumerate(outcomes) if isinstance(base, RawRecord)]
    languages = identify_languages(
        [f"{outcomes[k].title or ''}\n{outcomes[k].text}" for k in cleaned]
    )
    for k, language in zip(cleaned, languages, strict=True):
        outcomes[k] = _identified(outcomes[k], language)
    if ctx.seed is not None:
        for k, outcome in enumerate(outcomes):
            if not outcome.record.is_reject:
                outcomes[k] = Outcome(outcome.record, fingerprint(outcome.record.text, ctx.seed))
    return outcomes


# --------------------------------------------------------------------------------------------
# Sidecar metadata

_SIDECAR_COLUMNS = ("file", "outlet", "date", "title", "url")


def _load_sidecar(path: Path, lex: CleaningLexicons) -> dict[str, dict[str, object]]:
    """Read ``metadata.csv``: ``file`` (relative to the input directory, or ``relpath#key`` for a
    record) and the non-empty cells that override extracted values."""
    import pandas as pd

    if not path.is_file():
        raise UserError(f"metadata file {path} not found; set ingest.metadata_file to '' for none")
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            delimiter = csv_delimiter(fh.readline(1 << 16))
        table = pd.read_csv(path, sep=delimiter, dtype=str, keep_default_na=False,
                            encoding="utf-8-sig")
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
# Reading


def _resolve_input(input_path: str | Path) -> tuple[Path, list[tuple[str, Path]] | None]:
    path = Path(input_path)
    if path.is_dir():
        return path, None
    if path.is_file():
        return path.parent, [(path.name, path)]
    raise UserError(f"input {path} not found; give a folder of articles or a .jsonl/.jsonl.gz/.csv file")


def _tasks(input_path: str | Path, lex: CleaningLexicons, sidecar: Path | None
           ) -> tuple[Iterator[tuple[SourceItem, dict]], list[str]]:
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

    def generate() -> Iterator[tuple[SourceItem, dict]]:
        for item in iter_source_items(files, lex):
            yield item, overrides.get(item.doc_id, {})

    return generate(), unmatched


def iter_outcomes(input_path: str | Path, *, lexicons: CleaningLexicons,
                  metadata_file: str | Path | None, min_words: int,
                  compute: ComputeParams | None = None, seed: int | None = None
                  ) -> Iterator[Outcome]:
    """Read and clean every input of a folder or file, in order, in this process or in workers.

    Batches of records go to the workers (``compute``: backend and ``n_jobs``; None runs in
    this process), a few batches ahead of the one being consumed, so a large corpus is never
    queued whole; results come back in input order, so the output depends on neither.

    Args:
        input_path: a folder (sub-folders included) or one .txt/.md/.html/.jsonl/.jsonl.gz/.csv.
        lexicons: the cleaning lexicons.
        metadata_file: optional sidecar CSV (``file,outlet,date,title,url,notes``); None for none.
        min_words: articles with fewer words after cleaning come back as ``too_short``.
        compute: where the per-record work runs (params.yaml ``compute``); None: here.
        seed: with a seed, kept articles carry their duplicate :class:`~.dedup.Fingerprint`.
    """
    options = compute_options(compute)
    check_backend(options["backend"], options["n_jobs"], options["scheduler"])
    sidecar = Path(metadata_file) if metadata_file not in (None, "") else None
    tasks, unmatched = _tasks(input_path, lexicons, sidecar)
    _warn_unmatched(unmatched, sidecar)
    for outcomes in map_batches(_process_batch, batched(tasks, _BATCH),
                                context=_Context(lexicons, min_words, seed), **options):
        yield from outcomes


def iter_records(input_path: str | Path, *, lexicon_dir: str | Path,
                 metadata_file: str | Path | None = None, min_words: int,
                 compute: ComputeParams | None = None) -> Iterator[RawRecord]:
    """Read and clean every article in a folder or in one file, in a stable order.

    This is the ingest code path without duplicate detection and without writing anything; the
    classify CLI and the gold evaluation read articles through it.

    Args:
        input_path: a folder (sub-folders included) or one .txt/.md/.html/.jsonl/.jsonl.gz/.csv.
        lexicon_dir: folder with ``boilerplate_rules.csv``, ``outlet_aliases.csv``,
            ``public_suffixes.txt`` and ``input_columns.csv``.
        metadata_file: optional sidecar CSV (``file,outlet,date,title,url,notes``); None for none.
        min_words: articles with fewer words after cleaning come back as ``too_short``.
        compute: worker processes and backend (the output does not depend on them); None runs
            in this process.

    Yields:
        One :class:`RawRecord` per input file or record, rejects included (``reason`` set).
        ``doc_id`` is the path relative to the folder (for a single file: its name), plus
        ``#key`` inside multi-record files: the record's ``id`` when present and unique in the
        file, else ``L{line}`` (JSONL, 1-based) or ``R{row}`` (CSV, 1-based data row).
    """
    options = compute_options(compute)
    check_backend(options["backend"], options["n_jobs"], options["scheduler"])
    lexicons = load_cleaning_lexicons(lexicon_dir)
    for outcome in iter_outcomes(input_path, lexicons=lexicons, metadata_file=metadata_file,
                                 min_words=min_words, compute=compute):
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

