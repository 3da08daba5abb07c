"""Metadata found in article text: publication dates and canonical outlet names."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from .lexicons import CleaningLexicons
from .normalize import normalize_text

__all__ = ["parse_date", "find_text_date", "canonical_outlet", "registrable_domain", "WEEKDAY_DATE"]


# The calendar vocabulary is closed and not a research choice, so it lives here, not in a lexicon.
_MONTHS = {
    # Indonesian
    "januari": 1,
    "februari": 2,
    "pebruari": 2,
    "maret": 3,
    "april": 4,
    "mei": 5,
    "juni": 6,
    "juli": 7,
    "agustus": 8,
    "september": 9,
    "oktober": 10,
    "november": 11,
    "nopember": 11,
    "desember": 12,
    "jan": 1,
    "feb": 2,
    "peb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "agu": 8,
    "agt": 8,
    "ags": 8,
    "agus": 8,
    "sep": 9,
    "sept": 9,
    "okt": 10,
    "nov": 11,
    "nop": 11,
    "des": 12,
    # English
    "january": 1,
    "february": 2,
    "march": 3,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "october": 10,
    "december": 12,
    "aug": 8,
    "oct": 10,
    "dec": 12,
}
_WEEKDAYS = (
    "senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu|ahad|"
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|"
    "fri|sat|sun"
)
_WEEKDAY_PREFIX = re.compile(rf"^(?:{_WEEKDAYS})\b\.?[\s,]*", re.IGNORECASE)
_TIME_SUFFIX = re.compile(
    r"(?:[\s,|]+(?:pukul|jam|at)?\s*\d{1,2}[:.]\d{2}(?:[:.]\d{2})?"
    r"(?:\s*(?:WIB|WITA|WIT|GMT|UTC|am|pm|AM|PM|[+-]\d{2}:?\d{2}))?)\s*$"
)
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[T ]\d{1,2}[:.]\d{2}.*$)")
_NUMERIC = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})$")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})(?:\s+|-)([A-Za-z]+)\.?(?:\s+|-|,\s*)(\d{4}|\d{2})$")
_MONTH_DAY_YEAR = re.compile(r"^([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})$")
_MIN_YEAR, _MAX_YEAR = 1900, 2100


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:  # two-digit years in news dumps ("10-Sep-19") are this century or last
        year += 2000 if year < 70 else 1900
    return year


def _make_date(year: int, month: int, day: int) -> dt.date | None:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_date(value: object) -> dt.date | None:
    """Parse one publication-date string in the Indonesian and English forms news dumps use.

    Accepted: ISO ``2025-08-11`` (with or without a time, which is ignored: the date is taken as
    written, not converted between time zones), ``Senin, 11 Agustus 2025 | 22:00``, ``(9/4/2025)``,
    ``11/08/2025`` (day first: the Indonesian convention; ``12/25/2019`` is read month first
    because it cannot be day first), ``31 Juli 2019``, ``25 Okt 2019``, ``Sep 16, 2019``,
    ``Oktober 19, 2019``, ``10-Sep-19`` (two-digit years: 00-69 -> 20xx, 70-99 -> 19xx).

    Args:
        value: the string (``datetime.date``/``datetime`` pass through; anything else is None).

    Returns:
        The date, or None when the value is empty, has no year or day, is not a real calendar date
        (``31/02/2019``), lies outside 1900-2100, or cannot be read unambiguously. Never raises.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    s = normalize_text(value).replace("\n", " ").strip()
    s = s.strip("()[] ").strip()
    s = _WEEKDAY_PREFIX.sub("", s).strip("()[] ,").strip()
    if not s or len(s) > 60:
        return None
    m = _ISO.match(s)
    if m:
        return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    s = _TIME_SUFFIX.sub("", s).strip("()[] ,")
    m = _NUMERIC.match(s)
    if m:
        first, second, year = int(m.group(1)), int(m.group(2)), _year(m.group(3))
        if second > 12 >= first:  # only month-first can be valid
            first, second = second, first
        return _make_date(year, second, first)
    m = _DAY_MONTH_YEAR.match(s)
    if m:
        month = _MONTHS.get(m.group(2).casefold())
        return _make_date(_year(m.group(3)), month, int(m.group(1))) if month else None
    m = _MONTH_DAY_YEAR.match(s)
    if m:
        month = _MONTHS.get(m.group(1).casefold())
        return _make_date(int(m.group(3)), month, int(m.group(2))) if month else None
    return None


