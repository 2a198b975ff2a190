"""Joint flips: the closed forms against hand-worked cases, and against a linear programme
(scipy.optimize.linprog) over every alternative way to tie the claim, on random cases of other scales,
sizes and ties."""

import itertools
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from repro import load_analysis
from repro.data.codebook import Scale
from repro.methods.claims import Claim, claims_for, holds_at
from repro.methods.joint_flip import claim_flip, flip_table, joint_flips

PAPER = load_analysis()
F = PAPER.forces


def forces_of(driving, restraining):
    ids = [f"D{i}" for i in range(1, len(driving) + 1)] + [f"R{i}" for i in range(1, len(restraining) + 1)]
    return pd.DataFrame({"id": ids, "direction": ["driving"] * len(driving) + ["restraining"] * len(restraining),
                         "score": [float(s) for s in driving + restraining]})


def flip_of(claim, forces, scale):
    return claim_flip(claim, forces, scale, holds_at([claim], forces)[claim.id])


# ---------------------------------------------------------------- by hand
def test_the_papers_balance_by_hand():
    # Net -0.2: the restraining side wins by 0.2. Tying it takes 0.2 of movement in all, towards the
    # driving side: driving scores up, restraining ones down. D1 = 5 is at the top of 0-5 and cannot
    # go up; the other seven can, each by up to its room (D2 1.8, D3 4.4, D4 2.5, R1 3, R2 4, R3 3,
    # R4 1.5). Spread over the seven, each moves 0.2 / 7 = 0.0285714...: no room is smaller, so that
    # is the smallest largest move. The total is 0.2 whichever scores move.
    flip = flip_of(claims_for(PAPER).claims[0], F, PAPER.scale)
    assert flip.max_change == Decimal("0.2") / 7 and flip.total_change == Decimal("0.2")
    assert set(flip.max_moves) == {"D2", "D3", "D4", "R1", "R2", "R3", "R4"}
    assert all(abs(m) == Decimal("0.2") / 7 for m in flip.max_moves.values())
    assert flip.max_moves["D2"] > 0 and flip.max_moves["R2"] < 0


def test_the_papers_other_claims_by_hand():
    table = flip_table(joint_flips(claims_for(PAPER).claims, F, PAPER.scale, holds_at(claims_for(PAPER).claims, F)),
                       F).set_index("claim")
    # Each holds; a tie comes when the force and its nearest rival meet half way.
    assert table.loc["strongest_driving", ["flip_max_change", "flip_total_change"]].tolist() == [0.9, 1.8]  # D1 5, D2 3.2
    assert table.loc["strongest_driving", "flip_max_moves"] == "D1 -0.9, D2 +0.9"
    assert table.loc["weakest_driving", ["flip_max_change", "flip_total_change"]].tolist() == [0.95, 1.9]  # D3 0.6, D4 2.5
    assert table.loc["strongest_restraining", ["flip_max_change", "flip_total_change"]].tolist() == [0.5, 1]  # R2 4, R1 3
    # R4 1.5 against R1 = R3 = 3: the first of the two in file order moves.
    assert table.loc["weakest_restraining", "flip_max_moves"] == "R1 -0.75, R4 +0.75"
    assert "chain" not in table.index  # it does not depend on the scores


def test_a_water_level_that_meets_a_bound_by_hand():
    # Restraining 5 + 1.3 = 6.3 against driving 4.9 + 0.1 = 5 on 0-5: margin 1.3. Rooms towards the tie:
    # D1 0.1 (up to 5), D2 4.9, R1 5 (down to 0), R2 1.3. Four equal moves of 1.3 / 4 = 0.325 would
    # take D1 past the top: D1 moves its 0.1, the other three share the remaining 1.2: 0.4 each.
    forces = forces_of([4.9, 0.1], [5, 1.3])
    flip = flip_of(Claim("r", "side_outweighs", "", side="restraining"), forces, Scale(0, 5))
    assert flip.max_change == Decimal("0.4") and flip.total_change == Decimal("1.3")
    assert flip.max_moves == {"D1": Decimal("0.1"), "D2": Decimal("0.4"), "R1": Decimal("-0.4"), "R2": Decimal("-0.4")}


