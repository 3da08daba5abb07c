"""The topics stage's tables: the paragraphs it reads, topic labels, and shares per group."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..core.errors import UserError
from ..core.io import read_stage_parquet

__all__ = [
    "LABEL_WORDS",
    "REPRESENTATIVE_CHARS",
    "NONE",
    "UNCLASSIFIED",
    "UNKNOWN_MONTH",
    "OUTLIER_LABEL",
    "load_inputs",
    "is_relevant",
    "topic_label",
    "truncate",
    "share_table",
]

LABEL_WORDS = 4
REPRESENTATIVE_CHARS = 300
NONE = "none"
UNCLASSIFIED = "unclassified"
UNKNOWN_MONTH = "unknown"
OUTLIER_LABEL = "outliers (no topic)"


def load_inputs(paragraphs_path: Path, classified_path: Path, documents_path: Path) -> pd.DataFrame:
    """One row per paragraph with its stem document, coop_types, month and duplicate flag."""
    paragraphs = read_stage_parquet(
        paragraphs_path, "preprocess", ["para_id", "doc_id", "para_index", "text", "stems"]
    )
    classified = read_stage_parquet(
        classified_path, "classify", ["level", "doc_id", "para_id", "coop_type"]
    )
    documents = read_stage_parquet(documents_path, "ingest", ["doc_id", "date"])

    if paragraphs["para_id"].duplicated().any():
        dup = paragraphs.loc[paragraphs["para_id"].duplicated(), "para_id"].iloc[0]
        raise UserError(
            f"{paragraphs_path}: para_id {dup!r} occurs more than once; rerun preprocess"
        )
    unknown_docs = sorted(set(paragraphs["doc_id"]) - set(documents["doc_id"]))
    if unknown_docs:
        raise UserError(
            f"{paragraphs_path}: {len(unknown_docs)} doc_id(s) not in {documents_path} "
            f"(e.g. {unknown_docs[0]!r}); the inputs come from different runs — rerun dvc repro"
        )

    frame = paragraphs[["para_id", "doc_id", "para_index", "text"]].copy()
    frame["text"] = frame["text"].fillna("").astype(str)
    frame["stem_doc"] = [
        " ".join(str(s) for s in stems) if stems is not None else ""
        for stems in paragraphs["stems"]
    ]

    para_rows = classified[classified["level"] == "paragraph"]
    if para_rows["para_id"].duplicated().any():
        raise UserError(f"{classified_path}: a paragraph is classified twice; rerun classify")
    doc_rows = classified[classified["level"] == "document"].drop_duplicates("doc_id")
    frame["coop_type"] = (
        frame["para_id"]
        .map(para_rows.set_index("para_id")["coop_type"])
        .fillna(UNCLASSIFIED)
        .astype(str)
    )
    frame["doc_coop_type"] = (
        frame["doc_id"]
        .map(doc_rows.set_index("doc_id")["coop_type"])
        .fillna(UNCLASSIFIED)
        .astype(str)
    )

    docs = documents.drop_duplicates("doc_id").set_index("doc_id")
    dates = pd.to_datetime(frame["doc_id"].map(docs["date"]), errors="coerce")
    frame["month"] = dates.dt.strftime("%Y-%m").fillna(UNKNOWN_MONTH)
    if "duplicate_of" in docs.columns:
        frame["duplicate"] = frame["doc_id"].map(docs["duplicate_of"]).notna()
    else:
        frame["duplicate"] = False
    return frame.sort_values(["doc_id", "para_index"], kind="stable").reset_index(drop=True)


def is_relevant(frame: pd.DataFrame) -> pd.Series:
    """A paragraph coded as cooperation, or any paragraph of a document coded as cooperation."""
    off = {NONE, UNCLASSIFIED}
    return ~frame["coop_type"].isin(off) | ~frame["doc_coop_type"].isin(off)


def truncate(text: str, limit: int = REPRESENTATIVE_CHARS) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def topic_label(words: Sequence[str]) -> str:
    """A topic's label: its first four top stems, ``_`` shown as a space."""
    return ", ".join(w.replace("_", " ") for w in words[:LABEL_WORDS]) or "(no words)"


def share_table(assigned: pd.DataFrame, group: str, topic_info: pd.DataFrame) -> pd.DataFrame:
    """Paragraph counts and within-group shares for every (group, topic) pair, zeros included."""
    groups = sorted(assigned[group].unique())
    grid = pd.MultiIndex.from_product(
        [groups, topic_info["topic"].tolist()], names=[group, "topic"]
    )
    counts = assigned.groupby([group, "topic"]).size().reindex(grid, fill_value=0)
    table = counts.rename("n_paragraphs").reset_index()
    totals = assigned.groupby(group).size()
    table[f"{group}_total"] = table[group].map(totals).astype("int64")
    table["share"] = table["n_paragraphs"] / table[f"{group}_total"]
    table["topic_label"] = table["topic"].map(topic_info.set_index("topic")["label"])
    return table[[group, "topic", "topic_label", "n_paragraphs", f"{group}_total", "share"]]
