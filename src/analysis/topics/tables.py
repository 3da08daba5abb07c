"""The topics stage's tables: the paragraphs it reads, topic labels, and shares per group."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..core.errors import UserError
from ..core.io import iter_stage_batches, read_stage_parquet
from .words import readable_form, readable_words

__all__ = [
    "LABEL_WORDS",
    "REPRESENTATIVE_CHARS",
    "NONE",
    "UNCLASSIFIED",
    "UNKNOWN_MONTH",
    "OUTLIER_LABEL",
    "WORD_COLUMNS",
    "load_inputs",
    "is_relevant",
    "topic_label",
    "readable_label",
    "truncate",
    "share_table",
    "modelled_paragraphs",
    "with_readable_labels",
]

LABEL_WORDS = 4
REPRESENTATIVE_CHARS = 300
NONE = "none"
UNCLASSIFIED = "unclassified"
UNKNOWN_MONTH = "unknown"
OUTLIER_LABEL = "outliers (no topic)"
#: The paragraph columns the readable labels are made from (:func:`modelled_paragraphs`).
WORD_COLUMNS = ["para_id", "text", "tokens", "stems"]


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


def readable_label(words: Sequence[str], forms: Mapping[str, str]) -> str:
    """:func:`topic_label` in readable words: each stem's form from ``forms`` (else the stem
    with ``_`` as a space), duplicates after the first left out (two stems can share a word)."""
    seen: list[str] = []
    for stem in words:
        word = forms.get(stem) or readable_form(stem)
        if word.lower() not in {w.lower() for w in seen}:
            seen.append(word)
    return topic_label(seen)


def modelled_paragraphs(path: Path, para_ids: Sequence[str], words: Any = None) -> pd.DataFrame:
    """``para_id, text, tokens, stems`` of the given paragraphs only, read in batches.

    At corpus scale the tokens and stems of every paragraph would take most of the memory, so
    each batch is filtered in Arrow before it becomes a DataFrame. ``words``, an Arrow table of
    those columns holding (at least) every given paragraph in file order (as
    ``inputs.read_inputs(..., words=True)`` gives it), is filtered instead of reading ``path`` again:
    the result is the same.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = WORD_COLUMNS
    wanted = pa.array(sorted({str(p) for p in para_ids}), pa.string())
    if words is not None and words.column_names == columns:
        found = words.filter(pc.is_in(words["para_id"], value_set=wanted))
        if found.num_rows == len(wanted):  # each para_id once (read_inputs checks): all found
            return found.to_pandas()
    parts = []
    for batch in iter_stage_batches(path, "preprocess", columns, batch_rows=20_000):
        table = pa.Table.from_batches([batch])
        parts.append(table.filter(pc.is_in(batch["para_id"], value_set=wanted)))
    if not parts:
        return pd.DataFrame(columns=columns)
    return pa.concat_tables(parts).to_pandas()


def with_readable_labels(result: Any, paragraphs_path: Path, words: Any = None) -> Any:
    """``result`` (a ``TopicsResult``) with readable labels beside the stem labels.

    Adds ``label_readable`` and ``top_words_readable`` (words joined by ``", "``) to
    ``topic_info`` and ``topic_label_readable`` to ``assignments``, ``by_coop_type`` and
    ``over_time``, each right after its stem column; words from :func:`readable_words` over
    the paragraphs assigned to each topic (in ``assignments`` order, as the explorer reads them).
    The paragraphs' words come from ``words`` when it holds them all (:func:`modelled_paragraphs`).
    """
    assigned = result.assignments[["para_id", "topic"]]
    texts = modelled_paragraphs(paragraphs_path, assigned["para_id"].tolist(), words)
    frame = assigned.merge(texts, on="para_id", how="inner", validate="one_to_one")
    info = result.topic_info.copy()
    words = {int(t): str(w or "").split() for t, w in zip(info["topic"], info["top_words"])}
    forms = readable_words(frame, words)
    info.insert(
        info.columns.get_loc("label") + 1,
        "label_readable",
        [
            label if int(t) == -1 else readable_label(words[int(t)], forms.get(int(t), {}))
            for t, label in zip(info["topic"], info["label"])
        ],
    )
    info.insert(
        info.columns.get_loc("top_words") + 1,
        "top_words_readable",
        [
            ", ".join(forms.get(int(t), {}).get(w) or readable_form(w) for w in words[int(t)])
            for t in info["topic"]
        ],
    )
    readable = info.set_index("topic")["label_readable"]

    def add(table: pd.DataFrame) -> pd.DataFrame:
        if "topic_label" not in table.columns:
            return table
        table = table.copy()
        table.insert(
            table.columns.get_loc("topic_label") + 1,
            "topic_label_readable",
            table["topic"].map(readable).astype(str),
        )
        return table

    return dataclasses.replace(
        result,
        topic_info=info,
        assignments=add(result.assignments),
        by_coop_type=add(result.by_coop_type),
        over_time=add(result.over_time),
    )


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
