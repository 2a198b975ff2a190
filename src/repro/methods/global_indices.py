"""Global sensitivity (SALib): Sobol indices of the net force and of each claim's outcome, and PAWN
indices of each claim's outcome with a dummy input as the noise floor; every index with an interval.

The model is the uniform Monte Carlo's: each score is perturbed by U(-h, h), independently, and then
clipped to the scale (sample, then clip: a score at a bound keeps a mass there). SALib samples the
perturbed scores before clipping, which are independent with known ranges, as its estimators need;
the clipping is part of the model it analyses. The net force is linear in the clipped scores, so its
Sobol indices have a closed form (the variance of each clipped score over their sum), which checks
the wiring.

Intervals come from independent replicates (scrambled Sobol sequences, or random samples for PAWN,
each with its own seed from the run's seed): the mean over replicates with Student's t interval.
SALib's own bootstrap intervals are not used: they resample quasi-random points as if independent,
and on these models were about ten times wider than the replicates' spread (every one covered the
closed form, for a nominal 95 %).

Two of SALib's steps are done here with numpy, giving the same numbers bit for bit (a test compares
them with SALib's own on the same samples): laying out Saltelli's sample (:func:`saltelli_sample`;
SALib fills it one cell at a time in Python) and PAWN's statistic (:func:`pawn_median`; SALib calls
scipy's ``ks_2samp``, which also works out an exact p-value that PAWN never uses, for every slice of
every input). Together they were about half of the time of the global indices.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from repro.methods.claims import evaluate
from repro.methods.force_field import side_matrix
from repro.methods.intervals import replicate_interval

#: Independent replicates of each index.
SOBOL_REPLICATES = 8
PAWN_REPLICATES = 5
#: Base sample of each Sobol replicate (n (d + 2) evaluations) and size of each PAWN sample.
SOBOL_BASE = 2 ** 9
PAWN_SAMPLE = 2000
PAWN_SLICES = 10
SOBOL_COLUMNS = ["output", "id", "S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high", "closed_form"]
PAWN_COLUMNS = ["output", "id", "pawn_median", "pawn_low", "pawn_high", "above_noise"]
#: scipy's ``ks_2samp`` (method "auto") is exact for samples of at most this many values each.
KS_EXACT_UP_TO = 10000
#: The name of PAWN's dummy input: it changes nothing, so its index is the estimator's noise floor.
DUMMY = "dummy"


def global_model_note(scale, half_width: float, lang: str = "en") -> str:
    """What the global indices perturb, how their intervals are made and what PAWN's dummy means, in ``lang``."""
    from repro.i18n import format_number, format_scale, gettext

    return gettext(lang, "global_model_note", low=format_number(-half_width, lang), high=format_number(half_width, lang),
                   scale=format_scale(scale, lang), sobol=SOBOL_REPLICATES, pawn=PAWN_REPLICATES, dummy=DUMMY)


def clipped_variance(score: float, half_width: float, low: float, high: float) -> float:
    """The variance of clip(score + U(-h, h), low, high): point masses at the bounds the interval
    passes, uniform density between."""
    a, c = score - half_width, score + half_width
    width = c - a
    if width <= 0:
        return 0.0
    # Relative to the score, for accuracy: the variance does not depend on the origin.
    a, c, low, high = a - score, c - score, low - score, high - score
    p_low = max(0.0, min(low, c) - a) / width
    p_high = max(0.0, c - max(high, a)) / width
    inner_low, inner_high = max(a, low), min(c, high)
    first = p_low * low + p_high * high + (inner_high ** 2 - inner_low ** 2) / (2 * width)
    second = p_low * low ** 2 + p_high * high ** 2 + (inner_high ** 3 - inner_low ** 3) / (3 * width)
    return max(second - first ** 2, 0.0)


def _problem(forces: pd.DataFrame, half_width: float, dummy: bool = False) -> dict:
    base = forces["score"].to_numpy(dtype=float)
    names, bounds = list(forces["id"]), np.column_stack([base - half_width, base + half_width]).tolist()
    if dummy:
        names, bounds = names + [DUMMY], bounds + [[0.0, 1.0]]
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def _seeds(seed: int | None, n: int) -> list[int]:
    return [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(seed).spawn(n)]


