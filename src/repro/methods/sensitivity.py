"""How sensitive are the claims to the scores? Break-even, drop-one, conventions, Monte Carlo
noise with rank acceptability (SMAA-2) and Kendall tau-b, robustness curves, and SALib.

Everything is vectorised over a matrix of draws (draws x forces) and seeded: one seed, one
answer. Draws are processed in chunks, so memory stays bounded however many are asked for. Every
noise model keeps the scores on the analysis's declared scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from repro.data.codebook import Scale
from repro.methods.claims import TIE_RULE, Claim, chain_holds as analysis_chain_holds
from repro.methods.claims import claims_for, compile_claim, component_support, holds_at
from repro.methods.force_field import SIDES, balance, side_matrix, side_ranks

NOISE_MODELS = ("uniform", "integer", "ordinal", "dirichlet")
#: The noise models whose draws depend on the half-width h; the others are reference levels.
WIDTH_MODELS = ("uniform",)
CHUNK = 65536
#: The robustness curves' half-widths, as fractions of the scale's width (0.1 ... 1 on a 0-5 scale).
CURVE_WIDTHS = (0.02, 0.05, 0.1, 0.15, 0.2)

BREAK_EVEN_CONVENTION = (
    "break_even is the signed change of one score, within the declared scale, at which the claim changes: "
    "for a claim that holds at the published scores, the change that reaches the tie (a tie does not hold, so "
    "there it fails); for a claim that fails, the change to the boundary beyond which it holds. Empty when no "
    "single change within the scale does it.")


def _decimal(x: float) -> Decimal:
    # repr of a float is the shortest text that reads back as the same float: the score as typed.
    return Decimal(repr(float(x)))


# ---------------------------------------------------------------- scale
def grid_step(scale: Scale) -> float:
    """The step of the scale's whole-unit points: 1 on any scale at least 2 units wide (0-5, 1-5, 1-10,
    -3..3, 0-100), else the largest power of ten that divides it into at least two steps (0.1 on 0-1).

    The integer noise model re-scores on these points and the rounding conventions round to them.
    """
    width = scale.maximum - scale.minimum
    step = 1.0
    while width / step < 2 - 1e-12:
        step /= 10
    return float(_decimal(step).normalize())


def grid_points(scale: Scale) -> np.ndarray:
    """The whole-unit points (multiples of :func:`grid_step`) that lie on the scale, ascending."""
    step = _decimal(grid_step(scale))
    first = math.ceil(_decimal(scale.minimum) / step - Decimal("1e-9"))
    last = math.floor(_decimal(scale.maximum) / step + Decimal("1e-9"))
    return np.array([float(i * step) for i in range(first, last + 1)])


def fit_to_scale(forces: pd.DataFrame, scale: Scale) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Move scores outside ``scale`` onto it; return the forces and a table of what moved how far."""
    clipped = forces["score"].clip(scale.minimum, scale.maximum)
    moved = forces.loc[clipped != forces["score"], ["id", "score"]].assign(new_score=clipped[clipped != forces["score"]])
    moved["moved_by"] = moved["new_score"] - moved["score"]
    return forces.assign(score=clipped), moved.reset_index(drop=True)


# ---------------------------------------------------------------- break-even
def _candidate_scores(base: np.ndarray, sign: np.ndarray, i: int, scale: Scale) -> list[Decimal]:
    """Where claims can change as score ``i`` alone moves: the other scores (ranks and comparisons
    change there), the score that zeroes the net force, and the scale's ends; all on the scale."""
    exact = [_decimal(s) for s in base]
    net = sum((Decimal(int(g)) * s for g, s in zip(sign, exact)), Decimal(0))
    zero_net = exact[i] - Decimal(int(sign[i])) * net
    low, high = _decimal(scale.minimum), _decimal(scale.maximum)
    points = {p for j, p in enumerate(exact) if j != i} | {zero_net, low, high}
    return sorted(p for p in points if low <= p <= high)


def _first_change(values: np.ndarray, pieces: list[tuple[Decimal, Decimal | None]], published: bool):
    """Walk outward through the pieces (a breakpoint, or the open interval before it) and return the
    first where the claim's value differs from ``published``, as (score reached, whether at a point)."""
    for value, (point, interval_start) in zip(values, pieces):
        if bool(value) != published:
            return (point, True) if interval_start is None else (interval_start, False)
    return None


