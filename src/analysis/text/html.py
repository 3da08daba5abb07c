"""Article text and metadata from news pages: trafilatura first, the rule-based reader as fallback."""

# :func:`extract_html` turns one saved or fetched page into ``(text, fields)``, the shape
# :func:`html_article` (the rule-based reader, kept as the fallback) returns: paragraphs separated by blank lines, and
# ``title``/``date``/``url``/``outlet`` (plus ``author`` and ``extractor``). The steps:
#
# 1. Page furniture is removed from the parsed page by the ``node`` rules of
#    ``html_boilerplate.csv`` (beside this module): "Baca juga" boxes, related and popular lists,
#    advertisement slots, share bars, reader comments, pagination, tag lists. Removing them first
#    matters: trafilatura otherwise loses the text that follows an advertisement inside a
#    ``<div>`` split by ``<br>`` (the detik layout).
# 2. trafilatura extracts the main text and the metadata (JSON-LD, meta tags, htmldate).
# 3. Every paragraph is checked against the ``line`` rules (inline "Baca juga:", "ADVERTISEMENT",
#    "Simak Video", bylines and editor lines, share and follow prompts, page numbers), lines that
#    are only a date, and repeats of the headline; ``suffix`` rules cut editor initials and video
#    promotions glued to the last sentence.
# 4. When trafilatura keeps fewer than :data:`MIN_WORDS` words, the old reader
#    (``html_article``) runs on the cleaned page and wins if it keeps more.
#
# Neither finding any text raises :class:`ExtractionFailed`; ingest records it as the reject
# reason ``extraction_failed``. The output depends only on the markup (and the URL given), never
# on the time or the machine.

from __future__ import annotations

import codecs
import functools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import UserError
from .lexicons import BoilerplateRule, load_rules

__all__ = [
    "RULES_FILE",
    "RULE_SCOPES",
    "MIN_WORDS",
    "ExtractionFailed",
    "HtmlRules",
    "load_html_rules",
    "decode_html",
    "extract_html",
    "extract_pages",
    "html_article",
    "word_f1",
]

_HTML_DROP = (
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "iframe",
    "svg",
    "figure",
    "figcaption",
    "button",
    "select",
    "input",
    "object",
    "embed",
    "canvas",
    "video",
    "audio",
)
_HTML_BLOCKS = ("p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td")
_HTML_DATE_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "dc.date",
    "dc.date.issued",
    "parsely-pub-date",
    "sailthru.date",
    "content_publishedtime",
)


