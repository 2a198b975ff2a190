"""Students' own analyses and reviewers' own scores: templates, other sizes and scales, no lotus,
no scores, raters compared with the paper, agreement by Kendall's W."""

import json

import pandas as pd
import pytest

from repro import AnalysisError, load_analysis, paths
from repro.cli import main
from repro.methods.compare import compare, kendalls_w, load_rater_scores
from repro.pipeline.reproduce import reproduce

from conftest import write_csv

RATERS = paths.ROOT / "examples" / "rater_scores.csv"


def test_template_validates_and_is_never_written_over(tmp_path, capsys):
    folder = tmp_path / "mine"
    assert main(["template", str(folder), "--lang", "ru"]) == 0
    assert {p.name for p in folder.iterdir()} == {"swot.csv", "force_field.csv", "lotus.csv", "datapackage.json"}
    analysis = load_analysis(folder)
    assert (analysis.scale.minimum, analysis.scale.maximum) == (1, 5)
    assert analysis.forces["text"].iloc[0] == "Пример возможности"
    before = (folder / "swot.csv").read_bytes()
    assert main(["template", str(folder)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert (folder / "swot.csv").read_bytes() == before


def test_tutorial_example_is_a_different_valid_analysis():
    analysis = load_analysis(paths.ROOT / "examples" / "tutorial")
    assert len(analysis.forces) == 5 and analysis.lotus["block"].nunique() == 2
    assert analysis.swot["text_en"].eq("").all()  # English-only text, no translation column


def test_reproduce_on_an_analysis_without_lotus_or_scores(small_analysis, tmp_path):
    (small_analysis / "lotus.csv").unlink()
    write_csv(small_analysis / "force_field.csv", ["id", "kind", "direction", "text", "swot_id"], [
        ["D1", "force", "driving", "A grant programme", "O1"],
        ["R1", "force", "restraining", "Volunteer burnout", "T1"],
    ])
    lines = []
    out = reproduce(small_analysis, tmp_path / "out", lang="en", progress=lines.append)
    assert any("skipped lotus.ipynb" in line for line in lines)
    assert any("skipped sensitivity.ipynb" in line for line in lines)
    assert (out / "figures" / "force_field.svg").exists() and (out / "figures" / "swot.png").exists()
    html = (out / "report.html").read_text()
    assert "no lotus flower" in html and "Volunteer burnout" in html


def test_reproduce_and_sensitivity_on_another_size_and_scale(small_analysis, tmp_path):
    out = reproduce(small_analysis, tmp_path / "out", lang="en", notebooks=["force_field", "lotus"], progress=lambda l: None)
    numbers = json.loads((out / "numbers" / "force_field.json").read_text())
    assert (numbers["driving_total"], numbers["restraining_total"], numbers["scale"]) == (20, 13, [1, 10])
    assert (out / "figures" / "lotus_canonical.pdf").exists()
    assert main(["sensitivity", "--data", str(small_analysis), "--out", str(tmp_path / "s"), "--draws", "2000"]) == 0


def test_kendalls_w_worked_by_hand():
    same = pd.DataFrame([[1, 2, 3], [1, 2, 3], [1, 2, 3]])
    assert kendalls_w(same) == pytest.approx(1.0)
    opposite = pd.DataFrame([[1, 2, 3], [3, 2, 1]])
    assert kendalls_w(opposite) == pytest.approx(0.0)
    # Ranks (1.5, 1.5, 3) and (1, 2, 3): sums 2.5, 3.5, 6, mean 4, S = 6.5; one tie of 2: T = 6;
    # W = 12 * 6.5 / (2^2 * (27 - 3) - 2 * 6) = 78 / 84.
    tied = pd.DataFrame([[1, 1, 2], [1, 2, 3]])
    assert kendalls_w(tied) == pytest.approx(78 / 84)


def test_compare_raters_with_the_paper():
    paper = load_analysis()
    result = compare(paper, load_rater_scores(RATERS, paper))
    support = result["support"].set_index("claim")
    assert support.loc["balance", "raters"] == 3
    # Reviewer A: driving 4+3+2+2.5 = 11.5, restraining 3+4.5+2+1 = 10.5: the driving side wins.
    assert not result["claims_by_rater"].loc["reviewer A", "balance"]
    assert support.loc["balance", "raters_supporting"] == 2
    assert support.loc["strongest_driving", "raters_supporting"] == 3
    assert 0 < result["kendalls_w"]["all_forces"] <= 1


def test_compare_command_writes_its_outputs(tmp_path, capsys):
    assert main(["compare", str(RATERS), "--out", str(tmp_path)]) == 0
    assert (tmp_path / "compare_claims.csv").exists() and (tmp_path / "figures" / "compare_scores.png").exists()
    assert "Kendall's W" in capsys.readouterr().out


@pytest.mark.parametrize("change, message", [
    (("reviewer A,D1,4", "reviewer A,D9,4"), "'D9' is not a force of the analysis"),
    (("reviewer A,D1,4", "reviewer A,D1,lots"), "expected a number"),
    (("reviewer A,D1,4", "reviewer A,D1,9"), "on the analysis's scale 0-5"),
    (("reviewer A,D2,3", "reviewer A,D1,3"), "scores D1 twice"),
])
def test_bad_rater_file(change, message, tmp_path, capsys):
    path = tmp_path / "scores.csv"
    path.write_text(RATERS.read_text().replace(*change, 1))
    assert main(["compare", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "scores.csv" in err and message in err and "Traceback" not in err


def test_rater_missing_a_force_is_named(tmp_path):
    path = tmp_path / "scores.csv"
    path.write_text("\n".join(l for l in RATERS.read_text().splitlines() if l != "reviewer B,R4,2") + "\n")
    with pytest.raises(AnalysisError, match="rater 'reviewer B' has no score for R4"):
        load_rater_scores(path, load_analysis())
