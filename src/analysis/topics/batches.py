"""Paragraphs in Arrow batches: the reader, the paragraphs assigned after the fit, their assignment."""

# A corpus of a million articles has about eight million paragraphs; their texts, stems and
# embeddings do not fit in memory together. The model is fitted on a subset (the relevant
# paragraphs or a sample), and the other paragraphs are read, embedded and assigned one batch at
# a time. Every step of the assignment treats each paragraph on its own (the TF-IDF→SVD
# projection, UMAP's transform with its per-point random state, HDBSCAN's approximate_predict,
# c-TF-IDF outlier reduction), except two things UMAP's transform takes from all the points of
# one call: the number of optimisation epochs (100 up to 10,000 points, else 30) and the largest
# edge weight, by which every weight is divided. Both are set to those of one call over all the
# paragraphs (``_umap_as_one_call``, ``_strongest_point``), so the topics do not depend on the
# batch size. (With 4,096 fitted paragraphs or more, UMAP finds neighbours with pynndescent,
# whose random restarts run on across the points of a call; a paragraph whose search needs one
# could then get other neighbours in a batch than in one call.)

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.io import iter_stage_batches

__all__ = ["PARAGRAPH_BATCH", "record_batches", "stem_docs", "RestParagraphs", "assign_rest"]

#: Paragraphs read, embedded and assigned at a time.
PARAGRAPH_BATCH = 20_000
# UMAP.transform optimises for 100 epochs when given at most this many points, else for 30.
_UMAP_SMALL_TRANSFORM = 10_000


def record_batches(
    path: str | Path, columns: Sequence[str], producer: str, batch_size: int = PARAGRAPH_BATCH
) -> Iterator:
    """Yield the ``columns`` of a stage's Parquet file as Arrow record batches, one at a time.

    Only the current batch is referenced by the reader (a generator over pyarrow's batch
    reader), so a caller that keeps nothing holds at most ``batch_size`` rows.

    Raises:
        UserError: the file is missing, unreadable or lacks a column (the message names the
            stage to rerun; ``core.io.iter_stage_batches``).
    """
    yield from iter_stage_batches(path, producer, columns, batch_rows=batch_size)


def stem_docs(stems) -> list[str]:
    """Each paragraph's stems joined by spaces (a null list is an empty document)."""
    return [" ".join(str(s) for s in row) if row is not None else "" for row in stems]


class RestParagraphs:
    """The paragraphs assigned after the fit: ids and groups held, text and stems in batches.

    Args:
        frame: one row per paragraph in output order (``para_id, doc_id, para_index,
            coop_type, month`` at least). With ``source`` it has a ``row`` column, the
            paragraph's position in that file, and needs no text; without, it holds ``text``
            and ``stem_doc`` itself (the one-shot path of :func:`~analysis.topics.model.fit_topics`).
        source: paragraphs.parquet to read ``text`` and ``stems`` from, batch by batch.
        batch_size: paragraphs per batch.
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        source: str | Path | None = None,
        batch_size: int = PARAGRAPH_BATCH,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.frame = frame.reset_index(drop=True)
        self.source = Path(source) if source is not None else None
        self.batch_size = batch_size

    def __len__(self) -> int:
        return len(self.frame)

    def batches(self, with_text: bool = True) -> Iterator[tuple[np.ndarray, list[str], list[str]]]:
        """``(positions in frame, texts, stem documents)`` per batch (texts empty if not asked).

        From a file, batches follow the file's row order (each paragraph once); the positions
        say where each belongs.
        """
        if self.source is None:
            for start in range(0, len(self.frame), self.batch_size):
                part = self.frame.iloc[start : start + self.batch_size]
                texts = part["text"].tolist() if with_text else []
                yield np.arange(start, start + len(part)), texts, part["stem_doc"].tolist()
            return
        if not len(self.frame):
            return
        rows = self.frame["row"].to_numpy(dtype=np.int64)
        where = np.full(int(rows.max()) + 1, -1, dtype=np.int64)
        where[rows] = np.arange(len(rows))
        columns = ["text", "stems"] if with_text else ["stems"]
        offset = 0
        for batch in record_batches(self.source, columns, "preprocess", self.batch_size):
            span = np.arange(offset, offset + batch.num_rows)
            offset += batch.num_rows
            span = span[span < len(where)]
            keep = np.flatnonzero(where[span] >= 0)
            if not len(keep):
                continue
            picked = batch.take(keep)
            texts = (
                [t if t is not None else "" for t in picked.column("text").to_pylist()]
                if with_text
                else []
            )
            yield where[span[keep]], texts, stem_docs(picked.column("stems").to_pylist())


@contextlib.contextmanager
def _umap_as_one_call(model, n_points: int) -> Iterator[None]:
    """Make UMAP's transform use the epochs one call over ``n_points`` points would use."""
    umap_model = getattr(model, "umap_model", None)
    if not hasattr(umap_model, "n_epochs") or umap_model.n_epochs is not None:
        yield
        return
    # transform runs int(n_epochs // 3) epochs when n_epochs is set
    umap_model.n_epochs = 3 * (100 if n_points <= _UMAP_SMALL_TRANSFORM else 30)
    try:
        yield
    finally:
        umap_model.n_epochs = None


