"""Topics in batches: the streamed inputs and the batch-wise assignment equal the one-shot path."""

from __future__ import annotations

import inspect
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute  # noqa: F401 (pa.compute)
import pyarrow.parquet as pq
import pytest

from analysis.core.config import Params, TopicsParams
from analysis.core.errors import UserError
from analysis.stages.topics import write_row_groups
from analysis.topics.batches import RestParagraphs, record_batches
from analysis.topics.inputs import read_inputs
from analysis.topics.model import fit_selected, fit_topics, select_paragraphs
from analysis.topics.tables import load_inputs, modelled_paragraphs

SEED = Params().seed


@pytest.fixture(scope="module")
def shuffled_inputs(seed_inputs, tmp_path_factory):
    """The seed inputs with documents and paragraphs written in reverse document order, so the
    file order differs from the (doc_id, para_index) order of the output, one row per row group
    group of three (several row groups), and one paragraph of a duplicate document."""
    folder = tmp_path_factory.mktemp("shuffled")
    documents = pd.read_parquet(seed_inputs["documents"])
    paragraphs = pd.read_parquet(seed_inputs["paragraphs"])
    classified = pd.read_parquet(seed_inputs["classified"])
    order = list(reversed(documents["doc_id"].tolist()))
    documents = documents.set_index("doc_id").loc[order].reset_index()
    paragraphs = pd.concat([paragraphs[paragraphs["doc_id"] == d] for d in order])
    paths = {name: folder / f"{name}.parquet" for name in ("documents", "paragraphs", "classified")}
    documents.to_parquet(paths["documents"], index=False)
    paragraphs.to_parquet(paths["paragraphs"], index=False, row_group_size=3)
    classified.to_parquet(paths["classified"], index=False, row_group_size=5)
    return paths


def _args(paths):
    return paths["paragraphs"], paths["classified"], paths["documents"]


def test_record_batches_yield_at_most_one_batch_of_the_asked_columns(shuffled_inputs):
    reader = record_batches(shuffled_inputs["paragraphs"], ("para_id", "text"), "preprocess", 4)
    assert inspect.isgenerator(reader)  # one batch at a time, nothing read ahead by the API
    sizes = []
    for batch in reader:
        assert batch.schema.names == ["para_id", "text"]
        sizes.append(batch.num_rows)
    total = pq.ParquetFile(shuffled_inputs["paragraphs"]).metadata.num_rows
    assert max(sizes) <= 4 and sum(sizes) == total == 54


def test_record_batches_name_the_stage_to_rerun(shuffled_inputs, tmp_path):
    with pytest.raises(UserError, match="run the classify stage first"):
        next(record_batches(tmp_path / "nope.parquet", ("level",), "classify"))
    with pytest.raises(UserError, match=r"missing column\(s\) topic .*rerun the preprocess"):
        next(record_batches(shuffled_inputs["paragraphs"], ("para_id", "topic"), "preprocess"))
    (tmp_path / "bad.parquet").write_text("not parquet")
    with pytest.raises(UserError, match="not a readable Parquet file"):
        next(record_batches(tmp_path / "bad.parquet", ("para_id",), "preprocess"))


@pytest.mark.parametrize("fit_on", ["relevant", "all", "sample"])
def test_streamed_inputs_equal_load_inputs_then_select(shuffled_inputs, fit_on):
    frame = load_inputs(*_args(shuffled_inputs))
    fit, rest, info = select_paragraphs(frame, fit_on, 40, SEED)
    s_fit, s_rest, s_info = read_inputs(*_args(shuffled_inputs), fit_on, 40, SEED, batch_size=4)
    assert s_info == info and list(s_info) == list(info)  # the same keys in the same order
    pd.testing.assert_frame_equal(s_fit, fit)
    assert len(s_rest) == len(rest) == (14 if fit_on == "sample" else 0)
    columns = ["para_id", "doc_id", "para_index", "coop_type", "month"]
    pd.testing.assert_frame_equal(s_rest.frame[columns], rest[columns])
    # the rest's text and stems come back batch by batch, each paragraph once
    seen = {}
    for positions, texts, docs in s_rest.batches():
        assert len(positions) <= 4
        for p, t, d in zip(positions, texts, docs):
            seen[int(p)] = (t, d)
    assert [seen[i] for i in range(len(rest))] == list(zip(rest["text"], rest["stem_doc"]))


