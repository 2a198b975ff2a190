"""Sensitivity engine, against hand-worked cases and closed forms, on the paper and on other scales."""

import json
import os

import numpy as np
import pandas as pd
import pytest
from scipy.stats import kendalltau

from repro import load_analysis
from repro.cli import main
from repro.data.codebook import Scale
from repro.methods.claims import TIE_TOLERANCE, Claim, claims_for, evaluate
from repro.methods.sensitivity import (alternative_scales, analyse, break_even, break_even_summary, claims_table,
                                       common_shift, conventions, default_widths, draw_scores, drop_one, grid_points,
                                       grid_step, kendall_tau_b, monte_carlo, reference_levels, result_files,
                                       robustness_curves, sobol_net)

from test_claims import EVERY_KIND, STUDENT, make_analysis

PAPER = load_analysis()
F = PAPER.forces
CLAIMS = claims_for(PAPER).claims
SCALE = Scale(0, 5)


def strict_json(text):
    """Parse JSON as a browser's JSON.parse would: NaN or Infinity is an error."""
    def refuse(constant):
        raise ValueError(f"not strict JSON: {constant}")
    return json.loads(text, parse_constant=refuse)


def summary(claims, forces, scale):
    table = break_even(claims, forces, scale)
    return break_even_summary(table, forces, scale).set_index("claim")


# ---------------------------------------------------------------- break-even, worked by hand
def test_break_even_of_the_papers_claims_by_hand():
    table = break_even(CLAIMS, F, SCALE).set_index(["claim", "force"])["change_needed"]
    # Net is -0.2: raising D2, D3 or D4 by 0.2, or lowering any R by 0.2, ties the sides (a tie fails).
    for force in ("D2", "D3", "D4"):
        assert table[("balance", force)] == 0.2  # exact: decimal arithmetic, not 0.20000000000000018
    for force in ("R1", "R2", "R3", "R4"):
        assert table[("balance", force)] == -0.2
    assert np.isnan(table[("balance", "D1")])  # D1 = 5 has no room upward on 0-5
    # R2 = 4 stops being strictly strongest when R1 or R3 rises by 1 (tie at 4), or R2 falls by 1.
    assert table[("strongest_restraining", "R1")] == 1 and table[("strongest_restraining", "R2")] == -1
    assert np.isnan(table[("strongest_restraining", "D1")])  # a driving score cannot change it
    # The cheapest flip per claim, first force in file order among equals, with the room left.
    texts = summary(CLAIMS, F, SCALE)["break_even_text"].to_dict()
    assert texts == {
        "balance": "D2 +0.2 (to 3.4; room on the scale 1.8)",
        "strongest_driving": "D1 -1.8 (to 3.2; room on the scale 5)",    # D1 5 falls to D2's 3.2
        "weakest_driving": "D3 +1.9 (to 2.5; room on the scale 4.4)",    # D3 0.6 rises to D4's 2.5
        "strongest_restraining": "R1 +1 (to 4; room on the scale 2)",    # R1 3 rises to R2's 4
        "weakest_restraining": "R1 -1.5 (to 1.5; room on the scale 3)",  # R1 3 falls to R4's 1.5
    }


def test_break_even_of_claims_that_fail_on_the_paper():
    claims = [Claim("driving_wins", "side_outweighs", "", side="driving"),
              Claim("d3_strongest", "strongest", "", force="D3")]
    table = break_even(claims, F, SCALE).set_index(["claim", "force"])["change_needed"]
    # The driving side ties at D2 = 3.4 and wins beyond it: the boundary is +0.2, not the next score.
    assert table[("driving_wins", "D2")] == 0.2 and table[("driving_wins", "R2")] == -0.2
    texts = summary(claims, F, SCALE)["break_even_text"].to_dict()
    assert texts["driving_wins"] == "D2 +0.2 (it holds above 3.4; room on the scale 1.8)"
    # D3 would have to pass D1 = 5, the top of the scale: beyond it is off the scale.
    assert texts["d3_strongest"] == "no single change within the scale makes it hold"


