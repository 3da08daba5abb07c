"""The collected corpus: ``articles.jsonl.gz`` rebuilt from the manifest and the WARC alone."""

# Every article (a fetched ``article`` row plus its fetched ``page`` rows, in page order) is read
# back from the WARC, decoded, and extracted with :func:`analysis.text.html.extract_pages`. The
# file is written sorted by URL, with fixed keys and a gzip header without time or name, so the
# same WARC and manifest give the same bytes on any machine, whenever it is rebuilt
# (``collect --reextract`` does only this, without the network). Ingest reads the file unchanged:
# ``id`` (the first 16 hex digits of the SHA-256 of the URL), ``url``, ``title``, ``text``,
# ``date``, ``outlet``, ``author``, plus ``final_url``, ``pages``, ``relevant`` (the query's
# verdict, null without a query), ``extractor``, ``listed_date`` and ``source`` for the researcher.
#
# Extraction results are cached in ``.state/extracted.jsonl`` under a key made of the pages'
# SHA-256 and a fingerprint of the extraction code, so a resumed run does not extract again what
# it already did; any change to the extractor, its rules or trafilatura changes the key.

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..core.io import atomic_path, parse_json
from ..text.html import ExtractionFailed, decode_html, extract_pages
from .fetch import BodyError, decoded_body
from .query import Query
from .warc import WarcRef, read_response

__all__ = [
    "ARTICLE_FIELDS",
    "Corpus",
    "article_id",
    "build_corpus",
    "write_articles",
    "extractor_fingerprint",
]

ARTICLE_FIELDS = (
    "id",
    "url",
    "final_url",
    "title",
    "date",
    "outlet",
    "author",
    "text",
    "pages",
    "relevant",
    "extractor",
    "listed_date",
    "source",
)


def article_id(url: str) -> str:
    """The record id of the article at ``url``: 16 hex digits of its SHA-256."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def extractor_fingerprint() -> str:
    """SHA-256 over the extraction code, its rules and the trafilatura/htmldate versions."""
    from importlib.metadata import version

    from ..text import clean, html, metadata

    digest = hashlib.sha256()
    for path in (
        Path(html.__file__),
        html.RULES_FILE,
        Path(clean.__file__),
        Path(metadata.__file__),
    ):
        digest.update(path.read_bytes())
    for package in ("trafilatura", "htmldate", "lxml"):
        digest.update(f"{package}=={version(package)}".encode())
    return digest.hexdigest()


@dataclass
class Corpus:
    """The articles, and what each manifest row learns from extraction."""

    records: list[dict] = field(default_factory=list)
    updates: dict[str, dict[str, str]] = field(default_factory=dict)


class _Cache:
    """Extraction results by key, read from and appended to a JSONL file (a pure cache)."""

    def __init__(self, path: Path | None):
        self.path = path
        self.entries: dict[str, dict] = {}
        if path is not None and path.is_file():
            with open(path, encoding="utf-8") as handle:
                for line in handle:
                    try:
                        entry = parse_json(line)
                        self.entries[entry["key"]] = entry
                    except (ValueError, KeyError, TypeError):
                        continue  # a line torn by a kill: extract again

    def add(self, entry: dict) -> None:
        self.entries[entry["key"]] = entry
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(entry, ensure_ascii=False) + "\n")


def _ref(row: dict[str, str]) -> WarcRef:
    return WarcRef(
        row["warc_file"], int(row["warc_offset"]), int(row["warc_length"]), row["warc_record_id"]
    )


def _markup(warc_dir: Path, row: dict[str, str], max_bytes: int) -> str:
    stored = read_response(warc_dir, _ref(row))
    body = decoded_body(stored.body, stored.header("Content-Encoding"), max_bytes)
    return decode_html(body, stored.header("Content-Type"))[0]


def _extract(warc_dir: Path, chain: list[dict[str, str]], max_bytes: int) -> dict:
    """``{"text", "fields"}`` or ``{"failed": detail}`` for one article's pages."""
    try:
        markups = [_markup(warc_dir, row, max_bytes) for row in chain]
    except (OSError, ValueError, BodyError) as exc:
        return {"failed": f"the archived page cannot be read back ({exc})"}
    try:
        text, fields = extract_pages(markups, url=chain[0]["final_url"] or chain[0]["url"])
    except ExtractionFailed as exc:
        return {"failed": str(exc)}
    return {"text": text, "fields": fields}


