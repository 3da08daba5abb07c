"""Compare figures: label dictionary, both languages, byte-stable saving, no overlapping labels."""

from __future__ import annotations

import csv
import itertools
import re
import string

import compare_fixtures as fx
import matplotlib.colors as mcolors
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Annotation, Text

from analysis.compare import tables as cmp
from analysis.core.codebook import COOP_DISPLAY_ORDER
from analysis.core.errors import UserError
from analysis.report import figures as style
from analysis.report import figures_compare as fg

CODEBOOK_SECTORS = [
    "transport",
    "water",
    "waste",
    "flood",
    "environment_climate",
    "health",
    "culture_tourism",
    "education_youth_sport",
    "digital_governance",
    "economy_trade",
    "food_security",
    "spatial_planning_housing",
    "other",
]


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    docs = cmp.document_frame(fx.documents(), fx.classified())
    paras = cmp.paragraph_frame(fx.paragraphs(), fx.classified(), docs)
    log_odds = cmp.log_odds_dirichlet(
        cmp.stem_counts(paras, "agglomeration"), cmp.stem_counts(paras, "international")
    )
    return {
        "coverage_outlet": cmp.coverage_by_outlet(docs),
        "coverage_monthly": cmp.coverage_monthly(docs),
        "sectors": cmp.sector_shares(
            docs, n_bootstrap=200, seed=1, ci_level=0.95, min_bootstrap_docs=10
        ),
        "sectors_paragraphs": cmp.sector_shares(
            docs,
            paras,
            level="paragraph",
            n_bootstrap=200,
            ci_level=0.95,
            seed=0,
            min_bootstrap_docs=10,
        ),
        "log_odds": log_odds,
        "topics": cmp.topic_prevalence(
            fx.topics(), paras, n_bootstrap=200, ci_level=0.95, seed=0, min_bootstrap_docs=10
        ),
        "partners": cmp.partner_edges(docs, focal="Jakarta"),
    }


def _draw(tables, name: str, lang: str) -> Figure:
    if name == "coverage":
        return fg.plot_coverage(tables["coverage_outlet"], lang=lang)
    if name == "coverage_monthly":
        return fg.plot_coverage_monthly(tables["coverage_monthly"], lang=lang, n_undated=1)
    if name == "sectors":
        return fg.plot_sector_shares(
            tables["sectors"], lang=lang, ci_level=0.95, n_bootstrap=2000, min_bootstrap_docs=10
        )
    if name == "sectors_paragraphs":
        return fg.plot_sector_shares(
            tables["sectors_paragraphs"],
            lang=lang,
            ci_level=0.95,
            n_bootstrap=2000,
            min_bootstrap_docs=10,
        )
    if name == "log_odds":
        return fg.plot_log_odds(tables["log_odds"], lang=lang)
    if name == "topics":
        return fg.plot_topic_prevalence(
            tables["topics"], lang=lang, ci_level=0.95, n_bootstrap=2000, min_bootstrap_docs=10
        )
    return fg.plot_partner_network(tables["partners"], focal="Jakarta", lang=lang)


FIGURES = [
    "coverage",
    "coverage_monthly",
    "sectors",
    "sectors_paragraphs",
    "log_odds",
    "topics",
    "partners",
]
TITLE_KEYS = {
    "coverage": "coverage.title",
    "coverage_monthly": "coverage_monthly.title",
    "sectors": "sectors.title",
    "sectors_paragraphs": "sectors.title",
    "log_odds": "log_odds.title",
    "topics": "topics.title",
    "partners": "partners.title",
}


# ---------------------------------------------------------------------------------- labels