def test_break_even_on_a_students_1_to_10_case_by_hand(tmp_path):
    analysis = load_analysis(make_analysis(tmp_path / "s", **STUDENT, claims=EVERY_KIND))
    scale = analysis.scale
    claims = claims_for(analysis).claims + claims_for(load_analysis(make_analysis(tmp_path / "d", **STUDENT))).claims
    table = summary(claims, analysis.forces, scale)
    texts, values = table["break_even_text"].to_dict(), table["break_even"].to_dict()
    # Driving 7, 5, 9, 8, 6 = 35 against restraining 8, 9.5, 6 = 23.5 on 1-10: net +11.5.
    assert texts == {
        # No one score can move 11.5 within 1-10 (the most is D3 9 -> 1, -8): the balance is safe.
        "driving_wins": "no single change within the scale flips it",
        "balance": "no single change within the scale flips it",
        "restraining_wins": "no single change within the scale makes it hold",
        # Holding claims: the change to the tie.
        "d3_strongest": "D3 -1 (to 8; room on the scale 8)",             # D3 9 falls to D4's 8
        "strongest_driving": "D3 -1 (to 8; room on the scale 8)",
        "d2_weakest": "D2 +1 (to 6; room on the scale 5)",               # D2 5 rises to D5's 6
        "weakest_driving": "D2 +1 (to 6; room on the scale 5)",
        "strongest_restraining": "R1 +1.5 (to 9.5; room on the scale 2)",  # R1 8 rises to R2's 9.5
        "weakest_restraining": "R1 -2 (to 6; room on the scale 7)",        # R1 8 falls to R3's 6
        "r2_over_d3": "D3 +0.5 (to 9.5; room on the scale 1)",           # 9.5 > 9 across sides
        "d1_top3": "D1 -1 (to 6; room on the scale 6)",                  # at 6, D5 = 6 is a third rival
        # Failing claims: the change to the boundary beyond which they hold.
        "d1_strongest": "D1 +2 (it holds above 9; room on the scale 3)",  # past D3 = 9
        "d3_weakest": "D3 -4 (it holds below 5; room on the scale 8)",    # below D2 = 5
        "d2_over_r3": "D2 +1 (it holds above 6; room on the scale 5)",    # past R3 = 6
        "d1_top2": "D1 +1 (it holds above 8; room on the scale 3)",       # past D4 = 8, one rival left
    }
    assert values["d3_weakest"] == -4 and values["d1_top2"] == 1 and np.isnan(values["balance"])
    assert "chain" not in table.index  # the chain does not depend on the scores


def test_break_even_is_exact_for_a_boundary_at_the_current_score():
    # A ties B at 3: "A outweighs B" fails, and any rise of A makes it hold: a change of 0, upward.
    forces = pd.DataFrame({"id": ["A", "B", "X"], "direction": ["driving", "driving", "restraining"],
                           "score": [3.0, 3.0, 1.0]})
    text = summary([Claim("a_over_b", "outweighs", "", force="A", other="B")], forces, Scale(0, 5))
    assert text.loc["a_over_b", "break_even"] == 0
    assert text.loc["a_over_b", "break_even_text"] == "A: any rise (it holds above 3; room on the scale 2)"


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
    # Without D1 (5), D2 (3.2) tops the driving side: "D1 strongest" is about D1, so NaN.
    assert np.isnan(drop.loc["D1", "strongest_driving"]) and drop.loc["D1", "weakest_driving"]


