"""Compare news coverage of agglomeration and international cooperation, with honest uncertainty.

Every public function here is a pure function over DataFrames that returns a DataFrame (the
numbers behind one figure or one sentence of the report); ``run_compare`` chains them, writes
tables, metrics and figures, and returns everything for the notebook.

Units. A *document* is a non-duplicate article (``duplicate_of`` is null) with its
document-level ``coop_type``. A *paragraph* belongs to a kind of cooperation through its own
paragraph-level ``coop_type`` by default (``paragraph_labels="paragraph"``), so an
international article's paragraph about, say, Jakarta's budget does not count as
international language; ``paragraph_labels="document"`` makes every paragraph inherit its
article's label instead.

Uncertainty. Articles are the sampling units: paragraphs of one article are not independent,
so every interval resamples whole articles (a cluster bootstrap) and never single paragraphs.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import NormalDist
from typing import Any, Literal

import numpy as np
import pandas as pd

from .errors import UserError

__all__ = [
    "COOP_TYPES",
    "CONTRAST",
    "MIN_BOOTSTRAP_DOCS",
    "PRIOR_SCALE",
    "CompareResult",
    "document_frame",
    "paragraph_frame",
    "coverage_table",
    "coverage_monthly",
    "coverage_by_outlet",
    "bootstrap_share_ci",
    "wilson_interval",
    "sector_shares",
    "stem_counts",
    "log_odds_dirichlet",
    "distinctive_terms",
    "log_odds_sensitivity",
    "topic_prevalence",
    "partner_edges",
    "partner_counts",
    "compare_metrics",
    "findings",
    "run_compare",
]

#: Codebook ids of the kinds of cooperation, in the order tables and figures show them.
COOP_TYPES: tuple[str, ...] = ("agglomeration", "international", "domestic_other", "none")
#: The two kinds the research question contrasts (log-odds: positive z leans to the first).
CONTRAST: tuple[str, str] = ("agglomeration", "international")
#: Kinds of cooperation whose sector, topic and partner profiles are reported ("none" is not
#: cooperation, so its sector profile answers no question of the study).
COOPERATION_TYPES: tuple[str, ...] = ("agglomeration", "international", "domestic_other")

ParagraphLabels = Literal["paragraph", "document"]

_DOCUMENT_COLUMNS = ("doc_id", "outlet", "date", "duplicate_of")
_PARAGRAPH_COLUMNS = ("para_id", "doc_id", "stems")
_CLASSIFIED_COLUMNS = ("level", "doc_id", "para_id", "coop_type", "partners", "sectors")
_TOPIC_COLUMNS = ("para_id", "doc_id", "topic", "topic_label")
_LOG_ODDS_COLUMNS = ("term", "count_a", "count_b", "count", "prior", "delta", "variance", "z",
                     "log_frequency")
# Bootstrap weights are drawn in blocks of at most this many cells, so memory stays bounded
# (about 40 MB) however many articles a group has.
_BOOTSTRAP_BLOCK_CELLS = 5_000_000


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
    unknown = sorted(set(values.dropna().astype(str)) - set(COOP_TYPES))
    if values.isna().any():
        unknown.append("<null>")
    if unknown:
        raise UserError(
            f"{name}: coop_type {', '.join(unknown)} is not a codebook id "
            f"({', '.join(COOP_TYPES)}); fix the classify stage output"
        )


def document_frame(documents: pd.DataFrame, classified: pd.DataFrame) -> pd.DataFrame:
    """One row per non-duplicate document with its document-level coding.

    Args:
        documents: ``documents.parquet`` (doc_id, outlet, date, duplicate_of, ...).
        classified: ``classified.parquet``; its ``level == "document"`` rows are used.

    Returns:
        doc_id, outlet, date (day precision, may be NaT), coop_type, partners (list),
        sectors (list), sorted by doc_id.

    Raises:
        UserError: when a non-duplicate document has no document-level coding (or more than
            one), when a coding names a document that ingest does not know, or when a
            coop_type is not a codebook id. Documents are never dropped silently.
    """
    _require_columns(documents, _DOCUMENT_COLUMNS, "documents.parquet")
    _require_columns(classified, _CLASSIFIED_COLUMNS, "classified.parquet")
    docs = documents.loc[documents["duplicate_of"].isna(), ["doc_id", "outlet", "date"]].copy()
    coded = classified.loc[classified["level"] == "document",
                           ["doc_id", "coop_type", "partners", "sectors"]]
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
        para_id, doc_id, coop_type, sectors (list), stems (as read from Parquet), sorted by para_id.

    Raises:
        UserError: when a paragraph of a counted document has no paragraph-level coding.
    """
    _require_columns(paragraphs, _PARAGRAPH_COLUMNS, "paragraphs.parquet")
    if paragraph_labels not in ("paragraph", "document"):
        raise UserError(f"paragraph_labels = {paragraph_labels!r}: use 'paragraph' or 'document'")
    keep = paragraphs["doc_id"].isin(set(docs["doc_id"]))
    paras = paragraphs.loc[keep, ["para_id", "doc_id", "stems"]].copy()
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
    return [t for t in COOP_TYPES if t in present]


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
    for coop in COOP_TYPES:
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
# Shares with intervals
# --------------------------------------------------------------------------------------------

