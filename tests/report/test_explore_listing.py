"""The explorer's article list above ``explore.max_listed_articles``: every coded article and
the uncoded ones shown with text are listed, plus a seeded sample of the rest; the page says so;
the counts, topics and charts still cover the whole corpus; nothing else is held."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from explore_fixtures import NONE_SUMMARY, build, cli_args, tables, write_processed

import analysis.report.explore as explore
from analysis.cli import main
from analysis.core.config import ParamsError, load_params, validate_section
from analysis.core.errors import UserError
from analysis.report._explore_articles import choose_listed_articles, choose_text_articles

N_EXTRA = 40  # uncoded articles added to the fixture's 3 coded and 5 uncoded ones
CODED = {"a_sampah.txt", "b_sister.txt", "c_hostile.txt"}
ROOT = Path(__file__).resolve().parents[2]


def _larger() -> dict[str, pd.DataFrame]:
    """The fixture plus N_EXTRA uncoded one-paragraph articles (no cue, no topic)."""
    t = tables()
    ids = [f"z{k:03d}.txt" for k in range(N_EXTRA)]
    documents = pd.DataFrame(
        {
            "doc_id": ids,
            "source_file": ids,
            "record": None,
            "outlet": "contoh.id",
            "date": pd.Timestamp("2025-05-01"),
            "title": [f"Berita lain {k}" for k in range(N_EXTRA)],
            "url": [f"https://example.org/{i}" for i in ids],
            "text": "Harga cabai naik di pasar.",
            "language": "id",
            "n_words": 50,
            "duplicate_of": None,
        }
    )
    paragraphs = pd.DataFrame(
        {
            "para_id": [f"{i}:p000" for i in ids],
            "doc_id": ids,
            "para_index": 0,
            "text": "Harga cabai naik di pasar.",
            "tokens": [["harga", "cabai", "naik", "di", "pasar"]] * N_EXTRA,
            "stems": [["harga", "cabai", "naik", "di", "pasar"]] * N_EXTRA,
        }
    ).astype({"para_index": "int32"})
    rows = []
    for i in ids:
        rows.append(
            {
                "level": "document",
                "doc_id": i,
                "para_id": None,
                "para_index": None,
                "para_fingerprint": None,
                "coop_type": "none",
                "partners": [],
                "sectors": [],
                "evidence": NONE_SUMMARY,
            }
        )
        rows.append(
            {
                "level": "paragraph",
                "doc_id": i,
                "para_id": f"{i}:p000",
                "para_index": 0.0,
                "para_fingerprint": "0" * 12,
                "coop_type": "none",
                "partners": [],
                "sectors": [],
                "evidence": "no cooperation cue",
            }
        )
    t["documents"] = pd.concat([t["documents"], documents], ignore_index=True)
    t["paragraphs"] = pd.concat([t["paragraphs"], paragraphs], ignore_index=True)
    t["classified"] = pd.concat([t["classified"], pd.DataFrame(rows)], ignore_index=True)
    return t


def _listed_ids(data: dict) -> list[str]:
    rows = data["articles"]
    return [data["id_prefixes"][p] + i for p, i in zip(rows["id_prefix"], rows["id"], strict=True)]


def _page_data(page: str) -> dict:
    found = re.search(
        r'<script type="application/json" id="explorer-data">(.*?)</script>', page, flags=re.S
    )
    return json.loads(found.group(1))


def test_listed_articles_keep_the_coded_and_text_ones_and_a_seeded_sample():
    kinds = pd.Series(
        ["agglomeration", "international"] + ["none"] * 30, index=[f"d{k:02d}" for k in range(32)]
    )
    text = choose_text_articles(kinds, none_sample=3, seed=7)
    listed = choose_listed_articles(kinds, text, max_listed=10, seed=7)
    assert len(listed) == 10
    assert {"d00", "d01"} | text <= listed  # every coded one, every one shown with text
    assert listed == choose_listed_articles(kinds, text, max_listed=10, seed=7)
    assert listed != choose_listed_articles(kinds, text, max_listed=10, seed=8)
    shuffled = kinds.sample(frac=1, random_state=2)  # input order does not matter
    assert listed == choose_listed_articles(shuffled, text, max_listed=10, seed=7)
    # the cap never drops a coded article or one shown with text: here they alone pass it
    assert choose_listed_articles(kinds, text, max_listed=2, seed=7) == {"d00", "d01"} | text
    # at or under the cap every article is listed
    assert choose_listed_articles(kinds, text, max_listed=32, seed=7) is None
    assert choose_listed_articles(kinds, text, max_listed=None, seed=7) is None


def test_a_capped_page_lists_the_coded_articles_and_a_sample_and_says_so(tmp_path):
    t = _larger()
    processed, topics_dir = write_processed(tmp_path, t)
    out = explore.run_explore(
        processed, topics_dir, tmp_path / "page.html", seed=5, none_sample=2, max_listed=10
    )
    page = out.read_text(encoding="utf-8")
    data = _page_data(page)
    listed = _listed_ids(data)
    assert len(listed) == 10 and CODED <= set(listed)
    meta = data["meta"]
    assert (meta["n_listed"], meta["max_listed"], meta["n_articles"]) == (10, 10, 48)
    assert meta["by_kind"]["none"] == 45 and meta["n_text"] == 5 and meta["n_none_text"] == 2
    assert (
        '<p id="listing-note" class="lead">10 of 48 articles listed (all coded articles, a '
        "seeded sample of the rest; the full table is data/processed/classified.parquet"
    ) in page
    # the sample is reproducible, and another seed draws another one
    again = explore.run_explore(
        processed, topics_dir, tmp_path / "again.html", seed=5, none_sample=2, max_listed=10
    )
    assert again.read_bytes() == out.read_bytes()
    other = _page_data(
        explore.run_explore(
            processed, topics_dir, tmp_path / "other.html", seed=6, none_sample=2, max_listed=10
        ).read_text("utf-8")
    )
    assert CODED <= set(_listed_ids(other)) and set(_listed_ids(other)) != set(listed)
    # the batched reading gives the page of the whole tables in memory
    expected = explore.explorer_html(
        build(
            {
                **t,
                "topic_table": pd.read_csv(
                    topics_dir / "topics.csv", keep_default_na=False, na_values=[""]
                ),
            },
            seed=5,
            none_sample=2,
            max_listed=10,
        )
    )
    assert page == expected


def test_the_counts_topics_and_charts_still_cover_every_article():
    t = _larger()
    whole = build(t, seed=5, none_sample=2)
    capped = build(t, seed=5, none_sample=2, max_listed=10)
    for key in ("topics", "outliers", "time", "labels", "colors"):
        assert capped[key] == whole[key], key
    assert {k: v for k, v in capped["meta"].items() if k not in ("n_listed", "max_listed")} == (
        whole["meta"]
    )
    assert len(whole["articles"]["id"]) == 48 and "n_listed" not in whole["meta"]


def test_at_the_cap_the_page_is_the_uncapped_one(tmp_path):
    t = _larger()
    processed, topics_dir = write_processed(tmp_path, t)
    capped = explore.run_explore(processed, topics_dir, tmp_path / "a.html", seed=5, max_listed=48)
    whole = explore.run_explore(processed, topics_dir, tmp_path / "b.html", seed=5, max_listed=None)
    assert capped.read_bytes() == whole.read_bytes()
    page = whole.read_text(encoding="utf-8")
    assert "listing-note" not in page and "Explorer, part 7" not in page
    capped_page = explore.run_explore(
        processed, topics_dir, tmp_path / "c.html", seed=5, max_listed=47
    ).read_text(encoding="utf-8")
    assert "Explorer, part 7" in capped_page  # the script that rewrites the table's help
    assert capped_page.count("'sha256-") == page.count("'sha256-") + 1  # allowed by the CSP


def test_only_the_listed_articles_are_held(tmp_path, monkeypatch):
    t = _larger()
    processed, topics_dir = write_processed(tmp_path, t)
    seen = {}
    original = explore.build_explorer_data

    def spy(documents, paragraphs, classified, *args, **kwargs):
        seen.update(documents=documents, classified=classified, kinds=kwargs["kinds"])
        return original(documents, paragraphs, classified, *args, **kwargs)

    monkeypatch.setattr(explore, "build_explorer_data", spy)
    page = explore.run_explore(
        processed, topics_dir, tmp_path / "page.html", seed=5, none_sample=2, max_listed=10
    ).read_text(encoding="utf-8")
    listed = set(_listed_ids(_page_data(page)))
    held = seen["classified"]
    assert set(held.loc[held["level"] == "document", "doc_id"]) == listed
    modelled = set(t["topics"]["doc_id"])
    assert set(seen["documents"]["doc_id"]) == listed | modelled
    assert len(seen["kinds"]) == 48  # the kind of every article, for the counts


def test_a_bad_cap_is_refused_with_a_clear_message(tmp_path):
    processed, topics_dir = write_processed(tmp_path)
    with pytest.raises(
        UserError,
        match=r"--max-listed-articles = 0: must be 1 or more "
        r"\(explore\.max_listed_articles in params\.yaml\)",
    ):
        explore.run_explore(processed, topics_dir, tmp_path / "x.html", max_listed=0)
    with pytest.raises(
        ParamsError,
        match=r"explore\.max_listed_articles = 0 is not allowed: "
        r".*greater than or equal to 1",
    ):
        validate_section("explore", max_listed_articles=0)
    with pytest.raises(ParamsError, match=r"explore\.max_listed_articles = 'all' is not allowed"):
        validate_section("explore", max_listed_articles="all")
    args = cli_args(
        processed, topics_dir, tmp_path / "x.html", "--seed", "1", "--max-listed-articles", "-5"
    )
    assert main(args) == 2


def test_the_cli_takes_the_cap_from_params_yaml(tmp_path, monkeypatch):
    processed, topics_dir = write_processed(tmp_path, _larger())
    (tmp_path / "params.yaml").write_text(
        "seed: 5\nexplore:\n  max_listed_articles: 12\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    labels = ROOT / "data" / "lexicons" / "labels_figures.csv"
    args = cli_args(
        processed, topics_dir, "page.html", "--labels", str(labels), "--none-sample", "2"
    )
    assert main(args) == 0
    meta = _page_data((tmp_path / "page.html").read_text(encoding="utf-8"))["meta"]
    assert (meta["n_listed"], meta["max_listed"], meta["seed"]) == (12, 12, 5)
    assert main([*args, "--max-listed-articles", "100"]) == 0
    assert "n_listed" not in _page_data((tmp_path / "page.html").read_text("utf-8"))["meta"]


def test_the_projects_cap_lists_the_bundled_and_clickid_corpora_whole():
    cap = load_params(ROOT / "params.yaml").explore.max_listed_articles
    assert cap == explore.DEFAULT_MAX_LISTED == 50_000
    assert cap >= 22_859  # the clickid articles the classifier coded (docs/explorer.md)


def test_a_capped_page_dates_the_whole_corpus_from_every_batch(tmp_path, monkeypatch):
    """The first and last date are those of every coded article, also when the extreme dates
    belong to articles that are not listed and sit in different read batches; a row of
    documents.parquet that classify did not code (here: one dated far outside) is not counted."""
    t = _larger()
    dates = pd.date_range("2024-01-03", periods=N_EXTRA, freq="7D")
    extra = t["documents"]["doc_id"].str.startswith("z")
    t["documents"].loc[extra, "date"] = dates[::-1]  # the earliest date on the last row
    uncoded = (
        t["documents"].iloc[[0]].assign(doc_id="not_coded.txt", date=pd.Timestamp("1999-01-01"))
    )
    t["documents"] = pd.concat([t["documents"], uncoded], ignore_index=True)
    processed, topics_dir = write_processed(tmp_path, t)
    monkeypatch.setattr(explore, "_BATCHES", {"batch_rows": 7, "by_row_group": True})
    data = _page_data(
        explore.run_explore(
            processed, topics_dir, tmp_path / "page.html", seed=5, none_sample=2, max_listed=10
        ).read_text("utf-8")
    )
    coded = t["documents"].loc[t["documents"]["doc_id"] != "not_coded.txt", "date"]
    assert (data["meta"]["date_min"], data["meta"]["date_max"]) == (
        coded.min().strftime("%Y-%m-%d"),
        coded.max().strftime("%Y-%m-%d"),
    )
    assert data["meta"]["date_min"] == "2024-01-03"