# ---------------------------------------------------------------- conventions
def test_paper_conventions_unchanged():
    table = conventions(CLAIMS, F, SCALE).set_index(["scale", "rounding"])
    assert list(dict.fromkeys(table.index.get_level_values(0))) == ["0-5", "1-5"]
    assert table.loc[("1-5", "none"), "driving_total"] == pytest.approx(11.7)  # 0.6 raised to 1
    assert not table.loc[("1-5", "none"), "balance"]
    assert table.loc[("1-5", "none"), "moved"] == "D3 0.6→1"
    # Half-up: 5 + 3 + 1 + 3 = 12 against 3 + 4 + 3 + 2 = 12, a tie; half-even: 5 + 3 + 1 + 2 = 11
    # against 3 + 4 + 3 + 2 = 12.
    assert (table.loc[("0-5", "half-up"), "driving_total"], table.loc[("0-5", "half-up"), "restraining_total"]) == (12, 12)
    assert table.loc[("0-5", "half-up"), "verdict"] == "tie"
    assert table.loc[("0-5", "half-even"), "net"] == -1


def test_conventions_never_clip_from_above(tmp_path):
    analysis = load_analysis(make_analysis(tmp_path / "s", **STUDENT))
    table = conventions(claims_for(analysis).claims, analysis.forces, analysis.scale)
    # 1-10 is compared with 0-10 (same top), never with 1-5: nothing moves, every claim still holds.
    assert list(dict.fromkeys(table["scale"])) == ["1-10", "0-10"]
    assert (table["moved"] == "").all()
    none = table[table["rounding"] == "none"]
    assert (none["driving_total"] == 35).all() and (none["restraining_total"] == 23.5).all()
    # Half-up rounds 9.5 to 10 (restraining 24), half-even to 10 as well (9 is odd): 35 against 24.
    assert table.loc[table["rounding"] == "half-up", "restraining_total"].tolist() == [24, 24]


@pytest.mark.parametrize("scale, expected", [
    (Scale(0, 5), ["0-5", "1-5"]), (Scale(1, 5), ["1-5", "0-5"]), (Scale(1, 10), ["1-10", "0-10"]),
    (Scale(0, 1), ["0-1"]), (Scale(-3, 3), ["-3 to 3"]), (Scale(0.5, 5), ["0.5-5"]),
])
def test_which_conventions_apply(scale, expected):
    scales, note = alternative_scales(scale)
    assert list(scales) == expected
    assert ("No scale convention applies" in note) == (len(expected) == 1)


# ---------------------------------------------------------------- noise models stay on the scale
@pytest.mark.parametrize("scale, step, points", [
    (Scale(0, 5), 1, [0, 1, 2, 3, 4, 5]), (Scale(1, 10), 1, list(range(1, 11))), (Scale(-3, 3), 1, list(range(-3, 4))),
    (Scale(0, 1), 0.1, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]), (Scale(0.5, 5), 1, [1, 2, 3, 4, 5]),
])
def test_the_integer_grid_of_a_scale(scale, step, points):
    assert grid_step(scale) == step
    assert grid_points(scale).tolist() == points


def two_forces(d, r):
    return pd.DataFrame({"id": ["D1", "R1"], "direction": ["driving", "restraining"], "score": [float(d), float(r)]})


@pytest.mark.parametrize("scale, d, r", [(Scale(1, 10), 6, 5), (Scale(0, 1), 0.6, 0.5)])
def test_integer_model_by_hand_on_a_1_10_and_a_0_1_scale(scale, d, r):
    # Each score moves by -1, 0, +1 grid steps with 1/4, 1/2, 1/4; the difference of two such moves is
    # -2..2 with 1, 4, 6, 4, 1 sixteenths. Driving wins unless the difference is -1 (a tie) or -2: 11/16.
    forces = two_forces(d, r)
    draws = draw_scores(forces, scale, "integer", 0.5, 50_000, np.random.default_rng(0))
    grid = grid_points(scale)
    assert np.isin(np.round(draws, 9), np.round(grid, 9)).all() and len(np.unique(draws[:, 0])) == 3
    mc = monte_carlo([Claim("b", "side_outweighs", "", side="driving")], forces, scale, "integer", 0.5, 200_000, seed=2)
    se = np.sqrt(11 / 16 * 5 / 16 / 200_000)
    assert mc.p_holds["b"] == pytest.approx(11 / 16, abs=5 * se)
    # h does not matter to the integer model.
    other_h = monte_carlo([Claim("b", "side_outweighs", "", side="driving")], forces, scale, "integer", 3.0, 200_000, seed=2)
    assert other_h.p_holds == mc.p_holds