def html_article(markup: str) -> tuple[str, dict[str, str | None]]:
    """Reduce a saved news page to article text and metadata.

    Scripts, styles, navigation, headers, footers, asides, forms and figures (captions) are
    removed; the text is taken from ``<article>`` (or ``itemprop=articleBody``, else ``<body>``),
    one paragraph per block element. Metadata: title from ``og:title``/``<h1>``/``<title>``,
    date from ``article:published_time``-style meta tags or ``<time datetime>``, URL from the
    canonical link or ``og:url``, outlet from ``og:site_name`` (else the URL).

    Returns:
        ``(text, fields)`` with paragraphs separated by blank lines.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "lxml")

    def meta(*names: str) -> str | None:
        for tag in soup.find_all("meta"):
            key = (tag.get("property") or tag.get("name") or tag.get("itemprop") or "").strip()
            if key.casefold() in names and (tag.get("content") or "").strip():
                return tag["content"].strip()
        return None

    title = meta("og:title", "twitter:title")
    if not title:
        h1 = soup.find("h1")
        title = h1.get_text(" ", strip=True) if h1 else None
    if not title and soup.title and soup.title.string:
        title = soup.title.string.strip()
    date = meta(*_HTML_DATE_META)
    if not date:
        time_tag = soup.find("time", attrs={"datetime": True})
        date = time_tag["datetime"] if time_tag else None
    canonical = soup.find("link", rel="canonical")
    url = (canonical.get("href") if canonical else None) or meta("og:url")
    outlet = meta("og:site_name")

    for tag in soup.find_all(_HTML_DROP):
        tag.decompose()
    root = soup.find("article") or soup.find(attrs={"itemprop": "articleBody"}) or soup.body or soup
    for h1 in root.find_all("h1"):
        h1.decompose()  # the headline is metadata, not body text
    blocks = []
    for block in root.find_all(_HTML_BLOCKS):
        if block.find(_HTML_BLOCKS):
            continue  # an outer block (li holding p): its inner blocks are taken instead
        text = " ".join(block.get_text(" ", strip=True).split())  # HTML newlines are spaces
        if text:
            blocks.append(text)
    body = "\n\n".join(blocks) if blocks else root.get_text("\n", strip=True)
    fields = {
        "title": title or None,
        "date": date or None,
        "url": url or None,
        "outlet": outlet or None,
    }
    return body, fields


RULES_FILE = Path(__file__).with_name("html_boilerplate.csv")
RULE_SCOPES = ("node", "line", "suffix")
# Below this many words trafilatura is taken to have missed the article (its own minimum is 250
# characters, about 35 Indonesian words), and the rule-based reader gets a chance.
MIN_WORDS = 25
# An element holding more than this share of the page's text is the article (or the page), not
# furniture, whatever its class says (<body class="has-comments">).
_MAX_FURNITURE_SHARE = 0.5
_ARTICLE_CHARS = 6 * MIN_WORDS  # characters of MIN_WORDS Indonesian words, roughly
_NEVER_REMOVED = frozenset({"html", "body", "head"})
_WORD = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")
_TAG = re.compile(r"<[^>]*>")
_PAGE_SUFFIX = re.compile(r"\s*[-|:]?\s*\(?(?:halaman|hal\.?|page)\s*\d+\)?\s*$", re.IGNORECASE)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# WHATWG: pages labelled Latin-1 or ASCII are decoded as windows-1252 by every browser.
_CHARSET_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
}


class ExtractionFailed(Exception):
    """No article text in a page, by either extractor; the message says what was seen."""


@dataclass(frozen=True)
class HtmlRules:
    """The rules of one file, by scope."""

    rules: tuple[BoilerplateRule, ...]

    def scoped(self, scope: str) -> tuple[BoilerplateRule, ...]:
        return tuple(r for r in self.rules if r.scope == scope)

    def node_matches(self, name: str) -> bool:
        """Whether a class name or id is furniture (matches a ``node`` rule as a whole part)."""
        return any(r.pattern.search(name) for r in self.scoped("node"))


def load_html_rules(path: str | Path = RULES_FILE) -> HtmlRules:
    """Read and compile a page-furniture rule file (default: the one beside this module).

    Raises:
        UserError: naming the file and the row for a missing column, an unknown scope, a
            repeated id or a pattern that does not compile.
    """
    path = Path(path)
    if not path.is_file():
        raise UserError(f"HTML rule file {path} cannot be read (not a file)")
    return HtmlRules(load_rules(path, RULE_SCOPES, flags=re.IGNORECASE, shape=_node_shape))


def _node_shape(scope: str, source: str) -> str:
    """A ``node`` rule matches a whole part of a class name or id (``-``/``_`` separated)."""
    return rf"(?:^|[-_])(?:{source})(?:$|[-_])" if scope == "node" else source


@functools.lru_cache(maxsize=1)
def _default_rules() -> HtmlRules:
    return load_html_rules(RULES_FILE)


# --------------------------------------------------------------------------------------------
# Bytes to text
# --------------------------------------------------------------------------------------------


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _CHARSET_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode a fetched page: the charset of the Content-Type header, else a byte-order mark,
    else a ``<meta charset>`` in the first 4 KB, else UTF-8, else windows-1252.

    ISO-8859-1 and ASCII labels are read as windows-1252, as browsers do. A declared charset
    decodes with replacement characters for the odd invalid byte rather than failing.

    Returns:
        ``(text, codec name used)``.
    """
    header = _HEADER_CHARSET.search(content_type or "")
    codec = _codec(header.group(1) if header else None)
    if codec is None:
        for bom, name in (
            (codecs.BOM_UTF8, "utf-8-sig"),
            (codecs.BOM_UTF16_LE, "utf-16"),
            (codecs.BOM_UTF16_BE, "utf-16"),
        ):
            if body.startswith(bom):
                codec = name
                break
    if codec is None:
        meta = _META_CHARSET.search(body[:4096])
        codec = _codec(meta.group(1).decode("ascii", "replace") if meta else None)
    if codec is not None:
        return body.decode(codec, errors="replace"), codec
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace"), "cp1252"


# --------------------------------------------------------------------------------------------
# Extraction
# --------------------------------------------------------------------------------------------


def _parse(markup: str):
    from trafilatura.utils import load_html

    try:
        tree = load_html(markup)
    except (ValueError, TypeError) as exc:
        raise ExtractionFailed(f"the page could not be parsed as HTML ({exc})") from None
    if tree is None:
        raise ExtractionFailed("the page could not be parsed as HTML (no elements)")
    return tree


def _text_length(element) -> int:
    return sum(len(t.strip()) for t in element.itertext())


