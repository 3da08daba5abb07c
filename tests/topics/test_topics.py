"""Topics stage: coherence maths, the size rule, input handling, and fitted models on the seeds."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from stage_helpers import run_topics

from analysis.core.config import IngestParams, PreprocessParams, TopicsParams
from analysis.core.errors import UserError
from analysis.report.figures_topics import plot_topic_sizes, plot_topics_by_coop_type
from analysis.topics.coherence import npmi_document as npmi_coherence
from analysis.topics.model import KMEANS_BELOW, MIN_PARAGRAPHS, clustering_settings
from analysis.topics.quality import topic_diversity
from analysis.topics.tables import load_inputs

MIN_WORDS = IngestParams().min_words
MIN_TOKEN_LENGTH = PreprocessParams().min_token_length
MIN_TOPIC_SIZE = TopicsParams().min_topic_size

# --------------------------------------------------------------------------- NPMI, diversity


def test_npmi_matches_hand_computed_values():
    docs = [{"a", "b"}, {"a", "b"}, {"a", "c"}, {"d"}]
    # P(a)=3/4, P(b)=1/2, P(a,b)=1/2: ln((1/2)/(3/8)) / -ln(1/2) = ln(4/3)/ln 2
    ab = math.log(4 / 3) / math.log(2)
    # P(c)=1/4, P(a,c)=1/4: ln((1/4)/(3/16)) / -ln(1/4) = ln(4/3)/ln 4
    ac = math.log(4 / 3) / math.log(4)
    scores = npmi_coherence([["a", "b"], ["a", "b", "c"]], docs)
    assert scores[0] == pytest.approx(0.4150375, abs=1e-6)
    assert scores[0] == pytest.approx(ab)
    # b and c never share a document: the limit -1, no epsilon
    assert scores[1] == pytest.approx((ab + ac - 1.0) / 3)


def test_npmi_limits_and_unknown_words():
    docs = [["x", "y"], ["x", "y", "z"], ["x", "y"]]
    scores = npmi_coherence([["x", "y"], ["x", "nowhere"], ["y", "y"]], docs)
    assert scores[0] == 1.0  # both in every document
    assert scores[1] is None  # the only pair has a word absent from the reference
    assert scores[2] is None  # a repeated word is not a pair
    assert npmi_coherence([["a", "b"]], []) == [None]


def test_npmi_counts_documents_not_occurrences():
    once = npmi_coherence([["a", "b"]], [["a", "b"], ["a"], ["c"]])
    repeated = npmi_coherence([["a", "b"]], [["a", "a", "b", "b"], ["a", "a"], ["c"]])
    assert once == repeated


def test_topic_diversity():
    assert topic_diversity([["a", "b"], ["b", "c"]]) == 0.75
    assert topic_diversity([["a", "b"], ["c", "d"]]) == 1.0
    assert topic_diversity([]) is None


# --------------------------------------------------------------------------- size rule


def test_clustering_settings_on_seed_size_match_the_measured_setting():
    s = clustering_settings(59, min_topic_size=4)
    assert (s.algorithm, s.n_neighbors, s.min_cluster_size, s.min_samples) == ("hdbscan", 8, 4, 1)


def test_clustering_settings_scale_with_the_corpus():
    s = clustering_settings(20_000, min_topic_size=4)
    assert (s.algorithm, s.n_neighbors, s.min_cluster_size, s.min_samples) == (
        "hdbscan",
        15,
        40,
        10,
    )
    s = clustering_settings(2_000, min_topic_size=10)
    assert (s.n_neighbors, s.min_cluster_size, s.min_samples) == (15, 10, 2)


def test_small_corpora_use_kmeans():
    s = clustering_settings(30, min_topic_size=4)
    assert (s.algorithm, s.n_clusters, s.n_neighbors) == ("kmeans", 3, 5)
    assert clustering_settings(MIN_PARAGRAPHS, min_topic_size=10).n_clusters == 2


def test_too_few_paragraphs_is_a_user_error():
    with pytest.raises(UserError, match=r"at least 20 paragraphs, got 19") as raised:
        clustering_settings(19, min_topic_size=MIN_TOPIC_SIZE)
    # the advice names what can help: more articles, and why ingest rejected the ones given
    assert "rejects.csv" in str(raised.value) and "fit_on: all" not in str(raised.value)


# --------------------------------------------------------------------------- seed-sized inputs


def _write_inputs(folder: Path, documents, paragraphs, classified) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {name: folder / f"{name}.parquet" for name in ("documents", "paragraphs", "classified")}
    documents.to_parquet(paths["documents"], index=False)
    paragraphs.to_parquet(paths["paragraphs"], index=False)
    classified.to_parquet(paths["classified"], index=False)
    return paths


def _run(inputs: dict[str, Path], out: Path, **kwargs):
    return run_topics(
        inputs["paragraphs"],
        inputs["classified"],
        inputs["documents"],
        topics_path=out / "topics.parquet",
        tables_dir=out / "tables",
        metrics_path=out / "topics.json",
        **kwargs,
    )


@pytest.fixture(scope="session")
def seed_frames(seed_inputs):
    return tuple(
        pd.read_parquet(seed_inputs[name]) for name in ("documents", "paragraphs", "classified")
    )


@pytest.fixture(scope="session")
def seed_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("embeddings")


@pytest.fixture(scope="session")
def seed_run(seed_inputs, seed_cache, tmp_path_factory):
    """One fit on the seeds (cache miss), shared by the tests below."""
    out = tmp_path_factory.mktemp("seed_run")
    return _run(seed_inputs, out, cache_dir=seed_cache), out


def test_seed_inputs_are_seed_sized(seed_frames):
    _, paragraphs, _ = seed_frames
    assert 40 <= len(paragraphs) <= 70
    assert any("kuala_lumpur" in stems for stems in paragraphs["stems"])


# --------------------------------------------------------------------------- input handling (fast)


def test_missing_input_file_names_the_file_and_the_stage(seed_inputs, tmp_path):
    with pytest.raises(UserError, match=r"nope\.parquet: not found; run the classify stage"):
        load_inputs(seed_inputs["paragraphs"], tmp_path / "nope.parquet", seed_inputs["documents"])
    inputs = dict(seed_inputs, classified=tmp_path / "nope.parquet")
    with pytest.raises(UserError, match=r"classified\.parquet: not found; run the classify stage"):
        _run(inputs, tmp_path / "out")  # the stage entry names its own input


def test_missing_column_is_a_user_error(seed_frames, tmp_path):
    documents, paragraphs, classified = seed_frames
    inputs = _write_inputs(tmp_path, documents, paragraphs.drop(columns="stems"), classified)
    with pytest.raises(UserError, match=r"missing column\(s\) stems"):
        _run(inputs, tmp_path / "out")


def test_too_few_paragraphs_stops_with_the_count(seed_frames, tmp_path):
    documents, paragraphs, classified = seed_frames
    inputs = _write_inputs(tmp_path, documents, paragraphs.head(15), classified)
    with pytest.raises(UserError, match=r"at least 20 paragraphs, got 15"):
        _run(inputs, tmp_path / "out", fit_on="all")


def test_paragraphs_of_unknown_documents_are_refused(seed_frames, tmp_path):
    documents, paragraphs, classified = seed_frames
    inputs = _write_inputs(tmp_path, documents.iloc[1:], paragraphs, classified)
    with pytest.raises(UserError, match=r"doc_id\(s\) not in"):
        _run(inputs, tmp_path / "out")


def test_unknown_fit_on_is_a_user_error(seed_inputs, tmp_path):
    with pytest.raises(UserError, match=r"topics.fit_on = 'everything'"):
        _run(seed_inputs, tmp_path, fit_on="everything")


# --------------------------------------------------------------------------- fitted on the seeds


def _themes_in_distinct_topics(candidates: dict[str, set[int]]) -> int:
    """Most themes that can each be given a different topic among its candidate topics."""
    names = list(candidates)
    for size in range(len(names), 0, -1):
        for subset in itertools.combinations(names, size):
            for choice in itertools.product(*(sorted(candidates[n]) for n in subset)):
                if len(set(choice)) == size:
                    return size
    return 0


def test_theme_matching_needs_distinct_topics():
    assert _themes_in_distinct_topics({"a": {0}, "b": {0}, "c": {1}}) == 2
    assert _themes_in_distinct_topics({"a": {0, 1}, "b": {0}, "c": {2}}) == 3
    assert _themes_in_distinct_topics({"a": set()}) == 0


@pytest.mark.slow
def test_seed_topics_are_recognisable(seed_run):
    result, _ = seed_run
    words = {
        row.topic: set(row.top_words.split())
        for row in result.topic_info.itertuples()
        if row.topic != -1
    }
    assert len(words) >= 3
    themes = {
        "sister city / Kuala Lumpur": {"kuala_lumpur", "sister_city"},
        "water / PAM Jaya": {"air_bersih", "pam_jaya"},
        "Banten / JAKI": {"banten", "jaki"},
        "waste / Bantar Gebang": {"bantar_gebang", "sampah"},
    }
    candidates = {name: {t for t, w in words.items() if cues & w} for name, cues in themes.items()}
    assert _themes_in_distinct_topics(candidates) >= 3, candidates  # each theme a topic of its own


@pytest.mark.slow
def test_multiword_stems_keep_their_underscore(seed_run):
    result, _ = seed_run
    listed = " ".join(result.topic_info["top_words"]).split()
    assert "kuala_lumpur" in listed
    assert not any(w in listed for w in ("kualalumpur", "sistercity", "pamjaya"))
    assert "kuala lumpur" in " ".join(result.topic_info["label"])  # labels are for reading
    # the readable label writes the name as the paragraphs do; the stem label stays lower case
    assert "Kuala Lumpur" in " ".join(result.topic_info["label_readable"])
    assert "Kuala Lumpur" in " ".join(result.topic_info["top_words_readable"])


@pytest.mark.slow
def test_outputs_follow_the_contract(seed_run, seed_frames):
    result, out = seed_run
    _, paragraphs, _ = seed_frames
    topics = pd.read_parquet(out / "topics.parquet")
    assert list(topics.columns)[:5] == [
        "para_id",
        "doc_id",
        "topic",
        "topic_label",
        "topic_label_readable",
    ]
    assert topics["topic"].dtype == np.int64
    assert sorted(topics["para_id"]) == sorted(paragraphs["para_id"])  # nobody lost
    assert topics["topic"].min() >= -1

    table = pd.read_csv(out / "tables" / "topics.csv")
    assert list(table.columns) == [
        "topic",
        "label",
        "label_readable",
        "size",
        "share",
        "top_words",
        "top_words_readable",
        "representative_para_id",
        "representative_text",
        "recurrence",
        "mean_jaccard",
        "mean_word_overlap",
        "stable",
    ]
    assert table["size"].sum() == len(topics)
    assert table["share"].sum() == pytest.approx(1.0, abs=1e-5)
    real = table[table["topic"] != -1]
    assert (real["representative_text"].str.len() <= 300).all()
    # the representative paragraph belongs to its topic
    members = dict(zip(topics["para_id"], topics["topic"]))
    assert all(members[p] == t for p, t in zip(real["representative_para_id"], real["topic"]))

    by_type = pd.read_csv(out / "tables" / "topics_by_coop_type.csv")
    assert set(by_type["coop_type"]) == {"agglomeration", "international", "none"}
    # shares are written with 6 significant digits
    assert by_type.groupby("coop_type")["share"].sum().tolist() == pytest.approx(
        [1.0] * 3, abs=1e-5
    )
    over_time = pd.read_csv(out / "tables" / "topics_over_time.csv")
    assert sorted(over_time["month"].unique()) == ["2025-04", "2025-07", "2025-08"]
    assert over_time["n_paragraphs"].sum() == len(topics)


@pytest.mark.slow
def test_metrics_record_settings_quality_and_baselines(seed_run):
    result, out = seed_run
    m = result.metrics
    assert m["n_topics"] == (result.topic_info["topic"] != -1).sum() >= 3
    expected = "hdbscan" if m["n_paragraphs_fitted"] >= KMEANS_BELOW else "kmeans"
    assert m["clustering"]["algorithm"] == expected
    assert m["clustering"]["n_neighbors"] == round(math.sqrt(m["n_paragraphs_fitted"]))
    assert m["fit_on_used"] == "relevant" and m["fallback"] is None
    assert 0 <= m["outlier_share_after_reduction"] <= m["outlier_share_before_reduction"] <= 1
    assert -1 <= m["coherence_npmi"] <= 1 and 0 < m["topic_diversity"] <= 1
    for name in ("lda", "nmf"):
        assert m["baselines"][name]["n_topics"] == m["n_topics"]
        assert -1 <= m["baselines"][name]["coherence_npmi"] <= 1
    assert (out / "topics.json").read_text(encoding="utf-8").startswith("{")
    # reassigned paragraphs were outliers that now have a topic
    assert (result.assignments.loc[result.assignments["reassigned"], "topic"] != -1).all()
    n_reassigned = int(result.assignments["reassigned"].sum())
    drop = m["outlier_share_before_reduction"] - m["outlier_share_after_reduction"]
    assert n_reassigned == round(drop * m["n_paragraphs_fitted"])


@pytest.mark.slow
def test_metrics_describe_the_seed_ensemble_and_the_published_run(seed_run):
    """topics.json: five seeds, the medoid's stability, and the topic table agree."""
    result, out = seed_run
    m = json.loads((out / "topics.json").read_text(encoding="utf-8"))
    ens = m["ensemble"]
    assert ens["n_seeds"] == 5 and ens["seeds"][0] == m["seed"] == 20250811
    assert len(set(ens["seeds"])) == 5 and len(ens["n_topics_per_seed"]) == 5
    assert ens["published_seed"] == ens["seeds"][ens["published_index"]]
    assert ens["n_topics_per_seed"][ens["published_index"]] == m["n_topics"]
    ari = np.asarray(ens["pairwise_ari"])
    assert ari.shape == (5, 5) and np.allclose(np.diag(ari), 1) and np.allclose(ari, ari.T)
    upper = ari[np.triu_indices(5, k=1)]
    assert ens["ari_mean"] == pytest.approx(upper.mean(), abs=1e-6)
    assert ens["ari_min"] <= ens["ari_mean"] <= ens["ari_max"] <= 1
    # the medoid has the highest mean ARI to the others
    means = (ari.sum(axis=1) - 1) / 4
    assert ens["published_mean_ari"] == pytest.approx(means.max(), abs=1e-6)
    assert ens["published_index"] == int(np.argmax(np.round(means, 6)))
    # per-topic stability: one entry per published topic, the same flags as topics.csv
    table = result.topic_info.set_index("topic")
    assert sorted(int(k) for k in m["topic_stability"]) == [t for t in table.index if t != -1]
    for topic, entry in m["topic_stability"].items():
        row = table.loc[int(topic)]
        assert entry["stable"] == bool(row["stable"]) == (entry["recurrence"] >= 0.5)
        assert entry["recurrence"] in (0, 0.25, 0.5, 0.75, 1.0)
    assert ens["n_topics_stable"] + ens["n_topics_unstable"] == m["n_topics"]
    assert ens["n_topics_stable"] == int(table.drop(index=-1, errors="ignore")["stable"].sum())