def _rng(seed: int | np.random.Generator | np.random.SeedSequence, *keys: str) -> np.random.Generator:
    """A Generator for one (seed, group) pair: a group's draws do not depend on other groups."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, np.random.SeedSequence):
        entropy = seed.entropy
    else:
        entropy = int(seed)
    return np.random.default_rng([entropy, *(zlib.crc32(k.encode("utf-8")) for k in keys)])


def bootstrap_share_ci(successes: Sequence[float] | np.ndarray,
                       totals: Sequence[float] | np.ndarray | None = None, *,
                       n_bootstrap: int = 2000, ci_level: float = 0.95,
                       seed: int | np.random.Generator | np.random.SeedSequence = 0,
                       ) -> dict[str, np.ndarray]:
    """Percentile bootstrap intervals for one or more shares, resampling whole units.

    Each row is a sampling unit (an article). With ``totals`` omitted a unit is one trial and
    the share is ``mean(successes)`` (e.g. share of articles mentioning a sector). With
    ``totals`` the share is the ratio ``sum(successes) / sum(totals)`` (e.g. share of
    paragraphs, where ``totals`` are each article's paragraphs): resampling articles rather
    than paragraphs keeps the dependence between paragraphs of one article in the interval.

    The resampling is vectorised: ``n`` unit indices are drawn with replacement for every
    replicate at once, counted into a ``(n_bootstrap, n)`` weight matrix, and all shares of
    a group come from one matrix product (in blocks, so memory stays bounded).

    Why the interval can be useless for small groups: a percentile bootstrap can only
    reproduce variation present in the sample. With one unit (``n == 1``), or when every
    unit has the same value (all or none of the articles mention a sector), every replicate
    equals the observed share and the interval collapses to a point, which would claim
    certainty that two or three articles cannot give. Such rows are flagged
    ``degenerate``; :func:`sector_shares` reports the Wilson score interval for them. With
    n = 2 or 3 the replicates can take only 3 or 10 distinct values, so the non-degenerate
    intervals jump between a point and [0, 1]; that is why small groups get Wilson intervals.

    Args:
        successes: shape ``(n,)`` or ``(n, k)``: per-unit successes for ``k`` shares at once.
        totals: shape ``(n,)``, positive per-unit denominators; default all ones.
        n_bootstrap: number of bootstrap replicates.
        ci_level: coverage of the interval, e.g. 0.95.
        seed: an int (combined with nothing else) or a numpy Generator / SeedSequence.

    Returns:
        dict of arrays of length ``k`` (or scalars' arrays of length 1 for 1-D input):
        ``share``, ``low``, ``high`` (percentile interval, linear interpolation) and
        ``degenerate`` (bool). All NaN (degenerate True) when ``n == 0``.
    """
    s = np.asarray(successes, dtype=float)
    if s.ndim == 1:
        s = s[:, None]
    n, k = s.shape
    t = np.ones(n) if totals is None else np.asarray(totals, dtype=float)
    if t.shape != (n,):
        raise ValueError(f"totals has shape {t.shape}, expected ({n},)")
    if not 0.0 < ci_level < 1.0:
        raise ValueError(f"ci_level = {ci_level} must lie strictly between 0 and 1")
    if n_bootstrap < 1:
        raise ValueError(f"n_bootstrap = {n_bootstrap} must be at least 1")
    if n == 0:
        nan = np.full(k, np.nan)
        return {"share": nan, "low": nan.copy(), "high": nan.copy(), "degenerate": np.ones(k, bool)}
    if np.any(t <= 0):
        raise ValueError("every unit needs a positive total (drop units without paragraphs)")
    rng = _rng(seed)
    block = max(1, _BOOTSTRAP_BLOCK_CELLS // n)
    replicates = np.empty((n_bootstrap, k))
    for start in range(0, n_bootstrap, block):
        rows = min(n_bootstrap, start + block) - start
        # n draws with replacement per replicate, turned into per-unit counts (a multinomial
        # weight vector) by one bincount over row-offset indices.
        picks = rng.integers(0, n, size=(rows, n)) + (np.arange(rows) * n)[:, None]
        weights = np.bincount(picks.ravel(), minlength=rows * n).reshape(rows, n).astype(float)
        replicates[start:start + rows] = (weights @ s) / (weights @ t)[:, None]
    alpha = 1.0 - ci_level
    low, high = np.quantile(replicates, [alpha / 2.0, 1.0 - alpha / 2.0], axis=0)
    share = s.sum(axis=0) / t.sum()
    # Replicates of a constant ratio can differ in the last bit; treat that as no variation.
    degenerate = np.ptp(replicates, axis=0) <= 1e-12
    return {"share": share, "low": low, "high": high, "degenerate": degenerate}


def wilson_interval(successes: float | np.ndarray, n: float | np.ndarray, *,
                    ci_level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a binomial proportion ``successes / n``.

    Chosen as the small-sample companion of the bootstrap because it never collapses to a
    point at 0/n or n/n (2 of 2 articles gives roughly [0.34, 1] at 95%) and its coverage stays
    close to nominal for n as small as 2-5, unlike the Wald interval.

    Returns:
        (low, high) arrays; NaN where ``n == 0``.
    """
    k = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    z = NormalDist().inv_cdf(1.0 - (1.0 - ci_level) / 2.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denominator = 1.0 + z * z / n
        centre = (p + z * z / (2.0 * n)) / denominator
        half = z / denominator * np.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n))
        # At k = 0 and k = n the bounds are exactly 0 and 1; rounding would leave 1e-17.
        low = np.where(k <= 0, 0.0, np.clip(centre - half, 0.0, 1.0))
        high = np.where(k >= n, 1.0, np.clip(centre + half, 0.0, 1.0))
    return low, high


#: Default weight of the log-odds prior, as a fraction of the compared tokens (see log_odds_dirichlet).
PRIOR_SCALE = 0.1
#: Below this many articles a kind's intervals are Wilson score intervals (see sector_shares).
MIN_BOOTSTRAP_DOCS = 10


def _indicator_shares(units: pd.DataFrame, items: Sequence[str], *, group: str, what: str,
                      n_bootstrap: int, ci_level: float, seed: int,
                      min_bootstrap_docs: int = MIN_BOOTSTRAP_DOCS) -> pd.DataFrame:
    """Shares of rows of ``units`` (one row per paragraph or document) that carry each item.

    ``units`` has doc_id and ``items_list``; articles are the bootstrap units and the n of
    the Wilson interval (see :func:`sector_shares` for the choice of interval).
    """
    items = list(items)
    n_units = len(units)
    n_docs = int(units["doc_id"].nunique()) if n_units else 0
    if n_units and items:
        position = {item: j for j, item in enumerate(items)}
        doc_codes, doc_index = np.unique(units["doc_id"].to_numpy(dtype=object).astype(str),
                                         return_inverse=True)
        indicator = np.zeros((n_units, len(items)))
        for row, values in enumerate(units["items_list"]):
            for value in values:
                j = position.get(value)
                if j is not None:
                    indicator[row, j] = 1.0
        per_doc = np.zeros((len(doc_codes), len(items)))
        np.add.at(per_doc, doc_index, indicator)
        per_doc_totals = np.bincount(doc_index, minlength=len(doc_codes)).astype(float)
        counts = indicator.sum(axis=0)
        boot = bootstrap_share_ci(per_doc, per_doc_totals, n_bootstrap=n_bootstrap,
                                  ci_level=ci_level, seed=_rng(seed, what, group))
    else:
        counts = np.zeros(len(items))
        nan = np.full(len(items), np.nan)
        boot = {"share": nan, "low": nan, "high": nan, "degenerate": np.ones(len(items), bool)}
    # Articles are the independent units: k = share x articles (for paragraph shares this is
    # the bound for perfectly correlated paragraphs within an article, i.e. conservative).
    w_low, w_high = wilson_interval(boot["share"] * n_docs, n_docs, ci_level=ci_level)
    use_wilson = boot["degenerate"] | (n_docs < min_bootstrap_docs)
    return pd.DataFrame({
        "coop_type": group,
        "item": items,
        "n_docs": n_docs,
        "n_units": n_units,
        "n_mentioning": counts.astype("int64"),
        "share": boot["share"],
        "ci_low": np.where(use_wilson, w_low, boot["low"]),
        "ci_high": np.where(use_wilson, w_high, boot["high"]),
        "ci_method": np.where(use_wilson, "wilson", "bootstrap"),
        "boot_low": boot["low"],
        "boot_high": boot["high"],
        "wilson_low": w_low,
        "wilson_high": w_high,
    })


def sector_shares(docs: pd.DataFrame, paras: pd.DataFrame | None = None, *,
                  level: Literal["document", "paragraph"] = "document",
                  coop_types: Sequence[str] | None = None, sectors: Sequence[str] | None = None,
                  n_bootstrap: int = 2000, ci_level: float = 0.95, seed: int = 0,
                  min_bootstrap_docs: int = MIN_BOOTSTRAP_DOCS) -> pd.DataFrame:
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
        _indicator_shares(units.loc[units["coop_type"] == kind].rename(columns={"sectors": "items_list"}),
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


def _top_items(shares: pd.DataFrame, item: str) -> dict[str, list[str]]:
    """Items with a positive share per kind, by share (desc), then count (desc), then id."""
    top: dict[str, list[str]] = {}
    for kind, group in shares.groupby("coop_type", sort=False):
        positive = group[group["n_mentioning"] > 0]
        ordered = positive.sort_values([item], kind="stable").sort_values(
            ["share", "n_mentioning"], ascending=False, kind="stable")
        top[str(kind)] = [str(v) for v in ordered[item]]
    return top


# --------------------------------------------------------------------------------------------
# Distinctive vocabulary
# --------------------------------------------------------------------------------------------

def stem_counts(paras: pd.DataFrame, coop_type: str | None = None) -> pd.Series:
    """Occurrences of each stem in the paragraphs of one kind (or all paragraphs).

    Returns:
        int64 Series indexed by stem, sorted by stem.
    """
    rows = paras if coop_type is None else paras[paras["coop_type"] == coop_type]
    flat = rows["stems"].explode().dropna()
    if flat.empty:
        return pd.Series(dtype="int64", name="count")
    counts = flat.astype(str).value_counts().sort_index().astype("int64")
    counts.index.name = None
    return counts.rename("count")


def log_odds_dirichlet(counts_a: Mapping[str, float] | pd.Series,
                       counts_b: Mapping[str, float] | pd.Series, *,
                       prior: Mapping[str, float] | pd.Series | None = None,
                       alpha_0: float | None = None) -> pd.DataFrame:
    """Weighted log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008).

    For term w with counts y_a, y_b (group totals n_a, n_b) and prior pseudo-counts
    alpha_w = alpha_0 * pi_w, where pi_w is the term's share of the prior counts:

        delta_w = log((y_a + alpha_w) / (n_a + alpha_0 - y_a - alpha_w))
                - log((y_b + alpha_w) / (n_b + alpha_0 - y_b - alpha_w))
        var_w  ~= 1 / (y_a + alpha_w) + 1 / (y_b + alpha_w)
        z_w     = delta_w / sqrt(var_w)

    Positive z: the term is more typical of group a. The prior shrinks the log-odds of rare
    terms towards zero, so a stem seen twice in one group does not outrank a frequent one.

    Prior: ``prior`` defaults to the combined counts of the two groups (pi_w = the term's
    share of all compared tokens). ``alpha_0`` (the prior's weight in pseudo-tokens) defaults
    to ``PRIOR_SCALE`` = 0.1 times the prior's total, i.e. alpha_w is one tenth of the term's
    combined count. Why not the full combined counts (alpha_0 = n_a + n_b, as in tidylo)? The
    combined counts are dominated by the larger group, and a prior as heavy as the data pulls
    the smaller group's estimates towards the larger group's rates, hiding the larger group's
    own vocabulary: on the five seed articles (192 vs 497 stem tokens) 'kuala_lumpur', 18:0
    in the larger group, scored z = -1.4 while 'bekasi', 7:0 in the smaller, scored 2.2; with
    0.1 they score -2.1 and 2.6. One tenth still shrinks rare stems (a stem seen once gets
    alpha_w = 0.1, so its z stays well under 1). ``log_odds_sensitivity`` in ``run_compare``
    reports z at 0.01, 0.1 and 1 times the total so a reader can see what the choice changes.

    Args:
        counts_a: term -> count in group a.
        counts_b: term -> count in group b.
        prior: term -> background count; must be positive for every term of a and b.
        alpha_0: total prior pseudo-count (must be > 0); default ``PRIOR_SCALE`` x the prior total.

    Returns:
        term, count_a, count_b, count (a + b), prior (alpha_w), delta, variance, z,
        log_frequency (log10 of count); one row per term seen in a or b, sorted by z
        (descending), then term. ``alpha_0`` used is in ``frame.attrs["alpha_0"]``.

    Raises:
        ValueError: fewer than two distinct terms, a term without prior mass, alpha_0 <= 0.
    """
    a = pd.Series(counts_a, dtype=float)
    b = pd.Series(counts_b, dtype=float)
    vocab = a.index.union(b.index)
    if len(vocab) < 2:
        raise ValueError("log-odds need at least two distinct terms across the two groups")
    y_a = a.reindex(vocab, fill_value=0.0).to_numpy()
    y_b = b.reindex(vocab, fill_value=0.0).to_numpy()
    if prior is None:
        prior_counts = y_a + y_b
    else:
        prior_counts = pd.Series(prior, dtype=float).reindex(vocab, fill_value=0.0).to_numpy()
        if np.any(prior_counts <= 0):
            missing = vocab[prior_counts <= 0][0]
            raise ValueError(f"prior has no mass for term {missing!r}; use a background corpus "
                             "that contains both groups")
    a0 = PRIOR_SCALE * float(prior_counts.sum()) if alpha_0 is None else float(alpha_0)
    if not a0 > 0:
        raise ValueError(f"alpha_0 = {alpha_0} must be positive")
    alpha = a0 * prior_counts / prior_counts.sum()
    n_a, n_b = y_a.sum(), y_b.sum()
    # Each side is computed by the same expression so that swapping a and b negates delta
    # exactly (IEEE subtraction is antisymmetric), and z flips sign exactly.
    log_odds_a = np.log(y_a + alpha) - np.log(n_a + a0 - y_a - alpha)
    log_odds_b = np.log(y_b + alpha) - np.log(n_b + a0 - y_b - alpha)
    delta = log_odds_a - log_odds_b
    variance = 1.0 / (y_a + alpha) + 1.0 / (y_b + alpha)
    z = delta / np.sqrt(variance)
    count = y_a + y_b
    table = pd.DataFrame({
        "term": vocab.astype(str), "count_a": y_a.astype("int64"), "count_b": y_b.astype("int64"),
        "count": count.astype("int64"), "prior": alpha, "delta": delta, "variance": variance,
        "z": z, "log_frequency": np.log10(count, out=np.zeros_like(count), where=count > 0),
    })
    # z first, then term, so ties (common among rare terms) have a stable, readable order.
    table = table.sort_values("term", kind="stable").sort_values(
        "z", ascending=False, kind="stable").reset_index(drop=True)
    table.attrs["alpha_0"] = a0
    return table


def distinctive_terms(log_odds: pd.DataFrame, *, top_n: int = 15,
                      groups: tuple[str, str] = CONTRAST) -> pd.DataFrame:
    """The ``top_n`` most distinctive terms of each side of a :func:`log_odds_dirichlet` table.

    Returns:
        coop_type (the side the term leans to), rank (1 = most distinctive), term, z, delta,
        count_side (occurrences in that side's paragraphs), count_other, count. Only terms
        whose z leans to that side (z > 0 for the first group, z < 0 for the second).
    """
    first = log_odds[log_odds["z"] > 0].head(top_n)
    second = (log_odds[log_odds["z"] < 0].sort_values("term", kind="stable")
              .sort_values("z", kind="stable").head(top_n))
    parts = []
    for side, rows, own, other in ((groups[0], first, "count_a", "count_b"),
                                   (groups[1], second, "count_b", "count_a")):
        parts.append(pd.DataFrame({
            "coop_type": side, "rank": np.arange(1, len(rows) + 1), "term": rows["term"].to_numpy(),
            "z": rows["z"].to_numpy(), "delta": rows["delta"].to_numpy(),
            "count_side": rows[own].to_numpy(), "count_other": rows[other].to_numpy(),
            "count": rows["count"].to_numpy(),
        }))
    return pd.concat(parts, ignore_index=True)


def log_odds_sensitivity(counts_a: Mapping[str, float] | pd.Series,
                         counts_b: Mapping[str, float] | pd.Series, terms: Sequence[str], *,
                         scales: Sequence[float] = (0.01, PRIOR_SCALE, 1.0)) -> pd.DataFrame:
    """z-scores of chosen terms under weaker and stronger priors (alpha_0 = scale x tokens).

    Returns:
        term, then one column ``z_<scale>`` per scale (e.g. ``z_0.1``), in the order of
        ``terms``; a reader sees whether a distinctive term depends on the prior's weight.
    """
    total = float(pd.Series(counts_a, dtype=float).sum() + pd.Series(counts_b, dtype=float).sum())
    table = pd.DataFrame({"term": list(terms)})
    for scale in scales:
        z = log_odds_dirichlet(counts_a, counts_b, alpha_0=scale * total).set_index("term")["z"]
        table[f"z_{scale:g}"] = table["term"].map(z).to_numpy()
    return table


# --------------------------------------------------------------------------------------------
# Topics
# --------------------------------------------------------------------------------------------

def topic_prevalence(topics: pd.DataFrame, paras: pd.DataFrame, *,
                     coop_types: Sequence[str] | None = None, n_bootstrap: int = 2000,
                     ci_level: float = 0.95, seed: int = 0,
                     min_bootstrap_docs: int = MIN_BOOTSTRAP_DOCS) -> pd.DataFrame:
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
        coop_type, topic, topic_label, n_docs, n_units (paragraphs of the kind with a topic),
        n_paragraphs (in this topic), share, ci_low, ci_high, ci_method, boot_low, boot_high,
        wilson_low, wilson_high; sorted by kind, then topic (outliers last).

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
        part = _indicator_shares(units, [str(t) for t in order], group=kind, what="topics",
                                 n_bootstrap=n_bootstrap, ci_level=ci_level, seed=seed,
                                 min_bootstrap_docs=min_bootstrap_docs)
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=["coop_type", "topic", "topic_label"])
    table = pd.concat(parts, ignore_index=True).rename(
        columns={"item": "topic", "n_mentioning": "n_paragraphs"})
    table["topic"] = table["topic"].astype("int64")
    table.insert(2, "topic_label", table["topic"].map(labels).astype(str))
    return table


def _check_topic_ids(topics: pd.DataFrame, paragraphs: pd.DataFrame) -> None:
    unknown = sorted(set(topics["para_id"]) - set(paragraphs["para_id"]))
    if unknown:
        raise UserError(
            f"topics.parquet: {len(unknown)} paragraph(s) are not in paragraphs.parquet "
            f"(e.g. {unknown[0]}); the inputs are from different runs, rerun the topics stage"
        )


# --------------------------------------------------------------------------------------------
# Partners
# --------------------------------------------------------------------------------------------

def partner_edges(docs: pd.DataFrame, *, focal: str = "Jakarta",
                  coop_types: Sequence[str] = COOPERATION_TYPES) -> pd.DataFrame:
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
    columns = ["focal", "partner", "coop_type", "n_documents", "sectors", "sector_counts",
               "doc_ids"]
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "n_documents" else str)
                             for c in columns})
    frame = pd.DataFrame(rows, columns=["partner", "coop_type", "doc_id", "sectors"])
    edges = []
    for (partner, kind), group in frame.groupby(["partner", "coop_type"], sort=True):
        mentions = pd.Series([s for values in group["sectors"] for s in values], dtype=object)
        counts = mentions.value_counts() if len(mentions) else pd.Series(dtype="int64")
        sectors = sorted(counts.index, key=lambda s: (-int(counts[s]), s))
        edges.append({"focal": focal, "partner": partner, "coop_type": kind,
                      "n_documents": int(group["doc_id"].nunique()),
                      "sectors": ";".join(sectors),
                      "sector_counts": ";".join(f"{s}={int(counts[s])}" for s in sectors),
                      "doc_ids": ";".join(sorted(group["doc_id"].unique()))})
    table = pd.DataFrame(edges, columns=columns)
    table["_kind"] = table["coop_type"].map({t: i for i, t in enumerate(COOP_TYPES)})
    table = table.sort_values(["_kind", "n_documents", "partner"], ascending=[True, False, True],
                              kind="stable").drop(columns="_kind")
    return table.reset_index(drop=True)


