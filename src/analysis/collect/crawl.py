"""The crawl: fetch what the sources list, politely, archive it, and settle every URL in the manifest."""

# Only the URLs the sources name are fetched, plus listings they name (sitemap index children)
# and the next pages of multi-page articles; no other link is ever followed, so a page of endless
# links cannot keep the crawler busy, and :data:`CollectOptions` caps both the number of articles
# and the pages per article.
#
# Politeness, per host (``scheme://host:port``):
#
# - robots.txt is read before the first request (RFC 9309, see :mod:`analysis.collect.robots`)
#   and reused for ``robots_max_age`` seconds from the manifest and WARC;
# - one request at a time: the crawler is single-threaded; while one host waits out its delay,
#   another host's URL may be fetched;
# - at least ``max(min_delay, Crawl-delay)`` seconds from the end of one response to the next
#   request;
# - 429 and 5xx answers, timeouts and broken connections are retried with exponential backoff;
#   ``Retry-After`` is obeyed, and when it asks for more than ``max_retry_after`` seconds the
#   host's remaining URLs are given up for this run (``rate_limited``) rather than hammered;
# - redirects are followed hop by hop (each hop checked against robots.txt and delayed like any
#   request), at most ``max_redirects``, and a chain that returns to one of its URLs stops.

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import itertools
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from ..text.html import decode_html
from .fetch import (
    HTML_TYPES,
    LISTING_TYPES,
    REDIRECT_STATUSES,
    BodyError,
    Exchange,
    FetchLimits,
    decoded_body,
    http_get,
    retry_after_seconds,
)
from .manifest import MANIFEST_COLUMNS, ManifestLog, read_manifest
from .options import CollectOptions, Layout
from .robots import RobotsRules, parse_robots, rules_for_status
from .sources import Listed, Listing, parse_listing
from .urls import host_key, next_page_url, normalize_url, page_of
from .warc import WarcRef, WarcWriter, next_warc_path, read_response, repair

__all__ = ["Crawl"]
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_XML_TYPES = ("application/xml", "text/xml", "application/rss+xml", "application/atom+xml",
              "application/rdf+xml")


@dataclass
class _Target:
    url: str                      # the manifest key: the URL as listed
    kind: str                     # robots | listing | article | page
    source: str = ""
    article_url: str = ""
    page: int = 1
    depth: int = 0
    listed: Listed | None = None
    chain: list[str] = field(default_factory=list)
    attempts: int = 0
    not_before: float = 0.0

    @property
    def current(self) -> str:
        return self.chain[-1] if self.chain else self.url