def saltelli_sample(problem: dict, n: int, seed: int) -> np.ndarray:
    """Saltelli's sample for first-order and total Sobol indices: what ``SALib.sample.sobol.sample(problem,
    n, calc_second_order=False, seed=seed)`` returns (no groups, uniform inputs), the same numbers.

    For each of the ``n`` points of a scrambled Sobol' sequence of twice the inputs, split into A and
    B: the row A, then A with input k taken from B (for each k in turn), then B; scaled to the bounds
    by SALib's own ``scale_samples``.
    """
    from SALib.util import scale_samples
    from scipy.stats import qmc

    d = problem["num_vars"]
    base = qmc.Sobol(d=2 * d, scramble=True, seed=seed).random(n)
    a, b = base[:, :d], base[:, d:]
    rows = np.repeat(a[:, np.newaxis, :], d + 2, axis=1)  # per point: A, A with one input from B, B
    inputs = np.arange(d)
    rows[:, 1 + inputs, inputs] = b
    rows[:, -1, :] = b
    return scale_samples(rows.reshape(n * (d + 2), d), problem)


def pawn_median(X: np.ndarray, Y: np.ndarray, slices: int) -> np.ndarray:
    """The PAWN index of each column of ``X`` for the output ``Y``: the median over ``slices``
    equal-probability slices of that input of the Kolmogorov-Smirnov distance between the outputs in
    the slice and all outputs. What ``SALib.analyze.pawn.analyze(problem, X, Y, S=slices)["median"]``
    returns, the same numbers.

    The distance is scipy's ``ks_2samp`` statistic, computed as scipy computes it (both empirical
    distribution functions at every output value, the larger of the largest differences either way;
    where scipy's default method works out an exact p-value, both samples of at most
    :data:`KS_EXACT_UP_TO` values, the statistic as a multiple of 1 / lcm(sizes), as that method
    gives it back), but for every slice from one count of the output's values, without the p-value.
    """
    values, which = np.unique(Y, return_inverse=True)
    everything = np.bincount(which, minlength=len(values)).cumsum() / len(Y)
    edges_at = np.arange(0, 1 + 1 / slices, 1 / slices)  # as SALib makes them
    medians = np.full(X.shape[1], np.nan)
    for column in range(X.shape[1]):
        x = X[:, column]
        edges = np.nanquantile(x, edges_at)
        distances = np.full(slices, np.nan)  # an empty slice has none, as in SALib
        for s in range(slices):
            chosen = (x >= edges[s]) & (x < edges[s + 1])
            n = int(chosen.sum())
            if n == 0:
                continue
            differences = np.bincount(which[chosen], minlength=len(values)).cumsum() / n - everything
            below, above = np.clip(-differences.min(), 0, 1), differences.max()
            distance = below if below > above else above  # as scipy picks it (a zero keeps its sign)
            if max(n, len(Y)) <= KS_EXACT_UP_TO:
                lcm = n // math.gcd(n, len(Y)) * len(Y)
                distance = int(np.round(distance * lcm)) * 1.0 / lcm
            distances[s] = distance
        medians[column] = np.nanmedian(distances)
    return medians


def _outputs(clipped: np.ndarray, claims, forces: pd.DataFrame, chain_holds: bool, with_net: bool) -> dict:
    out = {"net": clipped @ side_matrix(forces)} if with_net else {}
    for claim_id, values in evaluate([c for c in claims if c.about_scores], forces, clipped, chain_holds).items():
        out[claim_id] = values.astype(float)
    return out


