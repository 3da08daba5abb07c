"""Interval estimates and agreement statistics for the gold evaluation (bootstrap, Wilson, κ, α)."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from statistics import NormalDist

__all__ = ["bootstrap_interval", "wilson_interval", "cohen_kappa", "krippendorff_alpha_nominal"]


def bootstrap_interval(
    gold: Sequence[str],
    predicted: Sequence[str],
    statistic: Callable[[Sequence[str], Sequence[str]], float | None],
    *,
    n_resamples: int = 2000,
    level: float = 0.95,
    seed: int = 20261204,
) -> tuple[float, float] | None:
    """Percentile bootstrap interval of ``statistic(gold, predicted)`` over documents.

    Documents are resampled with replacement (pairs kept together); resamples where the
    statistic is undefined (None) are skipped. None when there are no documents.
    """
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    n = len(gold)
    if n == 0:
        return None
    rng = random.Random(seed)
    values = []
    for _ in range(n_resamples):
        picks = [rng.randrange(n) for _ in range(n)]
        value = statistic([gold[k] for k in picks], [predicted[k] for k in picks])
        if value is not None:
            values.append(value)
    if not values:
        return None
    values.sort()
    tail = (1 - level) / 2
    lo = values[int(tail * (len(values) - 1))]
    hi = values[int(round((1 - tail) * (len(values) - 1)))]
    return lo, hi


def wilson_interval(successes: int, n: int, level: float = 0.95) -> tuple[float, float] | None:
    """Wilson score interval of a proportion ``successes / n`` (None when n is 0)."""
    if n <= 0:
        return None
    if not 0 <= successes <= n:
        raise ValueError(f"successes {successes} outside 0..{n}")
    z = NormalDist().inv_cdf((1 + level) / 2)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float | None:
    """Cohen's κ of two coders' nominal labels (None when chance agreement is total)."""
    if len(a) != len(b) or not a:
        raise ValueError("two equally long, non-empty label lists are needed")
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb[k] for k in ca) / (n * n)
    return None if expected == 1 else (observed - expected) / (1 - expected)


def krippendorff_alpha_nominal(a: Sequence[str], b: Sequence[str]) -> float | None:
    """Krippendorff's α (nominal) of two coders who both coded every unit."""
    if len(a) != len(b) or not a:
        raise ValueError("two equally long, non-empty label lists are needed")
    values = Counter([*a, *b])
    total = 2 * len(a)
    disagreeing_pairs = 2 * sum(x != y for x, y in zip(a, b, strict=True))
    observed = disagreeing_pairs / total
    expected = (total * total - sum(v * v for v in values.values())) / (total * (total - 1))
    return None if expected == 0 else 1 - observed / expected
