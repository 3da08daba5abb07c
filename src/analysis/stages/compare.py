"""The compare stage: the four stage tables in, comparison tables, figures (en, id) and compare.json out."""

from __future__ import annotations

from ..compare.scan import compare_parquet
from ..compare.tables import CompareResult
from ..core.codebook import CONTRAST
from ..core.config import Params
from ..core.io import write_csv, write_json
from ..core.paths import ProjectPaths
from ..report import figures_compare as fc
from ..report.figures import LANGUAGES, save_figure

__all__ = ["PARAMS", "run"]

#: The params.yaml entries this stage reads (dvc.yaml declares the same).
PARAMS = ("seed", "compare")


def run(params: Params, paths: ProjectPaths) -> CompareResult:
    """Compare the kinds of cooperation and write every output dvc.yaml declares for compare.

    Tables go to ``reports/tables/compare/<name>.csv``, the key numbers to compare.json,
    English figures to ``reports/figures/compare/<name>.{png,svg}`` and Indonesian ones to
    ``reports/figures/compare/id/``.

    Args:
        params: the validated params.yaml (``compare``, ``seed``).
        paths: the project layout.

    Returns:
        Tables, metrics, findings, the English figures and every file written.
    """

    # Read in Arrow batches of the columns compare uses (analysis.compare.scan): memory holds
    # a few bytes per document and the cooperation kinds' rows, not every paragraph.
    result = compare_parquet(
        paths.documents,
        paths.paragraphs,
        paths.classified,
        paths.topics,
        params.compare,
        params.seed,
    )
    tables_dir, figures_dir = paths.tables("compare"), paths.figures("compare")
    for name, table in sorted(result.tables.items()):
        result.written.append(write_csv(tables_dir / f"{name}.csv", table))
    result.written.append(write_json(paths.metrics("compare"), result.metrics))
    for lang in LANGUAGES:
        drawn = _figures(result, params, lang)
        out_dir = figures_dir if lang == "en" else figures_dir / lang
        for name, figure in drawn.items():
            result.written.extend(save_figure(figure, name, out_dir))
        if lang == "en":
            result.figures = drawn
    result.written.sort()
    return result


def _figures(result: CompareResult, params: Params, lang: str) -> dict:
    """The six compare figures in one language."""
    section, tables = params.compare, result.tables
    interval = {
        "ci_level": section.ci_level,
        "n_bootstrap": section.n_bootstrap,
        "min_bootstrap_docs": section.min_bootstrap_docs,
    }
    n_undated = int(result.metrics["corpus"]["n_undated"])
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