def sobol_indices(claims, forces: pd.DataFrame, scale, half_width: float, seed: int | None = 0,
                  chain_holds: bool = True) -> pd.DataFrame:
    """First-order (S1) and total (ST) Sobol indices of the net force and of each claim's outcome,
    each the mean of :data:`SOBOL_REPLICATES` replicates with its 95 % interval.

    Returns
    -------
    DataFrame with output ('net' or a claim id), id (the score), S1, S1_low, S1_high, ST, ST_low,
    ST_high, closed_form (the net's exact S1 = ST; NaN for claims). An output that does not vary
    in any replicate (a claim that holds in every draw) has no indices and no rows.
    """
    from SALib.analyze import sobol as sobol_analyze

    problem = _problem(forces, half_width)
    estimates: dict[str, list] = {}
    varies: dict[str, bool] = {}
    for replicate_seed in _seeds(seed, SOBOL_REPLICATES):
        X = saltelli_sample(problem, SOBOL_BASE, replicate_seed)
        clipped = np.clip(X, scale.minimum, scale.maximum)
        for name, Y in _outputs(clipped, claims, forces, chain_holds, with_net=True).items():
            varies[name] = varies.get(name, False) or bool(np.ptp(Y) > 0)
            if np.ptp(Y) == 0:
                estimates.setdefault(name, []).append(np.full((2, len(forces)), np.nan))
                continue
            # SALib's bootstrap is not used (see the module's docstring): two resamples keep it cheap.
            with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
                warnings.simplefilter("ignore")
                result = sobol_analyze.analyze(problem, Y, calc_second_order=False, num_resamples=2, seed=replicate_seed)
            estimates.setdefault(name, []).append(np.vstack([result["S1"], result["ST"]]))
    variances = np.array([clipped_variance(s, half_width, scale.minimum, scale.maximum) for s in forces["score"]])
    closed = variances / variances.sum() if variances.sum() > 0 else np.full(len(forces), np.nan)
    frames = []
    for name, values in estimates.items():
        if not varies[name]:
            continue
        mean, low, high = replicate_interval(np.array(values))
        frames.append(pd.DataFrame({
            "output": name, "id": problem["names"], "S1": mean[0], "S1_low": low[0], "S1_high": high[0],
            "ST": mean[1], "ST_low": low[1], "ST_high": high[1],
            "closed_form": closed if name == "net" else np.nan}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=SOBOL_COLUMNS)


def pawn_indices(claims, forces: pd.DataFrame, scale, half_width: float, seed: int | None = 0,
                 chain_holds: bool = True) -> pd.DataFrame:
    """PAWN indices (the median over slices of the Kolmogorov-Smirnov distance) of each claim's
    outcome, for each score and for a dummy input that changes nothing (the noise floor), each the
    mean of :data:`PAWN_REPLICATES` replicates with its 95 % interval.

    Returns
    -------
    DataFrame with output (a claim id), id (a score, or 'dummy'), pawn_median, pawn_low, pawn_high,
    above_noise (the index's interval lies above the dummy's). A claim whose outcome does not vary
    has no indices and no rows.
    """
    problem = _problem(forces, half_width, dummy=True)
    bounds = np.array(problem["bounds"])
    estimates: dict[str, list] = {}
    varies: dict[str, bool] = {}
    for replicate_seed in _seeds(None if seed is None else seed + 1, PAWN_REPLICATES):
        rng = np.random.default_rng(replicate_seed)
        X = bounds[:, 0] + rng.random((PAWN_SAMPLE, len(bounds))) * (bounds[:, 1] - bounds[:, 0])
        clipped = np.clip(X[:, :-1], scale.minimum, scale.maximum)
        for name, Y in _outputs(clipped, claims, forces, chain_holds, with_net=False).items():
            varies[name] = varies.get(name, False) or bool(np.ptp(Y) > 0)
            if np.ptp(Y) == 0:
                estimates.setdefault(name, []).append(np.full(len(bounds), np.nan))
                continue
            estimates.setdefault(name, []).append(pawn_median(X, Y, PAWN_SLICES))
    frames = []
    for name, values in estimates.items():
        if not varies[name]:
            continue
        mean, low, high = replicate_interval(np.array(values))
        frames.append(pd.DataFrame({"output": name, "id": problem["names"], "pawn_median": mean, "pawn_low": low,
                                    "pawn_high": high, "above_noise": low > high[-1]}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=PAWN_COLUMNS)