@pytest.mark.parametrize("model", ["uniform", "integer", "ordinal", "dirichlet"])
@pytest.mark.parametrize("scale", [Scale(0, 5), Scale(1, 10), Scale(-3, 3), Scale(0, 1)])
def test_every_noise_model_keeps_scores_on_the_scale(model, scale):
    base = np.linspace(scale.minimum, scale.maximum, 8)  # the ends included: the hardest case
    forces = pd.DataFrame({"id": [f"F{i}" for i in range(8)], "direction": ["driving", "restraining"] * 4, "score": base})
    draws = draw_scores(forces, scale, model, 0.5 * (scale.maximum - scale.minimum), 20_000, np.random.default_rng(1))
    assert draws.min() >= scale.minimum and draws.max() <= scale.maximum


def test_dirichlet_weights_on_a_scale_from_0_change_no_claim_by_staying_on_it():
    # Scaling a draw down to keep it under the top multiplies every score by one factor: no comparison
    # between forces and no sign of the net force changes, so every claim is as with the raw weights.
    rng = np.random.default_rng(5)
    raw = F["score"].to_numpy() * 8 * rng.dirichlet(np.ones(8), size=20_000)
    kept = draw_scores(F, SCALE, "dirichlet", 0.0, 20_000, np.random.default_rng(5))
    assert raw.max() > 5 >= kept.max()
    for claim_id, values in evaluate(CLAIMS, F, raw).items():
        assert (values == evaluate(CLAIMS, F, kept)[claim_id]).all(), claim_id


def test_ordinal_noise_keeps_each_sides_order():
    mc = monte_carlo(CLAIMS, F, SCALE, "ordinal", 0.0, 50_000, seed=3, keep=10)
    assert mc.p_holds["strongest_driving"] == 1 and mc.p_holds["weakest_restraining"] == 1
    assert 0.3 < mc.p_holds["balance"] < 0.7


# ---------------------------------------------------------------- Monte Carlo
def test_uniform_noise_matches_the_recomputed_probability_and_seed_fixes_the_answer():
    a = monte_carlo(CLAIMS, F, SCALE, "uniform", 0.5, 200_000, seed=7, keep=10)
    b = monte_carlo(CLAIMS, F, SCALE, "uniform", 0.5, 200_000, seed=7, keep=10)
    c = monte_carlo(CLAIMS, F, SCALE, "uniform", 0.5, 200_000, seed=8, keep=10)
    assert a.p_holds == b.p_holds and a.p_holds != c.p_holds
    # METHODS.md: P(driving > restraining) under uniform +-0.5 clipped to 0-5 is about 0.34.
    assert 1 - a.p_holds["balance"] == pytest.approx(0.34, abs=0.01)
    assert a.p_holds_se["balance"] == pytest.approx(np.sqrt(a.p_holds["balance"] * (1 - a.p_holds["balance"]) / 200_000))