def _strongest_point(model, vectors, positions: np.ndarray, batch_size: int) -> int | None:
    """The paragraph with the largest edge weight UMAP's transform gives any of ``positions``.

    UMAP's transform divides every edge weight by the largest one among the points of the call
    (to drop weak edges and to schedule the optimisation); appending this paragraph to every
    batch makes that largest weight the one of a single call over all of them. Its own result is
    dropped. None when the model has no UMAP transform graph (nothing to align).
    """
    umap_model = getattr(model, "umap_model", None)
    if getattr(umap_model, "transform_mode", None) != "embedding" or not len(positions):
        return None
    best, where = -np.inf, None
    umap_model.transform_mode = "graph"  # the transform stops after the weighted graph
    try:
        for start in range(0, len(positions), batch_size):
            chosen = positions[start : start + batch_size]
            graph = umap_model.transform(np.asarray(vectors[chosen]))
            if graph.nnz and graph.data.max() > best:
                best = graph.data.max()
                where = int(chosen[graph.row[int(np.argmax(graph.data))]])
    finally:
        umap_model.transform_mode = "embedding"
    return where


def assign_rest(
    model,
    embed: Callable[[list[str]], np.ndarray],
    rest: RestParagraphs,
    reduce_outliers: Callable[[object, list[str], list[int]], list[int]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Embed and assign the paragraphs of ``rest`` with the fitted ``model``, batch by batch.

    First pass: embeddings into a scratch file on disk, so that what UMAP's transform takes
    from all the points of one call (their number and their largest edge weight) is known.
    Second pass: ``model.transform`` and outlier reduction per batch of stem documents, each
    batch with the paragraph of the largest edge weight appended (its result dropped).

    Returns:
        ``(has_content, raw_topics, topics)`` in the order of ``rest.frame``; paragraphs
        without content (a zero embedding) are outliers (-1) in both topic arrays.
    """
    n = len(rest)
    has_content = np.zeros(n, dtype=bool)
    raw = np.full(n, -1, dtype=np.int64)
    reduced = np.full(n, -1, dtype=np.int64)
    if not n:
        return has_content, raw, reduced
    with tempfile.TemporaryDirectory(prefix="topics-embeddings-") as scratch:
        vectors = None
        for positions, texts, _ in rest.batches(with_text=True):
            part = embed(texts)
            if vectors is None:
                vectors = np.lib.format.open_memmap(
                    Path(scratch) / "rest.npy",
                    mode="w+",
                    dtype=np.float64,
                    shape=(n, part.shape[1]),
                )
            vectors[positions] = part
            has_content[positions] = np.linalg.norm(part, axis=1) > 0
        strongest = _strongest_point(model, vectors, np.flatnonzero(has_content), rest.batch_size)
        extra = [] if strongest is None else [strongest]
        with _umap_as_one_call(model, int(has_content.sum())):
            for positions, _, docs in rest.batches(with_text=False):
                ok = has_content[positions]
                if not ok.any():
                    continue
                chosen = positions[ok]
                kept_docs = [doc for doc, keep in zip(docs, ok) if keep]
                predicted, _ = model.transform(
                    kept_docs + [""] * len(extra),
                    embeddings=np.asarray(vectors[np.concatenate([chosen, extra])]),
                )
                first = [int(t) for t in predicted[: len(chosen)]]
                raw[chosen] = first
                reduced[chosen] = reduce_outliers(model, kept_docs, first)
        del vectors
    return has_content, raw, reduced