@dataclass
class _Host:
    key: str
    queue: deque = field(default_factory=deque)
    retry: list = field(default_factory=list)
    next_time: float = 0.0
    last_end: float = 0.0
    rules: RobotsRules | None = None
    delay: float = 0.0


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Crawl:
    """One collection run: ``run(listings)`` registers the sources' entries and fetches until
    nothing is left; ``rows`` then holds the manifest (see :func:`analysis.collect.run.collect`)."""

    def __init__(self, options: CollectOptions, bar):
        self.options = options
        self.layout = Layout(options.out_dir)
        self.limits = FetchLimits(options.timeout, options.max_bytes)
        self.bar = bar
        self.rows: dict[str, dict[str, str]] = {}
        self.hosts: dict[str, _Host] = {}
        self.seen: set[str] = set()
        self.n_articles = 0
        self.counts: Counter = Counter()
        self.out_of_range = 0
        self.requests = 0
        self.log: ManifestLog | None = None
        self.warc: WarcWriter | None = None
        self.sequence = itertools.count()

    # -- bookkeeping ---------------------------------------------------------------------

    def _done(self, url: str) -> bool:
        return self.rows.get(url, {}).get("outcome") == "fetched"

    def _record(self, target: _Target, outcome: str, reason: str = "", detail: str = "",
                exchange: Exchange | None = None, ref: WarcRef | None = None,
                **extra: str) -> None:
        listed = target.listed
        row = {
            "url": target.url, "kind": target.kind, "outcome": outcome, "reason": reason,
            "detail": " ".join(detail.split()),  # one line per row, whatever an error said
            "final_url": target.current, "redirects": max(0, len(target.chain) - 1),
            "attempts": target.attempts, "article_url": target.article_url or target.url,
            "page": target.page, "source": target.source,
            "listed_date": listed.date if listed else "", "listed_title": listed.title if listed else "",
            "listed_outlet": listed.outlet if listed else "", "next_page": "",
        }
        if exchange is not None and exchange.status is not None:
            row.update(status=exchange.status, content_type=exchange.media_type,
                       bytes=len(exchange.body), sha256=_sha256(exchange.body),
                       fetched_at=exchange.started_at)
        if ref is not None:
            row.update(warc_file=ref.file, warc_offset=ref.offset, warc_length=ref.length,
                       warc_record_id=ref.record_id)
        row.update(extra)
        self.log.append(row)
        self.rows[target.url] = {k: "" if row.get(k) is None else str(row[k])
                                 for k in MANIFEST_COLUMNS}
        if target.kind != "robots":
            self.counts[outcome] += 1
            self.bar.update(1)
            self.bar.set_postfix_str(f"fetched {self.counts['fetched']}, failed "
                                     f"{self.counts['failed']}, skipped {self.counts['skipped']}")

    def _grow_total(self, n: int = 1) -> None:
        self.bar.total = (self.bar.total or 0) + n
        self.bar.refresh()

    # -- what to fetch -------------------------------------------------------------------

    def _host(self, url: str) -> _Host:
        key = host_key(url)
        if key not in self.hosts:
            self.hosts[key] = _Host(key, delay=self.options.min_delay)
        return self.hosts[key]

    def _enqueue(self, target: _Target, *, front: bool = False) -> None:
        host = self._host(target.current)
        (host.queue.appendleft if front else host.queue.append)(target)

    def add_listing(self, listing: Listing, depth: int = 0) -> None:
        """Register a source's entries: articles (and their listed pages) and listings."""
        self.out_of_range += listing.out_of_range
        listed_articles = {e.url for e in listing.entries if e.kind == "article"}
        for entry in listing.entries:
            if entry.url in self.seen:
                continue
            self.seen.add(entry.url)
            target = _Target(entry.url, entry.kind, entry.source, listed=entry, depth=depth)
            if entry.kind == "invalid":
                self._grow_total()
                self._record(target, "failed", "invalid_url", f"not an http(s) URL: {entry.url!r}")
            elif entry.kind == "listing":
                self._add_listing_target(target)
            else:
                base, number = page_of(entry.url)
                if number > 1 and (base in listed_articles or base in self.seen):
                    target.kind, target.article_url, target.page = "page", base, number
                self._add_article_target(target)

    def _add_listing_target(self, target: _Target) -> None:
        if self._done(target.url) and not self.options.refresh_listings:
            self._replay_listing(target)
            return
        self._grow_total()
        if target.depth > self.options.max_listing_depth:
            self._record(target, "skipped", "max_listing_depth",
                         f"a listing nested deeper than {self.options.max_listing_depth} levels")
        else:
            self._enqueue(target)

    def _replay_listing(self, target: _Target) -> None:
        """A listing fetched by an earlier run: its entries come from the WARC, not the network."""
        row = self.rows[target.url]
        try:
            stored = read_response(self.layout.warc_dir, WarcRef(
                row["warc_file"], int(row["warc_offset"]), int(row["warc_length"]), ""))
            body = decoded_body(stored.body, stored.header("Content-Encoding"),
                                self.options.max_bytes)
            listing = parse_listing(body, source=target.url, dates=self.options.dates)
        except (OSError, ValueError, BodyError):
            self._grow_total()
            self._enqueue(target)  # archive unreadable: fetch it again
            return
        self.add_listing(listing, target.depth + 1)

    def _add_article_target(self, target: _Target) -> None:
        if target.kind == "article":
            self.n_articles += 1
            cap = self.options.max_articles
            if cap is not None and self.n_articles > cap and not self._done(target.url):
                self._grow_total()
                self._record(target, "skipped", "max_articles",
                             f"beyond the first {cap} articles listed (--max-articles)")
                return
        if self._done(target.url):
            self._follow_recorded_next_page(target)
            return
        self._grow_total()
        self._enqueue(target)

    def _follow_recorded_next_page(self, target: _Target) -> None:
        """Resume a multi-page article whose next page an earlier run found but did not fetch."""
        next_page = self.rows[target.url].get("next_page")
        if next_page:
            self._add_page(target.article_url or target.url, next_page, target)

    def _add_page(self, article_url: str, url: str, parent: _Target) -> None:
        if url in self.seen:
            return
        self.seen.add(url)
        page = _Target(url, "page", parent.source, article_url=article_url,
                       page=page_of(url)[1], listed=parent.listed)
        if page.page > self.options.max_pages_per_article:
            self._grow_total()
            self._record(page, "skipped", "max_pages_per_article",
                         f"page {page.page}; at most {self.options.max_pages_per_article} pages "
                         "are fetched per article (--max-pages-per-article)")
        elif self._done(url):
            self._follow_recorded_next_page(page)
        else:
            self._grow_total()
            self._enqueue(page)

    # -- scheduling ----------------------------------------------------------------------

    def _pick(self) -> tuple[_Host, _Target, float] | None:
        best = None
        now = time.monotonic()
        for key in sorted(self.hosts):
            host = self.hosts[key]
            if host.retry and (host.retry[0][0] <= now or not host.queue):
                when, target = host.retry[0][0], None
            elif host.queue:
                when, target = 0.0, host.queue[0]
            else:
                continue
            ready = max(host.next_time, when)
            if best is None or ready < best[2]:
                best = (host, target, ready)
        if best is None:
            return None
        host, target, ready = best
        if target is None:
            target = heapq.heappop(host.retry)[2]
        else:
            host.queue.popleft()
        return host, target, ready

    def _retry_later(self, target: _Target, wait: float) -> None:
        target.not_before = time.monotonic() + wait
        host = self._host(target.current)
        heapq.heappush(host.retry, (target.not_before, next(self.sequence), target))

    def _give_up_host(self, host: _Host, reason: str, detail: str) -> None:
        waiting = list(host.queue) + [item[2] for item in host.retry]
        host.queue.clear()
        host.retry.clear()
        for target in waiting:
            self._record(target, "failed", reason, detail)

    # -- requests ------------------------------------------------------------------------

    def _request(self, host: _Host, target: _Target,
                 accept: tuple[str, ...] | None) -> tuple[Exchange, WarcRef | None]:
        options = self.options
        headers = {"User-Agent": options.agent_header,
                   "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.5"}
        if "@" in options.contact:
            headers["From"] = options.contact  # RFC 9110: the operator's mailbox
        exchange = http_get(target.current, headers=headers, limits=self.limits, accept=accept)
        self.requests += 1
        host.last_end = time.monotonic()
        host.next_time = host.last_end + host.delay
        target.attempts += 1
        ref = None
        if exchange.status is not None:
            if self.warc is None:
                self.warc = WarcWriter(next_warc_path(self.layout.warc_dir), self._warcinfo())
            ref = self.warc.write(exchange)
        return exchange, ref

    def _warcinfo(self) -> dict[str, str]:
        from importlib.metadata import version

        options = self.options
        return {
            "software": f"coopnews-analysis collect (warcio {version('warcio')})",
            "http-header-user-agent": options.agent_header,
            "operator": options.contact,
            "robots": "obey (RFC 9309; Crawl-delay honoured)",
            "description": (f"min-delay {options.min_delay:g} s per host, timeout "
                            f"{options.timeout:g} s, max {options.max_bytes} bytes, "
                            f"{options.retries} retries"),
            "format": "WARC File Format 1.0",
        }

    @staticmethod
    def _sleep_until(moment: float) -> None:
        wait = moment - time.monotonic()
        if wait > 0:
            time.sleep(wait)

    # -- robots.txt ----------------------------------------------------------------------

    def _recent(self, fetched_at: str) -> bool:
        try:
            when = dt.datetime.fromisoformat(fetched_at.replace("Z", "+00:00"))
        except ValueError:
            return False
        age = (dt.datetime.now(dt.UTC) - when).total_seconds()
        return 0 <= age <= self.options.robots_max_age

    def _archived_rules(self, row: dict[str, str]) -> RobotsRules | None:
        status = int(row["status"]) if row["status"].isdigit() else None
        if status is None or not 200 <= status < 300:
            return rules_for_status(status) if status and 400 <= status < 500 else None
        try:
            stored = read_response(self.layout.warc_dir, WarcRef(
                row["warc_file"], int(row["warc_offset"]), int(row["warc_length"]), ""))
            body = decoded_body(stored.body, stored.header("Content-Encoding"),
                                self.options.max_bytes)
        except (OSError, ValueError, BodyError):
            return None
        return parse_robots(body.decode("utf-8", "replace"), self.options.product_token)

    def _robots(self, host: _Host) -> None:
        """Set a host's rules and delay: from a recent earlier fetch, else fetched now."""
        url = host.key + "/robots.txt"
        row = self.rows.get(url)
        rules = None
        if row and row["outcome"] == "fetched" and self._recent(row["fetched_at"]):
            rules = self._archived_rules(row)
        if rules is None:
            rules = self._fetch_robots(_Target(url, "robots", article_url=host.key))
        host.rules = rules
        host.delay = max(self.options.min_delay, rules.crawl_delay or 0.0)
        # the robots.txt request itself was timed with the minimum delay: extend the wait
        host.next_time = max(host.next_time, host.last_end + host.delay)

    def _fetch_robots(self, target: _Target) -> RobotsRules:
        """GET robots.txt now, following redirects and retrying 5xx inline (once per host)."""
        options = self.options
        while True:
            hop = self._host(target.current)
            self._sleep_until(hop.next_time)
            exchange, ref = self._request(hop, target, accept=None)
            status = exchange.status
            retry = exchange.error in ("timeout", "connection_error") or status in _RETRY_STATUSES
            if retry and target.attempts <= options.retries:
                asked = retry_after_seconds(exchange.header("Retry-After")) or 0.0
                if asked <= options.max_retry_after:
                    time.sleep(max(asked, options.retry_backoff * 2 ** (target.attempts - 1)))
                    continue
            location = exchange.header("Location") if status in REDIRECT_STATUSES else None
            hop_url = normalize_url(urljoin(target.current, location)) if location else None
            if hop_url and hop_url not in target.chain and len(target.chain) <= options.max_redirects:
                target.chain = (target.chain or [target.url]) + [hop_url]
                target.attempts = 0
                continue
            if status is not None and 200 <= status < 300 and not exchange.error:
                try:
                    body = decoded_body(exchange.body, exchange.header("Content-Encoding"),
                                        options.max_bytes)
                    rules = parse_robots(body.decode("utf-8", "replace"), options.product_token)
                except BodyError as exc:
                    rules = rules_for_status(None, str(exc))
            else:
                rules = rules_for_status(status, exchange.detail)
            note = rules.note or (f"{len(rules.rules)} rules for {options.product_token}"
                                  + (f", Crawl-delay {rules.crawl_delay:g} s"
                                     if rules.crawl_delay is not None else ""))
            if rules.disallow_all:
                self._record(target, "failed", "robots_unavailable", note, exchange, ref)
            else:
                self._record(target, "fetched", "", note, exchange, ref)
            return rules

    # -- settling a response -------------------------------------------------------------

    def _settle(self, host: _Host, target: _Target, exchange: Exchange,
                ref: WarcRef | None) -> None:
        status = exchange.status
        if exchange.error in ("timeout", "connection_error") or status in _RETRY_STATUSES:
            self._retry_or_fail(host, target, exchange, ref)
        elif exchange.error:
            self._record(target, "failed", exchange.error, exchange.detail, exchange, ref)
        elif status in REDIRECT_STATUSES:
            self._redirect(target, exchange, ref)
        elif not 200 <= status < 300:
            self._record(target, "failed", "http_error", f"HTTP {status} {exchange.reason}".strip(),
                         exchange, ref)
        else:
            try:
                body = decoded_body(exchange.body, exchange.header("Content-Encoding"),
                                    self.options.max_bytes)
            except BodyError as exc:
                self._record(target, "failed", exc.reason, str(exc), exchange, ref)
                return
            if target.kind == "listing" or (target.kind == "article"
                                            and exchange.media_type in _XML_TYPES):
                self._settle_listing(target, exchange, ref, body)
            else:
                self._settle_page(target, exchange, ref, body)

    def _retry_or_fail(self, host: _Host, target: _Target, exchange: Exchange,
                       ref: WarcRef | None) -> None:
        options, status = self.options, exchange.status
        what = exchange.detail if exchange.error else f"HTTP {status} {exchange.reason}".strip()
        if target.attempts <= options.retries:
            wait = options.retry_backoff * 2 ** (target.attempts - 1)
            asked = retry_after_seconds(exchange.header("Retry-After")) if status else None
            if asked is not None and asked > options.max_retry_after:
                detail = (f"{what}: the server asks to wait {asked:g} s (Retry-After), more than "
                          f"--max-retry-after {options.max_retry_after:g} s; this host's other "
                          "URLs are left for a later run")
                self._record(target, "failed", "rate_limited", detail, exchange, ref)
                self._give_up_host(host, "rate_limited", detail)
                return
            if asked is not None:
                wait = max(wait, asked)
                host.next_time = max(host.next_time, time.monotonic() + asked)
            self._retry_later(target, wait)
            return
        reason = exchange.error or ("rate_limited" if status == 429 else "http_error")
        self._record(target, "failed", reason, f"{what} ({target.attempts} attempts)", exchange, ref)

    def _redirect(self, target: _Target, exchange: Exchange, ref: WarcRef | None) -> None:
        location = exchange.header("Location")
        chain = target.chain or [target.url]
        if not location:
            self._record(target, "failed", "http_error",
                         f"HTTP {exchange.status} without a Location header", exchange, ref)
            return
        hop = normalize_url(urljoin(target.current, location))
        if hop is None:
            self._record(target, "failed", "invalid_url",
                         f"redirect to {location!r}, not an http(s) URL", exchange, ref)
        elif hop in chain:
            self._record(target, "failed", "redirect_loop",
                         " -> ".join([*chain, hop]), exchange, ref)
        elif len(chain) - 1 >= self.options.max_redirects:
            self._record(target, "failed", "too_many_redirects",
                         f"more than {self.options.max_redirects} redirects: "
                         + " -> ".join([*chain, hop]), exchange, ref)
        else:
            target.chain = [*chain, hop]
            target.attempts = 0
            self._enqueue(target, front=True)

    def _settle_listing(self, target: _Target, exchange: Exchange, ref: WarcRef | None,
                        body: bytes) -> None:
        try:
            listing = parse_listing(body, source=target.url, dates=self.options.dates)
        except ValueError as exc:
            reason = "unparseable_listing" if target.kind == "listing" else "wrong_content_type"
            self._record(target, "failed", reason, f"{exchange.media_type or 'no type'}: {exc}",
                         exchange, ref)
            return
        target.kind = "listing"
        self._record(target, "fetched", "",
                     f"{listing.kind}: {len(listing.entries)} entries, {listing.out_of_range} "
                     "outside the date range", exchange, ref)
        self.add_listing(listing, target.depth + 1)

    def _settle_page(self, target: _Target, exchange: Exchange, ref: WarcRef | None,
                     body: bytes) -> None:
        markup = decode_html(body, exchange.header("Content-Type"))[0]
        next_page = next_page_url(markup, target.current)
        self._record(target, "fetched", "", "", exchange, ref, next_page=next_page or "")
        if next_page:
            self._add_page(target.article_url or target.url, next_page, target)

    # -- the run -------------------------------------------------------------------------

    def _crawl(self) -> None:
        while (picked := self._pick()) is not None:
            host, target, ready = picked
            if host.rules is not None:
                parts = urlsplit(target.current)
                path = parts.path + (f"?{parts.query}" if parts.query else "")
                if not host.rules.allowed(path):
                    reason = "robots_unavailable" if host.rules.disallow_all else "robots_disallowed"
                    detail = host.rules.note if host.rules.disallow_all else (
                        f"robots.txt of {host.key} disallows {path} for {self.options.product_token}")
                    self._record(target, "skipped", reason, detail)
                    continue
            self._sleep_until(ready)
            if host.rules is None:
                self._robots(host)
                host.queue.appendleft(target)
                continue
            accept = LISTING_TYPES if target.kind == "listing" else HTML_TYPES + _XML_TYPES
            exchange, ref = self._request(host, target, accept)
            self._settle(host, target, exchange, ref)

    def run(self, listings: list[Listing]) -> None:
        """Register the sources' entries and fetch until nothing is left."""
        self.rows = read_manifest(self.layout.manifest)
        ends: dict[str, int] = {}
        for row in self.rows.values():
            if row["warc_file"] and row["warc_offset"].isdigit():
                end = int(row["warc_offset"]) + int(row["warc_length"])
                ends[row["warc_file"]] = max(ends.get(row["warc_file"], 0), end)
        repair(self.layout.warc_dir, ends)
        self.log = ManifestLog(self.layout.manifest)
        try:
            for listing in listings:
                self.add_listing(listing)
            self._crawl()
        finally:
            self.log.close()
            if self.warc is not None:
                self.warc.close()
