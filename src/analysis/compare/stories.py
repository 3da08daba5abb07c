"""Counts by article and by story per kind, and the confident-only sensitivity line."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..core.codebook import COOP_DISPLAY_ORDER

__all__ = ["STORY_COLUMNS", "story_table", "story_metrics"]

STORY_COLUMNS = (
    "coop_type",
    "n_articles",
    "n_stories",
    "largest_story",
    "largest_story_articles",
    "largest_story_share",
    "n_articles_high",
    "n_stories_high",
)


def story_table(docs: pd.DataFrame) -> pd.DataFrame:
    """One row per kind of cooperation (none left out): articles, stories, the largest story
    (its id, articles and share of the kind's articles) and the same counts for articles coded
    with high confidence.

    ``docs`` is :func:`analysis.compare.tables.document_frame` output; without ``story_id``
    (a classified.parquet from before round 4) every article is its own story, without
    ``confidence`` every coded article counts as high.
    """
    rows = []
    for coop in COOP_DISPLAY_ORDER:
        if coop == "none":
            continue
        group = docs[docs["coop_type"] == coop]
        stories = _stories(group)
        sizes = stories.value_counts()
        high = group[_confident(group)]
        largest = str(sorted(sizes[sizes == sizes.max()].index)[0]) if len(sizes) else ""
        rows.append(
            {
                "coop_type": coop,
                "n_articles": len(group),
                "n_stories": int(stories.nunique()),
                "largest_story": largest,
                "largest_story_articles": int(sizes.max()) if len(sizes) else 0,
                "largest_story_share": float(sizes.max() / len(group))
                if len(group)
                else float("nan"),
                "n_articles_high": len(high),
                "n_stories_high": int(_stories(high).nunique()),
            }
        )
    return pd.DataFrame(rows, columns=list(STORY_COLUMNS))


def _stories(group: pd.DataFrame) -> pd.Series:
    if "story_id" not in group.columns:
        return group["doc_id"].astype(str)
    story = group["story_id"].astype(object)
    return story.where(story.notna() & (story != ""), group["doc_id"]).astype(str)


def _confident(group: pd.DataFrame) -> pd.Series:
    if "confidence" not in group.columns:
        return pd.Series(True, index=group.index)
    return group["confidence"].fillna("").astype(str) == "high"


def story_metrics(table: pd.DataFrame) -> dict[str, Any]:
    """compare.json ``stories`` (per kind) and ``confident_only`` (the sensitivity line: the
    articles and stories left when only high-confidence codings count)."""
    per_kind = {}
    total = int(table["n_articles"].sum())
    total_high = int(table["n_articles_high"].sum())
    confident = {}
    for r in table.itertuples(index=False):
        per_kind[r.coop_type] = {
            "n_articles": int(r.n_articles),
            "n_stories": int(r.n_stories),
            "largest_story": r.largest_story,
            "largest_story_articles": int(r.largest_story_articles),
            "largest_story_share": None
            if pd.isna(r.largest_story_share)
            else float(r.largest_story_share),
        }
        confident[r.coop_type] = {
            "n_articles": int(r.n_articles_high),
            "n_stories": int(r.n_stories_high),
            "share_of_coded": int(r.n_articles_high) / total_high if total_high else None,
            "share_of_coded_all": int(r.n_articles) / total if total else None,
        }
    return {
        "stories": per_kind,
        "confident_only": {"n_articles": total_high, "n_articles_all": total, "by_kind": confident},
    }
