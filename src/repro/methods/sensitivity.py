"""How sensitive are the claims to the scores? Break-even, drop-one, conventions, Monte Carlo
noise with rank acceptability (SMAA-2) and Kendall tau-b, robustness curves, and SALib.

Everything is vectorised over a matrix of draws (draws x forces) and seeded: one seed, one
answer. Draws are processed in chunks, so memory stays bounded however many are asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from repro import paths
from repro.methods.claims import TIE_RULE, Claim, component_support, evaluate, registry
from repro.data.codebook import Scale
from repro.methods.force_field import balance, side_matrix

NOISE_MODELS = ("uniform", "integer", "ordinal", "dirichlet")
CHUNK = 65536


# ---------------------------------------------------------------- scale
def fit_to_scale(forces: pd.DataFrame, scale: Scale) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Move scores outside ``scale`` onto it; return the forces and a table of what moved how far."""
    clipped = forces["score"].clip(scale.minimum, scale.maximum)
    moved = forces.loc[clipped != forces["score"], ["id", "score"]].assign(new_score=clipped[clipped != forces["score"]])
    moved["moved_by"] = moved["new_score"] - moved["score"]
    return forces.assign(score=clipped), moved.reset_index(drop=True)


# ---------------------------------------------------------------- break-even
def break_even(claims: list[Claim], forces: pd.DataFrame, scale: Scale) -> pd.DataFrame:
    """For each claim and force: the smallest change of that one score, within the scale, that flips
    the claim (NaN where no change within the scale does).

    Exact for these claims: each is piecewise constant in one score, with breakpoints where the score
    meets another score of its side or where the net force crosses 0; all are tried, with a nudge of
    1e-9 either side.
    """
    base = forces["score"].to_numpy(dtype=float)
    sign = side_matrix(forces)
    net = float(base @ sign)
    rows = []
    for claim in (c for c in claims if c.evaluate is not None):
        published = bool(claim.evaluate(base[None, :])[0])
        for i, force_id in enumerate(forces["id"]):
            candidates = np.concatenate([base, [scale.minimum, scale.maximum, base[i] - sign[i] * net]])
            candidates = np.concatenate([candidates, candidates - 1e-9, candidates + 1e-9])
            candidates = candidates[(candidates >= scale.minimum) & (candidates <= scale.maximum)]
            trial = np.repeat(base[None, :], len(candidates), axis=0)
            trial[:, i] = candidates
            flipped = claim.evaluate(trial) != published
            if flipped.any():
                deltas = candidates[flipped] - base[i]
                best = deltas[np.argmin(np.abs(deltas))]
                rows.append((claim.id, force_id, round(float(best), 6), round(float(base[i] + best), 6)))
            else:
                rows.append((claim.id, force_id, np.nan, np.nan))
    return pd.DataFrame(rows, columns=["claim", "force", "change_needed", "flips_at"])


def break_even_summary(table: pd.DataFrame, forces: pd.DataFrame, scale: Scale) -> pd.DataFrame:
    """Per claim: the single force and change that flip it most cheaply, and the room left on the scale."""
    rows = []
    score = dict(zip(forces["id"], forces["score"]))
    for claim_id, group in table.groupby("claim", sort=False):
        possible = group.dropna(subset=["change_needed"])
        if possible.empty:
            rows.append((claim_id, "", np.nan, "no single change within the scale flips it"))
            continue
        best = possible.loc[possible["change_needed"].abs().idxmin()]
        room = scale.maximum - score[best.force] if best.change_needed > 0 else score[best.force] - scale.minimum
        rows.append((claim_id, best.force, best.change_needed,
                     f"{best.force} {best.change_needed:+g} (to {best.flips_at:g}; room on the scale {room:g})"))
    return pd.DataFrame(rows, columns=["claim", "force", "change_needed", "break_even"])


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
def drop_one(claims: list[Claim], forces: pd.DataFrame, of_the_paper: bool = True) -> pd.DataFrame:
    """Each force removed in turn: the new totals and which claims still hold (NaN: claim about it)."""
    rows = []
    for i, force_id in enumerate(forces["id"]):
        rest = forces.drop(index=forces.index[i]).reset_index(drop=True)
        b = balance(rest)
        row = {"dropped": force_id, "direction": forces["direction"].iloc[i], "driving_total": b.driving_total,
               "restraining_total": b.restraining_total, "net": b.net}
        scores = rest["score"].to_numpy(dtype=float)[None, :]
        rebuilt = {c.id: c for c in registry(rest, of_the_paper)}  # the predicates close over column positions
        for claim in claims:
            if claim.evaluate is None:
                continue
            if claim.subject == force_id or claim.id not in rebuilt:
                row[claim.id] = np.nan
                continue
            row[claim.id] = bool(rebuilt[claim.id].evaluate(scores)[0])
        rows.append(row)
    return pd.DataFrame(rows)


