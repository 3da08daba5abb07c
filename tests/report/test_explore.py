"""The explorer's data and page: evidence parsing, highlighting, topic map, sampling, escaping, bytes."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pandas as pd
import pytest
from explore_fixtures import (
    HOSTILE_NOTE,
    HOSTILE_OUTLET,
    HOSTILE_TEXT,
    HOSTILE_TITLE,
    build,
    cli_args,
    tables,
    write_processed,
)

from analysis.cli import main
from analysis.core.errors import UserError
from analysis.report._evidence import (
    _find_term,
    highlight_segments,
    parse_document_evidence,
    parse_unit_evidence,
)
from analysis.report._explore_articles import choose_text_articles
from analysis.report._explore_topics import (
    class_tfidf,
    layout_bubbles,
    project_topics,
    readable_words,
    topic_prevalence,
)
from analysis.report.explore import (
    TEMPLATE_DIR,
    embed_json,
    explorer_html,
    run_explore,
)
from analysis.report.render import find_external_references
from analysis.text.tokens import tokenize


def _build(t=None, **options):
    return build(t, **options)


def _page_data(html: str) -> dict:
    match = re.search(
        r'<script type="application/json" id="explorer-data">(.*?)</script>', html, flags=re.S
    )
    return json.loads(match.group(1))


# ------------------------------------------------------------------------------ evidence


def test_unit_evidence_is_parsed_into_its_segments():
    unit = parse_unit_evidence(
        "agglomeration: jabodetabekjur | cues: kerjasama | parties: Bekasi(gov), Jakarta(gov) | "
        "not parties: Bekasi(location) | sectors: transport:mobilitas, transport:park and ride"
    )
    assert unit.decision == "agglomeration: jabodetabekjur"
    assert (unit.coop_type, unit.basis) == ("agglomeration", "direct")
    assert unit.cues == ("kerjasama",)
    assert unit.parties == (("Bekasi", "gov"), ("Jakarta", "gov"))
    assert unit.not_parties == (("Bekasi", "location"),)
    assert unit.sector_terms == (("transport", "mobilitas"), ("transport", "park and ride"))
    assert unit.other == ()


def test_unit_evidence_tolerates_unknown_segments_and_odd_input():
    inherited = parse_unit_evidence(
        "agglomeration: inherited from document (cue here, parties none already partners); "
        "none: fewer than two governments near the cue | cues: kerja sama | weight: 0.7 | loose"
    )
    assert inherited.basis == "inherited" and inherited.coop_type == "agglomeration"
    assert inherited.other == (("weight", "0.7"), ("", "loose"))
    assert parse_unit_evidence("no cooperation cue").basis == "none"
    assert parse_unit_evidence(None).decision == ""
    # a segment list without a decision, a party with brackets in its name, a term without sector
    unit = parse_unit_evidence(
        "cues: a | parties: (unnamed regional governments)(gov), X | sectors: banjir"
    )
    assert unit.decision == "" and unit.cues == ("a",)
    assert unit.parties == (("(unnamed regional governments)", "gov"), ("X", ""))
    assert unit.sector_terms == (("", "banjir"),)
    none_with_cue = parse_unit_evidence("none: fewer than two governments near the cue | cues: x")
    assert (none_with_cue.coop_type, none_with_cue.basis) == ("none", "none")


def test_document_evidence_lines():
    doc = parse_document_evidence(
        "document: international (votes international=3)\npartners: Jakarta; Kuala Lumpur\n"
        "mentioned once, not a main partner: Selangor\n"
        "title: international: foreign party | cues: sister city\n"
        "p3: international: foreign party | cues: kerja sama\nsomething new: 1\n"
    )
    assert doc.summary == "document: international (votes international=3)"
    assert doc.partners == ("Jakarta", "Kuala Lumpur")
    assert doc.mentioned_once == ("Selangor",)
    assert sorted(doc.units) == ["p3", "title"]
    assert doc.units["title"].cues == ("sister city",)
    assert doc.other == ("something new: 1",)
    assert parse_document_evidence("").units == {}


def test_highlights_follow_the_classifiers_matching_rules():
    text = "Kerja samanya diteken. Jakarta-Bekasi sepakat, kerja. Sama halnya di Kuala Lumpur."
    segments = highlight_segments(
        text,
        cues=["kerja sama", "sepakat"],
        parties=["Jakarta", "Bekasi", "Kuala Lumpur"],
        sector_terms=["sepakat"],
        mark_sentences=True,
    )
    assert "".join(s if isinstance(s, str) else s[0] for s in segments) == text
    marked = [s for s in segments if not isinstance(s, str)]
    # the enclitic -nya is allowed; "kerja. Sama" is cut by punctuation; a cue beats a sector term
    assert ["Kerja samanya", "sc"] in marked
    assert ["sepakat", "sc"] in marked
    assert not any(s[0].startswith("kerja.") for s in marked)
    assert ["Jakarta", "sp"] in marked and ["Bekasi", "sp"] in marked
    # the third sentence has no cue: its party is marked, the sentence is not
    assert ["Kuala Lumpur", "p"] in marked
    assert highlight_segments("") == []
    assert highlight_segments("Tidak ada apa-apa.", cues=["kerja sama"]) == ["Tidak ada apa-apa."]


def test_a_term_matches_whole_words_or_words_with_an_enclitic():
    tokens = tokenize("Kerjasama kerja samanya, kerja sama. Kerjalah sama")
    # "Kerjasama" begins with "kerja" but is another word; ", kerja" starts a match, while a
    # full stop inside the term would end it
    assert _find_term(tokens, ("kerja", "sama")) == [(1, 3), (3, 5), (5, 7)]
    assert _find_term(tokens, ("sama",)) == [(2, 3), (4, 5), (6, 7)]
    assert _find_term(tokenize("kerja. Sama"), ("kerja", "sama")) == []


# ------------------------------------------------------------------------------ topics


def test_class_tfidf_matches_bertopic_formula_by_hand():
    ids, vocabulary, matrix = class_tfidf([["a", "a"], ["b"], ["b", "c"], []], [0, 0, 1, 1])
    assert ids == [0, 1] and vocabulary == ["a", "b", "c"]
    # counts [[2,1,0],[0,1,1]]; A = int(mean(3, 2)) = 2; idf = log(A / f + 1)
    expected = np.array(
        [
            [2 / 3 * math.log(2), 1 / 3 * math.log(2), 0.0],
            [0.0, 0.5 * math.log(2), 0.5 * math.log(3)],
        ]
    )
    np.testing.assert_allclose(matrix.toarray(), expected)


def test_projection_is_deterministic_and_keeps_similar_topics_close():
    _ids, _v, matrix = class_tfidf(
        [["a", "b"], ["a", "b", "b"], ["x", "y"], ["x", "y", "z"]], [0, 1, 2, 3]
    )
    coords = project_topics(matrix)
    assert coords.shape == (4, 2)
    np.testing.assert_array_equal(coords, project_topics(matrix))
    near = np.linalg.norm(coords[0] - coords[1])
    far = np.linalg.norm(coords[0] - coords[2])
    assert near < far / 3
    # each axis' largest coordinate is positive
    for axis in range(2):
        column = coords[:, axis]
        assert column[np.argmax(np.abs(column))] >= 0
    assert project_topics(matrix[:1]).tolist() == [[0.0, 0.0]]


def test_bubbles_fit_the_square_without_overlap_and_area_follows_size():
    coords = np.array([[0.0, 0.0], [0.0, 0.0], [0.01, 0.0], [1.0, 1.0]])  # two identical points
    sizes = [100, 25, 25, 4]
    bubbles = layout_bubbles(coords, sizes)
    assert bubbles == layout_bubbles(coords, sizes)
    for x, y, r in bubbles:
        assert r + 0.02 - 1e-3 <= x <= 0.98 - r + 1e-3 and r + 0.02 - 1e-3 <= y <= 0.98 - r + 1e-3
    for i in range(4):
        for j in range(i + 1, 4):
            (xi, yi, ri), (xj, yj, rj) = bubbles[i], bubbles[j]
            assert math.hypot(xi - xj, yi - yj) >= ri + rj - 1e-3
    assert bubbles[0][2] / bubbles[1][2] == pytest.approx(2.0, rel=1e-2)  # area 4x
    assert layout_bubbles(np.zeros((0, 2)), []) == []


def test_readable_words_are_the_topics_usual_spelling():
    frame = pd.DataFrame(
        {
            "topic": [0, 0, 0],
            "text": [
                "Pengelolaan sampah di Kuala Lumpur.",
                "Kuala Lumpur mengelola air.",
                "Soal pengelolaan, Kuala Lumpur dan Jakarta.",
            ],
            "tokens": [
                ["pengelolaan", "sampah", "kuala_lumpur"],
                ["kuala_lumpur", "mengelola", "air"],
                ["soal", "pengelolaan", "kuala_lumpur", "jakarta"],
            ],
            "stems": [
                ["kelola", "sampah", "kuala_lumpur"],
                ["kuala_lumpur", "kelola", "air"],
                ["soal", "kelola", "kuala_lumpur", "jakarta"],
            ],
        }
    )
    names = readable_words(frame, {0: ["kelola", "kuala_lumpur", "jakarta", "unseen"]})
    # two "pengelolaan" beat one "mengelola"; written lower case once, so lower case wins
    assert names == {
        0: {
            "kelola": "pengelolaan",
            "kuala_lumpur": "Kuala Lumpur",
            "jakarta": "Jakarta",
            "unseen": "unseen",
        }
    }


def test_prevalence_counts_every_month_in_range():
    frame = pd.DataFrame(
        {
            "topic": [0, 0, 1, 1, -1],
            "kind": ["agglomeration"] * 3 + ["none", "none"],
            "month": ["2025-01", "2025-03", "2025-03", "2025-03", ""],
        }
    )
    result = topic_prevalence(frame)
    assert result["months"] == ["2025-01", "2025-02", "2025-03"]
    assert result["kinds"] == ["agglomeration", "none"]
    assert result["totals"] == {"agglomeration": [1, 0, 2], "none": [0, 0, 1]}
    assert result["counts"] == [[0, 0, 0, 1], [0, 0, 2, 1], [1, 0, 2, 1], [1, 1, 2, 1]]
    assert result["undated"] == 1
    assert topic_prevalence(frame[frame["month"] == ""])["months"] == []


# ------------------------------------------------------------------------------ articles


def test_sample_of_uncoded_articles_is_seeded_and_keeps_every_coded_one():
    kinds = pd.Series(["agglomeration"] + ["none"] * 50, index=[f"d{k:02d}" for k in range(51)])
    chosen = choose_text_articles(kinds, none_sample=10, seed=3)
    assert "d00" in chosen and len(chosen) == 11
    assert chosen == choose_text_articles(kinds, none_sample=10, seed=3)
    assert chosen != choose_text_articles(kinds, none_sample=10, seed=4)
    assert len(choose_text_articles(kinds, none_sample=500, seed=3)) == 51


def test_article_table_and_evidence_on_the_fixture():
    data = _build()
    rows = data["articles"]
    assert rows["id"][:3] == ["a_sampah.txt", "b_sister.txt", "c_hostile.txt"]
    assert [data["kinds"][k] for k in rows["kind"]] == [
        "agglomeration",
        "international",
        "agglomeration",
    ] + ["none"] * 5
    assert [data["partners"][k] for k in rows["partners"][1]] == ["Jakarta", "Kuala Lumpur"]
    assert rows["topics"][:3] == [[0], [1], [0, 1]]
    assert data["meta"]["n_text"] == 5 and data["meta"]["n_none_text"] == 2
    assert data["meta"]["by_kind"]["none"] == 5
    assert "confidence" not in rows and "story_id" not in rows
    # the first article: title + three paragraphs; p0 decided it, p2 took the article's kind
    units = data["evidence"][rows["evidence"][0]]["units"]
    assert [u["l"] for u in units] == ["title", "p0", "p1", "p2"]
    assert [u.get("st") for u in units] == ["decided", "decided", None, "inherited"]
    assert ["kerja sama", "sc"] in units[1]["x"] and ["Bekasi", "sp"] in units[1]["x"]
    assert ["sampah", "sg"] in units[1]["x"]  # a sector word inside the cue sentence
    assert data["decisions"][units[1]["d"]] == "agglomeration: jabodetabekjur"


def test_uncoded_articles_outside_the_sample_keep_their_notes_without_text():
    data = _build(none_sample=0)
    rows = data["articles"]
    assert data["meta"]["n_text"] == 3
    n1 = data["evidence"][rows["evidence"][3]]  # a cue, but fewer than two governments
    assert n1["text"] is False
    assert [u["l"] for u in n1["units"]] == ["p0"]
    assert "x" not in n1["units"][0] and n1["units"][0]["st"] == "cue"
    assert rows["evidence"][4:] == [-1, -1, -1, -1]  # no cue at all: nothing to show


def test_optional_confidence_and_story_columns_are_shown_when_present():
    t = tables()
    documents = t["classified"]["level"] == "document"
    t["classified"]["confidence"] = np.where(documents, 0.87654, np.nan)
    t["classified"]["story_id"] = np.where(documents, "s1", None)
    rows = _build(t)["articles"]
    assert rows["confidence"][0] == 0.877 and rows["story_id"][0] == "s1"


def test_a_structured_cues_column_wins_over_the_evidence_text():
    t = tables()
    paragraphs = t["classified"]["level"] == "paragraph"
    t["classified"]["cues"] = [["sepakat"] if is_para else None for is_para in paragraphs]
    data = _build(t)
    p0 = data["evidence"][data["articles"]["evidence"][0]]["units"][1]
    assert p0["c"] == ["sepakat"]
    marked = [s[0] for s in p0["x"] if not isinstance(s, str) and "c" in s[1]]
    assert marked == ["sepakat"]


def test_input_order_does_not_change_the_bytes():
    t = tables()
    shuffled = {
        name: (
            frame.sample(frac=1, random_state=1).reset_index(drop=True)
            if name != "topic_table"
            else frame
        )
        for name, frame in t.items()
    }
    assert embed_json(_build(t)) == embed_json(_build(shuffled))


# ------------------------------------------------------------------------------ page


def test_embedded_json_cannot_close_its_script_element():
    text = embed_json({"t": "</script><script>x</script>", "a": "&<>\u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "&<>\u2028", "t": "</script><script>x</script>"}
    with pytest.raises(ValueError):
        embed_json({"x": float("nan")})


def test_page_is_self_contained_and_hostile_text_stays_data():
    html = explorer_html(_build())
    assert find_external_references(html) == []
    for needle in ("<script>window.__pwned", "<img src=x", "<svg onload", "<b onmouseover"):
        assert needle not in html
    assert html.count("<script") == 7  # the data element and six scripts of the template
    data = _page_data(html)
    assert data["articles"]["title"][2] == HOSTILE_TITLE
    assert data["outlets"][0] == HOSTILE_OUTLET
    hostile = data["evidence"][data["articles"]["evidence"][2]]
    assert (
        "".join(s if isinstance(s, str) else s[0] for s in hostile["units"][1]["x"]) == HOSTILE_TEXT
    )
    assert ["note", HOSTILE_NOTE] in hostile["units"][1]["o"]
    # every inline script and the stylesheet are allowed by hash, nothing else by any means
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert "default-src 'none'" in csp and "unsafe" not in csp
    assert csp.count("'sha256-") == 7


def test_scripts_never_turn_text_into_markup():
    for path in TEMPLATE_DIR.glob("*.js"):
        source = path.read_text(encoding="utf-8")
        for banned in (
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
            "new Function",
            'setAttribute("style',
        ):
            assert banned not in source, (path.name, banned)


def test_same_inputs_same_bytes_and_cli(tmp_path):
    processed, topics_dir = write_processed(tmp_path)
    first = run_explore(processed, topics_dir, tmp_path / "a" / "index.html", seed=5, none_sample=1)
    code = main(
        cli_args(
            processed,
            topics_dir,
            tmp_path / "b" / "index.html",
            "--seed",
            "5",
            "--none-sample",
            "1",
        )
    )
    assert code == 0
    assert first.read_bytes() == (tmp_path / "b" / "index.html").read_bytes()
    assert _page_data(first.read_text(encoding="utf-8"))["meta"]["n_none_text"] == 1


def test_missing_inputs_name_the_stage_to_rerun(tmp_path):
    processed, topics_dir = write_processed(tmp_path)
    (processed / "topics.parquet").unlink()
    with pytest.raises(UserError, match=r"topics\.parquet: not found; run the topics stage"):
        run_explore(processed, topics_dir, tmp_path / "x.html")
    processed, topics_dir = write_processed(tmp_path)
    (topics_dir / "topics.csv").write_text("topic,label\n0,x\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"topics\.csv: missing column\(s\) size, top_words"):
        run_explore(processed, topics_dir, tmp_path / "x.html")
    with pytest.raises(UserError, match="none-sample"):
        run_explore(processed, topics_dir, tmp_path / "x.html", none_sample=-1)
    assert main(["explore", "--processed-dir", str(tmp_path / "nowhere"), "--seed", "1"]) == 2


def test_a_corpus_without_topics_still_renders(tmp_path):
    t = tables()
    t["topics"] = t["topics"].iloc[:0]
    t["topic_table"] = t["topic_table"].iloc[:0]
    data = _build(t)
    assert data["topics"] == [] and data["time"]["article"]["months"] == []
    assert "explorer-data" in explorer_html(data)


@pytest.mark.slow
def test_the_pipelines_page_reproduces_the_models_topic_words(seed_pipeline):
    """On the seed corpus run by ``dvc repro``: the page lists each topic's words in the order of
    topics.csv (ranked by centrality and coverage, topics/words.py), each with the positive
    c-TF-IDF weight recomputed from the stage outputs; the weights need not fall in that order."""
    data = _page_data(
        (seed_pipeline / "reports" / "explore" / "index.html").read_text(encoding="utf-8")
    )
    table = pd.read_csv(seed_pipeline / "reports" / "tables" / "topics" / "topics.csv").set_index(
        "topic"
    )
    assert data["meta"]["n_articles"] == 5 and data["topics"]
    for topic in data["topics"]:
        assert [w[0] for w in topic["words"]] == table.loc[topic["id"], "top_words"].split()
        weights = [w[2] for w in topic["words"]]
        assert all(weight > 0 for weight in weights)
