"""Find input files, decode their bytes and stream their articles as source items for ingest."""

from __future__ import annotations

import codecs
import csv
import gzip
import os
import re
import stat
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.io import csv_delimiter, parse_json
from ..core.parallel import in_background
from .lexicons import CleaningLexicons

__all__ = [
    "SourceItem",
    "SINGLE_ARTICLE_FORMATS",
    "MULTI_RECORD_FORMATS",
    "MAX_FILE_BYTES",
    "MAX_ARTICLE_CHARS",
    "MAX_RECORD_BYTES",
    "input_format",
    "discover_files",
    "decode_bytes",
    "iter_source_items",
]

# Each input file becomes one or more :class:`SourceItem` objects in a stable order (files sorted
# by their POSIX path relative to the input directory, records in file order). An item either
# carries an article to clean or the reason it cannot become one, so nothing is lost silently.
#
# Formats: ``.txt`` and ``.md`` (one pasted article), ``.html``/``.htm`` (one saved page),
# ``.jsonl``/``.jsonl.gz`` (one JSON object per line) and ``.csv`` (one article per row, with a
# header naming the columns; names are matched through ``input_columns.csv``).

SINGLE_ARTICLE_FORMATS = {".txt": "txt", ".md": "md", ".markdown": "md", ".html": "html",
                          ".htm": "html"}
MULTI_RECORD_FORMATS = {".jsonl": "jsonl", ".jsonl.gz": "jsonl", ".csv": "csv"}
# A single pasted article or saved page larger than this is not an article (20 MB holds about
# 3 million words; the longest clickid article has 20 thousand characters).
MAX_FILE_BYTES = 20_000_000
# Longest text accepted for one article, after decoding (ten times the clickid maximum).
MAX_ARTICLE_CHARS = 200_000
# Longest line read from a JSONL file. A record holding an article of MAX_ARTICLE_CHARS takes at
# most 12 bytes a character even fully \u-escaped (2.4 MB); a longer line is rejected as
# too_large while it is skipped, so a corrupt or hostile file (one 3 GB line, a gzip bomb) is
# never held in memory.
MAX_RECORD_BYTES = 4_000_000
SIDECAR_NAME = "metadata.csv"
_LEGACY_TEXT_PUNCTUATION = frozenset("\u201c\u201d\u2018\u2019\u201a\u201e\u2013\u2014\u2026"
                                     "\u2022\u00ab\u00bb\u20ac\u00b0\u00b7\u00a9\u00ae\u2122")

_BINARY_MAGIC = {
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive (e.g. .docx/.xlsx)",
    b"\x89PNG": "a PNG image",
    b"GIF8": "a GIF image",
    b"\xff\xd8\xff": "a JPEG image",
    b"\x1f\x8b": "gzip-compressed data",
    b"\x7fELF": "an executable",
    b"{\\rtf": "an RTF document",
    b"\xd0\xcf\x11\xe0": "an old Microsoft Office document",
}


@dataclass(frozen=True)
class SourceItem:
    """One input file or record, before cleaning.

    Attributes:
        source_file: path relative to the input directory, POSIX separators.
        record: key inside a multi-record file (see :func:`iter_source_items`), else None.
        fmt: ``txt``, ``md``, ``html``, ``jsonl`` or ``csv``.
        payload: raw bytes (single-article files) or the record's text (records).
        fields: title/date/url/outlet given by the record or None.
        reject: ``(reason, detail)`` when the item is already known to be unusable.
    """

    source_file: str
    record: str | None
    fmt: str
    payload: bytes | str | None = None
    fields: dict[str, str | None] = field(default_factory=dict)
    reject: tuple[str, str] | None = None

    @property
    def doc_id(self) -> str:
        return self.source_file if self.record is None else f"{self.source_file}#{self.record}"


def input_format(name: str) -> str | None:
    """The format of a file name (``jsonl`` for ``x.jsonl.gz``), None when unsupported."""
    lower = name.lower()
    if lower.endswith(".jsonl.gz"):
        return "jsonl"
    suffix = os.path.splitext(lower)[1]
    return SINGLE_ARTICLE_FORMATS.get(suffix) or MULTI_RECORD_FORMATS.get(suffix)