def _one_force(predicate, base: np.ndarray, i: int, candidates: list[Decimal], published: bool):
    """The nearest change of score ``i`` that changes the claim: (signed change, score), or None."""
    x = _decimal(base[i])
    best = None
    for direction in (+1, -1):
        ahead = [p for p in candidates if (p - x) * direction > 0]
        ahead.sort(key=lambda p: abs(p - x))
        pieces, previous = [], x
        for p in ahead:
            pieces.append(((previous + p) / 2, previous))  # the open interval between breakpoints
            pieces.append((p, None))  # the breakpoint itself (a tie for most claims)
            previous = p
        if not pieces:
            continue
        trial = np.repeat(base[None, :], len(pieces), axis=0)
        trial[:, i] = [float(p) for p, _ in pieces]
        found = _first_change(predicate(trial), pieces, published)
        if found is not None:
            reached, _ = found
            change = reached - x
            if best is None or abs(change) < abs(best[0]):  # upward first: equal distances keep the rise
                best = (change, reached, direction)
    return best


def break_even(claims, forces: pd.DataFrame, scale: Scale, chain_holds: bool = True) -> pd.DataFrame:
    """For each claim about scores and each force: the smallest change of that one score, within the
    scale, at which the claim changes (NaN where none does).

    Exact: a claim is piecewise constant in one score, with breakpoints where that score meets another
    score (a rank or a comparison changes) or where the net force crosses 0. The claim is evaluated at
    every breakpoint and inside every interval between them, walking outward from the published score,
    so no nudge (and no tolerance) decides the answer. Changes are computed in decimal arithmetic:
    5 - 3.2 is 1.8, not 1.7999999999999998.

    Convention (also :data:`BREAK_EVEN_CONVENTION`): for a claim that holds at the published scores,
    the change that reaches the tie, where the strict claim fails; for a claim that fails, the change
    to the boundary beyond which it holds (a change of 0 means any move in that direction).

    Returns
    -------
    DataFrame with columns claim, force, holds (at the published scores), change_needed, flips_at
    (the score reached), direction (+1 up, -1 down; 0 where no change does it).
    """
    base = forces["score"].to_numpy(dtype=float)
    sign = side_matrix(forces)
    rows = []
    for claim in (c for c in claims if c.about_scores):
        predicate = compile_claim(claim, forces, chain_holds)
        if predicate is None:
            continue
        published = bool(predicate(base[None, :])[0])
        for i, force_id in enumerate(forces["id"]):
            found = _one_force(predicate, base, i, _candidate_scores(base, sign, i, scale), published)
            if found is None:
                rows.append((claim.id, force_id, published, np.nan, np.nan, 0))
            else:
                change, reached, direction = found
                rows.append((claim.id, force_id, published, float(change), float(reached), direction))
    return pd.DataFrame(rows, columns=["claim", "force", "holds", "change_needed", "flips_at", "direction"])


def break_even_summary(table: pd.DataFrame, forces: pd.DataFrame, scale: Scale) -> pd.DataFrame:
    """Per claim: the single force and change that flip it most cheaply (the first force in file order
    among equals), the room left on the scale in that direction, and a sentence saying it."""
    rows = []
    score = dict(zip(forces["id"], forces["score"]))
    # Rows grouped by hand, not by groupby: the live explorer runs this at every move, and pandas'
    # per-group work was most of the claims table's time there.
    by_claim: dict = {}
    for row in table.itertuples(index=False):
        by_claim.setdefault(row.claim, []).append(row)
    for claim_id, group in by_claim.items():
        holds = bool(group[0].holds)
        possible = [row for row in group if not pd.isna(row.change_needed)]
        if not possible:
            what = "flips it" if holds else "makes it hold"
            rows.append((claim_id, np.nan, "", f"no single change within the scale {what}"))
            continue
        best = min(possible, key=lambda row: abs(row.change_needed))  # the first in file order among equals
        up = best.direction > 0
        room = scale.maximum - score[best.force] if up else score[best.force] - scale.minimum
        beyond = "above" if up else "below"
        if holds:
            text = f"{best.force} {best.change_needed:+g} (to {best.flips_at:g}; room on the scale {room:g})"
        elif best.change_needed == 0:
            text = (f"{best.force}: any {'rise' if up else 'fall'} (it holds {beyond} {best.flips_at:g}; "
                    f"room on the scale {room:g})")
        else:
            text = (f"{best.force} {best.change_needed:+g} (it holds {beyond} {best.flips_at:g}; "
                    f"room on the scale {room:g})")
        rows.append((claim_id, float(best.change_needed), best.force, text))
    return pd.DataFrame(rows, columns=["claim", "break_even", "break_even_force", "break_even_text"])


