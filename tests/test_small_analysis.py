"""Nothing assumes the paper's sizes: a smaller analysis on a 1-10 scale validates and computes."""

from repro import load_analysis
from repro.cli import main
from repro.methods.force_field import balance, rank_forces

from conftest import write_csv


def test_small_analysis_validates_with_its_own_scale(small_analysis):
    analysis = load_analysis(small_analysis)
    assert (analysis.scale.minimum, analysis.scale.maximum) == (1, 10)
    assert len(analysis.swot) == 8 and analysis.swot["quadrant"].value_counts().to_dict() == {"O": 3, "S": 2, "T": 2, "W": 1}
    assert len(analysis.lotus) == 8  # a full block


def test_small_analysis_balance_by_hand(small_analysis):
    b = balance(load_analysis(small_analysis).forces)
    # driving 8 + 6 + 6 = 20, restraining 9 + 4 = 13, net +7, ratio 20/13
    assert (b.driving_total, b.restraining_total, b.net, b.verdict) == (20, 13, 7, "driving")
    assert (b.n_driving, b.n_restraining) == (3, 2)


def test_small_analysis_ties_on_the_driving_side(small_analysis):
    ranks = rank_forces(load_analysis(small_analysis).forces).set_index("id")
    assert ranks["rank"].to_dict() == {"D1": 1, "D2": 2, "D3": 2, "R1": 1, "R2": 2}
    assert ranks.loc["D2", "tied_with"] == "D3"


def test_score_outside_the_folders_own_scale(small_analysis, capsys):
    path = small_analysis / "force_field.csv"
    path.write_text(path.read_text().replace("R2,force,restraining,4", "R2,force,restraining,11"))
    assert main(["validate", str(small_analysis)]) == 2
    assert 'force_field.csv, row 6 (id R2), column "score": expected a score on the declared scale 1-10, found 11' in capsys.readouterr().err


def test_a_ninth_proposal_has_no_free_cell(small_analysis, capsys):
    path = small_analysis / "lotus.csv"
    path.write_text(path.read_text() + "P9,R1,1,1,1,One idea too many\n")
    assert main(["validate", str(small_analysis)]) == 2
    assert "each cell holds one proposal" in capsys.readouterr().err


def test_analysis_without_lotus_or_scores(small_analysis, capsys):
    (small_analysis / "lotus.csv").unlink()
    write_csv(small_analysis / "force_field.csv", ["id", "kind", "direction", "text", "swot_id"], [
        ["D1", "force", "driving", "A grant programme", "O1"],
        ["R1", "force", "restraining", "Volunteer burnout", "T1"],
    ])
    analysis = load_analysis(small_analysis)
    assert analysis.lotus is None and not analysis.has_scores
    assert main(["validate", str(small_analysis)]) == 0
    out = capsys.readouterr().out
    assert "no lotus flower" in out and "no scores" in out
    assert main(["summary", str(small_analysis)]) == 0
    assert "no scores" in capsys.readouterr().out


def test_summary_command_prints_the_paper_totals(capsys):
    assert main(["summary"]) == 0
    out = capsys.readouterr().out
    assert "driving total      11.3" in out and "restraining total  11.5" in out and "net                -0.2" in out
    assert "2. R1 (3, tied with R3)" in out