def _round(scores: pd.Series, mode: str) -> pd.Series:
    if mode == "none":
        return scores
    rounding = {"half-up": ROUND_HALF_UP, "half-even": ROUND_HALF_EVEN}[mode]
    return scores.map(lambda s: float(Decimal(repr(float(s))).quantize(Decimal(1), rounding=rounding)))


def conventions(claims: list[Claim], forces: pd.DataFrame, scales: dict[str, Scale]) -> pd.DataFrame:
    """The claims under each scale (scores outside moved onto it) and rounding convention."""
    rows = []
    for scale_name, scale in scales.items():
        for mode in ("none", "half-up", "half-even"):
            fitted, moved = fit_to_scale(forces, scale)
            fitted = fitted.assign(score=_round(fitted["score"], mode))
            b = balance(fitted)
            values = evaluate(claims, fitted["score"].to_numpy(dtype=float)[None, :])
            rows.append({"scale": scale_name, "rounding": mode, "driving_total": b.driving_total,
                         "restraining_total": b.restraining_total, "net": b.net, "verdict": b.verdict,
                         "moved": ", ".join(f"{m.id} {m.score:g}→{m.new_score:g}" for m in moved.itertuples()),
                         **{k: bool(v[0]) for k, v in values.items()}})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- noise models
def draw_scores(forces: pd.DataFrame, scale: Scale, model: str, half_width: float, n: int,
                rng: np.random.Generator) -> np.ndarray:
    """``n`` perturbed score vectors (n x forces) under one noise model.

    - uniform: published score + U(-h, h), clipped to the scale (clipping is one-sided at a bound:
      a 5 on a 0-5 scale can only go down, which biases the balance).
    - integer: re-scoring on whole numbers: the score rounded half-up, plus h times -1, 0 or +1 with
      probabilities 1/4, 1/2, 1/4 (triangular), clipped; h = 1 is a rater's integer re-scoring.
    - ordinal (SMAA-O): only each side's order is kept: uniform values on the scale, sorted and
      handed out in the published order (tied forces in random order).
    - dirichlet: random importance weights: each score times n_forces * w, w ~ Dirichlet(1, ..., 1).
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
        rounded = np.floor(base + 0.5)
        steps = rng.choice(np.array([-1.0, 0.0, 0.0, 1.0]), size=(n, k))
        return np.clip(rounded + half_width * steps, scale.minimum, scale.maximum)
    if model == "ordinal":
        out = np.empty((n, k))
        for side in ("driving", "restraining"):
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
        return base * k * rng.dirichlet(np.ones(k), size=n)
    raise ValueError(f"noise model must be one of {', '.join(NOISE_MODELS)}, got {model!r}")


def side_ranks(scores: np.ndarray, forces: pd.DataFrame) -> np.ndarray:
    """Competition rank (1 = strongest; ties share the best rank) of each force within its side.

    Rank = 1 + how many forces of the same side score strictly higher. Counted pair by pair on whole
    columns: with a handful of forces per side this is far cheaper than sorting every row.
    """
    ranks = np.ones(scores.shape, dtype=np.int16, order="F")  # contiguous per force
    direction = forces["direction"].to_numpy()
    for side in ("driving", "restraining"):
        cols = np.flatnonzero(direction == side)
        for i in cols:
            for j in cols:
                if i != j:
                    ranks[:, i] += scores[:, j] > scores[:, i]
    return ranks


@dataclass
class MonteCarlo:
    """What a Monte Carlo run found: claim probabilities, rank acceptabilities, net-score sample."""

    p_holds: dict[str, float]
    p_holds_se: dict[str, float]
    rank_acceptability: pd.DataFrame  # force x rank -> probability
    net_sample: np.ndarray
    quantiles: pd.DataFrame  # id, low (5 %), high (95 %)
    draws: int


def monte_carlo(claims: list[Claim], forces: pd.DataFrame, scale: Scale, model: str, half_width: float,
                draws: int, seed: int | None, keep: int = 20_000, progress=None) -> MonteCarlo:
    """Count, chunk by chunk, how often each claim holds and each force holds each rank."""
    if draws < 1:
        raise ValueError(f"draws must be at least 1, got {draws}")
    rng = np.random.default_rng(seed)
    k = len(forces)
    holds = {c.id: 0 for c in claims}
    rank_counts = np.zeros((k, k), dtype=np.int64)
    sign = side_matrix(forces)
    kept_scores = []
    done = 0
    while done < draws:
        n = min(CHUNK, draws - done)
        scores = draw_scores(forces, scale, model, half_width, n, rng)
        for claim_id, value in evaluate(claims, scores).items():
            holds[claim_id] += int(value.sum())
        ranks = side_ranks(scores, forces)
        for j in range(k):
            rank_counts[j] += np.bincount(ranks[:, j], minlength=k + 1)[1:k + 1]
        if done < keep:
            kept_scores.append(scores[: keep - done])
        done += n
        if progress is not None:
            progress(n)
    p = {c: v / draws for c, v in holds.items()}
    se = {c: float(np.sqrt(v * (1 - v) / draws)) for c, v in p.items()}
    kept = np.concatenate(kept_scores)
    acceptability = pd.DataFrame(rank_counts / draws, index=forces["id"], columns=[f"rank {r}" for r in range(1, k + 1)])
    n_side = forces["direction"].value_counts()
    for force_id, direction in zip(forces["id"], forces["direction"]):  # ranks beyond a side's size cannot occur
        acceptability.loc[force_id, [f"rank {r}" for r in range(n_side[direction] + 1, k + 1)]] = np.nan
    acceptability = acceptability.dropna(axis=1, how="all")
    quantiles = pd.DataFrame({"id": forces["id"], "low": np.quantile(kept, 0.05, axis=0), "high": np.quantile(kept, 0.95, axis=0)})
    return MonteCarlo(p, se, acceptability, kept @ sign, quantiles, draws)


def kendall_tau(forces: pd.DataFrame, scores: np.ndarray) -> pd.DataFrame:
    """Kendall tau-b (scipy) between the published and each perturbed ranking, per side."""
    from scipy.stats import kendalltau
    rows = []
    for side in ("driving", "restraining"):
        cols = np.flatnonzero(forces["direction"].to_numpy() == side)
        published = forces["score"].to_numpy(dtype=float)[cols]
        taus = np.array([kendalltau(published, row, variant="b").statistic for row in scores[:, cols]])
        taus = taus[~np.isnan(taus)]
        rows.append({"side": side, "mean_tau_b": float(taus.mean()) if len(taus) else np.nan,
                     "p_tau_b_above_0.8": float((taus > 0.8).mean()) if len(taus) else np.nan, "draws": len(taus)})
    return pd.DataFrame(rows)


def robustness_curves(claims: list[Claim], forces: pd.DataFrame, scale: Scale, widths, draws: int,
                      seed: int | None) -> pd.DataFrame:
    """P(claim holds) against the noise width h, for every noise model (ordinal and dirichlet have no
    width: they are flat reference lines)."""
    rows = []
    for model in NOISE_MODELS:
        for h in widths:
            result = monte_carlo(claims, forces, scale, model, float(h), draws, seed, keep=1)
            rows += [{"model": model, "half_width": float(h), "claim": c, "p_holds": p, "se": result.p_holds_se[c]}
                     for c, p in result.p_holds.items()]
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- SALib
def _problem(forces: pd.DataFrame, scale: Scale, half_width: float) -> dict:
    base = forces["score"].to_numpy(dtype=float)
    low = np.maximum(base - half_width, scale.minimum)
    high = np.minimum(base + half_width, scale.maximum)
    high = np.where(high <= low, low + 1e-9, high)  # SALib needs non-empty ranges
    return {"num_vars": len(base), "names": list(forces["id"]), "bounds": np.column_stack([low, high]).tolist()}


def sobol_net(forces: pd.DataFrame, scale: Scale, half_width: float, n: int = 2 ** 12, seed: int | None = 0) -> pd.DataFrame:
    """Sobol first-order and total indices of the net force (SALib), beside their closed form.

    The net force is linear in independent uniform scores, so S_i = sigma_i^2 / sum(sigma^2), with
    sigma_i^2 = (b_i - a_i)^2 / 12 for a score uniform on [a_i, b_i]; S_Ti = S_i.
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample
    problem = _problem(forces, scale, half_width)
    X = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    Y = X @ side_matrix(forces)
    result = sobol_analyze.analyze(problem, Y, calc_second_order=False, seed=seed)
    widths = np.diff(np.array(problem["bounds"]), axis=1).ravel()
    closed = widths ** 2 / np.sum(widths ** 2)
    return pd.DataFrame({"id": problem["names"], "S1": result["S1"], "ST": result["ST"], "closed_form": closed})


