"""The explorer in headless Chromium, network off: it loads quietly, filters, opens evidence, shows
topics, and hostile input stays text. Driven over the DevTools protocol (tests/browser.py).

Needs Chromium (`apt-get install -y chromium`) and websocket-client. Skipped when Chromium is
absent, except in CI (`CI` set), where a missing browser fails the run.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from browser import Chromium, find_chromium
from explore_fixtures import HOSTILE_OUTLET, HOSTILE_TEXT, HOSTILE_TITLE, write_processed

from analysis.report.explore import run_explore

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "reports" / "explore" / "index.html"


@pytest.fixture(scope="module")
def browser():
    if find_chromium() is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI: apt-get install -y chromium")
        pytest.skip("Chromium not installed (apt-get install -y chromium)")
    with Chromium() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def page_url(tmp_path_factory) -> str:
    """The explorer of the test fixture; every article's text included (none_sample = 5)."""
    folder = tmp_path_factory.mktemp("explore")
    processed, topics_dir = write_processed(folder)
    return (
        run_explore(processed, topics_dir, folder / "site" / "index.html", seed=1, none_sample=5)
        .resolve()
        .as_uri()
    )


@pytest.fixture
def page(browser, page_url):
    tab = browser.new_page(1280, 900)
    tab.goto(page_url)
    yield tab
    tab.close()


def _rows(page) -> list[str]:
    return page.evaluate(
        "Array.from(document.querySelectorAll('#article-rows button.open')).map(b => b.textContent)"
    )


def _select(page, element_id: str, value: str) -> None:
    """Choose an option as a user does: the value changes, then a change event fires."""
    page.evaluate(
        "(() => { const s = document.getElementById(%s); s.value = %s;"
        " s.dispatchEvent(new Event('change', {bubbles: true})); })()"
        % (json.dumps(element_id), json.dumps(value))
    )


def _no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_loads_offline_with_no_request_and_no_error(page):
    assert page.wait_for("document.querySelectorAll('#article-rows tr').length") == 3
    assert page.evaluate("document.querySelectorAll('#topic-map circle.bubble').length") == 2
    assert (
        page.evaluate("document.getElementById('result-count').textContent")
        == "Showing 1–3 of 3 articles (filtered from 8)"
    )
    assert page.evaluate("document.querySelectorAll('#time-chart svg path').length") >= 1
    page.browser.pump(0.3)
    assert page.requests() == []
    assert page.failed_requests() == []
    assert page.console_errors() == []
    assert _no_sideways_scroll(page)


def test_phone_width_has_nothing_cut_off(browser, page_url):
    tab = browser.new_page(390, 844, mobile=True)
    try:
        tab.goto(page_url)
        assert _no_sideways_scroll(tab)
        tab.click('button.open[data-row="0"]')
        tab.wait_for("document.getElementById('article-dialog').open")
        assert _no_sideways_scroll(tab)
        assert (
            tab.evaluate("document.getElementById('article-dialog').getBoundingClientRect().width")
            <= 390
        )
        assert tab.console_errors() == []
    finally:
        tab.close()


def test_search_and_filters_change_the_rows(page):
    page.type("#f-search", "Bekasi")
    page.wait_for("document.querySelectorAll('#article-rows tr').length === 1")
    assert _rows(page) == ["Jakarta dan Bekasi Perpanjang Kerja Sama Sampah"]
    page.evaluate("document.getElementById('f-search').value = ''")
    _select(page, "f-kind", "international")
    assert _rows(page) == ["Jakarta dan Kuala Lumpur Resmikan Sister City"]
    _select(page, "f-kind", "")
    assert len(_rows(page)) == 8
    page.type("#f-search", "pengunjung")  # a word only in the text of the five uncoded articles
    page.wait_for("document.querySelectorAll('#article-rows tr').length === 5")
    _select(page, "f-to", "2025-02-28")
    assert _rows(page) == ["Berita lain nomor 2", "Berita lain nomor 1"]  # newest first
    assert (
        page.evaluate("document.getElementById('result-count').textContent")
        == "Showing 1–2 of 2 articles (filtered from 8)"
    )


