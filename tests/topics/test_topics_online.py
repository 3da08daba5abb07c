"""Topics with fit_on: online (BERTopic partial_fit) on the seeds: settings, coverage, words, reruns."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from stage_helpers import run_topics

import analysis.topics.model as topics_module
from analysis.core.config import IngestParams, PreprocessParams, TopicsParams
from analysis.core.errors import UserError
from analysis.topics.model import online_settings

MIN_WORDS = IngestParams().min_words
MIN_TOKEN_LENGTH = PreprocessParams().min_token_length
MIN_TOPIC_SIZE = TopicsParams().min_topic_size


def test_online_topic_count_follows_the_corpus_size():
    assert online_settings(54, min_topic_size=MIN_TOPIC_SIZE).n_clusters == 10
    assert online_settings(25_000, min_topic_size=MIN_TOPIC_SIZE).n_clusters == 25
    assert online_settings(179_033, min_topic_size=MIN_TOPIC_SIZE).n_clusters == 50
    assert online_settings(20, min_topic_size=MIN_TOPIC_SIZE).n_clusters == 10
    settings = online_settings(5_000, min_topic_size=4)
    assert (settings.algorithm, settings.n_components, settings.min_samples) == (
        "minibatch-kmeans",
        5,
        None,
    )
    with pytest.raises(UserError, match="at least 20 paragraphs, got 19"):
        online_settings(19, min_topic_size=MIN_TOPIC_SIZE)


def _run_online(inputs: dict[str, Path], out: Path):
    return run_topics(
        inputs["paragraphs"],
        inputs["classified"],
        inputs["documents"],
        topics_path=out / "topics.parquet",
        tables_dir=out / "tables",
        metrics_path=out / "topics.json",
        fit_on="online",
        sample_size=100,
        cache_dir=None,
    )


@pytest.mark.slow
def test_online_fit_in_chunks_covers_every_paragraph(seed_inputs, tmp_path, monkeypatch):
    # three partial_fit calls on the ~55 seed paragraphs
    monkeypatch.setattr(topics_module, "ONLINE_CHUNK", 20)
    result = _run_online(seed_inputs, tmp_path / "a")
    metrics = result.metrics
    paragraphs = pd.read_parquet(seed_inputs["paragraphs"])
    documents = pd.read_parquet(seed_inputs["documents"])
    kept = paragraphs[
        paragraphs["doc_id"].isin(documents.loc[documents["duplicate_of"].isna(), "doc_id"])
    ]

    assert metrics["fit_on_used"] == "online"
    assert metrics["clustering"]["algorithm"] == "minibatch-kmeans"
    assert metrics["online"]["n_chunks"] == -(-metrics["n_paragraphs_fitted"] // 20) >= 3
    assert metrics["n_paragraphs_output"] == len(kept) == metrics["n_paragraphs_fitted"]
    assigned = result.assignments
    assert set(assigned["para_id"]) == set(kept["para_id"])
    # k-means leaves no outliers: only paragraphs without any known word are -1
    assert (assigned["topic"] == -1).sum() == metrics["n_paragraphs_without_content"]
    assert 2 <= metrics["n_topics"] <= 10

    # topic words come from the final assignments: every top stem occurs in that topic
    stems = {row.para_id: set(row.stems) for row in paragraphs.itertuples()}
    for info in result.topic_info.itertuples():
        if info.topic == -1:
            continue
        members = assigned.loc[assigned["topic"] == info.topic, "para_id"]
        vocabulary = set().union(*(stems[p] for p in members))
        assert set(info.top_words.split()) <= vocabulary, info.topic


@pytest.mark.slow
def test_online_rerun_is_byte_identical(seed_inputs, tmp_path):
    _run_online(seed_inputs, tmp_path / "a")
    _run_online(seed_inputs, tmp_path / "b")
    for name in ("topics.parquet", "topics.json", "tables/topics.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
