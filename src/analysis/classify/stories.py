"""Stories: articles that report the same cooperation event, grouped under one ``story_id``."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["StoryDocument", "story_words", "assign_stories"]

_WORD = re.compile(r"[a-z]{4,}")


@dataclass(frozen=True, slots=True)
class StoryDocument:
    """What grouping needs of one coded document."""

    doc_id: str
    date: dt.date | None
    coop_type: str
    partners: frozenset[str]
    words: frozenset[str]


def story_words(title: str | None, paragraphs: Iterable[str]) -> frozenset[str]:
    """Lower-case words of four or more letters of a title and its paragraphs (the text
    similarity of two articles is the Jaccard index of these sets)."""
    text = " ".join([title or "", *[p or "" for p in paragraphs]]).lower()
    return frozenset(_WORD.findall(text))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _same_story(
    a: StoryDocument, b: StoryDocument, window_days: int, min_similarity: float
) -> bool:
    """Same kind, the same parties (half of the partners shared), dated at most
    ``window_days`` apart, and texts at least ``min_similarity`` alike."""
    if a.coop_type != b.coop_type or a.date is None or b.date is None:
        return False
    if abs((a.date - b.date).days) > window_days:
        return False
    if _jaccard(a.partners, b.partners) < 0.5:
        return False
    return _jaccard(a.words, b.words) >= min_similarity


def assign_stories(
    documents: Sequence[StoryDocument], *, window_days: int, min_similarity: float
) -> dict[str, str]:
    """``{doc_id: story_id}`` for every document given (pass coded documents only).

    Two articles are linked when :func:`_same_story` holds; stories are the connected groups
    (single linkage), and a story's id is the doc_id of its earliest article by (date, doc_id),
    undated articles last. An article linked to no other is a story of its own.
    """
    ordered = sorted(documents, key=lambda d: (d.date is None, d.date or dt.date.min, d.doc_id))
    parent = list(range(len(ordered)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    # sorted by date, so the inner loop stops at the first article beyond the window
    for i, a in enumerate(ordered):
        for j in range(i + 1, len(ordered)):
            b = ordered[j]
            if a.date is None or b.date is None or (b.date - a.date).days > window_days:
                break
            if _same_story(a, b, window_days, min_similarity):
                ri, rj = root(i), root(j)
                if ri != rj:
                    parent[max(ri, rj)] = min(ri, rj)  # the earlier article stays the root
    return {d.doc_id: ordered[root(k)].doc_id for k, d in enumerate(ordered)}