@pytest.mark.slow
def test_coherence_block_names_every_measure_for_every_model(seed_run):
    result, out = seed_run
    m = json.loads((out / "topics.json").read_text(encoding="utf-8"))
    block = m["coherence"]
    measures = ["c_npmi", "c_npmi_paragraph", "c_v", "npmi_document"]
    assert sorted(block["measures"]) == measures
    assert "document co-occurrence" in block["measures"]["npmi_document"]
    assert block["references"]["fit"]["n_paragraphs"] == m["n_paragraphs_fitted"]
    for model in ("bertopic", "lda", "nmf"):
        assert sorted(block[model]["fit"]) == measures
        assert len(block["by_topic"][model]["fit"]["c_v"]) == m["n_topics"]
        assert 0 < block[model]["fit"]["c_v"] <= 1
        assert -1 <= block[model]["fit"]["npmi_document"] <= 1
    # the old key is the named measure
    assert m["coherence_npmi"] == block["bertopic"]["fit"]["npmi_document"]
    assert m["baselines"]["nmf"]["coherence_npmi"] == pytest.approx(
        block["nmf"]["fit"]["npmi_document"], abs=1e-6
    )
    verdict = m["coherence_verdict"]
    gap = block["bertopic"]["fit"]["c_v"] - block["nmf"]["fit"]["c_v"]
    assert verdict["reference"] == "fit" and verdict["gap_c_v"] == pytest.approx(gap, abs=2e-6)
    # the published labels come from the re-ranked topic words
    assert m["topic_words"]["method"].startswith("centrality + coverage")


