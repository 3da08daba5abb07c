"""Statistics of the comparison: cluster-bootstrap and Wilson intervals, weighted log-odds."""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from statistics import NormalDist

import numpy as np
import pandas as pd

from ..core.codebook import CONTRAST
from ..core.config import CompareParams

__all__ = [
    "PRIOR_SCALE",
    "seeded_rng",
    "bootstrap_share_ci",
    "wilson_interval",
    "indicator_shares",
    "stem_counts",
    "log_odds_dirichlet",
    "distinctive_terms",
    "log_odds_sensitivity",
]

#: Default weight of the log-odds prior, as a fraction of the compared tokens (params.yaml
#: ``compare.prior_scale``; see log_odds_dirichlet).
PRIOR_SCALE: float = CompareParams.model_fields["prior_scale"].default
# Bootstrap weights are drawn in blocks of at most this many cells, so memory stays bounded
# (about 40 MB) however many articles a group has.
_BOOTSTRAP_BLOCK_CELLS = 5_000_000


def seeded_rng(
    seed: int | np.random.Generator | np.random.SeedSequence, *keys: str
) -> np.random.Generator:
    """A Generator for one (seed, group) pair: a group's draws do not depend on other groups."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, np.random.SeedSequence):
        entropy = seed.entropy
    else:
        entropy = int(seed)
    return np.random.default_rng([entropy, *(zlib.crc32(k.encode("utf-8")) for k in keys)])


def bootstrap_share_ci(
    successes: Sequence[float] | np.ndarray,
    totals: Sequence[float] | np.ndarray | None = None,
    *,
    n_bootstrap: int,
    ci_level: float,
    seed: int | np.random.Generator | np.random.SeedSequence,
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
    rng = seeded_rng(seed)
    block = max(1, _BOOTSTRAP_BLOCK_CELLS // n)
    replicates = np.empty((n_bootstrap, k))
    for start in range(0, n_bootstrap, block):
        rows = min(n_bootstrap, start + block) - start
        # n draws with replacement per replicate, turned into per-unit counts (a multinomial
        # weight vector) by one bincount over row-offset indices.
        picks = rng.integers(0, n, size=(rows, n)) + (np.arange(rows) * n)[:, None]
        weights = np.bincount(picks.ravel(), minlength=rows * n).reshape(rows, n).astype(float)
        replicates[start : start + rows] = (weights @ s) / (weights @ t)[:, None]
    alpha = 1.0 - ci_level
    low, high = np.quantile(replicates, [alpha / 2.0, 1.0 - alpha / 2.0], axis=0)
    share = s.sum(axis=0) / t.sum()
    # Replicates of a constant ratio can differ in the last bit; treat that as no variation.
    degenerate = np.ptp(replicates, axis=0) <= 1e-12
    return {"share": share, "low": low, "high": high, "degenerate": degenerate}


def wilson_interval(
    successes: float | np.ndarray, n: float | np.ndarray, *, ci_level: float
) -> tuple[np.ndarray, np.ndarray]:
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


def indicator_shares(
    units: pd.DataFrame,
    items: Sequence[str],
    *,
    group: str,
    what: str,
    n_bootstrap: int,
    ci_level: float,
    seed: int,
    min_bootstrap_docs: int,
) -> pd.DataFrame:
    """Shares of rows of ``units`` (one row per paragraph or document) that carry each item.

    ``units`` has doc_id and ``items_list``; articles are the bootstrap units and the n of
    the Wilson interval (see :func:`sector_shares` for the choice of interval).
    """
    items = list(items)
    n_units = len(units)
    n_docs = int(units["doc_id"].nunique()) if n_units else 0
    if n_units and items:
        position = {item: j for j, item in enumerate(items)}
        doc_codes, doc_index = np.unique(
            units["doc_id"].to_numpy(dtype=object).astype(str), return_inverse=True
        )
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
        boot = bootstrap_share_ci(
            per_doc,
            per_doc_totals,
            n_bootstrap=n_bootstrap,
            ci_level=ci_level,
            seed=seeded_rng(seed, what, group),
        )
    else:
        counts = np.zeros(len(items))
        nan = np.full(len(items), np.nan)
        boot = {"share": nan, "low": nan, "high": nan, "degenerate": np.ones(len(items), bool)}
    # Articles are the independent units: k = share x articles (for paragraph shares this is
    # the bound for perfectly correlated paragraphs within an article, i.e. conservative).
    w_low, w_high = wilson_interval(boot["share"] * n_docs, n_docs, ci_level=ci_level)
    use_wilson = boot["degenerate"] | (n_docs < min_bootstrap_docs)
    return pd.DataFrame(
        {
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
        }
    )


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


def log_odds_dirichlet(
    counts_a: Mapping[str, float] | pd.Series,
    counts_b: Mapping[str, float] | pd.Series,
    *,
    prior: Mapping[str, float] | pd.Series | None = None,
    alpha_0: float | None = None,
) -> pd.DataFrame:
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

    One piece: most of its length is this docstring; the computation is one formula.
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
            raise ValueError(
                f"prior has no mass for term {missing!r}; use a background corpus "
                "that contains both groups"
            )
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
    table = pd.DataFrame(
        {
            "term": vocab.astype(str),
            "count_a": y_a.astype("int64"),
            "count_b": y_b.astype("int64"),
            "count": count.astype("int64"),
            "prior": alpha,
            "delta": delta,
            "variance": variance,
            "z": z,
            "log_frequency": np.log10(count, out=np.zeros_like(count), where=count > 0),
        }
    )
    # z first, then term, so ties (common among rare terms) have a stable, readable order.
    table = (
        table.sort_values("term", kind="stable")
        .sort_values("z", ascending=False, kind="stable")
        .reset_index(drop=True)
    )
    table.attrs["alpha_0"] = a0
    return table


def distinctive_terms(
    log_odds: pd.DataFrame, *, top_n: int, groups: tuple[str, str] = CONTRAST
) -> pd.DataFrame:
    """The ``top_n`` most distinctive terms of each side of a :func:`log_odds_dirichlet` table.

    Returns:
        coop_type (the side the term leans to), rank (1 = most distinctive), term, z, delta,
        count_side (occurrences in that side's paragraphs), count_other, count. Only terms
        whose z leans to that side (z > 0 for the first group, z < 0 for the second).
    """
    first = log_odds[log_odds["z"] > 0].head(top_n)
    second = (
        log_odds[log_odds["z"] < 0]
        .sort_values("term", kind="stable")
        .sort_values("z", kind="stable")
        .head(top_n)
    )
    parts = []
    for side, rows, own, other in (
        (groups[0], first, "count_a", "count_b"),
        (groups[1], second, "count_b", "count_a"),
    ):
        parts.append(
            pd.DataFrame(
                {
                    "coop_type": side,
                    "rank": np.arange(1, len(rows) + 1),
                    "term": rows["term"].to_numpy(),
                    "z": rows["z"].to_numpy(),
                    "delta": rows["delta"].to_numpy(),
                    "count_side": rows[own].to_numpy(),
                    "count_other": rows[other].to_numpy(),
                    "count": rows["count"].to_numpy(),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def log_odds_sensitivity(
    counts_a: Mapping[str, float] | pd.Series,
    counts_b: Mapping[str, float] | pd.Series,
    terms: Sequence[str],
    *,
    scales: Sequence[float] = (0.01, PRIOR_SCALE, 1.0),
) -> pd.DataFrame:
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
