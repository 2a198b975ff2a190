"""Sensitivity engine and claims registry, against hand-worked cases and closed forms."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import kendalltau

from repro import load_analysis
from repro.methods.claims import component_support, evaluate, registry
from repro.cli import main
from repro.data.codebook import Scale
from repro.methods.sensitivity import (break_even, common_shift, conventions, drop_one, kendall_tau, monte_carlo,
                               side_ranks, sobol_net)

PAPER = load_analysis()
F = PAPER.forces
CLAIMS = registry(F)
SCALE = Scale(0, 5)


def published(forces=F):
    return {k: bool(v[0]) for k, v in evaluate(registry(forces), forces["score"].to_numpy(dtype=float)[None, :]).items()}


def test_every_claim_holds_at_the_published_scores():
    assert published() == {"balance": True, "strongest_driving": True, "weakest_driving": True,
                            "strongest_restraining": True, "weakest_restraining": True, "chain": True}
    for claim in CLAIMS:
        assert claim.source and claim.origin in ("method", "authors")


def test_a_tie_does_not_hold():
    tied = F.assign(score=F["score"].where(F["id"] != "R1", 4.0))  # R1 = R2 = 4
    assert published(tied)["strongest_restraining"] is False
    balanced = F.assign(score=F["score"].where(F["id"] != "D2", 3.4))  # 11.5 against 11.5
    assert published(balanced)["balance"] is False


def test_break_even_by_hand():
    table = break_even(CLAIMS, F, SCALE).set_index(["claim", "force"])["change_needed"]
    # Net is -0.2: raising D2, D3 or D4 by 0.2, or lowering any R by 0.2, ties the sides.
    for force in ("D2", "D3", "D4"):
        assert table[("balance", force)] == pytest.approx(0.2)
    for force in ("R1", "R2", "R3", "R4"):
        assert table[("balance", force)] == pytest.approx(-0.2)
    assert np.isnan(table[("balance", "D1")])  # D1 = 5 has no room upward on 0-5
    # R2 = 4 stops being strictly strongest when R1 or R3 rises by 1 (tie at 4), or R2 falls by 1.
    assert table[("strongest_restraining", "R1")] == pytest.approx(1)
    assert table[("strongest_restraining", "R2")] == pytest.approx(-1)


def test_common_shift_and_proportional_cut():
    shift = common_shift(F)
    assert shift["shift_all_scores"] == pytest.approx(0.025)  # 0.2 / 8
    assert shift["proportional_cut_of_heavier_side"] == pytest.approx(1 - 11.3 / 11.5)  # 1.74 %


def test_drop_one_flips_the_balance_only_for_restraining_forces():
    drop = drop_one(CLAIMS, F).set_index("dropped")
    assert drop.loc[["D1", "D2", "D3", "D4"], "balance"].tolist() == [True] * 4
    assert drop.loc[["R1", "R2", "R3", "R4"], "balance"].tolist() == [False] * 4
    assert drop.loc["R4", "net"] == pytest.approx(11.3 - 10.0)
    assert np.isnan(drop.loc["R2", "strongest_restraining"])  # the claim is about R2 itself


def test_scale_and_rounding_conventions():
    table = conventions(CLAIMS, F, {"0-5": SCALE, "1-5": Scale(1, 5)}).set_index(["scale", "rounding"])
    assert table.loc[("1-5", "none"), "driving_total"] == pytest.approx(11.7)  # 0.6 raised to 1
    assert not table.loc[("1-5", "none"), "balance"]
    assert table.loc[("1-5", "none"), "moved"] == "D3 0.6→1"
    # Half-up: 5 + 3 + 1 + 3 = 12 against 3 + 4 + 3 + 2 = 12, a tie.
    assert (table.loc[("0-5", "half-up"), "driving_total"], table.loc[("0-5", "half-up"), "restraining_total"]) == (12, 12)
    assert table.loc[("0-5", "half-up"), "verdict"] == "tie"


def test_uniform_noise_matches_the_recomputed_probability_and_seed_fixes_the_answer():
    a = monte_carlo(CLAIMS, F, SCALE, "uniform", 0.5, 200_000, seed=7, keep=10)
    b = monte_carlo(CLAIMS, F, SCALE, "uniform", 0.5, 200_000, seed=7, keep=10)
    c = monte_carlo(CLAIMS, F, SCALE, "uniform", 0.5, 200_000, seed=8, keep=10)
    assert a.p_holds == b.p_holds and a.p_holds != c.p_holds
    # METHODS.md: P(driving > restraining) under uniform +-0.5 clipped to 0-5 is about 0.34.
    assert 1 - a.p_holds["balance"] == pytest.approx(0.34, abs=0.01)
    assert a.p_holds_se["balance"] == pytest.approx(np.sqrt(a.p_holds["balance"] * (1 - a.p_holds["balance"]) / 200_000))


def test_rank_acceptability_on_a_tiny_case_worked_by_hand():
    # Two forces on a side, scores 2 and 1, uniform +-1, no clipping on 0-10: the first keeps rank 1
    # unless u2 - u1 > 1, where u2 - u1 is triangular on [-2, 2]: P = 1 - (2 - 1)^2 / 8 = 0.875.
    tiny = pd.DataFrame({"id": ["A", "B", "X"], "direction": ["driving", "driving", "restraining"], "score": [2.0, 1.0, 5.0]})
    mc = monte_carlo(registry(tiny), tiny, Scale(0, 10), "uniform", 1.0, 400_000, seed=1, keep=10)
    se = np.sqrt(0.875 * 0.125 / 400_000)
    assert mc.rank_acceptability.loc["A", "rank 1"] == pytest.approx(0.875, abs=5 * se)
    assert mc.rank_acceptability.loc["B", "rank 2"] == pytest.approx(0.875, abs=5 * se)
    assert mc.rank_acceptability.loc["A"].sum() == pytest.approx(1)


def test_side_ranks_share_ties():
    scores = F["score"].to_numpy(dtype=float)[None, :]
    assert dict(zip(F["id"], side_ranks(scores, F)[0])) == {"D1": 1, "D2": 2, "D3": 4, "D4": 3, "R1": 2, "R2": 1, "R3": 2, "R4": 4}


def test_ordinal_noise_keeps_each_sides_order():
    mc = monte_carlo(CLAIMS, F, SCALE, "ordinal", 0.0, 50_000, seed=3, keep=10)
    assert mc.p_holds["strongest_driving"] == 1 and mc.p_holds["weakest_restraining"] == 1
    assert 0.3 < mc.p_holds["balance"] < 0.7


def test_kendall_tau_b_matches_scipy_and_is_1_without_noise():
    scores = np.repeat(F["score"].to_numpy(dtype=float)[None, :], 3, axis=0)
    tau = kendall_tau(F, scores).set_index("side")
    assert tau.loc["restraining", "mean_tau_b"] == pytest.approx(1.0)  # tau-b handles the R1 = R3 tie
    swapped = np.array([[5, 3.2, 0.6, 2.5, 3, 4, 3, 1.5]], dtype=float)
    swapped[0, [1, 3]] = swapped[0, [3, 1]]
    expected = kendalltau([5, 3.2, 0.6, 2.5], swapped[0, :4], variant="b").statistic
    assert kendall_tau(F, swapped).set_index("side").loc["driving", "mean_tau_b"] == pytest.approx(expected)


def test_sobol_indices_of_the_net_force_match_the_closed_form():
    table = sobol_net(F, SCALE, 0.5, n=2 ** 12, seed=0)
    # D1 = 5 is clipped to [4.5, 5] (width 0.5), the others have width 1: S = w^2 / sum(w^2).
    closed = np.array([0.25] + [1.0] * 7) / 7.25
    np.testing.assert_allclose(table["closed_form"], closed, rtol=1e-9)
    np.testing.assert_allclose(table["S1"], closed, atol=0.01)
    np.testing.assert_allclose(table["ST"], closed, atol=0.01)


def test_components_show_digital_infrastructure_first_with_the_lowest_driving_score():
    table = component_support(F)
    first = table.iloc[0]
    assert first["component"] == "цифровая инфраструктура" and first["order_in_discussion"] == 1
    assert "D3 = 0.6 (driving, rank 4 of 4)" in first["score_support"]


def test_cli_writes_claims_for_the_paper_and_another_folder(tmp_path, small_analysis, capsys):
    assert main(["sensitivity", "--out", str(tmp_path / "p"), "--draws", "5000", "--seed", "1"]) == 0
    claims = pd.read_csv(tmp_path / "p" / "claims.csv")
    assert list(claims.columns[:5]) == ["claim", "holds", "p_holds", "p_holds_se", "break_even"]
    assert set(claims["claim"]) >= {"balance", "strongest_driving", "weakest_driving", "strongest_restraining",
                                    "weakest_restraining", "chain"}
    assert (tmp_path / "p" / "sensitivity.json").exists()
    assert main(["sensitivity", "--data", str(small_analysis), "--out", str(tmp_path / "s"), "--draws", "2000"]) == 0
    assert "balance" in set(pd.read_csv(tmp_path / "s" / "claims.csv")["claim"])


def test_cli_scale_that_leaves_a_score_outside_says_what_moved(tmp_path, capsys):
    assert main(["sensitivity", "--out", str(tmp_path), "--draws", "1000", "--scale", "1", "5"]) == 0
    assert "D3's score 0.6 lies outside the scale" in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    (["--draws", "0"], "--draws must be a positive"),
    (["--half-width", "-0.1"], "--half-width must not be negative"),
    (["--noise", "gaussian"], "--noise must be one of"),
    (["--scale", "5", "5"], "an empty or inverted scale"),
    (["--scale", "5", "1"], "an empty or inverted scale"),
])
def test_cli_bad_arguments(args, message, tmp_path, capsys):
    assert main(["sensitivity", "--out", str(tmp_path), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
