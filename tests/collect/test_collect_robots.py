"""robots.txt per RFC 9309: group choice, longest match, wildcards, crawl-delay, fetch failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.collect.robots import parse_robots, rules_for_status

TOKEN = "coopnews-collect"
FIXTURE = (Path(__file__).parents[1] / "fixtures" / "collect" / "robots.txt").read_text(
    encoding="utf-8"
)


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/berita/a", True),  # the * group would block it; our own group applies
        ("/private/x", False),
        ("/private/boleh", True),  # the longer Allow wins over the shorter Disallow
        ("/private/bolehkah", True),
        ("/berita/a?print=1", False),  # wildcard
        ("/robots.txt", True),
    ],
)
def test_fixture_rules(path, allowed):
    rules = parse_robots(FIXTURE, TOKEN)
    assert rules.allowed(path) is allowed
    assert rules.crawl_delay == 0


def test_star_group_when_no_specific_group_and_merging_of_groups():
    text = (
        "User-agent: *\nDisallow: /a\n\nUser-agent: otherbot\nDisallow: /\n\n"
        "User-agent: *\nDisallow: /b\nCrawl-delay: 2.5\n"
    )
    rules = parse_robots(text, TOKEN)
    assert not rules.allowed("/a/1") and not rules.allowed("/b") and rules.allowed("/c")
    assert rules.crawl_delay == 2.5


def test_agent_matching_is_case_insensitive_and_by_product_token():
    rules = parse_robots("User-agent: CoopNews-Collect/2.0\nDisallow: /x\n", TOKEN)
    assert not rules.allowed("/x")


def test_several_agents_share_a_group_and_comments_are_ignored():
    text = "User-agent: a\nUser-agent: coopnews-collect # kami\nDisallow: /x # tidak\n"
    assert not parse_robots(text, TOKEN).allowed("/x/y")


def test_end_anchor_ties_and_empty_disallow():
    text = "User-agent: *\nDisallow: /*.pdf$\nAllow: /dok\nDisallow: /dok\nDisallow:\n"
    rules = parse_robots(text, TOKEN)
    assert not rules.allowed("/dok.pdf") and rules.allowed("/dok.pdf?x=1")
    assert rules.allowed("/dok/1")  # equal length: Allow wins
    assert rules.allowed("/lain")  # "Disallow:" with no path disallows nothing


def test_percent_encoding_is_compared_in_one_spelling():
    rules = parse_robots("User-agent: *\nDisallow: /berita/é\nDisallow: /%7Eadmin\n", TOKEN)
    assert not rules.allowed("/berita/%C3%A9/1")
    assert not rules.allowed("/~admin")


def test_garbage_is_ignored():
    rules = parse_robots("<html>not robots</html>\n\x00\nDisallow /x\n", TOKEN)
    assert rules.allowed("/x") and rules.crawl_delay is None


@pytest.mark.parametrize(
    ("status", "disallow_all"),
    [(404, False), (403, False), (410, False), (500, True), (503, True), (None, True)],
)
def test_unavailable_allows_all_unreachable_disallows_all(status, disallow_all):
    rules = rules_for_status(status, "timed out")
    assert rules.disallow_all is disallow_all
    assert rules.allowed("/berita") is not disallow_all
    assert "RFC 9309" in rules.note
