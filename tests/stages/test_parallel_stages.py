"""Ingest, preprocess and classify write the same bytes for every backend and number of workers.

Each configuration runs the three stage functions into its own folder; batch sizes are cut to
two items so every run has several batches in flight and ordering is really exercised.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from pathlib import Path

import pytest
from stage_helpers import run_classify, run_ingest, run_preprocess

import analysis.classify.table as classify_module
import analysis.text.paragraphs as preprocess_module
import analysis.text.records as ingest_module
from analysis.core import runtime
from analysis.core.errors import UserError

OUTPUTS = ("documents.parquet", "rejects.csv", "paragraphs.parquet", "classified.parquet")


def _run_stages(
    raw_dir: Path,
    out: Path,
    lexicon_dir: Path,
    *,
    backend: str,
    n_jobs: int,
    scheduler: str = "",
    metadata_file: str | Path = "",
) -> dict:
    compute = {"backend": backend, "n_jobs": n_jobs, "dask_scheduler": scheduler}
    ingest = run_ingest(
        raw_dir,
        documents_path=out / "documents.parquet",
        rejects_path=out / "rejects.csv",
        metadata_file=metadata_file,
        lexicon_dir=lexicon_dir,
        **compute,
    )
    pre = run_preprocess(
        out / "documents.parquet",
        paragraphs_path=out / "paragraphs.parquet",
        lexicon_dir=lexicon_dir,
        **compute,
    )
    run_classify(
        out / "documents.parquet",
        out / "paragraphs.parquet",
        classified_path=out / "classified.parquet",
        lexicon_dir=lexicon_dir,
        **compute,
    )
    digests = {name: hashlib.sha256((out / name).read_bytes()).hexdigest() for name in OUTPUTS}
    return {"digests": digests, "ingest": ingest.metrics(), "preprocess": pre.metrics()}


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(ingest_module, "_BATCH", 2)
    monkeypatch.setattr(preprocess_module, "_DOC_BATCH", 2)
    monkeypatch.setattr(classify_module, "DOCUMENTS_PER_BATCH", 2)


@pytest.mark.slow
def test_seeds_give_identical_bytes_locally_in_a_pool_and_on_dask(
    raw_dir, lexicon_dir, tmp_path, small_batches
):
    runs = {}
    for backend, n_jobs in (("local", 1), ("local", 2), ("dask", 2)):
        out = tmp_path / f"{backend}{n_jobs}"
        runs[backend, n_jobs] = _run_stages(
            raw_dir,
            out,
            lexicon_dir,
            backend=backend,
            n_jobs=n_jobs,
            metadata_file=raw_dir / "metadata.csv",
        )
    reference = runs["local", 1]
    assert reference["ingest"]["n_unique_documents"] == 5
    assert reference["preprocess"]["n_paragraphs"] > 20
    for key, run in runs.items():
        assert run == reference, f"{key} differs from local with one process"


def _cluster(distributed, *, pinned: bool):
    """A two-worker cluster whose worker processes start in the pinned numeric environment
    (as `python -m analysis dask-worker` starts them) or in this process's own."""
    saved = dict(os.environ)
    if pinned:
        os.environ.update(runtime.pinned_environment())
    try:
        return distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="module")
def dask_scheduler():
    """The address of a two-worker cluster started here, as a researcher's cluster would be."""
    distributed = pytest.importorskip("distributed")
    with _cluster(distributed, pinned=True) as cluster:
        yield cluster.scheduler_address


@pytest.mark.slow
def test_an_existing_cluster_with_unpinned_workers_is_refused(raw_dir, lexicon_dir, tmp_path):
    distributed = pytest.importorskip("distributed")
    with _cluster(distributed, pinned=False) as cluster:
        with pytest.raises(
            UserError,
            match=r"2 worker\(s\) .* run without the pinned numeric "
            r"environment.*python -m analysis dask-worker",
        ):
            _run_stages(
                raw_dir,
                tmp_path / "out",
                lexicon_dir,
                backend="dask",
                n_jobs=2,
                scheduler=cluster.scheduler_address,
            )


@pytest.mark.slow
@pytest.mark.corpus
def test_clickid_sample_identical_on_an_existing_dask_cluster(
    clickid_path, lexicon_dir, tmp_path, dask_scheduler
):
    raw = tmp_path / "raw"
    raw.mkdir()
    with (
        gzip.open(clickid_path, "rt", encoding="utf-8") as src,
        gzip.open(raw / "first300.jsonl.gz", "wt", encoding="utf-8") as dst,
    ):
        for number, line in enumerate(src):
            if number == 300:
                break
            dst.write(line)
    local = _run_stages(raw, tmp_path / "local", lexicon_dir, backend="local", n_jobs=1)
    dask = _run_stages(
        raw, tmp_path / "dask", lexicon_dir, backend="dask", n_jobs=2, scheduler=dask_scheduler
    )
    assert local["ingest"]["n_inputs"] == 300
    assert local["preprocess"]["n_paragraphs"] > 1000
    assert dask == local
