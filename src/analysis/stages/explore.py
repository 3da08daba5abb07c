"""The explore stage: the offline explorer page (topics and coded articles with their evidence)."""

from __future__ import annotations

from ..core.config import Params
from ..core.paths import ProjectPaths
from ..report.explore import run_explore

__all__ = ["PARAMS", "run"]

#: The seed picks the sample of articles coded none whose text the page carries and, above
#: ``explore.max_listed_articles``, the sample of uncoded articles the page lists.
PARAMS: tuple[str, ...] = ("seed", "explore")


def run(params: Params, paths: ProjectPaths) -> None:
    """Write ``reports/explore/index.html`` from the stage outputs."""
    run_explore(
        paths.processed,
        paths.tables("topics"),
        paths.explorer,
        labels_path=paths.lexicons / "labels_figures.csv",
        seed=params.seed,
        max_listed=params.explore.max_listed_articles,
    )
