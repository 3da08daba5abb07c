"""Per-host delays: the minimum delay and Crawl-delay hold, one request at a time, hosts interleave."""

from __future__ import annotations

from collect_server import LoopbackServer, Reply, article_body, generated_paragraphs

from analysis.collect.options import CollectOptions
from analysis.collect.run import collect
from analysis.collect.sources import Listed, Listing

MIN_DELAY = 0.25
CRAWL_DELAY = 0.4
PAGES = 4


def _site(robots: str, offset: int) -> LoopbackServer:
    routes = {"/robots.txt": Reply(body=robots, headers={"Content-Type": "text/plain"})}
    for n in range(PAGES):
        routes[f"/berita/artikel-{n}"] = Reply(
            body=article_body(f"Artikel {offset + n}", generated_paragraphs(offset + n))
        )
    return LoopbackServer(routes)


def test_min_delay_and_crawl_delay_hold_per_host_while_hosts_interleave(tmp_path):
    slow = _site(f"User-agent: *\nCrawl-delay: {CRAWL_DELAY}\n", 0)
    fast = _site("User-agent: *\nDisallow:\n", 100)
    try:
        entries = [
            Listed(server.url(f"/berita/artikel-{n}"), "article", "test")
            for n in range(PAGES)
            for server in (slow, fast)
        ]
        options = CollectOptions(
            out_dir=tmp_path / "out", contact="uji@example.org", min_delay=MIN_DELAY, timeout=5
        )
        summary = collect([Listing(entries=entries)], options)
        assert summary["counts"]["articles"] == 2 * PAGES
        for server, delay in ((slow, CRAWL_DELAY), (fast, MIN_DELAY)):
            times = server.times()
            assert len(times) == PAGES + 1  # robots.txt, then each page once
            gaps = [b - a for a, b in zip(times, times[1:])]
            assert min(gaps) >= delay, (server.base, gaps)
        assert summary["hosts"][slow.base]["delay_s"] == CRAWL_DELAY
        assert summary["hosts"][fast.base]["delay_s"] == MIN_DELAY
        # while one host waits out its delay the other is served: the two logs interleave
        merged = sorted([(t, "slow") for t in slow.times()] + [(t, "fast") for t in fast.times()])
        switches = sum(a[1] != b[1] for a, b in zip(merged, merged[1:]))
        assert switches >= 4
    finally:
        slow.close()
        fast.close()
