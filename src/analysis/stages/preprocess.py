"""The preprocess stage: documents.parquet in, paragraphs.parquet (tokens, stems) and preprocess.json out."""

from __future__ import annotations

from ..core.config import Params
from ..core.io import RowGroupWriter, atomic_path, write_json
from ..core.parallel import progress
from ..core.paths import ProjectPaths
from ..core.schemas import paragraphs_schema
from ..text.lexicons import load_stem_lexicons
from ..text.paragraphs import (
    ROW_GROUP_ROWS,
    ParagraphCounts,
    PreprocessResult,
    check_documents,
    paragraph_batches,
)
from ..text.stem import Preprocessor

__all__ = ["PARAMS", "run"]

#: The params.yaml entries this stage reads (dvc.yaml declares the same).
PARAMS = ("compute", "preprocess")


def run(params: Params, paths: ProjectPaths) -> PreprocessResult:
    """Split, tokenise and stem every paragraph and write every output dvc.yaml declares.

    The paragraphs are written batch by batch as the workers return them, in document order,
    so memory does not grow with the corpus and the file is the same bytes for every
    ``compute`` setting.

    Args:
        params: the validated params.yaml (``preprocess``, ``compute``).
        paths: the project layout.

    Returns:
        The metrics, with the paragraphs readable on demand from the written file.
    """
    lexicons = load_stem_lexicons(paths.lexicons)
    pre = Preprocessor(lexicons, min_token_length=params.preprocess.min_token_length)
    n_kept, n_duplicates = check_documents(paths.documents)
    counts = ParagraphCounts()
    batches = paragraph_batches(
        paths.documents,
        lexicons=lexicons,
        min_token_length=pre.min_token_length,
        compute=params.compute,
    )
    with (
        progress(total=n_kept, desc="preprocess", unit=" documents") as bar,
        atomic_path(paths.paragraphs) as tmp,
    ):
        writer = RowGroupWriter(tmp, paragraphs_schema(), ROW_GROUP_ROWS)
        for batch, without, n_documents in batches:
            counts.add(batch, without)
            writer.write(batch)
            bar.update(n_documents)
        writer.close()
    result = PreprocessResult(
        counts.metrics(pre, n_kept=n_kept, n_duplicates=n_duplicates), path=paths.paragraphs
    )
    write_json(paths.metrics("preprocess"), result.metrics())
    return result