def common_shift(forces: pd.DataFrame) -> dict:
    """The smallest common shift that flips the balance: every driving score up and every restraining
    score down (or the reverse) by the same amount; and the proportional cut of the heavier side."""
    b = balance(forces)
    n = len(forces)
    heavier, lighter = ((b.restraining_total, b.driving_total) if b.net < 0 else (b.driving_total, b.restraining_total))
    return {
        "shift_all_scores": abs(b.net) / n,
        "shift_note": (f"all {n} scores moved by {abs(b.net) / n:g} towards the lighter side tie the sides "
                       "(ignoring the scale's bounds)"),
        "proportional_cut_of_heavier_side": (1 - lighter / heavier) if heavier else float("nan"),
    }


# ---------------------------------------------------------------- drop one, conventions
def drop_one(claims, forces: pd.DataFrame, chain_holds: bool = True) -> pd.DataFrame:
    """Each force removed in turn: the new totals and which claims still hold (NaN: a claim about the
    dropped force itself)."""
    rows = []
    score_claims = [c for c in claims if c.about_scores]
    for i, force_id in enumerate(forces["id"]):
        rest = forces.drop(index=forces.index[i]).reset_index(drop=True)
        b = balance(rest)
        row = {"dropped": force_id, "direction": forces["direction"].iloc[i], "driving_total": b.driving_total,
               "restraining_total": b.restraining_total, "net": b.net}
        values = holds_at(score_claims, rest, chain_holds)  # claims about the dropped force are left out
        row.update({c.id: values.get(c.id, np.nan) for c in score_claims})
        rows.append(row)
    return pd.DataFrame(rows)


def alternative_scales(scale: Scale) -> tuple[dict[str, Scale], str]:
    """The scales a convention question compares for ``scale``, the declared one first, and a sentence.

    The question a reader asks of a force field without a stated scale is whether it starts at 0 or
    at 1 (the paper's 0-5 against the usual 1-5): the other start, with the same top, so no score is
    ever clipped from above. It applies only to a scale that starts at 0 or 1 and leaves room above the
    other start; on any other scale no convention applies.
    """
    scales = {str(scale): scale}
    if scale.minimum in (0, 1) and 1 - scale.minimum < scale.maximum:
        other = Scale(1 - scale.minimum, scale.maximum)
        scales[str(other)] = other
        return scales, (f"Conventions: the declared {scale} beside {other} (same top, the other usual start); "
                        f"rounding half-up and half-even to steps of {grid_step(scale):g}.")
    if scale.minimum in (0, 1):
        why = f"a scale starting at {1 - scale.minimum:g} would leave no room below its top {scale.maximum:g}"
    else:
        why = "only a scale starting at 0 or 1 has a usual alternative (the other start, same top)"
    return scales, (f"No scale convention applies to the declared {scale}: {why}. Rounding half-up and half-even "
                    f"to steps of {grid_step(scale):g} is still compared.")


def round_to_grid(scores: pd.Series, mode: str, scale: Scale) -> pd.Series:
    """Scores rounded half-up or half-even to the scale's whole-unit points (``mode`` 'none': as they
    are); a result beyond the scale's ends stays at the nearest point on the scale."""
    if mode == "none":
        return scores
    rounding = {"half-up": ROUND_HALF_UP, "half-even": ROUND_HALF_EVEN}[mode]
    step = _decimal(grid_step(scale))
    points = grid_points(scale)

    def one(s: float) -> float:
        value = float((_decimal(s) / step).quantize(Decimal(1), rounding=rounding) * step)
        return float(np.clip(value, points[0], points[-1]))
    return scores.map(one)


def conventions(claims, forces: pd.DataFrame, scale: Scale, chain_holds: bool = True) -> pd.DataFrame:
    """The claims under each scale of :func:`alternative_scales` (scores below its start raised onto
    it) and each rounding convention (none, half-up, half-even)."""
    rows = []
    for scale_name, other in alternative_scales(scale)[0].items():
        for mode in ("none", "half-up", "half-even"):
            fitted, moved = fit_to_scale(forces, other)
            fitted = fitted.assign(score=round_to_grid(fitted["score"], mode, other))
            b = balance(fitted)
            rows.append({"scale": scale_name, "rounding": mode, "driving_total": b.driving_total,
                         "restraining_total": b.restraining_total, "net": b.net, "verdict": b.verdict,
                         "moved": ", ".join(f"{m.id} {m.score:g}→{m.new_score:g}" for m in moved.itertuples()),
                         **holds_at(claims, fitted, chain_holds)})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- noise models
