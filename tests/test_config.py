"""params.yaml validation: the real file passes; each kind of mistake gets one clear message."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from analysis.config import ParamsError, load_params, validate_section

ROOT = Path(__file__).resolve().parents[1]


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
    with pytest.raises(ParamsError, match=r"topics\.min_topic_size = -3 is not allowed: .*greater than or equal to 2"):
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
        capture_output=True, text=True, cwd=ROOT,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: ")
    assert "topics.min_topic_size = -3" in proc.stderr