def discover_files(input_dir: Path, *, skip: frozenset[Path] = frozenset()) -> list[tuple[str, Path]]:
    """All candidate input files under ``input_dir`` (sub-folders included), sorted by path.

    Not inputs, and therefore not listed at all: hidden files and folders (names starting with
    ``.``: ``.gitkeep``, ``.DS_Store``, ``.ipynb_checkpoints`` — created by tools, never by a
    researcher adding articles), the metadata sidecar (``metadata.csv`` at the top of the input
    directory, which describes articles rather than being one) and any path in ``skip``.
    Everything else is listed, whatever its type, so unsupported files are reported as rejects.
    Symbolic links to files are followed (a benchmark links a large corpus instead of copying it).
    Symbolic links to folders are listed but not followed (a link can loop back to a parent), so
    :func:`iter_source_items` reports them as rejects instead of reading a folder twice or
    forever; broken or looping links are listed too and rejected as unreadable.

    Returns:
        ``(relative POSIX path, absolute path)`` pairs sorted by relative path.
    """
    found: list[tuple[str, Path]] = []
    skip_resolved = {_resolved(p) for p in skip} - {None}
    for root, dirs, files in os.walk(input_dir):
        linked = [d for d in dirs if not d.startswith(".") and os.path.islink(os.path.join(root, d))]
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in linked)
        for name in [*files, *linked]:
            if name.startswith("."):
                continue
            path = Path(root) / name
            rel = path.relative_to(input_dir).as_posix()
            if rel == SIDECAR_NAME or (skip_resolved and _resolved(path) in skip_resolved):
                continue
            found.append((rel, path))
    found.sort(key=lambda pair: pair[0])
    return found


def _resolved(path: Path) -> Path | None:
    """The real path, or None for a link that loops (resolve raises instead of returning)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return None


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    sample = text[:20_000]
    bad = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f")
    return bad / len(sample)


def decode_bytes(data: bytes) -> tuple[str | None, str | None, str]:
    """Decode article bytes: BOMs (UTF-8, UTF-16, UTF-32), then strict UTF-8, then Windows-1252
    (Latin-1 for the five bytes cp1252 leaves undefined).

    Returns:
        ``(text, None, encoding)`` on success, or ``(None, reason, detail)`` with reason
        ``binary`` (NUL bytes, a known binary signature, or many control characters) or
        ``undecodable`` (a legacy decoding that yields mostly symbols, i.e. not text).
    """
    boms = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
            (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
            (codecs.BOM_UTF16_BE, "utf-16"))
    for bom, encoding in boms:
        if data.startswith(bom):
            try:
                return data.decode(encoding), None, encoding
            except UnicodeDecodeError as exc:
                return None, "undecodable", f"starts with a {encoding} byte-order mark but {exc}"
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            return None, "binary", f"file content is {what}, not text"
    n_nul = data.count(b"\x00")
    if n_nul:
        hint = ""
        half = len(data) // 2
        # Latin-script UTF-16 has a NUL in every other byte: say so, it is a common export.
        if half >= 2 and max(data[0::2].count(0), data[1::2].count(0)) > 0.8 * half:
            hint = " (it looks like UTF-16 without a byte-order mark: save it as UTF-8)"
        return None, "binary", f"{n_nul} NUL bytes: not a text file{hint}"
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        try:
            text, encoding = data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            text, encoding = data.decode("latin-1"), "latin-1"
        # Real legacy-encoded text has letters and the usual typographic punctuation above
        # ASCII; bytes that are not text decode to a spread of symbols and control characters.
        symbols = sum(1 for ch in text if ord(ch) > 127 and not ch.isalpha()
                      and not ch.isspace() and ch not in _LEGACY_TEXT_PUNCTUATION)
        if text and symbols / len(text) > 0.1:
            return None, "undecodable", (
                f"not UTF-8, and as {encoding} {symbols / len(text):.0%} of the characters are "
                "symbols; save the file as UTF-8"
            )
    if _control_share(text) > 0.05:
        return None, "binary", f"decoded as {encoding} but mostly control characters"
    return text, None, encoding


# --------------------------------------------------------------------------------------------
# Multi-record files
# --------------------------------------------------------------------------------------------

_POSITION_KEY = re.compile(r"^[LR]\d+$")
# JSON can spell a lone UTF-16 surrogate ("\ud800"); it is not a character, cannot be written
# as UTF-8 (Parquet, CSV) and carries no text, so it is removed from every value read.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_surrogates(text: str) -> str:
    return text if text.isascii() else _SURROGATE.sub("", text)


def _field_names(lex: CleaningLexicons, name: str) -> tuple[str, ...]:
    return lex.input_columns.get(name, (name,))


def _lowered_keys(obj: dict) -> dict[str, object]:
    """``obj``'s keys by their stripped, case-folded form (the last key wins a clash)."""
    return {str(k).strip().casefold(): k for k in obj}