def _chains(rows: dict[str, dict[str, str]]) -> list[list[dict[str, str]]]:
    """Each fetched article with its fetched pages in page order, sorted by article URL."""
    pages: dict[str, list[dict[str, str]]] = {}
    for row in rows.values():
        if row["kind"] == "page" and row["outcome"] == "fetched" and row["warc_file"]:
            pages.setdefault(row["article_url"], []).append(row)
    chains = []
    for url in sorted(rows):
        row = rows[url]
        if row["kind"] == "article" and row["outcome"] == "fetched" and row["warc_file"]:
            more = sorted(pages.get(url, []), key=lambda r: int(r["page"] or 0))
            chains.append([row, *more])
    return chains


def build_corpus(
    rows: dict[str, dict[str, str]],
    warc_dir: Path,
    *,
    query: Query | None,
    max_bytes: int,
    cache_path: Path | None = None,
) -> Corpus:
    """Extract every fetched article of a manifest from the WARC.

    Args:
        rows: the manifest's last row per URL (:func:`analysis.collect.manifest.read_manifest`).
        warc_dir: the folder holding the WARC files the rows point at.
        query: marks each article relevant or not; None leaves ``relevant`` null.
        max_bytes: decompression cap (as when fetching).
        cache_path: extraction cache file, or None for none.

    Returns:
        The records in URL order, and per article URL the manifest fields extraction decides:
        ``article_id`` and ``relevant``, or ``reason`` ``extraction_failed`` with ``detail``.
    """
    cache = _Cache(cache_path)
    fingerprint = extractor_fingerprint()
    corpus = Corpus()
    for chain in _chains(rows):
        first = chain[0]
        key = hashlib.sha256(
            "\n".join(
                [fingerprint, first["final_url"] or first["url"]] + [r["sha256"] for r in chain]
            ).encode()
        ).hexdigest()
        entry = cache.entries.get(key)
        if entry is None:
            entry = dict(_extract(warc_dir, chain, max_bytes), key=key)
            cache.add(entry)
        if "failed" in entry:
            corpus.updates[first["url"]] = {
                "reason": "extraction_failed",
                "detail": entry["failed"],
                "article_id": "",
                "relevant": "",
            }
            continue
        fields, text = entry["fields"], entry["text"]
        title = fields.get("title") or first["listed_title"] or None
        relevant = query.matches(f"{title or ''}\n{text}") if query is not None else None
        record = {
            "id": article_id(first["url"]),
            "url": first["url"],
            "final_url": first["final_url"] or first["url"],
            "title": title,
            "date": fields.get("date") or first["listed_date"] or None,
            "outlet": fields.get("outlet") or first["listed_outlet"] or None,
            "author": fields.get("author"),
            "text": text,
            "pages": len(chain),
            "relevant": relevant,
            "extractor": fields.get("extractor"),
            "listed_date": first["listed_date"] or None,
            "source": first["source"] or None,
        }
        corpus.records.append(record)
        corpus.updates[first["url"]] = {
            "reason": "",
            "detail": "" if first["reason"] == "extraction_failed" else first["detail"],
            "article_id": record["id"],
            "relevant": "" if relevant is None else str(relevant).lower(),
        }
    return corpus


def write_articles(path: Path, records: list[dict]) -> None:
    """Write records as gzip JSON lines, atomically, with no time or name in the gzip header."""
    with atomic_path(path) as tmp:
        with (
            open(tmp, "wb") as raw,
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as handle,
        ):
            for record in records:
                line = json.dumps({k: record.get(k) for k in ARTICLE_FIELDS}, ensure_ascii=False)
                handle.write(line.encode("utf-8") + b"\n")
