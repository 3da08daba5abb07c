"""`dvc metrics show` prints the headline numbers only: a few per stage, read from the full files."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from analysis.core.io import read_json
from analysis.core.paths import ANALYSIS_STAGES, ProjectPaths
from analysis.report.headline import (
    HEADLINE,
    MAX_HEADLINE_COLUMNS,
    headline,
    headline_columns,
    write_headline,
)

ROOT = Path(__file__).resolve().parents[2]
PATHS = ProjectPaths(ROOT)
DVC_YAML = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
DVC = str(Path(sys.executable).parent / "dvc")

_MAPPING = {
    "classify": {
        "f1": "documents.heldout.macro_f1",
        "n": "documents.heldout.n",
        "first": "sizes.0",
        "story_f1": "documents.heldout3.macro_f1",
    }
}


def _declared(stage: dict, kind: str) -> dict[str, dict]:
    """path -> options of a stage's ``outs`` or ``metrics`` entries."""
    found = {}
    for entry in stage.get(kind, []):
        path, options = next(iter(entry.items())) if isinstance(entry, dict) else (entry, None)
        found[path] = options or {}
    return found


def test_headline_picks_the_named_numbers_and_shows_missing_ones_as_null():
    metrics = {"documents": {"heldout": {"macro_f1": 0.75, "n": 28}}, "sizes": [7, 3]}
    assert headline("classify", metrics, _MAPPING) == {
        "f1": 0.75,
        "n": 28,
        "first": 7,
        "story_f1": None,
    }
    # null and NaN in the full file are missing too
    metrics["documents"]["heldout"] = {"macro_f1": float("nan"), "n": None}
    assert headline("classify", metrics, _MAPPING) == {
        "f1": None,
        "n": None,
        "first": 7,
        "story_f1": None,
    }
    assert headline("classify", {}, _MAPPING) == dict.fromkeys(_MAPPING["classify"])


@pytest.mark.parametrize("value", ["0.5", [0.5], {"macro_f1": 0.5}, True])
def test_a_path_to_something_other_than_a_number_is_a_mapping_error(value):
    metrics = {"documents": {"heldout": {"macro_f1": value, "n": 1}}, "sizes": [1]}
    with pytest.raises(TypeError, match=r"classify\.f1: documents\.heldout\.macro_f1"):
        headline("classify", metrics, _MAPPING)


def test_write_headline_writes_the_flat_file_dvc_reads(tmp_path):
    full = tmp_path / "topics.json"
    full.write_text(
        json.dumps(
            {
                "n_topics": 4,
                "coherence_npmi": -0.0561666666,
                "baselines": {"nmf": {"coherence_npmi": 0.36687}},
            }
        )
    )
    target = write_headline("topics", full, tmp_path / "headline" / "topics.json")
    written = read_json(target)
    assert list(written) == sorted(HEADLINE["topics"])  # sorted keys, like every metrics file
    assert written["topics"] == 4 and written["npmi"] == -0.056167  # rounded as write_json does
    assert written["npmi_nmf"] == 0.36687 and written["c_v_nmf"] is None


@pytest.mark.parametrize("stage", sorted(HEADLINE))
def test_every_headline_path_is_a_number_in_the_committed_metrics(stage):
    """A misspelt path would silently print "-" for ever: every one resolves on the committed
    reports (the bundled corpus with the clickid gold articles present)."""
    values = headline(stage, read_json(PATHS.metrics(stage)))
    assert all(isinstance(v, (int, float)) for v in values.values()), values


def test_the_committed_headline_numbers_are_the_expected_ones():
    """Spot values of the committed reports, so a wrong path to another number fails too."""
    assert headline("compare", read_json(PATHS.metrics("compare"))) == {
        "agglomeration": 2,
        "domestic_other": 0,
        "international": 3,
        "none": 0,
        # the two Jakarta-Kuala Lumpur articles report one visit; every seed article is confident
        "agglomeration_stories": 2,
        "international_stories": 2,
        "confident_articles": 5,
    }
    assert headline("ingest", read_json(PATHS.metrics("ingest")))["documents"] == 5
    classify = read_json(PATHS.metrics("classify"))
    assert (
        headline("classify", classify)["heldout_f1"]
        == classify["documents"]["heldout_all"]["macro_f1"]
    )


def test_dvc_yaml_declares_only_the_headline_files_as_metrics():
    assert set(HEADLINE) == set(ANALYSIS_STAGES)
    for stage in ANALYSIS_STAGES:
        metrics, outs = _declared(DVC_YAML[stage], "metrics"), _declared(DVC_YAML[stage], "outs")
        rel_headline = PATHS.headline(stage).relative_to(ROOT).as_posix()
        rel_full = PATHS.metrics(stage).relative_to(ROOT).as_posix()
        assert metrics == {rel_headline: {"cache": False}}, stage
        assert outs[rel_full] == {"cache": False}, stage  # still written and committed
    others = [
        name
        for name, stage in DVC_YAML.items()
        if name not in ANALYSIS_STAGES and stage.get("metrics")
    ]
    assert not others


def test_dvc_metrics_show_prints_at_most_30_columns(tmp_path):
    """The real `dvc metrics show --json` on headline files made from the committed reports."""
    assert len(headline_columns()) <= MAX_HEADLINE_COLUMNS == 30
    shutil.copy(ROOT / "dvc.yaml", tmp_path / "dvc.yaml")
    shutil.copy(ROOT / "params.yaml", tmp_path / "params.yaml")
    subprocess.run([DVC, "init", "--no-scm", "-q"], cwd=tmp_path, check=True)
    copy = ProjectPaths(tmp_path)
    for stage in ANALYSIS_STAGES:
        write_headline(stage, PATHS.metrics(stage), copy.headline(stage))
    proc = subprocess.run(
        [DVC, "metrics", "show", "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    shown = json.loads(proc.stdout)[""]["data"]
    assert set(shown) == {
        copy.headline(s).relative_to(tmp_path).as_posix() for s in ANALYSIS_STAGES
    }
    columns = {key for entry in shown.values() for key in entry["data"]}
    assert columns == set(headline_columns())
    assert len(columns) <= MAX_HEADLINE_COLUMNS
    compare = shown["reports/metrics/headline/compare.json"]["data"]
    assert compare["international"] == 3
    table = subprocess.run(
        [DVC, "metrics", "show"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert table.splitlines()[0].split()[0] == "Path" and len(table.splitlines()) == 6
