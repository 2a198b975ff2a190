"""Reviewer as rater: a scores file keyed by the force ids, one or several raters, set beside the
analysis's published scores; every claim of the analysis's registry re-evaluated on each rater's
scores; agreement by Kendall's W; the raters' spread per force, and the noise half-width h it suggests
for the sensitivity analysis.

The scores file is long and tidy: columns ``rater``, ``id``, ``score``, one row per rater and force.
Rater names are free text: the published scores are kept apart from the raters' table, so a rater
may be called anything, "paper" included.
"""

from __future__ import annotations

import statistics
from pathlib import Path

import numpy as np
import pandas as pd

from repro.data.csvfile import read_csv
from repro.errors import AnalysisError, Problem
from repro.methods.claims import chain_holds, claims_for, evaluate, holds_at
from repro.i18n import format_number, gettext, ngettext
from repro.methods.grid import decimal


def load_rater_scores(path: str | Path, analysis) -> pd.DataFrame:
    """Read and check a raters' scores file against the analysis; return raters x forces scores.

    Raises AnalysisError naming the file, row and column of every problem.
    """
    path = Path(path)
    table = read_csv(path, {"score"}, ["rater", "id", "score"])
    if isinstance(table, Problem):
        raise AnalysisError([table])
    name, problems, rows = path.name, [], []
    col = {h: i for i, h in enumerate(table.header)}
    forces = list(analysis.forces["id"])
    scale = analysis.scale
    seen = {}
    for cells, row in zip(table.rows, table.row_numbers):
        rater, force_id, raw = cells[col["rater"]], cells[col["id"]], cells[col["score"]]
        where = dict(row=row, item_id=force_id or None)
        if not rater:
            problems.append(Problem(name, "a rater name is required.", column="rater", **where))
        if force_id not in forces:
            problems.append(Problem(name, f"{force_id!r} is not a force of the analysis; expected one of {', '.join(forces)}.",
                                    column="id", **where))
            continue
        try:
            score = float(raw)
        except ValueError:
            problems.append(Problem(name, f"expected a number (e.g. 3.2), found {raw!r}.", column="score", **where))
            continue
        if not np.isfinite(score) or not scale.minimum <= score <= scale.maximum:
            problems.append(Problem(name, f"expected a score on the analysis's scale {scale}, found {raw!r}.",
                                    column="score", **where))
            continue
        if (rater, force_id) in seen:
            problems.append(Problem(name, f"rater {rater!r} scores {force_id} twice (also row {seen[(rater, force_id)]}).",
                                    column="id", **where))
            continue
        seen[(rater, force_id)] = row
        rows.append((rater, force_id, score))
    if not table.rows:
        problems.append(Problem(name, "has a header but no rows; expected one row per rater and force."))
    matrix = pd.DataFrame(rows, columns=["rater", "id", "score"]).pivot(index="rater", columns="id", values="score")
    for rater in matrix.index:
        missing = [f for f in forces if f not in matrix.columns or pd.isna(matrix.loc[rater, f])]
        if missing:
            problems.append(Problem(name, f"rater {rater!r} has no score for {', '.join(missing)}; "
                                    "every rater scores every force.", column="id"))
    if problems:
        raise AnalysisError(problems)
    return matrix[forces]


def kendalls_w(scores: pd.DataFrame) -> float | None:
    """Kendall's coefficient of concordance W of raters (rows) ranking items (columns), with the
    correction for ties: W = 12 S / (m^2 (n^3 - n) - m sum T), T = sum over tie groups of t^3 - t.

    None where W is undefined: fewer than two raters or items, or every rater ties every item.
    """
    # Imported here: scipy.stats costs about 1 s to import, and every kernel of a reproduction
    # imports this module while only a comparison of raters needs it.
    from scipy.stats import rankdata

    values = scores.to_numpy(dtype=float)
    m, n = values.shape
    if m < 2 or n < 2:
        return None
    ranks = np.vstack([rankdata(row) for row in values])  # average ranks for ties
    s = float(((ranks.sum(axis=0) - m * (n + 1) / 2) ** 2).sum())
    ties = sum(float(((counts := np.unique(row, return_counts=True)[1]) ** 3 - counts).sum()) for row in values)
    denominator = m ** 2 * (n ** 3 - n) - m * ties
    return 12 * s / denominator if denominator else None


def _agreement(raters: pd.DataFrame, forces: pd.DataFrame, lang: str = "en") -> tuple[dict, list[str]]:
    """Kendall's W over all forces and per side, and why any of them is undefined (in ``lang``)."""
    groups = {"all_forces": list(forces["id"])}
    for side in ("driving", "restraining"):
        groups[side] = list(forces.loc[forces["direction"] == side, "id"])
    w = {name: kendalls_w(raters[ids]) for name, ids in groups.items()}
    if len(raters) < 2:
        return w, [gettext(lang, "w_undefined_two_raters")]
    notes = []
    for name, ids in groups.items():
        if w[name] is None:
            notes.append(gettext(lang, "w_undefined_two_forces" if len(ids) < 2 else "w_undefined_all_tied",
                                 group=gettext(lang, f"w_group_{name}")))
    return w, notes


