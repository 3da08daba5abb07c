"""URLs: one spelling per address, the host a request counts against, and article pagination."""

# Multi-page articles are recognised from their URLs and links, never by following arbitrary
# links: page ``n`` of an article is the article's URL with a page parameter (``?page=2``,
# ``?hal=2``, ``?halaman=2``, ``?p=2``, ``?pg=2``) or a page suffix (``/2``, ``/page/2``,
# ``/halaman/2``, ``/halaman-2``), and :func:`next_page_url` accepts only the link to page
# ``n + 1`` of the same article, so a chain of "next" links cannot wander off or loop.

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

__all__ = ["normalize_url", "host_key", "page_of", "next_page_url", "PAGE_PARAMETERS"]

PAGE_PARAMETERS = ("page", "hal", "halaman", "p", "pg")
_MAX_PAGE = 99
# a page suffix follows a slug (letters and a hyphen), so numeric article ids are not pages
_PATH_PAGE = re.compile(
    r"^(?P<base>.*/[^/]*[A-Za-z][^/]*-[^/]*?)(?:/(?:page|halaman)[/-]?|/|-halaman-)"
    r"(?P<n>\d{1,2})/?$"
)
_NEXT_TEXTS = frozenset(
    {
        "selanjutnya",
        "berikutnya",
        "halaman selanjutnya",
        "halaman berikutnya",
        "next",
        "next page",
        "lanjut",
        "›",
        "»",
        ">",
    }
)
_PAGINATION_CLASS = re.compile(r"pag|halaman|paging|pager", re.IGNORECASE)


def normalize_url(url: str) -> str | None:
    """The one spelling of an http(s) URL used as its key, or None when it is not one.

    Surrounding whitespace and the fragment are dropped, scheme and host are lower-cased, a
    default port is removed, an empty path becomes ``/``, and characters that may not appear in
    a URL (spaces, non-ASCII letters) are percent-encoded; the path and query are otherwise
    kept as given (servers may treat case and parameter order as meaningful).
    """
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    if port is not None and port != (80 if scheme == "http" else 443):
        host = f"{host}:{port}"
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=~-._")
    query = quote(parts.query, safe="/%:@!$&'()*+,;=~-._?")
    return urlunsplit((scheme, host, path, query, ""))


def host_key(url: str) -> str:
    """``scheme://host[:port]``: the unit politeness counts against (robots.txt, delays)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def page_of(url: str) -> tuple[str, int]:
    """``(URL of page 1, page number)`` of a URL; ``(url, 1)`` when it names no page."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    for i, (name, value) in enumerate(pairs):
        if name.lower() in PAGE_PARAMETERS and value.isdigit() and 1 <= int(value) <= _MAX_PAGE:
            rest = pairs[:i] + pairs[i + 1 :]
            return urlunsplit(parts._replace(query=urlencode(rest))), int(value)
    match = _PATH_PAGE.match(parts.path)
    if match and 2 <= int(match.group("n")) <= _MAX_PAGE:
        return urlunsplit(parts._replace(path=match.group("base"))), int(match.group("n"))
    return url, 1


def _candidates(tree, url: str) -> list[str]:
    """Links that may lead to the next page, best first: rel=next, then 'next' anchors, then
    page numbers inside a pagination block."""
    found = [h for h in tree.xpath('//link[@rel="next"]/@href | //a[@rel="next"]/@href')]
    numbered = []
    for anchor in tree.xpath("//a[@href]"):
        text = " ".join(anchor.text_content().split()).casefold()
        if text in _NEXT_TEXTS:
            found.append(anchor.get("href"))
        elif text.isdigit():
            block = anchor
            for _ in range(4):
                block = block.getparent()
                if block is None:
                    break
                if _PAGINATION_CLASS.search(f"{block.get('class', '')} {block.get('id', '')}"):
                    numbered.append(anchor.get("href"))
                    break
    return [urljoin(url, h.strip()) for h in found + numbered if h and h.strip()]


def next_page_url(markup: str, url: str) -> str | None:
    """The URL of the next page of the article at ``url``, from its markup, or None.

    Only a link to page ``n + 1`` of the same article (same page-1 URL, see :func:`page_of`) is
    accepted; ``?page=all`` style "show all" links are not followed (they repeat the pages).
    """
    from lxml import html as lxml_html

    base, number = page_of(url)
    try:
        tree = lxml_html.fromstring(markup)
    except (ValueError, TypeError, lxml_html.etree.ParserError):
        return None
    for candidate in _candidates(tree, url):
        normal = normalize_url(candidate)
        if normal is None:
            continue
        candidate_base, candidate_number = page_of(normal)
        if candidate_number == number + 1 and normalize_url(candidate_base) == normalize_url(base):
            return normal
    return None
