"""The compare stage's key numbers (compare.json) and the plain-English findings built from them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..core.codebook import CONTRAST, COOP_DISPLAY_ORDER

__all__ = ["compare_metrics", "corpus_summary", "findings"]


def _top_items(shares: pd.DataFrame, item: str) -> dict[str, list[str]]:
    """Items with a positive share per kind, by share (desc), then count (desc), then id."""
    top: dict[str, list[str]] = {}
    for kind, group in shares.groupby("coop_type", sort=False):
        positive = group[group["n_mentioning"] > 0]
        ordered = positive.sort_values([item], kind="stable").sort_values(
            ["share", "n_mentioning"], ascending=False, kind="stable")
        top[str(kind)] = [str(v) for v in ordered[item]]
    return top


def corpus_summary(docs: pd.DataFrame, paras: pd.DataFrame) -> dict[str, Any]:
    """compare.json ``corpus`` from the whole document and paragraph frames (in memory)."""
    dated = docs["date"].dropna()
    outlets = sorted(docs["outlet"].dropna().astype(str).unique())
    return {
        "n_documents": len(docs), "n_paragraphs": len(paras), "n_outlets": len(outlets),
        "outlets": outlets,
        "date_min": dated.min().date().isoformat() if len(dated) else None,
        "date_max": dated.max().date().isoformat() if len(dated) else None,
        "n_undated": int(docs["date"].isna().sum()),
    }


def compare_metrics(tables: Mapping[str, pd.DataFrame], corpus: Mapping[str, Any],
                    *, parameters: Mapping[str, Any]) -> dict[str, Any]:
    """The ``compare.json`` content (keys documented in docs/architecture.md).

    ``corpus`` is :func:`corpus_summary` (or the same numbers aggregated out of core).
    """
    coverage = tables["coverage"].set_index("coop_type")
    sectors = tables["sectors"]
    sector_metrics: dict[str, dict[str, Any]] = {}
    for row in sectors.itertuples(index=False):
        sector_metrics.setdefault(row.coop_type, {})[row.sector] = {
            "share": row.share, "ci_low": row.ci_low, "ci_high": row.ci_high,
            "n_docs": int(row.n_docs), "n_mentioning": int(row.n_mentioning),
            "ci_method": row.ci_method,
        }
    distinctive = tables["distinctive_terms"]
    terms = {side: [{"term": r.term, "z": r.z, "count": int(r.count_side)}
                    for r in distinctive[distinctive["coop_type"] == side].itertuples(index=False)]
             for side in CONTRAST}
    partners: dict[str, list[dict[str, Any]]] = {}
    for row in tables["partner_counts"].itertuples(index=False):
        partners.setdefault(row.coop_type, []).append(
            {"partner": row.partner, "n_documents": int(row.n_documents)})
    topics: dict[str, list[dict[str, Any]]] = {}
    outliers: dict[str, float] = {}
    prevalence = tables.get("topic_prevalence")
    if prevalence is not None and len(prevalence):
        for kind, group in prevalence.groupby("coop_type", sort=False):
            real = group[group["topic"] >= 0].sort_values("topic", kind="stable").sort_values(
                "share", ascending=False, kind="stable")
            topics[str(kind)] = [{"topic": int(r.topic), "label": r.topic_label,
                                  **({"label_readable": r.topic_label_readable}
                                     if "topic_label_readable" in real.columns else {}),
                                  "share": r.share, "n_paragraphs": int(r.n_paragraphs)}
                                 for r in real.itertuples(index=False) if r.n_paragraphs > 0]
            outlier_rows = group[group["topic"] < 0]
            outliers[str(kind)] = float(outlier_rows["share"].sum()) if len(outlier_rows) else 0.0
    monthly = tables["coverage_monthly"]
    return {
        "corpus": dict(corpus),
        "coverage": {
            "documents": {k: int(coverage.loc[k, "n_documents"]) for k in COOP_DISPLAY_ORDER},
            "paragraphs": {k: int(coverage.loc[k, "n_paragraphs"]) for k in COOP_DISPLAY_ORDER},
            "monthly": {kind: {r.month: int(r.n_documents) for r in group.itertuples(index=False)}
                        for kind, group in monthly.groupby("coop_type", sort=False)},
            "undated": int(corpus["n_undated"]),
        },
        "sectors": sector_metrics,
        "top_sectors": _top_items(sectors, "sector"),
        "distinctive_terms": terms,
        "partners": partners,
        "topics": topics,
        "topic_outlier_share": outliers,
        "parameters": dict(parameters),
    }


def _pct(value: float) -> str:
    return "n/a" if value is None or not np.isfinite(value) else f"{100 * value:.0f}%"


def _articles(n: int) -> str:
    return "1 article" if n == 1 else f"{n} articles"


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def findings(metrics: Mapping[str, Any], tables: Mapping[str, pd.DataFrame]) -> list[str]:
    """Plain-English sentences stating the main results, built only from the computed numbers.

    One piece: a list of sentences in reading order, each a few lines over the same metrics.
    """
    out: list[str] = []
    corpus = metrics["corpus"]
    documents = metrics["coverage"]["documents"]
    a, b = CONTRAST
    span = (f" published between {corpus['date_min']} and {corpus['date_max']}"
            if corpus["date_min"] else "")
    out.append(
        f"The corpus has {_articles(corpus['n_documents'])} from {corpus['n_outlets']} "
        f"outlet{'s' if corpus['n_outlets'] != 1 else ''}{span}: {documents[a]} on agglomeration "
        f"cooperation, {documents[b]} on international cooperation, {documents['domestic_other']} "
        f"on other inter-regional cooperation and {documents['none']} not about cooperation."
    )
    if corpus.get("n_undated"):
        out.append(f"{_articles(corpus['n_undated'])} had no publication date and are left out "
                   "of the monthly counts only.")
    sectors = tables["sectors"]
    level = metrics["parameters"].get("ci_level", 0.95)
    for kind in CONTRAST:
        group = sectors[(sectors["coop_type"] == kind) & (sectors["n_mentioning"] > 0)]
        top = metrics["top_sectors"].get(kind, [])[:3]
        if not len(group) or not top:
            continue
        parts = []
        for sector in top:
            row = group[group["sector"] == sector].iloc[0]
            parts.append(f"{sector} ({row.n_mentioning} of {row.n_docs}; "
                         f"{100 * level:.0f}% CI {_pct(row.ci_low)}-{_pct(row.ci_high)})")
        out.append(f"Sectors most often mentioned in {kind} articles: {_join(parts)}.")
    both = sectors[sectors["coop_type"].isin(CONTRAST)].pivot(
        index="sector", columns="coop_type", values=["ci_low", "ci_high", "share"])
    if len(both) and all((c, k) in both.columns for c in ("ci_low",) for k in CONTRAST):
        separated = [s for s in both.index
                     if both.loc[s, ("ci_low", a)] > both.loc[s, ("ci_high", b)]
                     or both.loc[s, ("ci_low", b)] > both.loc[s, ("ci_high", a)]]
        n_a, n_b = documents[a], documents[b]
        if separated:
            out.append(f"Sectors whose intervals do not overlap between the two kinds: "
                       f"{_join(separated)}; every other sector difference is within the noise.")
        else:
            out.append(f"No sector share differs clearly between the two kinds: every pair of "
                       f"{100 * level:.0f}% intervals overlaps, as expected with {n_a} and {n_b} "
                       "articles; read the sector profile as description, not as evidence of a "
                       "difference.")
    terms = metrics["distinctive_terms"]
    log_odds = tables.get("log_odds")
    for kind in CONTRAST:
        listed = terms.get(kind, [])[:5]
        if listed:
            words = ", ".join(f"{t['term']} (z = {t['z']:.1f})" for t in listed)
            out.append(f"Stems most typical of {kind} paragraphs: {words}.")
    if log_odds is not None and len(log_odds):
        strong = log_odds[log_odds["z"].abs() > 1.96]
        out.append(
            f"{len(strong)} of {len(log_odds)} stems have |z| > 1.96 "
            f"({int((strong['z'] > 0).sum())} leaning to {a}, {int((strong['z'] < 0).sum())} to {b}); "
            f"about {0.05 * len(log_odds):.0f} would by chance alone if both kinds used words "
            "alike, and words cluster within articles, so treat single words as leads, not "
            "as established differences."
        )
    edges = tables.get("partners")
    focal = metrics["parameters"].get("focal", "the focal government")
    if edges is not None and len(edges):
        parts = []
        for kind in COOP_DISPLAY_ORDER:
            group = edges[edges["coop_type"] == kind]
            if len(group):
                names = _join([f"{r.partner} ({_articles(int(r.n_documents))})"
                               for r in group.itertuples(index=False)][:5])
                parts.append(f"{kind}: {names}")
        out.append(f"{focal}'s partners in the news - " + "; ".join(parts) + ".")
    elif edges is not None:
        out.append(f"No article names {focal} as a party to cooperation, so the partner network "
                   "is empty.")
    topics = metrics.get("topics", {})
    for kind in CONTRAST:
        listed = topics.get(kind, [])
        if listed:
            best = listed[0]
            out.append(f"The most common topic in {kind} paragraphs is "
                       f"'{best.get('label_readable', best['label'])}' "
                       f"({_pct(best['share'])} of its paragraphs with a topic).")
    return out
