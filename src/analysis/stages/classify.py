"""The classify stage: documents and paragraphs in, classified.parquet and the gold evaluation out."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..classify.evaluate import evaluate_gold
from ..classify.rules import Classifier
from ..classify.table import (
    classified_batches,
    classified_frame,
    read_classify_inputs,
    with_stories,
)
from ..core.config import Params
from ..core.io import atomic_path, write_json
from ..core.parallel import progress
from ..core.paths import ProjectPaths
from ..core.schemas import classified_schema

__all__ = ["PARAMS", "ClassifyResult", "run"]

#: The params.yaml entries this stage reads (dvc.yaml declares the same): ``ingest.min_words``
#: because the gold clickid articles are cleaned as ingest cleans the corpus.
PARAMS = ("compute", "classify", "ingest.min_words")


@dataclass(frozen=True)
class ClassifyResult:
    """What the classify stage wrote: the coded table and the gold evaluation."""

    classified: pd.DataFrame
    evaluation: dict


def run(params: Params, paths: ProjectPaths) -> ClassifyResult:
    """Code every document and paragraph, score the rules on the gold set, write both.

    Args:
        params: the validated params.yaml (``classify``, ``compute``, ``ingest.min_words``).
        paths: the project layout.

    Returns:
        classified.parquet as a DataFrame and the content of classify.json.
    """
    kept, paragraphs = read_classify_inputs(paths.documents, paths.paragraphs)
    classifier = Classifier.from_lexicons(paths.lexicons)
    batches: list[pa.RecordBatch] = []
    with progress(total=kept.num_rows, desc="classify", unit=" documents") as bar:
        for batch in classified_batches(kept, paragraphs, classifier, params.compute):
            batches.append(batch)
            bar.update(int(pc.sum(pc.equal(batch.column("level"), "document")).as_py() or 0))
    arrow = pa.Table.from_batches(batches, schema=classified_schema())
    arrow = with_stories(
        arrow,
        kept,
        paragraphs,
        window_days=params.classify.story_window_days,
        min_similarity=params.classify.story_min_similarity,
    )
    # An explicit Arrow schema, so an input without any partner still writes list<string>
    # (write_parquet would let Arrow infer list<null>); atomic like every stage output.
    with atomic_path(paths.classified) as tmp:
        pq.write_table(arrow, tmp, compression="zstd")
    classified = classified_frame(arrow)
    section = params.classify
    evaluation = evaluate_gold(
        classified,
        paths.resolve(section.gold_dir),
        paths.resolve(section.clickid_path) if section.clickid_path else None,
        lexicon_dir=paths.lexicons,
        min_words=params.ingest.min_words,
    )
    write_json(paths.metrics("classify"), evaluation)
    return ClassifyResult(classified, evaluation)
