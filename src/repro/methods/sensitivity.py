"""How sensitive are the claims to the scores? Break-even (one score), joint flips (all scores),
drop-one, conventions, Monte Carlo noise (claims, ranks, rank acceptability, Kendall tau-b, pairwise
and order probabilities, each with a 95 % interval), robustness curves, and global indices (SALib).

Randomness is seeded: one seed, one answer. The Monte Carlo keeps counts, not draws
(:mod:`repro.methods.montecarlo`), so memory is bounded however many draws are asked for. Every noise
model keeps the scores on the analysis's declared scale.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

from repro.data.codebook import Scale
from repro.i18n import format_list, format_number, format_scale, gettext, ngettext
from repro.labels import label
from repro.methods.claims import chain_holds as analysis_chain_holds
from repro.methods.claims import claims_for, compile_claim, component_support, holds_at, tie_rule
from repro.methods.force_field import balance, side_matrix
from repro.methods.grid import ROUNDING_MODES, Grid, decimal as _decimal, grid_step, rounding_rule
from repro.methods.intervals import draws_for_precision, intervals_note
from repro.methods.joint_flip import flip_convention, flip_table, joint_flips
from repro.methods.montecarlo import (KEEP, NOISE_MODELS, WIDTH_MODELS, MonteCarlo, model_assumptions, monte_carlo,
                                      order_rule, rank_ties_rule)

#: The robustness curves' half-widths, as fractions of the scale's width (0.1 ... 1 on a 0-5 scale).
CURVE_WIDTHS = (0.02, 0.05, 0.1, 0.15, 0.2)
#: Draws of each robustness curve's point and each reference level (unless a precision is asked for).
CURVE_DRAWS = 20_000

BREAK_EVEN_CONVENTION = gettext("en", "break_even_convention")


def break_even_convention(lang: str = "en") -> str:
    """:data:`BREAK_EVEN_CONVENTION` in ``lang``."""
    return gettext(lang, "break_even_convention")


# ---------------------------------------------------------------- scale
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


def break_even_summary(table: pd.DataFrame, forces: pd.DataFrame, scale: Scale, lang: str = "en") -> pd.DataFrame:
    """Per claim: the single force and change that flip it most cheaply (the first force in file order
    among equals), the room left on the scale in that direction, and a sentence saying it in ``lang``
    (its numbers as a reader of ``lang`` writes them: 'D2 +0,2 (до 3,4; запас на шкале 1,8)')."""
    rows = []
    score = dict(zip(forces["id"], forces["score"]))
    by_claim: dict[str, list] = {}
    for row in table.itertuples(index=False):  # plain rows: a groupby costs more than the whole walk
        by_claim.setdefault(row.claim, []).append(row)
    for claim_id, group in by_claim.items():
        holds = bool(group[0].holds)
        possible = [r for r in group if not np.isnan(r.change_needed)]
        if not possible:
            rows.append((claim_id, np.nan, "", gettext(lang, "break_even_none_flips" if holds else "break_even_none_holds")))
            continue
        best = min(possible, key=lambda r: abs(r.change_needed))  # the first in file order among equals
        up = best.direction > 0
        room = scale.maximum - score[best.force] if up else score[best.force] - scale.minimum
        words = {"force": best.force, "change": format_number(best.change_needed, lang, signed=True),
                 "reached": format_number(best.flips_at, lang), "room": format_number(room, lang)}
        if holds:
            text = gettext(lang, "break_even_to", **words)
        elif best.change_needed == 0:
            text = gettext(lang, "break_even_any_rise" if up else "break_even_any_fall", **words)
        else:
            text = gettext(lang, "break_even_holds_above" if up else "break_even_holds_below", **words)
        rows.append((claim_id, float(best.change_needed), best.force, text))
    return pd.DataFrame(rows, columns=["claim", "break_even", "break_even_force", "break_even_text"])


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


def alternative_scales(scale: Scale, lang: str = "en") -> tuple[dict[str, Scale], str]:
    """The scales a convention question compares for ``scale``, the declared one first, and a sentence
    in ``lang``.

    The question a reader asks of a force field without a stated scale is whether it starts at 0 or
    at 1 (the paper's 0-5 against the usual 1-5): the other start, with the same top, so no score is
    ever clipped from above. It applies only to a scale that starts at 0 or 1 and leaves room above the
    other start; on any other scale no convention applies.
    """
    scales = {str(scale): scale}
    rounding = gettext(lang, "conventions_rounding", rule=rounding_rule(lang),
                       step=format_number(grid_step(scale), lang))
    if scale.minimum in (0, 1) and 1 - scale.minimum < scale.maximum:
        other = Scale(1 - scale.minimum, scale.maximum)
        scales[str(other)] = other
        return scales, gettext(lang, "conventions_note", scale=format_scale(scale, lang), other=format_scale(other, lang),
                               rounding=rounding)
    if scale.minimum in (0, 1):
        why = gettext(lang, "conventions_no_room", start=format_number(1 - scale.minimum, lang),
                      top=format_number(scale.maximum, lang))
    else:
        why = gettext(lang, "conventions_no_usual")
    return scales, gettext(lang, "conventions_none", scale=format_scale(scale, lang), why=why, rounding=rounding)


def round_to_grid(scores: pd.Series, mode: str, scale: Scale) -> pd.Series:
    """Scores rounded to the scale's whole-unit points (:class:`repro.methods.grid.Grid`) by ``mode``:
    'half-up' (the package's one rule, :data:`repro.methods.grid.ROUNDING_RULE`), 'half-even', or
    'none' (as they are); a result beyond the scale's ends stays at the nearest point on the scale."""
    if mode == "none":
        return scores
    if mode not in ROUNDING_MODES:
        raise ValueError(f"rounding must be one of none, {', '.join(ROUNDING_MODES)}; got {mode!r}")
    grid = Grid.of(scale)
    return scores.map(lambda s: grid.round(s, mode))


def conventions(claims, forces: pd.DataFrame, scale: Scale, chain_holds: bool = True) -> pd.DataFrame:
    """The claims under each scale of :func:`alternative_scales` (scores below its start raised onto
    it) and each rounding convention (none, half-up, half-even)."""
    rows = []
    for scale_name, other in alternative_scales(scale)[0].items():
        for mode in ("none",) + ROUNDING_MODES:
            fitted, moved = fit_to_scale(forces, other)
            fitted = fitted.assign(score=round_to_grid(fitted["score"], mode, other))
            b = balance(fitted)
            rows.append({"scale": scale_name, "rounding": mode, "driving_total": b.driving_total,
                         "restraining_total": b.restraining_total, "net": b.net, "verdict": b.verdict,
                         "moved": ", ".join(f"{m.id} {m.score:g}→{m.new_score:g}" for m in moved.itertuples()),
                         **holds_at(claims, fitted, chain_holds)})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- Monte Carlo summaries
def default_widths(scale: Scale) -> tuple[float, ...]:
    """The robustness curves' half-widths for ``scale``: 2 % to 20 % of its width (0.1 to 1 on 0-5)."""
    width = _decimal(scale.maximum) - _decimal(scale.minimum)
    return tuple(float(Decimal(str(f)) * width) for f in CURVE_WIDTHS)


def robustness_curves(claims, forces: pd.DataFrame, scale: Scale, widths, draws: int, seed: int | None,
                      chain_holds: bool = True) -> pd.DataFrame:
    """P(claim holds) against the noise half-width h, for the models whose draws depend on h
    (:data:`WIDTH_MODELS`), each with its Wilson 95 % interval."""
    rows = []
    for model in WIDTH_MODELS:
        for h in widths:
            result = monte_carlo(claims, forces, scale, model, float(h), draws, seed, keep=0, chain_holds=chain_holds)
            rows += [{"model": model, "half_width": float(h), **row} for row in result.claims().to_dict("records")]
    return pd.DataFrame(rows, columns=["model", "half_width", "claim", "draws_held", "draws", "p_holds", "p_holds_low",
                                       "p_holds_high"])


def reference_levels(claims, forces: pd.DataFrame, scale: Scale, draws: int, seed: int | None,
                     chain_holds: bool = True) -> pd.DataFrame:
    """P(claim holds) under each noise model that has no width (integer, ordinal, dirichlet), with intervals."""
    rows = []
    for model in (m for m in NOISE_MODELS if m not in WIDTH_MODELS):
        result = monte_carlo(claims, forces, scale, model, 0.0, draws, seed, keep=0, chain_holds=chain_holds)
        rows += [{"model": model, **row} for row in result.claims().to_dict("records")]
    return pd.DataFrame(rows, columns=["model", "claim", "draws_held", "draws", "p_holds", "p_holds_low", "p_holds_high"])


# ---------------------------------------------------------------- the claims table, fast
def claims_table(claims, forces: pd.DataFrame, scale: Scale, noise: str = "uniform", half_width: float = 0.5,
                 draws: int = 20_000, seed: int | None = 0, chain_holds: bool = True, *,
                 probabilities: MonteCarlo | None = None, lang: str = "en") -> pd.DataFrame:
    """Each claim at the scores of ``forces``: whether it holds, how often it holds under noise (with
    its Wilson 95 % interval), its break-even (one score, :func:`break_even`) and its joint flip (all
    scores at once, :mod:`repro.methods.joint_flip`).

    The fast part of :func:`analyse` (no curves, no SALib), for the live explorer. ``probabilities``
    is a Monte Carlo run already made with these settings (``analyse`` passes its own). The
    break-even's sentence is in ``lang``.

    Returns
    -------
    DataFrame with columns claim, statement (as written), statement_en (its English version, or as
    written where there is none), holds, p_holds, p_holds_low, p_holds_high, draws, break_even (signed
    change, NaN if none), break_even_force, break_even_text, flip_max_change, flip_max_moves,
    flip_total_change, flip_total_moves; one row per claim that ``forces`` can evaluate.
    """
    if probabilities is None:
        probabilities = monte_carlo(claims, forces, scale, noise, half_width, draws, seed, keep=0,
                                    chain_holds=chain_holds, running=False)
    published = holds_at(claims, forces, chain_holds)
    summary = {row["claim"]: row for row in
               break_even_summary(break_even(claims, forces, scale, chain_holds), forces, scale, lang).to_dict("records")}
    flips = {row["claim"]: row for row in flip_table(joint_flips(claims, forces, scale, published), forces).to_dict("records")}
    no_flip = {"flip_max_change": np.nan, "flip_max_moves": "", "flip_total_change": np.nan, "flip_total_moves": ""}
    no_break_even = {"break_even": np.nan, "break_even_force": "", "break_even_text": gettext(lang, "break_even_independent")}
    rows = []
    for claim in claims:
        if claim.id not in published:
            continue
        low, high = probabilities.p_holds_interval[claim.id]
        be = summary.get(claim.id, no_break_even)
        flip = flips.get(claim.id, no_flip)
        rows.append({"claim": claim.id, "statement": claim.statement, "statement_en": claim.text("en"),
                     "holds": published[claim.id], "p_holds": probabilities.p_holds[claim.id], "p_holds_low": low,
                     "p_holds_high": high, "draws": probabilities.draws,
                     **{key: be[key] for key in ("break_even", "break_even_force", "break_even_text")},
                     **{key: flip[key] for key in FLIP_COLUMNS}})
    return pd.DataFrame(rows, columns=CLAIMS_TABLE_COLUMNS)


FLIP_COLUMNS = ["flip_max_change", "flip_max_moves", "flip_total_change", "flip_total_moves"]
CLAIMS_TABLE_COLUMNS = ["claim", "statement", "statement_en", "holds", "p_holds", "p_holds_low", "p_holds_high", "draws",
                        "break_even", "break_even_force", "break_even_text", *FLIP_COLUMNS]


# ---------------------------------------------------------------- precision
#: Intervals of each table, as (table, the message naming them, low column, high column).
INTERVAL_COLUMNS = (
    ("claims", "interval_of_claims", "p_holds_low", "p_holds_high"),
    ("curves", "interval_of_curves", "p_holds_low", "p_holds_high"),
    ("reference_levels", "interval_of_reference_levels", "p_holds_low", "p_holds_high"),
    ("rank_acceptability", "interval_of_rank_acceptability", "p_low", "p_high"),
    ("pairwise", "interval_of_pairwise", "p_above_low", "p_above_high"),
    ("order_survives", "interval_of_order_survives", "p_survives_low", "p_survives_high"),
    ("kendall_tau", "interval_of_kendall_mean", "mean_tau_b_low", "mean_tau_b_high"),
    ("kendall_tau", "interval_of_kendall_above", "p_tau_b_above_0.8_low", "p_tau_b_above_0.8_high"),
    ("net_shares", "interval_of_net_shares", "p_low", "p_high"),
    ("sobol", "interval_of_sobol_s1", "S1_low", "S1_high"),
    ("sobol", "interval_of_sobol_st", "ST_low", "ST_high"),
    ("pawn", "interval_of_pawn", "pawn_low", "pawn_high"),
)

#: The widest range of a Monte Carlo estimate with an interval: Kendall's tau-b lies in [-1, 1].
WIDEST_RANGE = 2


def draws_for(precision: float) -> int:
    """Draws that make every Monte Carlo interval narrower than ``precision``: a probability's Wilson
    interval, and the mean of Kendall's tau-b too (twice as wide a range, so four times the draws)."""
    return draws_for_precision(precision / WIDEST_RANGE)


def wider_than(result: dict, precision: float, lang: str = "en") -> list[str]:
    """Which intervals of ``result`` are wider than ``precision``: one line per kind, with how many, in ``lang``."""
    lines = []
    for key, what, low, high in INTERVAL_COLUMNS:
        table = result.get(key)
        if table is None or len(table) == 0 or low not in table:
            continue
        width = (table[high] - table[low]).to_numpy(dtype=float)
        wide = int(np.sum(width >= precision))
        if wide:
            lines.append(gettext(lang, "precision_wide_line", what=gettext(lang, what), wide=format_number(wide, lang),
                                 total=format_number(int(np.sum(~np.isnan(width))), lang),
                                 precision=format_number(precision, lang),
                                 widest=format_number(float(f"{np.nanmax(width):.3g}"), lang)))
    return lines


# ---------------------------------------------------------------- one call for the CLI and the notebook
def analyse(analysis, noise: str = "uniform", half_width: float = 0.5, draws: int = 100_000, seed: int | None = 0,
            scale: Scale | None = None, widths=None, curve_draws: int = CURVE_DRAWS, progress=None, *,
            precision: float | None = None, half_width_source: str | None = None, lang: str = "en") -> dict:
    """Every analysis above for one analysis folder, as tables (the CLI writes them, the notebook draws them).

    ``scale`` overrides the declared scale (scores outside it are moved onto it and listed in
    ``moved_scores``); ``widths`` are the robustness curves' half-widths (default: 2 % to 20 % of the
    scale's width). ``precision`` chooses the draws (of the main run, the curves and the levels) so
    that every Monte Carlo interval is narrower than it; intervals still wider (the global indices',
    whose samples are fixed) are named in the notes. ``half_width_source`` says where h came from (by
    default: that it is the value given). Every sentence of the result (notes, conventions, break-even
    texts, model assumptions) is in ``lang``; its numbers stay numbers.

    Returns
    -------
    dict of tables: settings, notes, moved_scores, claims, break_even, drop_one, conventions,
    conventions_note, rank_acceptability (long, with intervals), rank_matrix (forces x places), pairwise,
    order_survives, kendall_tau, net_histogram, net_shares, quantiles, convergence, curves (the models
    that depend on h), reference_levels (those that do not), sobol, pawn, model_assumptions, components,
    forces.
    """
    if noise not in NOISE_MODELS:
        raise ValueError(f"noise model must be one of {', '.join(NOISE_MODELS)}, got {noise!r}")
    if half_width < 0:
        raise ValueError(f"the half-width must not be negative, got {half_width}")
    if precision is not None:
        draws = curve_draws = draws_for(precision)
    scale = scale or analysis.scale
    forces, moved = fit_to_scale(analysis.forces, scale)
    registry = claims_for(analysis, lang=lang)
    claims = registry.claims
    chain = analysis_chain_holds(analysis)
    notes = list(registry.notes)
    mc = monte_carlo(claims, forces, scale, noise, half_width, draws, seed, progress=progress, chain_holds=chain)
    table = claims_table(claims, forces, scale, noise, half_width, draws, seed, chain, probabilities=mc, lang=lang)
    by_id = {c.id: c for c in claims}
    table.insert(2, "kind", [by_id[c].kind for c in table["claim"]])
    table["ties"] = tie_rule(lang)
    table["origin"] = [by_id[c].origin for c in table["claim"]]
    table["source"] = [by_id[c].source_text(lang) for c in table["claim"]]
    _, conventions_note = alternative_scales(scale, lang)
    notes.append(conventions_note)
    h_source = half_width_source or gettext(lang, "h_as_given", h=format_number(half_width, lang))
    if noise not in WIDTH_MODELS:
        notes.append(gettext(lang, "h_not_used", model=label(f"model_{noise}", lang)))
    else:
        notes.append(gettext(lang, "h_comes_from", source=h_source))
        if half_width > (scale.maximum - scale.minimum) / 4:
            notes.append(gettext(lang, "h_too_wide", h=format_number(half_width, lang), scale=format_scale(scale, lang)))
    notes.append(intervals_note(lang))
    result = {
        "settings": {"noise": noise, "half_width": half_width, "half_width_source": h_source, "draws": draws,
                     "precision": precision, "seed": seed, "scale": [scale.minimum, scale.maximum],
                     "integer_grid_step": float(grid_step(scale)), "rounding_rule": rounding_rule(lang),
                     "curve_draws": curve_draws, "break_even_convention": break_even_convention(lang),
                     "flip_convention": flip_convention(lang), "ties": tie_rule(lang), "rank_ties": rank_ties_rule(lang),
                     "order_rule": order_rule(lang), "intervals": intervals_note(lang),
                     "quantiles_from_first_draws": min(draws, KEEP), "language": lang},
        "notes": notes, "moved_scores": moved, "claims": table,
        "break_even": break_even(claims, forces, scale, chain),
        "drop_one": drop_one(claims, forces, chain), "conventions": conventions(claims, forces, scale, chain),
        "conventions_note": conventions_note,
        "rank_acceptability": mc.rank_table(), "rank_matrix": mc.rank_acceptability, "pairwise": mc.pairwise(),
        "order_survives": mc.order_survives(), "kendall_tau": mc.kendall(),
        "net_histogram": mc.net, "net_shares": mc.net.shares(), "quantiles": mc.quantiles(),
        "convergence": mc.convergence(),
        "curves": robustness_curves(claims, forces, scale, widths or default_widths(scale), curve_draws, seed, chain),
        "reference_levels": reference_levels(claims, forces, scale, curve_draws, seed, chain),
        "model_assumptions": model_assumptions(lang),
        "components": component_support(analysis.components, forces, lang) if analysis.components is not None else None,
        "forces": forces,
    }
    result.update(_global_indices(claims, forces, scale, half_width, seed, chain, notes, lang))
    if precision is not None:
        wide = wider_than(result, precision, lang)
        notes.append(gettext(lang, "precision_asked", precision=format_number(precision, lang),
                             draws=ngettext(lang, "n_draws", draws)) + " "
                     + (gettext(lang, "precision_still_wider", list="; ".join(wide)) if wide
                        else gettext(lang, "precision_all_narrower")))
        result["settings"]["intervals_wider_than_asked"] = wide
    return result


def _global_indices(claims, forces, scale, half_width, seed, chain, notes, lang: str = "en") -> dict:
    """Sobol and PAWN (SALib) on the clipped uniform model, or None with a note where h is 0."""
    from repro.methods.global_indices import global_model_note, pawn_indices, sobol_indices

    if half_width <= 0:
        notes.append(gettext(lang, "global_h_zero"))
        return {"sobol": None, "pawn": None}
    notes.append(global_model_note(scale, half_width, lang))
    sobol = sobol_indices(claims, forces, scale, half_width, seed, chain)
    pawn = pawn_indices(claims, forces, scale, half_width, seed, chain)
    constant = [c for c in claims if c.about_scores and c.id not in set(sobol["output"])]
    if constant:
        named = format_list([gettext(lang, "quoted", text=c.text(lang)) for c in constant], lang)
        notes.append(ngettext(lang, "global_constant", len(constant), claims=named))
    return {"sobol": sobol, "pawn": pawn}


#: The columns of the claims file ``repro sensitivity`` writes, in order.
CLAIMS_COLUMNS = ["claim", "holds", "p_holds", "p_holds_low", "p_holds_high", "draws", "break_even", "break_even_force",
                  "break_even_text", *FLIP_COLUMNS, "ties", "kind", "statement", "statement_en", "origin", "source"]


def result_files(result: dict) -> dict[str, str]:
    """The files a sensitivity analysis is written as, name -> text: ``claims.csv`` (one row per claim:
    P(holds) with its interval, the break-even and the joint flip) and ``sensitivity.json``
    (everything else, strict JSON: ``null`` where a value is undefined)."""
    from repro.spreadsheet import to_csv
    from repro.strict_json import dumps_strict

    claims = to_csv(result["claims"][CLAIMS_COLUMNS])  # opened in spreadsheets: no text may start a formula
    rest = {}
    for key, value in result.items():
        if key in ("claims", "forces", "rank_matrix"):
            continue
        if key == "net_histogram":
            value = value.as_dict(result["settings"].get("language", "en"))
        elif isinstance(value, pd.DataFrame):
            value = value.to_dict("records")
        rest[key] = value
    return {"claims.csv": claims, "sensitivity.json": dumps_strict(rest)}