def _remove_furniture(tree, rules: HtmlRules) -> int:
    """Remove elements whose class or id names furniture; returns how many were removed.

    An element that holds most of the page's text, and enough of it to be an article, stays
    whatever its class says (``<div class="share-area">`` wrapping the whole story).
    """
    body = tree.find(".//body")
    total = _text_length(body if body is not None else tree)
    removed = 0
    for element in list(tree.iter()):
        if not isinstance(element.tag, str) or element.tag in _NEVER_REMOVED:
            continue
        if element.getparent() is None:
            continue
        names = (element.get("class") or "").split() + (element.get("id") or "").split()
        if not any(rules.node_matches(name) for name in names):
            continue
        length = _text_length(element)
        if length > _MAX_FURNITURE_SHARE * total and length >= _ARTICLE_CHARS:
            continue
        element.drop_tree()  # keeps the element's tail text: the sentence after an ad box
        removed += 1
    return removed


def _key(text: str) -> str:
    return " ".join(_WORD.findall(text.casefold()))


def _is_date_line(paragraph: str) -> bool:
    from .metadata import parse_date

    if len(paragraph) > 60:
        return False
    candidates = [paragraph, paragraph.rsplit(" - ", 1)[-1]]
    return any(parse_date(c) is not None for c in candidates)


def _paragraphs(text: str) -> list[str]:
    """One paragraph per non-empty line, whitespace collapsed, table bars and list dashes off."""
    out = []
    for line in text.splitlines():
        line = _SPACE.sub(" ", line).strip().strip("|").strip()
        if line.startswith("- "):
            line = line[2:].strip()
        if line:
            out.append(line)
    return out


def _filter(paragraphs: list[str], rules: HtmlRules, title: str | None) -> list[str]:
    title_key = _key(_PAGE_SUFFIX.sub("", title)) if title else ""
    lines = rules.scoped("line")
    kept = []
    for paragraph in paragraphs:
        if any(rule.pattern.fullmatch(paragraph) for rule in lines):
            continue
        if _is_date_line(paragraph):
            continue
        if title_key and _key(_PAGE_SUFFIX.sub("", paragraph)) == title_key:
            continue
        kept.append(paragraph)
    suffixes = rules.scoped("suffix")
    while kept:
        last = kept[-1]
        for rule in suffixes:
            last = rule.pattern.sub("", last).rstrip()
        if last == kept[-1]:
            break
        if last:
            kept[-1] = last
            break
        kept.pop()
    return kept


def _n_words(paragraphs: list[str]) -> int:
    return sum(len(p.split()) for p in paragraphs)


def _meta_content(tree, *names: str) -> str | None:
    for name in names:
        for value in tree.xpath(f'//meta[@property="{name}" or @name="{name}"]/@content'):
            if value.strip():
                return " ".join(value.split())
    return None


def _visible_text_date(tree) -> str | None:
    """A weekday-anchored date in the first visible text of the page (``Senin, 16 Juni 2025``)."""
    from .metadata import find_text_date

    body = tree.find(".//body")
    if body is None:
        return None
    pieces, size = [], 0
    for element in body.iter():
        if not isinstance(element.tag, str) or element.tag in ("script", "style", "noscript"):
            continue
        for piece in (element.text, element.tail):
            if piece and piece.strip():
                pieces.append(piece.strip())
                size += len(piece)
        if size > 5000:
            break
    found = find_text_date(" ".join(pieces))
    return found.isoformat() if found else None


def _iso_date(value: str | None) -> str | None:
    from .metadata import parse_date

    parsed = parse_date(value) if value else None
    return parsed.isoformat() if parsed else None


def _non_space_chars(pieces) -> int:
    return sum(len(word) for piece in pieces for word in piece.split())


def _parse_lost_text(tree, markup: str) -> bool:
    """Whether lxml's tree holds less than half the text between the tags of the markup
    (libxml2 silently drops content nested deeper than it accepts; BeautifulSoup keeps it)."""
    return _non_space_chars(tree.itertext()) < 0.5 * _non_space_chars([_TAG.sub(" ", markup)])


def _fallback(
    cleaned: str, markup: str | None, rules: HtmlRules, title: str | None
) -> tuple[list[str], dict[str, str | None]]:
    """Paragraphs and fields from the rule-based reader on the cleaned page, then (when given)
    on the page as it came, for markup whose parse lost text."""

    fields: dict[str, str | None] = {}
    for candidate in (cleaned, markup) if markup is not None else (cleaned,):
        text, fields = html_article(candidate)
        paragraphs = _filter(_paragraphs(text), rules, title or fields.get("title"))
        if paragraphs:
            return paragraphs, fields
    return [], fields


