"""Render executed notebooks into standalone reader pages (HTML) and an index, viewable offline."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import bleach
import nbformat
from bs4 import BeautifulSoup

from ..core.errors import UserError
from ..core.io import write_text
from ..core.paths import SITE_TITLE
from .glossary import GlossaryTerm, glossary_html, link_terms, load_glossary
from .site_summary import SiteSummary

__all__ = ["render_site", "find_external_references", "notebook_title_and_summary"]

TEMPLATE_ROOT = Path(__file__).resolve().parent / "templates"
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"
GLOSSARY_PAGE = "glossary.html"

# Outputs are shown by the first of these types they carry. JavaScript and widget views are
# left out on purpose: they need scripts from the web, so the static fallback (HTML, image or
# text) that every such output also carries is shown instead.
_DISPLAY_PRIORITY = [
    "text/html",
    "text/markdown",
    "image/svg+xml",
    "image/png",
    "image/jpeg",
    "text/latex",
    "text/plain",
]

_LABELS = {
    "code": "Show code",
    "parameters_default": "Show parameter defaults",
    "parameters_run": "Show the parameters of this run",
    "omitted": "(interactive output: not shown in the reading version)",
}

# Allow-list for any HTML that comes from notebook content (markdown cells, HTML/markdown
# outputs). Article titles and texts reach these outputs, so nothing that can run or fetch
# survives: no script/style/iframe/form elements, no event-handler or style attributes, images
# only as embedded data. Disallowed tags are escaped, i.e. shown as text, not executed.
_ALLOWED_TAGS = frozenset(
    """a abbr b blockquote br caption code col colgroup dd del details div dl dt em figcaption
    figure h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre q s samp small span strong sub
    summary sup table tbody td tfoot th thead tr u ul var""".split()
)
_GLOBAL_ATTRIBUTES = frozenset({"class", "id", "title", "lang"})
_TAG_ATTRIBUTES = {
    "a": {"href", "name", "rel"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "ol": {"start"},
}
_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=\s]*$")
_LINK_SCHEMES = frozenset({"", "http", "https", "mailto"})
_ABBREVIATIONS = frozenset(
    {"e.g.", "i.e.", "al.", "etc.", "vs.", "cf.", "no.", "dr.", "mr.", "ms."}
)


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if name in _GLOBAL_ATTRIBUTES:
        return True
    if name not in _TAG_ATTRIBUTES.get(tag, ()):
        return False
    if tag == "img" and name == "src":
        return bool(_DATA_IMAGE.match(value))  # an http(s) image would be a network request
    if tag == "a" and name == "href":
        return urlsplit(value.strip()).scheme.lower() in _LINK_SCHEMES
    return True


def _drop_style_elements(html: str) -> str:
    # pandas puts a <style scoped> block before every DataFrame; escaping it (what the
    # sanitiser does with unknown tags) would print CSS on the page, and reader.css styles
    # tables anyway.
    if "<style" not in html.lower():
        return html
    soup = BeautifulSoup(html, "html.parser")
    for element in soup.find_all("style"):
        element.decompose()
    return str(soup)


def _drop_unembedded_images(html: str) -> str:
    # An <img> whose web address the sanitiser removed would show as a broken image.
    if "<img" not in html:
        return html
    soup = BeautifulSoup(html, "html.parser")
    for element in soup.find_all("img"):
        if not element.get("src"):
            element.decompose()
    return str(soup)


def _reader_clean(html: str) -> str:
    cleaned = bleach.clean(
        _drop_style_elements(str(html)),
        tags=_ALLOWED_TAGS,
        attributes=_allowed_attribute,
        protocols=["http", "https", "mailto", "data"],
        strip=False,
        strip_comments=True,
    )
    return _drop_unembedded_images(cleaned)


def find_external_references(html: str) -> list[str]:
    """List every reference in a page that a browser would fetch from the network.

    Checks ``src``/``href``/``srcset``/``data``/``poster``/``action`` attributes and CSS
    ``url()``/``@import`` for http(s) and protocol-relative (``//host``) addresses. Plain
    ``<a href>`` links are not fetched until clicked, so they are allowed.

    Args:
        html: a complete HTML document.

    Returns:
        ``"<tag> attr=value"`` descriptions, empty when the page needs no network.
    """

    def is_remote(value: str) -> bool:
        value = value.strip().lower()
        return value.startswith(("http://", "https://", "//"))

    found = []
    soup = BeautifulSoup(html, "html.parser")
    for element in soup.find_all(True):
        for attr in ("src", "href", "srcset", "data", "poster", "action", "xlink:href"):
            value = element.get(attr)
            if value is None or (element.name == "a" and attr == "href"):
                continue
            values = value.split(",") if attr == "srcset" else [value]
            for item in values:
                if is_remote(item.split()[0] if item.split() else item):
                    found.append(f"<{element.name}> {attr}={value}")
    for css in [s.get_text() for s in soup.find_all("style")] + [
        e["style"] for e in soup.find_all(style=True)
    ]:
        for match in re.finditer(r"url\(\s*['\"]?([^'\")]+)|@import\s+['\"]([^'\"]+)", css):
            target = match.group(1) or match.group(2)
            if is_remote(target):
                found.append(f"css url {target}")
    return found


def _first_sentence(paragraph: str) -> str:
    """The first sentence of a markdown paragraph (abbreviations like "e.g." do not end one)."""
    for match in re.finditer(r"[.!?][\"')\]”’*_`]*(?=\s+|$)", paragraph):
        end = match.end()
        word = paragraph[: match.start() + 1].rsplit(None, 1)[-1].lower().lstrip("([{\"'“‘")
        if word in _ABBREVIATIONS:
            continue
        return paragraph[:end].strip()
    return paragraph.strip()


def _markdown_inline_html(text: str) -> str:
    """Render one line of markdown (code spans, emphasis) to sanitised inline HTML."""
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    renderer = IPythonRenderer(escape=False, exclude_anchor_links=True)
    html = MarkdownWithMath(renderer=renderer).render(text)
    html = _reader_clean(html).strip()
    match = re.fullmatch(r"<(p|h[1-6])[^>]*>(.*)</\1>", html, flags=re.S)
    return match.group(2).strip() if match else html


def _plain_text(inline_html: str) -> str:
    return " ".join(BeautifulSoup(inline_html, "html.parser").get_text().split())


def notebook_title_and_summary(nb: nbformat.NotebookNode, fallback_title: str) -> tuple[str, str]:
    """Title and one-sentence summary of a notebook, as inline HTML, from its first markdown cell.

    The title is the cell's first heading; the summary is the first sentence of the first
    paragraph after it. Taking both from the notebook means the index never restates (and
    never contradicts) what the notebook says about itself.

    Args:
        nb: the notebook.
        fallback_title: used (escaped) when the notebook has no heading.

    Returns:
        ``(title_html, summary_html)``; the summary is ``""`` when there is no paragraph.
    """
    first = next((c for c in nb.cells if c.cell_type == "markdown" and c.source.strip()), None)
    title = ""
    summary = ""
    if first is not None:
        blocks = [b.strip() for b in re.split(r"\n\s*\n", first.source) if b.strip()]
        for block in blocks:
            if not title and block.startswith("#"):
                heading, _, rest = block.partition("\n")
                title = _markdown_inline_html(heading.lstrip("#").strip())
                block = rest.strip()
                if not block:
                    continue
            if block.startswith("#"):
                continue
            summary = _markdown_inline_html(_first_sentence(" ".join(block.split())))
            break
    if not title:
        title = bleach.clean(fallback_title)
    return title, summary


@dataclass(frozen=True)
class _Page:
    source: Path
    html_path: Path
    nb: nbformat.NotebookNode
    title: str  # inline HTML
    summary: str  # inline HTML


def _read_notebook(path: Path) -> nbformat.NotebookNode:
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # nbformat raises several unrelated types for a bad file
        raise UserError(
            f"{path}: not a readable notebook ({exc}); re-run its stage with dvc repro"
        ) from None
    code = [c for c in nb.cells if c.cell_type == "code"]
    if code and all(not c.get("outputs") and c.get("execution_count") is None for c in code):
        raise UserError(
            f"{path}: has no outputs, so it has not been executed; render reads the executed "
            "notebooks in reports/notebooks (run `dvc repro` first)"
        )
    return nb


def _pygments_css() -> str:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(style="default").get_style_defs(".highlight")


def _exporter():
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.HTMLExporter.template_name = "reader"
    config.HTMLExporter.extra_template_basedirs = [str(TEMPLATE_ROOT)]
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    config.HTMLExporter.embed_images = True  # markdown images become data URIs
    config.NbConvertBase.display_data_priority = list(_DISPLAY_PRIORITY)
    exporter = HTMLExporter(config=config)
    exporter.register_filter("reader_clean", _reader_clean)
    return exporter


def _render_page(
    exporter,
    page: _Page,
    css: str,
    index_title: str,
    previous: _Page | None,
    following: _Page | None,
) -> str:
    def link(other: _Page | None):
        if other is None:
            return None
        return {"href": other.html_path.name, "title": _plain_text(other.title)}

    resources = {
        "metadata": {"name": page.source.stem, "path": str(page.source.parent)},
        "reader": {
            "language": "en",
            "title": _plain_text(page.title),
            "css": css,
            "index_href": "index.html",
            "glossary_href": GLOSSARY_PAGE,
            "index_title": f"All notebooks: {index_title}",
            "previous": link(previous),
            "next": link(following),
            "labels": _LABELS,
            "source_name": page.source.name,
        },
    }
    html, _ = exporter.from_notebook_node(page.nb, resources=resources)
    return html.rstrip("\n") + "\n"


def _render_index(pages: list[_Page], css: str, index_title: str, summary=None) -> str:
    import markupsafe

    env = _jinja_env()
    entries = [
        {
            "href": page.html_path.name,
            # Already sanitised inline HTML (code spans, emphasis), so not escaped again.
            "title": markupsafe.Markup(page.title),
            "summary": markupsafe.Markup(page.summary),
        }
        for page in pages
    ]
    return env.get_template("site_index.html.j2").render(
        language="en",
        title=index_title,
        intro=(
            "The executed notebooks of the analysis pipeline, in reading order. Each page "
            "shows the explanations, tables and figures of one stage; the code is folded away."
        ),
        css=markupsafe.Markup(css),
        entries=entries,
        summary=summary,
        glossary_href=GLOSSARY_PAGE,
        explorer_href="../explore/index.html",
    )


def _jinja_env():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_ROOT / "reader")),
        autoescape=True,
        keep_trailing_newline=True,
    )


def _render_glossary(terms: list[GlossaryTerm], css: str, index_title: str) -> str:
    import markupsafe

    return (
        _jinja_env()
        .get_template("glossary.html.j2")
        .render(
            language="en",
            title="Glossary",
            index_title=f"All notebooks: {index_title}",
            intro=(
                "The terms the notebook pages use, in plain words. On every page the first use "
                "of a term links here; hovering the link shows the one-sentence version."
            ),
            css=markupsafe.Markup(css),
            body=markupsafe.Markup(glossary_html(terms)),  # escaped by glossary_html
        )
    )


def render_site(
    notebooks_dir: str | Path = "reports/notebooks",
    index_title: str = SITE_TITLE,
    summary: SiteSummary | None = None,
) -> list[Path]:
    """Render every executed notebook ``0N_*.ipynb`` to a reader HTML page, plus ``index.html``.

    Notebooks are not re-executed: pages show the stored outputs, with figures embedded as
    data URIs, code cells folded into ``<details>``, no scripts and no external assets, so a
    page opens offline. Two renders of the same notebooks give byte-identical files.

    Args:
        notebooks_dir: folder with the executed notebooks; pages are written beside them.
        index_title: heading of ``index.html``.
        summary: key findings, corpus and commit for the top of ``index.html`` (from
            :func:`analysis.report.site_summary.site_summary`); left out when None.

    Returns:
        The written paths: one ``.html`` per notebook in reading order, then ``index.html``,
        then ``glossary.html`` (from ``templates/reader/glossary.yaml``).

    Raises:
        UserError: the folder is missing, holds no ``0N_*.ipynb``, or holds an unexecuted or
            unreadable notebook.
    """
    notebooks_dir = Path(notebooks_dir)
    if not notebooks_dir.is_dir():
        raise UserError(
            f"{notebooks_dir}: no such folder; run `dvc repro` to execute the notebooks"
        )
    sources = sorted(notebooks_dir.glob(NOTEBOOK_GLOB))
    if not sources:
        raise UserError(
            f"{notebooks_dir}: no executed notebooks named like 01_name.ipynb; "
            "run `dvc repro` to execute them"
        )
    pages = []
    for source in sources:
        nb = _read_notebook(source)
        title, first_sentence = notebook_title_and_summary(nb, fallback_title=source.stem)
        pages.append(_Page(source, source.with_suffix(".html"), nb, title, first_sentence))

    css = (TEMPLATE_ROOT / "reader" / "reader.css").read_text(encoding="utf-8") + _pygments_css()
    exporter = _exporter()
    terms = load_glossary()
    written = []
    for i, page in enumerate(pages):
        previous = pages[i - 1] if i > 0 else None
        following = pages[i + 1] if i + 1 < len(pages) else None
        html = link_terms(
            _render_page(exporter, page, css, index_title, previous, following),
            terms,
            GLOSSARY_PAGE,
        )
        _check_offline(html, page.html_path)
        written.append(write_text(page.html_path, html))
    index_html = _render_index(pages, css, index_title, summary)
    index_path = notebooks_dir / "index.html"
    _check_offline(index_html, index_path)
    written.append(write_text(index_path, index_html))
    glossary_page = _render_glossary(terms, css, index_title)
    glossary_path = notebooks_dir / GLOSSARY_PAGE
    _check_offline(glossary_page, glossary_path)
    written.append(write_text(glossary_path, glossary_page))
    return written


def _check_offline(html: str, path: Path) -> None:
    # The sanitiser and template should make this impossible; a page that would still fetch
    # something from the web is a bug here, not something to publish.
    remote = find_external_references(html)
    if remote:
        raise RuntimeError(f"{path}: rendered page references the network: {remote[:5]}")