def pawn_claim(claim: Claim, forces: pd.DataFrame, scale: Scale, half_width: float, n: int = 4000,
               seed: int | None = 0) -> pd.DataFrame:
    """PAWN indices (SALib) of a true/false claim: how much each score shifts the outcome's distribution."""
    from SALib.analyze import pawn
    problem = _problem(forces, scale, half_width)
    rng = np.random.default_rng(seed)
    bounds = np.array(problem["bounds"])
    X = bounds[:, 0] + rng.random((n, len(bounds))) * (bounds[:, 1] - bounds[:, 0])
    Y = claim.evaluate(X).astype(float)
    result = pawn.analyze(problem, X, Y, S=10, seed=seed)
    return pd.DataFrame({"id": problem["names"], "pawn_median": result["median"], "pawn_max": result["maximum"]})


# ---------------------------------------------------------------- one call for the CLI and the notebook
def analyse(analysis, noise: str = "uniform", half_width: float = 0.5, draws: int = 100_000, seed: int | None = 0,
            scale: Scale | None = None, widths=(0.1, 0.25, 0.5, 0.75, 1.0), curve_draws: int = 20_000,
            progress=None) -> dict:
    """Every analysis above for one analysis folder, as tables (the CLI writes them, the notebook draws them)."""
    if noise not in NOISE_MODELS:
        raise ValueError(f"noise model must be one of {', '.join(NOISE_MODELS)}, got {noise!r}")
    if half_width < 0:
        raise ValueError(f"the half-width must not be negative, got {half_width}")
    scale = scale or analysis.scale
    forces, moved = fit_to_scale(analysis.forces, scale)
    of_the_paper = analysis.folder.resolve() == paths.PAPER_DATA.resolve()
    claims = registry(forces, of_the_paper)
    published = {k: bool(v[0]) for k, v in evaluate(claims, forces["score"].to_numpy(dtype=float)[None, :]).items()}
    be = break_even(claims, forces, scale)
    be_summary = break_even_summary(be, forces, scale).set_index("claim")
    mc = monte_carlo(claims, forces, scale, noise, half_width, draws, seed, progress=progress)
    kept = draw_scores(forces, scale, noise, half_width, 2000, np.random.default_rng(seed))
    claims_table = pd.DataFrame([{
        "claim": c.id, "statement": c.statement, "origin": c.origin, "source": c.source,
        "ties": TIE_RULE, "holds": published[c.id], "p_holds": mc.p_holds[c.id], "p_holds_se": mc.p_holds_se[c.id],
        "break_even": (be_summary.loc[c.id, "break_even"] if c.id in be_summary.index else "does not depend on the scores"),
    } for c in claims])
    scales = {str(scale): scale}
    if str(scale) != "1-5" and scale.maximum >= 5:
        scales["1-5"] = Scale(1, 5)
    return {
        "settings": {"noise": noise, "half_width": half_width, "draws": draws, "seed": seed, "scale": [scale.minimum, scale.maximum]},
        "moved_scores": moved, "claims": claims_table, "break_even": be, "common_shift": common_shift(forces),
        "drop_one": drop_one(claims, forces, of_the_paper), "conventions": conventions(claims, forces, scales),
        "rank_acceptability": mc.rank_acceptability, "kendall_tau": kendall_tau(forces, kept),
        "quantiles": mc.quantiles, "net_sample": mc.net_sample,
        "curves": robustness_curves(claims, forces, scale, widths, curve_draws, seed),
        "sobol": sobol_net(forces, scale, max(half_width, 1e-3), seed=seed),
        "pawn": pawn_claim(claims[0], forces, scale, max(half_width, 1e-3), seed=seed),
        "components": component_support(forces) if of_the_paper else None, "forces": forces,
    }
