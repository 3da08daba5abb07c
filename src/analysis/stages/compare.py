"""The compare stage: the four stage tables in, comparison tables, figures (en, id) and compare.json out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib as mpl
import pandas as pd

from ..compare.scan import compare_parquet
from ..compare.tables import CompareResult
from ..core.codebook import CONTRAST
from ..core.config import CompareParams, Params
from ..core.io import write_csv, write_json
from ..core.parallel import beside
from ..core.paths import ProjectPaths
from ..report import figures_compare as fc
from ..report.figures import LANGUAGES, save_figure

__all__ = ["PARAMS", "run"]

#: The params.yaml entries this stage reads (dvc.yaml declares the same).
PARAMS = ("seed", "compute.n_jobs", "compare")


def run(params: Params, paths: ProjectPaths) -> CompareResult:
    """Compare the kinds of cooperation and write every output dvc.yaml declares for compare.

    Tables go to ``reports/tables/compare/<name>.csv``, the key numbers to compare.json,
    English figures to ``reports/figures/compare/<name>.{png,svg}`` and Indonesian ones to
    ``reports/figures/compare/id/``.

    Args:
        params: the validated params.yaml (``compare``, ``seed``; ``compute.n_jobs`` > 1 draws
            the Indonesian figures in a second process).
        paths: the project layout.

    Returns:
        Tables, metrics, findings, the English figures and every file written.
    """

    # With n_jobs > 1 a worker process draws the Indonesian figures while this one scans the
    # tables and draws the English ones. It starts now, so its start-up overlaps the scan, and
    # gets this process's matplotlib settings: its files are the same bytes as when drawn here.
    settings = {key: value for key, value in mpl.rcParams.items()}
    with beside(params.compute.n_jobs > 1, setup=_worker_setup, setup_args=(settings,)) as other:
        # Read in Arrow batches of the columns compare uses (analysis.compare.scan): memory
        # holds a few bytes per document and the cooperation kinds' rows, not every paragraph.
        result = compare_parquet(
            paths.documents,
            paths.paragraphs,
            paths.classified,
            paths.topics,
            params.compare,
            params.seed,
        )
        tables_dir, figures_dir = paths.tables("compare"), paths.figures("compare")
        n_undated = int(result.metrics["corpus"]["n_undated"])
        translated = [
            other.submit(
                _draw_and_save, result.tables, params.compare, n_undated, lang, figures_dir / lang
            )
            for lang in LANGUAGES
            if lang != "en"
        ]
        for name, table in sorted(result.tables.items()):
            result.written.append(write_csv(tables_dir / f"{name}.csv", table))
        result.written.append(write_json(paths.metrics("compare"), result.metrics))
        result.figures = _figures(result.tables, params.compare, n_undated, "en")
        result.written.extend(_save_all(result.figures, figures_dir))
        for drawn in translated:
            result.written.extend(drawn())
    result.written.sort()
    return result


def _worker_setup(settings: dict[str, Any]) -> None:
    """The worker's matplotlib settings: the stage process's (rcParams as they were)."""
    import warnings

    with warnings.catch_warnings():  # deprecated keys are copied as they are, silently
        warnings.simplefilter("ignore")
        mpl.rcParams.update(settings)


def _draw_and_save(
    tables: dict[str, pd.DataFrame],
    section: CompareParams,
    n_undated: int,
    lang: str,
    out_dir: Path,
) -> list[Path]:
    """Draw the six figures in ``lang`` and save them to ``out_dir``; the files written."""
    return _save_all(_figures(tables, section, n_undated, lang), out_dir)


def _save_all(figures: dict, out_dir: Path) -> list[Path]:
    """Save each figure as ``<out_dir>/<name>.png`` and ``.svg``; the files written."""
    return [path for name, figure in figures.items() for path in save_figure(figure, name, out_dir)]


def _figures(
    tables: dict[str, pd.DataFrame], section: CompareParams, n_undated: int, lang: str
) -> dict:
    """The six compare figures in one language."""
    interval = {
        "ci_level": section.ci_level,
        "n_bootstrap": section.n_bootstrap,
        "min_bootstrap_docs": section.min_bootstrap_docs,
    }
    return {
        "coverage": fc.plot_coverage(tables["coverage_outlet"], lang=lang),
        "coverage_monthly": fc.plot_coverage_monthly(
            tables["coverage_monthly"], lang=lang, n_undated=n_undated
        ),
        "sectors": fc.plot_sector_shares(
            tables["sectors"], lang=lang, **interval, stories=tables.get("stories")
        ),
        "log_odds": fc.plot_log_odds(tables["log_odds"], lang=lang, groups=CONTRAST),
        "topics": fc.plot_topic_prevalence(tables["topic_prevalence"], lang=lang, **interval),
        "partners": fc.plot_partner_network(tables["partners"], focal=section.focal, lang=lang),
    }