def test_opening_an_article_shows_its_highlighted_evidence(page):
    page.click('button.open[data-row="0"]')
    page.wait_for("document.getElementById('article-dialog').open")
    assert (
        page.evaluate("document.getElementById('dialog-title').textContent")
        == "Jakarta dan Bekasi Perpanjang Kerja Sama Sampah"
    )
    decided = page.evaluate(
        "Array.from(document.querySelectorAll('.unit.st-decided .unit-text')).map(p => p.textContent)"
    )
    assert any("sepakat memperpanjang kerja sama pengelolaan sampah" in t for t in decided)
    assert page.evaluate(
        "Array.from(document.querySelectorAll('.unit.st-decided mark.hl-cue'))"
        ".map(m => m.textContent)"
    ) == ["Kerja Sama", "sepakat", "kerja sama"]
    cue = page.evaluate(
        "(() => { const m = document.querySelector('.unit.st-decided mark.hl-cue');"
        " const r = m.getBoundingClientRect();"
        " return [r.width > 0 && r.height > 0 && r.top >= 0 && r.bottom <= innerHeight,"
        " getComputedStyle(m).backgroundColor]; })()"
    )
    assert cue == [True, "rgb(255, 226, 122)"]  # visible, in the cue colour
    assert (
        page.evaluate("document.querySelector('.unit.st-inherited mark.hl-cue').textContent")
        == "Kerja samanya"
    )
    page.click("#only-evidence")
    assert (
        page.evaluate(
            "Array.from(document.querySelectorAll('.unit')).filter(u => !u.hidden).length"
        )
        == 3
    )
    page.press("Escape")
    # focus goes back to the row's button when the dialog's close event has run
    page.wait_for("document.activeElement.getAttribute('data-row') === '0'")
    assert not page.evaluate("document.getElementById('article-dialog').open")
    assert page.console_errors() == []


def test_hovering_a_topic_shows_its_label_and_selecting_it_filters_articles(page):
    page.hover('#topic-map circle[data-topic="1"]')
    page.wait_for("!document.getElementById('tooltip').hidden")
    tip = page.evaluate("document.getElementById('tooltip').textContent")
    name = page.evaluate("EXPLORER.topicName(1)")
    assert tip.startswith(name) and name.startswith("Topic 1: ")
    page.evaluate("document.querySelector('#topic-map circle[data-topic=\"0\"]').focus()")
    page.press("Enter")
    assert page.evaluate("document.getElementById('topic-select').value") == "0"
    assert page.evaluate("document.querySelector('#topic-card h3').textContent").startswith(
        "Topic 0: "
    )
    page.click("details.members summary")  # the topic's paragraphs, each opening its article
    page.wait_for("document.querySelectorAll('.member-list .snippet').length")
    snippets = page.evaluate(
        "Array.from(document.querySelectorAll('.member-list .snippet')).map(s => s.textContent)"
    )
    assert len(snippets) == 3 and HOSTILE_TEXT in snippets
    page.click("#topic-articles")
    assert page.evaluate("document.getElementById('f-topic').value") == "0"
    assert sorted(_rows(page)) == sorted(
        ["Jakarta dan Bekasi Perpanjang Kerja Sama Sampah", HOSTILE_TITLE]
    )


def test_a_link_with_an_article_id_opens_its_evidence(browser, page_url):
    tab = browser.new_page()
    try:
        tab.goto(page_url + "#article=b_sister.txt")
        tab.wait_for("document.getElementById('article-dialog').open")
        assert (
            tab.evaluate("document.getElementById('dialog-title').textContent")
            == "Jakarta dan Kuala Lumpur Resmikan Sister City"
        )
        tab.click("#dialog-close")
        tab.wait_for("location.hash === ''")  # the dialog's close event runs after the click
        _select(tab, "f-kind", "")
        _select(tab, "lang", "id")  # the chosen filter survives a change of label language
        assert tab.evaluate("document.getElementById('f-kind').value") == ""
        assert tab.console_errors() == []
    finally:
        tab.close()


def test_hostile_input_shows_as_text_and_runs_nothing(page):
    page.click('button.open[data-row="2"]')
    page.wait_for("document.getElementById('article-dialog').open")
    assert page.evaluate("document.getElementById('dialog-title').textContent") == HOSTILE_TITLE
    texts = page.evaluate(
        "Array.from(document.querySelectorAll('.unit-text')).map(p => p.textContent)"
    )
    assert HOSTILE_TEXT in texts
    assert any(t.startswith("</script><script>window.__pwned = 3</script>") for t in texts)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert (
        page.evaluate(
            "document.querySelectorAll('img, svg[onload], b, [onerror], [onmouseover]').length"
        )
        == 0
    )
    assert page.evaluate("document.querySelectorAll('script').length") == 7
    assert page.evaluate(
        "Array.from(document.querySelectorAll('#article-rows td'))"
        ".some(td => td.textContent === %s)" % json.dumps(HOSTILE_OUTLET)
    )
    assert page.console_errors() == []
    assert page.requests() == []


def test_time_chart_and_label_language(page):
    _select(page, "topic-select", "1")
    assert page.evaluate("document.querySelectorAll('#time-table tbody tr').length") == 4  # Jan-Apr
    _select(page, "time-measure", "count")
    labels = page.evaluate(
        "Array.from(document.querySelectorAll('#time-chart text')).map(t => t.textContent)"
    )
    assert "2" in labels and "Jan 2025" in labels
    _select(page, "lang", "id")
    kinds = page.evaluate(
        "Array.from(document.querySelectorAll('#article-rows .kind')).map(k => k.textContent)"
    )
    assert sorted(set(kinds)) == ["aglomerasi", "internasional"]
    assert "Jan 2025" in page.evaluate("document.getElementById('time-chart').textContent")


