"""params.yaml validation: the real file passes; each kind of mistake gets one clear message."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from analysis.core.config import ParamsError, check_stage, load_params, validate_section

ROOT = Path(__file__).resolve().parents[2]


def _write(tmp_path: Path, mutate) -> Path:
    params = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    mutate(params)
    (tmp_path / "data" / "raw").mkdir(parents=True, exist_ok=True)
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(params), encoding="utf-8")
    return path


def test_project_params_are_valid():
    params = load_params(ROOT / "params.yaml")
    assert params.ingest.raw_dir == "data/raw"
    assert params.compute.backend in {"local", "dask"}


def test_unknown_key_names_the_key_and_the_allowed_ones(tmp_path):
    path = _write(tmp_path, lambda p: p["topics"].update(min_clustr_size=5))
    with pytest.raises(ParamsError) as err:
        load_params(path)
    message = str(err.value)
    assert "unknown key 'topics.min_clustr_size'" in message
    assert "min_topic_size" in message  # the allowed keys are listed


def test_impossible_value_names_key_and_bound(tmp_path):
    path = _write(tmp_path, lambda p: p["topics"].update(min_topic_size=-3))
    with pytest.raises(
        ParamsError,
        match=r"topics\.min_topic_size = -3 is not allowed: .*greater than or equal to 2",
    ):
        load_params(path)


def test_wrong_type_is_reported(tmp_path):
    path = _write(tmp_path, lambda p: p["compare"].update(n_bootstrap="many"))
    with pytest.raises(ParamsError, match=r"compare\.n_bootstrap = 'many' is not allowed"):
        load_params(path)


def test_choice_lists_allowed_values(tmp_path):
    path = _write(tmp_path, lambda p: p["compute"].update(backend="spark"))
    with pytest.raises(ParamsError, match=r"compute\.backend = 'spark'.*'local' or 'dask'"):
        load_params(path)


def test_missing_raw_dir_is_reported(tmp_path):
    path = _write(tmp_path, lambda p: p["ingest"].update(raw_dir="no/such/folder"))
    with pytest.raises(ParamsError, match=r"ingest\.raw_dir = 'no/such/folder' is not a directory"):
        load_params(path)


def test_notebook_values_use_the_same_schema():
    with pytest.raises(ParamsError, match=r"compare\.ci_level = 1.5 is not allowed"):
        validate_section("compare", ci_level=1.5)
    assert validate_section("compare", ci_level=0.9).ci_level == 0.9


def test_cli_prints_one_line_and_exits_2_without_traceback(tmp_path):
    path = _write(tmp_path, lambda p: p["topics"].update(min_topic_size=-3))
    proc = subprocess.run(
        [sys.executable, "-m", "analysis", "params", "check", "--file", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: ")
    assert "topics.min_topic_size = -3" in proc.stderr


def test_a_named_metadata_file_must_exist(tmp_path):
    path = _write(tmp_path, lambda p: p["ingest"].update(metadata_file="data/raw/meta.csv"))
    with pytest.raises(
        ParamsError,
        match=r"ingest\.metadata_file = 'data/raw/meta\.csv' is not a "
        r"file .* or set it to \"\" for none",
    ):
        load_params(path)
    path = _write(tmp_path, lambda p: p["ingest"].update(metadata_file=""))
    (tmp_path / "data" / "annotations").mkdir(parents=True, exist_ok=True)
    assert load_params(path).ingest.metadata_file == ""


def test_gold_dir_must_exist(tmp_path):
    path = _write(tmp_path, lambda p: p["ingest"].update(metadata_file=""))
    with pytest.raises(
        ParamsError,
        match=r"classify\.gold_dir = 'data/annotations' is not a "
        r"directory",
    ):
        load_params(path)


def test_errors_say_what_is_allowed():
    with pytest.raises(ParamsError) as err:
        validate_section("compute", n_jobs=0)
    assert str(err.value) == (
        "params: compute.n_jobs = 0 is not allowed: Input should be greater "
        "than or equal to 1 (allowed: a whole number >= 1 and <= 256)"
    )
    with pytest.raises(
        ParamsError, match=r"fit_on \(one of 'relevant', 'all', 'sample', 'online'\)"
    ):
        validate_section("topics", min_clustr_size=3)


def _project(tmp_path, embedding: str) -> Path:
    path = _write(
        tmp_path,
        lambda p: (p["ingest"].update(metadata_file=""), p["topics"].update(embedding=embedding)),
    )
    (tmp_path / "data" / "annotations").mkdir(parents=True, exist_ok=True)
    return path


def test_topics_stage_checks_the_embedding_model_is_available_offline(tmp_path):
    path = _project(tmp_path, "models/minilm")
    load_params(path)  # optional input: not checked before the topics stage
    check_stage("ingest", path)
    with pytest.raises(
        ParamsError,
        match=r"topics\.embedding = 'models/minilm' is not available "
        r"offline: allowed values are 'tfidf-svd'",
    ):
        check_stage("topics", path)
    (tmp_path / "models" / "minilm").mkdir(parents=True)
    with pytest.raises(
        ParamsError, match=r"is a directory .* without a saved sentence-transformers"
    ):
        check_stage("topics", path)
    (tmp_path / "models" / "minilm" / "modules.json").write_text("[]", encoding="utf-8")
    assert check_stage("topics", path).topics.embedding == "models/minilm"
    with pytest.raises(ParamsError, match="unknown stage 'plot'"):
        check_stage("plot", path)


def test_the_builtin_embedding_name_matches_the_topics_stage():
    from analysis.core.config import TFIDF_SVD, TopicsParams

    # Read, not imported: importing analysis.topics.embeddings loads BERTopic (seconds).
    source = (ROOT / "src" / "analysis" / "topics" / "embeddings.py").read_text(encoding="utf-8")
    assert "from ..core.config import TFIDF_SVD\n" in source  # the one definition, imported
    assert "\nTFIDF_SVD = " not in source
    assert TopicsParams().embedding == TFIDF_SVD == "tfidf-svd"


def test_cli_stamp_is_written_only_after_a_passing_check(tmp_path):
    stamp = tmp_path / "out" / "params_check.json"
    bad = _write(tmp_path, lambda p: p["compare"].update(ci_level=1.5))
    args = [
        sys.executable,
        "-m",
        "analysis",
        "params",
        "check",
        "--file",
        str(bad),
        "--stamp",
        str(stamp),
    ]
    assert subprocess.run(args, capture_output=True, cwd=ROOT).returncode == 2
    assert not stamp.exists()
    good = _project(tmp_path, "tfidf-svd")
    args[args.index(str(bad))] = str(good)
    assert subprocess.run(args, capture_output=True, cwd=ROOT).returncode == 0
    assert (
        stamp.read_text(encoding="utf-8")
        == '{\n  "params_file": "params.yaml",\n  "valid": true\n}\n'
    )