def draw_scores(forces: pd.DataFrame, scale: Scale, model: str, half_width: float, n: int,
                rng: np.random.Generator) -> np.ndarray:
    """``n`` perturbed score vectors (n x forces) under one noise model, all on ``scale``.

    - uniform: published score + U(-h, h), clipped to the scale (clipping is one-sided at a bound:
      a 5 on a 0-5 scale can only go down, which biases the balance).
    - integer: a rater's re-scoring on the scale's whole-unit points (:func:`grid_points`: whole
      numbers on 0-5, 1-5, 1-10 or -3..3; tenths on 0-1): the score rounded half-up to the nearest
      point, then one step down, none or one step up with probabilities 1/4, 1/2, 1/4 (triangular),
      staying at the scale's end point where a step would leave it. Does not depend on h.
    - ordinal (SMAA-O): only each side's order is kept: uniform values on the scale, sorted and
      handed out in the published order (tied forces in random order). Does not depend on h.
    - dirichlet: random importance weights: each score's height above the scale's bottom times
      n_forces * w, w ~ Dirichlet(1, ..., 1) (mean 1); where that would pass the top, the draw's
      heights are scaled down together until the largest is at the top. A common factor changes no
      comparison between forces, nor the sign of the net force on a scale that starts at 0. Does not
      depend on h.
    """
    base = forces["score"].to_numpy(dtype=float)
    k = len(base)
    if model == "uniform":
        # Drawn force-major and viewed as draws x forces: each force's column is contiguous, which
        # the column-by-column ranks and claims read many times.
        out = rng.uniform(-half_width, half_width, size=(k, n)).T
        out += base
        return np.clip(out, scale.minimum, scale.maximum, out=out)
    if model == "integer":
        points = grid_points(scale)
        nearest = np.clip(np.floor((base - points[0]) / grid_step(scale) + 0.5), 0, len(points) - 1)
        steps = rng.choice(np.array([-1.0, 0.0, 0.0, 1.0]), size=(n, k))
        index = np.clip(nearest + steps, 0, len(points) - 1).astype(np.intp)
        return points[index]
    if model == "ordinal":
        out = np.empty((n, k))
        for side in SIDES:
            cols = np.flatnonzero(forces["direction"].to_numpy() == side)
            values = -np.sort(-rng.uniform(scale.minimum, scale.maximum, size=(n, len(cols))), axis=1)
            # Rank the published scores, breaking ties at random in each draw.
            keys = base[cols][None, :] + rng.uniform(0, 1e-6, size=(n, len(cols)))
            order = np.argsort(-keys, axis=1)
            side_out = np.empty((n, len(cols)))
            np.put_along_axis(side_out, order, values, axis=1)
            out[:, cols] = side_out
        return out
    if model == "dirichlet":
        heights = (base - scale.minimum) * k * rng.dirichlet(np.ones(k), size=n)
        room = scale.maximum - scale.minimum
        tallest = heights.max(axis=1, keepdims=True)
        heights *= np.minimum(1.0, room / np.where(tallest > 0, tallest, 1.0))
        return np.minimum(scale.minimum + heights, scale.maximum)  # the top itself, not a rounding above it
    raise ValueError(f"noise model must be one of {', '.join(NOISE_MODELS)}, got {model!r}")


def kendall_tau_b(published: np.ndarray, scores: np.ndarray, columns=None) -> np.ndarray:
    """Kendall's tau-b between ``published`` (one ranking) and each row of ``scores``, vectorised over
    the rows: tau_b = (C - D) / sqrt((n0 - n1)(n0 - n2)), summed over pairs of items, where n0 is the
    number of pairs and n1, n2 the pairs tied in each ranking. NaN where a ranking is all ties (then
    tau-b is undefined, as in ``scipy.stats.kendalltau``). ``columns`` picks the items' columns of
    ``scores`` (default: all), so a side is read in place, without a copy.
    """
    published = np.asarray(published, dtype=float)
    scores = np.atleast_2d(np.asarray(scores, dtype=float))
    columns = range(scores.shape[1]) if columns is None else list(columns)
    m = len(published)
    concordance = np.zeros(scores.shape[0], dtype=np.int32)  # concordant minus discordant pairs
    tied_in_draw = np.zeros(scores.shape[0], dtype=np.int32)
    tied_published = 0
    for i in range(m):
        for j in range(i + 1, m):
            a, b = scores[:, columns[i]], scores[:, columns[j]]
            above, below = a > b, a < b
            if published[i] > published[j]:
                concordance += above
                concordance -= below
            elif published[i] < published[j]:
                concordance += below
                concordance -= above
            else:
                tied_published += 1
            tied_in_draw += a == b
    pairs = m * (m - 1) // 2
    denominator = np.sqrt((pairs - tied_published) * (pairs - tied_in_draw).astype(float))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, concordance / np.where(denominator > 0, denominator, 1), np.nan)


