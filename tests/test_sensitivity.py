"""The sensitivity analysis as a whole: break-even, drop-one, conventions, the claims table, curves, the
files and the command; against hand-worked cases, on the paper and on other scales. (The Monte Carlo
engine, the joint flips, the grid and the global indices have test files of their own.)"""

import json
import os

import numpy as np
import pandas as pd
import pytest

from repro import load_analysis, paths
from repro.cli import main
from repro.data.codebook import Scale
from repro.methods.claims import Claim, claims_for
from repro.methods.sensitivity import (alternative_scales, analyse, break_even, break_even_summary, claims_table,
                                       conventions, default_widths, draws_for, drop_one, reference_levels,
                                       result_files, robustness_curves)
from repro.methods.montecarlo import monte_carlo

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
        "strongest_driving": "D1 −1.8 (to 3.2; room on the scale 5)",    # D1 5 falls to D2's 3.2
        "weakest_driving": "D3 +1.9 (to 2.5; room on the scale 4.4)",    # D3 0.6 rises to D4's 2.5
        "strongest_restraining": "R1 +1 (to 4; room on the scale 2)",    # R1 3 rises to R2's 4
        "weakest_restraining": "R1 −1.5 (to 1.5; room on the scale 3)",  # R1 3 falls to R4's 1.5
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
        "d3_strongest": "D3 −1 (to 8; room on the scale 8)",             # D3 9 falls to D4's 8
        "strongest_driving": "D3 −1 (to 8; room on the scale 8)",
        "d2_weakest": "D2 +1 (to 6; room on the scale 5)",               # D2 5 rises to D5's 6
        "weakest_driving": "D2 +1 (to 6; room on the scale 5)",
        "strongest_restraining": "R1 +1.5 (to 9.5; room on the scale 2)",  # R1 8 rises to R2's 9.5
        "weakest_restraining": "R1 −2 (to 6; room on the scale 7)",        # R1 8 falls to R3's 6
        "r2_over_d3": "D3 +0.5 (to 9.5; room on the scale 1)",           # 9.5 > 9 across sides
        "d1_top3": "D1 −1 (to 6; room on the scale 6)",                  # at 6, D5 = 6 is a third rival
        # Failing claims: the change to the boundary beyond which they hold.
        "d1_strongest": "D1 +2 (it holds above 9; room on the scale 3)",  # past D3 = 9
        "d3_weakest": "D3 −4 (it holds below 5; room on the scale 8)",    # below D2 = 5
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


def test_drop_one_flips_the_balance_only_for_restraining_forces():
    drop = drop_one(CLAIMS, F).set_index("dropped")
    assert drop.loc[["D1", "D2", "D3", "D4"], "balance"].tolist() == [True] * 4
    assert drop.loc[["R1", "R2", "R3", "R4"], "balance"].tolist() == [False] * 4
    assert drop.loc["R4", "net"] == pytest.approx(11.3 - 10.0)
    assert np.isnan(drop.loc["R2", "strongest_restraining"])  # the claim is about R2 itself
    # Without D1 (5), D2 (3.2) tops the driving side: "D1 strongest" is about D1, so NaN.
    assert np.isnan(drop.loc["D1", "strongest_driving"]) and drop.loc["D1", "weakest_driving"]


def test_every_column_the_tables_add_beside_the_claims_is_an_id_a_claim_may_not_take():
    # A claim's column is named by its id: one of these names would overwrite the table's own column.
    from repro.data.codebook import RESERVED_CLAIM_IDS

    claim_ids = {c.id for c in CLAIMS}
    for table in (drop_one(CLAIMS, F), conventions(CLAIMS, F, SCALE)):
        own = set(table.columns) - claim_ids
        assert own and own <= set(RESERVED_CLAIM_IDS), own - set(RESERVED_CLAIM_IDS)


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


