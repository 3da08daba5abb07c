"""robots.txt as RFC 9309 reads it: groups by product token, longest match, wildcards, crawl-delay."""

# Python's :mod:`urllib.robotparser` applies the first matching rule rather than the longest one
# and knows no ``*`` or ``$`` wildcards, so an ``Allow: /berita/`` under ``Disallow: /`` (a common
# layout) would be read the wrong way round; hence this small parser.
#
# - The group for a crawler is every group whose ``User-agent`` equals its product token
#   (case-insensitively); without one, every ``User-agent: *`` group. Groups of the same agent are
#   merged, as the RFC asks.
# - A path is allowed unless the longest matching rule is a ``Disallow``; on a tie ``Allow`` wins.
#   ``*`` matches any characters, a final ``$`` anchors the end. ``/robots.txt`` is always allowed.
# - ``Crawl-delay`` (not in the RFC, but what many Indonesian outlets set) is read from the chosen
#   group; the collector waits at least that long between requests to the host.
# - Only the first 500 KiB are read (the RFC's minimum).
#
# What a crawler does when robots.txt itself cannot be had follows RFC 9309 section 2.3.1:
# :func:`rules_for_status` turns a 4xx into "allow all" and a 5xx or a network failure into
# "disallow all".

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from urllib.parse import quote

__all__ = ["RobotsRules", "parse_robots", "rules_for_status", "MAX_ROBOTS_BYTES"]

MAX_ROBOTS_BYTES = 500 * 1024
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")


@dataclass(frozen=True)
class _Rule:
    allow: bool
    path: str
    regex: re.Pattern[str]


@dataclass(frozen=True)
class RobotsRules:
    """The rules that apply to one crawler on one host.

    Attributes:
        rules: allow/disallow rules of the chosen group(s).
        crawl_delay: seconds between requests the host asks for, or None.
        disallow_all: robots.txt could not be fetched for a server-side reason (5xx, network):
            nothing may be fetched from the host in this run.
        note: how the rules came about, for the manifest (``"robots.txt 404: allow all"``).
    """

    rules: tuple[_Rule, ...] = ()
    crawl_delay: float | None = None
    disallow_all: bool = False
    note: str = ""

    def allowed(self, path: str) -> bool:
        """Whether a URL path (with its query string) may be fetched."""
        if self.disallow_all:
            return False
        path = _normalise(path or "/")
        if path == "/robots.txt":
            return True
        best: _Rule | None = None
        for rule in self.rules:
            if rule.regex.match(path) and (
                best is None
                or len(rule.path) > len(best.path)
                or (len(rule.path) == len(best.path) and rule.allow and not best.allow)
            ):
                best = rule
        return best is None or best.allow


def _normalise(path: str) -> str:
    """One spelling for comparison (RFC 9309 2.2.2): non-ASCII percent-encoded as UTF-8,
    escapes of unreserved characters decoded, other escapes in upper case."""
    path = quote(path, safe="/?&=;:@!$'()*+,%~#[]")

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()

    return _PERCENT.sub(fix, path)


def _compile(path: str) -> re.Pattern[str]:
    anchored = path.endswith("$")
    body = path[:-1] if anchored else path
    pattern = ".*".join(re.escape(part) for part in _normalise(body).split("*"))
    return re.compile(pattern + ("$" if anchored else ""))


def _product_token(agent: str) -> str:
    match = re.match(r"[A-Za-z_-]+", agent.strip())
    return match.group(0).lower() if match else ""


def parse_robots(text: str, product_token: str) -> RobotsRules:
    """The rules of a robots.txt for the crawler named ``product_token`` (e.g. ``coopnews-collect``).

    Lines are ``key: value`` pairs; ``#`` starts a comment; unknown keys and malformed lines are
    ignored, as the RFC requires.
    """
    token = product_token.lower()
    groups: list[tuple[list[str], list[tuple[str, str]]]] = []
    in_agents = False
    for raw in text[:MAX_ROBOTS_BYTES].splitlines():
        line = raw.split("#", 1)[0].strip()
        if ":" not in line:
            continue
        key, value = (part.strip() for part in line.split(":", 1))
        key = key.lower()
        if key in ("user-agent", "useragent"):
            if not in_agents:
                groups.append(([], []))
                in_agents = True
            groups[-1][0].append("*" if value.strip() == "*" else _product_token(value))
        elif key in ("allow", "disallow", "crawl-delay"):
            in_agents = False
            if groups:
                groups[-1][1].append((key, value))
    chosen = [lines for agents, lines in groups if token in agents]
    if not chosen:
        chosen = [lines for agents, lines in groups if "*" in agents]
    rules, delays = [], []
    for lines in chosen:
        for key, value in lines:
            if key == "crawl-delay":
                try:
                    delay = float(value)
                except ValueError:
                    continue
                if delay >= 0:
                    delays.append(delay)
            elif value:  # "Disallow:" with no path disallows nothing
                path = value if value.startswith(("/", "*")) else "/" + value
                rules.append(_Rule(key == "allow", path, _compile(path)))
    return RobotsRules(tuple(rules), max(delays) if delays else None)


def rules_for_status(status: int | None, detail: str = "") -> RobotsRules:
    """Rules when robots.txt gave no usable file: RFC 9309 section 2.3.1.

    A 4xx ("unavailable") allows everything; a 5xx or no answer at all ("unreachable") allows
    nothing for this run, so a server in trouble is not crawled.
    """
    if status is not None and 400 <= status < 500:
        return RobotsRules(note=f"robots.txt HTTP {status}: no restrictions (RFC 9309 2.3.1.3)")
    what = f"HTTP {status}" if status is not None else (detail or "no answer")
    return RobotsRules(
        disallow_all=True,
        note=f"robots.txt unreachable ({what}): nothing fetched from this host "
        "(RFC 9309 2.3.1.4); rerun later",
    )