@dataclass
class MonteCarlo:
    """What a Monte Carlo run found: claim probabilities, rank acceptabilities, Kendall tau-b per
    side, the net force of every draw (for the histogram, whose shares then agree with the claims'
    probabilities), and the scores' quantiles over a kept sample of the draws."""

    p_holds: dict[str, float]
    p_holds_se: dict[str, float]
    rank_acceptability: pd.DataFrame | None  # force x rank -> probability
    net_sample: np.ndarray  # the net force of every draw
    quantiles: pd.DataFrame | None  # id, low (5 %), high (95 %)
    draws: int
    kendall: pd.DataFrame | None = None  # side, mean_tau_b, p_tau_b_above_0.8, draws, undefined_draws


class _KendallTally:
    """Kendall tau-b between the published and every drawn ranking, per side, summed chunk by chunk."""

    def __init__(self, forces: pd.DataFrame):
        base = forces["score"].to_numpy(dtype=float)
        direction = forces["direction"].to_numpy()
        self.sides = {side: np.flatnonzero(direction == side) for side in SIDES}
        self.published = {side: base[cols] for side, cols in self.sides.items()}
        self.sums = {side: [0.0, 0, 0, 0] for side in SIDES}  # sum of tau, defined, above 0.8, undefined

    def add(self, scores: np.ndarray) -> None:
        for side, cols in self.sides.items():
            tau = kendall_tau_b(self.published[side], scores, cols)
            defined = ~np.isnan(tau)
            tally = self.sums[side]
            tally[0] += float(tau[defined].sum())
            tally[1] += int(defined.sum())
            tally[2] += int((tau[defined] > 0.8).sum())
            tally[3] += int((~defined).sum())

    def table(self) -> pd.DataFrame:
        rows = []
        for side, (total, defined, above, undefined) in self.sums.items():
            rows.append({"side": side, "mean_tau_b": total / defined if defined else np.nan,
                         "p_tau_b_above_0.8": above / defined if defined else np.nan,
                         "draws": defined, "undefined_draws": undefined})
        return pd.DataFrame(rows)


def monte_carlo(claims, forces: pd.DataFrame, scale: Scale, model: str, half_width: float, draws: int,
                seed: int | None, keep: int = 20_000, progress=None, chain_holds: bool = True,
                ranks: bool = True) -> MonteCarlo:
    """Count, chunk by chunk, how often each claim holds (and, with ``ranks``, how often each force
    holds each rank and how far each drawn ranking is from the published one by Kendall tau-b)."""
    if draws < 1:
        raise ValueError(f"draws must be at least 1, got {draws}")
    rng = np.random.default_rng(seed)
    k = len(forces)
    predicates = {c.id: p for c in claims if (p := compile_claim(c, forces, chain_holds)) is not None}
    holds = dict.fromkeys(predicates, 0)
    rank_counts = np.zeros((k, k), dtype=np.int64)
    kendall = _KendallTally(forces) if ranks else None
    sign = side_matrix(forces)
    kept_scores, nets = [], []
    done = 0
    while done < draws:
        n = min(CHUNK, draws - done)
        scores = draw_scores(forces, scale, model, half_width, n, rng)
        for claim_id, predicate in predicates.items():
            holds[claim_id] += int(np.count_nonzero(predicate(scores)))
        if ranks:
            drawn = side_ranks(scores, forces)
            for j in range(k):
                rank_counts[j] += np.bincount(drawn[:, j], minlength=k + 1)[1:k + 1]
            kendall.add(scores)
        nets.append(scores @ sign)  # one number a draw: the histogram shows every draw the probabilities count
        if done < keep:
            kept_scores.append(scores[: keep - done])
        done += n
        if progress is not None:
            progress(n)
    p = {c: v / draws for c, v in holds.items()}
    se = {c: float(np.sqrt(v * (1 - v) / draws)) for c, v in p.items()}
    kept = np.concatenate(kept_scores) if kept_scores else np.empty((0, k))
    net = np.concatenate(nets)
    if not ranks:
        return MonteCarlo(p, se, None, net, None, draws)
    acceptability = pd.DataFrame(rank_counts / draws, index=forces["id"], columns=[f"rank {r}" for r in range(1, k + 1)])
    n_side = forces["direction"].value_counts()
    for force_id, direction in zip(forces["id"], forces["direction"]):  # ranks beyond a side's size cannot occur
        acceptability.loc[force_id, [f"rank {r}" for r in range(n_side[direction] + 1, k + 1)]] = np.nan
    acceptability = acceptability.dropna(axis=1, how="all")
    quantiles = pd.DataFrame({"id": forces["id"], "low": np.quantile(kept, 0.05, axis=0), "high": np.quantile(kept, 0.95, axis=0)})
    return MonteCarlo(p, se, acceptability, net, quantiles, draws, kendall.table())


