"""Code the articles of a folder or file into a CSV (`python -m analysis classify`), rejects beside it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..core.codebook import COOP_TYPES
from ..core.config import ClassifyParams, ComputeParams
from ..core.errors import UserError
from ..core.io import write_csv
from ..text.clean import split_paragraphs
from ..text.records import RawRecord, iter_records
from .rules import Classifier
from .stories import StoryDocument, assign_stories, story_words

__all__ = ["REJECT_COLUMNS", "ClassifiedInput", "rejects_path_for", "input_records",
           "classify_input"]

REJECT_COLUMNS = ("id", "source_file", "record", "reason", "detail")
_STORY_DEFAULTS = ClassifyParams()


@dataclass(frozen=True)
class ClassifiedInput:
    """What :func:`classify_input` wrote.

    Attributes:
        codings: one row per usable article, in input order: id, coop_type, partners, sectors,
            confidence, confidence_reasons, story_id, evidence (the table in ``output_csv``).
        rejects: one row per input record that could not be read as an article: id,
            source_file, record, reason, detail (the table in ``rejects_csv``).
        output_csv: path of the codings CSV.
        rejects_csv: path of the rejects CSV.
    """

    codings: pd.DataFrame
    rejects: pd.DataFrame
    output_csv: Path
    rejects_csv: Path

    def summary(self) -> str:
        """One line for a terminal: counts per coop_type and per reject reason."""
        counts = self.codings["coop_type"].value_counts()
        coded = ", ".join(f"{t} {int(counts.get(t, 0))}" for t in COOP_TYPES)
        text = f"classified {len(self.codings)} documents ({coded}) -> {self.output_csv}"
        if len(self.rejects):
            reasons = self.rejects["reason"].value_counts().sort_index()
            listed = ", ".join(f"{r} {n}" for r, n in reasons.items())
            text += f"; {len(self.rejects)} rejected ({listed}) -> {self.rejects_csv}"
        else:
            text += "; no input rejected"
        return text


def rejects_path_for(output_csv: str | Path) -> Path:
    """``OUT.csv`` -> ``OUT.rejects.csv`` (beside it), where :func:`classify_input` lists rejects."""
    output_csv = Path(output_csv)
    stem = output_csv.name[:-4] if output_csv.name.lower().endswith(".csv") else output_csv.name
    return output_csv.with_name(f"{stem}.rejects.csv")


def _record_id(record: RawRecord, single_file: bool) -> str:
    """The id a user gave: the record's own key inside one multi-record file; otherwise the
    path relative to the input folder (``file.jsonl#key`` for records in a folder)."""
    if single_file and record.record is not None:
        return record.record
    return record.doc_id


def input_records(input_path: Path, lexicon_dir: Path, *, min_words: int, n_jobs: int,
                  metadata_file: str | Path | None) -> Iterator[tuple[str, RawRecord]]:
    """``(id, record)`` for every record of a folder or file, cleaned by ingest's code path,
    rejects included, in input order.

    Raises:
        UserError: the input does not exist.
    """
    if not input_path.exists():
        raise UserError(f"{input_path}: not found; pass a folder of articles or a "
                        f".jsonl/.jsonl.gz/.csv file of articles (id, title, text)")
    if metadata_file is None:  # a folder's own sidecar, as ingest reads data/raw/metadata.csv
        sidecar = input_path / "metadata.csv" if input_path.is_dir() else None
        metadata_file = sidecar if sidecar is not None and sidecar.is_file() else None
    single_file = input_path.is_file()
    # the schema's defaults for the rest of compute: a local pool of n_jobs processes
    compute = ComputeParams.model_construct(n_jobs=n_jobs)
    for record in iter_records(input_path, lexicon_dir=lexicon_dir,
                               metadata_file=metadata_file or None, min_words=min_words,
                               compute=compute):
        yield _record_id(record, single_file), record


def _reject_row(rid: str, record: RawRecord) -> tuple:
    return (rid, record.source_file, record.record, record.reason, record.detail)


def classify_input(input_path: str | Path, output_csv: str | Path, *,
                   lexicon_dir: str | Path, n_jobs: int, min_words: int,
                   metadata_file: str | Path | None = None,
                   story_window_days: int = _STORY_DEFAULTS.story_window_days,
                   story_min_similarity: float = _STORY_DEFAULTS.story_min_similarity
                   ) -> ClassifiedInput:
    """Code every article of a folder or file and write a CSV, plus a CSV of rejected input.

    Input is read and cleaned by :func:`analysis.text.records.iter_records`, the ingest stage's own
    code path (boilerplate, datelines and "Baca juga" lines removed; paragraphs split where a
    scraper flattened them into commas), without duplicate detection: every record is coded.

    Args:
        input_path: a folder (sub-folders included; .txt, .md, .html, .jsonl, .jsonl.gz, .csv)
            or one such file. Ids: for one multi-record file, each record's own ``id`` (else
            ``L{line}`` / ``R{row}``); for a folder, the file's relative path (``name#key``
            for a record inside a multi-record file).
        output_csv: CSV to write: id, coop_type, partners, sectors (``;``-separated),
            confidence (high/low, empty for none), confidence_reasons (``;``-separated),
            story_id (empty for none) and evidence.
            Rejected input goes to ``<output stem>.rejects.csv`` beside it (always written, so a
            stale file never lingers): id, source_file, record, reason, detail, with ingest's
            reasons (empty, binary, undecodable, unsupported_format, malformed, not_indonesian,
            too_short, too_large).
        lexicon_dir: folder of the lexicon files (classification and cleaning).
        n_jobs: worker processes that clean the input while this process codes it (the
            output does not depend on it).
        min_words: articles with fewer words after cleaning are rejected as too_short
            (params.yaml ``ingest.min_words`` keeps the two alike; 1 keeps every non-empty
            article).
        metadata_file: sidecar CSV of titles/dates (``file,title,...``); None uses
            ``metadata.csv`` at the top of an input folder when there is one, "" none.

        story_window_days, story_min_similarity: how articles are grouped into stories
            (params.yaml ``classify``; :mod:`analysis.classify.stories`).

    Returns:
        The codings and rejects written, with their paths.

    Raises:
        UserError: the input does not exist, a folder holds no article file, or a lexicon or
            sidecar file is unusable.
    """
    lexicon_dir = Path(lexicon_dir)
    classifier = Classifier.from_lexicons(lexicon_dir)  # validates lexicons before reading input
    # Coding runs here while ingest's workers (n_jobs > 1) clean the next records: the two
    # halves of the work overlap instead of following each other.
    rows, rejected, coded = [], [], []
    for rid, record in input_records(Path(input_path), lexicon_dir, min_words=min_words,
                                      n_jobs=n_jobs, metadata_file=metadata_file):
        if record.is_reject:
            rejected.append(_reject_row(rid, record))
            continue
        paragraphs = tuple(split_paragraphs(record.text))
        coding = classifier.classify_document(record.title, paragraphs, paragraph_codings=False)
        rows.append((rid, coding.coop_type, ";".join(coding.partners), ";".join(coding.sectors),
                     coding.confidence, ";".join(coding.confidence_reasons), coding.evidence))
        if coding.coop_type != "none":
            coded.append(StoryDocument(rid, record.date, coding.coop_type,
                                       frozenset(coding.partners),
                                       story_words(record.title, paragraphs)))
    table = pd.DataFrame(rows, columns=["id", "coop_type", "partners", "sectors", "confidence",
                                        "confidence_reasons", "evidence"])
    stories = assign_stories(coded, window_days=story_window_days,
                             min_similarity=story_min_similarity)
    table.insert(6, "story_id", table["id"].map(stories).fillna(""))
    rejects = pd.DataFrame(rejected, columns=list(REJECT_COLUMNS))
    rejects_csv = rejects_path_for(output_csv)
    write_csv(output_csv, table)
    write_csv(rejects_csv, rejects)
    return ClassifiedInput(table, rejects, Path(output_csv), rejects_csv)