def test_label_file_format(lexicon_dir):
    path = lexicon_dir / "labels_figures.csv"
    lines = [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    rows = list(csv.DictReader(lines))
    assert lines[0] == "key,en,id"
    keys = [r["key"] for r in rows]
    assert len(keys) == len(set(keys))
    for row in rows:
        assert re.fullmatch(r"[a-z_]+(\.[a-z0-9_]+)+", row["key"]), row["key"]
        assert row["en"].strip() and row["id"].strip(), row["key"]
        fields = [
            {f for _, f, _, _ in string.Formatter().parse(row[lang]) if f} for lang in ("en", "id")
        ]
        assert fields[0] == fields[1], f"{row['key']}: placeholders differ between en and id"
    for kind in COOP_DISPLAY_ORDER:
        assert f"coop.{kind}" in keys and f"coop_short.{kind}" in keys
    for sector in CODEBOOK_SECTORS:
        assert f"sector.{sector}" in keys
    assert all(f"month.{m}" in keys for m in range(1, 13))


def test_indonesian_names_of_the_kinds():
    assert style.label("coop.agglomeration", "id") == "Kerja sama aglomerasi"
    assert style.label("coop.international", "id") == "Kerja sama internasional (sister city)"
    assert style.label("coop.domestic_other", "id") == "Kerja sama antardaerah lain"
    assert style.label("coop.none", "id") == "Bukan kerja sama"
    assert style.label("partners.title", "id", focal="Jakarta") == "Jakarta dan mitra kerja samanya"
    assert style.label("sector.new_sector_id", "en") == "new sector id"  # unknown sector: its id
    with pytest.raises(KeyError):
        style.label("sectors.no_such_key", "en")
    with pytest.raises(UserError, match="lang = 'fr'"):
        style.label("coop.none", "fr")


def test_bad_label_files_stop_with_a_message(tmp_path):
    bad = tmp_path / "labels.csv"
    bad.write_text("# comment\nkey,en\ncoop.none,Not cooperation\n", encoding="utf-8")
    with pytest.raises(UserError, match="header must be key,en,id"):
        style.load_labels(bad)
    twice = tmp_path / "twice.csv"
    twice.write_text("key,en,id\na.b,x,y\na.b,x,y\n", encoding="utf-8")
    with pytest.raises(UserError, match="'a.b' appears twice"):
        style.load_labels(twice)


# ---------------------------------------------------------------------------------- styles


def _luminance(colour: str) -> float:
    r, g, b = mcolors.to_rgb(colour)
    return 0.299 * r + 0.587 * g + 0.114 * b


def test_each_kind_is_distinct_without_colour():
    styles = [style.COOP_STYLE[k] for k in COOP_DISPLAY_ORDER]
    for part in ("marker", "linestyle", "hatch", "color"):
        assert len({s[part] for s in styles}) == len(styles), part
    lightness = sorted(_luminance(s["color"]) for s in styles)
    # Neighbouring kinds differ by at least 8% grey level, so greyscale prints keep them apart.
    assert min(b - a for a, b in zip(lightness, lightness[1:])) > 0.08


# ---------------------------------------------------------------------------------- drawing


@pytest.mark.parametrize("lang", ["en", "id"])
@pytest.mark.parametrize("name", FIGURES)
def test_every_figure_draws_in_both_languages(tables, name, lang):
    figure = _draw(tables, name, lang)
    assert isinstance(figure, Figure)
    title = figure.get_suptitle()
    assert title == style.label(TITLE_KEYS[name], lang, focal="Jakarta")
    figure.canvas.draw()
    texts = " ".join(t.get_text() for t in figure.findobj(Text))
    if lang == "id" and name in ("coverage", "coverage_monthly", "sectors", "partners"):
        assert "Kerja sama aglomerasi" in texts
        assert "Agglomeration" not in texts


def test_monthly_axis_has_every_month_and_indonesian_names(tables):
    figure = fg.plot_coverage_monthly(tables["coverage_monthly"], lang="id")
    ticks = [t.get_text() for t in figure.axes[0].get_xticklabels()]
    assert ticks == ["Apr\n2025", "Mei\n2025", "Jun\n2025", "Jul\n2025", "Agu\n2025"]


def test_sector_figure_prints_k_over_n(tables):
    figure = fg.plot_sector_shares(
        tables["sectors"], lang="en", ci_level=0.95, n_bootstrap=2000, min_bootstrap_docs=10
    )
    texts = [t.get_text() for ax in figure.axes for t in ax.texts]
    assert texts.count("2/2") == 2 and texts.count("3/3") == 4  # transport, waste / 4 sectors


def test_sector_figure_note_gives_articles_and_stories(tables):
    from analysis.compare.stories import story_table

    stories = pd.DataFrame(
        {
            "coop_type": ["agglomeration", "international", "domestic_other"],
            "n_articles": [3, 2, 0],
            "n_stories": [2, 2, 0],
        }
    )
    stories = stories.reindex(
        columns=list(story_table(pd.DataFrame({"doc_id": [], "coop_type": []})).columns),
        fill_value=0,
    )
    for lang, expected in (("en", "3 articles, 2 stories"), ("id", "3 artikel, 2 peristiwa")):
        figure = fg.plot_sector_shares(
            tables["sectors"],
            lang=lang,
            ci_level=0.95,
            n_bootstrap=2000,
            min_bootstrap_docs=10,
            stories=stories,
        )
        note = figure._supxlabel.get_text().replace("\n", " ")
        assert expected in note, lang
        assert "domestic" not in note.lower() and "antardaerah" not in note.lower()


def _boxes(figure: Figure, kinds: tuple[type, ...]):
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    return [
        (t.get_text(), t.get_window_extent(renderer))
        for ax in figure.axes
        for t in ax.texts
        if isinstance(t, kinds) and t.get_text().strip()
    ]


def _overlapping(boxes):
    return [
        (a, b)
        for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2)
        if box_a.overlaps(box_b)
    ]


def test_log_odds_labels_do_not_overlap_and_stay_inside(tables):
    figure = fg.plot_log_odds(tables["log_odds"], lang="en", n_labels=8)
    boxes = _boxes(figure, (Annotation,))
    assert len(boxes) >= 4
    assert not _overlapping(boxes)
    inside = figure.axes[0].get_window_extent()
    assert all(
        inside.x0 <= b.x0 and b.x1 <= inside.x1 and inside.y0 <= b.y0 and b.y1 <= inside.y1
        for _, b in boxes
    )


