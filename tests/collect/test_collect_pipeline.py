"""From URLs to figures: a collection frozen with `dvc add` goes through `dvc repro`, offline.

In a temporary copy of the project: `dvc repro` leaves the frozen collect stage alone; the
stage, unfrozen and run explicitly as the README says, fetches the fixture articles from a
loopback server into data/collected; `dvc add data/collected` freezes the result; ingest.raw_dir
points at its articles; then `dvc repro`, with every connection off this machine refused, runs
every later stage unchanged and never runs the collect stage.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from collect_server import EXPECTED, LoopbackServer, serve_fixture_articles
from pipeline_utils import block_network, copy_project, pipeline_env, run, run_ok, set_params

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    copy = copy_project(tmp_path_factory.mktemp("collect-e2e") / "project")
    server = LoopbackServer()
    try:
        firsts = serve_fixture_articles(server)
        (copy / "urls.txt").write_text("\n".join(firsts.values()) + "\n", encoding="utf-8")
        set_params(
            copy,
            collect={
                "sources": ["urls.txt"],
                "out_dir": "data/collected",
                "contact": "uji@example.org",
                "min_delay": 0.0,
                "query": '"kerja sama"',
            },
        )
        stage_file = (copy / "data" / "collect" / "dvc.yaml").read_bytes()
        untouched = run(["dvc", "repro", "-P"], copy)  # frozen: skipped even with -P
        assert "Running stage 'data/collect/dvc.yaml:collect'" not in untouched.stdout
        run_ok(["dvc", "unfreeze", "data/collect/dvc.yaml:collect"], copy)
        collected = run(["dvc", "repro", "data/collect/dvc.yaml"], copy)
        run_ok(["dvc", "freeze", "data/collect/dvc.yaml:collect"], copy)
    finally:
        server.close()
    assert collected.returncode == 0, collected.stdout + collected.stderr
    assert (copy / "data" / "collect" / "dvc.yaml").read_bytes() == stage_file
    set_params(copy, ingest={"raw_dir": "data/collected/articles", "metadata_file": ""})
    run_ok(["dvc", "add", "data/collected"], copy)
    env = pipeline_env(copy, extra_path=block_network(copy.parent / "offline"))
    env["NETWORK_LOG"] = str(copy.parent / "network.log")
    repro = run(["dvc", "repro"], copy, env=env, timeout=1500)
    return copy, collected, repro


def test_the_collection_is_complete_and_its_parameters_recorded(project):
    copy, collected, _ = project
    assert f"{len(EXPECTED)} articles" in collected.stdout + collected.stderr
    assert (copy / "data" / "collected.dvc").is_file()
    lock = (copy / "data" / "collect" / "dvc.lock").read_text(encoding="utf-8")
    assert "contact: uji@example.org" in lock and "query: '\"kerja sama\"'" in lock


def test_dvc_repro_runs_every_later_stage_offline_and_skips_collect(project):
    copy, _, repro = project
    assert repro.returncode == 0, repro.stdout[-3000:] + repro.stderr[-3000:]
    assert "Running stage 'collect'" not in repro.stdout
    for stage in ("ingest", "preprocess", "classify", "topics", "compare", "render", "brief"):
        assert f"Running stage '{stage}'" in repro.stdout
    assert not (copy.parent / "network.log").exists()
    assert (copy / "reports" / "brief_en.pdf").is_file()


def test_the_analysis_reads_the_collected_articles(project):
    copy, _, _ = project
    docs = pd.read_parquet(copy / "data" / "processed" / "documents.parquet")
    assert len(docs) == len(EXPECTED)
    assert set(docs["title"]) == {a["title"] for a in EXPECTED.values()}
    assert docs["doc_id"].str.startswith("articles.jsonl.gz#").all()
    metrics = json.loads((copy / "reports" / "metrics" / "ingest.json").read_text())
    assert metrics["n_rejects"] == 0 and metrics["date_min"] == "2025-01-27"
    classified = pd.read_parquet(copy / "data" / "processed" / "classified.parquet")
    assert len(classified) > 0


def test_a_second_repro_is_a_no_op(project):
    copy, _, _ = project
    again = run(["dvc", "repro"], copy)
    assert again.returncode == 0
    assert "Running stage" not in again.stdout