def test_default_claims_probabilities_by_hand(tmp_path):
    # D1 = 6, D2 = 5 against R1 = 5 on 1-10, uniform +-1 (no clipping). D1 stays strongest (and D2
    # weakest) unless u2 - u1 > 1, where u2 - u1 is triangular on [-2, 2]: P = 1 - 1/8 = 0.875.
    # The net 6 + 5 - 5 = 6 moves by at most 3: the driving side always wins.
    analysis = load_analysis(make_analysis(tmp_path / "t", [6, 5], [5], scale=(1, 10)))
    registry = claims_for(analysis)
    assert registry.ids == ["balance", "strongest_driving", "weakest_driving"]
    table = claims_table(registry.claims, analysis.forces, analysis.scale, "uniform", 1.0, 400_000, seed=4).set_index("claim")
    se = np.sqrt(0.875 * 0.125 / 400_000)
    assert table.loc["balance", "p_holds"] == 1
    assert table.loc["strongest_driving", "p_holds"] == pytest.approx(0.875, abs=5 * se)
    assert table.loc["weakest_driving", "p_holds"] == pytest.approx(0.875, abs=5 * se)
    assert table.loc["strongest_driving", "p_holds_se"] == pytest.approx(se, rel=0.01)
    # And their break-even: D1 6 falls to D2's 5 (or D2 rises to 6); the balance cannot flip (6 > 4.5 room).
    assert table.loc["strongest_driving", "break_even_text"] == "D1 -1 (to 5; room on the scale 5)"
    assert np.isnan(table.loc["balance", "break_even"])


def test_rank_acceptability_on_a_tiny_case_worked_by_hand():
    # Two forces on a side, scores 2 and 1, uniform +-1, no clipping on 0-10: the first keeps rank 1
    # unless u2 - u1 > 1, where u2 - u1 is triangular on [-2, 2]: P = 1 - (2 - 1)^2 / 8 = 0.875.
    tiny = pd.DataFrame({"id": ["A", "B", "X"], "direction": ["driving", "driving", "restraining"], "score": [2.0, 1.0, 5.0]})
    mc = monte_carlo([], tiny, Scale(0, 10), "uniform", 1.0, 400_000, seed=1, keep=10)
    se = np.sqrt(0.875 * 0.125 / 400_000)
    assert mc.rank_acceptability.loc["A", "rank 1"] == pytest.approx(0.875, abs=5 * se)
    assert mc.rank_acceptability.loc["B", "rank 2"] == pytest.approx(0.875, abs=5 * se)
    assert mc.rank_acceptability.loc["A"].sum() == pytest.approx(1)


def test_claims_table_is_the_monte_carlo_and_break_even_at_given_scores():
    table = claims_table(CLAIMS, F, SCALE, "uniform", 0.5, 20_000, seed=0)
    assert list(table.columns) == ["claim", "statement", "statement_en", "holds", "p_holds", "p_holds_se", "break_even",
                                   "break_even_force", "break_even_text"]
    mc = monte_carlo(CLAIMS, F, SCALE, "uniform", 0.5, 20_000, seed=0, keep=0, ranks=False)
    assert table.set_index("claim")["p_holds"].to_dict() == mc.p_holds
    # The explorer moves a slider: R2 lowered by 0.2 ties the balance at 11.3, so it no longer holds.
    moved = F.assign(score=F["score"].where(F["id"] != "R2", 3.8))
    row = claims_table(CLAIMS, moved, SCALE, "uniform", 0.5, 2_000, seed=0).set_index("claim").loc["balance"]
    # At the tie, any fall of a driving score (or rise of a restraining one) wins it back: D1 comes first.
    assert not row["holds"] and row["break_even"] == 0
    assert row["break_even_text"] == "D1: any fall (it holds below 5; room on the scale 5)"


# ---------------------------------------------------------------- rank stability
def test_kendall_tau_b_vectorised_matches_scipy_on_random_cases_with_ties():
    rng = np.random.default_rng(11)
    for m in (2, 3, 4, 6):
        published = rng.integers(0, 3, size=m).astype(float)   # few values: many ties
        scores = rng.integers(0, 3, size=(300, m)).astype(float)
        ours = kendall_tau_b(published, scores)
        for row, tau in zip(scores, ours):
            expected = kendalltau(published, row, variant="b").statistic
            assert (np.isnan(tau) and np.isnan(expected)) or tau == pytest.approx(expected, abs=1e-12)


