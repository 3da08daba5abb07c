"""The topics stage: paragraphs and codings in, topics.parquet, topic tables, figures and topics.json out."""

from __future__ import annotations

import pandas as pd

from ..core.config import Params
from ..core.runtime import cache_numba

cache_numba()  # before UMAP is imported (by bertopic, through the topics modules below)

# ruff: noqa: E402
from ..core.io import atomic_path, write_csv, write_json
from ..core.paths import ProjectPaths
from ..report.figures import save_figure
from ..report.figures_topics import plot_topic_sizes, plot_topics_by_coop_type
from ..topics.inputs import read_inputs
from ..topics.model import TopicsResult, fit_selected
from ..topics.quality import Reference, read_reference
from ..topics.seed_runs import SeedWorkers
from ..topics.tables import with_readable_labels

__all__ = ["PARAMS", "run"]

#: The params.yaml entries this stage reads (dvc.yaml declares the same).
PARAMS = ("compute", "seed", "topics")
#: Rows per row group of topics.parquet (a smaller file is one row group).
ROW_GROUP_ROWS = 65_536


def run(params: Params, paths: ProjectPaths) -> TopicsResult:
    """Fit the topic model and write every output dvc.yaml declares for topics.

    Writes topics.parquet, ``reports/tables/topics/*.csv``, topics.json and the two figures in
    ``reports/figures/topics``; the embedding cache ``data/processed/embeddings`` is kept by
    the embedding step itself.

    Args:
        params: the validated params.yaml (``topics``, ``seed``, ``compute.n_jobs``: worker
            processes for the seed runs of a large fit).
        paths: the project layout.

    Returns:
        The fit, its tables and metrics; ``figures`` holds the two figures drawn.
    """
    # The seed workers start while paragraphs.parquet is read when the fit will need them.
    with SeedWorkers(params.compute.n_jobs, params.topics.n_seeds) as workers:
        fit, rest, selection, words = read_inputs(
            paths.paragraphs,
            paths.classified,
            paths.documents,
            params.topics.fit_on,
            params.topics.sample_size,
            params.seed,
            words=True,
            relevant_found=workers.start,
        )
        result = fit_selected(
            fit,
            rest,
            selection,
            params.topics,
            params.seed,
            paths.embeddings,
            _reference(params.topics.reference_stems, paths),
            workers=workers,
            keep_search_index=False,  # the stage never transforms with the returned model
        )
    del fit, rest
    # readable columns beside the stems (from the words read with the inputs, when they were)
    result = with_readable_labels(result, paths.paragraphs, words)
    del words
    write_row_groups(paths.topics, result.assignments)
    tables = paths.tables("topics")
    write_csv(tables / "topics.csv", result.topic_info)
    write_csv(tables / "topics_by_coop_type.csv", result.by_coop_type)
    write_csv(tables / "topics_over_time.csv", result.over_time)
    write_json(paths.metrics("topics"), result.metrics)
    # The heatmap shows the shares as the table file holds them (six significant digits).
    result.figures = {
        "topic_sizes": plot_topic_sizes(result.topic_info),
        "topics_by_coop_type": plot_topics_by_coop_type(
            pd.read_csv(tables / "topics_by_coop_type.csv"),
            set(result.topic_info.loc[~result.topic_info["stable"], "topic"].astype(int)),
        ),
    }
    for name, figure in result.figures.items():
        save_figure(figure, name, paths.figures("topics"))
    return result


def _reference(setting: str, paths: ProjectPaths) -> Reference | str | None:
    """The larger coherence reference: read when the file exists, else its path (reported)."""
    if not setting:
        return None
    path = paths.resolve(setting)
    return read_reference(path) if path.is_file() else setting


def write_row_groups(target, frame: pd.DataFrame, rows: int = ROW_GROUP_ROWS) -> None:
    """Write ``frame`` as Parquet in row groups of ``rows``, converting one group at a time.

    The bytes are those of ``core.io.write_parquet`` (pandas' ``to_parquet``: no index, zstd)
    for a frame of at most ``rows`` rows; a larger one differs only in its row-group layout.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    def table(start: int, schema=None):
        return pa.Table.from_pandas(
            frame.iloc[start : start + rows], schema=schema, preserve_index=False
        )

    with atomic_path(target) as tmp:
        first = table(0)
        with pq.ParquetWriter(tmp, first.schema, compression="zstd") as writer:
            writer.write_table(first)
            for start in range(rows, len(frame), rows):
                writer.write_table(table(start, first.schema))
