"""The render stage: the executed notebooks in, standalone HTML pages and an index out."""

from __future__ import annotations

from ..core.config import Params
from ..core.paths import SITE_TITLE, ProjectPaths
from ..report.render import render_site

__all__ = ["PARAMS", "run"]

#: The render stage reads no params.
PARAMS: tuple[str, ...] = ()


def run(params: Params, paths: ProjectPaths) -> None:
    """Render every executed notebook of ``reports/notebooks`` and the index beside them."""
    render_site(paths.executed_notebooks, index_title=SITE_TITLE)
