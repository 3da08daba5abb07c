"""Reader HTML pages: offline, folded code, escaped article text, stable bytes, index summaries."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from render_fixtures import ALT_TEXT, HOSTILE_TITLE, figure_png, write_fixture_notebooks

from analysis.core.errors import UserError
from analysis.report.render import (
    find_external_references,
    notebook_title_and_summary,
    render_site,
)


@pytest.fixture(scope="module")
def png() -> bytes:
    return figure_png()


@pytest.fixture()
def site(tmp_path, png):
    folder = tmp_path / "notebooks"
    write_fixture_notebooks(folder, png)
    return folder, render_site(folder, index_title="Test site")


class _Tags(HTMLParser):
    """Every start tag with its attributes, collected by the standard-library parser."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _parse(path: Path) -> _Tags:
    parser = _Tags()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_writes_one_page_per_notebook_then_the_index(site):
    folder, written = site
    assert [p.name for p in written] == [
        "01_ingest.html",
        "02_compare.html",
        "index.html",
        "glossary.html",
    ]
    assert all(p.parent == folder for p in written)
    assert not (folder / "scratch.html").exists()


def test_no_page_fetches_anything_from_the_network(site):
    _, written = site
    for path in written:
        for tag, attrs in _parse(path).tags:
            for name in ("src", "href", "srcset", "data", "action", "poster"):
                value = (attrs.get(name) or "").strip().lower()
                remote = value.startswith(("http://", "https://", "//"))
                if remote:
                    # only a link the author wrote, which is fetched when clicked, may point out
                    assert tag == "a" and name == "href", f"{path.name}: <{tag} {name}={value}>"
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", text), path.name
        assert "@import" not in text
        assert find_external_references(text) == []


def test_author_links_survive_and_remote_images_are_dropped(site):
    _, written = site
    tags = _parse(written[0]).tags
    links = [a.get("href") for t, a in tags if t == "a"]
    assert "https://example.org/codebook" in links
    images = [a.get("src", "") for t, a in tags if t == "img"]
    assert images and all(src.startswith("data:image/") for src in images)


def test_find_external_references_flags_what_a_browser_would_fetch():
    page = (
        '<html><head><script src="https://cdn.example/require.js"></script>'
        '<link rel="stylesheet" href="//fonts.example/css">'
        "<style>body{background:url('https://img.example/bg.png')}</style></head>"
        '<body><a href="https://example.org">ok</a><img src="data:image/png;base64,AAAA">'
        '<img src="http://img.example/x.png"></body></html>'
    )
    found = find_external_references(page)
    assert len(found) == 4
    assert not any("example.org" in item for item in found)


def test_article_text_is_shown_as_text_and_never_runs(site):
    _, written = site
    for path in written:
        parsed = _parse(path)
        assert not [t for t, _ in parsed.tags if t in {"script", "iframe", "object", "embed"}]
        handlers = [(t, n) for t, a in parsed.tags for n in a if n.lower().startswith("on")]
        assert handlers == [], path.name
    page = "".join(_parse(written[0]).text)
    # The hostile title is visible as text in the DataFrame table and the printed output ...
    assert page.count(HOSTILE_TITLE) == 2
    # ... and the markdown cell's script and the JavaScript output are inert too.
    assert "alert('md')" in page
    assert "alert(3)" not in page
    assert "<interactive chart>" in page


def test_code_is_folded_and_prose_and_figures_stay(site, png):
    _, written = site
    text = written[0].read_text(encoding="utf-8")
    parsed = _parse(written[0])
    assert sum(1 for t, _ in parsed.tags if t == "details") == 6  # one per code cell
    assert text.count('<div class="highlight') == 6
    # every highlighted code block sits inside a <details> element
    for segment in text.split("</details>"):
        if '<div class="highlight' in segment:
            opened = segment.rfind("<details")
            assert -1 < opened < segment.find('<div class="highlight')
    summaries = re.findall(r"<summary>(.*?)</summary>", text)
    assert summaries[:3] == [
        "Show parameter defaults",
        "Show the parameters of this run",
        "Show code",
    ]
    assert "<h2" in text and "The shares are fractions of documents." in text
    images = [a for t, a in parsed.tags if t == "img"]
    assert len(images) == 1
    prefix = "data:image/png;base64,"
    assert images[0]["src"].startswith(prefix)
    assert base64.b64decode(images[0]["src"][len(prefix) :]) == png
    # the size and the text alternative the figure gave the notebook, escaped
    assert (images[0]["width"], images[0]["height"], images[0]["alt"]) == ("300", "200", ALT_TEXT)
    assert "<b>&" not in text
    assert "In&nbsp;[" not in text and "Out[" not in text


