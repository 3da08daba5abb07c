"""Interval and agreement statistics on hand-checked numbers."""

from __future__ import annotations

import pytest

from analysis.classify.scoring import (
    bootstrap_interval,
    cohen_kappa,
    krippendorff_alpha_nominal,
    wilson_interval,
)


def test_cohen_kappa_and_alpha_on_a_small_table():
    a = ["x", "x", "y", "y"]
    b = ["x", "y", "y", "y"]
    # observed 3/4, chance (2*1 + 2*3)/16 = 1/2 -> kappa 1/2
    assert cohen_kappa(a, b) == pytest.approx(0.5)
    # values x3 y5 of 8; D_o = 2/8, D_e = (64 - 9 - 25)/56 -> alpha = 1 - 0.25*56/30
    assert krippendorff_alpha_nominal(a, b) == pytest.approx(1 - 0.25 * 56 / 30)
    assert cohen_kappa(a, a) == pytest.approx(1.0)
    with pytest.raises(ValueError):
        cohen_kappa(a, b[:3])


def test_wilson_interval():
    # 0 of 157: upper bound z^2 / (n + z^2) with z = 1.95996
    lo, hi = wilson_interval(0, 157)
    assert lo == 0.0 and hi == pytest.approx(3.8415 / (157 + 3.8415), rel=1e-4)
    lo, hi = wilson_interval(5, 10)
    assert lo == pytest.approx(0.2366, abs=1e-4) and hi == pytest.approx(0.7634, abs=1e-4)
    assert wilson_interval(0, 0) is None


def test_bootstrap_interval_brackets_the_statistic_and_is_reproducible():
    gold = ["a"] * 30 + ["b"] * 10
    pred = ["a"] * 27 + ["b"] * 3 + ["b"] * 8 + ["a"] * 2

    def accuracy(g, p):
        return sum(x == y for x, y in zip(g, p)) / len(g)

    lo, hi = bootstrap_interval(gold, pred, accuracy, n_resamples=500)
    assert lo < accuracy(gold, pred) < hi and 0.7 < lo and hi <= 1.0
    assert bootstrap_interval(gold, pred, accuracy, n_resamples=500) == (lo, hi)
    # every document right: no spread at all
    assert bootstrap_interval(gold, gold, accuracy, n_resamples=50) == (1.0, 1.0)
    assert bootstrap_interval([], [], accuracy) is None