def partner_counts(docs: pd.DataFrame, *, exclude: Sequence[str] = ("Jakarta",),
                   coop_types: Sequence[str] = COOPERATION_TYPES) -> pd.DataFrame:
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
    rows = [(doc.coop_type, name, doc.doc_id)
            for doc in docs.itertuples(index=False) if doc.coop_type in kinds
            for name in sorted(set(doc.partners)) if name.casefold() not in skip]
    if not rows:
        return pd.DataFrame({"coop_type": pd.Series(dtype=str), "partner": pd.Series(dtype=str),
                             "n_documents": pd.Series(dtype="int64")})
    frame = pd.DataFrame(rows, columns=["coop_type", "partner", "doc_id"])
    table = frame.groupby(["coop_type", "partner"])["doc_id"].nunique().rename("n_documents")
    table = table.reset_index()
    table["_kind"] = table["coop_type"].map({t: i for i, t in enumerate(COOP_TYPES)})
    table = table.sort_values(["_kind", "n_documents", "partner"], ascending=[True, False, True],
                              kind="stable").drop(columns="_kind").reset_index(drop=True)
    table["n_documents"] = table["n_documents"].astype("int64")
    return table


# --------------------------------------------------------------------------------------------
# Metrics and findings
# --------------------------------------------------------------------------------------------