# Contrast of every visible text against the first opaque background behind it (WCAG 2 formula).
_LOW_CONTRAST = """(() => {
  const rgb = s => (s.match(/rgba?\\(([^)]+)\\)/) || [null, ""])[1].split(",").map(Number);
  const lum = p => p.slice(0, 3).map(v => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
    .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
  const background = e => { for (; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length >= 3 && (c.length < 4 || c[3] > 0.5)) return c; }
    return [255, 255, 255]; };
  const low = [];
  document.querySelectorAll("body *").forEach(e => {
    if (e.closest("svg") || e.closest("[hidden]")) return;
    if (!Array.from(e.childNodes).some(n => n.nodeType === 3 && n.textContent.trim())) return;
    const box = e.getBoundingClientRect();
    if (!box.width || !box.height) return;
    const a = lum(rgb(getComputedStyle(e).color)), b = lum(background(e));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) low.push(e.tagName + " '" + e.textContent.trim().slice(0, 30) + "' " + ratio.toFixed(2));
  });
  return low;
})()"""


def test_controls_have_labels_and_text_has_contrast(page):
    unlabelled = page.evaluate(
        "Array.from(document.querySelectorAll('input, select, textarea'))"
        ".filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.id)"
    )
    assert unlabelled == []
    assert page.evaluate(_LOW_CONTRAST) == []
    page.click('button.open[data-row="0"]')
    page.wait_for("document.getElementById('article-dialog').open")
    assert page.evaluate(_LOW_CONTRAST) == []
    # keyboard: a topic bubble and the table's buttons are reachable with Tab
    assert page.evaluate("document.querySelector('#topic-map circle').tabIndex") == 0


def test_the_checks_catch_requests_and_console_errors(browser, tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><link rel="stylesheet" href="https://cdn.example/x.css">'
        "<p style='color: #cccccc'>faint</p><script>console.error('boom')</script>",
        encoding="utf-8",
    )
    tab = browser.new_page()
    try:
        tab.goto(bad.as_uri())
        browser.pump(0.3)
        assert tab.requests() == ["https://cdn.example/x.css"]
        assert tab.failed_requests() != []
        assert "boom" in tab.console_errors()
        assert tab.evaluate(_LOW_CONTRAST) == ["P 'faint' 1.61"]
        blocked = tmp_path / "csp.html"  # a script the page's policy does not allow
        blocked.write_text(
            '<!DOCTYPE html><meta http-equiv="Content-Security-Policy" '
            "content=\"default-src 'none'\"><script>document.title = 'ran'</script>",
            encoding="utf-8",
        )
        tab.goto(blocked.as_uri())
        assert tab.evaluate("document.title") == ""
        assert any("Content Security Policy" in e for e in tab.console_errors())
    finally:
        tab.close()


@pytest.mark.skipif(not COMMITTED.is_file(), reason="reports/explore/index.html not built yet")
@pytest.mark.parametrize("width", [1280, 390])
def test_committed_explorer_loads_offline(browser, width):
    tab = browser.new_page(width, 900, mobile=width < 700)
    try:
        tab.goto(COMMITTED.resolve().as_uri())
        assert tab.wait_for("document.querySelectorAll('#article-rows tr').length") >= 1
        tab.click("#article-rows button.open")
        tab.wait_for("document.getElementById('article-dialog').open")
        browser.pump(0.2)
        assert tab.requests() == []
        assert tab.failed_requests() == []
        assert tab.console_errors() == []
        assert _no_sideways_scroll(tab)
    finally:
        tab.close()


def test_a_capped_page_says_which_articles_it_lists(browser, tmp_path):
    """explore.max_listed_articles below the corpus: the note, the table's help and "About this
    page" say how many articles are listed and which, also after a language change."""
    processed, topics_dir = write_processed(tmp_path)
    url = (
        run_explore(
            processed,
            topics_dir,
            tmp_path / "site" / "index.html",
            seed=1,
            none_sample=1,
            max_listed=5,
        )
        .resolve()
        .as_uri()
    )
    tab = browser.new_page(1280, 900)
    try:
        tab.goto(url)
        tab.wait_for("document.querySelectorAll('#article-rows tr').length")
        text = "document.getElementById(%s).textContent"
        assert tab.evaluate(text % '"listing-note"').startswith("5 of 8 articles listed (all coded")
        help_text = tab.evaluate(text % '"articles-help"')
        assert help_text.startswith(
            "5 of the 8 articles are listed: every one coded as cooperation (3)"
        )
        assert "Every article is listed" not in help_text
        assert "5 of the 8 articles are listed" in tab.evaluate(text % '"about-scale"')
        assert (
            tab.evaluate("document.getElementById('result-count').textContent")
            == "Showing 1–3 of 3 articles (filtered from 5)"
        )
        _select(tab, "lang", "id")
        assert tab.evaluate(text % '"articles-help"') == help_text
        tab.browser.pump(0.3)
        assert tab.requests() == [] and tab.console_errors() == []
    finally:
        tab.close()
