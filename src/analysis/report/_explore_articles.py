"""Article data for the explorer: one row per article, and the coded evidence of the articles shown."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from ._evidence import (
    UnitEvidence,
    highlight_segments,
    parse_document_evidence,
    parse_unit_evidence,
)

__all__ = ["article_table", "choose_listed_articles", "choose_text_articles", "LISTED_STREAM"]

#: Unit status shown in the evidence view.
_DECIDED, _OUTVOTED, _INHERITED, _CUE = "decided", "outvoted", "inherited", "cue"


def choose_text_articles(kinds: pd.Series, *, none_sample: int, seed: int) -> set[str]:
    """Articles whose text the page includes: every coded one and a seeded sample of the rest.

    Args:
        kinds: document coop_type indexed by doc_id.
        none_sample: how many articles coded ``none`` to include (all when there are fewer).
        seed: seed of the sample (NumPy PCG64, the same draw on every machine).

    Returns:
        The chosen doc_ids.
    """
    # tolist(): the ids as one conversion (iterating an Arrow-backed index is ~1 µs per id)
    coded = set(kinds.index[kinds != "none"].tolist())
    others = sorted(kinds.index[kinds == "none"].tolist())
    if len(others) > none_sample:
        picks = np.sort(np.random.default_rng(seed).choice(len(others), none_sample, replace=False))
        others = [others[i] for i in picks]
    return coded | set(others)


#: Second seed word of the sample of listed articles, so that it is a stream of its own, not
#: the draw of the text sample (which uses the seed alone) continued.
LISTED_STREAM = 1


def choose_listed_articles(kinds: pd.Series, text_articles: set[str], *, max_listed: int | None,
                           seed: int) -> set[str] | None:
    """Articles the page lists when the corpus has more than ``max_listed``.

    Every coded article and every article shown with text (``text_articles``) is listed, even
    when they alone pass ``max_listed``; the places left up to ``max_listed`` go to a seeded
    sample of the other articles (NumPy PCG64 seeded with ``[seed, LISTED_STREAM]``, drawn from
    the doc_ids in sorted order: the same sample on every machine and for any input order).

    Args:
        kinds: document coop_type indexed by doc_id, every article of the corpus.
        text_articles: the output of ``choose_text_articles``.
        max_listed: the most articles listed (None: no limit).
        seed: the pipeline's seed.

    Returns:
        The listed doc_ids, or None when every article is listed (``len(kinds) <= max_listed``).
    """
    if max_listed is None or len(kinds) <= max_listed:
        return None
    kept = set(kinds.index[kinds != "none"].tolist()) | set(text_articles)
    rest = sorted(set(kinds.index.tolist()) - kept)
    room = max(max_listed - len(kept), 0)
    if room < len(rest):
        rng = np.random.default_rng([seed, LISTED_STREAM])
        picks = np.sort(rng.choice(len(rest), room, replace=False))
        rest = [rest[i] for i in picks]
    return kept | set(rest)


def _clean(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    return str(value)


def _as_list(value) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    return [str(v) for v in value]


def _status(unit: UnitEvidence, doc_kind: str) -> str:
    if unit.basis == "direct":
        return _DECIDED if unit.coop_type == doc_kind else _OUTVOTED
    if unit.basis == "inherited":
        return _INHERITED
    return _CUE if unit.cues else ""


class _Interner:
    """Strings stored once in a list; rows refer to them by index."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self._index: dict[str, int] = {}

    def __call__(self, value: str) -> int:
        if value not in self._index:
            self._index[value] = len(self.items)
            self.items.append(value)
        return self._index[value]


def _unit(label: str, unit: UnitEvidence, kind: str, doc_kind: str, text: str | None,
          topic: int | None, decisions: _Interner) -> dict:
    """One unit of the evidence view; keys with nothing to say are left out (page weight)."""
    status = _status(unit, doc_kind)
    out: dict = {"l": label}
    if kind:
        out["k"] = kind
    if status:
        out["st"] = status
    if topic is not None:
        out["tp"] = topic
    if text is not None:
        out["x"] = highlight_segments(
            text, cues=unit.cues, parties=[name for name, _role in unit.parties],
            sector_terms=[term for _s, term in unit.sector_terms],
            mark_sentences=status in (_DECIDED, _OUTVOTED, _INHERITED))
    if unit.decision:
        out["d"] = decisions(unit.decision)
    for key, values in (("c", list(unit.cues)), ("pa", [list(p) for p in unit.parties]),
                        ("np", [list(p) for p in unit.not_parties]),
                        ("se", [list(s) for s in unit.sector_terms]),
                        ("o", [list(o) for o in unit.other])):
        if values:
            out[key] = values
    return out


