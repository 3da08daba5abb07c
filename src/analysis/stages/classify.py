"""The classify stage: documents and paragraphs in, classified.parquet and the gold evaluation out."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from ..classify.evaluate import evaluate_gold, gold_doc_ids
from ..classify.rules import Classifier
from ..classify.stream import read_rows_of, write_classified
from ..classify.table import classified_frame
from ..core.config import Params
from ..core.io import write_json
from ..core.parallel import progress
from ..core.paths import ProjectPaths

__all__ = ["PARAMS", "ClassifyResult", "run"]

#: The params.yaml entries this stage reads (dvc.yaml declares the same): ``ingest.min_words``
#: because the gold clickid articles are cleaned as ingest cleans the corpus.
PARAMS = ("compute", "classify", "ingest.min_words")


@dataclass(frozen=True)
class ClassifyResult:
    """What the classify stage wrote, and the little of it the notebook shows.

    The coded table itself stays on disk (it grows with the corpus): :attr:`classified` reads it.
    """

    path: Path
    evaluation: dict
    #: documents per kind of cooperation, as ``value_counts()`` of the document rows
    document_counts: pd.Series
    #: the first document rows of the table (classified.parquet's columns, pandas dtypes)
    first_documents: pd.DataFrame
    n_documents: int

    @property
    def classified(self) -> pd.DataFrame:
        """The whole of classified.parquet as pandas (for tests and small corpora)."""
        return classified_frame(pq.read_table(self.path))


def run(params: Params, paths: ProjectPaths) -> ClassifyResult:
    """Code every document and paragraph, score the rules on the gold set, write both.

    classified.parquet is written part by part in bounded memory
    (:mod:`analysis.classify.stream`); the gold evaluation reads back the gold documents' rows.

    Args:
        params: the validated params.yaml (``classify``, ``compute``, ``ingest.min_words``).
        paths: the project layout.

    Returns:
        The output path, the content of classify.json and what the notebook shows.
    """
    classifier = Classifier.from_lexicons(paths.lexicons)
    section = params.classify
    with progress(desc="classify", unit=" documents") as bar:
        summary = write_classified(
            paths.documents,
            paths.paragraphs,
            paths.classified,
            classifier,
            params.compute,
            window_days=section.story_window_days,
            min_similarity=section.story_min_similarity,
            on_batch=bar.update,
        )
    gold_dir = paths.resolve(section.gold_dir)
    gold_rows = classified_frame(read_rows_of(paths.classified, gold_doc_ids(gold_dir)))
    evaluation = evaluate_gold(
        gold_rows,
        gold_dir,
        paths.resolve(section.clickid_path) if section.clickid_path else None,
        lexicon_dir=paths.lexicons,
        min_words=params.ingest.min_words,
    )
    write_json(paths.metrics("classify"), evaluation)
    first = summary.first_documents
    return ClassifyResult(
        path=paths.classified,
        evaluation=evaluation,
        document_counts=summary.document_counts(),
        first_documents=classified_frame(first),
        n_documents=summary.n_documents,
    )
