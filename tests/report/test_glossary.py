"""The glossary: its file, its page body, and first-use links in reader pages."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from analysis.core.errors import UserError
from analysis.report.glossary import GlossaryTerm, glossary_html, link_terms, load_glossary

REQUIRED = {
    "coop-type",
    "stem",
    "multiword-expression",
    "log-odds-z",
    "dirichlet-prior",
    "bootstrap",
    "wilson",
    "coherence",
    "topic-outlier",
    "story",
    "topic-stability",
    "confidence",
}

TERMS = [
    GlossaryTerm("stem", "Stem", ("stems", "stem"), "Base form.", "The `stem` text."),
    GlossaryTerm("ari", "ARI", ("ARI",), "Rand index <adjusted>.", "x"),
    GlossaryTerm("ci", "CI", ("confidence interval",), "Range.", "y"),
    GlossaryTerm("confidence", "Confidence", ("confidence",), "Evidence.", "z"),
]


def _page(body: str) -> str:
    return (
        f"<!DOCTYPE html><html><head><title>stems</title></head><body>"
        f"<nav><a href='index.html'>stems</a></nav><main>{body}</main></body></html>"
    )


def test_bundled_glossary_covers_the_required_terms():
    terms = load_glossary()
    assert REQUIRED <= {t.id for t in terms}
    assert all(t.short and t.text for t in terms)


def test_first_use_linked_once_outside_code_headings_links_and_tables():
    body = (
        "<h2>Stems</h2><p>Counting <code>stems</code> in a <a href='x'>stem</a> list; "
        "<table><tr><td>stem</td></tr></table>"
        "the Stems are counted, and stems again.</p><p>An ARI of 0.5 and ari; "
        "a confidence interval, then confidence.</p>"
    )
    soup = BeautifulSoup(link_terms(_page(body), TERMS), "html.parser")
    links = soup.select("a.gloss")
    assert [(a.get_text(), a["href"]) for a in links] == [
        ("Stems", "glossary.html#stem"),
        ("ARI", "glossary.html#ari"),
        ("confidence interval", "glossary.html#ci"),
        ("confidence", "glossary.html#confidence"),
    ]
    assert links[1]["title"] == "Rand index <adjusted>."
    assert soup.find("h2").get_text() == "Stems" and soup.find("code").get_text() == "stems"
    assert soup.find("p").get_text().endswith("and stems again.")


def test_words_inside_other_words_are_not_linked():
    html = _page("<p>stemming systems, co-stem and stem_x</p>")
    assert link_terms(html, TERMS) == html


def test_glossary_body_escapes_and_anchors():
    soup = BeautifulSoup(glossary_html(TERMS), "html.parser")
    assert [dt["id"] for dt in soup.select("dl.glossary dt")] == ["stem", "ari", "ci", "confidence"]
    assert soup.select_one("dd code").get_text() == "stem"


def test_glossary_file_problems_are_reported(tmp_path):
    path = tmp_path / "g.yaml"
    path.write_text("entries:\n  - {id: a, term: A, aliases: [x], short: s}\n", encoding="utf-8")
    with pytest.raises(UserError, match="lacks text"):
        load_glossary(path)
    path.write_text(
        "entries:\n  - {id: a, term: A, aliases: [x], short: s, text: t}\n"
        "  - {id: b, term: B, aliases: [X], short: s, text: t}\n",
        encoding="utf-8",
    )
    assert [t.id for t in load_glossary(path)] == ["a", "b"]  # X (capital) differs from x
    path.write_text(
        "entries:\n  - {id: a, term: A, aliases: [x], short: s, text: t}\n"
        "  - {id: b, term: B, aliases: [x], short: s, text: t}\n",
        encoding="utf-8",
    )
    with pytest.raises(UserError, match="repeats"):
        load_glossary(path)
