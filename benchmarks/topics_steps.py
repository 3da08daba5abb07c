"""Time the topics stage of a prepared project step by step, with its fits in or out of worker processes.

Runs the stage's ``run`` (it writes the stage's outputs, as ``python3 src/stage.py topics``
does) in one pinned process and prints the stage's own seconds per step (``TopicsResult.timings``)
and the total. ``--parallel-from`` overrides ``analysis.topics.seed_runs.PARALLEL_FROM``: a huge
value keeps every fit in the stage's process, 0 sends even a small fit to the worker pool.
Wrap it in ``/usr/bin/time`` for CPU time and peak memory::

    /usr/bin/time -f "%e s wall %U user %S sys %M KB" \\
        python benchmarks/topics_steps.py --project /tmp/p1m --parallel-from 1000000000
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from _common import add_project_argument


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_project_argument(parser)
    parser.add_argument(
        "--parallel-from",
        type=int,
        default=None,
        help="fitted paragraphs from which the fits use worker processes",
    )
    args = parser.parse_args(argv)
    if not (args.project / "params.yaml").is_file():
        parser.error(f"{args.project} has no params.yaml")

    from analysis.core.runtime import ensure_pinned

    ensure_pinned()  # re-executes this script in the pinned environment, as src/stage.py does
    import analysis.stages.topics as stage
    import analysis.topics.seed_runs as seed_runs
    from analysis.core.config import load_params
    from analysis.core.paths import ProjectPaths

    if args.parallel_from is not None:
        seed_runs.PARALLEL_FROM = args.parallel_from
    os.chdir(args.project)
    params = load_params("params.yaml")
    started = time.perf_counter()
    result = stage.run(params, ProjectPaths(Path(".")))
    steps = ", ".join(f"{name} {seconds:.1f}" for name, seconds in result.timings.items())
    print(f"steps (s): {steps}; stage total {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
