"""The explorer at scale: it reads only the classified and paragraph rows the page shows, in
batches, and the page is the same bytes as one built from the whole tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from explore_fixtures import build, tables, write_processed

import analysis.report.explore as explore
from analysis.core.errors import UserError


def _whole_tables_page(t, *, seed, none_sample):
    """The page from the whole tables in memory (what run_explore did before it read batches)."""
    return explore.explorer_html(build(t, seed=seed, none_sample=none_sample))


@pytest.mark.parametrize("none_sample", [0, 1, 200])
def test_the_page_equals_the_one_from_whole_tables(tmp_path, none_sample):
    t = tables()
    processed, topics_dir = write_processed(tmp_path, t)
    out = explore.run_explore(
        processed, topics_dir, tmp_path / "page.html", seed=5, none_sample=none_sample
    )
    expected = _whole_tables_page(
        {
            **t,
            "topic_table": pd.read_csv(
                topics_dir / "topics.csv", keep_default_na=False, na_values=[""]
            ),
        },
        seed=5,
        none_sample=none_sample,
    )
    assert out.read_text(encoding="utf-8") == expected


def test_only_the_rows_the_page_uses_are_kept(tmp_path, monkeypatch):
    t = tables()
    processed, topics_dir = write_processed(tmp_path, t)
    seen = {}
    original = explore.build_explorer_data

    def spy(documents, paragraphs, classified, assignments, *args, **kwargs):
        seen.update(paragraphs=paragraphs, classified=classified)
        return original(documents, paragraphs, classified, assignments, *args, **kwargs)

    monkeypatch.setattr(explore, "build_explorer_data", spy)
    explore.run_explore(processed, topics_dir, tmp_path / "page.html", seed=5, none_sample=0)
    coded = t["classified"]
    doc_rows = coded[coded["level"] == "document"]
    shown = set(doc_rows.loc[doc_rows["coop_type"] != "none", "doc_id"])  # none_sample = 0
    modelled = set(t["topics"]["para_id"])
    wanted = coded[
        (coded["level"] == "paragraph")
        & (coded["doc_id"].isin(shown) | coded["para_id"].isin(modelled))
    ]
    kept = seen["classified"]
    assert (kept["level"] == "document").sum() == len(doc_rows) == 8  # every article is listed
    assert sorted(kept.loc[kept["level"] == "paragraph", "para_id"]) == sorted(wanted["para_id"])
    # the uncoded articles' own paragraphs (not modelled, not sampled) are not read
    left_out = set(coded.loc[coded["level"] == "paragraph", "para_id"]) - set(wanted["para_id"])
    assert left_out and not left_out & set(kept["para_id"].dropna())
    assert set(seen["paragraphs"]["doc_id"]) <= shown | set(t["topics"]["doc_id"])


def test_classified_and_paragraphs_are_never_read_whole(tmp_path, monkeypatch):
    processed, topics_dir = write_processed(tmp_path)
    whole = []
    read_parquet = pd.read_parquet

    def watch(path, *args, **kwargs):
        whole.append(str(path))
        return read_parquet(path, *args, **kwargs)

    read_table = pq.read_table

    def watch_table(source, *args, **kwargs):
        if isinstance(source, (str, Path)):
            whole.append(str(source))
        return read_table(source, *args, **kwargs)

    def refuse(*args, **kwargs):
        raise AssertionError("a whole table was read")

    monkeypatch.setattr(pd, "read_parquet", watch)
    monkeypatch.setattr(pq, "read_table", watch_table)
    monkeypatch.setattr(pq.ParquetFile, "read", refuse)
    explore.run_explore(processed, topics_dir, tmp_path / "page.html", seed=5)
    assert {p.rsplit("/", 1)[-1] for p in whole} == {"documents.parquet", "topics.parquet"}


def test_a_bad_classified_file_names_the_stage_to_rerun(tmp_path):
    t = tables()
    processed, topics_dir = write_processed(tmp_path, t)
    t["classified"].drop(columns="evidence").to_parquet(processed / "classified.parquet")
    with pytest.raises(
        UserError,
        match=r"classified\.parquet: missing column\(s\) evidence.*"
        "rerun the classify stage",
    ):
        explore.run_explore(processed, topics_dir, tmp_path / "page.html")
    (processed / "classified.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(UserError, match=r"not a readable Parquet file.*rerun the classify"):
        explore.run_explore(processed, topics_dir, tmp_path / "page.html")
    (processed / "classified.parquet").unlink()
    with pytest.raises(UserError, match=r"classified\.parquet: not found; run the classify"):
        explore.run_explore(processed, topics_dir, tmp_path / "page.html")
