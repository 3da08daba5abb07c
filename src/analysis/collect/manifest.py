"""manifest.csv: one row per URL of a collection, appended as each URL is settled."""

# During a run every settled URL (fetched, failed or skipped) is appended as one row and fsynced,
# after its WARC record; a row is the unit of completion, so a run killed at any moment loses no
# settled URL, and the next run fetches only URLs without a ``fetched`` row. The file can therefore
# hold several rows for one URL (a failure, then a later success); the last one counts. When a
# run completes, :func:`write_manifest` rewrites the file with one row per URL, sorted by URL,
# filled in with what extraction found (``article_id``, ``relevant``, or ``extraction_failed``).

from __future__ import annotations

import csv
import os
from collections.abc import Iterable
from pathlib import Path

from ..core.io import atomic_path, guard_formula

__all__ = [
    "MANIFEST_COLUMNS",
    "OUTCOMES",
    "REASONS",
    "ManifestLog",
    "read_manifest",
    "write_manifest",
]

MANIFEST_COLUMNS = (
    "url",
    "kind",
    "outcome",
    "reason",
    "detail",
    "status",
    "final_url",
    "redirects",
    "content_type",
    "bytes",
    "sha256",
    "warc_file",
    "warc_offset",
    "warc_length",
    "warc_record_id",
    "fetched_at",
    "attempts",
    "article_url",
    "page",
    "next_page",
    "source",
    "listed_date",
    "listed_title",
    "listed_outlet",
    "article_id",
    "relevant",
)
OUTCOMES = ("fetched", "failed", "skipped")
# Why a URL is not (or not only) an article; `detail` says more in words.
REASONS = (
    "robots_disallowed",  # skipped: robots.txt disallows the path for our User-Agent
    "robots_unavailable",  # skipped: robots.txt answered 5xx or not at all (RFC 9309)
    "max_articles",  # skipped: beyond --max-articles in listing order
    "max_pages_per_article",  # skipped: a next page beyond --max-pages-per-article
    "max_listing_depth",  # skipped: a sitemap index nested deeper than 3 levels
    "invalid_url",  # failed: not an http(s) URL
    "http_error",  # failed: a 4xx/5xx status (after retries for 5xx)
    "rate_limited",  # failed: 429/503 after retries, or Retry-After beyond the cap
    "timeout",  # failed: no complete response within --timeout
    "connection_error",  # failed: DNS, refused, reset, TLS
    "redirect_loop",  # failed: a redirect back to a URL of the same chain
    "too_many_redirects",  # failed: more than --max-redirects hops
    "too_large",  # failed: body over --max-bytes (declared, read or decompressed)
    "wrong_content_type",  # failed: not HTML (article) or XML/text (listing); body not read
    "bad_encoding",  # failed: a body that cannot be decompressed
    "unparseable_listing",  # failed: a sitemap/feed URL whose body is not one
    "extraction_failed",  # fetched, but no article text in the page (analysis.text.html)
)


def _cells(row: dict[str, object]) -> dict[str, object]:
    """A row as CSV cells: None is empty, text a spreadsheet would run as a formula is guarded
    (titles and details come from the web)."""
    return {k: "" if row.get(k) is None else guard_formula(row.get(k)) for k in MANIFEST_COLUMNS}


def _unguard(value: str) -> str:
    """The cell as it was before :func:`guard_formula` added its apostrophe."""
    return value[1:] if value.startswith("'") and guard_formula(value[1:]) == value else value


class ManifestLog:
    """Append rows to manifest.csv, each flushed and fsynced (the header when the file is new)."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        new = not path.is_file() or path.stat().st_size == 0
        self._handle = open(path, "a", encoding="utf-8", newline="")  # noqa: SIM115
        self._writer = csv.DictWriter(
            self._handle, fieldnames=MANIFEST_COLUMNS, extrasaction="raise", lineterminator="\n"
        )
        if new:
            self._writer.writeheader()
            self._sync()

    def _sync(self) -> None:
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def append(self, row: dict[str, object]) -> None:
        self._writer.writerow(_cells(row))
        self._sync()

    def close(self) -> None:
        self._handle.close()


def _drop_torn_tail(path: Path) -> None:
    """A run killed mid-row leaves a line without its newline: cut it (its URL is refetched)."""
    size = path.stat().st_size
    if size == 0:
        return
    with open(path, "rb+") as handle:
        handle.seek(max(0, size - 1))
        if handle.read(1) == b"\n":
            return
        handle.seek(0)
        data = handle.read()
        handle.truncate(data.rfind(b"\n") + 1)


def read_manifest(path: Path) -> dict[str, dict[str, str]]:
    """The last row of every URL in a manifest (empty when there is none), in first-seen order.

    A torn last line (a run killed while writing it) is removed from the file first.
    """
    if not path.is_file():
        return {}
    _drop_torn_tail(path)
    rows: dict[str, dict[str, str]] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row.get("url"):
                rows[row["url"]] = {k: _unguard(row.get(k) or "") for k in MANIFEST_COLUMNS}
    return rows


def write_manifest(path: Path, rows: Iterable[dict[str, object]]) -> None:
    """Rewrite the manifest atomically with these rows, sorted by URL."""
    ordered = sorted(rows, key=lambda r: str(r["url"]))
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=MANIFEST_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in ordered:
            writer.writerow(_cells(row))
