"""The params stage: validate all of params.yaml before any stage works, and leave a stamp."""

from __future__ import annotations

from ..core.config import Params
from ..core.io import write_json
from ..core.paths import ProjectPaths

__all__ = ["PARAMS", "run"]

#: The params stage checks every section.
PARAMS = ("seed", "compute", "ingest", "preprocess", "classify", "topics", "compare", "explore")


def run(params: Params, paths: ProjectPaths) -> None:
    """Write the stamp every stage waits for (``params`` was validated on loading).

    The stamp's content is constant, so the stages that depend on it rerun for their own
    params only.
    """
    write_json(paths.params_check, {"params_file": "params.yaml", "valid": True})
