"""Joint flips: the smallest change of all scores at once, each kept within the scale, that ties a claim.

Two sizes of a change: L-infinity (the largest single move; every score may move) and L1 (the total
movement). For a claim that holds, the change reaches the nearest tie, where the strict claim fails;
for a claim that fails, the change reaches the boundary beyond which it holds (as the single-score
break-even does). A score at a bound cannot move past it.

Every claim of the vocabulary reduces to one of two shapes, each with a closed form, computed here in
decimal arithmetic (exact: 0.2 / 7, not a float near it). The tests check both against a linear
programme (``scipy.optimize.linprog``) over every alternative.

- A sum: "one side's total exceeds the other's" (``side_outweighs``). Reaching the tie means closing
  the margin m; each score can help by its room on the scale in the helpful direction. The largest move
  is the water level t with sum(min(room_i, t)) = m; the total is m. The water-filling moves reach
  both at once.
- A force against a group of rivals: every rival of the group at least as high as the force (or at
  most as high). Both meet at a level t: the force moves to t, each rival on the wrong side of t moves
  to it. The largest move is least at t = the midpoint between the force and the farthest rival;
  the total at a weighted median, t chosen among the totals' minimisers nearest that midpoint (so
  the total's moves are also the smallest largest move among them). Which rivals: for "some rival
  reaches the force" the highest (nearest) ones, since raising a higher rival to any level costs less
  than raising a lower one; for "the force passes n - k rivals" the lowest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

from repro.i18n import format_number, gettext
from repro.methods.grid import decimal

#: What the flip columns mean, in one sentence for the outputs.
FLIP_CONVENTION = gettext("en", "flip_convention")


def flip_convention(lang: str = "en") -> str:
    """:data:`FLIP_CONVENTION` in ``lang``."""
    return gettext(lang, "flip_convention")


@dataclass
class Flip:
    """The joint flip of one claim: each size of change with the moves that reach it (force id ->
    signed change), or None where no change within the scale reaches the tie."""

    claim: str
    holds: bool
    max_change: Decimal | None = None
    max_moves: dict[str, Decimal] = field(default_factory=dict)
    total_change: Decimal | None = None
    total_moves: dict[str, Decimal] = field(default_factory=dict)


def _sum_flip(scores: dict[str, Decimal], helpers: dict[str, Decimal], margin: Decimal):
    """Close ``margin`` >= 0 with the forces in ``helpers`` (id -> room in the helpful direction,
    signed: + up, - down). Returns (largest move, total, moves) or None if the rooms fall short."""
    rooms = {i: abs(r) for i, r in helpers.items()}
    if sum(rooms.values(), Decimal(0)) < margin:
        return None
    level, used = Decimal(0), Decimal(0)
    open_ = sorted(rooms, key=lambda i: rooms[i])
    for position, force in enumerate(open_):
        remaining = len(open_) - position
        # Could every force still open move rooms[force]? Then the water stops at or below it.
        if used + remaining * rooms[force] >= margin:
            level = (margin - used) / remaining
            break
        used += rooms[force]
    moves = {i: min(rooms[i], level).copy_sign(helpers[i]) for i in scores if i in rooms and min(rooms[i], level) > 0}
    return level, margin, moves


def _group_flip(scores: dict[str, Decimal], force: str, rivals: list[str], rivals_up: bool):
    """The force and ``rivals`` meet: every rival at least as high as the force (``rivals_up``) or at
    most as high. Returns (largest move, its moves, total, its moves)."""
    sign = Decimal(1) if rivals_up else Decimal(-1)
    # Mirror the "at most" case so that it reads "at least": the force comes down, rivals come up.
    x = sign * scores[force]
    y = {j: sign * scores[j] for j in rivals}
    farthest = min(y.values())
    if farthest >= x:
        return Decimal(0), {}, Decimal(0), {}
    midpoint = (x + farthest) / 2

    def cost(t: Decimal) -> Decimal:
        return (x - t) + sum((t - v for v in y.values() if v < t), Decimal(0))

    candidates = sorted({v for v in y.values() if farthest <= v <= x} | {x})
    costs = [cost(t) for t in candidates]
    best = min(costs)
    optimal = [t for t, c in zip(candidates, costs) if c == best]
    level = min(max(midpoint, optimal[0]), optimal[-1])  # the cost is flat between optimal breakpoints

    def moves(t: Decimal) -> dict[str, Decimal]:
        out = {force: sign * (t - x)} if t != x else {}
        out.update({j: sign * (t - v) for j, v in y.items() if v < t})
        return out
    return x - midpoint, moves(midpoint), best, moves(level)


def claim_flip(claim, forces: pd.DataFrame, scale, holds: bool) -> Flip:
    """The joint flip of one claim about scores (see the module's docstring); ``holds`` is whether it
    holds at the scores of ``forces``."""
    ids = list(forces["id"])
    scores = {i: decimal(s) for i, s in zip(ids, forces["score"])}
    direction = dict(zip(ids, forces["direction"]))
    low, high = decimal(scale.minimum), decimal(scale.maximum)
    flip = Flip(claim.id, holds)
    if claim.kind == "side_outweighs":
        own = [i for i in ids if direction[i] == claim.side]
        other = [i for i in ids if direction[i] != claim.side]
        margin = sum((scores[i] for i in own), Decimal(0)) - sum((scores[i] for i in other), Decimal(0))
        if holds:  # bring the margin down to 0: own forces down, the others up
            helpers = {**{i: -(scores[i] - low) for i in own}, **{i: high - scores[i] for i in other}}
        else:  # bring it up to 0, where a strict win is possible at all
            if len(own) * high - len(other) * low <= 0:
                return flip
            helpers = {**{i: high - scores[i] for i in own}, **{i: -(scores[i] - low) for i in other}}
        helpers = {i: r for i, r in helpers.items() if r != 0}
        found = _sum_flip(scores, helpers, abs(margin))
        if found is None:
            return flip
        level, total, moves = found
        flip.max_change, flip.max_moves, flip.total_change, flip.total_moves = level, moves, total, moves
        return flip
    if claim.kind == "outweighs":
        found = _group_flip(scores, claim.force, [claim.other], rivals_up=holds)
    else:
        side = direction[claim.force]
        rivals = [i for i in ids if direction[i] == side and i != claim.force]
        k = {"strongest": 1, "weakest": 1, "top_k": claim.k}[claim.kind]
        if claim.kind == "top_k" and k > len(rivals):
            return flip  # fewer rivals than k: it cannot fail
        if not rivals:
            return flip  # a side of one force: strongest and weakest cannot fail
        by_height = sorted(rivals, key=lambda j: scores[j], reverse=True)  # among equals, the first in file order first
        if claim.kind == "weakest":
            # Fails when a rival comes down to it (the lowest, nearest one); holds when it is below all.
            lowest = min(rivals, key=lambda j: scores[j])
            found = (_group_flip(scores, claim.force, [lowest], rivals_up=False) if holds
                     else _group_flip(scores, claim.force, rivals, rivals_up=True))
        elif holds:  # strongest, top_k: fails when k rivals reach it (the k highest)
            found = _group_flip(scores, claim.force, by_height[:k], rivals_up=True)
        else:  # holds when it passes n - k rivals (the lowest ones; all of them for strongest)
            found = _group_flip(scores, claim.force, by_height[k - 1:], rivals_up=False)
    flip.max_change, flip.max_moves, flip.total_change, flip.total_moves = found
    return flip


def joint_flips(claims, forces: pd.DataFrame, scale, holds: dict[str, bool]) -> list[Flip]:
    """The joint flip of every claim about scores that ``forces`` can evaluate (``holds``: claim id ->
    whether it holds at these scores, as :func:`repro.methods.claims.holds_at` gives)."""
    return [claim_flip(c, forces, scale, holds[c.id]) for c in claims if c.about_scores and c.id in holds]


def moves_text(moves: dict[str, Decimal], forces: pd.DataFrame) -> str:
    """'D2 +0.02857, R1 -0.02857': the moves in the order of the forces (4 significant digits), as files
    hold them (:func:`parse_moves` reads it back; :func:`moves_shown` writes it for a reader)."""
    return ", ".join(f"{i} {float(moves[i]):+.4g}" for i in forces["id"] if i in moves)


def parse_moves(text: str) -> list[tuple[str, float]]:
    """The (force id, signed change) pairs of a :func:`moves_text` ('' gives none). Ids hold no space
    or comma (the codebook's pattern), so the text splits without ambiguity."""
    pairs = []
    for part in filter(None, (p.strip() for p in str(text or "").split(","))):
        force, change = part.rsplit(" ", 1)
        pairs.append((force, float(change)))
    return pairs


def moves_shown(text: str, lang: str) -> str:
    """A :func:`moves_text` as a reader of ``lang`` writes it: 'D2 +0,02857, R1 −0,02857' (a no-break space
    keeps each force with its move when a line wraps)."""
    return ", ".join(f"{force}\u00a0{format_number(change, lang, signed=True)}" for force, change in parse_moves(text))


def flip_table(flips: list[Flip], forces: pd.DataFrame) -> pd.DataFrame:
    """One row per claim: claim, flip_max_change, flip_max_moves, flip_total_change, flip_total_moves
    (NaN and '' where no change within the scale reaches the tie)."""
    rows = []
    for f in flips:
        rows.append({"claim": f.claim,
                     "flip_max_change": float(f.max_change) if f.max_change is not None else float("nan"),
                     "flip_max_moves": moves_text(f.max_moves, forces),
                     "flip_total_change": float(f.total_change) if f.total_change is not None else float("nan"),
                     "flip_total_moves": moves_text(f.total_moves, forces)})
    return pd.DataFrame(rows, columns=["claim", "flip_max_change", "flip_max_moves", "flip_total_change",
                                       "flip_total_moves"])