# ---------------------------------------------------------------- Monte Carlo through the claims table
def test_uniform_noise_matches_the_recomputed_probability_and_seed_fixes_the_answer():
    a = monte_carlo(CLAIMS, F, SCALE, "uniform", 0.5, 200_000, seed=7, keep=10)
    b = monte_carlo(CLAIMS, F, SCALE, "uniform", 0.5, 200_000, seed=7, keep=10)
    c = monte_carlo(CLAIMS, F, SCALE, "uniform", 0.5, 200_000, seed=8, keep=10)
    assert a.holds == b.holds and a.holds != c.holds
    # METHODS.md: P(driving > restraining) under uniform +-0.5 clipped to 0-5 is about 0.34.
    low, high = a.p_holds_interval["balance"]
    assert low < a.p_holds["balance"] < high and high - low < 0.005
    assert 1 - a.p_holds["balance"] == pytest.approx(0.34, abs=0.01)


def test_default_claims_probabilities_by_hand(tmp_path):
    # D1 = 6, D2 = 5 against R1 = 5 on 1-10, uniform +-1 (no clipping). D1 stays strongest (and D2
    # weakest) unless u2 - u1 > 1, where u2 - u1 is triangular on [-2, 2]: P = 1 - 1/8 = 0.875.
    # The net 6 + 5 - 5 = 6 moves by at most 3: the driving side always wins.
    analysis = load_analysis(make_analysis(tmp_path / "t", [6, 5], [5], scale=(1, 10)))
    registry = claims_for(analysis)
    assert registry.ids == ["balance", "strongest_driving", "weakest_driving"]
    table = claims_table(registry.claims, analysis.forces, analysis.scale, "uniform", 1.0, 400_000, seed=4).set_index("claim")
    for claim in ("strongest_driving", "weakest_driving"):
        row = table.loc[claim]
        assert row["p_holds_low"] <= 0.875 <= row["p_holds_high"]
        # The Wilson interval is about 2 x 1.96 standard errors wide.
        assert row["p_holds_high"] - row["p_holds_low"] == pytest.approx(2 * 1.96 * np.sqrt(0.875 * 0.125 / 400_000), rel=0.02)
    # A claim that holds in every draw: P = 1, and still an interval [N / (N + z^2), 1], never "+- 0".
    assert table.loc["balance", "p_holds"] == 1 and table.loc["balance", "p_holds_high"] == 1
    assert table.loc["balance", "p_holds_low"] == pytest.approx(400_000 / (400_000 + 1.959963984540054 ** 2))
    # And their break-even: D1 6 falls to D2's 5 (or D2 rises to 6); the balance cannot flip (6 > 4.5 room).
    assert table.loc["strongest_driving", "break_even_text"] == "D1 −1 (to 5; room on the scale 5)"
    assert np.isnan(table.loc["balance", "break_even"])
    # Jointly, D1 and D2 meet half way: 0.5 each, 1 in total. The balance's margin 6 can be closed when
    # all three move: rooms 5 (D1 down to 1), 4 (D2 down to 1), 5 (R1 up to 10); 3 x 2 = 6, so each
    # moves by 2 (none needs more than its room), 6 in total.
    assert table.loc["strongest_driving", "flip_max_change"] == 0.5 and table.loc["strongest_driving", "flip_total_change"] == 1
    assert table.loc["balance", "flip_max_change"] == 2 and table.loc["balance", "flip_total_change"] == 6


def test_claims_table_is_the_monte_carlo_and_break_even_at_given_scores():
    table = claims_table(CLAIMS, F, SCALE, "uniform", 0.5, 20_000, seed=0)
    assert list(table.columns) == ["claim", "statement", "statement_en", "holds", "p_holds", "p_holds_low", "p_holds_high",
                                   "draws", "break_even", "break_even_force", "break_even_text", "flip_max_change",
                                   "flip_max_moves", "flip_total_change", "flip_total_moves"]
    mc = monte_carlo(CLAIMS, F, SCALE, "uniform", 0.5, 20_000, seed=0, keep=0)
    assert table.set_index("claim")["p_holds"].to_dict() == mc.p_holds
    # The explorer moves a slider: R2 lowered by 0.2 ties the balance at 11.3, so it no longer holds.
    moved = F.assign(score=F["score"].where(F["id"] != "R2", 3.8))
    row = claims_table(CLAIMS, moved, SCALE, "uniform", 0.5, 2_000, seed=0).set_index("claim").loc["balance"]
    # At the tie, any fall of a driving score (or rise of a restraining one) wins it back: D1 comes first.
    assert not row["holds"] and row["break_even"] == 0
    assert row["break_even_text"] == "D1: any fall (it holds below 5; room on the scale 5)"
    assert row["flip_max_change"] == 0 and row["flip_total_change"] == 0  # at the boundary already


