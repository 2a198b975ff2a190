"""Reviewer as rater: a scores file keyed by the force ids, one or several raters, set beside the
paper's scores; every claim re-evaluated on each rater's scores; agreement by Kendall's W.

The scores file is long and tidy: columns ``rater``, ``id``, ``score``, one row per rater and force.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from repro import paths
from repro.methods.claims import evaluate, registry
from repro.data.csvfile import read_csv
from repro.errors import AnalysisError, Problem


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


def kendalls_w(scores: pd.DataFrame) -> float:
    """Kendall's coefficient of concordance W of raters (rows) ranking items (columns), with the
    correction for ties: W = 12 S / (m^2 (n^3 - n) - m sum T), T = sum over tie groups of t^3 - t."""
    values = scores.to_numpy(dtype=float)
    m, n = values.shape
    if m < 2 or n < 2:
        return float("nan")
    ranks = np.vstack([rankdata(row) for row in values])  # average ranks for ties
    s = float(((ranks.sum(axis=0) - m * (n + 1) / 2) ** 2).sum())
    ties = sum(float(((counts := np.unique(row, return_counts=True)[1]) ** 3 - counts).sum()) for row in values)
    denominator = m ** 2 * (n ** 3 - n) - m * ties
    return 12 * s / denominator if denominator else float("nan")


def compare(analysis, raters: pd.DataFrame) -> dict:
    """Claims under the paper's and each rater's scores, how many raters support each, and agreement."""
    forces = analysis.forces
    claims = registry(forces, analysis.folder.resolve() == paths.PAPER_DATA.resolve())
    table = pd.concat([forces.set_index("id")["score"].rename("paper").to_frame().T, raters])
    values = evaluate(claims, table.to_numpy(dtype=float))
    by_rater = pd.DataFrame(values, index=table.index)
    support = pd.DataFrame({
        "claim": [c.id for c in claims], "statement": [c.statement for c in claims],
        "holds_for_paper": [bool(by_rater.loc["paper", c.id]) for c in claims],
        "raters_supporting": [int(by_rater.loc[raters.index, c.id].sum()) for c in claims],
        "raters": len(raters),
    })
    agreement = {"all_forces": kendalls_w(raters)}
    for side in ("driving", "restraining"):
        ids = list(forces.loc[forces["direction"] == side, "id"])
        agreement[side] = kendalls_w(raters[ids])
    return {"scores": table, "claims_by_rater": by_rater, "support": support, "kendalls_w": agreement}
