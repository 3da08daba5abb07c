"""The render stage: the executed notebooks in, standalone HTML pages and an index out."""

from __future__ import annotations

from ..core.config import Params
from ..core.paths import SITE_TITLE, ProjectPaths
from ..report.render import render_site
from ..report.site_summary import site_summary

__all__ = ["PARAMS", "run"]

#: The index prints the brief's key findings, which use the compare section.
PARAMS: tuple[str, ...] = ("compare",)


def run(params: Params, paths: ProjectPaths) -> None:
    """Render every executed notebook of ``reports/notebooks``, the index and the glossary."""
    summary = site_summary(paths.reports, paths.brief_templates, paths.params_file)
    render_site(paths.executed_notebooks, index_title=SITE_TITLE, summary=summary)