def default_widths(scale: Scale) -> tuple[float, ...]:
    """The robustness curves' half-widths for ``scale``: 2 % to 20 % of its width (0.1 to 1 on 0-5)."""
    width = scale.maximum - scale.minimum
    return tuple(float(_decimal(f) * _decimal(width)) for f in CURVE_WIDTHS)


def robustness_curves(claims, forces: pd.DataFrame, scale: Scale, widths, draws: int, seed: int | None,
                      chain_holds: bool = True) -> pd.DataFrame:
    """P(claim holds) against the noise half-width h, for the models whose draws depend on h
    (:data:`WIDTH_MODELS`), with the standard error of each probability."""
    rows = []
    for model in WIDTH_MODELS:
        for h in widths:
            result = monte_carlo(claims, forces, scale, model, float(h), draws, seed, keep=0,
                                 chain_holds=chain_holds, ranks=False)
            rows += [{"model": model, "half_width": float(h), "claim": c, "p_holds": p, "se": result.p_holds_se[c]}
                     for c, p in result.p_holds.items()]
    return pd.DataFrame(rows, columns=["model", "half_width", "claim", "p_holds", "se"])


def reference_levels(claims, forces: pd.DataFrame, scale: Scale, draws: int, seed: int | None,
                     chain_holds: bool = True) -> pd.DataFrame:
    """P(claim holds) under each noise model that has no width (integer, ordinal, dirichlet)."""
    rows = []
    for model in (m for m in NOISE_MODELS if m not in WIDTH_MODELS):
        result = monte_carlo(claims, forces, scale, model, 0.0, draws, seed, keep=0, chain_holds=chain_holds, ranks=False)
        rows += [{"model": model, "claim": c, "p_holds": p, "se": result.p_holds_se[c]} for c, p in result.p_holds.items()]
    return pd.DataFrame(rows, columns=["model", "claim", "p_holds", "se"])


# ---------------------------------------------------------------- SALib
#: What the global indices perturb, whatever noise model the rest uses: Sobol's estimators need
#: independent inputs with known ranges, and PAWN is computed on the same sample design.
GLOBAL_MODEL = "uniform"


def global_model_note(scale: Scale, half_width: float) -> str:
    return (f"Sobol and PAWN perturb each score uniformly within ±{half_width:g}, clipped to the scale {scale} "
            "(independent inputs, as their estimators need), whatever noise model the rest uses.")


def _problem(forces: pd.DataFrame, scale: Scale, half_width: float) -> dict:
    base = forces["score"].to_numpy(dtype=float)
    low = np.maximum(base - half_width, scale.minimum)
    high = np.minimum(base + half_width, scale.maximum)
    high = np.where(high <= low, low + 1e-9, high)  # SALib needs non-empty ranges
    return {"num_vars": len(base), "names": list(forces["id"]), "bounds": np.column_stack([low, high]).tolist()}