def test_kendall_uses_every_draw_and_counts_the_undefined(tmp_path):
    # Restraining 5 and 5 tie in the published ranking: tau-b is undefined in every draw.
    forces = pd.DataFrame({"id": ["D1", "D2", "R1", "R2"], "direction": ["driving"] * 2 + ["restraining"] * 2,
                           "score": [6.0, 2.0, 5.0, 5.0]})
    mc = monte_carlo([], forces, Scale(1, 10), "uniform", 1.0, 70_000, seed=0)
    tau = mc.kendall.set_index("side")
    assert tau.loc["driving", "draws"] == 70_000 and tau.loc["driving", "undefined_draws"] == 0
    assert tau.loc["driving", "mean_tau_b"] == 1  # 6 +-1 never meets 2 +-1
    assert tau.loc["restraining", "draws"] == 0 and tau.loc["restraining", "undefined_draws"] == 70_000
    assert np.isnan(tau.loc["restraining", "mean_tau_b"])


# ---------------------------------------------------------------- curves and global indices
def test_curves_hold_only_models_with_a_width_and_the_others_are_levels(tmp_path):
    curves = robustness_curves(CLAIMS, F, SCALE, default_widths(SCALE), 2000, 0)
    assert set(curves["model"]) == {"uniform"}
    assert sorted(set(curves["half_width"])) == [0.1, 0.25, 0.5, 0.75, 1.0]  # 2 % to 20 % of 0-5
    levels = reference_levels(CLAIMS, F, SCALE, 2000, 0)
    assert list(levels.columns) == ["model", "claim", "p_holds", "se"]
    assert list(dict.fromkeys(levels["model"])) == ["integer", "ordinal", "dirichlet"]
    assert default_widths(Scale(1, 10)) == (0.18, 0.45, 0.9, 1.35, 1.8)


def test_sobol_indices_of_the_net_force_match_the_closed_form():
    table = sobol_net(F, SCALE, 0.5, seed=0)
    # D1 = 5 is clipped to [4.5, 5] (width 0.5), the others have width 1: S = w^2 / sum(w^2).
    closed = np.array([0.25] + [1.0] * 7) / 7.25
    np.testing.assert_allclose(table["closed_form"], closed, rtol=1e-9)
    np.testing.assert_allclose(table["S1"], closed, atol=0.01)
    np.testing.assert_allclose(table["ST"], closed, atol=0.01)


# ---------------------------------------------------------------- the whole analysis and its files
def test_analyse_keeps_the_papers_results_and_writes_strict_json():
    result = analyse(PAPER, draws=20_000)
    claims = result["claims"].set_index("claim")
    assert claims["holds"].all() and (claims.loc[claims.index != "balance", "p_holds"] == 1).all()
    assert claims.loc["balance", "break_even"] == 0.2 and claims.loc["chain", "break_even_text"] == "does not depend on the scores"
    assert "Sobol and PAWN perturb each score uniformly" in " ".join(result["notes"])
    files = result_files(result)
    parsed = strict_json(files["sensitivity.json"])
    assert parsed["settings"]["integer_grid_step"] == 1 and parsed["settings"]["break_even_convention"]
    written = pd.read_csv(pd.io.common.StringIO(files["claims.csv"]))
    assert written["break_even"].dtype == float and np.isnan(written.set_index("claim").loc["chain", "break_even"])
    assert "break_even_text" in written.columns


def test_a_student_analysis_with_a_negative_scale_runs_end_to_end(tmp_path):
    folder = make_analysis(tmp_path / "neg", [2, -1.5], [-3, 0.5], scale=(-3, 3))
    analysis = load_analysis(folder)  # -3..3 validates: the declared scale is the only bound
    result = analyse(analysis, draws=5000)
    assert result["settings"]["scale"] == [-3, 3]
    # 2 - 1.5 = 0.5 against -3 + 0.5 = -2.5: the driving side wins by 3.
    assert result["claims"].set_index("claim").loc["balance", "statement_en"].startswith("the driving side outweighs")
    assert "No scale convention applies" in result["conventions_note"]
    strict_json(result_files(result)["sensitivity.json"])