# ---------------------------------------------------------------- curves
def test_curves_hold_only_models_with_a_width_and_the_others_are_levels(tmp_path):
    curves = robustness_curves(CLAIMS, F, SCALE, default_widths(SCALE), 2000, 0)
    assert set(curves["model"]) == {"uniform"}
    assert sorted(set(curves["half_width"])) == [0.1, 0.25, 0.5, 0.75, 1.0]  # 2 % to 20 % of 0-5
    assert ((curves["p_holds_low"] <= curves["p_holds"]) & (curves["p_holds"] <= curves["p_holds_high"])).all()
    assert (curves["p_holds_high"] > curves["p_holds_low"]).all()  # never a width of 0
    levels = reference_levels(CLAIMS, F, SCALE, 2000, 0)
    assert list(levels.columns) == ["model", "claim", "draws_held", "draws", "p_holds", "p_holds_low", "p_holds_high"]
    assert list(dict.fromkeys(levels["model"])) == ["integer", "ordinal", "dirichlet"]
    assert default_widths(Scale(1, 10)) == (0.18, 0.45, 0.9, 1.35, 1.8)


# ---------------------------------------------------------------- the whole analysis and its files
def test_analyse_keeps_the_papers_results_and_writes_strict_json():
    result = analyse(PAPER, draws=20_000)
    claims = result["claims"].set_index("claim")
    assert claims["holds"].all() and (claims.loc[claims.index != "balance", "p_holds"] == 1).all()
    assert claims.loc["balance", "break_even"] == 0.2 and claims.loc["chain", "break_even_text"] == "does not depend on the scores"
    notes = " ".join(result["notes"])
    # The global indices say which model they use, and it is the clipped one P(holds) uses.
    assert "then clip it to the scale 0–5 (sample, then clip: the uniform Monte Carlo's model)" in notes
    assert "Where h comes from: h = 0.5 as given." in notes
    files = result_files(result)
    parsed = strict_json(files["sensitivity.json"])
    assert parsed["settings"]["integer_grid_step"] == 1 and parsed["settings"]["break_even_convention"]
    assert parsed["settings"]["rounding_rule"].startswith("half up (a half goes towards +infinity")
    assert {"rank_acceptability", "pairwise", "order_survives", "kendall_tau", "net_histogram", "convergence", "sobol",
            "pawn", "model_assumptions"} <= set(parsed)
    assert sorted({row["draws"] for row in parsed["convergence"]}) == [1000, 2000, 5000, 10_000, 20_000]
    written = pd.read_csv(pd.io.common.StringIO(files["claims.csv"]))
    assert written["break_even"].dtype == float and np.isnan(written.set_index("claim").loc["chain", "break_even"])
    assert "break_even_text" in written.columns
    # Every probability in claims.csv has its interval, and the interval holds the estimate.
    assert ((written["p_holds_low"] <= written["p_holds"]) & (written["p_holds"] <= written["p_holds_high"])).all()
    assert (written["p_holds_high"] > written["p_holds_low"]).all()
    balance = written.set_index("claim").loc["balance"]
    assert balance["flip_max_change"] == pytest.approx(0.2 / 7) and balance["flip_total_change"] == pytest.approx(0.2)


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
    assert list(claims.columns[:13]) == ["claim", "holds", "p_holds", "p_holds_low", "p_holds_high", "draws", "break_even",
                                         "break_even_force", "break_even_text", "flip_max_change", "flip_max_moves",
                                         "flip_total_change", "flip_total_moves"]
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
    # The histogram's "restraining side wins" is the balance claim's P(holds): the same 30 000 draws,
    # counted, not kept.
    result = analyse(PAPER, draws=30_000, seed=3)
    net = result["net_histogram"]
    assert net.draws == 30_000 and net.counts.sum() + net.ties == 30_000
    balance = result["claims"].set_index("claim").loc["balance", "p_holds"]
    assert net.restraining_wins / 30_000 == balance
    assert net.counts[net.edges[:-1] < 0].sum() == net.restraining_wins  # 0 is an edge: no bin straddles it


