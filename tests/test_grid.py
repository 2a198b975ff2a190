"""The scale's whole-unit points and the package's one rounding rule (half up, towards +infinity, in
decimal arithmetic), used alike by the rounding conventions and the integer noise model."""

import numpy as np
import pandas as pd
import pytest

from repro.data.codebook import Scale
from repro.methods.claims import Claim
from repro.methods.grid import ROUNDING_RULE, Grid, grid_step
from repro.methods.montecarlo import Sampler
from repro.methods.sensitivity import conventions, round_to_grid


@pytest.mark.parametrize("scale, step, points", [
    (Scale(0, 5), 1, [0, 1, 2, 3, 4, 5]), (Scale(1, 10), 1, list(range(1, 11))), (Scale(-3, 3), 1, list(range(-3, 4))),
    (Scale(0, 1), 0.1, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]), (Scale(0.5, 5), 1, [1, 2, 3, 4, 5]),
    (Scale(0, 0.05), 0.01, [0, 0.01, 0.02, 0.03, 0.04, 0.05]),
])
def test_the_grid_of_a_scale(scale, step, points):
    assert float(grid_step(scale)) == step
    assert Grid.of(scale).points() == points  # exact floats: 0.3, not 0.30000000000000004


@pytest.mark.parametrize("score, expected", [
    # Half way between tenths: binary floats hold 0.15 as 0.1499999..., 0.35 as 0.34999..., 0.95 as
    # 0.94999...: floor(x / 0.1 + 0.5) took them down. In decimals each is exactly half way and goes up.
    (0.15, 0.2), (0.35, 0.4), (0.95, 1.0), (0.05, 0.1), (0.25, 0.3), (0.44, 0.4), (0.46, 0.5),
])
def test_a_decimal_grid_rounds_half_up_exactly(score, expected):
    assert Grid.of(Scale(0, 1)).round(score) == expected


@pytest.mark.parametrize("score, half_up, half_even", [
    # Half up goes towards +infinity wherever the half lies: -0.5 -> 0 (half away from zero gave -1).
    (-0.5, 0, 0), (-1.5, -1, -2), (-2.5, -2, -2), (0.5, 1, 0), (2.5, 3, 2), (-2.6, -3, -3), (3.7, 3, 3),
])
def test_a_negative_scale_rounds_half_up_towards_plus_infinity(score, half_up, half_even):
    grid = Grid.of(Scale(-3, 3))
    assert grid.round(score) == half_up  # 3.7 lies beyond the scale's top: it stays at 3
    assert grid.round(score, "half-even") == half_even
    assert "towards +infinity" in ROUNDING_RULE


@pytest.mark.parametrize("scale", [Scale(-3, 3), Scale(0, 1), Scale(0, 5), Scale(1, 10)])
def test_the_conventions_and_the_integer_model_round_alike(scale):
    # One rule, one name: the score the integer model re-scores from is the conventions' half-up score.
    grid = Grid.of(scale)
    step = float(grid.step)
    scores = [scale.minimum + step * (i / 2) for i in range(int((scale.maximum - scale.minimum) / step * 2) + 1)]
    scores = [float(f"{s:.10g}") for s in scores]  # the halves as typed: 0.15, -2.5, ...
    forces = pd.DataFrame({"id": [f"F{i}" for i in range(len(scores))], "direction": "driving", "score": scores})
    stay = Sampler(forces, scale, "integer", 0).table[:, 1]
    assert list(stay) == list(round_to_grid(forces["score"], "half-up", scale))


def test_half_up_on_a_negative_scale_changes_the_conventions_verdict():
    # Driving -0.5 and -0.5 against restraining 0 on -3..3. Half up: 0 + 0 against 0, a tie. (Half
    # away from zero would have made it -1 + -1 = -2 against 0: the restraining side winning.)
    forces = pd.DataFrame({"id": ["D1", "D2", "R1"], "direction": ["driving", "driving", "restraining"],
                           "score": [-0.5, -0.5, 0.0]})
    table = conventions([Claim("r", "side_outweighs", "", side="restraining")], forces, Scale(-3, 3)).set_index("rounding")
    assert table.loc["half-up", "driving_total"] == 0 and table.loc["half-up", "verdict"] == "tie"
    assert table.loc["half-even", "driving_total"] == 0  # -0.5 is half way between -1 and 0: to the even 0


def test_a_huge_scale_costs_what_a_small_one_does():
    # 0..1e300 has 10^300 + 1 points; nothing lists them: the nearest point is found by arithmetic.
    grid = Grid.of(Scale(0, 1e300))
    assert grid.size == 10 ** 300 + 1
    assert grid.nearest_index(2.5) == 3 and grid.nearest_index(1e300) == 10 ** 300
    assert Grid.of(Scale(0, 1e7)).round(1234567.5) == 1234568
    with pytest.raises(ValueError, match="listing more than 1000 is refused"):
        grid.points()
    assert np.isfinite(grid.value(grid.last))
