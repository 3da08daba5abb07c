"""Stem counts read from paragraphs.parquet in batches equal the in-memory counts, table for table."""

from __future__ import annotations

import compare_fixtures as fx
import pandas as pd
import pytest

import analysis.compare.counts as counts_module
from analysis.compare.counts import stem_counts_from_parquet
from analysis.compare.stats import stem_counts
from analysis.compare.tables import INPUT_COLUMNS, compare_tables, document_frame, paragraph_frame
from analysis.core.config import CompareParams
from analysis.core.errors import UserError


@pytest.fixture
def inputs(tmp_path, monkeypatch):
    monkeypatch.setattr(counts_module, "_BATCH_ROWS", 3)  # several batches even here
    return fx.write_inputs(tmp_path)


def test_batched_counts_equal_in_memory_counts(inputs):
    docs = document_frame(fx.documents(), fx.classified())
    paras = paragraph_frame(fx.paragraphs(), fx.classified(), docs)
    lean = paragraph_frame(fx.paragraphs()[["para_id", "doc_id"]], fx.classified(), docs)
    assert "stems" not in lean.columns
    counted = stem_counts_from_parquet(
        inputs["paragraphs_path"], lean, ["agglomeration", "international", "none"]
    )
    for kind, series in counted.items():
        pd.testing.assert_series_equal(series, stem_counts(paras, kind))
    # the duplicate's paragraphs (same stems as seed-004) are not counted twice
    assert counted["international"]["kuala_lumpur"] == 4


def test_compare_tables_from_lean_inputs_equal_the_full_ones(inputs):
    params = CompareParams()
    full = compare_tables(fx.documents(), fx.paragraphs(), fx.classified(), fx.topics(), params, 7)
    lean_inputs = {
        name: pd.read_parquet(inputs[f"{name}_path"], columns=list(columns))
        for name, columns in INPUT_COLUMNS.items()
    }
    lean = compare_tables(
        lean_inputs["documents"],
        lean_inputs["paragraphs"],
        lean_inputs["classified"],
        lean_inputs["topics"],
        params,
        7,
        count_stems=lambda paras, kinds: stem_counts_from_parquet(
            inputs["paragraphs_path"], paras, kinds
        ),
    )
    assert sorted(lean.tables) == sorted(full.tables)
    for name, table in full.tables.items():
        assert lean.tables[name].to_csv(index=False) == table.to_csv(index=False), name
    assert lean.metrics == full.metrics


def test_a_paragraph_file_without_stems_is_a_user_error(tmp_path):
    path = tmp_path / "paragraphs.parquet"
    fx.paragraphs()[["para_id", "doc_id"]].to_parquet(path, index=False)
    paras = pd.DataFrame({"para_id": ["seed-001:p000"], "coop_type": ["agglomeration"]})
    with pytest.raises(UserError, match="cannot read para_id and stems"):
        stem_counts_from_parquet(path, paras, ["agglomeration"])