# A full date written next to a weekday ("Selasa, 8 Juli 2025", "Rabu (9/4/2025)").
# The lookahead on the weekdays' first letters only saves work: most word starts fail it at
# once instead of trying every weekday in turn.
_WEEKDAY_INITIALS = "".join(sorted({day[0] for day in _WEEKDAYS.split("|")}))
WEEKDAY_DATE = re.compile(
    rf"\b(?=[{_WEEKDAY_INITIALS}])(?:{_WEEKDAYS})\s*(?:,\s*|\(\s*|\s)"
    r"(\d{1,2}/\d{1,2}/\d{4}|\d{1,2}\s+[A-Za-z]+\.?\s+\d{4})",
    re.IGNORECASE,
)


# The weekday names no other name starts (a match of "monday" starts where "mon" occurs).
_WEEKDAY_STARTS = tuple(
    name.encode("ascii")
    for name in _WEEKDAYS.split("|")
    if not any(other != name and name.startswith(other) for other in _WEEKDAYS.split("|"))
)


def find_text_date(text: str) -> dt.date | None:
    """First full date written next to a weekday in running text, e.g. ``Selasa, 8 Juli 2025``
    or ``Rabu (9/4/2025)``; dates without a weekday are event dates too often to trust."""
    for m in _weekday_dates(text):
        found = parse_date(m.group(1))
        if found is not None:
            return found
    return None


# The four letters that Python's case-insensitive matching takes for ASCII letters other than
# by their lower case (İ ı ſ and the Kelvin sign: "i", "i", "s", "k"); the first is also the
# only letter whose lower case is two characters long.
_FOLDS_TO_ASCII = ("\u0130", "\u0131", "\u017f", "\u212a")


def _weekday_dates(text: str) -> Iterator[re.Match[str]]:
    """``WEEKDAY_DATE.finditer(text)``, faster.

    A match can only start where a weekday name occurs. Lower-casing the text's ASCII letters
    keeps every position and turns each case-insensitive occurrence into a plain one, unless
    the text holds one of the four letters of ``_FOLDS_TO_ASCII`` (then ``finditer`` scans it).
    So the names are found by substring search and the pattern is tried there only, skipping
    what an earlier match covered as ``finditer`` does: a tenth of the cost of scanning every
    position.
    """
    if not text.isascii() and any(letter in text for letter in _FOLDS_TO_ASCII):
        yield from WEEKDAY_DATE.finditer(text)
        return
    # one byte per character ("?" for every non-ASCII one): the same positions, and a byte
    # search is much faster than a search in a string of two-byte characters
    lowered = text.encode("ascii", "replace").lower()
    starts = []
    for name in _WEEKDAY_STARTS:
        at = lowered.find(name)
        while at >= 0:
            starts.append(at)
            at = lowered.find(name, at + 1)
    covered = 0  # the end of the last match
    for at in sorted(starts):
        if at < covered:
            continue
        m = WEEKDAY_DATE.match(text, at)
        if m is not None:
            covered = m.end()
            yield m


# --------------------------------------------------------------------------------------------
# Outlets
# --------------------------------------------------------------------------------------------

_DOMAIN = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}$")
_URL_HOST = re.compile(r"^[a-z][a-z0-9+.-]*://([^/?#:]+)", re.IGNORECASE)


def registrable_domain(host: str, public_suffixes: frozenset[str] = frozenset()) -> str | None:
    """The registrable domain of a host or URL: ``jakarta.bisnis.com`` -> ``bisnis.com``,
    ``news.republika.co.id`` -> ``republika.co.id`` (multi-label suffixes come from
    ``public_suffixes.txt``). Returns None for things that are not domain names."""
    host = host.strip().lower()
    m = _URL_HOST.match(host)
    if m:
        host = m.group(1)
    host = host.rstrip(".")
    if not _DOMAIN.match(host):
        return None
    labels = host.split(".")
    keep = 3 if ".".join(labels[-2:]) in public_suffixes and len(labels) >= 3 else 2
    return ".".join(labels[-keep:])


def canonical_outlet(name: object, lexicons: CleaningLexicons) -> str | None:
    """Canonical outlet id for a name seen in a dateline, sidecar, HTML or scraper field.

    Alias lexicon first (``Bisnis Indonesia`` -> ``bisnis.com``), then domain-looking names and
    URLs reduce to their lower-case registrable domain (``KOMPAS.com`` -> ``kompas.com``); any
    other non-empty name is kept lower-cased, so an unknown outlet is still counted consistently.
    """
    if not isinstance(name, str):
        return None
    text = " ".join(name.split())
    if not text:
        return None
    alias = lexicons.outlet_aliases.get(text.casefold())
    if alias:
        return alias
    domain = registrable_domain(text, lexicons.public_suffixes)
    if domain:
        return lexicons.outlet_aliases.get(domain, domain)
    return text.lower()
