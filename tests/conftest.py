"""Shared pytest fixtures: project paths, the bundled seeds and the optional clickid corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests: bounded example counts are set per test; CI runs are derandomised so a
# failure reproduces exactly (set HYPOTHESIS_PROFILE=dev to explore with fresh examples).
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CLICKID_PATH = Path(
    os.environ.get(
        "CLICKID_PATH", PROJECT_ROOT.parent / "shared" / "corpora" / "clickid" / "articles.jsonl.gz"
    )
)


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    """The bundled corpus (the five seed articles + metadata.csv); read-only for tests."""
    return PROJECT_ROOT / "data" / "raw"


@pytest.fixture(scope="session")
def lexicon_dir() -> Path:
    return PROJECT_ROOT / "data" / "lexicons"


@pytest.fixture(scope="session")
def clickid_path() -> Path:
    """The 23k-article clickid corpus beside the project; tests that need it skip without it."""
    if not CLICKID_PATH.is_file():
        pytest.skip(f"clickid corpus not found at {CLICKID_PATH}")
    return CLICKID_PATH


@pytest.fixture(scope="session")
def seed_pipeline(tmp_path_factory) -> Path:
    """A copy of the project (no reports, no dvc.lock) after one `dvc repro` on the seed corpus.

    Shared by the end-to-end tests (tests/pipeline_utils.py): one full run per test session.
    """
    from pipeline_utils import copy_project, run_ok

    copy = copy_project(tmp_path_factory.mktemp("project"))
    run_ok(["dvc", "repro"], copy)
    return copy


@pytest.fixture(scope="session")
def seed_inputs(raw_dir, lexicon_dir, tmp_path_factory):
    """The bundled seeds through the ingest, preprocess and classify stage entries (no DVC):
    documents, paragraphs and classified parquet paths for the topics tests."""
    from stage_helpers import run_classify, run_ingest, run_preprocess

    folder = tmp_path_factory.mktemp("seed_inputs")
    paths = {name: folder / f"{name}.parquet" for name in ("documents", "paragraphs", "classified")}
    run_ingest(
        raw_dir,
        documents_path=paths["documents"],
        rejects_path=folder / "rejects.csv",
        metadata_file=raw_dir / "metadata.csv",
        lexicon_dir=lexicon_dir,
    )
    run_preprocess(paths["documents"], paragraphs_path=paths["paragraphs"], lexicon_dir=lexicon_dir)
    run_classify(
        paths["documents"],
        paths["paragraphs"],
        classified_path=paths["classified"],
        lexicon_dir=lexicon_dir,
    )
    return paths
