"""The brief stage: metrics and figures in, the English and Indonesian PDF briefs out."""

from __future__ import annotations

from ..core.config import Params
from ..core.paths import ProjectPaths
from ..report.brief import build_briefs

__all__ = ["PARAMS", "run"]

#: What the brief prints from params.yaml (dvc.yaml declares every section: the commit it
#: prints must be refreshed whenever any pipeline input changes, see dvc.yaml).
PARAMS = ("compare",)


def run(params: Params, paths: ProjectPaths) -> None:
    """Build both briefs into ``reports/``."""
    build_briefs(
        reports_dir=paths.reports, template_dir=paths.brief_templates, params_file=paths.params_file
    )