#: How ``compare`` suggests a noise half-width h from the raters (and ``repro sensitivity --half-width-from``).
HALF_WIDTH_RULE = ("h = the median over the forces of the raters' half-range, (highest - lowest score) / 2 per force: "
                   "half of the forces disagree by at least 2h between the raters")


def rater_spread(raters: pd.DataFrame) -> pd.DataFrame:
    """The raters' spread per force: id, raters, lowest, highest, half_range ((highest - lowest) / 2,
    in decimal arithmetic: the scores as typed) and sd (the raters' standard deviation; NaN for one)."""
    rows = []
    for force_id in raters.columns:
        values = raters[force_id].to_numpy(dtype=float)
        low, high = decimal(values.min()), decimal(values.max())
        rows.append({"id": force_id, "raters": len(values), "lowest": float(low), "highest": float(high),
                     "half_range": float((high - low) / 2),
                     "sd": float(np.std(values, ddof=1)) if len(values) > 1 else np.nan})
    return pd.DataFrame(rows, columns=["id", "raters", "lowest", "highest", "half_range", "sd"])


def suggested_half_width(raters: pd.DataFrame, lang: str = "en") -> tuple[float | None, str]:
    """A noise half-width h from the raters' disagreement (:data:`HALF_WIDTH_RULE`), and the rule in
    words (in ``lang``); None (and why) with fewer than two raters, who cannot disagree."""
    if len(raters) < 2:
        return None, gettext(lang, "h_needs_two_raters")
    halves = [(decimal(raters[f].max()) - decimal(raters[f].min())) / 2 for f in raters.columns]
    h = statistics.median(halves)
    return float(h), ngettext(lang, "h_from_raters", len(raters), raters=format_number(len(raters), lang),
                              forces=ngettext(lang, "forces_count", len(raters.columns)), h=format_number(float(h), lang))


def compare(analysis, raters: pd.DataFrame, lang: str = "en") -> dict:
    """The claims of the analysis's registry at the published scores and at each rater's, how many
    raters support each, the raters' agreement, their spread per force and the half-width h it suggests.

    Returns
    -------
    dict with published (Series: force id -> score), raters (raters x forces), claims_by_rater
    (raters x claims, bool), support (one row per claim), kendalls_w (all_forces, driving,
    restraining: float or None), spread (:func:`rater_spread`), suggested_half_width (float or None),
    half_width_rule (the rule in words, or why none) and notes (the registry's, and why a W is undefined);
    the words in ``lang``.
    """
    forces = analysis.forces
    registry = claims_for(analysis, lang=lang)
    chain = chain_holds(analysis)
    at_published = holds_at(registry.claims, forces, chain)
    by_rater = pd.DataFrame(evaluate(registry.claims, forces, raters.to_numpy(dtype=float), chain), index=raters.index)
    support = pd.DataFrame({
        "claim": [c.id for c in registry.claims], "statement": [c.statement for c in registry.claims],
        "statement_en": [c.text("en") for c in registry.claims],
        "holds_at_published_scores": [at_published[c.id] for c in registry.claims],
        "raters_supporting": [int(by_rater[c.id].sum()) for c in registry.claims],
        "raters": len(raters),
    })
    agreement, agreement_notes = _agreement(raters, forces, lang)
    h, rule = suggested_half_width(raters, lang)
    return {"published": forces.set_index("id")["score"], "raters": raters, "claims_by_rater": by_rater,
            "support": support, "kendalls_w": agreement, "spread": rater_spread(raters),
            "suggested_half_width": h, "half_width_rule": rule, "notes": registry.notes + agreement_notes}


def result_files(result: dict) -> dict[str, str]:
    """The files a comparison is written as, name -> text: ``compare_claims.csv`` (one row per claim)
    and ``compare.json`` (scores, claims by rater, Kendall's W; strict JSON, ``null`` where undefined)."""
    from repro.spreadsheet import to_csv
    from repro.strict_json import dumps_strict

    raters = result["raters"]
    long_scores = [{"rater": rater, "id": force_id, "score": raters.loc[rater, force_id]}
                   for rater in raters.index for force_id in raters.columns]
    # Names given by the user (claim ids) are keys of a table of their own, never beside a field of
    # ours, so no id (a claim called "rater") can overwrite one.
    claims_by_rater = [{"rater": rater, "claims": {claim: bool(value) for claim, value in row.items()}}
                       for rater, row in result["claims_by_rater"].iterrows()]
    return {
        "compare_claims.csv": to_csv(result["support"]),  # opened in spreadsheets: no text may start a formula
        "compare.json": dumps_strict({
            "published_scores": result["published"].to_dict(), "rater_scores": long_scores,
            "claims_by_rater": claims_by_rater, "kendalls_w": result["kendalls_w"],
            "rater_spread": result["spread"].to_dict("records"), "suggested_half_width": result["suggested_half_width"],
            "half_width_rule": result["half_width_rule"], "notes": result["notes"]}),
    }