def compare_metrics(tables: Mapping[str, pd.DataFrame], docs: pd.DataFrame, paras: pd.DataFrame,
                    *, parameters: Mapping[str, Any]) -> dict[str, Any]:
    """The ``compare.json`` content (keys documented in docs/architecture.md)."""
    dated = docs["date"].dropna()
    outlets = sorted(docs["outlet"].dropna().astype(str).unique())
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
            topics[str(kind)] = [{"topic": int(r.topic), "label": r.topic_label, "share": r.share,
                                  "n_paragraphs": int(r.n_paragraphs)}
                                 for r in real.itertuples(index=False) if r.n_paragraphs > 0]
            outlier_rows = group[group["topic"] < 0]
            outliers[str(kind)] = float(outlier_rows["share"].sum()) if len(outlier_rows) else 0.0
    monthly = tables["coverage_monthly"]
    return {
        "corpus": {
            "n_documents": len(docs), "n_paragraphs": len(paras), "n_outlets": len(outlets),
            "outlets": outlets,
            "date_min": dated.min().date().isoformat() if len(dated) else None,
            "date_max": dated.max().date().isoformat() if len(dated) else None,
            "n_undated": int(docs["date"].isna().sum()),
        },
        "coverage": {
            "documents": {k: int(coverage.loc[k, "n_documents"]) for k in COOP_TYPES},
            "paragraphs": {k: int(coverage.loc[k, "n_paragraphs"]) for k in COOP_TYPES},
            "monthly": {kind: {r.month: int(r.n_documents) for r in group.itertuples(index=False)}
                        for kind, group in monthly.groupby("coop_type", sort=False)},
            "undated": int(docs["date"].isna().sum()),
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
    """Plain-English sentences stating the main results, built only from the computed numbers."""
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
        for kind in COOP_TYPES:
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
            out.append(f"The most common topic in {kind} paragraphs is '{best['label']}' "
                       f"({_pct(best['share'])} of its paragraphs with a topic).")
    return out


# --------------------------------------------------------------------------------------------
# Pipeline
# --------------------------------------------------------------------------------------------

@dataclass
class CompareResult:
    """What :func:`run_compare` computed.

    Attributes:
        tables: name -> DataFrame, each also written as ``<tables_dir>/<name>.csv``.
        figures: name -> English matplotlib Figure (the Indonesian ones are saved and closed).
        metrics: the content of compare.json.
        findings: plain-English sentences built from the numbers, for the notebook prose.
        written: every file written, sorted.
    """

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)



def _wide_monthly(monthly: pd.DataFrame) -> pd.DataFrame:
    """month x kind counts, one column per kind: the shape `dvc plots` draws as several lines.

    ``month_index`` (1 = first month) is a numeric x axis for DVC's templates, which treat x
    as a quantity and cannot place "2025-04".
    """
    if monthly.empty:
        return pd.DataFrame({"month": pd.Series(dtype=str),
                             "month_index": pd.Series(dtype="int64")})
    wide = monthly.pivot(index="month", columns="coop_type", values="n_documents")
    kinds = [k for k in COOP_TYPES if k in wide.columns]
    table = wide[kinds].sort_index().reset_index().rename_axis(columns=None)
    table.insert(1, "month_index", np.arange(1, len(table) + 1, dtype="int64"))
    return table


def run_compare(documents_path: str | Path, paragraphs_path: str | Path,
                classified_path: str | Path, topics_path: str | Path, *,
                figures_dir: str | Path = "reports/figures", tables_dir: str | Path = "reports/tables",
                metrics_path: str | Path = "reports/metrics/compare.json", focal: str = "Jakarta",
                n_bootstrap: int = 2000, ci_level: float = 0.95, top_terms: int = 15,
                seed: int = 20250811, paragraph_labels: ParagraphLabels = "paragraph",
                alpha_0: float | None = None, prior_scale: float = PRIOR_SCALE,
                min_bootstrap_docs: int = MIN_BOOTSTRAP_DOCS,
                languages: Sequence[str] = ("en", "id")) -> CompareResult:
    """Run the compare stage: tables, metrics, English and Indonesian figures, findings.

    Args:
        documents_path, paragraphs_path, classified_path, topics_path: stage inputs.
        figures_dir: English figures go to ``<figures_dir>/<name>.{png,svg}``, Indonesian
            ones to ``<figures_dir>/id/<name>.{png,svg}``.
        tables_dir: CSV tables, one per entry of ``CompareResult.tables``.
        metrics_path: compare.json.
        focal: the government at the centre of the partner network.
        n_bootstrap, ci_level, seed: interval settings (see :func:`sector_shares`).
        top_terms: distinctive terms kept per side.
        paragraph_labels: how paragraphs get their kind (see :func:`paragraph_frame`).
        alpha_0: log-odds prior weight in pseudo-tokens (None: ``prior_scale`` x the compared
            tokens, see :func:`log_odds_dirichlet`).
        prior_scale: the prior weight as a fraction of the compared tokens (params.yaml
            ``compare.prior_scale``), used when ``alpha_0`` is None.
        min_bootstrap_docs: below this many articles a kind's intervals are Wilson intervals.
        languages: figure languages to write ("en" is always kept in ``result.figures``).

    Returns:
        A :class:`CompareResult`.
    """
    from . import figures as fg
    from .io import read_stage_parquet, write_csv, write_json

    documents = read_stage_parquet(documents_path, "ingest")
    paragraphs = read_stage_parquet(paragraphs_path, "preprocess")
    classified = read_stage_parquet(classified_path, "classify")
    topics = read_stage_parquet(topics_path, "topics")
    _require_columns(topics, _TOPIC_COLUMNS, f"{topics_path}")
    _check_topic_ids(topics, paragraphs)

    docs = document_frame(documents, classified)
    paras = paragraph_frame(paragraphs, classified, docs, paragraph_labels=paragraph_labels)
    if docs.empty:
        raise UserError(f"{documents_path}: no non-duplicate documents to compare; check ingest")

    settings = dict(n_bootstrap=n_bootstrap, ci_level=ci_level, seed=seed,
                    min_bootstrap_docs=min_bootstrap_docs)
    a, b = CONTRAST
    counts_a, counts_b = stem_counts(paras, a), stem_counts(paras, b)
    if alpha_0 is None:
        alpha_0 = prior_scale * float(counts_a.sum() + counts_b.sum())
    if len(counts_a) and len(counts_b) and len(counts_a.index.union(counts_b.index)) >= 2:
        log_odds = log_odds_dirichlet(counts_a, counts_b, alpha_0=alpha_0)
    else:  # nothing to contrast (e.g. a corpus without one of the two kinds): empty table
        log_odds = pd.DataFrame({c: pd.Series(dtype=float) for c in _LOG_ODDS_COLUMNS})
        log_odds["term"] = log_odds["term"].astype(str)
    tables: dict[str, pd.DataFrame] = {
        "coverage": coverage_table(docs, paras),
        "coverage_monthly": coverage_monthly(docs),
        "coverage_outlet": coverage_by_outlet(docs),
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
    }
    tables["coverage_monthly_wide"] = _wide_monthly(tables["coverage_monthly"])
    parameters = {
        "focal": focal, "n_bootstrap": n_bootstrap, "ci_level": ci_level, "seed": seed,
        "top_terms": top_terms, "paragraph_labels": paragraph_labels,
        "alpha_0": log_odds.attrs.get("alpha_0"), "prior_scale": prior_scale,
        "contrast": list(CONTRAST),
        "min_bootstrap_docs": min_bootstrap_docs,
    }
    metrics = compare_metrics(tables, docs, paras, parameters=parameters)

    written: list[Path] = []
    for name, table in sorted(tables.items()):
        written.append(write_csv(Path(tables_dir) / f"{name}.csv", table))
    written.append(write_json(metrics_path, metrics))

    n_undated = int(docs["date"].isna().sum())
    figures: dict[str, Any] = {}
    for lang in dict.fromkeys(["en", *languages]):
        drawn = {
            "coverage": fg.plot_coverage(tables["coverage_outlet"], lang=lang),
            "coverage_monthly": fg.plot_coverage_monthly(tables["coverage_monthly"], lang=lang,
                                                         n_undated=n_undated),
            "sectors": fg.plot_sector_shares(tables["sectors"], lang=lang, ci_level=ci_level,
                                             n_bootstrap=n_bootstrap,
                                             min_bootstrap_docs=min_bootstrap_docs),
            "log_odds": fg.plot_log_odds(log_odds, lang=lang, groups=CONTRAST),
            "topics": fg.plot_topic_prevalence(tables["topic_prevalence"], lang=lang,
                                               ci_level=ci_level, n_bootstrap=n_bootstrap,
                                               min_bootstrap_docs=min_bootstrap_docs),
            "partners": fg.plot_partner_network(tables["partners"], focal=focal, lang=lang),
        }
        out_dir = Path(figures_dir) if lang == "en" else Path(figures_dir) / lang
        if lang in languages:
            for name, figure in drawn.items():
                written.extend(fg.save_figure(figure, name, out_dir))
        if lang == "en":
            figures = drawn

    return CompareResult(tables=tables, figures=figures, metrics=metrics,
                         findings=findings(metrics, tables), written=sorted(written))
