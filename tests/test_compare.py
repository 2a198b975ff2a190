"""The raters' spread per force and the noise half-width h it suggests, worked by hand."""

import json

import pytest

from repro import load_analysis, paths
from repro.cli import main
from repro.methods.compare import compare, load_rater_scores, rater_spread, suggested_half_width

PAPER = load_analysis()
RATERS = paths.EXAMPLES / "rater_scores.csv"


def test_the_raters_spread_and_the_suggested_half_width_by_hand():
    raters = load_rater_scores(RATERS, PAPER)
    spread = rater_spread(raters).set_index("id")
    # examples/rater_scores.csv, three reviewers: D1 4, 5, 4.5 -> half-range (5 - 4) / 2 = 0.5; D2 3, 2,
    # 3.5 -> 0.75; D3 2, 1, 1.5 -> 0.5; D4 2.5, 3, 2 -> 0.5; R1 3, 4, 2.5 -> 0.75; R2 4.5, 4, 5 -> 0.5;
    # R3 2, 3, 3.5 -> 0.75; R4 1, 2, 1.5 -> 0.5.
    assert spread["half_range"].to_dict() == {"D1": 0.5, "D2": 0.75, "D3": 0.5, "D4": 0.5, "R1": 0.75, "R2": 0.5,
                                              "R3": 0.75, "R4": 0.5}
    assert spread.loc["D2", ["lowest", "highest", "raters"]].tolist() == [2, 3.5, 3]
    assert spread.loc["D1", "sd"] == pytest.approx(0.5)  # 4, 5, 4.5: sd 0.5
    # Sorted: five of 0.5, three of 0.75; the median of eight is the mean of the 4th and 5th: 0.5.
    h, rule = suggested_half_width(raters)
    assert h == 0.5 and rule.startswith("h = the median over the forces of the raters' half-range")
    assert suggested_half_width(raters.iloc[:1]) == (None, "no h suggested: h needs at least two raters, whose scores "
                                                           "can disagree")


def test_compare_reports_the_spread_and_h(tmp_path, capsys):
    result = compare(PAPER, load_rater_scores(RATERS, PAPER))
    assert result["suggested_half_width"] == 0.5
    assert main(["compare", str(RATERS), "--out", str(tmp_path / "c")]) == 0
    written = json.loads((tmp_path / "c" / "compare.json").read_text(encoding="utf-8"))
    assert written["suggested_half_width"] == 0.5 and len(written["rater_spread"]) == 8
    # The rule is a sentence of the analysis's language (Russian for the paper); h itself a number.
    assert written["half_width_rule"].endswith("(3 эксперта, 8 сил): h = 0,5")
    assert compare(PAPER, load_rater_scores(RATERS, PAPER), "en")["half_width_rule"].endswith("(3 raters, 8 forces): h = 0.5")
    out = capsys.readouterr().out
    assert "Raters' half-range per force: D1 0.5, D2 0.75," in out
    assert f"sensitivity --half-width-from {RATERS}" in out
