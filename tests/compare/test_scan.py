"""compare out of core (analysis.compare.scan): the batch path equals the in-memory one, reads
one batch at a time and stops bad inputs with the in-memory path's messages."""

from __future__ import annotations

import inspect

import compare_fixtures as fx
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis.compare.scan import compare_parquet, iter_batches
from analysis.compare.tables import compare_tables
from analysis.core.config import CompareParams
from analysis.core.errors import UserError

SEED = 7
ORDER = ("documents_path", "paragraphs_path", "classified_path", "topics_path")


@pytest.fixture
def inputs(tmp_path):
    return fx.write_inputs(tmp_path / "in")


def _scan(paths, **kwargs):
    return compare_parquet(*(paths[k] for k in ORDER), CompareParams(), SEED, **kwargs)


def _rewrite(paths, key, frame):
    frame.to_parquet(paths[key], index=False)
    return paths


@pytest.mark.parametrize("labels", ["paragraph", "document"])
@pytest.mark.parametrize("batch_rows", [1, 2, 5, 10_000])
def test_batches_give_the_in_memory_tables_bit_for_bit(inputs, labels, batch_rows):
    memory = compare_tables(
        fx.documents(),
        fx.paragraphs(),
        fx.classified(),
        fx.topics(),
        CompareParams(),
        SEED,
        paragraph_labels=labels,
    )
    scanned = _scan(inputs, paragraph_labels=labels, batch_rows=batch_rows)
    assert sorted(scanned.tables) == sorted(memory.tables)
    for name, table in memory.tables.items():
        other = scanned.tables[name]
        assert other.reset_index(drop=True).equals(table.reset_index(drop=True)), name
        assert other.to_csv(index=False) == table.to_csv(index=False), name
    assert scanned.metrics == memory.metrics
    assert scanned.findings == memory.findings


def test_hand_counted_values(inputs):
    result = _scan(inputs, batch_rows=2)
    coverage = result.tables["coverage"].set_index("coop_type")
    # five kept articles (seed-005 is a duplicate): 2 agglomeration, 3 international
    assert coverage["n_documents"].to_dict() == {
        "agglomeration": 2,
        "international": 3,
        "domestic_other": 0,
        "none": 0,
    }
    # paragraphs by their own kind: 4 agglomeration, 6 international, 3 none (13 in all)
    assert coverage["n_paragraphs"].to_dict() == {
        "agglomeration": 4,
        "international": 6,
        "domestic_other": 0,
        "none": 3,
    }
    assert result.metrics["corpus"]["n_paragraphs"] == 13
    assert "copy.example" not in result.metrics["corpus"]["outlets"]
    log_odds = result.tables["log_odds"].set_index("term")
    # kuala_lumpur: seed-002 twice, seed-004 twice; the duplicate's copies are not counted
    assert log_odds.loc["kuala_lumpur", "count_b"] == 4
    assert log_odds.loc["bekasi", "count_a"] == 2
    # result.docs holds the cooperation documents only
    assert sorted(result.docs["doc_id"]) == [
        "seed-000",
        "seed-001",
        "seed-002",
        "seed-003",
        "seed-004",
    ]


def test_readers_yield_one_batch_at_a_time(inputs):
    batches = iter_batches(
        inputs["paragraphs_path"], "preprocess", ["para_id", "stems"], batch_rows=4
    )
    assert inspect.isgenerator(batches)  # nothing read before the first batch is asked for
    first = next(batches)
    assert isinstance(first, pa.RecordBatch) and first.num_rows == 4
    sizes = [first.num_rows, *(b.num_rows for b in batches)]
    assert sizes == [4, 4, 4, 3]  # 15 paragraphs (the duplicate's two included)
    assert first.schema.field("para_id").type == pa.string()  # large_string cast