def _pick(
    obj: dict, names: tuple[str, ...], lowered: dict[str, object] | None = None
) -> tuple[str | None, object]:
    """The first alias present in ``obj`` (keys matched case-insensitively) and its value;
    ``lowered``: ``_lowered_keys(obj)`` when the caller has it already."""
    if lowered is None:
        lowered = _lowered_keys(obj)
    for name in names:
        if name in lowered:
            key = lowered[name]
            return str(key), obj[key]
    return None, None


def _record_key(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    key = _without_surrogates(str(value)).strip()
    # A key shaped like a positional key could collide with one; fall back to position instead.
    return key if key and not _POSITION_KEY.match(key) else None


def _record_fields(
    obj: dict, lex: CleaningLexicons, lowered: dict[str, object] | None = None
) -> tuple[dict, str | None, str | None]:
    """Map one JSON object / CSV row to (fields, text, error); ``lowered`` as for ``_pick``."""
    fields: dict[str, str | None] = {}
    if lowered is None:
        lowered = _lowered_keys(obj)  # once for the five fields
    for name in ("title", "date", "url", "outlet"):
        key, value = _pick(obj, _field_names(lex, name), lowered)
        if value is None or (isinstance(value, str) and not value.strip()):
            fields[name] = None
        elif isinstance(value, bool) or isinstance(value, (list, dict)):
            return {}, None, f"field {key!r} is {type(value).__name__}, expected a string"
        else:
            fields[name] = _without_surrogates(str(value)).strip() or None
    key, value = _pick(obj, _field_names(lex, "text"), lowered)
    if key is None:
        looked = ", ".join(_field_names(lex, "text"))
        return {}, None, f"no text field (looked for {looked}; see input_columns.csv)"
    if value is None:
        return fields, "", None
    if not isinstance(value, str):
        return {}, None, f"field {key!r} is {type(value).__name__}, expected a string"
    return fields, _without_surrogates(value), None


def _decode_line(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            return raw.decode("latin-1")


def _open_binary(path: Path, gzipped: bool):
    return gzip.open(path, "rb") if gzipped else open(path, "rb")


_READ_ERRORS = (OSError, EOFError, zlib.error, gzip.BadGzipFile)


def _bounded_lines(fh) -> Iterator[tuple[bytes | None, int]]:
    """``(line, size)`` for each line of a binary file; ``(None, size)`` for a line longer than
    ``MAX_RECORD_BYTES``, which is skipped in pieces rather than read into memory."""
    limit = MAX_RECORD_BYTES
    while line := fh.readline(limit + 1):
        if len(line) <= limit or line.endswith(b"\n"):
            yield line, len(line)
            continue
        size = len(line)
        while chunk := fh.readline(1 << 20):
            size += len(chunk)
            if chunk.endswith(b"\n"):
                break
        yield None, size


def _jsonl_ids(path: Path, gzipped: bool, lex: CleaningLexicons) -> Counter:
    """First pass: how often each record id occurs (ids must be unique to serve as keys)."""
    counts: Counter = Counter()
    names = _field_names(lex, "id")
    try:
        with _open_binary(path, gzipped) as fh:
            for raw, _size in _bounded_lines(fh):
                if raw is None:
                    continue
                try:
                    obj = parse_json(_decode_line(raw).lstrip("\ufeff"))
                except ValueError:
                    continue
                if isinstance(obj, dict):
                    key = _record_key(_pick(obj, names)[1])
                    if key is not None:
                        counts[key] += 1
    except _READ_ERRORS:
        pass  # the second pass meets the same error and reports it
    return counts


class _JsonlIds:
    """:func:`_jsonl_ids` of each JSONL file, the next file's counted in a thread while this
    file's records are read: a corpus in many parts no longer waits at each part's start (about
    0.8 s per 50,000 records, the workers idle). The counts are the same."""

    def __init__(self, files: list[tuple[str, Path]], lex: CleaningLexicons) -> None:
        self._lex = lex
        self._jsonl = [(rel, path) for rel, path in files if input_format(rel) == "jsonl"]
        self._order = {rel: k for k, (rel, _path) in enumerate(self._jsonl)}
        self._ahead: dict[str, Any] = {}  # rel -> Future of its counts

    def counts(self, rel: str, path: Path) -> Counter:
        ahead = self._ahead.pop(rel, None)
        ids = ahead.result() if ahead is not None else self._count(rel, path)
        following = self._order.get(rel, len(self._jsonl)) + 1
        if following < len(self._jsonl):
            next_rel, next_path = self._jsonl[following]
            if _plain_file(next_path):  # never a pipe (it would block) or an empty file
                self._ahead[next_rel] = in_background(self._count, next_rel, next_path)
        return ids

    def _count(self, rel: str, path: Path) -> Counter:
        return _jsonl_ids(path, rel.lower().endswith(".gz"), self._lex)


def _plain_file(path: Path) -> bool:
    try:
        info = path.stat()
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_size > 0


def _iter_jsonl(rel: str, path: Path, lex: CleaningLexicons,
                ids: Counter | None = None) -> Iterator[SourceItem]:
    gzipped = rel.lower().endswith(".gz")
    if ids is None:
        ids = _jsonl_ids(path, gzipped, lex)
    id_names = _field_names(lex, "id")
    lineno = 0
    n_records = 0
    try:
        with _open_binary(path, gzipped) as fh:
            for raw, size in _bounded_lines(fh):
                lineno += 1
                if raw is None:
                    n_records += 1
                    yield SourceItem(rel, f"L{lineno}", "jsonl", reject=(
                        "too_large", f"line {lineno} has {size:,} bytes; a JSONL record may have "
                        f"at most {MAX_RECORD_BYTES:,}"))
                    continue
                text_line = _decode_line(raw).lstrip("\ufeff") if lineno == 1 else _decode_line(raw)
                if not text_line.strip():
                    continue  # blank lines separate nothing and are not records
                n_records += 1
                position = f"L{lineno}"
                try:
                    obj = parse_json(text_line)
                except ValueError as exc:
                    yield SourceItem(rel, position, "jsonl",
                                     reject=("malformed", f"line {lineno} is not valid JSON: {exc}"))
                    continue
                if not isinstance(obj, dict):
                    yield SourceItem(rel, position, "jsonl", reject=(
                        "malformed", f"line {lineno} is a JSON {type(obj).__name__}, expected an object"))
                    continue
                lowered = _lowered_keys(obj)
                key = _record_key(_pick(obj, id_names, lowered)[1])
                record = key if key is not None and ids.get(key) == 1 else position
                fields, text, error = _record_fields(obj, lex, lowered)
                if error:
                    yield SourceItem(rel, record, "jsonl", reject=("malformed", f"line {lineno}: {error}"))
                    continue
                yield SourceItem(rel, record, "jsonl", payload=text, fields=fields)
    except _READ_ERRORS as exc:
        detail = f"cannot read {'gzip ' if gzipped else ''}data after line {lineno}: {exc}"
        if n_records == 0:
            yield SourceItem(rel, None, "jsonl", reject=("malformed", detail))
        else:
            yield SourceItem(rel, f"L{lineno + 1}", "jsonl", reject=("malformed", detail))
        return
    if n_records == 0:
        yield SourceItem(rel, None, "jsonl", reject=("empty", "no JSON lines in the file"))


def _csv_encoding(path: Path) -> tuple[str | None, tuple[str, str] | None]:
    """Pick the encoding for a CSV file by validating it in a streaming pass."""
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", None
    candidates = ("utf-8-sig", "cp1252")
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with open(path, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    if b"\x00" in chunk:
                        return None, ("binary", "NUL bytes in a CSV file: not text")
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            return encoding, None
        except UnicodeDecodeError:
            continue
    return "latin-1", None


def _csv_delimiter(path: Path, encoding: str) -> str:
    """:func:`~analysis.core.io.csv_delimiter` of the file's header line (a comma when it
    cannot be decoded)."""
    try:
        with open(path, encoding=encoding, newline="") as fh:
            return csv_delimiter(fh.readline(1 << 16))
    except UnicodeError:
        return ","


def _iter_csv(rel: str, path: Path, lex: CleaningLexicons) -> Iterator[SourceItem]:
    try:
        encoding, problem = _csv_encoding(path)
        if not problem:
            delimiter = _csv_delimiter(path, encoding)
    except OSError as exc:
        yield SourceItem(rel, None, "csv", reject=("undecodable", f"cannot read the file: {exc}"))
        return
    if problem:
        yield SourceItem(rel, None, "csv", reject=problem)
        return
    csv.field_size_limit(max(csv.field_size_limit(), 4 * MAX_ARTICLE_CHARS))

    def rows() -> Iterator[list[str]]:
        with open(path, encoding=encoding, newline="") as fh:
            yield from csv.reader(fh, delimiter=delimiter)

    n_rows = 0
    number = 0
    try:
        reader = rows()
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            yield SourceItem(rel, None, "csv", reject=("empty", "no header row"))
            return
        header = [h.strip() for h in header]
        probe = dict.fromkeys(header, "")
        if _pick(probe, _field_names(lex, "text"))[0] is None:
            looked = ", ".join(_field_names(lex, "text"))
            yield SourceItem(rel, None, "csv", reject=(
                "malformed", f"no text column; columns are {', '.join(header)}; expected one of "
                f"{looked} (see input_columns.csv)"))
            return
        id_column = _pick(probe, _field_names(lex, "id"))[0]
        ids: Counter = Counter()
        if id_column is not None:
            idx = header.index(id_column)
            try:
                for row in rows():
                    if len(row) > idx:
                        key = _record_key(row[idx])
                        if key is not None:
                            ids[key] += 1
            except csv.Error:
                pass  # the pass below meets the same error at the same row and reports it
        for number, row in enumerate(reader, start=1):
            if not row or not any(cell.strip() for cell in row):
                continue
            n_rows += 1
            position = f"R{number}"
            obj = dict(zip(header, row, strict=False))
            key = _record_key(obj.get(id_column)) if id_column else None
            record = key if key is not None and ids.get(key) == 1 else position
            if len(row) != len(header):
                yield SourceItem(rel, record, "csv", reject=(
                    "malformed", f"row {number} has {len(row)} fields, the header has {len(header)}"))
                continue
            fields, text, error = _record_fields(obj, lex)
            if error:
                yield SourceItem(rel, record, "csv", reject=("malformed", f"row {number}: {error}"))
                continue
            yield SourceItem(rel, record, "csv", payload=text, fields=fields)
        if n_rows == 0:
            yield SourceItem(rel, None, "csv", reject=("empty", "a header but no data rows"))
    except (csv.Error, OSError, UnicodeDecodeError) as exc:
        if n_rows == 0:
            yield SourceItem(rel, None, "csv", reject=("malformed", f"not a readable CSV file: {exc}"))
        else:
            # Rows already read stay documents; the rest of the file is one reject, so each row
            # is accounted for once (a reader cannot resynchronise after a broken row).
            yield SourceItem(rel, f"R{number + 1}", "csv", reject=(
                "malformed", f"rows {number + 1} and after cannot be read: {exc}"))


# --------------------------------------------------------------------------------------------
# All files
# --------------------------------------------------------------------------------------------


def iter_source_items(files: list[tuple[str, Path]], lex: CleaningLexicons) -> Iterator[SourceItem]:
    """Stream the source items of ``files`` (from :func:`discover_files`) in order.

    Record keys in multi-record files: the record's own ``id`` field when present and unique in
    the file, else ``L{line}`` (JSONL, 1-based physical line) or ``R{row}`` (CSV, 1-based data
    row). Blank JSONL lines and empty CSV rows are not records.
    """
    ids = _JsonlIds(files, lex)
    for rel, path in files:
        if path.is_symlink() and path.is_dir():
            yield SourceItem(rel, None, "other", reject=(
                "unsupported_format", f"a symbolic link to the folder {os.readlink(path)}; links to "
                "folders are not followed (one could loop), so its files were not read: put the "
                "folder itself, or links to its files, in the input folder"))
            continue
        fmt = input_format(rel)
        if fmt is None:
            yield SourceItem(rel, None, "other", reject=(
                "unsupported_format",
                f"'{Path(rel).suffix or 'no extension'}' files are not read; supported: .txt, .md, "
                ".html, .htm, .jsonl, .jsonl.gz, .csv"))
            continue
        try:
            info = path.stat()
            if not stat.S_ISREG(info.st_mode):  # a named pipe would block the run forever
                yield SourceItem(rel, None, fmt, reject=(
                    "unsupported_format", "not a regular file (a named pipe, socket or device)"))
                continue
            size = info.st_size
            with open(path, "rb") as handle:  # readable at all? (permissions)
                handle.read(1)
        except OSError as exc:
            yield SourceItem(rel, None, fmt, reject=("undecodable", f"cannot read the file: {exc}"))
            continue
        if size == 0:
            yield SourceItem(rel, None, fmt, reject=("empty", "0 bytes"))
            continue
        if fmt == "jsonl":
            yield from _iter_jsonl(rel, path, lex, ids.counts(rel, path))
        elif fmt == "csv":
            yield from _iter_csv(rel, path, lex)
        elif size > MAX_FILE_BYTES:
            yield SourceItem(rel, None, fmt, reject=(
                "too_large", f"{size:,} bytes; a single article file may have at most "
                f"{MAX_FILE_BYTES:,}"))
        else:
            try:
                data = path.read_bytes()
            except OSError as exc:
                yield SourceItem(rel, None, fmt, reject=("undecodable", f"cannot read the file: {exc}"))
                continue
            yield SourceItem(rel, None, fmt, payload=data)


# --------------------------------------------------------------------------------------------
# Format-specific text extraction (runs in the worker processes)
# --------------------------------------------------------------------------------------------

_MD_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1|(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_MD_LIST = re.compile(r"^(?:[-*+]|\d{1,3}[.)])\s+")
_MD_RULE = re.compile(r"^(?:[-*_]\s*){3,}$")


def markdown_article(text: str) -> tuple[str, str | None]:
    """Strip Markdown syntax; a level-1/2 heading before any paragraph is the headline.

    Returns:
        ``(plain text, title or None)``.
    """
    title = None
    out: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        stripped = line.strip()
        heading = _MD_HEADING.match(stripped)
        if heading:
            if title is None and not any(o.strip() for o in out) and stripped.startswith(("# ", "## ")):
                title = heading.group(1)
                continue
            out.append("")
            out.append(heading.group(1))
            out.append("")
            continue
        if _MD_RULE.match(stripped):
            out.append("")
            continue
        stripped = stripped.lstrip(">").strip()
        stripped = _MD_LIST.sub("", stripped)
        stripped = _MD_IMAGE.sub("", stripped)
        stripped = _MD_LINK.sub(r"\1", stripped)
        stripped = _MD_EMPHASIS.sub(lambda m: m.group(2) or m.group(3) or "", stripped)
        stripped = stripped.replace("`", "")
        out.append(stripped)
    return "\n".join(out), title
