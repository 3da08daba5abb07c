"""The ingest stage: the articles of ``ingest.raw_dir`` in, documents.parquet, rejects.csv and ingest.json out."""

from __future__ import annotations

from ..core.config import Params
from ..core.io import write_csv, write_json, write_parquet
from ..core.paths import ProjectPaths
from ..text.documents import IngestResult, ingest_documents

__all__ = ["PARAMS", "run"]

#: The params.yaml entries this stage reads (dvc.yaml declares the same).
PARAMS = ("seed", "compute", "ingest")


def run(params: Params, paths: ProjectPaths) -> IngestResult:
    """Clean every input article and write every output dvc.yaml declares for ingest.

    Args:
        params: the validated params.yaml (``ingest``, ``compute``; ``seed`` for MinHash).
        paths: the project layout (lexicons in, ``data/processed`` and ``reports`` out).

    Returns:
        The documents and rejects tables as written.
    """
    section = params.ingest
    metadata = section.metadata_file
    result = ingest_documents(
        paths.resolve(section.raw_dir),
        metadata_file=paths.resolve(metadata) if metadata.strip() else None,
        lexicon_dir=paths.lexicons,
        ingest=section,
        compute=params.compute,
        seed=params.seed,
    )
    write_parquet(paths.documents, result.documents)
    write_csv(paths.rejects, result.rejects)
    write_json(paths.metrics("ingest"), result.metrics())
    return result