@pytest.mark.slow
def test_a_missing_reference_is_reported_and_a_present_one_scored(seed_inputs, tmp_path):
    """topics.reference_stems absent: the stage runs and says so; present: a scored reference."""
    missing = str(tmp_path / "nowhere" / "clickid_stems.parquet")
    result = _run(seed_inputs, tmp_path / "missing", n_seeds=2, reference_stems=missing)
    block = result.metrics["coherence"]
    assert block["references"]["reference"] == {"status": "not found", "path": missing}
    assert sorted(block["bertopic"]) == ["fit"]
    assert result.metrics["coherence_verdict"]["reference"] == "fit"
    assert result.metrics["ensemble"]["n_seeds"] == 2
    # the seeds' own paragraphs as a reference file: scored under "reference", same values as fit
    result = _run(
        seed_inputs, tmp_path / "present", n_seeds=2, reference_stems=str(seed_inputs["paragraphs"])
    )
    block = result.metrics["coherence"]
    info = block["references"]["reference"]
    assert info["file"] == seed_inputs["paragraphs"].name and len(info["sha256"]) == 64
    assert result.metrics["coherence_verdict"]["reference"] == "reference"
    assert block["bertopic"]["reference"]["c_v"] > 0


@pytest.mark.slow
def test_second_run_gives_identical_topics_and_files(seed_run, seed_inputs, tmp_path):
    """A second fit, without the embedding cache, reproduces the first byte for byte."""
    first, first_out = seed_run
    second = _run(seed_inputs, tmp_path, cache_dir=None)
    pd.testing.assert_frame_equal(first.assignments, second.assignments)
    assert first.topic_info["top_words"].tolist() == second.topic_info["top_words"].tolist()
    for rel in (
        "topics.parquet",
        "topics.json",
        "tables/topics.csv",
        "tables/topics_by_coop_type.csv",
        "tables/topics_over_time.csv",
    ):
        assert (first_out / rel).read_bytes() == (tmp_path / rel).read_bytes(), rel