def test_the_scan_never_reads_a_whole_file(inputs, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a whole file was read")

    monkeypatch.setattr(pq, "read_table", refuse)
    monkeypatch.setattr(pd, "read_parquet", refuse)
    monkeypatch.setattr(pq.ParquetFile, "read", refuse)
    result = _scan(inputs, batch_rows=3)
    assert result.metrics["corpus"]["n_documents"] == 5


def test_missing_unreadable_and_incomplete_files_are_user_errors(inputs, tmp_path):
    inputs["topics_path"].unlink()
    with pytest.raises(UserError, match="topics.parquet: not found; run the topics stage"):
        _scan(inputs)
    inputs["topics_path"].write_text("not parquet")
    with pytest.raises(UserError, match="not a readable Parquet file.*rerun the topics stage"):
        _scan(inputs)
    fx.topics().to_parquet(inputs["topics_path"], index=False)
    _rewrite(inputs, "paragraphs_path", fx.paragraphs().drop(columns="stems"))
    with pytest.raises(UserError, match="missing column\\(s\\) stems.*rerun the preprocess"):
        _scan(inputs)


def test_inconsistent_codings_stop_with_the_in_memory_messages(inputs):
    coded = fx.classified()
    missing = coded[~((coded["level"] == "document") & (coded["doc_id"] == "seed-003"))]
    with pytest.raises(UserError, match="no document-level coding.*seed-003"):
        _scan(_rewrite(inputs, "classified_path", missing))
    wrong = coded.copy()
    wrong.loc[0, "coop_type"] = "sister_city"
    with pytest.raises(UserError, match="sister_city is not a codebook id"):
        _scan(_rewrite(inputs, "classified_path", wrong))
    no_paragraph = coded[coded["para_id"] != "seed-002:p001"]
    with pytest.raises(
        UserError, match="1 paragraph\\(s\\).*no paragraph-level coding.*seed-002:p001"
    ):
        _scan(_rewrite(inputs, "classified_path", no_paragraph))
    twice = pd.concat([coded, coded[coded["para_id"] == "seed-000:p001"]], ignore_index=True)
    with pytest.raises(UserError, match="paragraph seed-000:p001 is coded twice"):
        _scan(_rewrite(inputs, "classified_path", twice))


def test_the_checksum_catches_a_renamed_paragraph_with_equal_counts(inputs):
    coded = fx.classified()
    # the same number of rows per document, but one coding names a paragraph that is not there
    coded.loc[coded["para_id"] == "seed-002:p001", "para_id"] = "seed-002:p009"
    with pytest.raises(UserError, match="no paragraph-level coding \\(e.g. seed-002:p001\\)"):
        _scan(_rewrite(inputs, "classified_path", coded))
    coded = fx.classified()
    # the same paragraph ids, but one coding moved to another kept document
    coded.loc[coded["para_id"] == "seed-003:p000", "doc_id"] = "seed-004"
    with pytest.raises(UserError, match="1 paragraph coding.*not paragraphs of that document"):
        _scan(_rewrite(inputs, "classified_path", coded))


def test_topics_of_unknown_paragraphs_and_an_empty_corpus(inputs):
    topics = pd.concat(
        [
            fx.topics(),
            pd.DataFrame(
                {
                    "para_id": ["seed-009:p000"],
                    "doc_id": ["seed-009"],
                    "topic": [0],
                    "topic_label": ["0_mobilitas_macet"],
                }
            ),
        ],
        ignore_index=True,
    )
    with pytest.raises(UserError, match="topics.parquet: 1 paragraph\\(s\\).*seed-009:p000"):
        _scan(_rewrite(inputs, "topics_path", topics))
    fx.topics().to_parquet(inputs["topics_path"], index=False)
    all_copies = fx.documents().assign(duplicate_of="seed-000")
    with pytest.raises(UserError, match="no non-duplicate documents"):
        _scan(_rewrite(inputs, "documents_path", all_copies))


@pytest.mark.parametrize("batch_rows", [1, 3, 10_000])
def test_readable_topic_labels_reach_the_tables_by_both_paths(inputs, batch_rows):
    topics = fx.topics()
    readable = {t: f"words of {t}" for t in topics["topic"].unique()}
    topics["topic_label_readable"] = topics["topic"].map(readable)
    memory = compare_tables(
        fx.documents(), fx.paragraphs(), fx.classified(), topics, CompareParams(), SEED
    )
    scanned = _scan(_rewrite(inputs, "topics_path", topics), batch_rows=batch_rows)
    prevalence = scanned.tables["topic_prevalence"]
    assert prevalence.to_csv(index=False) == memory.tables["topic_prevalence"].to_csv(index=False)
    assert list(prevalence.columns[2:4]) == ["topic_label", "topic_label_readable"]
    assert (
        len(prevalence)
        and (prevalence["topic_label_readable"] == prevalence["topic"].map(readable)).all()
    )
    assert scanned.metrics == memory.metrics
