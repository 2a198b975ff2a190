"""Intervals of Monte Carlo estimates: Wilson against scipy, its ends at 0 and 1, the draws a precision
needs, and how an interval is written."""

import math

import numpy as np
import pytest
from scipy.stats import binomtest, t

from repro.methods.intervals import (Z95, bounded_mean_interval, draws_for_precision, interval_text, replicate_interval,
                                     wilson)


@pytest.mark.parametrize("n", [1, 7, 100, 20_000])
def test_wilson_is_scipys_wilson_interval(n):
    for k in sorted({0, 1, n // 3, n // 2, n - 1, n}):
        expected = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
        low, high = wilson(k, n)
        assert (low, high) == pytest.approx((expected.low, expected.high), abs=1e-12), (k, n)


def test_wilson_at_0_and_1_has_a_width():
    # METHODS.md: at p = 0 the interval is [0, z^2 / (N + z^2)], at p = 1 [N / (N + z^2), 1]; never "+- 0".
    n = 100_000
    assert wilson(0, n) == (0.0, pytest.approx(Z95 ** 2 / (n + Z95 ** 2), rel=1e-12))
    assert wilson(n, n) == (pytest.approx(n / (n + Z95 ** 2), rel=1e-12), 1.0)
    assert wilson(1, 1)[0] == pytest.approx(1 / (1 + Z95 ** 2))  # one draw: 1.0 [0.21, 1]
    low, high = wilson(np.array([0, 5]), np.array([10, 0]))
    assert low[0] == 0 and np.isnan(low[1]) and np.isnan(high[1])  # no draws: no interval


@pytest.mark.parametrize("precision", [0.1, 0.02, 0.01, 0.003])
def test_the_draws_for_a_precision_make_every_wilson_interval_narrower(precision):
    n = draws_for_precision(precision)
    assert n == math.ceil((Z95 / precision) ** 2)
    k = np.arange(n + 1)
    low, high = wilson(k, n)
    assert (high - low).max() < precision  # the widest, at p = 1/2, too
    with pytest.raises(ValueError):
        draws_for_precision(0)


def test_a_bounded_mean_and_replicates():
    # A mean of 0/1 values is a proportion: the same interval.
    assert bounded_mean_interval(30, 100, 0.0, 1.0) == pytest.approx(wilson(30, 100))
    # tau-b in [-1, 1] with mean 1 over 1000 draws: [2 N / (N + z^2) - 1, 1].
    low, high = bounded_mean_interval(1000.0, 1000, -1.0, 1.0)
    assert high == 1 and low == pytest.approx(2 * 1000 / (1000 + Z95 ** 2) - 1)
    estimates = np.array([[0.1, 1.0], [0.3, 1.0], [0.2, 1.0], [0.25, np.nan]])
    mean, low, high = replicate_interval(estimates)
    expected = t.interval(0.95, 3, loc=0.2125, scale=np.std(estimates[:, 0], ddof=1) / 2)
    assert mean[0] == pytest.approx(0.2125) and (low[0], high[0]) == pytest.approx(expected)
    assert (low[1], high[1]) == (1.0, 1.0)  # three equal replicates (the fourth undefined)


@pytest.mark.parametrize("values, text", [
    ((0.657, 0.652, 0.661), "0.657 [0.652, 0.661]"),
    ((1.0, 0.999962, 1.0), "1.00000 [0.99996, 1.00000]"),  # never "1.000 [1.000, 1.000]"
    ((0.0, 0.0, 0.00019), "0.0000 [0.0000, 0.0002]"),
    ((float("nan"), float("nan"), float("nan")), "–"),
])
def test_an_interval_reads_as_an_interval(values, text):
    assert interval_text(*values) == text