def _paragraph_units(doc_kind: str, paragraphs: pd.DataFrame,
                     para_rows: Mapping[str, Mapping], document_units: Mapping[str, UnitEvidence],
                     para_topic: Mapping[str, int], decisions: _Interner) -> list[dict]:
    units = []
    for para in paragraphs.itertuples(index=False):
        index = int(para.para_index)
        row = para_rows.get(para.para_id)
        if row is not None:
            unit = parse_unit_evidence(_clean(row.get("evidence")))
            cues = row.get("cues")  # a structured column, when classify writes one, wins
            if cues is not None and not (isinstance(cues, float) and math.isnan(cues)):
                unit = replace(unit, cues=tuple(_as_list(cues)))
            kind = _clean(row.get("coop_type"))
        else:
            unit = document_units.get(f"p{index}", UnitEvidence(""))
            kind = unit.coop_type
        topic = para_topic.get(para.para_id)
        units.append(_unit(f"p{index}", unit, kind, doc_kind, _clean(para.text),
                           None if topic is None else int(topic), decisions))
    return units


def _evidence(doc: Mapping, paragraphs: pd.DataFrame | None, para_rows: Mapping[str, Mapping],
              para_topic: Mapping[str, int], decisions: _Interner) -> dict:
    """The evidence view of one article; ``paragraphs`` is None when its text is left out."""
    parsed = parse_document_evidence(_clean(doc["evidence"]))
    units = parsed.units or {}
    doc_kind = doc["coop_type"]
    title = doc["title"]
    entry: dict = {"summary": decisions(parsed.summary), "text": paragraphs is not None}
    for key, value in (("url", doc["url"]), ("once", list(parsed.mentioned_once)),
                       ("other", list(parsed.other))):
        if value:
            entry[key] = value
    shown = []
    title_unit = units.get("title")
    if title_unit is not None or (paragraphs is not None and title):
        shown.append(_unit("title", title_unit or UnitEvidence(""),
                           title_unit.coop_type if title_unit else "", doc_kind,
                           title if paragraphs is not None else None, None, decisions))
    if paragraphs is not None:
        shown.extend(_paragraph_units(doc_kind, paragraphs, para_rows, units, para_topic,
                                      decisions))
    else:
        shown.extend(_unit(label, unit, unit.coop_type, doc_kind, None, None, decisions)
                     for label, unit in units.items() if label != "title")
    entry["units"] = shown
    return entry