def sobol_net(forces: pd.DataFrame, scale: Scale, half_width: float, n: int = 2 ** 10, seed: int | None = 0) -> pd.DataFrame:
    """Sobol first-order and total indices of the net force (SALib), beside their closed form.

    The net force is linear in independent uniform scores, so S_i = sigma_i^2 / sum(sigma^2), with
    sigma_i^2 = (b_i - a_i)^2 / 12 for a score uniform on [a_i, b_i]; S_Ti = S_i. With n = 2^10 base
    samples (n (d + 2) evaluations) the estimates of the paper's indices lie within 0.002 of the closed
    form; 2^12 costs 5 times as much and is exact to 3 decimals.
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample
    problem = _problem(forces, scale, half_width)
    X = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    Y = X @ side_matrix(forces)
    result = sobol_analyze.analyze(problem, Y, calc_second_order=False, seed=seed)
    widths = np.diff(np.array(problem["bounds"]), axis=1).ravel()
    closed = widths ** 2 / np.sum(widths ** 2)
    return pd.DataFrame({"id": problem["names"], "S1": result["S1"], "ST": result["ST"], "closed_form": closed,
                         "model": f"{GLOBAL_MODEL} ±{half_width:g}"})


def pawn_claim(claim: Claim, forces: pd.DataFrame, scale: Scale, half_width: float, n: int = 4000,
               seed: int | None = 0, chain_holds: bool = True) -> pd.DataFrame:
    """PAWN indices (SALib) of a true/false claim: how much each score shifts the outcome's distribution."""
    from SALib.analyze import pawn
    problem = _problem(forces, scale, half_width)
    rng = np.random.default_rng(seed)
    bounds = np.array(problem["bounds"])
    X = bounds[:, 0] + rng.random((n, len(bounds))) * (bounds[:, 1] - bounds[:, 0])
    Y = compile_claim(claim, forces, chain_holds)(X).astype(float)
    # A claim that holds in every draw has a constant outcome: every index is 0 and SALib's
    # coefficient of variation (not reported here) divides 0 by 0.
    with np.errstate(divide="ignore", invalid="ignore"):
        result = pawn.analyze(problem, X, Y, S=10, seed=seed)
    return pd.DataFrame({"id": problem["names"], "claim": claim.id, "pawn_median": result["median"],
                         "pawn_max": result["maximum"], "model": f"{GLOBAL_MODEL} ±{half_width:g}"})


# ---------------------------------------------------------------- the claims table, fast
def claims_table(claims, forces: pd.DataFrame, scale: Scale, noise: str = "uniform", half_width: float = 0.5,
                 draws: int = 20_000, seed: int | None = 0, chain_holds: bool = True, *,
                 probabilities: MonteCarlo | None = None) -> pd.DataFrame:
    """Each claim at the scores of ``forces``: whether it holds, how often it holds under noise (with
    the standard error sqrt(p(1-p)/N)), and its break-even (see :func:`break_even`).

    The fast part of :func:`analyse` (no curves, no SALib), for the live explorer. ``probabilities``
    is a Monte Carlo run already made with these settings (``analyse`` passes its own).

    Returns
    -------
    DataFrame with columns claim, statement (as written), statement_en (its English version, or as
    written where there is none), holds, p_holds, p_holds_se, break_even (signed change,
    NaN if none), break_even_force, break_even_text; one row per claim that ``forces`` can evaluate.
    """
    if probabilities is None:
        probabilities = monte_carlo(claims, forces, scale, noise, half_width, draws, seed, keep=0,
                                    chain_holds=chain_holds, ranks=False)
    published = holds_at(claims, forces, chain_holds)
    summary = break_even_summary(break_even(claims, forces, scale, chain_holds), forces, scale).set_index("claim")
    rows = []
    for claim in claims:
        if claim.id not in published:
            continue
        if claim.id in summary.index:
            be = summary.loc[claim.id]
            be_value, be_force, be_text = be["break_even"], be["break_even_force"], be["break_even_text"]
        else:
            be_value, be_force, be_text = np.nan, "", "does not depend on the scores"
        rows.append({"claim": claim.id, "statement": claim.statement, "statement_en": claim.text("en"),
                     "holds": published[claim.id],
                     "p_holds": probabilities.p_holds[claim.id], "p_holds_se": probabilities.p_holds_se[claim.id],
                     "break_even": be_value, "break_even_force": be_force, "break_even_text": be_text})
    return pd.DataFrame(rows, columns=["claim", "statement", "statement_en", "holds", "p_holds", "p_holds_se", "break_even",
                                       "break_even_force", "break_even_text"])