def test_precision_chooses_the_draws_and_says_which_intervals_are_still_wider():
    # Every Wilson interval from N draws is at most z / sqrt(N + z^2) wide; tau-b's mean spans [-1, 1],
    # twice a probability's range, so a precision of 0.05 takes (2 z / 0.05)^2 = 6147 draws.
    assert draws_for(0.05) == 6147
    result = analyse(PAPER, precision=0.05, seed=1)
    assert result["settings"]["draws"] == 6147 and result["settings"]["curve_draws"] == 6147
    for table, low, high in (("claims", "p_holds_low", "p_holds_high"), ("rank_acceptability", "p_low", "p_high"),
                             ("pairwise", "p_above_low", "p_above_high"), ("curves", "p_holds_low", "p_holds_high"),
                             ("kendall_tau", "mean_tau_b_low", "mean_tau_b_high")):
        widths = result[table][high] - result[table][low]
        assert (widths < 0.05).all(), table
    # The global indices' samples are fixed: where their intervals are wider, the notes say so.
    wide = result["settings"]["intervals_wider_than_asked"]
    assert all(line.startswith(("Sobol", "PAWN")) for line in wide)
    assert any("Asked for intervals narrower than 0.05: 6,147 draws." in note for note in result["notes"])


def test_cli_precision_and_half_width_from_raters(tmp_path, capsys):
    raters = paths.EXAMPLES / "rater_scores.csv"
    assert main(["sensitivity", "--out", str(tmp_path / "o"), "--precision", "0.05", "--half-width-from", str(raters),
                 "--lang", "en"]) == 0
    settings = strict_json((tmp_path / "o" / "sensitivity.json").read_text())["settings"]
    # examples/rater_scores.csv: half-ranges D1 0.5, D2 0.75, D3 0.5, D4 0.5, R1 0.75, R2 0.5, R3 0.75,
    # R4 0.5 (worked in test_compare); their median is 0.5.
    assert settings["half_width"] == 0.5 and settings["draws"] == 6147
    assert settings["half_width_source"].startswith("from the raters in rater_scores.csv: h = the median over the forces")
    out = capsys.readouterr().out
    assert "P(holds) [95 % interval]" in out and "± 0" not in out
    # A claim that held in all 6147 draws: [N / (N + z^2), 1] = [0.99937..., 1], shown so that it reads as an interval.
    assert "1.000 [0.999, 1.000]" in out


@pytest.mark.parametrize("args, message", [
    (["--precision", "0"], "--precision must lie between 0 and 1"),
    (["--half-width-from", "no-such-file.csv"], "no such file"),
])
def test_cli_bad_precision_or_raters_file(args, message, tmp_path, capsys):
    assert main(["sensitivity", "--out", str(tmp_path / "o"), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not os.path.exists(tmp_path / "o")


def test_cli_one_rater_cannot_give_h(tmp_path, capsys):
    one = tmp_path / "one.csv"
    one.write_text("rater,id,score\n" + "".join(f"me,{i},{s}\n" for i, s in zip(F["id"], F["score"])), encoding="utf-8")
    assert main(["sensitivity", "--out", str(tmp_path / "o"), "--half-width-from", str(one)]) == 2
    assert "h needs at least two raters" in capsys.readouterr().err
    assert not os.path.exists(tmp_path / "o")
