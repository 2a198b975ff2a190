"""Force-field arithmetic, against hand-worked totals."""

import numpy as np
import pandas as pd
import pytest

from repro import load_analysis
from repro.methods.force_field import balance, net_scores, rank_forces, side_ranks


def forces(driving, restraining):
    rows = [(f"D{i}", "driving", s) for i, s in enumerate(driving, 1)]
    rows += [(f"R{i}", "restraining", s) for i, s in enumerate(restraining, 1)]
    return pd.DataFrame(rows, columns=["id", "direction", "score"])


def test_paper_totals_are_exact_as_printed():
    b = balance(load_analysis().forces)
    # 5 + 3.2 + 0.6 + 2.5 = 11.3 ; 3 + 4 + 3 + 1.5 = 11.5 ; 11.3 - 11.5 = -0.2 (Table 2)
    assert (b.driving_total, b.restraining_total, b.net) == (11.3, 11.5, -0.2)
    assert repr(b.driving_total) == "11.3" and repr(b.net) == "-0.2"
    assert b.verdict == "restraining"
    assert b.ratio == pytest.approx(11.3 / 11.5)


def test_totals_are_exact_where_a_float_sum_is_not():
    # 5 + 3.2 + 0.6 + 2.5 is 11.299999999999999 in binary floats, 0.1 + 0.2 is 0.30000000000000004:
    # balance() must still give the printed 11.3 and an exact tie of 0.1 + 0.2 against 0.3.
    b = balance(forces([5, 3.2, 0.6, 2.5], [0.1, 0.2]))
    assert b.driving_total == 11.3 and b.restraining_total == 0.3 and b.net == 11.0
    assert balance(forces([0.1, 0.2], [0.3])).net == 0.0


def test_side_ranks_share_ties_and_rank_each_draw():
    f = forces([5, 3.2, 0.6, 2.5], [3, 4, 3, 1.5])
    draws = np.array([[5, 3.2, 0.6, 2.5, 3, 4, 3, 1.5],   # the paper: R1 and R3 tie for 2nd
                      [1, 1, 1, 1, 2, 2, 2, 2],           # everything tied: all rank 1
                      [1, 2, 3, 4, 4, 3, 2, 1]])          # reversed order
    assert side_ranks(draws, f).tolist() == [[1, 2, 4, 3, 2, 1, 2, 4], [1] * 8, [4, 3, 2, 1, 1, 2, 3, 4]]


def test_tie_and_driving_verdicts():
    assert balance(forces([2, 1], [3])).verdict == "tie"
    b = balance(forces([0.1, 0.2], [0.3]))
    assert b.net == 0.0 and b.verdict == "tie"  # 0.1 + 0.2 == 0.3 in decimal, not in float
    assert balance(forces([4], [1, 1])).verdict == "driving"


def test_paper_rankings_report_the_tie_between_r1_and_r3():
    ranks = rank_forces(load_analysis().forces).set_index("id")
    assert ranks.loc[["D1", "D2", "D4", "D3"], "rank"].tolist() == [1, 2, 3, 4]
    assert ranks.loc[["R2", "R1", "R3", "R4"], "rank"].tolist() == [1, 2, 2, 4]
    assert ranks.loc["R1", "tied_with"] == "R3" and ranks.loc["R3", "tied_with"] == "R1"
    assert not ranks.loc[["D1", "D2", "D3", "D4", "R2", "R4"], "tied"].any()


def test_net_scores_vectorised_matches_balance():
    f = forces([5, 3.2, 0.6, 2.5], [3, 4, 3, 1.5])
    draws = np.array([[5, 3.2, 0.6, 2.5, 3, 4, 3, 1.5], [1, 1, 1, 1, 0, 0, 0, 0]])
    assert net_scores(draws, f) == pytest.approx([-0.2, 4.0])


def test_unscored_forces_have_no_balance():
    with pytest.raises(ValueError, match="no scores"):
        balance(forces([float("nan")], [1]))


def test_the_mean_rule_can_disagree_with_the_sum_rule_when_the_sides_differ_in_size():
    import pandas as pd

    from repro.methods.force_field import balance, mean_rule

    # Five driving forces of 2 (sum 10, mean 2) against three restraining ones of 3 (sum 9, mean 3).
    forces = pd.DataFrame({"id": [f"D{i}" for i in range(1, 6)] + ["R1", "R2", "R3"],
                           "direction": ["driving"] * 5 + ["restraining"] * 3, "score": [2.0] * 5 + [3.0] * 3})
    assert balance(forces).verdict == "driving"
    rule = mean_rule(forces)
    assert (rule.driving_mean, rule.restraining_mean, rule.verdict) == (2.0, 3.0, "restraining")
    # Means in decimal arithmetic: 0.1 + 0.2 over two forces is 0.15 exactly, tying 0.15.
    tied = pd.DataFrame({"id": ["D1", "D2", "R1"], "direction": ["driving", "driving", "restraining"],
                         "score": [0.1, 0.2, 0.15]})
    assert mean_rule(tied).verdict == "tie"