def test_top_k_and_a_failing_claim_by_hand():
    # D1 = 5 is in the top 2 (rivals 4, 3, 1). It fails when two rivals reach it: the two highest, 4 and
    # 3. They meet at 4: D1 -1, the 3 +1: largest move 1, total 2 (any level from 3 to 4 costs 2; the
    # one with the smallest largest move is reported).
    forces = forces_of([5, 4, 3, 1], [2])
    flip = flip_of(Claim("top2", "top_k", "", force="D1", k=2), forces, Scale(0, 5))
    assert (flip.max_change, flip.total_change) == (1, 2) and flip.total_moves == {"D1": -1, "D3": 1}
    # On the paper, "D3 (0.6) is the strongest driving force" fails, and no single score can make it hold
    # (D3 would have to pass D1 = 5, the top). Jointly: D3 must reach every rival (D1 5, D2 3.2, D4 2.5).
    # Largest move: meet half way between D3 and D1, at 2.8: D3 +2.2, D1 -2.2, D2 -0.4. Total: the cost
    # (t - 0.6) + (5 - t) + (3.2 - t) is least, 4.4, for any level t from 3.2 to 5; at 3.2: D3 +2.6, D1 -1.8.
    flip = flip_of(Claim("d3", "strongest", "", force="D3"), F, Scale(0, 5))
    assert flip.max_change == Decimal("2.2") and flip.max_moves == {"D1": Decimal("-2.2"), "D2": Decimal("-0.4"),
                                                                     "D3": Decimal("2.2")}
    assert flip.total_change == Decimal("4.4") and flip.total_moves == {"D1": Decimal("-1.8"), "D3": Decimal("2.6")}


def test_claims_that_no_change_within_the_scale_can_turn():
    # One driving force against six restraining ones on 1-5: even at the top, 5, against six at the
    # bottom, 6 x 1 = 6, the driving side cannot win.
    forces = forces_of([2], [1, 1, 1, 1, 1, 1])
    assert flip_of(Claim("d", "side_outweighs", "", side="driving"), forces, Scale(1, 5)).max_change is None
    # The restraining side's win cannot be undone either: at worst 6 x 1 = 6 against 5.
    assert flip_of(Claim("r", "side_outweighs", "", side="restraining"), forces, Scale(1, 5)).max_change is None
    # A side of one force, and a top k with k at least the side's size, cannot fail.
    assert flip_of(Claim("s", "strongest", "", force="D1"), forces, Scale(1, 5)).max_change is None
    assert flip_of(Claim("t", "top_k", "", force="R1", k=6), forces, Scale(1, 5)).max_change is None


# ---------------------------------------------------------------- against linear programming
def _targets(claim, forces, holds):
    """The closed sets the change must reach, each as rows (a, b) of a . x <= b: the tie of a claim
    that holds, or the closure of where a failing claim holds; every alternative listed (a union)."""
    ids = list(forces["id"])
    k = len(ids)
    direction = dict(zip(ids, forces["direction"]))

    def e(i, j, sign=1.0):  # sign * (x_i - x_j) <= 0
        row = np.zeros(k)
        row[ids.index(i)] += sign
        row[ids.index(j)] -= sign
        return row

    if claim.kind == "side_outweighs":
        own = np.array([1.0 if direction[i] == claim.side else -1.0 for i in ids])
        return [[(own, 0.0)]] if holds else [[(-own, 0.0)]]
    if claim.kind == "outweighs":  # holds: reach x_f <= x_o; fails: reach x_f >= x_o
        return [[(e(claim.force, claim.other, 1 if holds else -1), 0.0)]]
    rivals = [i for i in ids if direction[i] == direction[claim.force] and i != claim.force]
    f = claim.force
    if claim.kind == "strongest":
        return [[(e(f, j), 0.0)] for j in rivals] if holds else [[(e(j, f), 0.0) for j in rivals]]
    if claim.kind == "weakest":
        return [[(e(j, f), 0.0)] for j in rivals] if holds else [[(e(f, j), 0.0) for j in rivals]]
    # top_k: fails when k rivals are at least as high; holds when n - k rivals (of n - 1) are at most as high.
    if holds:
        return [[(e(f, j), 0.0) for j in group] for group in itertools.combinations(rivals, claim.k)]
    return [[(e(j, f), 0.0) for j in group] for group in itertools.combinations(rivals, len(rivals) - claim.k + 1)]