def _optional(value) -> str | float | None:
    """A confidence or story id as JSON: numbers rounded to 3 decimals, text as is."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value)).lower()
    if isinstance(value, (int, float, np.integer, np.floating)):
        return round(float(value), 3)
    return str(value)


def _document_frame(documents: pd.DataFrame, classified: pd.DataFrame) -> pd.DataFrame:
    doc_rows = classified[classified["level"] == "document"].drop_duplicates("doc_id")
    meta = documents.drop_duplicates("doc_id").set_index("doc_id")
    frame = doc_rows.reset_index(drop=True).copy()
    for column in ("title", "outlet", "url"):
        frame[column] = (frame["doc_id"].map(meta[column]) if column in meta.columns
                         else None)
        frame[column] = frame[column].map(_clean)
    dates = (pd.to_datetime(frame["doc_id"].map(meta["date"]), errors="coerce")
             if "date" in meta.columns else pd.Series(pd.NaT, index=frame.index))
    frame["date"] = dates.dt.strftime("%Y-%m-%d").fillna("")
    frame["coop_type"] = frame["coop_type"].map(_clean)
    return frame.sort_values("doc_id", kind="stable").reset_index(drop=True)


def _shown_paragraphs(paragraphs: pd.DataFrame, classified: pd.DataFrame,
                      text_articles: set[str]) -> tuple[dict, pd.DataFrame, dict]:
    """Coded paragraph rows, paragraph texts and texts per document of the articles shown."""
    para_rows_shown = classified[(classified["level"] == "paragraph")
                                 & classified["doc_id"].isin(text_articles)]
    para_rows = {row["para_id"]: row for row in para_rows_shown.to_dict("records")}
    shown = paragraphs[paragraphs["doc_id"].isin(text_articles)].sort_values(
        ["doc_id", "para_index"], kind="stable")
    return para_rows, shown, dict(tuple(shown.groupby("doc_id", sort=False)))


def _topic_counts(assignments: pd.DataFrame) -> dict[str, Counter[int]]:
    """Paragraphs per topic of each document (outliers left out)."""
    topics_of: dict[str, Counter[int]] = {}
    for doc_id, topic in zip(assignments["doc_id"], assignments["topic"], strict=True):
        if topic >= 0:
            topics_of.setdefault(doc_id, Counter())[int(topic)] += 1
    return topics_of


def article_table(documents: pd.DataFrame, paragraphs: pd.DataFrame, classified: pd.DataFrame,
                  assignments: pd.DataFrame, *, kinds: Sequence[str], sectors: Sequence[str],
                  text_articles: set[str]) -> dict:
    """Every classified article as table columns, with the evidence of each article.

    Args:
        documents: documents.parquet (``doc_id``, ``title``, ``outlet``, ``date``, ``url``,
            ``source_file``; missing columns are left blank).
        paragraphs: ``para_id``, ``doc_id``, ``para_index``, ``text`` of the articles whose
            text is shown.
        classified: classified.parquet; optional document columns ``confidence`` and
            ``story_id`` and paragraph column ``cues`` are used when present.
        assignments: topics.parquet (``para_id``, ``doc_id``, ``topic`` of every modelled
            paragraph).
        kinds: coop_type ids in display order (others are appended).
        sectors: sector ids in display order (others are appended).
        text_articles: doc_ids whose paragraphs are included (see ``choose_text_articles``).

    Returns:
        ``{"kinds", "sectors", "outlets", "partners", "id_prefixes", "decisions", "articles":
        {column: [...]}, "evidence": [...]}``; rows sorted by doc_id. A doc_id is
        ``id_prefixes[articles["id_prefix"][i]] + articles["id"][i]`` (the part up to its last
        ``#`` is stored once); ``articles["evidence"][i]`` indexes ``evidence`` (-1: none);
        decision and summary strings are indexes into ``decisions``.
    """
    frame = _document_frame(documents, classified)
    kinds = [*kinds, *sorted(set(frame["coop_type"]) - set(kinds))]
    all_sectors = {s for value in frame["sectors"] for s in _as_list(value)}
    sectors = [*sectors, *sorted(all_sectors - set(sectors))]
    outlets = sorted(set(frame["outlet"]) - {""})
    partners = sorted({p for value in frame["partners"] for p in _as_list(value)})
    index_of = {name: {v: k for k, v in enumerate(values)} for name, values in
                (("kind", kinds), ("sector", sectors), ("outlet", outlets), ("partner", partners))}

    para_rows, shown, by_doc = _shown_paragraphs(paragraphs, classified, text_articles)
    para_topic = dict(zip(assignments["para_id"], assignments["topic"].astype(int), strict=True))
    topics_of = _topic_counts(assignments)

    decisions = _Interner()
    columns: dict[str, list] = {c: [] for c in ("id_prefix", "id", "title", "outlet", "date",
                                                 "kind", "partners", "sectors", "topics",
                                                 "evidence")}
    prefixes = _Interner()
    optional = [c for c in ("confidence", "story_id") if c in frame.columns]
    for c in optional:
        columns[c] = []
    evidence = []
    names = list(frame.columns)
    # one row's dict at a time: a dict for every article at once is the largest object at scale
    for values in frame.itertuples(index=False, name=None):
        doc = dict(zip(names, values, strict=True))
        doc_id = doc["doc_id"]
        # "articles.jsonl.gz#<corpus>:<outlet>:<n>": the file part is stored once (page weight)
        cut = doc_id.rfind("#") + 1
        columns["id_prefix"].append(prefixes(doc_id[:cut]))
        columns["id"].append(doc_id[cut:])
        columns["title"].append(doc["title"])
        columns["outlet"].append(index_of["outlet"].get(doc["outlet"], -1))
        columns["date"].append(doc["date"])
        columns["kind"].append(index_of["kind"][doc["coop_type"]])
        columns["partners"].append([index_of["partner"][p] for p in _as_list(doc["partners"])])
        columns["sectors"].append([index_of["sector"][s] for s in _as_list(doc["sectors"])])
        counts = topics_of.get(doc_id, Counter())
        columns["topics"].append([t for t, _n in sorted(counts.items(), key=lambda i: (-i[1], i[0]))])
        for c in optional:
            columns[c].append(_optional(doc[c]))
        has_text = doc_id in text_articles
        if has_text or "\n" in _clean(doc["evidence"]) or doc["coop_type"] != "none":
            columns["evidence"].append(len(evidence))
            evidence.append(_evidence(doc, by_doc.get(doc_id, shown.iloc[:0]) if has_text else None,
                                      para_rows, para_topic, decisions))
        else:
            columns["evidence"].append(-1)
    return {"kinds": kinds, "sectors": sectors, "outlets": outlets, "partners": partners,
            "id_prefixes": prefixes.items, "decisions": decisions.items, "articles": columns,
            "evidence": evidence}
