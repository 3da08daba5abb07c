"""Where the URLs come from: URL lists, CSV exports (Media Cloud, GDELT), sitemaps and feeds."""

# A SOURCE given to ``python -m analysis collect`` is a local file or an http(s) URL:
#
# - a text file: one URL per line (blank lines and ``#`` comments skipped);
# - a ``.csv``/``.tsv`` file with a header (tab-separated when the name ends in ``.tsv`` or the
#   header has tabs and no commas): the URL column and, when present, title, date and
#   outlet columns, found by the names in ``data/lexicons/input_columns.csv`` (Media Cloud:
#   ``url``, ``title``, ``publish_date``, ``media_name``; GDELT: ``DocumentIdentifier`` or
#   ``SOURCEURL``, ``DATE``, ``SourceCommonName``);
# - an XML file (``.xml``, ``.xml.gz``, ``.rss``, ``.atom``, or any file starting with ``<``): a
#   news sitemap, a sitemap index, an RSS or an Atom feed;
# - a URL: a listing (sitemap or feed) when its path looks like one (``.xml``, ``sitemap``,
#   ``feed``, ``rss``, ``atom``), otherwise an article. A page that turns out to be XML is read
#   as a listing whatever its URL.
#
# Listings are parsed by :func:`parse_listing`. Dates (``news:publication_date``, ``lastmod``,
# ``pubDate``, ``published``/``updated``, a CSV date column) are taken as written, without time
# zone conversion; entries outside ``since``/``until`` are dropped and counted; entries without a
# date are kept. A sitemap index child whose ``lastmod`` is before ``since`` is skipped.

from __future__ import annotations

import csv
import datetime as dt
import email.utils
import io
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import UserError
from ..core.io import csv_delimiter
from .urls import normalize_url

__all__ = ["Listed", "Listing", "DateRange", "read_source", "parse_listing", "looks_like_listing",
           "MAX_LISTING_BYTES"]

# A news sitemap holds at most 1,000 URLs and a plain one 50,000 (about 10 MB uncompressed).
MAX_LISTING_BYTES = 50_000_000
_LISTING_PATH = re.compile(r"(?:\.xml(?:\.gz)?|\.rss|\.atom)$|sitemap|/feeds?\b|/rss\b|/atom\b",
                           re.IGNORECASE)
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:\d{2}(?:\d{2}(?:\d{2})?)?)?$")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class DateRange:
    """Inclusive publication-date bounds; None leaves a side open."""

    since: dt.date | None = None
    until: dt.date | None = None

    def admits(self, date: str | None) -> bool:
        if date is None:
            return True
        day = dt.date.fromisoformat(date)
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)


@dataclass(frozen=True)
class Listed:
    """One URL named by a source.

    Attributes:
        url: the URL as normalised (see :func:`analysis.collect.urls.normalize_url`), or the
            text as found when ``kind`` is ``invalid``.
        kind: ``article``, ``listing`` (a sitemap or feed to read) or ``invalid``.
        source: the file or listing URL that named it (with ``:line`` for text lists).
        date, title, outlet: what the source says about the article, if anything.
    """

    url: str
    kind: str
    source: str
    date: str | None = None
    title: str | None = None
    outlet: str | None = None


@dataclass
class Listing:
    """What one source yielded: its URLs in order, and how many were out of the date range."""

    entries: list[Listed] = field(default_factory=list)
    out_of_range: int = 0
    kind: str = ""


def looks_like_listing(url: str) -> bool:
    """Whether a URL names a sitemap or feed rather than an article (by its path)."""
    return bool(_LISTING_PATH.search(url.split("?", 1)[0]))


def _iso(value: str | None) -> str | None:
    """A date string from a listing or CSV as ``YYYY-MM-DD`` (the date as written), or None."""
    if not value or not value.strip():
        return None
    text = value.strip()
    for pattern in (_ISO_DATE, _COMPACT_DATE):
        match = pattern.match(text)
        if match:
            try:
                return dt.date(*(int(g) for g in match.groups()[:3])).isoformat()
            except ValueError:
                return None
    try:
        return email.utils.parsedate_to_datetime(text).date().isoformat()  # RFC 822 (RSS)
    except (TypeError, ValueError, IndexError):
        pass
    from ..text.metadata import parse_date  # Indonesian forms ("12 Mei 2025") in CSV exports

    parsed = parse_date(text)
    return parsed.isoformat() if parsed else None


