"""The reader glossary: load its entries, write its page body, link first uses of terms in pages."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from bs4 import BeautifulSoup, NavigableString

from ..core.errors import UserError

__all__ = ["GlossaryTerm", "GLOSSARY_FILE", "load_glossary", "glossary_html", "link_terms"]

GLOSSARY_FILE = Path(__file__).resolve().parent / "templates" / "reader" / "glossary.yaml"
# Text inside these elements is never linked: code, headings, existing links, the folded code
# cells' labels, tables (their cells are data), the navigation and the page head.
_SKIP = frozenset(
    {
        "a",
        "code",
        "pre",
        "kbd",
        "samp",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "summary",
        "table",
        "nav",
        "footer",
        "script",
        "style",
        "title",
        "head",
    }
)


@dataclass(frozen=True)
class GlossaryTerm:
    """One glossary entry."""

    id: str
    term: str
    aliases: tuple[str, ...]
    short: str
    text: str


def load_glossary(path: str | Path = GLOSSARY_FILE) -> list[GlossaryTerm]:
    """Read the glossary YAML (``entries``: id, term, aliases, short, text).

    Raises:
        UserError: the file is missing, an entry lacks a field, or an id or alias repeats.
    """
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: glossary file not found")
    entries = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("entries") or []
    terms, seen_ids, seen_aliases = [], set(), set()
    for i, entry in enumerate(entries):
        missing = [k for k in ("id", "term", "aliases", "short", "text") if not entry.get(k)]
        if missing:
            raise UserError(f"{path}: entry {i + 1} lacks {', '.join(missing)}")
        aliases = tuple(str(a) for a in entry["aliases"])
        keys = {_alias_key(a) for a in aliases}
        if entry["id"] in seen_ids or keys & seen_aliases:
            raise UserError(f"{path}: entry {entry['id']!r} repeats an id or an alias")
        seen_ids.add(entry["id"])
        seen_aliases |= keys
        terms.append(
            GlossaryTerm(
                str(entry["id"]),
                str(entry["term"]),
                aliases,
                " ".join(str(entry["short"]).split()),
                " ".join(str(entry["text"]).split()),
            )
        )
    return terms


def _alias_key(alias: str) -> str:
    # aliases with a capital letter (ARI, NPMI, Wilson) match only as written
    return alias if alias != alias.lower() else alias.lower()


def _inline(text: str) -> str:
    """Escape ``text`` and turn `code`, **bold** and *italic* spans into HTML."""
    out = html.escape(text, quote=False)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    out = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", out)
    return re.sub(r"\*([^*]+)\*", r"<em>\1</em>", out)


def glossary_html(terms: list[GlossaryTerm]) -> str:
    """The glossary as a ``<dl>``: each term is a ``<dt id=…>`` anchor with its definition."""
    parts = ['<dl class="glossary">']
    for term in terms:
        parts.append(f'<dt id="{html.escape(term.id)}">{_inline(term.term)}</dt>')
        parts.append(f"<dd>{_inline(term.text)}</dd>")
    parts.append("</dl>")
    return "\n".join(parts)


def _pattern(terms: list[GlossaryTerm]) -> tuple[re.Pattern, dict[str, GlossaryTerm]]:
    by_key = {_alias_key(a): t for t in terms for a in t.aliases}
    aliases = sorted({a for t in terms for a in t.aliases}, key=len, reverse=True)
    alternatives = [re.escape(a) if a != a.lower() else f"(?i:{re.escape(a)})" for a in aliases]
    return re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-])"), by_key


def link_terms(page_html: str, terms: list[GlossaryTerm], href: str = "glossary.html") -> str:
    """Link the first use of each glossary term in a page's ``<main>`` to its entry.

    Text inside code, headings, existing links, tables, summaries and the navigation is left
    alone. The link's ``title`` is the entry's one-sentence definition. A page without
    ``<main>`` or without any term comes back unchanged.
    """
    soup = BeautifulSoup(page_html, "html.parser")
    main = soup.find("main")
    if main is None or not terms:
        return page_html
    pattern, by_key = _pattern(terms)
    linked: set[str] = set()
    changed = False
    for node in list(main.find_all(string=True)):
        if not isinstance(node, NavigableString) or type(node) is not NavigableString:
            continue  # comments, CDATA and the like
        if any(parent.name in _SKIP for parent in node.parents):
            continue
        text = str(node)
        pieces, last = [], 0
        for match in pattern.finditer(text):
            term = by_key.get(match.group(0)) or by_key.get(match.group(0).lower())
            if term is None or term.id in linked:
                continue
            linked.add(term.id)
            link = soup.new_tag("a", href=f"{href}#{term.id}", title=term.short)
            link["class"] = "gloss"
            link.string = match.group(0)
            pieces += [text[last : match.start()], link]
            last = match.end()
        if not pieces:
            continue
        pieces.append(text[last:])
        for piece in pieces:
            if piece == "":
                continue
            node.insert_before(piece if not isinstance(piece, str) else NavigableString(piece))
        node.extract()
        changed = True
    return str(soup) if changed else page_html
