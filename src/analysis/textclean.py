"""Article text cleaning: Unicode repair, boilerplate rules, paragraphs, dates and outlets.

The ingest stage (``analysis.ingest``) calls :func:`clean_article` once per input article. The
steps, in order:

1. :func:`normalize_text` repairs mojibake (ftfy, only when the text shows its signature),
   applies NFC, turns NBSP and other Unicode spaces into spaces, curly quotes into straight ones,
   removes zero-width and control characters, and repairs whitespace.
2. Paragraph segmentation (:func:`segment_paragraphs`): every non-empty line is a paragraph,
   except hard-wrapped blocks, which are joined; texts whose paragraph breaks a scraper flattened
   into commas (``kalimat.,Kalimat``) are split where a comma with no space after it follows
   sentence-final punctuation and precedes an upper-case letter, digit or opening quote, so
   numbers such as ``1,5`` and ordinary commas (always followed by a space) are never split.
3. Boilerplate rules from ``data/lexicons/boilerplate_rules.csv`` (see that file for the scopes),
   plus three structural rules that cannot be written as one regular expression:
   the headline (see :func:`looks_like_headline`), lines that echo the headline just below it,
   and author-name lines (a name captured by a byline rule, or a short name-like line repeated
   on consecutive lines).
4. Paragraph tidying: commas left by a scraper at paragraph edges are trimmed, link gaps
   (`` , `` and ``,,`` where a hyperlinked word was dropped) are closed, a missing space after a
   full stop (``digodok.Hal``) is restored, and paragraphs without a letter or digit are dropped. Paragraphs are joined by exactly one blank line.

Metadata comes out of the same pass: the first ``date`` and ``outlet`` captured by a rule, or,
failing a date, the first date written next to a weekday in the text (``Selasa, 8 Juli 2025``,
``Rabu (9/4/2025)``) — Indonesian news reports name the reporting day that way.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UserError

__all__ = [
    "BoilerplateRule",
    "CleaningLexicons",
    "CleanedArticle",
    "load_lexicons",
    "normalize_text",
    "segment_paragraphs",
    "clean_article",
    "clean_text",
    "parse_date",
    "find_text_date",
    "canonical_outlet",
    "registrable_domain",
    "looks_like_headline",
]

RULE_SCOPES = ("line", "prefix", "lead", "trailer", "suffix")

# --------------------------------------------------------------------------------------------
# Lexicons
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoilerplateRule:
    """One row of ``boilerplate_rules.csv`` with its pattern compiled."""

    rule_id: str
    pattern: re.Pattern[str]
    scope: str
    description: str
    example: str


@dataclass(frozen=True)
class CleaningLexicons:
    """Everything the cleaner reads from ``data/lexicons``; picklable for worker processes."""

    rules: tuple[BoilerplateRule, ...]
    outlet_aliases: dict[str, str] = field(default_factory=dict)
    public_suffixes: frozenset[str] = frozenset()
    input_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def scoped(self, scope: str) -> tuple[BoilerplateRule, ...]:
        return tuple(r for r in self.rules if r.scope == scope)


def _data_lines(path: Path) -> list[str]:
    """Lines of a lexicon file without `#` comment lines and blank lines."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(
            f"lexicon file {path} not found; check the lexicon_dir argument "
            "(it should point at the project's data/lexicons folder)"
        ) from None
    return [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _read_csv_rows(path: Path, required: Iterable[str]) -> list[dict[str, str]]:
    rows = list(csv.DictReader(_data_lines(path)))
    header = set(rows[0]) if rows else set()
    missing = [c for c in required if c not in header]
    if missing:
        raise UserError(f"{path}: missing column(s) {', '.join(missing)}; see the comment at the top")
    return rows


def load_rules(path: str | Path) -> tuple[BoilerplateRule, ...]:
    """Read and compile ``boilerplate_rules.csv``; a bad row raises UserError naming it."""
    path = Path(path)
    rules = []
    seen: set[str] = set()
    for n, row in enumerate(_read_csv_rows(path, ("rule_id", "pattern", "scope")), start=1):
        rule_id = (row.get("rule_id") or "").strip()
        scope = (row.get("scope") or "").strip()
        if not rule_id or rule_id in seen:
            raise UserError(f"{path}: rule {n} has an empty or repeated rule_id {rule_id!r}")
        seen.add(rule_id)
        if scope not in RULE_SCOPES:
            raise UserError(
                f"{path}: rule {rule_id} has scope {scope!r}; use one of {', '.join(RULE_SCOPES)}"
            )
        try:
            pattern = re.compile(row["pattern"])
        except re.error as exc:
            raise UserError(f"{path}: rule {rule_id} pattern does not compile ({exc})") from None
        rules.append(
            BoilerplateRule(rule_id, pattern, scope, row.get("description") or "",
                            row.get("example") or "")
        )
    return tuple(rules)


def load_lexicons(lexicon_dir: str | Path) -> CleaningLexicons:
    """Load the ingest lexicons from ``lexicon_dir`` (boilerplate rules, outlet aliases,
    public suffixes, input column names).

    Raises:
        UserError: when a file is missing or malformed, naming the file.
    """
    lexicon_dir = Path(lexicon_dir)
    if not lexicon_dir.is_dir():
        raise UserError(
            f"lexicon directory {lexicon_dir} not found; pass lexicon_dir pointing at data/lexicons"
        )
    aliases = {
        row["alias"].strip().casefold(): row["outlet"].strip().lower()
        for row in _read_csv_rows(lexicon_dir / "outlet_aliases.csv", ("alias", "outlet"))
        if row["alias"].strip() and row["outlet"].strip()
    }
    suffixes = frozenset(
        line.strip().lower().lstrip(".") for line in _data_lines(lexicon_dir / "public_suffixes.txt")
    )
    columns: dict[str, list[str]] = {}
    for row in _read_csv_rows(lexicon_dir / "input_columns.csv", ("field", "alias")):
        columns.setdefault(row["field"].strip(), []).append(row["alias"].strip().casefold())
    return CleaningLexicons(
        rules=load_rules(lexicon_dir / "boilerplate_rules.csv"),
        outlet_aliases=aliases,
        public_suffixes=suffixes,
        input_columns={k: tuple(v) for k, v in columns.items()},
    )


@functools.lru_cache(maxsize=4)
def _cached_lexicons(lexicon_dir: str) -> CleaningLexicons:
    return load_lexicons(lexicon_dir)


def _default_lexicons() -> CleaningLexicons:
    """Lexicons of the project this module belongs to (``<root>/data/lexicons``), else ./data."""
    candidates = [Path(__file__).resolve().parents[2] / "data" / "lexicons", Path("data/lexicons")]
    for candidate in candidates:
        if (candidate / "boilerplate_rules.csv").is_file():
            return _cached_lexicons(str(candidate.resolve()))
    raise UserError("data/lexicons not found; pass lexicons=load_lexicons(<dir>) explicitly")


# --------------------------------------------------------------------------------------------
# Unicode normalisation
# --------------------------------------------------------------------------------------------


def _build_translation() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    # C0 and C1 control characters carry no text; tabs become spaces, line ends are kept.
    for code in list(range(0x00, 0x20)) + list(range(0x7F, 0xA0)):
        table[code] = None
    table[ord("\t")] = " "
    table[ord("\n")] = "\n"
    table[0x85] = "\n"  # NEL
    for code in (0xA0, 0x1680, 0x202F, 0x205F, 0x3000, *range(0x2000, 0x200B)):
        table[code] = " "
    # Zero-width and bidirectional marks, soft hyphen, BOM: invisible, but they split words.
    for code in (0x00AD, 0x034F, 0x061C, 0x180E, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060,
                 0x2061, 0x2062, 0x2063, 0x2064, 0xFEFF, *range(0x202A, 0x202F),
                 *range(0x2066, 0x206A)):
        table[code] = None
    table[0x2028] = "\n"
    table[0x2029] = "\n"
    for code in (0x2018, 0x2019, 0x201A, 0x201B, 0x2032, 0x2035, 0xFF07):
        table[code] = "'"
    for code in (0x201C, 0x201D, 0x201E, 0x201F, 0x2033, 0x2036, 0xFF02):
        table[code] = '"'
    return table


_TRANSLATION = _build_translation()
# UTF-8 bytes read as cp1252/latin-1 leave a lead character followed by a continuation-byte
# character ("â€œ", "Ã©", "Â "): only then is ftfy's (slower) repair worth running.
_MOJIBAKE_SIGNATURE = re.compile(
    "[\u00c2\u00c3\u00c5\u00e2\u00c4\u00c6\u00cb\u00f0][\u0080-\u00bf\u0152\u0153\u0160\u0161"
    "\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030"
    "\u2039\u203a\u20ac\u2122]"
)
_C1_CONTROL = re.compile("[\u0080-\u009f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_HTML_ENTITY = re.compile(r"&(?:#\d{2,7}|#[xX][0-9a-fA-F]{2,6}|[a-zA-Z][a-zA-Z0-9]{1,30});")
# Greek alpha typed for Latin "a" inside a Latin word (seen in scraped Indonesian news).
_GREEK_ALPHA_IN_WORD = re.compile(r"(?<=[A-Za-z])\u03b1|\u03b1(?=[A-Za-z])")
_SPACES = re.compile(r"[ \f\v]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def normalize_text(text: str) -> str:
    """Repair encoding damage and normalise Unicode and whitespace, keeping line structure.

    Mojibake is repaired with ``ftfy.fix_encoding``; HTML character references are decoded;
    the text is NFC-normalised; NBSP and other Unicode spaces become a space; curly single and
    double quotes become ``'`` and ``"``; zero-width, bidirectional and control characters and
    lone surrogates are removed; ``\\r\\n`` and ``\\r`` become ``\\n``; runs of spaces collapse
    to one; lines are stripped; more than one blank line collapses to one.

    Args:
        text: decoded text.

    Returns:
        The normalised text (lines kept; at most one blank line in a row; no outer whitespace).
    """
    if not text.isascii() and _SURROGATE.search(text):
        # Lone UTF-16 surrogates (from JSON "\ud800" escapes) are not characters and cannot
        # be written as UTF-8; they carry no text.
        text = _SURROGATE.sub("", text)
    if _MOJIBAKE_SIGNATURE.search(text):
        import ftfy

        text = ftfy.fix_encoding(text)
    if _C1_CONTROL.search(text):
        # Windows-1252 punctuation decoded as Latin-1 lands in the C1 range: map it back.
        from ftfy.fixes import fix_c1_controls

        text = fix_c1_controls(text)
    if "&" in text:
        text = _HTML_ENTITY.sub(lambda m: html.unescape(m.group(0)), text)
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_TRANSLATION)
    if "\u03b1" in text:
        text = _GREEK_ALPHA_IN_WORD.sub("a", text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------

# The calendar vocabulary is closed and not a research choice, so it lives here, not in a lexicon.
_MONTHS = {
    # Indonesian
    "januari": 1, "februari": 2, "pebruari": 2, "maret": 3, "april": 4, "mei": 5, "juni": 6,
    "juli": 7, "agustus": 8, "september": 9, "oktober": 10, "november": 11, "nopember": 11,
    "desember": 12,
    "jan": 1, "feb": 2, "peb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "agu": 8, "agt": 8,
    "ags": 8, "agus": 8, "sep": 9, "sept": 9, "okt": 10, "nov": 11, "nop": 11, "des": 12,
    # English
    "january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7, "august": 8,
    "october": 10, "december": 12, "aug": 8, "oct": 10, "dec": 12,
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


_TEXT_DATE = re.compile(
    rf"\b(?:{_WEEKDAYS})\s*(?:,\s*|\(\s*|\s)"
    r"(\d{1,2}/\d{1,2}/\d{4}|\d{1,2}\s+[A-Za-z]+\.?\s+\d{4})",
    re.IGNORECASE,
)


def find_text_date(text: str) -> dt.date | None:
    """First full date written next to a weekday in running text, e.g. ``Selasa, 8 Juli 2025``
    or ``Rabu (9/4/2025)``; dates without a weekday are event dates too often to trust."""
    for m in _TEXT_DATE.finditer(text):
        found = parse_date(m.group(1))
        if found is not None:
            return found
    return None


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


# --------------------------------------------------------------------------------------------
# Paragraphs
# --------------------------------------------------------------------------------------------


@dataclass
class _Para:
    text: str
    blank_after: bool = False  # followed by an empty line in the input (headline evidence)


_TERMINAL = (".", "!", "?", '"', "'", ":", ";", ")", "]")
# A paragraph break that a scraper flattened to a comma: sentence-final punctuation (or a
# closing quote/bracket), optional spaces, one or more commas, then *no space* and the start of a
# new sentence. Ordinary commas are followed by a space, and "1,5" has no punctuation before it.
_FLATTENED_BREAK = re.compile(r"(?<=[.!?:\"')\]])[ ]*,(?:[ ]*,)*(?=[\"'(]?[A-Z0-9])")


def _is_hard_wrapped(lines: list[str]) -> bool:
    """A block of lines wrapped at a fixed width (e-mail, Markdown) rather than one per paragraph."""
    if len(lines) < 3:
        return False
    inner = lines[:-1]
    open_lines = [ln for ln in inner if not ln.endswith(_TERMINAL)]
    long_enough = all(40 <= len(ln) <= 100 for ln in inner)
    return long_enough and len(open_lines) >= 0.75 * len(inner)


def segment_paragraphs(text: str) -> list[str]:
    """Split normalised text into paragraphs (see the module docstring for the rules)."""
    return [p.text for p in _segment(text)]


def _segment(text: str) -> list[_Para]:
    paras: list[_Para] = []
    for block in text.split("\n\n"):
        lines = [ln for ln in block.split("\n") if ln.strip()]
        if not lines:
            continue
        if _is_hard_wrapped(lines):
            lines = [" ".join(lines)]
        for i, line in enumerate(lines):
            pieces = [p.strip() for p in _FLATTENED_BREAK.split(line)]
            pieces = [p for p in pieces if p]
            for j, piece in enumerate(pieces):
                last = i == len(lines) - 1 and j == len(pieces) - 1
                paras.append(_Para(piece, blank_after=last))
    if paras:
        paras[-1].blank_after = False
    return paras


# --------------------------------------------------------------------------------------------
# Headlines and names
# --------------------------------------------------------------------------------------------

_WORD = re.compile(r"\w+", re.UNICODE)
_NAME_LINE = re.compile(r"^[A-Z][\w'.-]*(?: (?:[A-Z][\w'.-]*|al|bin|binti|van|de|von|da))+$")


def looks_like_headline(line: str) -> bool:
    """Whether a paragraph has the shape of a headline: 3 to 25 words, starts with an upper-case
    letter, digit or quote, and does not end like a sentence or clause (``. , ; :``) — a
    headline never ends with a full stop, while a pasted body paragraph nearly always does."""
    words = line.split()
    if not 3 <= len(words) <= 25:
        return False
    if not (line[0].isupper() or line[0].isdigit() or line[0] in "\"'"):
        return False
    stripped = line.rstrip("\"')")
    return not stripped.endswith((".", ",", ";", ":")) and not _TEXT_DATE.search(line)


def _word_set(text: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(text)}


def _echoes_title(line: str, title_words: set[str]) -> bool:
    """A line that repeats the headline (maybe reworded slightly) rather than adding text."""
    if not title_words or len(line.split()) > 30 or line.rstrip("\"')").endswith((".", ",")):
        return False
    words = _word_set(line)
    if not words:
        return False
    return len(words & title_words) / len(words | title_words) >= 0.6


def _name_like(line: str) -> bool:
    return 2 <= len(line.split()) <= 5 and bool(_NAME_LINE.match(line))


# --------------------------------------------------------------------------------------------
# The cleaner
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CleanedArticle:
    """Result of :func:`clean_article`.

    Attributes:
        text: cleaned body, paragraphs separated by ``"\\n\\n"`` (headline not included).
        title: the headline given or detected, or None.
        date: first date captured by a rule, else the first weekday-anchored date in the text.
        outlet: canonical outlet from the first dateline/header that names one, or None.
        rules_fired: ids of the boilerplate rules (and structural steps) that removed something.
    """

    text: str
    title: str | None
    date: dt.date | None
    outlet: str | None
    rules_fired: tuple[str, ...]


_EDGE_JUNK_LEFT = re.compile(r"^[\s,;]+")
_EDGE_JUNK_RIGHT = re.compile(r"[\s,;]+$")
_GLUED_SENTENCE = re.compile(r"(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])")
_HAS_CONTENT = re.compile(r"\w")
# Gaps a scraper leaves where it dropped a hyperlinked word: " , " and ",,". A comma after a
# space is never prose; the doubled comma keeps one comma.
_LINK_GAP = re.compile(r" ,(?=[ .,;:!?)\"']|$)")
_DOUBLE_COMMA = re.compile(r",{2,}")


def _tidy(text: str) -> str:
    text = _LINK_GAP.sub("", text)
    text = _DOUBLE_COMMA.sub(",", text)
    text = _EDGE_JUNK_RIGHT.sub("", _EDGE_JUNK_LEFT.sub("", text))
    text = _GLUED_SENTENCE.sub(" ", text)
    return " ".join(text.split())


def clean_article(
    raw: str,
    lexicons: CleaningLexicons | None = None,
    *,
    title: str | None = None,
    detect_title: bool = True,
) -> CleanedArticle:
    """Clean one article: normalise, segment, remove boilerplate, find headline/date/outlet.

    Args:
        raw: decoded article text (plain text; HTML must be reduced to text first).
        lexicons: from :func:`load_lexicons`; default: this project's ``data/lexicons``.
        title: a known headline (from a record field or HTML); lines echoing it are removed.
        detect_title: when no title is given, take the first paragraph as the headline if
            :func:`looks_like_headline` and it is followed by a blank line or by a repeat of
            itself. Pasted articles put the headline on its own line above a blank line; a body
            that starts straight away (seeds 000 and 003) has no headline and gets none.

    Returns:
        A :class:`CleanedArticle`.
    """
    lex = lexicons or _default_lexicons()
    paras = _segment(normalize_text(raw))
    fired: list[str] = []
    dates: list[str] = []
    outlets: list[str] = []
    names: set[str] = set()

    def capture(match: re.Match[str]) -> None:
        groups = match.groupdict()
        if groups.get("date"):
            dates.append(groups["date"])
        if groups.get("outlet"):
            outlets.append(groups["outlet"])
        if groups.get("name"):
            names.add(" ".join(groups["name"].split()))

    # 1. Whole-line boilerplate (anywhere), remembering captured metadata in document order.
    kept: list[_Para] = []
    line_rules = lex.scoped("line")
    for para in paras:
        for rule in line_rules:
            m = rule.pattern.fullmatch(para.text)
            if m:
                capture(m)
                fired.append(rule.rule_id)
                if kept and para.blank_after:
                    kept[-1].blank_after = True
                break
        else:
            kept.append(para)
    paras = kept

    # 2. Author-name lines: names from bylines, and short name-like lines repeated in a row.
    kept = []
    for i, para in enumerate(paras):
        repeated = (i + 1 < len(paras) and paras[i + 1].text == para.text) or (
            i > 0 and paras[i - 1].text == para.text
        )
        if para.text in names or (repeated and _name_like(para.text)):
            fired.append("author_name_line")
            continue
        kept.append(para)
    paras = kept

    # 3. Headline: given, or detected on the first paragraph.
    prefix_rules = lex.scoped("prefix")
    if title is None and detect_title and paras:
        first = paras[0]
        followed_by_copy = len(paras) > 1 and paras[1].text == first.text
        starts_with_dateline = any(r.pattern.match(first.text) for r in prefix_rules)
        if (first.blank_after or followed_by_copy) and looks_like_headline(first.text) and not (
            starts_with_dateline
        ):
            title = first.text
            paras = paras[1:]
            fired.append("headline")
    # An empty or blank title is no title (None), as documented, not "".
    title = (" ".join(normalize_text(title).split()) or None) if title else None
    if title:
        title_words = _word_set(title)
        head, rest = paras[:5], paras[5:]
        kept_head = [p for p in head if not _echoes_title(p.text, title_words)]
        if len(kept_head) < len(head):
            fired.append("headline_echo")
        paras = kept_head + rest

    # 4. Datelines and other prefixes (any paragraph), then lead-only prefixes.
    for para in paras:
        for rule in prefix_rules:
            m = rule.pattern.match(para.text)
            if m and m.end() > 0:
                capture(m)
                fired.append(rule.rule_id)
                para.text = para.text[m.end():].strip()
                break
    paras = [p for p in paras if _HAS_CONTENT.search(p.text)]
    lead_rules = lex.scoped("lead")
    changed = True
    while paras and changed:
        changed = False
        for rule in lead_rules:
            m = rule.pattern.match(paras[0].text)
            if m and m.end() > 0:
                capture(m)
                fired.append(rule.rule_id)
                paras[0].text = paras[0].text[m.end():].strip()
                changed = True
                break
        if paras and not _HAS_CONTENT.search(paras[0].text):
            paras.pop(0)
            changed = True

    # 5. Trailing related-article lists, credits and glued-on suffixes, until nothing changes.
    trailer_rules = lex.scoped("trailer")
    suffix_rules = lex.scoped("suffix")
    changed = True
    while paras and changed:
        changed = False
        last = _tidy(paras[-1].text)
        for rule in trailer_rules:
            if rule.pattern.fullmatch(last):
                fired.append(rule.rule_id)
                paras.pop()
                changed = True
                break
        if changed or not paras:
            continue
        for rule in suffix_rules:
            m = rule.pattern.search(paras[-1].text)
            if m and m.end() > m.start():
                fired.append(rule.rule_id)
                paras[-1].text = paras[-1].text[: m.start()]
                if not _HAS_CONTENT.search(paras[-1].text):
                    paras.pop()
                changed = True
                break

    # 6. Tidy and join.
    texts = [_tidy(p.text) for p in paras]
    body = "\n\n".join(t for t in texts if _HAS_CONTENT.search(t))

    date = None
    for candidate in dates:
        date = parse_date(candidate)
        if date is not None:
            break
    if date is None:
        date = find_text_date(body)
    outlet = None
    for candidate in outlets:
        outlet = canonical_outlet(candidate, lex)
        if outlet:
            break
    return CleanedArticle(body, title, date, outlet, tuple(fired))


def clean_text(raw: str, lexicons: CleaningLexicons | None = None) -> str:
    """Normalise, remove boilerplate (including a detected headline) and segment paragraphs.

    Args:
        raw: decoded article text.
        lexicons: from :func:`load_lexicons`; default: this project's ``data/lexicons``.

    Returns:
        The cleaned body with paragraphs separated by exactly ``"\\n\\n"``.
    """
    return clean_article(raw, lexicons).text
