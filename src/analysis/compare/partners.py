"""The focal government's partners in the news: edges by kind, and articles naming each partner."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..core.codebook import COOP_DISPLAY_ORDER, COOPERATION_TYPES

__all__ = ["partner_edges", "partner_counts"]


def partner_edges(
    docs: pd.DataFrame, *, focal: str, coop_types: Sequence[str] = COOPERATION_TYPES
) -> pd.DataFrame:
    """Edges from the focal government to each partner it cooperates with in the news.

    An article links the focal government to a partner when both are in its document-level
    ``partners`` list (names compared case-insensitively) and the article is about
    cooperation (its kind is in ``coop_types``; places named in non-cooperation news are not
    partners). One edge per (partner, kind).

    Returns:
        focal, partner, coop_type, n_documents, sectors (``;``-joined union of the articles'
        sectors, most frequent first, ties by id), sector_counts (the same with the number
        of articles, ``transport=2;waste=1``), doc_ids (``;``-joined); sorted by kind
        (codebook order), articles (descending), partner. Empty when no cooperation article
        names the focal government.
    """
    key = focal.casefold()
    kinds = set(coop_types)
    rows = []
    for doc in docs.itertuples(index=False):
        names = {p.casefold(): p for p in doc.partners}
        if key not in names or doc.coop_type not in kinds:
            continue
        for folded, name in sorted(names.items()):
            if folded != key:
                rows.append((name, doc.coop_type, doc.doc_id, tuple(doc.sectors)))
    columns = [
        "focal",
        "partner",
        "coop_type",
        "n_documents",
        "sectors",
        "sector_counts",
        "doc_ids",
    ]
    if not rows:
        return pd.DataFrame(
            {c: pd.Series(dtype="int64" if c == "n_documents" else str) for c in columns}
        )
    frame = pd.DataFrame(rows, columns=["partner", "coop_type", "doc_id", "sectors"])
    edges = []
    for (partner, kind), group in frame.groupby(["partner", "coop_type"], sort=True):
        mentions = pd.Series([s for values in group["sectors"] for s in values], dtype=object)
        counts = mentions.value_counts() if len(mentions) else pd.Series(dtype="int64")
        sectors = sorted(counts.index, key=lambda s: (-int(counts[s]), s))
        edges.append(
            {
                "focal": focal,
                "partner": partner,
                "coop_type": kind,
                "n_documents": int(group["doc_id"].nunique()),
                "sectors": ";".join(sectors),
                "sector_counts": ";".join(f"{s}={int(counts[s])}" for s in sectors),
                "doc_ids": ";".join(sorted(group["doc_id"].unique())),
            }
        )
    table = pd.DataFrame(edges, columns=columns)
    table["_kind"] = table["coop_type"].map({t: i for i, t in enumerate(COOP_DISPLAY_ORDER)})
    table = table.sort_values(
        ["_kind", "n_documents", "partner"], ascending=[True, False, True], kind="stable"
    ).drop(columns="_kind")
    return table.reset_index(drop=True)


def partner_counts(
    docs: pd.DataFrame, *, exclude: Sequence[str], coop_types: Sequence[str] = COOPERATION_TYPES
) -> pd.DataFrame:
    """Articles naming each partner, per kind of cooperation (all articles, any focal).

    Args:
        docs: :func:`document_frame` output.
        exclude: names left out (case-insensitive), normally the focal government, which is
            party to nearly every article and would top every list.
        coop_types: kinds counted (default the cooperation kinds: not ``none``).

    Returns:
        coop_type, partner, n_documents; sorted by kind, articles (descending), partner.
    """
    skip = {e.casefold() for e in exclude}
    kinds = set(coop_types)
    rows = [
        (doc.coop_type, name, doc.doc_id)
        for doc in docs.itertuples(index=False)
        if doc.coop_type in kinds
        for name in sorted(set(doc.partners))
        if name.casefold() not in skip
    ]
    if not rows:
        return pd.DataFrame(
            {
                "coop_type": pd.Series(dtype=str),
                "partner": pd.Series(dtype=str),
                "n_documents": pd.Series(dtype="int64"),
            }
        )
    frame = pd.DataFrame(rows, columns=["coop_type", "partner", "doc_id"])
    table = frame.groupby(["coop_type", "partner"])["doc_id"].nunique().rename("n_documents")
    table = table.reset_index()
    table["_kind"] = table["coop_type"].map({t: i for i, t in enumerate(COOP_DISPLAY_ORDER)})
    table = (
        table.sort_values(
            ["_kind", "n_documents", "partner"], ascending=[True, False, True], kind="stable"
        )
        .drop(columns="_kind")
        .reset_index(drop=True)
    )
    table["n_documents"] = table["n_documents"].astype("int64")
    return table
