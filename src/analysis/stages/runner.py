"""Run one dvc.yaml stage by name: validate params.yaml, execute the stage, tidy its outputs."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..errors import UserError

__all__ = ["NOTEBOOK_STAGES", "STAGES", "notebook_parameters", "run_stage", "main"]

# Stages executed as notebooks (the notebook calls the stage's code and shows its results).
NOTEBOOK_STAGES = {"ingest": "01_ingest", "preprocess": "02_preprocess", "classify": "03_classify",
                   "topics": "04_topics", "compare": "05_compare"}
STAGES = ("params", *NOTEBOOK_STAGES, "explore", "render", "brief")


def notebook_parameters(stage: str, params: Any) -> dict[str, Any]:
    """The values Papermill passes to a stage notebook's ``parameters`` cell."""
    if stage in ("ingest", "preprocess", "classify"):
        compute = {"n_jobs": params.compute.n_jobs, "backend": params.compute.backend,
                   "dask_scheduler": params.compute.dask_scheduler}
    if stage == "ingest":
        p = params.ingest
        return {"raw_dir": p.raw_dir, "metadata_file": p.metadata_file,
                "lexicon_dir": "data/lexicons", "min_words": p.min_words,
                "near_duplicate_threshold": p.near_duplicate_threshold, **compute,
                "documents_path": "data/processed/documents.parquet",
                "rejects_path": "data/processed/rejects.csv",
                "metrics_path": "reports/metrics/ingest.json"}
    if stage == "preprocess":
        return {"documents_path": "data/processed/documents.parquet",
                "lexicon_dir": "data/lexicons",
                "min_token_length": params.preprocess.min_token_length, **compute,
                "paragraphs_path": "data/processed/paragraphs.parquet",
                "metrics_path": "reports/metrics/preprocess.json"}
    if stage == "classify":
        return {"documents_path": "data/processed/documents.parquet",
                "paragraphs_path": "data/processed/paragraphs.parquet",
                "lexicon_dir": "data/lexicons", "gold_dir": params.classify.gold_dir,
                "clickid_path": params.classify.clickid_path, **compute,
                "classified_path": "data/processed/classified.parquet",
                "metrics_path": "reports/metrics/classify.json"}
    if stage == "topics":
        p = params.topics
        return {"paragraphs_path": "data/processed/paragraphs.parquet",
                "classified_path": "data/processed/classified.parquet",
                "documents_path": "data/processed/documents.parquet",
                "embedding": p.embedding, "svd_components": p.svd_components,
                "min_topic_size": p.min_topic_size, "top_n_words": p.top_n_words,
                "fit_on": p.fit_on, "sample_size": p.sample_size, "seed": params.seed,
                "cache_dir": "data/processed/embeddings",
                "topics_path": "data/processed/topics.parquet",
                "tables_dir": "reports/tables/topics", "figures_dir": "reports/figures/topics",
                "metrics_path": "reports/metrics/topics.json"}
    if stage == "compare":
        p = params.compare
        return {"documents_path": "data/processed/documents.parquet",
                "paragraphs_path": "data/processed/paragraphs.parquet",
                "classified_path": "data/processed/classified.parquet",
                "topics_path": "data/processed/topics.parquet",
                "focal": p.focal, "n_bootstrap": p.n_bootstrap, "ci_level": p.ci_level,
                "top_terms": p.top_terms, "prior_scale": p.prior_scale,
                "min_bootstrap_docs": p.min_bootstrap_docs, "seed": params.seed,
                "figures_dir": "reports/figures/compare", "tables_dir": "reports/tables/compare",
                "metrics_path": "reports/metrics/compare.json"}
    raise UserError(f"{stage!r} is not a notebook stage; notebook stages are "
                    f"{', '.join(NOTEBOOK_STAGES)}")


def _run_notebook(stage: str, root: Path) -> None:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from ..config import check_stage
    from ..notebooks import clean_executed_notebook

    params = check_stage(stage, Path("params.yaml"))  # relative: messages name "params.yaml"
    name = NOTEBOOK_STAGES[stage]
    # Relative to the project root (the working directory): Papermill records both paths in
    # the executed notebook, which must not depend on where the project lives.
    output = Path("reports") / "notebooks" / f"{name}.ipynb"
    (root / output).parent.mkdir(parents=True, exist_ok=True)
    try:
        papermill.execute_notebook(
            str(Path("notebooks") / f"{name}.ipynb"), str(output),
            parameters=notebook_parameters(stage, params), kernel_name="python3",
            cwd=".", progress_bar=False, log_output=False,
        )
    except PapermillExecutionError as exc:
        if exc.ename in ("UserError", "ParamsError"):
            raise UserError(str(exc.evalue)) from None
        raise UserError(f"stage {stage} failed in cell {exc.exec_count} of {output} "
                        f"({exc.ename}: {exc.evalue}); the executed notebook shows the "
                        "traceback") from None
    clean_executed_notebook(output)


def _run_params(root: Path) -> None:
    from ..config import load_params
    from ..io import write_json

    load_params(Path("params.yaml"))
    # Constant content: stages that depend on the stamp rerun for their own params only.
    write_json(root / "data" / "processed" / "params_check.json",
               {"params_file": "params.yaml", "valid": True})


def _run_render(root: Path) -> None:
    from ..render import render_site

    render_site(root / "reports" / "notebooks", index_title="Indonesian urban cooperation in the news")


def _run_explore(root: Path) -> None:
    from ..config import load_params
    from ..report.explore import run_explore

    run_explore(root / "data" / "processed", root / "reports" / "tables" / "topics",
                root / "reports" / "explore" / "index.html",
                labels_path=root / "data" / "lexicons" / "labels_figures.csv",
                seed=load_params(root / "params.yaml").seed)


def _run_brief(root: Path) -> None:
    from ..brief import build_briefs

    build_briefs(reports_dir=root / "reports", template_dir=root / "templates" / "brief",
                 params_file=root / "params.yaml")


def run_stage(stage: str, root: str | Path) -> None:
    """Run one stage of dvc.yaml in the project at ``root``.

    Raises:
        UserError: an unknown stage, invalid params.yaml, or a stage that failed.
    """
    root = Path(root).resolve()
    os.chdir(root)
    simple: dict[str, Callable[[Path], None]] = {
        "params": _run_params, "explore": _run_explore, "render": _run_render,
        "brief": _run_brief}
    if stage in simple:
        simple[stage](root)
    elif stage in NOTEBOOK_STAGES:
        _run_notebook(stage, root)
    else:
        raise UserError(f"unknown stage {stage!r}; stages are {', '.join(STAGES)}")


def main(argv: Sequence[str], root: str | Path) -> int:
    """``src/stage.py NAME``: run one stage; a user error is one line on stderr, exit 2."""
    if len(argv) != 1:
        print(f"usage: python3 src/stage.py STAGE  (one of {', '.join(STAGES)})", file=sys.stderr)
        return 2
    try:
        run_stage(argv[0], root)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