@pytest.mark.slow
def test_embedding_cache_is_used_and_changes_nothing(seed_run, seed_inputs, seed_cache, tmp_path):
    first, first_out = seed_run
    cached = list(seed_cache.glob("*.npy"))
    assert [p.stem for p in cached] == [first.metrics["embedding_cache_key"]]
    before = cached[0].stat().st_mtime_ns
    _run(seed_inputs, tmp_path, cache_dir=seed_cache)
    assert cached[0].stat().st_mtime_ns == before  # read, not rewritten
    assert (first_out / "topics.json").read_bytes() == (tmp_path / "topics.json").read_bytes()
    assert (first_out / "topics.parquet").read_bytes() == (tmp_path / "topics.parquet").read_bytes()


@pytest.mark.slow
def test_fitted_model_assigns_new_paragraph_texts(seed_run, seed_frames):
    result, _ = seed_run
    _, paragraphs, _ = seed_frames
    sample = paragraphs.head(5)
    stem_docs = [" ".join(s) for s in sample["stems"]]
    model = result.model
    predicted, _ = model.transform(
        stem_docs, embeddings=model.embedding_model.embed(sample["text"].tolist())
    )
    assert len(predicted) == 5 and all(t >= -1 for t in predicted)


@pytest.mark.slow
def _fit_sample(seed_inputs, sample_size):
    """The topic model in sample mode, on fewer paragraphs than params.yaml allows (>= 100):
    the seeds have only 59, so the domain function is called with an unchecked section."""
    from analysis.core.config import Params
    from analysis.topics.model import fit_topics

    frame = load_inputs(
        seed_inputs["paragraphs"], seed_inputs["classified"], seed_inputs["documents"]
    )
    topics = TopicsParams.model_construct(fit_on="sample", sample_size=sample_size)
    return fit_topics(frame, topics, Params().seed, None)


