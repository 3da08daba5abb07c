"""Run a collection (fetch, archive, extract) or rebuild its corpus from the archive alone."""

from __future__ import annotations

import contextlib
import fcntl
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from ..core.errors import UserError
from ..core.io import write_json
from .articles import build_corpus, write_articles
from .crawl import Crawl
from .manifest import read_manifest, write_manifest
from .options import CollectOptions, Layout
from .query import Query, parse_query
from .sources import Listing

__all__ = ["collect", "reextract"]


@contextlib.contextmanager
def _locked(state: Path) -> Iterator[None]:
    state.mkdir(parents=True, exist_ok=True)
    with open(state / "lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise UserError(
                f"another collect run is writing to {state.parent}; wait for it to "
                "finish (or stop it) before starting this one"
            ) from None
        yield


def _finish(
    layout: Layout,
    rows: dict[str, dict[str, str]],
    query: Query | None,
    max_bytes: int,
    cache: Path | None,
) -> dict:
    """Extract the corpus, write articles.jsonl.gz and the compacted manifest; return counts."""
    corpus = build_corpus(rows, layout.warc_dir, query=query, max_bytes=max_bytes, cache_path=cache)
    write_articles(layout.articles, corpus.records)
    for url, update in corpus.updates.items():
        rows[url].update(update)
    write_manifest(layout.manifest, rows.values())
    urls = [r for r in rows.values() if r["kind"] != "robots"]
    return {
        "urls": len(urls),
        "by_outcome": dict(sorted(Counter(r["outcome"] for r in urls).items())),
        "by_reason": dict(sorted(Counter(r["reason"] for r in urls if r["reason"]).items())),
        "articles": len(corpus.records),
        "relevant": sum(1 for r in corpus.records if r["relevant"] is True),
        "warc_files": sorted({r["warc_file"] for r in rows.values() if r["warc_file"]}),
    }


def collect(listings: list[Listing], options: CollectOptions) -> dict:
    """Fetch, archive and extract everything the sources list; resume what an earlier run began.

    Args:
        listings: the parsed SOURCE arguments (:func:`analysis.collect.sources.read_source`).
        options: politeness, limits, caps, query, output folder.

    Returns:
        The summary written to ``collect.json``: counts over the whole manifest, this run's
        requests, per-host delays and robots notes, the WARC files.

    Raises:
        UserError: a malformed query, or another run holding the output folder.
    """
    from ..core.parallel import progress

    query = parse_query(options.query) if options.query else None
    layout = Layout(options.out_dir)
    with _locked(layout.state), progress(desc="collect", unit=" urls", total=0) as bar:
        crawl = Crawl(options, bar)
        crawl.run(listings)
        counts = _finish(
            layout, crawl.rows, query, options.max_bytes, layout.state / "extracted.jsonl"
        )
    summary = {
        "counts": counts,
        "this_run": {
            "requests": crawl.requests,
            **dict(sorted(crawl.counts.items())),
            "listed_outside_date_range": crawl.out_of_range,
        },
        "hosts": {
            key: {
                "delay_s": host.delay,
                "robots": host.rules.note or f"{len(host.rules.rules)} rules"
                if host.rules
                else "not read",
            }
            for key, host in sorted(crawl.hosts.items())
        },
        "settings": {
            "user_agent": options.agent_header,
            "min_delay_s": options.min_delay,
            "query": options.query,
            "since": str(options.dates.since or ""),
            "until": str(options.dates.until or ""),
            "max_articles": options.max_articles,
        },
    }
    write_json(layout.summary, summary)
    return summary


def reextract(out_dir: Path, *, query: str | None, max_bytes: int = 10_000_000) -> dict:
    """Rebuild articles.jsonl.gz and the manifest's extraction fields from the WARC, offline.

    Raises:
        UserError: no manifest in ``out_dir``, or a malformed query.
    """
    layout = Layout(Path(out_dir))
    if not layout.manifest.is_file():
        raise UserError(
            f"{layout.manifest} not found; --reextract rebuilds a collection made by "
            "an earlier `collect` run into that folder"
        )
    parsed = parse_query(query) if query else None
    with _locked(layout.state):
        rows = read_manifest(layout.manifest)
        return _finish(layout, rows, parsed, max_bytes, None)
