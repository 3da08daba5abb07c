"""HTML extraction: trafilatura + page-furniture rules on hand-written Indonesian outlet layouts."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest
from stage_helpers import run_ingest

from analysis.core.errors import UserError
from analysis.text.html import (
    ExtractionFailed,
    decode_html,
    extract_html,
    extract_pages,
    html_article,
    load_html_rules,
    word_f1,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "html"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))["articles"]
# Strings of page furniture in the fixtures; none may reach an article's text.
FURNITURE = (
    "Baca juga",
    "Baca Juga",
    "Lihat Juga",
    "ADVERTISEMENT",
    "Advertisement",
    "Iklan",
    "SCROLL TO CONTINUE",
    "Simak Video",
    "Simak juga",
    "Gambas",
    "(rna/tsa)",
    "(rea/dmi)",
    "Halaman",
    "Selanjutnya",
    "Show All",
    "Bagikan",
    "Facebook",
    "WhatsApp",
    "Komentar",
    "semoga cepat",
    "Pertukaran pelajar ini yang paling",
    "Editor",
    "Pewarta",
    "Penulis",
    "Laporan Wartawan",
    "Artikel ini telah tayang",
    "Copyright",
    "Dilarang keras",
    "Google News",
    "Grup Telegram",
    "Pilihan Editor",
    "Berita Terkait",
    "Terpopuler",
    "Tags",
    "Rekomendasi",
    "Senin, 12 Mei 2025",
)


def _pages(name: str) -> list[str]:
    return [(FIXTURES / page).read_text(encoding="utf-8") for page in EXPECTED[name]["pages"]]


def _reference(name: str) -> str:
    return "\n\n".join(EXPECTED[name]["text"])


@pytest.fixture(scope="module")
def extracted() -> dict[str, tuple[str, dict]]:
    return {name: extract_pages(_pages(name)) for name in EXPECTED}


def test_fixtures_cover_five_outlet_layouts_and_multi_page_articles():
    assert len(EXPECTED) >= 5
    assert sum(len(a["pages"]) > 1 for a in EXPECTED.values()) >= 2
    for article in EXPECTED.values():
        assert all((FIXTURES / page).is_file() for page in article["pages"])
        assert len(article["paths"]) == len(article["pages"])
        assert sum(len(p.split()) for p in article["text"]) >= 80


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_article_is_extracted_with_its_title_and_date(extracted, name):
    text, fields = extracted[name]
    assert word_f1(text, _reference(name)) >= 0.95
    assert fields["title"] == EXPECTED[name]["title"]
    assert fields["date"] == EXPECTED[name]["date"]
    assert fields["pages"] == str(len(EXPECTED[name]["pages"]))
    leaked = [s for s in FURNITURE if s in text]
    assert not leaked, f"{name}: furniture in the text: {leaked}"
    assert "\n\n\n" not in text and text == text.strip()


def test_mean_f1_beats_the_old_reader_by_a_wide_margin(extracted):
    ours = [word_f1(extracted[n][0], _reference(n)) for n in EXPECTED]
    old = [
        word_f1("\n\n".join(html_article(p)[0] for p in _pages(n)), _reference(n)) for n in EXPECTED
    ]
    assert statistics.mean(ours) >= 0.97
    assert statistics.mean(old) < 0.8
    # the example: the detik layout (text in a <div> split by <br>) defeats the old reader
    old_detik = word_f1(html_article(_pages("detik_bekasi")[0])[0], _reference("detik_bekasi"))
    assert old_detik < 0.2
    assert word_f1(extracted["detik_bekasi"][0], _reference("detik_bekasi")) == 1.0


def test_date_only_in_visible_text_is_found():
    markup = _pages("antara_surabaya")[0]
    assert "datePublished" not in markup and "<time" not in markup and "published" not in markup
    assert extract_html(markup)[1]["date"] == "2025-06-16"


def test_pages_are_joined_in_order_without_repeats():
    first, second = _pages("kompas_depok")
    text, fields = extract_pages([first, second, second])
    paragraphs = text.split("\n\n")
    assert len(paragraphs) == len(set(paragraphs)) == len(EXPECTED["kompas_depok"]["text"])
    assert paragraphs[0].startswith("DEPOK, KOMPAS.com")
    assert paragraphs[-1].startswith("Kedua pemerintah menargetkan")
    assert fields["pages"] == "3"


def test_metadata_fields_have_the_ingest_shape():
    text, fields = extract_html(_pages("detik_bekasi")[0], url="http://127.0.0.1/x")
    assert set(fields) == {"title", "date", "url", "outlet", "author", "extractor"}
    assert fields["url"].startswith("https://news.detik-contoh.test/berita/d-7712345/")  # canonical
    assert fields["outlet"] == "detikNews Contoh"
    assert fields["author"] == "Rina Maharani"
    assert fields["extractor"] == "trafilatura"


def test_a_page_of_furniture_only_fails_with_a_reason():
    markup = (
        "<html><head><title>Beranda</title></head><body><nav><a href='/'>Beranda</a></nav>"
        "<div class='ads'>ADVERTISEMENT</div><div class='related'><ul><li><a href='/1'>"
        "Berita lain</a></li></ul></div><p>Baca juga: Judul lain</p></body></html>"
    )
    with pytest.raises(ExtractionFailed, match="trafilatura found"):
        extract_html(markup)
    with pytest.raises(ExtractionFailed):
        extract_pages([markup, markup])


def test_a_short_page_without_an_article_element_falls_back_to_the_old_reader():
    paragraphs = EXPECTED["tempo_bogor"]["text"][1:3]
    markup = (
        "<html><body><div>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</div></body></html>"
    )
    text, fields = extract_html(markup)
    assert text == "\n\n".join(paragraphs)
    assert fields["extractor"] in ("trafilatura", "fallback")


def test_furniture_class_never_removes_the_article_itself():
    paragraphs = EXPECTED["detik_bekasi"]["text"]
    markup = (
        "<html><body class='has-comments'><div class='share-area'>"
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + "</div></body></html>"
    )
    text, _ = extract_html(markup)
    assert word_f1(text, "\n\n".join(paragraphs)) >= 0.95


def test_rule_examples_match_their_own_rules():
    rules = load_html_rules()
    assert {r.scope for r in rules.rules} == {"node", "line", "suffix"}
    for rule in rules.rules:
        assert rule.example, rule.rule_id
        if rule.scope == "node":
            assert rule.pattern.search(rule.example), rule.rule_id
        elif rule.scope == "line":
            assert rule.pattern.fullmatch(rule.example), rule.rule_id
        else:
            cut = rule.pattern.sub("", rule.example)
            assert cut and cut != rule.example, rule.rule_id
    # node names match as whole parts only
    assert rules.node_matches("ads-box") and not rules.node_matches("downloads")
    assert not rules.node_matches("detail__body-text")


def test_rule_file_errors_name_the_rule(tmp_path):
    path = tmp_path / "rules.csv"
    path.write_text("rule_id,pattern,scope\nx,(,line\n", encoding="utf-8")
    with pytest.raises(UserError, match="rule x pattern does not compile"):
        load_html_rules(path)
    path.write_text("rule_id,pattern,scope\nx,a,everywhere\n", encoding="utf-8")
    with pytest.raises(UserError, match="scope 'everywhere'"):
        load_html_rules(path)


@pytest.mark.parametrize(
    ("body", "content_type", "expected_codec"),
    [
        ("Kafé “kota kembar”".encode("cp1252"), "text/html; charset=windows-1252", "cp1252"),
        ("Kafé kota".encode("latin-1"), "text/html; charset=ISO-8859-1", "cp1252"),
        (b'<meta charset="iso-8859-1">' + "Kafé".encode("latin-1"), "text/html", "cp1252"),
        (
            b"<meta http-equiv='Content-Type' content='text/html; charset=windows-1252'>"
            + "“Kafé”".encode("cp1252"),
            None,
            "cp1252",
        ),
        ("Kafé".encode(), "text/html", "utf-8"),
        ("Kafé".encode("cp1252"), "text/html", "cp1252"),
        (b"\xef\xbb\xbf" + "Kafé".encode(), None, "utf-8-sig"),
    ],
)
def test_decode_html_uses_header_bom_meta_then_guesses(body, content_type, expected_codec):
    text, codec = decode_html(body, content_type)
    assert codec == expected_codec
    assert "Kafé" in text or "Kafé".casefold() in text.casefold()
    assert "\ufffd" not in text


def test_word_f1_is_bag_of_words():
    assert word_f1("a b c", "a b c") == 1.0
    assert word_f1("", "a") == 0.0
    assert word_f1("a b", "a b c d") == pytest.approx(2 * 1.0 * 0.5 / 1.5)
    assert word_f1("Kerja, SAMA!", "kerja sama") == 1.0


def test_ingest_reads_html_through_the_extractor(tmp_path, lexicon_dir):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "detik.html").write_text(_pages("detik_bekasi")[0], encoding="utf-8")
    (raw / "kosong.html").write_text(
        "<html><body><nav><a href='/'>Beranda</a></nav><div class='iklan'>Iklan</div></body></html>",
        encoding="utf-8",
    )
    result = run_ingest(
        raw,
        documents_path=tmp_path / "d.parquet",
        rejects_path=tmp_path / "r.csv",
        lexicon_dir=lexicon_dir,
    )
    docs = result.documents.set_index("doc_id")
    assert docs.loc["detik.html", "title"] == EXPECTED["detik_bekasi"]["title"]
    assert str(docs.loc["detik.html", "date"].date()) == "2025-05-12"
    assert "Baca juga" not in docs.loc["detik.html", "text"]
    assert docs.loc["detik.html", "n_words"] >= 150
    rejects = result.rejects.set_index("source_file")
    assert rejects.loc["kosong.html", "reason"] == "extraction_failed"
    assert "rule-based reader" in rejects.loc["kosong.html", "detail"]
    assert result.metrics()["rejects_by_reason"]["extraction_failed"] == 1