# ---------------------------------------------------------------- one call for the CLI and the notebook
def analyse(analysis, noise: str = "uniform", half_width: float = 0.5, draws: int = 100_000, seed: int | None = 0,
            scale: Scale | None = None, widths=None, curve_draws: int = 20_000, progress=None) -> dict:
    """Every analysis above for one analysis folder, as tables (the CLI writes them, the notebook draws them).

    ``scale`` overrides the declared scale (scores outside it are moved onto it and listed in
    ``moved_scores``); ``widths`` are the robustness curves' half-widths (default: 2 % to 20 % of the
    scale's width).

    Returns
    -------
    dict of tables: settings, notes, moved_scores, claims, break_even, common_shift, drop_one,
    conventions, conventions_note, rank_acceptability, kendall_tau, quantiles, net_sample, curves
    (the models that depend on h), reference_levels (those that do not), sobol, pawn, components, forces.
    """
    if noise not in NOISE_MODELS:
        raise ValueError(f"noise model must be one of {', '.join(NOISE_MODELS)}, got {noise!r}")
    if half_width < 0:
        raise ValueError(f"the half-width must not be negative, got {half_width}")
    scale = scale or analysis.scale
    forces, moved = fit_to_scale(analysis.forces, scale)
    registry = claims_for(analysis)
    claims = registry.claims
    chain = analysis_chain_holds(analysis)
    notes = list(registry.notes)
    mc = monte_carlo(claims, forces, scale, noise, half_width, draws, seed, progress=progress, chain_holds=chain)
    table = claims_table(claims, forces, scale, noise, half_width, draws, seed, chain, probabilities=mc)
    by_id = {c.id: c for c in claims}
    table.insert(2, "kind", [by_id[c].kind for c in table["claim"]])
    table["ties"] = TIE_RULE
    table["origin"] = [by_id[c].origin for c in table["claim"]]
    table["source"] = [by_id[c].source for c in table["claim"]]
    _, conventions_note = alternative_scales(scale)
    notes.append(conventions_note)
    if noise not in WIDTH_MODELS:
        notes.append(f"The {noise} noise model does not depend on the half-width h.")
    elif half_width > (scale.maximum - scale.minimum) / 4:
        notes.append(f"h = {half_width:g} is more than a quarter of the scale {scale}: most draws are far from the "
                     "published scores; consider a smaller half-width.")
    global_width = max(half_width, 1e-3)
    notes.append(global_model_note(scale, global_width))
    score_claims = [c for c in claims if c.about_scores]
    pawn_subject = next((c for c in score_claims if c.kind == "side_outweighs"), score_claims[0] if score_claims else None)
    return {
        "settings": {"noise": noise, "half_width": half_width, "draws": draws, "seed": seed,
                     "scale": [scale.minimum, scale.maximum], "integer_grid_step": grid_step(scale),
                     "curve_draws": curve_draws, "global_indices_model": f"{GLOBAL_MODEL} ±{global_width:g}",
                     "break_even_convention": BREAK_EVEN_CONVENTION, "ties": TIE_RULE},
        "notes": notes, "moved_scores": moved, "claims": table,
        "break_even": break_even(claims, forces, scale, chain), "common_shift": common_shift(forces),
        "drop_one": drop_one(claims, forces, chain), "conventions": conventions(claims, forces, scale, chain),
        "conventions_note": conventions_note,
        "rank_acceptability": mc.rank_acceptability, "kendall_tau": mc.kendall,
        "quantiles": mc.quantiles, "net_sample": mc.net_sample,
        "curves": robustness_curves(claims, forces, scale, widths or default_widths(scale), curve_draws, seed, chain),
        "reference_levels": reference_levels(claims, forces, scale, curve_draws, seed, chain),
        "sobol": sobol_net(forces, scale, global_width, seed=seed),
        "pawn": pawn_claim(pawn_subject, forces, scale, global_width, seed=seed, chain_holds=chain) if pawn_subject else None,
        "components": component_support(analysis.components, forces) if analysis.components is not None else None,
        "forces": forces,
    }


#: The columns of the claims file ``repro sensitivity`` writes, in order.
CLAIMS_COLUMNS = ["claim", "holds", "p_holds", "p_holds_se", "break_even", "break_even_force", "break_even_text",
                  "ties", "kind", "statement", "statement_en", "origin", "source"]


def result_files(result: dict) -> dict[str, str]:
    """The files a sensitivity analysis is written as, name -> text: ``claims.csv`` (one row per claim,
    a numeric ``break_even`` and its sentence in ``break_even_text``) and ``sensitivity.json``
    (everything else, strict JSON: ``null`` where a value is undefined)."""
    from repro.strict_json import dumps_strict

    claims = result["claims"][CLAIMS_COLUMNS].to_csv(index=False, lineterminator="\n")
    rest = {}
    for key, value in result.items():
        if key in ("claims", "net_sample", "forces"):
            continue
        if key == "rank_acceptability" and value is not None:
            value = value.reset_index().to_dict("records")
        elif isinstance(value, pd.DataFrame):
            value = value.to_dict("records")
        rest[key] = value
    return {"claims.csv": claims, "sensitivity.json": dumps_strict(rest)}
