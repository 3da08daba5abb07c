"""The DVC experiment path the README shows: `dvc exp run -S`, `exp show`, `params diff`, `metrics diff`.

Runs in a committed copy of the seed pipeline (the session fixture ``seed_pipeline`` after its
`dvc repro`), so only the stages downstream of the changed parameter run.
"""

from __future__ import annotations

import json
import shutil

import pytest
from pipeline_utils import run_ok

from analysis.core.io import read_json
from analysis.report.headline import HEADLINE


@pytest.fixture(scope="module")
def experiment(seed_pipeline, tmp_path_factory):
    """A committed copy of the pipeline after `dvc exp run -S compare.ci_level=0.9`."""
    copy = tmp_path_factory.mktemp("experiment") / "project"
    shutil.copytree(seed_pipeline, copy, symlinks=True)
    for key, value in (("user.name", "Test"), ("user.email", "test@example.org")):
        run_ok(["git", "config", key, value], copy)
    run_ok(["git", "add", "-A"], copy)
    run_ok(["git", "commit", "-q", "-m", "baseline"], copy)
    baseline = read_json(copy / "reports" / "metrics" / "compare.json")
    log = run_ok(["dvc", "exp", "run", "-S", "compare.ci_level=0.9"], copy)
    return copy, baseline, log


@pytest.mark.slow
def test_exp_run_reruns_only_what_the_parameter_reaches(experiment):
    copy, baseline, log = experiment
    ran = {line.split("'")[1] for line in log.splitlines() if line.startswith("Running stage")}
    # params validates every section, so it reruns too (in a second); explore reads no compare
    # output and the upstream stages no compare parameter
    assert ran == {"params", "compare", "render", "brief"}, log
    compare = read_json(copy / "reports" / "metrics" / "compare.json")
    assert compare["parameters"]["ci_level"] == 0.9 and baseline["parameters"]["ci_level"] == 0.95
    # a 90 % interval lies inside the 95 % one, and is narrower for at least one sector share
    narrower = 0
    for coop, sectors in baseline["sectors"].items():
        for sector, wide in sectors.items():
            new = compare["sectors"][coop][sector]
            assert wide["ci_low"] <= new["ci_low"] <= new["ci_high"] <= wide["ci_high"]
            narrower += new["ci_high"] - new["ci_low"] < wide["ci_high"] - wide["ci_low"]
    assert narrower > 0


@pytest.mark.slow
def test_exp_show_params_diff_and_metrics_diff(experiment):
    copy, _, _ = experiment
    shown = json.loads(run_ok(["dvc", "exp", "show", "--json"], copy))
    experiments = [exp for row in shown for exp in (row.get("experiments") or [])]
    assert len(experiments) == 1
    revs = experiments[0]["revs"][0]["data"]
    assert revs["params"]["params.yaml"]["data"]["compare"]["ci_level"] == 0.9
    metric_files = set(revs["metrics"])
    assert metric_files == {f"reports/metrics/headline/{stage}.json" for stage in HEADLINE}

    params = json.loads(run_ok(["dvc", "params", "diff", "--json"], copy))["params.yaml"]
    assert list(params) == ["compare.ci_level"]
    assert (params["compare.ci_level"]["old"], params["compare.ci_level"]["new"]) == (0.95, 0.9)
    # the interval level changes no headline number (counts, F1, coherence): nothing to report
    assert json.loads(run_ok(["dvc", "metrics", "diff", "--json"], copy)) == {}