def test_sample_mode_fits_a_sample_and_assigns_the_rest(seed_inputs, seed_frames, tmp_path):
    _, paragraphs, _ = seed_frames
    result = _fit_sample(seed_inputs, 40)
    m = result.metrics
    assert m["fit_on_used"] == "sample"
    assert (m["n_paragraphs_fitted"], m["n_paragraphs_assigned"]) == (40, len(paragraphs) - 40)
    assert m["clustering"]["algorithm"] == "kmeans"  # 40 paragraphs: below the HDBSCAN size
    assert result.assignments["fitted"].sum() == 40
    assert len(result.assignments) == len(paragraphs)
    again = _fit_sample(seed_inputs, 40)
    pd.testing.assert_frame_equal(result.assignments, again.assignments)


def test_relevant_falls_back_to_all_when_too_few(seed_frames, tmp_path):
    import analysis.topics.model as topics_module

    documents, paragraphs, classified = seed_frames
    classified = classified.copy()
    classified["coop_type"] = "none"
    first_doc = paragraphs["doc_id"].iloc[0]
    keep = (classified["level"] == "paragraph") & (classified["doc_id"] == first_doc)
    classified.loc[keep, "coop_type"] = "agglomeration"
    inputs = _write_inputs(tmp_path, documents, paragraphs, classified)
    frame = load_inputs(inputs["paragraphs"], inputs["classified"], inputs["documents"])
    fit, rest, info = topics_module.select_paragraphs(frame, "relevant", 20000, 1)
    n_relevant = int((paragraphs["doc_id"] == first_doc).sum())
    assert info["n_paragraphs_relevant"] == n_relevant < MIN_PARAGRAPHS
    assert info["fit_on_used"] == "all" and len(fit) == len(paragraphs) and rest.empty
    assert f"only {n_relevant} cooperation-relevant paragraphs" in info["fallback"]


