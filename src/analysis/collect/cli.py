"""``python -m analysis collect``: the command line of the collector (sources in, corpus out)."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

from ..core.errors import UserError

__all__ = ["add_parser", "run"]

_AGENT = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_.-]+)?$")

_DESCRIPTION = """\
Fetch the news articles that SOURCEs list, politely, into OUT_DIR: articles/articles.jsonl.gz
(read by ingest as it is), manifest.csv (one row per URL: fetched, failed or skipped, with the
reason) and warc/*.warc.gz (every response as received). SOURCE is a text file of URLs, a CSV
export (Media Cloud, GDELT: the URL column is found by name), a sitemap, sitemap index, RSS or
Atom file, or the URL of one, or an article URL. Only listed URLs (and the next pages of
multi-page articles) are fetched. robots.txt is obeyed; each host gets one request at a time,
at least --min-delay seconds apart (or its Crawl-delay if longer). A second run into the same
OUT_DIR fetches only what is missing or failed. Copyright in the articles stays with their
publishers: see README (Collecting articles)."""


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``collect`` subcommand to the main parser's subparsers."""
    p = subparsers.add_parser("collect", help="fetch articles from URL lists, sitemaps and feeds "
                              "into a WARC-archived .jsonl.gz corpus", description=_DESCRIPTION)
    p.add_argument("sources", nargs="*", metavar="SOURCE",
                   help="URL list, CSV export, sitemap/feed file, or a sitemap/feed/article URL")
    p.add_argument("-o", "--out-dir", type=Path, help="output folder (created; reused to resume)")
    p.add_argument("--params", type=Path,
                   help="take SOURCEs, OUT_DIR and every option from the collect section of this "
                        "params.yaml (the DVC stage does this); no other option may be given")
    p.add_argument("--contact", help="your e-mail or project URL, sent in the User-Agent so site "
                   "owners can reach you (required)")
    p.add_argument("--user-agent", default="coopnews-collect/0.1",
                   help="product token/version that robots.txt rules are matched against")
    p.add_argument("--min-delay", type=float, default=1.0,
                   help="seconds between requests to one host (default 1; a longer robots.txt "
                        "Crawl-delay wins)")
    p.add_argument("--query", help='Boolean query marking relevant articles, e.g. \'"kerja sama" '
                   'AND (Bekasi OR Depok)\' (nothing is deleted)')
    p.add_argument("--since", help="drop listed articles dated before YYYY-MM-DD")
    p.add_argument("--until", help="drop listed articles dated after YYYY-MM-DD")
    p.add_argument("--max-articles", type=int, help="at most this many articles, in listing order")
    p.add_argument("--max-pages-per-article", type=int, default=20)
    p.add_argument("--timeout", type=float, default=30.0,
                   help="seconds for a whole response, body included (default 30)")
    p.add_argument("--retries", type=int, default=2, help="retries on 429, 5xx, timeouts")
    p.add_argument("--retry-backoff", type=float, default=2.0,
                   help="first retry wait in seconds, doubled each time (Retry-After wins)")
    p.add_argument("--max-retry-after", type=float, default=600.0,
                   help="a host asking to wait longer is left for a later run")
    p.add_argument("--max-bytes", type=int, default=10_000_000, help="largest body read")
    p.add_argument("--max-redirects", type=int, default=5)
    p.add_argument("--refresh-listings", action="store_true",
                   help="fetch sitemaps and feeds again instead of reusing the archived copies")
    p.add_argument("--reextract", action="store_true",
                   help="no network: rebuild articles.jsonl.gz (and relevance) from OUT_DIR's "
                        "manifest and WARC files")
    p.add_argument("--lexicons", type=Path, default=Path("data/lexicons"),
                   help="folder with input_columns.csv (CSV column names)")
    p.set_defaults(func=run)
    return p


def _date(value: str | None, flag: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UserError(f"{flag} {value!r} is not a date; write it as YYYY-MM-DD") from None


def _from_params(args: argparse.Namespace) -> argparse.Namespace:
    """Fill ``args`` from the collect section of a params file (paths relative to it)."""
    from ..core.config import load_params

    given = [f"--{k.replace('_', '-')}" for k in ("sources", "out_dir", "contact", "query")
             if getattr(args, k)]
    if given:
        raise UserError(f"--params takes everything from {args.params}; remove {', '.join(given)} "
                        "or drop --params")
    section = load_params(args.params, check_paths=False).collect
    root = args.params.resolve().parent
    if not section.contact.strip() and not args.reextract:
        raise UserError(f"{args.params}: collect.contact is empty; set it to your e-mail or project "
                        "URL (sent in the User-Agent so site owners can reach you)")
    if not section.sources and not args.reextract:
        raise UserError(f"{args.params}: collect.sources is empty; list URL files, CSV exports, "
                        "sitemaps or feeds to collect from")
    args.sources = [s if s.lower().startswith(("http://", "https://")) else str(root / s)
                    for s in section.sources]
    values = section.model_dump()
    values["out_dir"] = root / section.out_dir
    values["max_articles"] = section.max_articles or None
    values["query"] = section.query or None
    values["since"], values["until"] = section.since or None, section.until or None
    for key, value in values.items():
        if key != "sources":
            setattr(args, key, value)
    args.lexicons = root / "data" / "lexicons" if args.lexicons == Path("data/lexicons") else args.lexicons
    return args


def _options(args: argparse.Namespace):
    from .options import CollectOptions
    from .sources import DateRange

    if not args.contact or not args.contact.strip():
        raise UserError("--contact is required: give an e-mail address or project URL where site "
                        "owners can reach you (it is sent in the User-Agent)")
    if not _AGENT.match(args.user_agent or ""):
        raise UserError(f"--user-agent {args.user_agent!r}: give a product token and version "
                        "such as coopnews-collect/0.1 (letters, digits, . _ -)")
    checks = [("--min-delay", args.min_delay, 0, 3600), ("--timeout", args.timeout, 0.01, 3600),
              ("--retries", args.retries, 0, 10), ("--retry-backoff", args.retry_backoff, 0, 3600),
              ("--max-retry-after", args.max_retry_after, 0, 86_400),
              ("--max-bytes", args.max_bytes, 1000, 1_000_000_000),
              ("--max-redirects", args.max_redirects, 0, 30),
              ("--max-pages-per-article", args.max_pages_per_article, 1, 1000)]
    for flag, value, low, high in checks:
        if not low <= value <= high:
            raise UserError(f"{flag} {value!r} is out of range; use a value from {low} to {high}")
    if args.max_articles is not None and args.max_articles < 1:
        raise UserError(f"--max-articles {args.max_articles} must be at least 1 (omit it for no cap)")
    dates = DateRange(_date(args.since, "--since"), _date(args.until, "--until"))
    if dates.since and dates.until and dates.since > dates.until:
        raise UserError(f"--since {dates.since} is after --until {dates.until}")
    return CollectOptions(
        out_dir=args.out_dir, contact=args.contact.strip(), user_agent=args.user_agent,
        min_delay=args.min_delay, timeout=args.timeout, retries=args.retries,
        retry_backoff=args.retry_backoff, max_retry_after=args.max_retry_after,
        max_bytes=args.max_bytes, max_redirects=args.max_redirects,
        max_articles=args.max_articles, max_pages_per_article=args.max_pages_per_article,
        refresh_listings=args.refresh_listings, query=args.query, dates=dates)


def run(args: argparse.Namespace) -> int:
    """Run the collect subcommand; returns the exit status (0: the run completed)."""
    from .query import parse_query

    if args.params is not None:
        args = _from_params(args)
    if args.out_dir is None:
        raise UserError("give the output folder with -o OUT_DIR (or use --params params.yaml)")
    if args.query:
        parse_query(args.query)  # a malformed query stops the run before any request
    if args.reextract:
        from .run import reextract

        counts = reextract(args.out_dir, query=args.query, max_bytes=args.max_bytes)
        print(_summary_line(args.out_dir, counts), file=sys.stderr)
        return 0
    if not args.sources:
        raise UserError("give at least one SOURCE: a URL list, CSV export, sitemap or feed (file "
                        "or URL), or an article URL")
    options = _options(args)
    if options.min_delay < 1:
        print(f"warning: --min-delay {options.min_delay:g} s is below 1 s; use it only on servers "
              "you run or have permission to load quickly", file=sys.stderr)
    from ..text.lexicons import load_cleaning_lexicons
    from .run import collect
    from .sources import read_source

    columns = load_cleaning_lexicons(args.lexicons).input_columns
    listings = [read_source(s, columns=columns, dates=options.dates) for s in args.sources]
    summary = collect(listings, options)
    print(_summary_line(args.out_dir, summary["counts"]), file=sys.stderr)
    return 0


def _summary_line(out_dir: Path, counts: dict) -> str:
    outcome = counts["by_outcome"]
    reasons = ", ".join(f"{k} {v}" for k, v in counts["by_reason"].items()) or "none"
    return (f"collect: {counts['urls']} URLs: {outcome.get('fetched', 0)} fetched, "
            f"{outcome.get('failed', 0)} failed, {outcome.get('skipped', 0)} skipped "
            f"(reasons: {reasons}); {counts['articles']} articles ({counts['relevant']} relevant) "
            f"in {out_dir / 'articles' / 'articles.jsonl.gz'}; manifest {out_dir / 'manifest.csv'}")
