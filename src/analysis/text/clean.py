"""Article cleaning: boilerplate, headline, paragraphs; and the paragraph separator of clean text."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass

from .lexicons import CleaningLexicons, default_cleaning_lexicons
from .metadata import WEEKDAY_DATE, canonical_outlet, find_text_date, parse_date
from .normalize import normalize_text
from .tokens import ALNUM_RUN, WORD_RUN

__all__ = [
    "PARAGRAPH_SEPARATOR",
    "CleanedArticle",
    "segment_paragraphs",
    "split_paragraphs",
    "strip_leading_noise",
    "paragraph_fingerprint",
    "stripped_fingerprint",
    "probed_fingerprint",
    "clean_article",
    "clean_text",
    "looks_like_headline",
]

# Clean text (documents.parquet ``text``) separates paragraphs by exactly one blank line.
PARAGRAPH_SEPARATOR = "\n\n"
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n")


def split_paragraphs(text: str | None) -> list[str]:
    """Split clean text into paragraphs at blank lines; empty paragraphs are not kept.

    Args:
        text: a cleaned body (documents.parquet ``text``: paragraphs separated by ``\\n\\n``).

    Returns:
        The stripped, non-empty paragraphs in order.
    """
    if not text:
        return []
    parts = _PARAGRAPH_BREAK.split(text.replace("\r\n", "\n"))
    return [part.strip() for part in parts if part.strip()]


def strip_leading_noise(text: str, lexicons: CleaningLexicons | None = None) -> str:
    """``text`` without a leading date header and the first outlet dateline it starts with.

    The patterns are the ``paragraph_header`` and ``paragraph_dateline`` rows of
    boilerplate_rules.csv (``lexicons``; default: this project's data/lexicons).
    """
    lex = lexicons or default_cleaning_lexicons()
    for rule in lex.scoped("paragraph_header")[:1]:
        text = rule.pattern.sub("", text, count=1)
    # most paragraphs match no dateline rule: one search of the joined rules, not five
    for rule in lex.rules_for("paragraph_dateline", text, "search"):
        stripped = rule.pattern.sub("", text, count=1)
        if stripped != text:
            return stripped
    return text


def paragraph_fingerprint(text: str, lexicons: CleaningLexicons | None = None) -> str:
    """Stable 12-hex key of a paragraph, robust to case, spacing, punctuation and datelines.

    The gold paragraphs are keyed by this value (plus doc_id) so labels survive changes in how
    ingest normalises quotes, dashes, whitespace or strips an outlet dateline (the leading
    noise of :func:`strip_leading_noise`, with ``lexicons``).
    """
    return stripped_fingerprint(strip_leading_noise(text, lexicons))


def stripped_fingerprint(stripped: str) -> str:
    """:func:`paragraph_fingerprint` of a text :func:`strip_leading_noise` already stripped
    (the classifier strips each paragraph once for both)."""
    if stripped.isascii():  # NFKC and casefold leave ASCII as lower() does: 8.5 -> 6.2 µs
        words = _ASCII_ALNUM_RUN.findall(stripped.lower())
    else:
        words = ALNUM_RUN.findall(unicodedata.normalize("NFKC", stripped).casefold())
    return _key(" ".join(words))


def _key(joined: str) -> str:
    """The fingerprint of a paragraph's words joined by single spaces: 12 hex digits of SHA-1."""
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:12]


# ALNUM_RUN on lower-case ASCII text (its letters and digits are these)
_ASCII_ALNUM_RUN = re.compile(r"[a-z0-9]+")


def probed_fingerprint(stripped: str, words: list[str]) -> str:
    """:func:`stripped_fingerprint` of a text from its words as
    :func:`~.tokens.probe_words` gives them (the classifier has them already).

    In an ASCII text a probe word is a run of letters and digits, or several joined by single
    apostrophes ("jum'at"), and every such run of the text is in one word, in order: the words
    joined by spaces, apostrophes made spaces, are the fingerprint's words joined by spaces.
    Any other text goes through :func:`stripped_fingerprint` (NFKC and casefold).
    """
    if not stripped.isascii():
        return stripped_fingerprint(stripped)
    return _key(" ".join(words).replace("'", " "))


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
    return not stripped.endswith((".", ",", ";", ":")) and not WEEKDAY_DATE.search(line)