@pytest.fixture(scope="module")
def mixed_inputs(shuffled_inputs, tmp_path_factory):
    """The shuffled inputs with a corpus's mix of codes: two documents coded none (one of them
    with a paragraph coded agglomeration all the same), one paragraph classify never coded."""
    folder = tmp_path_factory.mktemp("mixed")
    classified = pd.read_parquet(shuffled_inputs["classified"])
    doc_ids = sorted(classified["doc_id"].unique())
    off = classified["doc_id"].isin(doc_ids[:2])
    classified.loc[off, "coop_type"] = "none"
    para = classified.index[off & (classified["level"] == "paragraph")]
    classified.loc[para[1], "coop_type"] = "agglomeration"
    last = classified.index[
        (classified["doc_id"] == doc_ids[2]) & (classified["level"] == "paragraph")
    ]
    classified = classified.drop(index=last[-1])
    paths = dict(shuffled_inputs, classified=folder / "classified.parquet")
    classified.to_parquet(paths["classified"], index=False, row_group_size=5)
    return paths


@pytest.mark.parametrize("fit_on", ["relevant", "all", "sample"])
def test_streamed_inputs_on_mixed_codes_equal_load_inputs(mixed_inputs, fit_on, monkeypatch):
    frame = load_inputs(*_args(mixed_inputs))
    fit, rest, info = select_paragraphs(frame, fit_on, 30, SEED)
    if fit_on == "relevant":
        # hand-checked: 54 paragraphs; the two documents coded none hold 11 + 13, one of which
        # is coded agglomeration; the uncoded paragraph's document is relevant
        assert (info["n_paragraphs_relevant"], len(fit)) == (54 - 24 + 1, 31)
    s_fit, s_rest, s_info = read_inputs(*_args(mixed_inputs), fit_on, 30, SEED, batch_size=4)
    assert s_info == info
    pd.testing.assert_frame_equal(s_fit, fit)
    pd.testing.assert_frame_equal(
        s_rest.frame[rest.columns.drop(["text", "stem_doc"])],
        rest.drop(columns=["text", "stem_doc"]),
    )
    # the id hashes only choose which rows are looked up: with every hash equal, every row is
    # looked up as a string, and the result is the same
    import analysis.topics.inputs as inputs

    monkeypatch.setattr(inputs, "string_hashes", lambda values: np.zeros(len(values), np.uint64))
    c_fit, _, c_info = read_inputs(*_args(mixed_inputs), fit_on, 30, SEED, batch_size=4)
    assert c_info == info
    pd.testing.assert_frame_equal(c_fit, fit)


def test_relevant_selection_counts_on_the_seeds(seed_inputs):
    found = []
    fit, rest, info = read_inputs(
        *_args(seed_inputs), "relevant", 20000, SEED, batch_size=7, relevant_found=found.append
    )
    # told before the scan of paragraphs.parquet: the 54 relevant paragraphs classify coded
    assert found == [54]
    # hand-checked on the five seed articles: every one is coded as cooperation
    assert info["n_paragraphs_input"] == 54 and info["n_paragraphs_relevant"] == 54
    assert (info["fit_on_used"], info["fallback"], len(rest)) == ("relevant", None, 0)
    assert fit["para_id"].is_unique and len(fit) == 54


def test_relevant_inputs_carry_the_words_of_the_fitted_paragraphs(shuffled_inputs):
    args = _args(shuffled_inputs)
    fit, _, _, words = read_inputs(*args, "relevant", 20000, SEED, batch_size=4, words=True)
    assert words.column_names == ["para_id", "text", "tokens", "stems"]
    # in file order (documents reversed), one row per fitted paragraph
    file_order = pd.read_parquet(args[0], columns=["para_id"])["para_id"]
    assert words["para_id"].to_pylist() == file_order[file_order.isin(fit["para_id"])].tolist()
    half = fit["para_id"].tolist()[::2]
    read = modelled_paragraphs(args[0], half)
    given = modelled_paragraphs(args[0], half, words)
    assert len(given) == len(half) and given["para_id"].is_unique
    pd.testing.assert_frame_equal(given, read)
    # words lacking a wanted paragraph are not used: the file is read
    lacking = words.filter(pa.compute.not_equal(words["para_id"], half[0]))
    missing = modelled_paragraphs(args[0], half, lacking)
    pd.testing.assert_frame_equal(missing, read)
    # other selections assign paragraphs after the fit: no words are carried (and the count
    # of relevant paragraphs, which does not size their fit, is not announced)
    found = []
    sampled = read_inputs(
        *args, "sample", 40, SEED, batch_size=4, words=True, relevant_found=found.append
    )
    assert sampled[3] is None and found == []