def test_partner_labels_do_not_overlap(tables):
    figure = fg.plot_partner_network(tables["partners"], focal="Jakarta", lang="id")
    boxes = _boxes(figure, (Text,))
    names = {t for t, _ in boxes}
    assert {"Bekasi", "Banten", "Kuala Lumpur", "Ankara", "Jakarta"} <= names
    assert not _overlapping(boxes)
    figure.set_dpi(150)  # the PNG resolution: text is measured a little wider than on screen
    boxes = _boxes(figure, (Text,))
    figure_box = figure.bbox
    assert all(figure_box.x0 <= b.x0 and b.x1 <= figure_box.x1 for _, b in boxes)


def test_empty_inputs_draw_a_message_instead_of_failing(tables):
    empty_edges = tables["partners"].iloc[0:0]
    figure = fg.plot_partner_network(empty_edges, focal="Surabaya", lang="en")
    assert "Surabaya" in " ".join(t.get_text() for t in figure.axes[0].texts)
    assert isinstance(fg.plot_log_odds(tables["log_odds"].iloc[0:0], lang="id"), Figure)
    assert isinstance(fg.plot_coverage_monthly(tables["coverage_monthly"].iloc[0:0]), Figure)


def test_invalid_language_is_a_user_error(tables):
    with pytest.raises(UserError, match="lang = 'fr'"):
        fg.plot_coverage(tables["coverage_outlet"], lang="fr")


# ---------------------------------------------------------------------------------- saving


def test_save_figure_is_byte_identical_and_carries_no_timestamp(tables, tmp_path):
    figure = _draw(tables, "log_odds", "en")
    first = style.save_figure(figure, "log_odds", tmp_path / "a")
    second = style.save_figure(figure, "log_odds", tmp_path / "b")
    assert [p.name for p in first] == ["log_odds.png", "log_odds.svg"]
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.name
    svg = first[1].read_text(encoding="utf-8")
    assert "<dc:date>" not in svg and "<text" not in svg  # no date; glyphs as paths
    png = first[0].read_bytes()
    assert b"tIME" not in png and b"Software" not in png


@pytest.mark.parametrize("name", ["log_odds", "partners", "sectors"])
def test_redrawing_gives_the_same_bytes(tables, tmp_path, name):
    a = style.save_figure(_draw(tables, name, "id"), name, tmp_path / "a")
    b = style.save_figure(_draw(tables, name, "id"), name, tmp_path / "b")
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]


def test_figures_show_themselves_in_notebooks(tables):
    # Built without pyplot, so Jupyter needs _repr_png_ to display them (papermill, HTML), with
    # the figure's title as the image's text alternative.
    figure = _draw(tables, "coverage", "en")
    (first, about), (second, _) = figure._repr_png_(), figure._repr_png_()
    assert first.startswith(b"\x89PNG") and first == second
    assert about == {"alt": "News coverage by outlet and kind of cooperation"}


def test_a_figure_without_a_title_of_its_own_is_described_by_its_axes_title():
    figure = style.new_figure(2.0)
    ax = figure.add_subplot()
    assert figure.alt_text() == "Figure"
    ax.set_title("Paragraphs per\ntopic", loc="left")
    assert figure.alt_text() == "Paragraphs per topic"
    figure.suptitle("Topics")
    assert figure.alt_text() == "Topics"


def test_a_saved_figure_shows_its_png_file_at_the_inline_size(tables, tmp_path):
    # After save_figure the notebook image is the PNG file's bytes (not a third drawing), shown
    # at the size the 110-dpi drawing had; a change after saving draws the figure afresh.
    figure = _draw(tables, "coverage", "en")
    drawn, _ = figure._repr_png_()
    png, _svg = style.save_figure(figure, "coverage", tmp_path)
    shown, about = figure._repr_png_()
    assert shown == png.read_bytes() and shown != drawn
    width, height = figure.get_size_inches()
    alt = "News coverage by outlet and kind of cooperation"
    assert about == {"width": round(width * 110), "height": round(height * 110), "alt": alt}
    figure.axes[0].set_title("changed after saving")
    redrawn, about = figure._repr_png_()
    assert redrawn.startswith(b"\x89PNG") and redrawn not in (shown, drawn)
    assert about == {"alt": alt}


@pytest.mark.parametrize("name", ["coverage", "log_odds", "partners"])
def test_layout_frozen_without_rendering_matches_a_full_draw(tables, tmp_path, monkeypatch, name):
    # freeze_layout solves the constrained layout with draw_without_rendering; a full Agg draw
    # (the earlier way) must give the same layout, so the saved bytes are the same.
    fast = style.save_figure(_draw(tables, name, "en"), name, tmp_path / "fast")

    def full_draw(figure):
        figure.canvas.draw()
        figure.set_layout_engine("none")

    monkeypatch.setattr(style, "freeze_layout", full_draw)
    monkeypatch.setattr(fg, "freeze_layout", full_draw)
    slow = style.save_figure(_draw(tables, name, "en"), name, tmp_path / "slow")
    assert [p.read_bytes() for p in fast] == [p.read_bytes() for p in slow]