def _entry(raw_url: str | None, kind: str, source: str, *, guess_kind: bool = False,
           **info: str | None) -> Listed:
    """A listed URL; with ``guess_kind``, one whose path looks like a sitemap or feed is a
    listing (URLs typed by a researcher, not entries of a sitemap)."""
    url = normalize_url(raw_url or "")
    if url is None:
        return Listed((raw_url or "").strip(), "invalid", source)
    if guess_kind and looks_like_listing(url):
        kind = "listing"
    return Listed(url, kind, source, **info)


# --------------------------------------------------------------------------------------------
# XML listings
# --------------------------------------------------------------------------------------------


def _gunzip(data: bytes) -> bytes:
    if not data.startswith(b"\x1f\x8b"):
        return data
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = decompressor.decompress(data, MAX_LISTING_BYTES + 1)
    except zlib.error as exc:
        raise ValueError(f"broken gzip data ({exc})") from None
    if len(out) > MAX_LISTING_BYTES:
        raise ValueError(f"more than {MAX_LISTING_BYTES:,} bytes once decompressed")
    return out


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _child_text(element, *names: str) -> str | None:
    for name in names:
        for child in element.iter():
            if _local(child.tag) == name and child.text and child.text.strip():
                return child.text.strip()
    return None


def _atom_link(entry) -> str | None:
    links = [c for c in entry if _local(c.tag) == "link" and c.get("href")]
    for link in links:
        if link.get("rel", "alternate") == "alternate":
            return link.get("href")
    return links[0].get("href") if links else None


def parse_listing(data: bytes, *, source: str, dates: DateRange = DateRange()) -> Listing:
    """The URLs in a sitemap, sitemap index, RSS (0.9x, 1.0, 2.0) or Atom document.

    Args:
        data: the document's bytes (gzip-compressed sitemaps are decompressed, at most
            ``MAX_LISTING_BYTES``).
        source: its file name or URL, recorded with every entry.
        dates: entries dated outside the range are dropped and counted.

    Returns:
        The entries in document order; sitemap index children have kind ``listing``.

    Raises:
        ValueError: the bytes are not one of these documents (the message says what was seen).
    """
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True,
                             huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(_gunzip(data), parser=parser)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"not XML ({exc})") from None
    if root is None:
        raise ValueError("not XML (no root element)")
    kind = _local(root.tag)
    result = Listing(kind=kind)
    if kind == "sitemapindex":
        items = [(_child_text(s, "loc"), "listing", _child_text(s, "lastmod"), None)
                 for s in root if _local(s.tag) == "sitemap"]
    elif kind == "urlset":
        items = [(_child_text(u, "loc"), "article",
                  _child_text(u, "publication_date") or _child_text(u, "lastmod"),
                  _child_text(u, "title")) for u in root if _local(u.tag) == "url"]
    elif kind in ("rss", "rdf"):
        items = [(_child_text(i, "link") or _child_text(i, "guid"), "article",
                  _child_text(i, "pubdate", "date"), _child_text(i, "title"))
                 for i in root.iter() if _local(i.tag) == "item"]
    elif kind == "feed":
        items = [(_atom_link(e), "article", _child_text(e, "published", "updated"),
                  _child_text(e, "title")) for e in root if _local(e.tag) == "entry"]
    else:
        raise ValueError(f"an XML document with root <{kind}>, not a sitemap, sitemap index, "
                         "RSS or Atom feed")
    for url, entry_kind, raw_date, title in items:
        date = _iso(raw_date)
        if entry_kind == "listing":
            if date and dates.since and dt.date.fromisoformat(date) < dates.since:
                result.out_of_range += 1
                continue
            date = None  # a sitemap's lastmod is not a publication date
        elif not dates.admits(date):
            result.out_of_range += 1
            continue
        result.entries.append(_entry(url, entry_kind, source, date=date, title=title))
    return result


