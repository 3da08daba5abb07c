"""A bad params.yaml stops `dvc repro` before any stage does work, with one message naming the
key and what is allowed, and no Python traceback.

The first stage of dvc.yaml (``params``) runs ``python3 src/stage.py params``; every other
stage depends on its stamp, so nothing else starts. DVC adds its own "failed to reproduce" line.
"""

from __future__ import annotations

import pytest
from pipeline_utils import copy_project, run, set_params

pytestmark = pytest.mark.slow

DVC_LINE = (
    "ERROR: failed to reproduce 'params': failed to run: python3 src/stage.py params, exited with 2"
)
TOPICS_KEYS = (
    "embedding (text), svd_components (a whole number >= 2 and <= 2000), "
    "min_topic_size (a whole number >= 2 and <= 100000), top_n_words (a whole number "
    ">= 3 and <= 100), fit_on (one of 'relevant', 'all', 'sample', 'online'), "
    "sample_size (a whole number >= 100 and <= 10000000), n_seeds (a whole number >= 1 and "
    "<= 50), reference_stems (text)"
)

CASES = {
    "unknown key": (
        {"topics": {"min_clustr_size": 5}},
        "error: params.yaml: unknown key 'topics.min_clustr_size'. Allowed keys in topics: "
        + TOPICS_KEYS,
    ),
    "wrong type": (
        {"compare": {"n_bootstrap": "many"}},
        "error: params.yaml: compare.n_bootstrap = 'many' is not allowed: Input should be a valid "
        "integer, unable to parse string as an integer (allowed: a whole number >= 100 and "
        "<= 1000000)",
    ),
    "negative min_topic_size": (
        {"topics": {"min_topic_size": -3}},
        "error: params.yaml: topics.min_topic_size = -3 is not allowed: Input should be greater "
        "than or equal to 2 (allowed: a whole number >= 2 and <= 100000)",
    ),
    "ci_level 1.5": (
        {"compare": {"ci_level": 1.5}},
        "error: params.yaml: compare.ci_level = 1.5 is not allowed: Input should be less than 1 "
        "(allowed: a number > 0.5 and < 1.0)",
    ),
    "n_jobs 0": (
        {"compute": {"n_jobs": 0}},
        "error: params.yaml: compute.n_jobs = 0 is not allowed: Input should be greater than or "
        "equal to 1 (allowed: a whole number >= 1 and <= 256)",
    ),
    "backend spark": (
        {"compute": {"backend": "spark"}},
        "error: params.yaml: compute.backend = 'spark' is not allowed: Input should be 'local' or "
        "'dask' (allowed: one of 'local', 'dask')",
    ),
    "missing raw_dir": (
        {"ingest": {"raw_dir": "data/no-such-folder"}},
        "error: params.yaml: ingest.raw_dir = 'data/no-such-folder' is not a directory (looked "
        "for {copy}/data/no-such-folder); point it at a folder of articles",
    ),
    "missing metadata_file": (
        {"ingest": {"metadata_file": "data/raw/meta.csv"}},
        "error: params.yaml: ingest.metadata_file = 'data/raw/meta.csv' is not a file (looked for "
        "{copy}/data/raw/meta.csv); name a metadata CSV (file,outlet,date,title,url) or set it to "
        '"" for none',
    ),
}


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    copy = copy_project(tmp_path_factory.mktemp("params") / "project")
    return copy, (copy / "params.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_params_stop_the_run_before_any_work_with_one_message(project, case):
    copy, original = project
    change, message = CASES[case]
    (copy / "params.yaml").write_text(original, encoding="utf-8")
    set_params(copy, **change)
    proc = run(["dvc", "repro"], copy)
    (copy / "params.yaml").write_text(original, encoding="utf-8")
    assert proc.returncode != 0
    # Exactly what the user sees on stderr: our message, then DVC's line.
    assert _lines(proc.stderr) == [message.format(copy=copy), DVC_LINE]
    assert _lines(proc.stdout) == ["Running stage 'params':", "> python3 src/stage.py params"]
    # Before any work: no stage output, no lock file, no executed notebook.
    assert not (copy / "data" / "processed").exists() or not any(
        (copy / "data" / "processed").iterdir()
    )
    assert not (copy / "reports").exists()
    assert not (copy / "dvc.lock").exists()
