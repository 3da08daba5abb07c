"""The whole pipeline (`dvc repro`) on a hostile corpus, offline, in a temporary copy.

``ingest.raw_dir`` points at the corpus of tests/hostile_corpus.py (seven real Indonesian
articles behind hostile names and encodings, and files that break pipelines), made read-only.
Every Python process of the run (dvc, papermill, the notebook kernels, the brief) gets a
``sitecustomize`` that refuses any connection or name lookup off this machine. Checked: every
input is accounted for, nothing in the input folder changes, no pickle is loaded, no network
is used, the rendered pages contain no script from an article, and no CSV cell the pipeline
writes can run as a spreadsheet formula.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import hostile_corpus
import pandas as pd
import pytest
from pipeline_utils import (
    block_network,
    copy_project,
    make_read_only,
    pipeline_env,
    run,
    set_params,
    tree_fingerprint,
)

pytestmark = pytest.mark.slow

RAW = "data/hostile"


@pytest.fixture(scope="module")
def hostile_pipeline(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile-e2e")
    copy = copy_project(base / "project")
    canary = base / "PICKLE_WAS_LOADED"
    expected = hostile_corpus.build(copy / RAW, dvc_safe=True, canary=canary)
    make_read_only(copy / RAW)
    # n_bootstrap at its minimum: the intervals are not what this test is about.
    set_params(copy, ingest={"raw_dir": RAW, "metadata_file": ""}, compare={"n_bootstrap": 100})
    before = tree_fingerprint(copy / RAW)
    env = pipeline_env(copy, extra_path=block_network(base / "offline"))
    network_log = base / "network.log"
    env["NETWORK_LOG"] = str(network_log)
    proc = run(["dvc", "repro"], copy, env=env)
    assert proc.returncode == 0, f"dvc repro failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}"
    return {
        "copy": copy,
        "expected": expected,
        "before": before,
        "canary": canary,
        "network_log": network_log,
        "env": env,
        "output": proc.stdout + proc.stderr,
    }


def test_every_input_is_a_document_or_a_reject(hostile_pipeline):
    copy, expected = hostile_pipeline["copy"], hostile_pipeline["expected"]
    metrics = json.loads((copy / "reports/metrics/ingest.json").read_text(encoding="utf-8"))
    docs = pd.read_parquet(copy / "data/processed/documents.parquet")
    rejects = pd.read_csv(copy / "data/processed/rejects.csv", dtype=str, keep_default_na=False)
    assert metrics["n_inputs"] == sum(expected.values()) == 47
    assert metrics["n_documents"] == len(docs) == 12  # 2 of them flagged as duplicates
    assert metrics["n_rejects"] == len(rejects) == 35
    assert metrics["n_unique_documents"] == 10
    # rejects.csv guards file names that start like a formula: undo that to compare names.
    names = pd.concat(
        [
            docs["source_file"],
            rejects["source_file"].str.replace(r"^'(?=[=+\-@\t\r])", "", regex=True),
        ]
    )
    assert names.value_counts().to_dict() == expected
    assert not [line for line in hostile_pipeline["output"].splitlines() if "Traceback" in line]


def test_later_stages_keep_every_unique_document(hostile_pipeline):
    copy = hostile_pipeline["copy"]
    docs = pd.read_parquet(copy / "data/processed/documents.parquet")
    unique = docs[docs["duplicate_of"].isna()]
    paragraphs = pd.read_parquet(copy / "data/processed/paragraphs.parquet")
    classified = pd.read_parquet(copy / "data/processed/classified.parquet")
    assert set(paragraphs["doc_id"]) == set(unique["doc_id"])
    assert set(classified.loc[classified["level"] == "document", "doc_id"]) == set(unique["doc_id"])
    blocks = sum(len(text.split("\n\n")) for text in unique["text"])
    assert len(paragraphs) == blocks >= hostile_corpus.n_paragraphs()
    compare = json.loads((copy / "reports/metrics/compare.json").read_text(encoding="utf-8"))
    assert compare["corpus"]["n_documents"] == len(unique)


def test_the_input_folder_is_untouched_and_no_pickle_was_loaded(hostile_pipeline):
    copy = hostile_pipeline["copy"]
    assert tree_fingerprint(copy / RAW) == hostile_pipeline["before"]
    assert not hostile_pipeline["canary"].exists()


def test_no_network_was_used(hostile_pipeline):
    log = hostile_pipeline["network_log"]
    assert not log.exists() or log.read_text(encoding="utf-8") == ""
    # The guard is really active in the run's environment: a lookup is refused and logged.
    probe = subprocess.run(
        ["python", "-c", "import socket; socket.create_connection(('example.org', 80), timeout=5)"],
        env=hostile_pipeline["env"],
        capture_output=True,
        text=True,
    )
    assert probe.returncode != 0 and "blocked by the test harness" in probe.stderr
    assert "example.org" in log.read_text(encoding="utf-8")
    log.unlink()


class _Page(HTMLParser):
    """Scripts, event handlers and script URLs in a page, and its visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.handlers: list[str] = []
        self.script_urls: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed"):
            self.scripts.append(tag)
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append(f"{tag} {name}={value}")
            if value and re.sub(r"[\s\x00-\x1f]", "", value).lower().startswith(
                ("javascript:", "vbscript:", "data:text/html")
            ):
                self.script_urls.append(f"{tag} {name}={value}")

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def test_rendered_pages_run_no_script_from_an_article(hostile_pipeline):
    pages = sorted((hostile_pipeline["copy"] / "reports/notebooks").glob("*.html"))
    assert [p.name for p in pages] == [
        "01_ingest.html",
        "02_preprocess.html",
        "03_classify.html",
        "04_topics.html",
        "05_compare.html",
        "glossary.html",
        "index.html",
    ]
    shown = ""
    for page in pages:
        parsed = _Page()
        parsed.feed(page.read_text(encoding="utf-8"))
        assert not parsed.scripts, page.name
        assert not parsed.handlers, page.name
        assert not parsed.script_urls, page.name
        shown += "".join(parsed.text)
    # The hostile title, file name and text did reach the pages, as visible text.
    assert hostile_corpus.SCRIPT_TITLE in shown
    assert "onerror=alert(13)" in shown
    assert "<script>alert(8)</script>" in shown


def _csv_cells(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


def _number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


def test_no_csv_cell_can_run_as_a_formula(hostile_pipeline):
    copy = hostile_pipeline["copy"]
    tables = sorted((copy / "data/processed").glob("*.csv")) + sorted(
        (copy / "reports/tables").rglob("*.csv")
    )
    assert len(tables) > 10
    cells = {path.relative_to(copy).as_posix(): _csv_cells(path) for path in tables}
    dangerous = {
        name: [c for c in found if c[:1] in ("=", "+", "-", "@", "\t", "\r") and not _number(c)]
        for name, found in cells.items()
    }
    assert not {name: found for name, found in dangerous.items() if found}
    # The hostile values did reach tables, guarded with a leading apostrophe.
    every = [c for found in cells.values() for c in found]
    assert "'=SUM(1+1).docx" in every and "'=cmd.pickle" in every  # rejects.csv
    assert "'@evil" in every  # the outlet, in the compare tables