def test_relevant_keeps_context_paragraphs_of_cooperation_documents(seed_frames, tmp_path):
    import analysis.topics.model as topics_module

    documents, paragraphs, classified = seed_frames
    classified = classified.copy()
    para = classified["level"] == "paragraph"
    classified.loc[para, "coop_type"] = "none"  # no paragraph cue fired…
    unrelated = documents["doc_id"].iloc[-1]
    classified.loc[classified["doc_id"] == unrelated, "coop_type"] = (
        "none"  # …and one doc is off-topic
    )
    documents = documents.copy()
    documents.loc[documents["doc_id"] == documents["doc_id"].iloc[0], "duplicate_of"] = unrelated
    inputs = _write_inputs(tmp_path, documents, paragraphs, classified)
    frame = load_inputs(inputs["paragraphs"], inputs["classified"], inputs["documents"])
    fit, _, info = topics_module.select_paragraphs(frame, "relevant", 20000, 1)
    duplicate = documents["doc_id"].iloc[0]
    assert duplicate not in set(fit["doc_id"]) and unrelated not in set(fit["doc_id"])
    expected = paragraphs[~paragraphs["doc_id"].isin([duplicate, unrelated])]
    assert sorted(fit["para_id"]) == sorted(expected["para_id"])
    assert info["n_paragraphs_duplicate_documents"] == int(
        (paragraphs["doc_id"] == duplicate).sum()
    )
    assert info["n_paragraphs_not_modelled"] == int((paragraphs["doc_id"] == unrelated).sum())


# --------------------------------------------------------------------------- figures


@pytest.mark.slow
def test_figures_are_returned_not_saved(seed_run):
    result, out = seed_run
    fig = plot_topic_sizes(result.topic_info)
    assert isinstance(fig, Figure)
    assert len(fig.axes[0].patches) == len(result.topic_info)
    table = pd.read_csv(out / "tables" / "topics_by_coop_type.csv")  # as the notebook reads it
    fig = plot_topics_by_coop_type(table)
    assert isinstance(fig, Figure)
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == [
        "agglomeration",
        "international",
        "not cooperation",
    ]


@pytest.mark.slow
def test_a_local_sentence_model_can_replace_tfidf_svd(seed_inputs, tmp_path):
    from test_embeddings import _tiny_sentence_model

    model_dir = _tiny_sentence_model(tmp_path / "tiny-model")
    result = _run(seed_inputs, tmp_path / "out", embedding=str(model_dir), cache_dir=None)
    assert result.metrics["embedding"] == str(model_dir)
    assert result.metrics["embedding_dimensions"] == 16
    assert result.metrics["n_topics"] >= 2