def test_index_lists_notebooks_in_reading_order_with_their_first_sentence(site):
    folder, _ = site
    text = (folder / "index.html").read_text(encoding="utf-8")
    entries = re.findall(
        r'<a href="([^"]+)">(.*?)</a></div>\s*<p class="entry-summary">(.*?)</p>', text
    )
    assert entries == [
        (
            "01_ingest.html",
            "1 · Ingest: a <em>small</em> test stage",
            "This stage reads <code>files</code> (e.g. .txt files) and writes the ingest table.",
        ),
        (
            "02_compare.html",
            "2 · Compare: a <em>small</em> test stage",
            "This stage reads <code>files</code> (e.g. .txt files) and writes the compare table.",
        ),
    ]
    assert "<title>Test site</title>" in text


def test_pages_link_back_to_the_index_and_to_their_neighbours(site):
    _, written = site
    first = written[0].read_text(encoding="utf-8")
    second = written[1].read_text(encoding="utf-8")
    assert '<a href="index.html">' in first and '<a href="index.html">' in second
    assert 'href="02_compare.html" rel="next"' in first
    assert 'href="01_ingest.html" rel="prev"' in second
    assert "<title>1 · Ingest: a small test stage</title>" in first


def test_two_renders_are_byte_identical_and_carry_no_random_ids(tmp_path, png):
    first_dir, second_dir = tmp_path / "a", tmp_path / "b"
    write_fixture_notebooks(first_dir, png)
    write_fixture_notebooks(second_dir, png)
    first = [p.read_bytes() for p in render_site(first_dir)]
    again = [p.read_bytes() for p in render_site(first_dir)]
    second = [p.read_bytes() for p in render_site(second_dir)]
    assert first == again == second
    uuid = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
    assert not any(uuid.search(page) for page in first)


def test_summary_rules():
    def summary(source: str) -> tuple[str, str]:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(source)])
        return notebook_title_and_summary(nb, fallback_title="03_classify")

    assert summary("# Title\n\nWhich sectors? Shares follow.") == ("Title", "Which sectors?")
    assert summary("# Title\nNo blank line. Then more.") == ("Title", "No blank line.")
    assert summary("# Title\n\nMonroe et al. 2008 is cited. Next.")[1] == (
        "Monroe et al. 2008 is cited."
    )
    assert summary("# Only a title") == ("Only a title", "")
    assert summary("Prose without a heading.") == ("03_classify", "Prose without a heading.")
    assert summary("# A <b onclick=x>bold</b> title\n\nFine.")[0] == "A <b>bold</b> title"


def test_user_errors_name_the_problem(tmp_path, png):
    with pytest.raises(UserError, match="no such folder"):
        render_site(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="no executed notebooks"):
        render_site(tmp_path / "empty")
    folder = tmp_path / "source"
    (path,) = write_fixture_notebooks(folder, png)[:1]
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(nb, path)
    with pytest.raises(UserError, match="01_ingest.ipynb: has no outputs"):
        render_site(folder)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(UserError, match="not a readable notebook"):
        render_site(folder)


def test_index_shows_the_summary_escaped_with_links(tmp_path, png):
    from bs4 import BeautifulSoup

    from analysis.report.site_summary import SiteSummary

    folder = tmp_path / "nb"
    write_fixture_notebooks(folder, png)
    summary = SiteSummary(
        findings=(
            "Of the 5 news articles analysed, 2 (40%) report cooperation.",
            "<script>alert('x')</script> is a word.",
        ),
        n_documents="5",
        date_min="9 April 2025",
        date_max="21 August 2025",
        commit="0123456789ab",
        briefs=(
            ("Policy brief (English, PDF)", "../brief_en.pdf"),
            ("Ringkasan kebijakan (PDF)", "../brief_id.pdf"),
        ),
    )
    render_site(folder, index_title="Test site", summary=summary)
    text = (folder / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in text
    soup = BeautifulSoup(text, "html.parser")
    assert [li.get_text() for li in soup.select(".site-summary .findings li")] == list(
        summary.findings
    )
    assert soup.select_one(".site-summary .corpus").get_text(" ", strip=True) == (
        "5 articles, published between 9 April 2025 and 21 August 2025. "
        "Results of commit 0123456789ab ."
    )
    hrefs = {a["href"] for a in soup.find_all("a")}
    assert {"../brief_en.pdf", "../brief_id.pdf", "../explore/index.html", "glossary.html"} <= hrefs
    page = BeautifulSoup((folder / "01_ingest.html").read_text(encoding="utf-8"), "html.parser")
    assert page.select_one("nav a[href='glossary.html']").get_text() == "Glossary"
    glossary = BeautifulSoup((folder / "glossary.html").read_text(encoding="utf-8"), "html.parser")
    assert glossary.select_one("dt#story").get_text() == "Story (story_id)"