def _word_set(text: str) -> set[str]:
    return {w.casefold() for w in WORD_RUN.findall(text)}


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
# A sentence glued to the next ("kata dia.Sementara"): a space goes after the punctuation. The
# pattern starts at the punctuation mark, so the engine skips to those characters quickly.
_GLUED_SENTENCE = re.compile(r"[.!?](?<=[a-z]{2}[.!?])(?=[A-Z][a-z])")
_HAS_CONTENT = re.compile(r"\w")
# Gaps a scraper leaves where it dropped a hyperlinked word: " , " and ",,". A comma after a
# space is never prose; the doubled comma keeps one comma.
_LINK_GAP = re.compile(r" ,(?=[ .,;:!?)\"']|$)")
_DOUBLE_COMMA = re.compile(r",{2,}")
_EDGE_JUNK = ",;"


def _space_after(match: re.Match[str]) -> str:
    return match.group(0) + " "


def _tidy(text: str) -> str:
    # Each substitution runs only when the text has what it needs to match (most paragraphs
    # have none of it): a " ," or ",,", junk at an edge.
    if " ," in text:
        text = _LINK_GAP.sub("", text)
    if ",," in text:
        text = _DOUBLE_COMMA.sub(",", text)
    if text and (text[0] in _EDGE_JUNK or text[0].isspace()):
        text = _EDGE_JUNK_LEFT.sub("", text)
    if text and (text[-1] in _EDGE_JUNK or text[-1].isspace()):
        text = _EDGE_JUNK_RIGHT.sub("", text)
    text = _GLUED_SENTENCE.sub(_space_after, text)
    return " ".join(text.split())


def clean_article(
    raw: str,
    lexicons: CleaningLexicons | None = None,
    *,
    title: str | None = None,
    detect_title: bool = True,
    date_in_text: bool = True,
) -> CleanedArticle:
    """Clean one article: normalise, segment, remove boilerplate, find headline/date/outlet.

    Args:
        raw: decoded article text (plain text; HTML must be reduced to text first).
        lexicons: from :func:`~analysis.text.lexicons.load_cleaning_lexicons`; default: this
            project's ``data/lexicons``.
        title: a known headline (from a record field or HTML); lines echoing it are removed.
        detect_title: when no title is given, take the first paragraph as the headline if
            :func:`looks_like_headline` and it is followed by a blank line or by a repeat of
            itself. Pasted articles put the headline on its own line above a blank line; a body
            that starts straight away (seeds 000 and 003) has no headline and gets none.
        date_in_text: when no boilerplate line gave a date, look for a weekday date in the
            body (:func:`~analysis.text.metadata.find_text_date`); False when the caller has
            the date already (a record's date field), which spares a scan of the whole text.

    Returns:
        A :class:`CleanedArticle`.

    One piece: the steps (line rules, author names, headline, prefixes, trailers, tidying)
    share the metadata captured on the way and must run in this order; each step is a short
    commented block.
    """
    lex = lexicons or default_cleaning_lexicons()
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
    # (each step below tests a paragraph against its scope's rules joined into one pattern
    # first: most paragraphs match none, and then no rule is tried one by one)
    kept: list[_Para] = []
    for para in paras:
        for rule in lex.rules_for("line", para.text, "fullmatch"):
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
        if (
            (first.blank_after or followed_by_copy)
            and looks_like_headline(first.text)
            and not (starts_with_dateline)
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
        for rule in lex.rules_for("prefix", para.text, "match"):
            m = rule.pattern.match(para.text)
            if m and m.end() > 0:
                capture(m)
                fired.append(rule.rule_id)
                para.text = para.text[m.end() :].strip()
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
                paras[0].text = paras[0].text[m.end() :].strip()
                changed = True
                break
        if paras and not _HAS_CONTENT.search(paras[0].text):
            paras.pop(0)
            changed = True

    # 5. Trailing related-article lists, credits and glued-on suffixes, until nothing changes.
    changed = True
    while paras and changed:
        changed = False
        last = _tidy(paras[-1].text)
        for rule in lex.rules_for("trailer", last, "fullmatch"):
            if rule.pattern.fullmatch(last):
                fired.append(rule.rule_id)
                paras.pop()
                changed = True
                break
        if changed or not paras:
            continue
        for rule in lex.rules_for("suffix", paras[-1].text, "search"):
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
    body = PARAGRAPH_SEPARATOR.join(t for t in texts if _HAS_CONTENT.search(t))

    date = None
    for candidate in dates:
        date = parse_date(candidate)
        if date is not None:
            break
    if date is None and date_in_text:
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
        lexicons: from :func:`~analysis.text.lexicons.load_cleaning_lexicons`; default: this
            project's ``data/lexicons``.

    Returns:
        The cleaned body with paragraphs separated by exactly ``"\\n\\n"``.
    """
    return clean_article(raw, lexicons).text
