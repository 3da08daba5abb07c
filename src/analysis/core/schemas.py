"""The stage files' schemas (docs/architecture.md): columns, types and checks, in one place."""

from __future__ import annotations

from typing import Any

__all__ = [
    "REJECT_REASONS",
    "DOCUMENT_COLUMNS",
    "REJECT_COLUMNS",
    "CLASSIFIED_COLUMNS",
    "TOPICS_COLUMNS",
    "documents_schema",
    "paragraphs_schema",
    "classified_schema",
]

REJECT_REASONS = (
    "empty",
    "binary",
    "undecodable",
    "unsupported_format",
    "malformed",
    "not_indonesian",
    "too_short",
    "too_large",
    "extraction_failed",
)
DOCUMENT_COLUMNS = (
    "doc_id",
    "source_file",
    "record",
    "outlet",
    "date",
    "title",
    "url",
    "text",
    "language",
    "n_words",
    "duplicate_of",
)
REJECT_COLUMNS = ("source_file", "record", "reason", "detail")
CLASSIFIED_COLUMNS = (
    "level",
    "doc_id",
    "para_id",
    "para_index",
    "para_fingerprint",
    "coop_type",
    "partners",
    "sectors",
    "evidence",
    "confidence",
    "confidence_reasons",
    "story_id",
    "cues",
)
TOPICS_COLUMNS = ("para_id", "doc_id", "topic", "topic_label", "fitted", "reassigned")


def documents_schema() -> Any:
    """The pandera schema documents.parquet is validated against before it is written."""
    import pandera.pandas as pa

    def text(nullable: bool) -> pa.Column:
        return pa.Column(str, nullable=nullable)

    return pa.DataFrameSchema(
        {
            "doc_id": pa.Column(str, unique=True, checks=pa.Check.str_length(min_value=1)),
            "source_file": text(False),
            "record": text(True),
            "outlet": text(True),
            "date": pa.Column("datetime64[ns]", nullable=True),
            "title": text(True),
            "url": text(True),
            "text": pa.Column(str, checks=pa.Check.str_length(min_value=1)),
            "language": pa.Column(str, checks=pa.Check.str_length(min_value=2, max_value=3)),
            "n_words": pa.Column("int64", checks=pa.Check.ge(1)),
            "duplicate_of": text(True),
        },
        checks=[
            pa.Check(
                lambda df: df["duplicate_of"].isna() | df["duplicate_of"].isin(df["doc_id"]),
                error="duplicate_of must name a doc_id in the table",
            ),
            pa.Check(
                lambda df: ~df["text"].str.contains("\n\n\n", regex=False),
                error="paragraphs must be separated by exactly one blank line",
            ),
        ],
        strict=True,
        ordered=True,
    )


def paragraphs_schema() -> Any:
    """paragraphs.parquet as an Arrow schema: explicit, so that a column of only empty token
    lists is still ``list<string>`` (inference would give ``list<null>``)."""
    import pyarrow as pa

    return pa.schema(
        [
            ("para_id", pa.string()),
            ("doc_id", pa.string()),
            ("para_index", pa.int32()),
            ("text", pa.string()),
            ("tokens", pa.list_(pa.string())),
            ("stems", pa.list_(pa.string())),
        ]
    )


def classified_schema() -> Any:
    """classified.parquet as an Arrow schema (document and paragraph rows, one table)."""
    import pyarrow as pa

    return pa.schema(
        [
            ("level", pa.string()),
            ("doc_id", pa.string()),
            ("para_id", pa.string()),
            ("para_index", pa.int32()),
            ("para_fingerprint", pa.string()),
            ("coop_type", pa.string()),
            ("partners", pa.list_(pa.string())),
            ("sectors", pa.list_(pa.string())),
            ("evidence", pa.string()),
            ("confidence", pa.string()),
            ("confidence_reasons", pa.list_(pa.string())),
            ("story_id", pa.string()),
            ("cues", pa.list_(pa.string())),
        ]
    )
