"""Rerun the topics stage of a prepared project several times and check that it writes the same bytes.

The topics stage is seeded and runs in the pinned numeric environment, so every rerun on the
same inputs must write the same topics.parquet and topics.json. This script checks that at a
scale the test suite cannot reach (100k and 1M generated articles, see docs/scaling.md): it runs
``python3 src/stage.py topics`` in the project ``--runs`` times, prints the SHA-256 of both files,
the number of topics and the run's wall time, and exits with status 1 when any two runs differ.

Usage (a project made by ``benchmarks/profile_stages.py prepare`` whose pipeline has run up
to classify)::

    python benchmarks/topics_rerun.py --project /tmp/p100k --runs 3

The project's own ``src`` is what runs; copy this checkout's ``src`` into it first to test
this checkout's code (``--sync-src``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

from _common import ROOT, add_project_argument, commit_id, run_timed

OUTPUTS = ("data/processed/topics.parquet", "reports/metrics/topics.json")
#: The stage's tables, compared too (one digest over the folder's files in name order).
TABLES = "reports/tables/topics"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def tables_digest(project: Path) -> str:
    """One SHA-256 over every file of the topics tables folder, in name order."""
    digest = hashlib.sha256()
    for path in sorted((project / TABLES).iterdir()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def run_once(project: Path) -> dict:
    """One run of the topics stage in ``project``; its output digests, topic count and time."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    _, wall = run_timed(
        [sys.executable, "src/stage.py", "topics"],
        cwd=project,
        env=env,
        what=f"the topics stage in {project}",
    )
    metrics = json.loads((project / OUTPUTS[1]).read_text(encoding="utf-8"))
    return {
        "digests": [_digest(project / name) for name in OUTPUTS] + [tables_digest(project)],
        "n_topics": metrics["n_topics"],
        "wall_s": round(wall, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_project_argument(parser)
    parser.add_argument("--runs", type=int, default=3, help="how many times to run (default 3)")
    parser.add_argument(
        "--sync-src",
        action="store_true",
        help="replace the project's src with this checkout's first",
    )
    args = parser.parse_args(argv)
    project = args.project.resolve()
    if not (project / "src" / "stage.py").is_file():
        parser.error(f"{project} is not a prepared project (no src/stage.py)")
    if args.runs < 2:
        parser.error("--runs must be at least 2 to compare runs")
    if args.sync_src:
        shutil.rmtree(project / "src")
        shutil.copytree(ROOT / "src", project / "src")
    print(f"commit {commit_id()}, project {project}")
    results = []
    for number in range(1, args.runs + 1):
        result = run_once(project)
        results.append(result)
        print(
            f"run {number}: topics.parquet {result['digests'][0]}, topics.json "
            f"{result['digests'][1]}, tables {result['digests'][2]}, {result['n_topics']} topics, {result['wall_s']} s",
            flush=True,
        )
    distinct = {tuple(r["digests"]) for r in results}
    print("identical" if len(distinct) == 1 else f"DIFFERENT: {len(distinct)} distinct results")
    return 0 if len(distinct) == 1 else 1


if __name__ == "__main__":
    raise SystemExit(main())
