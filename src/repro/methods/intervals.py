"""Intervals for Monte Carlo estimates, and the number of draws that makes them narrow enough.

- A probability estimated from N draws gets the Wilson score interval (95 %): never "± 0", even at
  p̂ = 0 or 1, where it is [0, z²/(N + z²)] or [N/(N + z²), 1].
- A mean of a bounded quantity (a share of a place shared by tied forces, Kendall's τ-b) gets the
  same interval on the mean rescaled to [0, 1]: a quantity in [0, 1] with mean p has a variance of at
  most p(1 - p), so the interval is conservative (never narrower than the truth warrants).
- Estimates from R independent replicates (Sobol and PAWN indices) get Student's t interval of
  their mean.
"""

from __future__ import annotations

import math

import numpy as np

from repro.i18n import format_number, gettext

#: The 97.5 % point of the standard normal distribution: 95 % two-sided intervals.
Z95 = 1.959963984540054

#: How every interval of the package is computed, in one sentence for the outputs (in English;
#: :func:`intervals_note` in any language).
INTERVALS_NOTE = gettext("en", "intervals_note")


def intervals_note(lang: str = "en") -> str:
    """:data:`INTERVALS_NOTE` in ``lang``."""
    return gettext(lang, "intervals_note")


def wilson(successes, n, z: float = Z95):
    """The Wilson score interval of a proportion ``successes / n`` (arrays broadcast; successes may be
    fractional, for means of quantities in [0, 1]). NaN where n is 0.

    Examples
    --------
    >>> wilson(0, 100)  # [0, z^2 / (N + z^2)]
    (0.0, 0.03699...)
    """
    successes = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = successes / n
        denominator = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denominator
        half = z * np.sqrt(np.maximum(p * (1 - p), 0) / n + z * z / (4 * n * n)) / denominator
    # At p = 0 the lower end is 0, at p = 1 the upper end is 1, exactly (not 1e-17 away).
    low = np.where(n > 0, np.where(successes <= 0, 0.0, np.clip(centre - half, 0, 1)), np.nan)
    high = np.where(n > 0, np.where(successes >= n, 1.0, np.clip(centre + half, 0, 1)), np.nan)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def bounded_mean_interval(total, n, low: float, high: float, z: float = Z95):
    """A conservative interval for the mean ``total / n`` of a quantity lying in [low, high]: the
    Wilson interval of the mean rescaled to [0, 1], mapped back."""
    width = high - low
    rescaled = (np.asarray(total, dtype=float) - np.asarray(n, dtype=float) * low) / width
    a, b = wilson(rescaled, n, z)
    return low + np.asarray(a) * width, low + np.asarray(b) * width


def replicate_interval(estimates, z_level: float = 0.975):
    """Mean and Student's t interval over the first axis of ``estimates`` (R independent replicates).

    Returns mean, low, high (arrays over the remaining axes); NaN where fewer than two replicates are
    defined.
    """
    from scipy.stats import t as student

    import warnings

    estimates = np.asarray(estimates, dtype=float)
    defined = np.sum(~np.isnan(estimates), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an index undefined in every replicate: NaN, said below
        mean = np.nanmean(estimates, axis=0)
        sd = np.nanstd(estimates, axis=0, ddof=1)
        half = student.ppf(z_level, np.maximum(defined - 1, 1)) * sd / np.sqrt(defined)
    half = np.where(defined >= 2, half, np.nan)
    return mean, mean - half, mean + half


def draws_for_precision(precision: float, z: float = Z95) -> int:
    """The number of draws that makes every Wilson interval narrower than ``precision``.

    The widest Wilson interval from N draws (at p̂ = 1/2) is z / sqrt(N + z²) wide, so N = (z / ε)²,
    rounded up, makes every one narrower than ε.

    Examples
    --------
    >>> draws_for_precision(0.01)
    38415
    """
    if not 0 < precision < 1:
        raise ValueError(f"the precision must lie between 0 and 1, got {precision}")
    return math.ceil((z / precision) ** 2)


def interval_text(estimate: float, low: float, high: float, decimals: int = 3, lang: str | None = None) -> str:
    """'0.657 [0.652, 0.661]': an estimate and its interval, with as many decimals as it takes (at
    least ``decimals``) for each end that differs from the estimate to read differently, so that an
    interval never reads as '[1.000, 1.000]': '1.00000 [0.99996, 1.00000]'.

    ``lang`` writes the numbers as a reader of that language does ('0,657 [0,652; 0,661]' in Russian:
    a semicolon between numbers with decimal commas); None keeps the plain form above, for files.
    """
    def number(value, d):
        return f"{value:.{d}f}" if lang is None else format_number(value, lang, d)

    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in (estimate, low, high)):
        return "–" if estimate is None or math.isnan(estimate) else number(estimate, decimals)
    for d in range(decimals, 10):
        if all(f"{end:.{d}f}" != f"{estimate:.{d}f}" for end in (low, high) if end != estimate):
            break
    if lang is None:
        return f"{estimate:.{d}f} [{low:.{d}f}, {high:.{d}f}]"
    return gettext(lang, "estimate_interval", estimate=number(estimate, d), low=number(low, d), high=number(high, d))
