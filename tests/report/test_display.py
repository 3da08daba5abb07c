"""The shared reader-table helper on hand-made tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
from bs4 import BeautifulSoup

from analysis.report.display import format_cell, show_table


def _soup(table):
    return BeautifulSoup(table._repr_html_(), "html.parser")


def test_range_index_hidden_missing_blank_and_numbers_rounded():
    df = pd.DataFrame(
        {
            "coop_type": ["agglomeration", "international"],
            "n_documents": [2.0, 3.0],
            "share_documents": [0.4, 0.351852],
            "z": [2.419925, np.nan],
            "date_max": [pd.Timestamp("2025-07-08"), pd.NaT],
            "note": [None, pd.NA],
        }
    )
    soup = _soup(show_table(df, caption="Coverage by kind."))
    assert soup.select_one("div.table-scroll > table > caption").get_text() == "Coverage by kind."
    assert [th.get_text() for th in soup.select("thead th")] == [
        "kind of cooperation",
        "documents",
        "share of documents",
        "z",
        "last date",
        "note",
    ]
    rows = [[td.get_text() for td in tr.select("td")] for tr in soup.select("tbody tr")]
    assert rows == [
        ["Agglomeration cooperation", "2", "40.0%", "2.42", "2025-07-08", ""],
        ["International cooperation (sister city)", "3", "35.2%", "", "", ""],
    ]


def test_meaningful_index_kept_and_coop_ids_labelled():
    df = pd.DataFrame({"f1": [0.896552, 0.84]}, index=["agglomeration", "domestic_other"])
    soup = _soup(show_table(df, caption="Per class.", index_label="kind"))
    rows = [[td.get_text() for td in tr.select("td")] for tr in soup.select("tbody tr")]
    assert rows == [
        ["Agglomeration cooperation", "0.90"],
        ["Other inter-regional cooperation", "0.84"],
    ]
    assert soup.select_one("thead th").get_text() == "kind"


def test_sector_lists_and_strings_get_labels():
    assert (
        format_cell(["transport", "culture_tourism"], "sectors") == "Transport, Culture & tourism"
    )
    assert format_cell(np.array(["water"]), "sectors") == "Water supply"
    assert format_cell("flood;waste", "sectors") == "Flood control, Waste"
    assert format_cell("unknown_sector", "sectors") == "unknown_sector"


def test_long_text_clipped_with_full_text_in_details_and_escaped():
    long = "Wali Kota Bekasi <script>alert(1)</script> bertemu " + "kata " * 30
    html = show_table(pd.DataFrame({"title": [long]}), caption="Titles.", clip=50)._repr_html_()
    assert "<script>" not in html
    soup = BeautifulSoup(html, "html.parser")
    details = soup.select_one("td details.cell-more")
    assert details.summary.get_text() == "Wali Kota Bekasi <script>alert(1)</script>…"
    assert details.get_text() == details.summary.get_text() + long


def test_empty_table_is_one_sentence():
    empty = pd.DataFrame(columns=["source_file", "reason"])
    table = show_table(empty, caption="Rejected inputs.", empty="Every input was accepted.")
    assert table._repr_html_() == '<p class="table-empty">Every input was accepted.</p>'
    assert str(table) == "Every input was accepted."
    assert "<table" not in show_table(None, caption="x")._repr_html_()


def test_columns_selects_renames_and_max_rows_says_so():
    df = pd.DataFrame({"a": range(5), "b": list("vwxyz")})
    soup = _soup(show_table(df, caption="Letters.", columns={"b": "letter"}, max_rows=2))
    assert [th.get_text() for th in soup.select("thead th")] == ["letter"]
    assert [td.get_text() for td in soup.select("tbody td")] == ["v", "w"]
    assert soup.caption.get_text() == "Letters. (first 2 of 5 rows)"


def test_total_rows_counts_a_table_read_only_in_part():
    head = pd.DataFrame({"b": list("vwx")})  # the first 3 rows of a table of 1,000,000
    soup = _soup(show_table(head, caption="Letters.", max_rows=2, total_rows=1_000_000))
    assert [td.get_text() for td in soup.select("tbody td")] == ["v", "w"]
    assert soup.caption.get_text() == "Letters. (first 2 of 1000000 rows)"
    whole = _soup(show_table(head, caption="Letters.", max_rows=5, total_rows=3))
    assert whole.caption.get_text() == "Letters."


def test_numbers_among_texts_lose_float_noise():
    series = pd.Series({"fit_on": "relevant", "n_topics": 4.0, "ari_mean": 0.6666666}, name="value")
    soup = _soup(show_table(series, caption="Run.", index_label="measure"))
    rows = [[td.get_text() for td in tr.select("td")] for tr in soup.select("tbody tr")]
    assert rows == [["fit_on", "relevant"], ["n_topics", "4"], ["ari_mean", "0.667"]]


def test_row_numbers_left_after_a_filter_are_not_shown():
    df = pd.DataFrame({"doc_id": ["a", "b", "c"], "n_words": [10, 20, 30]})
    soup = _soup(show_table(df[df["n_words"] > 10], caption="Filtered."))
    assert [[td.get_text() for td in tr.select("td")] for tr in soup.select("tbody tr")] == [
        ["b", "20"],
        ["c", "30"],
    ]
    named = df.set_index(pd.Index([3, 4, 5], name="topic"))
    assert _soup(show_table(named, caption="Named.")).select_one("thead th").get_text() == "topic"
