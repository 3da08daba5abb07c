"""The compare stage's tables: documents and paragraphs by kind, coverage, sectors, topics, partners."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..core.codebook import CONTRAST, COOP_DISPLAY_ORDER, COOPERATION_TYPES
from ..core.config import CompareParams
from ..core.errors import UserError
from .findings import compare_metrics, corpus_summary, findings
from .partners import partner_counts, partner_edges
from .stats import (
    distinctive_terms,
    indicator_shares,
    log_odds_dirichlet,
    log_odds_sensitivity,
    stem_counts,
)
from .stories import story_metrics, story_table

__all__ = [
    "CompareResult",
    "INPUT_COLUMNS",
    "OPTIONAL_COLUMNS",
    "document_frame",
    "paragraph_frame",
    "coverage_table",
    "coverage_monthly",
    "coverage_by_outlet",
    "sector_shares",
    "topic_prevalence",
    "partner_edges",
    "partner_counts",
    "compare_tables",
    "finish_compare",
]

# Units. A *document* is a non-duplicate article (``duplicate_of`` is null) with its
# document-level ``coop_type``. A *paragraph* counts for the kind of its own paragraph-level
# ``coop_type`` by default (``paragraph_labels="paragraph"``); ``"document"`` makes every
# paragraph inherit its article's kind. Articles are the sampling units: every interval
# resamples whole articles (a cluster bootstrap), never single paragraphs.

ParagraphLabels = Literal["paragraph", "document"]

_DOCUMENT_COLUMNS = ("doc_id", "outlet", "date", "duplicate_of")
_PARAGRAPH_COLUMNS = ("para_id", "doc_id", "stems")
_CLASSIFIED_COLUMNS = ("level", "doc_id", "para_id", "coop_type", "partners", "sectors")
_TOPIC_COLUMNS = ("para_id", "doc_id", "topic", "topic_label")
#: What the compare stage reads of each input (the stems it counts from paragraphs.parquet).
INPUT_COLUMNS = {"documents": _DOCUMENT_COLUMNS, "paragraphs": _PARAGRAPH_COLUMNS[:2],
                 "classified": _CLASSIFIED_COLUMNS, "topics": _TOPIC_COLUMNS}
#: Read too where present: classify's evidence and stories, the topics' readable labels.
OPTIONAL_COLUMNS = {"classified": ("confidence", "story_id"), "topics": ("topic_label_readable",)}
_LOG_ODDS_COLUMNS = ("term", "count_a", "count_b", "count", "prior", "delta", "variance", "z",
                     "log_frequency")


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------

def _require_columns(frame: pd.DataFrame, columns: Iterable[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise UserError(
            f"{name}: missing column(s) {', '.join(missing)} (has {', '.join(map(str, frame.columns))}); "
            "see docs/architecture.md for the contract and rerun the stage that writes it"
        )


def _as_list(value: Any) -> list[str]:
    """Parquet list cells arrive as numpy arrays, lists or None; make them plain lists."""
    if value is None:
        return []
    if isinstance(value, float) and math.isnan(value):
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _check_coop_types(values: pd.Series, name: str) -> None:
    unknown = sorted(set(values.dropna().astype(str)) - set(COOP_DISPLAY_ORDER))
    if values.isna().any():
        unknown.append("<null>")
    if unknown:
        raise UserError(
            f"{name}: coop_type {', '.join(unknown)} is not a codebook id "
            f"({', '.join(COOP_DISPLAY_ORDER)}); fix the classify stage output"
        )


def document_frame(documents: pd.DataFrame, classified: pd.DataFrame) -> pd.DataFrame:
    """One row per non-duplicate document with its document-level coding.

    Args:
        documents: ``documents.parquet`` (doc_id, outlet, date, duplicate_of, ...).
        classified: ``classified.parquet``; its ``level == "document"`` rows are used.

    Returns:
        doc_id, outlet, date (day precision, may be NaT), coop_type, partners (list),
        sectors (list), and confidence and story_id when classified.parquet has them; sorted
        by doc_id.

    Raises:
        UserError: when a non-duplicate document has no document-level coding (or more than
            one), when a coding names a document that ingest does not know, or when a
            coop_type is not a codebook id. Documents are never dropped silently.
    """
    _require_columns(documents, _DOCUMENT_COLUMNS, "documents.parquet")
    _require_columns(classified, _CLASSIFIED_COLUMNS, "classified.parquet")
    docs = documents.loc[documents["duplicate_of"].isna(), ["doc_id", "outlet", "date"]].copy()
    optional = [c for c in ("confidence", "story_id") if c in classified.columns]  # round 4
    coded = classified.loc[classified["level"] == "document",
                           ["doc_id", "coop_type", "partners", "sectors", *optional]]
    _check_coop_types(coded["coop_type"], "classified.parquet (document level)")
    repeated = coded["doc_id"][coded["doc_id"].duplicated()].unique()
    if len(repeated):
        raise UserError(
            f"classified.parquet: {len(repeated)} document(s) have more than one document-level "
            f"row (e.g. {repeated[0]}); rerun the classify stage"
        )
    unknown = sorted(set(coded["doc_id"]) - set(documents["doc_id"]))
    if unknown:
        raise UserError(
            f"classified.parquet: {len(unknown)} document(s) are not in documents.parquet "
            f"(e.g. {unknown[0]}); the inputs are from different runs, rerun classify"
        )
    merged = docs.merge(coded, on="doc_id", how="left", validate="one_to_one")
    uncoded = merged.loc[merged["coop_type"].isna(), "doc_id"].tolist()
    if uncoded:
        raise UserError(
            f"classified.parquet: {len(uncoded)} document(s) from documents.parquet have no "
            f"document-level coding (e.g. {uncoded[0]}); rerun the classify stage"
        )
    merged["date"] = pd.to_datetime(merged["date"]).dt.normalize()
    merged["outlet"] = merged["outlet"].astype(object).where(merged["outlet"].notna(), None)
    merged["coop_type"] = merged["coop_type"].astype(str)
    merged["partners"] = merged["partners"].map(_as_list)
    merged["sectors"] = merged["sectors"].map(lambda v: sorted(set(_as_list(v))))
    return merged.sort_values("doc_id", kind="stable").reset_index(drop=True)


def paragraph_frame(paragraphs: pd.DataFrame, classified: pd.DataFrame, docs: pd.DataFrame, *,
                    paragraph_labels: ParagraphLabels = "paragraph") -> pd.DataFrame:
    """One row per paragraph of a non-duplicate document, with the kind of cooperation it counts for.

    Args:
        paragraphs: ``paragraphs.parquet`` (para_id, doc_id, stems, ...).
        classified: ``classified.parquet``; its ``level == "paragraph"`` rows give paragraph
            coop_type and sectors.
        docs: the output of :func:`document_frame` (which documents count, and their labels).
        paragraph_labels: ``"paragraph"`` uses each paragraph's own coop_type; ``"document"``
            gives every paragraph its article's coop_type. Sectors are always the paragraph's.

    Returns:
        para_id, doc_id, coop_type, sectors (list), stems (as read from Parquet, when
        ``paragraphs`` has them), sorted by para_id.

    Raises:
        UserError: when a paragraph of a counted document has no paragraph-level coding.
    """
    _require_columns(paragraphs, _PARAGRAPH_COLUMNS[:2], "paragraphs.parquet")
    if paragraph_labels not in ("paragraph", "document"):
        raise UserError(f"paragraph_labels = {paragraph_labels!r}: use 'paragraph' or 'document'")
    keep = paragraphs["doc_id"].isin(set(docs["doc_id"]))
    paras = paragraphs.loc[keep, [c for c in _PARAGRAPH_COLUMNS if c in paragraphs]].copy()
    coded = classified.loc[classified["level"] == "paragraph",
                           ["para_id", "coop_type", "sectors"]]
    _check_coop_types(coded["coop_type"], "classified.parquet (paragraph level)")
    if coded["para_id"].duplicated().any():
        first = coded.loc[coded["para_id"].duplicated(), "para_id"].iloc[0]
        raise UserError(f"classified.parquet: paragraph {first} is coded twice; rerun classify")
    merged = paras.merge(coded, on="para_id", how="left", validate="one_to_one")
    uncoded = merged.loc[merged["coop_type"].isna(), "para_id"].tolist()
    if uncoded:
        raise UserError(
            f"classified.parquet: {len(uncoded)} paragraph(s) from paragraphs.parquet have no "
            f"paragraph-level coding (e.g. {uncoded[0]}); rerun the classify stage"
        )
    if paragraph_labels == "document":
        merged["coop_type"] = merged["doc_id"].map(docs.set_index("doc_id")["coop_type"])
    merged["coop_type"] = merged["coop_type"].astype(str)
    merged["sectors"] = merged["sectors"].map(lambda v: sorted(set(_as_list(v))))
    # Stems stay as read (arrays from Parquet): converting millions of tokens to Python lists
    # would double the memory of the largest table for no gain.
    return merged.sort_values("para_id", kind="stable").reset_index(drop=True)


def _present_types(frame: pd.DataFrame, always: Sequence[str] = CONTRAST) -> list[str]:
    """Codebook order, restricted to the kinds that occur (the contrast pair is always kept)."""
    present = set(frame["coop_type"]) | set(always)
    return [t for t in COOP_DISPLAY_ORDER if t in present]


# --------------------------------------------------------------------------------------------
# Coverage
# --------------------------------------------------------------------------------------------

def coverage_table(docs: pd.DataFrame, paras: pd.DataFrame) -> pd.DataFrame:
    """Documents and paragraphs per kind of cooperation.

    Args:
        docs: :func:`document_frame` output.
        paras: :func:`paragraph_frame` output.

    Returns:
        One row per codebook coop_type (all four, zeros included): coop_type, n_documents,
        share_documents, n_paragraphs, share_paragraphs, n_outlets, date_min, date_max
        (ISO dates, empty when no dated document).
    """
    rows = []
    n_docs_total = len(docs)
    n_paras_total = len(paras)
    for coop in COOP_DISPLAY_ORDER:
        group = docs[docs["coop_type"] == coop]
        dates = group["date"].dropna()
        n_paras = int((paras["coop_type"] == coop).sum())
        rows.append({
            "coop_type": coop,
            "n_documents": len(group),
            "share_documents": len(group) / n_docs_total if n_docs_total else float("nan"),
            "n_paragraphs": n_paras,
            "share_paragraphs": n_paras / n_paras_total if n_paras_total else float("nan"),
            "n_outlets": int(group["outlet"].dropna().nunique()),
            "date_min": dates.min().date().isoformat() if len(dates) else "",
            "date_max": dates.max().date().isoformat() if len(dates) else "",
        })
    return pd.DataFrame(rows)


def coverage_monthly(docs: pd.DataFrame, *, coop_types: Sequence[str] | None = None) -> pd.DataFrame:
    """Documents per calendar month and kind of cooperation, with empty months filled with 0.

    Every month from the first to the last dated document appears for every kind, so a
    month without articles is a visible zero rather than a gap that a line plot would bridge.
    Undated documents cannot be placed on the axis; count them with ``docs["date"].isna()``
    (``run_compare`` reports them as ``coverage.undated`` and in a figure note).

    Args:
        docs: :func:`document_frame` output.
        coop_types: kinds to include; default: the kinds present (the contrast pair always).

    Returns:
        month (``YYYY-MM``), coop_type, n_documents; sorted by month, then codebook order.
        Empty when no document has a date.
    """
    kinds = list(coop_types) if coop_types is not None else _present_types(docs)
    dated = docs.dropna(subset=["date"])
    if dated.empty:
        return pd.DataFrame({"month": pd.Series(dtype=str), "coop_type": pd.Series(dtype=str),
                             "n_documents": pd.Series(dtype="int64")})
    months = pd.period_range(dated["date"].min(), dated["date"].max(), freq="M")
    counts = dated.groupby([dated["date"].dt.to_period("M"), "coop_type"]).size()
    grid = pd.MultiIndex.from_product([months, kinds], names=["month", "coop_type"])
    table = counts.reindex(grid, fill_value=0).rename("n_documents").reset_index()
    table["month"] = table["month"].astype(str)
    table["n_documents"] = table["n_documents"].astype("int64")
    return table


def coverage_by_outlet(docs: pd.DataFrame, *, coop_types: Sequence[str] | None = None,
                       unknown_outlet: str = "(unknown)") -> pd.DataFrame:
    """Documents per outlet and kind of cooperation (zeros included).

    Args:
        docs: :func:`document_frame` output.
        coop_types: kinds to include; default: the kinds present (the contrast pair always).
        unknown_outlet: the name used for documents without an outlet.

    Returns:
        outlet, coop_type, n_documents; outlets ordered by total documents (descending),
        then name; kinds in codebook order.
    """
    kinds = list(coop_types) if coop_types is not None else _present_types(docs)
    outlets = docs["outlet"].fillna(unknown_outlet).astype(str)
    counts = docs.assign(outlet=outlets).groupby(["outlet", "coop_type"]).size()
    totals = outlets.value_counts()
    order = sorted(totals.index, key=lambda o: (-int(totals[o]), o))
    grid = pd.MultiIndex.from_product([order, kinds], names=["outlet", "coop_type"])
    table = counts.reindex(grid, fill_value=0).rename("n_documents").reset_index()
    table["n_documents"] = table["n_documents"].astype("int64")
    return table


# --------------------------------------------------------------------------------------------
# Shares, topics, partners
# --------------------------------------------------------------------------------------------

def sector_shares(docs: pd.DataFrame, paras: pd.DataFrame | None = None, *,
                  level: Literal["document", "paragraph"] = "document",
                  coop_types: Sequence[str] | None = None, sectors: Sequence[str] | None = None,
                  n_bootstrap: int, ci_level: float, seed: int,
                  min_bootstrap_docs: int) -> pd.DataFrame:
    """Share of documents (or paragraphs) of each kind of cooperation that mention each sector.

    Interval choice (``ci_method`` says which one ``ci_low``/``ci_high`` hold; both are always
    in the table as boot_* and wilson_* so a reader can compare):

    * ``"bootstrap"``: percentile bootstrap over articles (``n_bootstrap`` replicates, seeded
      per kind, so adding a kind does not change another kind's interval). Used when the kind
      has at least ``min_bootstrap_docs`` articles and the replicates vary.
    * ``"wilson"``: Wilson score interval with n = the kind's number of articles. Used below
      ``min_bootstrap_docs`` articles and wherever the bootstrap is degenerate (one article,
      or all / none of the articles mention the sector: every replicate then equals the
      observed share, see :func:`bootstrap_share_ci`). With 2-9 articles a resample can take
      only a handful of distinct values, so percentile intervals are either points or
      [0, 1]; the Wilson interval keeps close to nominal coverage there. For paragraph
      shares, n = articles (not paragraphs) is the conservative bound for paragraphs of one
      article being perfectly correlated.

    Args:
        docs: :func:`document_frame` output.
        paras: :func:`paragraph_frame` output (needed for ``level="paragraph"``).
        level: ``"document"`` (unit = article) or ``"paragraph"`` (unit = paragraph).
        coop_types: kinds to profile; default: the cooperation kinds present plus the
            contrast pair (``none`` is left out: it is not cooperation).
        sectors: sector ids to report; default: every sector seen at this level, sorted.
        n_bootstrap: bootstrap replicates per kind.
        ci_level: interval coverage.
        seed: base seed.
        min_bootstrap_docs: fewest articles for which the bootstrap interval is reported.

    Returns:
        level, coop_type, sector, n_docs (articles of this kind: the n behind the estimate),
        n_units (articles or paragraphs: the denominator), n_mentioning (the numerator),
        share, ci_low, ci_high, ci_method, boot_low, boot_high, wilson_low, wilson_high.
        Sorted by coop_type (codebook order) then sector.
    """
    if level == "document":
        units = docs[["doc_id", "coop_type", "sectors"]]
    elif level == "paragraph":
        if paras is None:
            raise ValueError("level='paragraph' needs the paragraph frame")
        units = paras[["doc_id", "coop_type", "sectors"]]
    else:
        raise UserError(f"level = {level!r}: use 'document' or 'paragraph'")
    kinds = list(coop_types) if coop_types is not None else [
        t for t in _present_types(docs) if t in COOPERATION_TYPES]
    if sectors is None:
        seen = units.loc[units["coop_type"].isin(kinds), "sectors"]
        sectors = sorted({s for values in seen for s in values})
    parts = [
        indicator_shares(units.loc[units["coop_type"] == kind].rename(columns={"sectors": "items_list"}),
                          sectors, group=kind, what=f"sectors-{level}",
                          n_bootstrap=n_bootstrap, ci_level=ci_level, seed=seed,
                          min_bootstrap_docs=min_bootstrap_docs)
        for kind in kinds
    ]
    if not parts:
        return pd.DataFrame(columns=["level", "coop_type", "sector"])
    table = pd.concat(parts, ignore_index=True).rename(columns={"item": "sector"})
    table.insert(0, "level", level)
    return table


def topic_prevalence(topics: pd.DataFrame, paras: pd.DataFrame, *,
                     coop_types: Sequence[str] | None = None, n_bootstrap: int,
                     ci_level: float, seed: int, min_bootstrap_docs: int) -> pd.DataFrame:
    """Share of each kind's paragraphs that fall in each topic, with intervals.

    The denominator is the kind's paragraphs that the topic model saw (topics.parquet rows,
    outliers ``topic == -1`` included), so shares of one kind sum to 1. Intervals as in
    :func:`sector_shares` (articles resampled; Wilson with n = articles for kinds with fewer
    than ``min_bootstrap_docs`` articles or where the bootstrap cannot vary).

    Args:
        topics: ``topics.parquet`` (para_id, doc_id, topic, topic_label).
        paras: :func:`paragraph_frame` output (paragraph kinds; duplicates already left out).
        coop_types: kinds to report; default: cooperation kinds present plus the contrast pair.

    Returns:
        coop_type, topic, topic_label, topic_label_readable (if in topics), n_docs, n_units
        (paragraphs of the kind with a topic), n_paragraphs (in this topic), share, ci_low,
        ci_high, ci_method, boot_low, boot_high, wilson_low, wilson_high; sorted by kind, then
        topic (outliers last).

    Raises:
        UserError: a topics row names a paragraph that preprocess does not know.
    """
    _require_columns(topics, _TOPIC_COLUMNS, "topics.parquet")
    rows = topics[["para_id", "topic", "topic_label"]].copy()
    rows["topic"] = rows["topic"].astype("int64")
    joined = rows.merge(paras[["para_id", "doc_id", "coop_type"]], on="para_id", how="inner")
    kinds = list(coop_types) if coop_types is not None else [
        t for t in _present_types(paras) if t in COOPERATION_TYPES]
    labels = (rows.sort_values(["topic", "topic_label"], kind="stable")
              .drop_duplicates("topic").set_index("topic")["topic_label"].astype(str))
    order = sorted(labels.index, key=lambda t: (t < 0, t))
    parts = []
    for kind in kinds:
        group = joined[joined["coop_type"] == kind]
        units = pd.DataFrame({"doc_id": group["doc_id"],
                              "items_list": [[str(t)] for t in group["topic"]]})
        part = indicator_shares(units, [str(t) for t in order], group=kind, what="topics",
                                 n_bootstrap=n_bootstrap, ci_level=ci_level, seed=seed,
                                 min_bootstrap_docs=min_bootstrap_docs)
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=["coop_type", "topic", "topic_label"])
    table = pd.concat(parts, ignore_index=True).rename(
        columns={"item": "topic", "n_mentioning": "n_paragraphs"})
    table["topic"] = table["topic"].astype("int64")
    table.insert(2, "topic_label", table["topic"].map(labels).astype(str))
    if "topic_label_readable" in topics.columns:  # readable words beside the stems
        readable = topics.drop_duplicates("topic").set_index("topic")["topic_label_readable"]
        table.insert(3, "topic_label_readable", table["topic"].map(readable).astype(str))
    return table


def _check_topic_ids(topics: pd.DataFrame, paragraphs: pd.DataFrame) -> None:
    unknown = sorted(set(topics["para_id"]) - set(paragraphs["para_id"]))
    if unknown:
        raise UserError(
            f"topics.parquet: {len(unknown)} paragraph(s) are not in paragraphs.parquet "
            f"(e.g. {unknown[0]}); the inputs are from different runs, rerun the topics stage"
        )


# --------------------------------------------------------------------------------------------
# The stage
# --------------------------------------------------------------------------------------------

@dataclass
class CompareResult:
    """What :func:`run_compare` computed.

    Attributes:
        tables: name -> DataFrame, each also written as ``<tables_dir>/<name>.csv``.
        figures: name -> English matplotlib Figure (filled by the stage; the Indonesian ones
            are saved and closed).
        metrics: the content of compare.json.
        findings: plain-English sentences built from the numbers, for the notebook prose.
        written: every file written, sorted.
        docs: the documents compared (:func:`document_frame`).
    """

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    docs: pd.DataFrame = field(default_factory=pd.DataFrame)


def _stem_counts(paras: pd.DataFrame, kinds: Sequence[str]) -> dict[str, pd.Series]:
    return {kind: stem_counts(paras, kind) for kind in kinds}


def _wide_monthly(monthly: pd.DataFrame) -> pd.DataFrame:
    """month x kind counts, one column per kind: the shape `dvc plots` draws as several lines.

    ``month_index`` (1 = first month) is a numeric x axis for DVC's templates, which treat x
    as a quantity and cannot place "2025-04".
    """
    if monthly.empty:
        return pd.DataFrame({"month": pd.Series(dtype=str),
                             "month_index": pd.Series(dtype="int64")})
    wide = monthly.pivot(index="month", columns="coop_type", values="n_documents")
    kinds = [k for k in COOP_DISPLAY_ORDER if k in wide.columns]
    table = wide[kinds].sort_index().reset_index().rename_axis(columns=None)
    table.insert(1, "month_index", np.arange(1, len(table) + 1, dtype="int64"))
    return table


def compare_tables(documents: pd.DataFrame, paragraphs: pd.DataFrame, classified: pd.DataFrame,
                   topics: pd.DataFrame, compare: CompareParams, seed: int, *,
                   paragraph_labels: ParagraphLabels = "paragraph", alpha_0: float | None = None,
                   count_stems: Callable[[pd.DataFrame, Sequence[str]], dict[str, pd.Series]]
                   | None = None) -> CompareResult:
    """Every table and number of the compare stage, from the four stage tables.

    Args:
        documents, paragraphs, classified, topics: the stage tables (docs/architecture.md).
        compare: params.yaml ``compare``: ``focal`` (the government at the centre of the partner
            network), ``n_bootstrap`` and ``ci_level`` (interval settings, see
            :func:`sector_shares`), ``top_terms`` (distinctive terms kept per side),
            ``prior_scale`` (the log-odds prior weight as a fraction of the compared tokens,
            see :func:`~analysis.compare.stats.log_odds_dirichlet`), ``min_bootstrap_docs``
            (below this many articles a kind's intervals are Wilson intervals).
        seed: seed of the bootstrap.
        paragraph_labels: how paragraphs get their kind (see :func:`paragraph_frame`).
        alpha_0: log-odds prior weight in pseudo-tokens (None: ``compare.prior_scale`` x the
            compared tokens).
        count_stems: stem counts of the paragraphs of each kind (e.g. read from Parquet in
            batches, :mod:`~analysis.compare.counts`, when ``paragraphs`` has no stems);
            default :func:`~analysis.compare.stats.stem_counts` on ``paragraphs``' stems.

    Returns:
        A :class:`CompareResult` without figures (drawing is the report layer's job).

    Raises:
        UserError: inputs from different runs, uncoded documents, no documents.
    """
    _require_columns(topics, _TOPIC_COLUMNS, "topics.parquet")
    _check_topic_ids(topics, paragraphs)
    docs = document_frame(documents, classified)
    paras = paragraph_frame(paragraphs, classified, docs, paragraph_labels=paragraph_labels)
    if docs.empty:
        raise UserError("documents.parquet: no non-duplicate documents to compare; check ingest")
    coverage = {"coverage": coverage_table(docs, paras), "coverage_monthly": coverage_monthly(docs),
                "coverage_outlet": coverage_by_outlet(docs)}
    return finish_compare(docs, paras, topics, (count_stems or _stem_counts)(paras, CONTRAST),
                          coverage, corpus_summary(docs, paras), compare, seed,
                          paragraph_labels=paragraph_labels, alpha_0=alpha_0)


def finish_compare(docs: pd.DataFrame, paras: pd.DataFrame, topics: pd.DataFrame,
                   counted: dict[str, pd.Series], coverage: dict[str, pd.DataFrame],
                   corpus: dict[str, Any], compare: CompareParams, seed: int, *,
                   paragraph_labels: ParagraphLabels = "paragraph",
                   alpha_0: float | None = None) -> CompareResult:
    """The tables that need rows (sectors, log-odds, topics, partners, stories) and the numbers.

    ``docs`` and ``paras`` may hold only the cooperation kinds' rows (every kind but
    ``none``): no table below reads another row, so the out-of-core path
    (:mod:`~analysis.compare.scan`) passes just those. ``counted`` are the stem counts of the
    contrasted kinds, ``coverage`` the three coverage tables, ``corpus`` compare.json's
    ``corpus`` block (:func:`~analysis.compare.findings.corpus_summary`).
    """
    focal, top_terms = compare.focal, compare.top_terms
    n_bootstrap, ci_level = compare.n_bootstrap, compare.ci_level
    prior_scale, min_bootstrap_docs = compare.prior_scale, compare.min_bootstrap_docs
    settings = dict(n_bootstrap=n_bootstrap, ci_level=ci_level, seed=seed,
                    min_bootstrap_docs=min_bootstrap_docs)
    a, b = CONTRAST
    counts_a, counts_b = counted[a], counted[b]
    if alpha_0 is None:
        alpha_0 = prior_scale * float(counts_a.sum() + counts_b.sum())
    if len(counts_a) and len(counts_b) and len(counts_a.index.union(counts_b.index)) >= 2:
        log_odds = log_odds_dirichlet(counts_a, counts_b, alpha_0=alpha_0)
    else:  # nothing to contrast (e.g. a corpus without one of the two kinds): empty table
        log_odds = pd.DataFrame({c: pd.Series(dtype=float) for c in _LOG_ODDS_COLUMNS})
        log_odds["term"] = log_odds["term"].astype(str)
    tables: dict[str, pd.DataFrame] = {
        **coverage,
        "sectors": sector_shares(docs, level="document", **settings),
        "sectors_paragraphs": sector_shares(docs, paras, level="paragraph", **settings),
        "log_odds": log_odds,
        "distinctive_terms": distinctive_terms(log_odds, top_n=top_terms),
        "log_odds_sensitivity": (
            log_odds_sensitivity(counts_a, counts_b,
                                 distinctive_terms(log_odds, top_n=top_terms)["term"].tolist())
            if len(log_odds) else pd.DataFrame({"term": pd.Series(dtype=str)})),
        "topic_prevalence": topic_prevalence(topics, paras, **settings),
        "partners": partner_edges(docs, focal=focal),
        "partner_counts": partner_counts(docs, exclude=(focal,)),
        "stories": story_table(docs),
    }
    tables["coverage_monthly_wide"] = _wide_monthly(tables["coverage_monthly"])
    parameters = {
        "focal": focal, "n_bootstrap": n_bootstrap, "ci_level": ci_level, "seed": seed,
        "top_terms": top_terms, "paragraph_labels": paragraph_labels,
        "alpha_0": log_odds.attrs.get("alpha_0"), "prior_scale": prior_scale,
        "contrast": list(CONTRAST), "min_bootstrap_docs": min_bootstrap_docs,
    }
    metrics = compare_metrics(tables, corpus, parameters=parameters)
    metrics.update(story_metrics(tables["stories"]))
    return CompareResult(tables=tables, metrics=metrics, findings=findings(metrics, tables),
                         docs=docs)