def extract_html(
    markup: str, *, url: str | None = None, rules: HtmlRules | None = None
) -> tuple[str, dict[str, str | None]]:
    """Article text and metadata of one news page.

    Args:
        markup: the page as text (see :func:`decode_html` for bytes).
        url: the address the page was fetched from, if known (helps trafilatura's metadata;
            ``fields["url"]`` is the page's canonical URL when it declares one, else this).
        rules: page-furniture rules; default: ``html_boilerplate.csv`` beside this module.

    Returns:
        ``(text, fields)``: paragraphs separated by one blank line; ``fields`` has ``title``,
        ``date`` (ISO ``YYYY-MM-DD``), ``url``, ``outlet``, ``author`` (each None when
        unknown) and ``extractor`` (``trafilatura`` or ``fallback``).

    Raises:
        ExtractionFailed: neither extractor found any article text.
    """
    from lxml import html as lxml_html
    from trafilatura import bare_extraction

    rules = rules or _default_rules()
    tree = _parse(markup)
    parse_lost_text = _parse_lost_text(tree, markup)
    _remove_furniture(tree, rules)
    cleaned = lxml_html.tostring(tree, encoding="unicode")
    doc = bare_extraction(
        tree,
        url=url,
        include_comments=False,
        include_tables=True,
        with_metadata=True,
        deduplicate=False,
    )
    title = (doc.title if doc else None) or None
    paragraphs = _filter(_paragraphs(doc.text or ""), rules, title) if doc else []
    extractor = "trafilatura"
    found = _n_words(paragraphs)
    fallback_fields: dict[str, str | None] = {}
    date = doc.date if doc else None
    if _n_words(paragraphs) < MIN_WORDS or not title or not date:
        alternative, fallback_fields = _fallback(
            cleaned, markup if parse_lost_text else None, rules, title
        )
        title = title or fallback_fields.get("title")
        if _n_words(paragraphs) < MIN_WORDS:
            if _n_words(alternative) > _n_words(paragraphs):
                paragraphs, extractor = alternative, "fallback"
            elif not alternative:
                # a few words from trafilatura's last resort (often a menu) that the page body,
                # once navigation and furniture are gone, does not confirm: no article
                paragraphs = []
    if not paragraphs:
        seen = f"only {found} word(s) outside the page body" if found else "no main text"
        raise ExtractionFailed(
            f"trafilatura found {seen} and the rule-based reader found no "
            "paragraphs outside navigation, ads and related links"
        )
    fields = {
        "title": _PAGE_SUFFIX.sub("", title) if title else None,
        "date": date or _iso_date(fallback_fields.get("date")) or _visible_text_date(tree),
        "url": (doc.url if doc else None) or fallback_fields.get("url") or url,
        "outlet": (
            _meta_content(tree, "og:site_name")
            or (doc.sitename if doc else None)
            or (doc.hostname if doc else None)
        ),
        "author": (doc.author if doc else None) or _meta_content(tree, "author"),
        "extractor": extractor,
    }
    return "\n\n".join(paragraphs), fields


def extract_pages(
    pages: Sequence[str], *, url: str | None = None, rules: HtmlRules | None = None
) -> tuple[str, dict[str, str | None]]:
    """One article from its pages in order ("Halaman 2", ``?page=2``).

    Metadata comes from the first page that yields text; the texts are joined in page order,
    leaving out paragraphs an earlier page already had (a lead repeated on every page). A page
    without text is skipped; ``fields["pages"]`` counts the pages that contributed.

    Raises:
        ExtractionFailed: no page yields text.
    """
    fields: dict[str, str | None] | None = None
    paragraphs: list[str] = []
    seen: set[str] = set()
    failures = []
    used = 0
    for number, markup in enumerate(pages, start=1):
        try:
            text, page_fields = extract_html(markup, url=url if number == 1 else None, rules=rules)
        except ExtractionFailed as exc:
            failures.append(f"page {number}: {exc}")
            continue
        used += 1
        if fields is None:
            fields = page_fields
        for paragraph in text.split("\n\n"):
            key = _key(paragraph)
            if key not in seen:
                seen.add(key)
                paragraphs.append(paragraph)
    if fields is None:
        raise ExtractionFailed("; ".join(failures) or "no pages")
    fields = dict(fields, pages=str(used))
    return "\n\n".join(paragraphs), fields


def word_f1(extracted: str, reference: str) -> float:
    """Word-level F1 of an extraction against the known text: bags of case-folded ``\\w+``
    words, precision = shared / extracted words, recall = shared / reference words."""
    got = Counter(_WORD.findall(extracted.casefold()))
    want = Counter(_WORD.findall(reference.casefold()))
    shared = sum((got & want).values())
    if not shared:
        return 0.0
    precision = shared / sum(got.values())
    recall = shared / sum(want.values())
    return 2 * precision * recall / (precision + recall)