# --------------------------------------------------------------------------------------------
# Local files and URL arguments
# --------------------------------------------------------------------------------------------


def _pick(header: list[str], aliases: tuple[str, ...]) -> int | None:
    lowered = [h.strip().casefold() for h in header]
    for alias in aliases:
        if alias in lowered:
            return lowered.index(alias)
    return None


def _read_csv(path: Path, columns: dict[str, tuple[str, ...]], dates: DateRange) -> Listing:
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    # GDELT files are tab-separated. The header is a safer clue than sniffing quoted titles:
    # the delimiter that splits it into the most fields, as for ingest's CSV files.
    tsv = path.name.lower().endswith(".tsv")
    delimiter = "\t" if tsv else csv_delimiter(text.split("\n", 1)[0])
    rows = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(rows, None)
    if not header:
        raise UserError(f"source {path}: the CSV file is empty; it needs a header row naming a "
                        "URL column")
    found = {name: _pick(header, columns.get(name, (name,)))
             for name in ("url", "title", "date", "outlet")}
    if found["url"] is None:
        raise UserError(
            f"source {path}: no URL column among {', '.join(h.strip() for h in header)}; name it "
            f"one of {', '.join(columns.get('url', ('url',)))} (data/lexicons/input_columns.csv)")
    listing = Listing(kind="csv")
    for number, row in enumerate(rows, start=1):
        if not any(cell.strip() for cell in row):
            continue
        value = {k: (row[i].strip() or None) if i is not None and i < len(row) else None
                 for k, i in found.items()}
        date = _iso(value["date"])
        if not dates.admits(date):
            listing.out_of_range += 1
            continue
        listing.entries.append(_entry(value["url"], "article", f"{path.name}:{number + 1}",
                                      date=date, title=value["title"], outlet=value["outlet"]))
    return listing


def _read_url_list(path: Path, text: str) -> Listing:
    listing = Listing(kind="urls")
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if line and not line.startswith("#"):
            listing.entries.append(_entry(line, "article", f"{path.name}:{number}",
                                          guess_kind=True))
    return listing


def read_source(source: str, *, columns: dict[str, tuple[str, ...]],
                dates: DateRange = DateRange()) -> Listing:
    """The URLs one SOURCE argument names (see the module docstring).

    Args:
        source: a file path or an http(s) URL.
        columns: field name -> accepted column names (``CleaningLexicons.input_columns``).
        dates: publication-date range applied to dated entries.

    Raises:
        UserError: the source is neither a readable file nor an http(s) URL, or a CSV has no
            URL column, or an XML file is not a sitemap or feed.
    """
    if source.lower().startswith(("http://", "https://")):
        entry = _entry(source, "article", "command line", guess_kind=True)
        return Listing(entries=[entry], kind="url")
    path = Path(source)
    if not path.is_file():
        raise UserError(f"source {source!r} is neither a file nor an http(s):// URL; give URL "
                        "lists, CSV exports, sitemaps or feeds (files) or sitemap/feed/article URLs")
    lower = path.name.lower()
    try:
        if lower.endswith((".csv", ".tsv")):
            return _read_csv(path, columns, dates)
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"source {path} cannot be read ({exc})") from None
    if lower.endswith((".xml", ".xml.gz", ".rss", ".atom")) or data.lstrip()[:1] == b"<" \
            or data.startswith(b"\x1f\x8b"):
        try:
            return parse_listing(data, source=path.name, dates=dates)
        except ValueError as exc:
            raise UserError(f"source {path}: {exc}; give a sitemap, sitemap index, RSS or Atom "
                            "feed, or a text file with one URL per line") from None
    if b"\x00" in data[:4096]:
        raise UserError(f"source {path} is a binary file, not a list of URLs")
    return _read_url_list(path, data.decode("utf-8-sig", errors="replace"))

