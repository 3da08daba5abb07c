"""The project's folders and files, derived once from its root, and the pipeline's stage names."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "PROJECT_ROOT",
    "STAGES",
    "NOTEBOOKS",
    "ANALYSIS_STAGES",
    "SITE_TITLE",
    "ProjectPaths",
    "default_paths",
]

# src/analysis/core/paths.py -> the project root (the folder holding params.yaml).
PROJECT_ROOT = Path(__file__).resolve().parents[3]

# Every dvc.yaml stage, in pipeline order, and the notebook each analysis stage executes.
NOTEBOOKS: dict[str, str] = {
    "ingest": "01_ingest",
    "preprocess": "02_preprocess",
    "classify": "03_classify",
    "topics": "04_topics",
    "compare": "05_compare",
}
ANALYSIS_STAGES: tuple[str, ...] = tuple(NOTEBOOKS)
STAGES: tuple[str, ...] = ("params", *ANALYSIS_STAGES, "explore", "render", "brief")
#: The title of the rendered notebook site (reports/notebooks/index.html).
SITE_TITLE = "Indonesian urban cooperation in the news"


@dataclass(frozen=True)
class ProjectPaths:
    """Where every stage reads and writes, derived once from one project root.

    The stage runner makes the project root the working directory and uses ``root = "."``, so
    the paths recorded in outputs (executed notebooks, reject details, messages) never say
    where the project lives; tests and tools may anchor the same layout anywhere.

    Attributes:
        root: the project root (the folder holding params.yaml); every other attribute is a
            file or folder below it.
    """

    root: Path
    params_file: Path = field(init=False)
    lexicons: Path = field(init=False)
    notebooks: Path = field(init=False)
    brief_templates: Path = field(init=False)
    processed: Path = field(init=False)
    params_check: Path = field(init=False)
    documents: Path = field(init=False)
    rejects: Path = field(init=False)
    paragraphs: Path = field(init=False)
    classified: Path = field(init=False)
    topics: Path = field(init=False)
    embeddings: Path = field(init=False)
    reports: Path = field(init=False)
    executed_notebooks: Path = field(init=False)
    explorer: Path = field(init=False)

    def __post_init__(self) -> None:
        root = Path(self.root)
        processed = root / "data" / "processed"
        layout = {
            "root": root,
            "params_file": root / "params.yaml",
            "lexicons": root / "data" / "lexicons",
            "notebooks": root / "notebooks",
            "brief_templates": root / "templates" / "brief",
            "processed": processed,
            "params_check": processed / "params_check.json",
            "documents": processed / "documents.parquet",
            "rejects": processed / "rejects.csv",
            "paragraphs": processed / "paragraphs.parquet",
            "classified": processed / "classified.parquet",
            "topics": processed / "topics.parquet",
            "embeddings": processed / "embeddings",
            "reports": root / "reports",
            "executed_notebooks": root / "reports" / "notebooks",
            "explorer": root / "reports" / "explore" / "index.html",
        }
        for name, path in layout.items():
            object.__setattr__(self, name, path)

    @classmethod
    def at(cls, root: str | Path) -> ProjectPaths:
        """The layout of the project whose root is ``root``."""
        return cls(Path(root))

    def resolve(self, relative: str | Path) -> Path:
        """A path from params.yaml (relative to the project root), as seen from here."""
        return self.root / relative

    def notebook(self, stage: str) -> Path:
        """The source notebook of an analysis stage (``notebooks/01_ingest.ipynb``)."""
        return self.notebooks / f"{NOTEBOOKS[stage]}.ipynb"

    def executed_notebook(self, stage: str) -> Path:
        """Where the stage runner writes a stage's executed notebook."""
        return self.executed_notebooks / f"{NOTEBOOKS[stage]}.ipynb"

    def metrics(self, stage: str) -> Path:
        """``reports/metrics/<stage>.json``."""
        return self.reports / "metrics" / f"{stage}.json"

    def headline(self, stage: str) -> Path:
        """``reports/metrics/headline/<stage>.json``: the few numbers `dvc metrics show` prints."""
        return self.reports / "metrics" / "headline" / f"{stage}.json"

    def figures(self, stage: str) -> Path:
        """``reports/figures/<stage>`` (one folder per stage: one DVC output each)."""
        return self.reports / "figures" / stage

    def tables(self, stage: str) -> Path:
        """``reports/tables/<stage>``."""
        return self.reports / "tables" / stage


def default_paths() -> ProjectPaths:
    """The layout of the project this package belongs to (used when no root is given)."""
    return ProjectPaths(PROJECT_ROOT)
