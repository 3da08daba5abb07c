"""Run one stage entry (``analysis.stages.<name>.run``) on given files, in a scratch project.

The stage entries read and write the project layout (``ProjectPaths``); tests keep their own
files. Each helper links the inputs into a scratch project, builds the params from keywords
(the schema's defaults for everything not named), runs the entry and copies the outputs to the
paths the test asked for. Scratch projects live in the system's temporary folder and are left
for it to clean: results read their tables from them lazily.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Any

from analysis.core.config import Params, params_from_sections
from analysis.core.paths import ProjectPaths

PROJECT_ROOT = Path(__file__).resolve().parents[1]
LEXICONS = PROJECT_ROOT / "data" / "lexicons"
ANNOTATIONS = PROJECT_ROOT / "data" / "annotations"

__all__ = [
    "make_params",
    "scratch_project",
    "run_ingest",
    "run_preprocess",
    "run_classify",
    "run_topics",
    "run_compare",
]


def make_params(**sections: Any) -> Params:
    """Validated params from sections given as dicts (``ingest={"min_words": 1}``)."""
    return params_from_sections(**sections)


def scratch_project(lexicon_dir: str | Path = LEXICONS, **inputs: str | Path) -> ProjectPaths:
    """A scratch project whose lexicons are ``lexicon_dir`` and whose stage inputs (by the
    ProjectPaths attribute: ``documents=...``) are links to the given files."""
    root = Path(tempfile.mkdtemp(prefix="stage-"))
    atexit.register(shutil.rmtree, root, True)
    paths = ProjectPaths(root)
    paths.lexicons.parent.mkdir(parents=True)
    paths.lexicons.symlink_to(Path(lexicon_dir).absolute(), target_is_directory=True)
    paths.processed.mkdir(parents=True)
    for name, source in inputs.items():
        getattr(paths, name).symlink_to(Path(source).absolute())
    return paths


def _compute(n_jobs: int, backend: str, dask_scheduler: str) -> dict:
    return {"n_jobs": n_jobs, "backend": backend, "dask_scheduler": dask_scheduler}


def _copy(source: Path, target: str | Path | None) -> None:
    if target is not None:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            shutil.copyfile(source, target)


def run_ingest(
    raw_dir: str | Path,
    *,
    documents_path: str | Path | None = None,
    rejects_path: str | Path | None = None,
    metadata_file: str | Path = "",
    lexicon_dir: str | Path = LEXICONS,
    n_jobs: int = 1,
    backend: str = "local",
    dask_scheduler: str = "",
    seed: int | None = None,
    **ingest: Any,
):
    """The ingest entry on ``raw_dir``; documents and rejects copied to the given paths."""
    from analysis.stages import ingest as stage

    sections = {
        "ingest": {
            "raw_dir": str(Path(raw_dir).absolute()),
            "metadata_file": str(Path(metadata_file).absolute()) if str(metadata_file) else "",
            **ingest,
        },
        "compute": _compute(n_jobs, backend, dask_scheduler),
    }
    if seed is not None:
        sections["seed"] = seed
    params = make_params(**sections)
    paths = scratch_project(lexicon_dir)
    result = stage.run(params, paths)
    _copy(paths.documents, documents_path)
    _copy(paths.rejects, rejects_path)
    return result


def run_preprocess(
    documents_path: str | Path,
    *,
    paragraphs_path: str | Path | None,
    lexicon_dir: str | Path = LEXICONS,
    n_jobs: int = 1,
    backend: str = "local",
    dask_scheduler: str = "",
    **preprocess: Any,
):
    """The preprocess entry on ``documents_path``; paragraphs copied to ``paragraphs_path``."""
    from analysis.stages import preprocess as stage
    from analysis.text.paragraphs import PreprocessResult

    params = make_params(preprocess=preprocess, compute=_compute(n_jobs, backend, dask_scheduler))
    paths = scratch_project(lexicon_dir, documents=documents_path)
    result = stage.run(params, paths)
    if paragraphs_path is None:
        return result
    _copy(paths.paragraphs, paragraphs_path)
    return PreprocessResult(result.stats, path=Path(paragraphs_path))


def run_classify(
    documents_path: str | Path,
    paragraphs_path: str | Path,
    *,
    classified_path: str | Path | None = None,
    lexicon_dir: str | Path = LEXICONS,
    n_jobs: int = 1,
    backend: str = "local",
    dask_scheduler: str = "",
    gold_dir: str | Path = ANNOTATIONS,
    clickid_path: str | Path = "",
):
    """The classify entry; classified.parquet copied to ``classified_path``. Returns the table."""
    from analysis.stages import classify as stage

    params = make_params(
        classify={"gold_dir": str(Path(gold_dir).absolute()), "clickid_path": str(clickid_path)},
        compute=_compute(n_jobs, backend, dask_scheduler),
    )
    paths = scratch_project(lexicon_dir, documents=documents_path, paragraphs=paragraphs_path)
    result = stage.run(params, paths)
    _copy(paths.classified, classified_path)
    return result.classified


def run_topics(
    paragraphs_path: str | Path,
    classified_path: str | Path,
    documents_path: str | Path,
    *,
    topics_path: str | Path | None = None,
    tables_dir: str | Path | None = None,
    metrics_path: str | Path | None = None,
    figures_dir: str | Path | None = None,
    cache_dir: str | Path | None = None,
    seed: int | None = None,
    **topics: Any,
):
    """The topics entry; outputs copied to the given paths (``cache_dir``: the embedding cache
    folder to use, kept between calls)."""
    from analysis.stages import topics as stage

    sections: dict[str, Any] = {"topics": topics}
    if seed is not None:
        sections["seed"] = seed
    paths = scratch_project(
        paragraphs=paragraphs_path, classified=classified_path, documents=documents_path
    )
    if cache_dir is not None:
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        paths.embeddings.symlink_to(Path(cache_dir).absolute(), target_is_directory=True)
    result = stage.run(make_params(**sections), paths)
    _copy(paths.topics, topics_path)
    _copy(paths.tables("topics"), tables_dir)
    _copy(paths.metrics("topics"), metrics_path)
    _copy(paths.figures("topics"), figures_dir)
    return result


def run_compare(
    documents_path: str | Path,
    paragraphs_path: str | Path,
    classified_path: str | Path,
    topics_path: str | Path,
    *,
    figures_dir: str | Path | None = None,
    tables_dir: str | Path | None = None,
    metrics_path: str | Path | None = None,
    seed: int | None = None,
    n_jobs: int | None = None,
    **compare: Any,
):
    """The compare entry; outputs copied to the given paths."""
    from analysis.stages import compare as stage

    sections: dict[str, Any] = {"compare": compare}
    if seed is not None:
        sections["seed"] = seed
    if n_jobs is not None:
        sections["compute"] = {"n_jobs": n_jobs}
    paths = scratch_project(
        documents=documents_path,
        paragraphs=paragraphs_path,
        classified=classified_path,
        topics=topics_path,
    )
    result = stage.run(make_params(**sections), paths)
    _copy(paths.figures("compare"), figures_dir)
    _copy(paths.tables("compare"), tables_dir)
    _copy(paths.metrics("compare"), metrics_path)
    return result
