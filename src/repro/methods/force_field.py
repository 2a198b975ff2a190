"""Lewin's force field: totals per side, the net force, its ratio and the rankings of the forces.

Totals a reader compares with the paper are summed in decimal arithmetic, so 5 + 3.2 + 0.6 + 2.5
is 11.3 as printed, not the binary-float 11.299999999999999. The vectorised :func:`net_scores`
works on floats over many draws at once, for the sensitivity analyses.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

SIDES = ("driving", "restraining")


def _decimal(score: float) -> Decimal:
    # repr of a float is the shortest text that reads back as the same float: the score as typed.
    return Decimal(repr(float(score)))


@dataclass(frozen=True)
class Balance:
    """The force-field summary of one set of scores.

    ``net`` is driving minus restraining; ``ratio`` driving over restraining; ``verdict`` the side
    the sum rule favours ('driving', 'restraining' or 'tie').
    """

    driving_total: float
    restraining_total: float
    net: float
    ratio: float
    verdict: str
    n_driving: int
    n_restraining: int

    def as_dict(self) -> dict:
        return asdict(self)


def balance_text(b: Balance, lang: str = "en", ratio: bool = False) -> str:
    """The balance in one line of ``lang``: the totals, the net and the sum rule's verdict (and the
    ratio, with ``ratio``), its numbers as a reader of ``lang`` writes them."""
    from repro.i18n import format_number, gettext
    from repro.labels import label

    text = gettext(lang, "balance_text", driving=format_number(b.driving_total, lang),
                   restraining=format_number(b.restraining_total, lang), net=format_number(b.net, lang),
                   verdict=label(f"verdict_{b.verdict}", lang))
    if ratio and b.ratio == b.ratio:
        text += "; " + gettext(lang, "balance_ratio", ratio=format_number(b.ratio, lang, 4))
    return text


def balance(forces: pd.DataFrame) -> Balance:
    """Totals per side, net force, ratio and verdict of the sum rule.

    Parameters
    ----------
    forces
        Rows with columns ``direction`` ('driving' or 'restraining') and ``score``.

    Examples
    --------
    The paper: driving 5 + 3.2 + 0.6 + 2.5 = 11.3, restraining 3 + 4 + 3 + 1.5 = 11.5, net -0.2.
    """
    if forces["score"].isna().any():
        raise ValueError("the force field has no scores (or not for every force): no balance to compute")
    totals = {side: sum((_decimal(s) for s in forces.loc[forces["direction"] == side, "score"]), Decimal(0))
              for side in SIDES}
    net = totals["driving"] - totals["restraining"]
    verdict = "driving" if net > 0 else "restraining" if net < 0 else "tie"
    ratio = float(totals["driving"] / totals["restraining"]) if totals["restraining"] else float("inf")
    counts = forces["direction"].value_counts()
    return Balance(float(totals["driving"]), float(totals["restraining"]), float(net), ratio, verdict,
                   int(counts.get("driving", 0)), int(counts.get("restraining", 0)))


@dataclass(frozen=True)
class MeanRule:
    """Each side's mean score and the side it favours ('driving', 'restraining' or 'tie'): the
    companion of the sum rule when the sides have different numbers of forces, where a side wins a
    sum by having more forces."""

    driving_mean: float
    restraining_mean: float
    verdict: str


def mean_rule(forces: pd.DataFrame) -> MeanRule:
    """Each side's mean score and the side with the larger mean, in decimal arithmetic (a side with
    no forces has no mean: NaN, and the other side is favoured only if it has one).

    Examples
    --------
    Five driving forces of 2 (total 10) against three restraining ones of 3 (total 9): the sum rule
    favours the driving side (10 > 9), the mean rule the restraining one (3 > 2).
    """
    if forces["score"].isna().any():
        raise ValueError("the force field has no scores (or not for every force): no means to compute")
    means = {}
    for side in SIDES:
        scores = [_decimal(s) for s in forces.loc[forces["direction"] == side, "score"]]
        means[side] = sum(scores, Decimal(0)) / len(scores) if scores else None
    d, r = means["driving"], means["restraining"]
    if d is None or r is None:
        verdict = "driving" if r is None and d is not None else "restraining" if d is None and r is not None else "tie"
    else:
        verdict = "driving" if d > r else "restraining" if r > d else "tie"
    return MeanRule(float(d) if d is not None else float("nan"), float(r) if r is not None else float("nan"), verdict)


def mean_rule_text(forces: pd.DataFrame, lang: str = "en") -> str:
    """The mean-score verdict in a sentence of ``lang``, and whether it agrees with the sum rule's:
    the companion of the sum rule where the sides have different numbers of forces."""
    from repro.i18n import format_number
    from repro.labels import label

    m, b = mean_rule(forces), balance(forces)
    text = label("mean_rule_line", lang, driving=format_number(m.driving_mean, lang, 2),
                 restraining=format_number(m.restraining_mean, lang, 2),
                 n_driving=b.n_driving, n_restraining=b.n_restraining, verdict=label(f"mean_verdict_{m.verdict}", lang))
    return text + " " + label("rules_agree" if m.verdict == b.verdict else "rules_disagree", lang)


def side_ranks(scores: np.ndarray, forces: pd.DataFrame) -> np.ndarray:
    """Competition rank (1 = strongest; ties share the best rank) of each force within its side,
    for every row of ``scores`` (draws x forces, columns in the order of ``forces``).

    Rank = 1 + how many forces of the same side score strictly higher. Counted pair by pair on whole
    columns: with a handful of forces per side this is far cheaper than sorting every row.

    Examples
    --------
    The paper's restraining scores 3, 4, 3, 1.5 rank 2, 1, 2, 4 (R1 and R3 tie for second place).
    """
    scores = np.atleast_2d(np.asarray(scores, dtype=float))
    ranks = np.ones(scores.shape, dtype=np.int16, order="F")  # contiguous per force
    direction = forces["direction"].to_numpy()
    for side in SIDES:
        cols = np.flatnonzero(direction == side)
        for i in cols:
            for j in cols:
                if i != j:
                    ranks[:, i] += scores[:, j] > scores[:, i]
    return ranks


#: How many forces ``tied_with`` names before it counts the rest ("and 12 more"): a tie of many forces
#: would otherwise list every other on every one of their rows, output growing with their square.
TIES_NAMED = 3


def _tied_with(named: list[str], n_others: int) -> str:
    """"R1, R3" or, beyond :data:`TIES_NAMED`, "R1, R3, R5 and 12 more"."""
    shown = ", ".join(named[:TIES_NAMED])
    return shown + (f" and {n_others - TIES_NAMED} more" if n_others > TIES_NAMED else "")


def rank_forces(forces: pd.DataFrame) -> pd.DataFrame:
    """Rank the forces within each side, strongest first, ties reported as ties.

    Tied forces share the best rank of their group (competition ranking: 1, 2, 2, 4), and
    ``tied_with`` names the ids they tie with (the first :data:`TIES_NAMED`, then how many more).
    Sorting, not comparing pairs: time and output grow in proportion to the number of forces.

    Returns
    -------
    DataFrame with columns id, direction, score, rank, tied, tied_with; in paper order.
    """
    out = forces[["id", "direction", "score"]].reset_index(drop=True)
    # Competition rank = 1 + the number of forces of the side that score strictly higher: pandas's "min" rank.
    out["rank"] = out.groupby("direction")["score"].rank(method="min", ascending=False).astype(int)
    groups = out.groupby(["direction", "score"])["id"]
    size = groups.transform("size")
    # The first TIES_NAMED + 1 ids of each group: enough to name TIES_NAMED others for any of its forces.
    first_ids = groups.head(TIES_NAMED + 1).groupby([out["direction"], out["score"]]).agg(list).to_dict()
    out["tied_with"] = [_tied_with([i for i in first_ids[(d, s)] if i != own], n - 1)
                        for own, d, s, n in zip(out["id"], out["direction"], out["score"], size)]
    out["tied"] = out["tied_with"] != ""
    return out[["id", "direction", "score", "rank", "tied", "tied_with"]]


def side_matrix(forces: pd.DataFrame) -> np.ndarray:
    """+1 for each driving force, -1 for each restraining one: ``scores @ sign`` is the net force."""
    return np.where(forces["direction"].to_numpy() == "driving", 1.0, -1.0)


def net_scores(scores: np.ndarray, forces: pd.DataFrame) -> np.ndarray:
    """Net force (driving minus restraining) of each row of ``scores`` (draws x forces)."""
    return np.asarray(scores, dtype=float) @ side_matrix(forces)