def lp_distance(claim, forces, scale, norm):
    """The least L-infinity or L1 distance from the scores to the claim's target, by linear programming."""
    x0 = forces["score"].to_numpy(dtype=float)
    k = len(x0)
    holds = holds_at([claim], forces)[claim.id]
    best = None
    for target in _targets(claim, forces, holds):
        extra = 1 if norm == "max" else k  # t, or d_1..d_k
        c = np.r_[np.zeros(k), np.ones(extra)]
        rows, rhs = [], []
        for a, b in target:
            rows.append(np.r_[a, np.zeros(extra)])
            rhs.append(b)
        for i in range(k):  # |x_i - x0_i| <= t (or d_i)
            for sign in (1, -1):
                row = np.zeros(k + extra)
                row[i] = sign
                row[k + (0 if norm == "max" else i)] = -1
                rows.append(row)
                rhs.append(sign * x0[i])
        bounds = [(scale.minimum, scale.maximum)] * k + [(0, None)] * extra
        result = linprog(c, A_ub=np.array(rows), b_ub=np.array(rhs), bounds=bounds, method="highs")
        if result.status == 0:
            best = result.fun if best is None else min(best, result.fun)
    return best


def random_cases(n, seed):
    rng = np.random.default_rng(seed)
    scales = [Scale(0, 5), Scale(1, 10), Scale(-3, 3), Scale(0, 1)]
    for _ in range(n):
        scale = scales[rng.integers(len(scales))]
        # Scores on a coarse grid including both bounds: many ties and scores at the bounds.
        values = np.round(np.linspace(scale.minimum, scale.maximum, 7), 6)
        nd, nr = rng.integers(1, 5), rng.integers(1, 5)
        forces = forces_of(list(rng.choice(values, nd)), list(rng.choice(values, nr)))
        own = f"D{rng.integers(1, nd + 1)}"
        other = f"R{rng.integers(1, nr + 1)}"
        claims = [Claim("dw", "side_outweighs", "", side="driving"), Claim("rw", "side_outweighs", "", side="restraining"),
                  Claim("s", "strongest", "", force=own), Claim("w", "weakest", "", force=own),
                  Claim("o", "outweighs", "", force=own, other=other), Claim("o2", "outweighs", "", force=other, other=own)]
        if nd >= 2:
            claims.append(Claim("t", "top_k", "", force=own, k=int(rng.integers(1, nd))))
        yield forces, scale, claims


@pytest.mark.parametrize("seed", range(4))
def test_the_closed_forms_are_the_linear_programmes_optimum(seed):
    for forces, scale, claims in random_cases(15, seed):
        holds = holds_at(claims, forces)
        for claim in claims:
            flip = claim_flip(claim, forces, scale, holds[claim.id])
            for norm, ours, moves in (("max", flip.max_change, flip.max_moves), ("total", flip.total_change, flip.total_moves)):
                expected = lp_distance(claim, forces, scale, norm)
                where = (claim.id, norm, forces["score"].tolist(), scale)
                if expected is None:
                    assert ours is None, where
                    continue
                if not holds[claim.id] and claim.kind == "side_outweighs":
                    # A failing sum claim can be made to hold only if a strict win is possible at all.
                    own = (forces["direction"] == claim.side).sum()
                    if own * scale.maximum - (len(forces) - own) * scale.minimum <= 0:
                        assert ours is None, where
                        continue
                assert ours is not None and float(ours) == pytest.approx(expected, abs=1e-9), where
                # The moves reported reach the target, stay on the scale, and have that size.
                moved = forces.assign(score=[float(Decimal(repr(s)) + moves.get(i, 0)) for i, s in
                                             zip(forces["id"], forces["score"])])
                assert moved["score"].between(scale.minimum, scale.maximum).all(), where
                sizes = [abs(float(m)) for m in moves.values()] or [0.0]
                assert (max(sizes) if norm == "max" else sum(sizes)) == pytest.approx(float(ours), abs=1e-9), where
                if holds[claim.id] and float(ours) > 0:
                    assert not holds_at([claim], moved)[claim.id], where  # at the tie, the strict claim fails