def test_streamed_inputs_refuse_what_load_inputs_refuses(seed_inputs, tmp_path):
    paragraphs = pd.read_parquet(seed_inputs["paragraphs"])
    twice = pd.concat([paragraphs, paragraphs.tail(1)])
    twice.to_parquet(tmp_path / "p.parquet", index=False)
    args = (tmp_path / "p.parquet", seed_inputs["classified"], seed_inputs["documents"])
    with pytest.raises(UserError, match="occurs more than once"):
        read_inputs(*args, "relevant", 20000, SEED, batch_size=5)
    documents = pd.read_parquet(seed_inputs["documents"]).iloc[1:]
    documents.to_parquet(tmp_path / "d.parquet", index=False)
    args = (seed_inputs["paragraphs"], seed_inputs["classified"], tmp_path / "d.parquet")
    with pytest.raises(UserError, match=r"1 doc_id\(s\) not in .*d\.parquet"):
        read_inputs(*args, "relevant", 20000, SEED)
    classified = pd.read_parquet(seed_inputs["classified"])
    para = classified[classified["level"] == "paragraph"]
    pd.concat([classified, para.head(1)]).to_parquet(tmp_path / "c.parquet", index=False)
    args = (seed_inputs["paragraphs"], tmp_path / "c.parquet", seed_inputs["documents"])
    with pytest.raises(UserError, match="classified twice"):
        read_inputs(*args, "relevant", 20000, SEED)
    with pytest.raises(UserError, match="topics.fit_on = 'most' is not allowed"):
        read_inputs(*_args(seed_inputs), "most", 20000, SEED)


def _sample_params() -> TopicsParams:
    # 40 of the 54 seed paragraphs (params.yaml allows >= 100; the domain function does not)
    return TopicsParams.model_construct(fit_on="sample", sample_size=40, n_seeds=2)


@pytest.mark.slow
def test_batch_wise_assignment_equals_the_one_shot_path(shuffled_inputs, tmp_path):
    topics = _sample_params()
    frame = load_inputs(*_args(shuffled_inputs))
    one_shot = fit_topics(frame, topics, SEED, None)  # every assigned paragraph in one call
    fit, rest, info = read_inputs(*_args(shuffled_inputs), "sample", 40, SEED, batch_size=3)
    batched = fit_selected(fit, rest, info, topics, SEED, tmp_path / "cache")
    assert batched.metrics["n_paragraphs_assigned"] == 14
    assert not batched.assignments["fitted"].all()
    pd.testing.assert_frame_equal(batched.assignments, one_shot.assignments)
    pd.testing.assert_frame_equal(batched.topic_info, one_shot.topic_info)
    pd.testing.assert_frame_equal(batched.over_time, one_shot.over_time)
    assert batched.metrics == one_shot.metrics
    # in memory, in batches of two, the same again
    fit2, rest2, info2 = select_paragraphs(frame, "sample", 40, SEED)
    small = fit_selected(fit2, RestParagraphs(rest2, None, 2), info2, topics, SEED, None)
    pd.testing.assert_frame_equal(small.assignments, one_shot.assignments)
    # the written file: row groups of 7 rows hold the same table as pandas' one-shot file
    write_row_groups(tmp_path / "grouped.parquet", batched.assignments, rows=7)
    one_shot.assignments.to_parquet(tmp_path / "whole.parquet", index=False, compression="zstd")
    grouped = pq.ParquetFile(tmp_path / "grouped.parquet")
    assert grouped.metadata.num_row_groups == int(np.ceil(54 / 7))
    assert grouped.read().equals(pq.read_table(tmp_path / "whole.parquet"))
    assert grouped.schema_arrow.metadata == pq.read_schema(tmp_path / "whole.parquet").metadata


@pytest.mark.slow
def test_the_embedding_cache_serves_the_fitted_paragraphs(shuffled_inputs, tmp_path):
    topics = _sample_params()
    cache = tmp_path / "cache"
    first = fit_selected(
        *read_inputs(*_args(shuffled_inputs), "sample", 40, SEED, 5), topics, SEED, cache
    )
    files = sorted(cache.glob("*.npy"))
    assert len(files) == 1 and np.load(files[0]).shape[0] == 40  # the fitted paragraphs only
    stamp = files[0].stat().st_mtime_ns
    second = fit_selected(
        *read_inputs(*_args(shuffled_inputs), "sample", 40, SEED, 5), topics, SEED, cache
    )
    assert files[0].stat().st_mtime_ns == stamp  # read, not rewritten
    assert second.metrics["embedding_cache_key"] == first.metrics["embedding_cache_key"]
    pd.testing.assert_frame_equal(second.assignments, first.assignments)


def test_small_topics_file_is_written_as_pandas_writes_it(tmp_path):
    frame = pd.DataFrame(
        {
            "para_id": ["a:p000", "b:p001"],
            "doc_id": ["a", "b"],
            "topic": np.array([0, -1], dtype="int64"),
            "topic_label": ["x, y", "outliers (no topic)"],
            "fitted": [True, False],
            "reassigned": [False, False],
        }
    )
    write_row_groups(tmp_path / "a.parquet", frame)
    frame.to_parquet(tmp_path / "b.parquet", index=False, engine="pyarrow", compression="zstd")
    assert Path(tmp_path / "a.parquet").read_bytes() == Path(tmp_path / "b.parquet").read_bytes()