def test_cli_writes_claims_for_the_paper_and_another_folder(tmp_path, small_analysis, capsys):
    assert main(["sensitivity", "--out", str(tmp_path / "p"), "--draws", "5000", "--seed", "1"]) == 0
    claims = pd.read_csv(tmp_path / "p" / "claims.csv")
    assert list(claims.columns[:7]) == ["claim", "holds", "p_holds", "p_holds_se", "break_even", "break_even_force",
                                        "break_even_text"]
    assert list(claims["claim"]) == ["balance", "strongest_driving", "weakest_driving", "strongest_restraining",
                                     "weakest_restraining", "chain"]
    strict_json((tmp_path / "p" / "sensitivity.json").read_text())
    manifest = strict_json((tmp_path / "p" / "manifest.json").read_text())
    assert manifest["command"] == "sensitivity" and set(manifest["files"]) == {"claims.csv", "sensitivity.json"}
    assert main(["sensitivity", "--data", str(small_analysis), "--out", str(tmp_path / "s"), "--draws", "2000"]) == 0
    small = pd.read_csv(tmp_path / "s" / "claims.csv").set_index("claim")
    assert small["holds"].all()  # the method's default claims hold at the published scores
    assert "tie for the weakest driving force" in capsys.readouterr().out


def test_cli_relative_data_folder_from_another_working_directory(tmp_path, monkeypatch, small_analysis):
    monkeypatch.chdir(small_analysis.parent)
    assert main(["sensitivity", "--data", small_analysis.name, "--out", "мои результаты", "--draws", "1000"]) == 0
    assert (small_analysis.parent / "мои результаты" / "claims.csv").exists()
    # A second run replaces what the first wrote: the folder is recognised by its manifest.
    assert main(["sensitivity", "--data", small_analysis.name, "--out", "мои результаты", "--draws", "1000"]) == 0


@pytest.mark.parametrize("where", ["data folder", "inside the data folder", "someone else's folder"])
def test_cli_refuses_an_output_folder_that_would_cost_a_file(where, tmp_path, small_analysis, capsys):
    target = {"data folder": small_analysis, "inside the data folder": small_analysis / "out",
              "someone else's folder": tmp_path / "thesis"}[where]
    if where == "someone else's folder":
        target.mkdir()
        (target / "draft.docx").write_bytes(b"chapter one")
    watched = target if target.exists() else small_analysis

    def snapshot():
        return {p: p.read_bytes() for p in sorted(watched.rglob("*")) if p.is_file()}
    before = snapshot()
    assert main(["sensitivity", "--data", str(small_analysis), "--out", str(target), "--draws", "100"]) == 2
    err = capsys.readouterr().err
    assert "nothing was written" in err and "Traceback" not in err
    assert snapshot() == before and not (small_analysis / "out").exists()


def test_cli_scale_that_leaves_a_score_outside_says_what_moved(tmp_path, capsys):
    assert main(["sensitivity", "--out", str(tmp_path / "o"), "--draws", "1000", "--scale", "1", "5"]) == 0
    assert "D3's score 0.6 lies outside the scale" in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    (["--draws", "0"], "--draws must be a positive"),
    (["--half-width", "-0.1"], "--half-width must not be negative"),
    (["--noise", "gaussian"], "--noise must be one of"),
    (["--scale", "5", "5"], "an empty or inverted scale"),
    (["--scale", "5", "1"], "an empty or inverted scale"),
])
def test_cli_bad_arguments(args, message, tmp_path, capsys):
    assert main(["sensitivity", "--out", str(tmp_path / "o"), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not os.path.exists(tmp_path / "o")


def test_the_net_histogram_counts_every_draw_the_claims_count():
    # The histogram's "restraining side wins" is the balance claim's P(holds): the same 30 000 draws.
    result = analyse(PAPER, draws=30_000, seed=3)
    net = result["net_sample"]
    assert len(net) == 30_000
    balance = result["claims"].set_index("claim").loc["balance", "p_holds"]
    assert np.mean(net < -TIE_TOLERANCE) == balance
