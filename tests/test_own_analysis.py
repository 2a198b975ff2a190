"""Students' own analyses and reviewers' own scores: templates, other sizes and scales, no lotus,
no scores, raters compared with the paper, agreement by Kendall's W."""

import json

import pandas as pd
import pytest

from repro import AnalysisError, load_analysis, paths
from repro.cli import main
from repro.methods.claims import claims_for, holds_at
from repro.methods.compare import compare, kendalls_w, load_rater_scores, result_files
from repro.pipeline.reproduce import reproduce

from conftest import pdf_page_points, svg_page_points, write_csv

RATERS = paths.EXAMPLES / "rater_scores.csv"


def test_template_validates_and_is_never_written_over(tmp_path, capsys):
    folder = tmp_path / "mine"
    assert main(["template", str(folder), "--lang", "ru"]) == 0
    assert {p.name for p in folder.iterdir()} == {"swot.csv", "force_field.csv", "lotus.csv", "claims.csv",
                                                  "datapackage.json"}
    analysis = load_analysis(folder)
    assert (analysis.scale.minimum, analysis.scale.maximum) == (1, 5)
    assert analysis.forces["text"].iloc[0] == "Пример возможности"
    # The example claims validate against the example rows, and hold there (D1 = 3 against R1 = 2).
    claims = claims_for(analysis).claims
    assert [c.kind for c in claims] == ["side_outweighs", "outweighs", "chain"]
    assert all(holds_at(claims, analysis.forces).values())
    before = (folder / "swot.csv").read_bytes()
    assert main(["template", str(folder)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert (folder / "swot.csv").read_bytes() == before


def test_tutorial_example_is_a_different_valid_analysis():
    analysis = load_analysis(paths.EXAMPLES / "tutorial")
    assert len(analysis.forces) == 5 and analysis.lotus["block"].nunique() == 2
    assert analysis.swot["text_en"].eq("").all()  # English-only text, no translation column


def test_reproduce_on_an_analysis_without_lotus_or_scores(small_analysis, tmp_path):
    (small_analysis / "lotus.csv").unlink()
    write_csv(small_analysis / "force_field.csv", ["id", "kind", "direction", "text", "swot_id"], [
        ["D1", "force", "driving", "A grant programme", "O1"],
        ["R1", "force", "restraining", "Volunteer burnout", "T1"],
    ])
    lines = []
    out = reproduce(small_analysis, tmp_path / "out", lang="en", formats=("png", "pdf", "svg"), progress=lines.append)
    assert any("skipped lotus.ipynb" in line for line in lines)
    assert any("skipped sensitivity.ipynb" in line for line in lines)
    assert (out / "figures" / "swot.png").exists()
    for name in ("swot", "force_field"):  # SVG on request: the same page as the PDF
        stem = out / "figures" / name
        assert svg_page_points(stem.with_suffix(".svg")) == pytest.approx(pdf_page_points(stem.with_suffix(".pdf")),
                                                                           abs=0.01), name
    html = (out / "report.html").read_text()
    assert "no lotus flower" in html and "Volunteer burnout" in html


def test_reproduce_and_sensitivity_on_another_size_and_scale(small_analysis, tmp_path):
    # A student's own claims, one of every kind. Driving 8, 6, 6 against restraining 9, 4 (1-10):
    write_csv(small_analysis / "claims.csv", ["id", "kind", "side", "force", "other", "k", "statement", "origin"], [
        ["we_win", "side_outweighs", "driving", "", "", "", "our side outweighs (20 against 13)", "authors"],  # holds
        ["grant_first", "strongest", "", "D1", "", "", "the grant matters most", "authors"],                 # 8 > 6, 6
        ["council_last", "weakest", "", "D2", "", "", "council support matters least", "authors"],         # ties D3
        ["burnout_over_grant", "outweighs", "", "R1", "D1", "", "burnout outweighs the grant", "method"],  # 9 > 8
        ["council_top2", "top_k", "", "D2", "", "2", "council support is in the top 2", "method"],         # D1, D3 >= 6
        ["chain", "chain", "", "", "", "", "the chain holds", "method"],
    ])
    expected = {"we_win": True, "grant_first": True, "council_last": False, "burnout_over_grant": True,
                "council_top2": False, "chain": True}
    out = reproduce(small_analysis, tmp_path / "out", lang="en", notebooks=["force_field", "lotus", "sensitivity"],
                    extra_parameters={"draws": 2000}, progress=lambda l: None)
    numbers = json.loads((out / "numbers" / "force_field.json").read_text())
    assert (numbers["driving_total"], numbers["restraining_total"], numbers["scale"]) == (20, 13, [1, 10])
    assert (out / "figures" / "lotus_canonical.pdf").exists()
    # The report shows the student's claims, as the sensitivity notebook evaluated them.
    claims = json.loads((out / "numbers" / "claims.json").read_text())["claims"]
    assert {c["claim"]: c["holds"] for c in claims} == expected
    html = (out / "report.html").read_text()
    assert all(claim_id in html for claim_id in expected)
    assert main(["sensitivity", "--data", str(small_analysis), "--out", str(tmp_path / "s"), "--draws", "2000"]) == 0
    written = pd.read_csv(tmp_path / "s" / "claims.csv").set_index("claim")
    assert written["holds"].to_dict() == expected
    # council_last fails at a tie with D3 = 6: any fall of D2 (or rise of D3) makes it hold.
    assert written.loc["council_last", "break_even_text"] == "D2: any fall (it holds below 6; room on the scale 5)"
    raters = tmp_path / "raters.csv"
    raters.write_text("rater,id,score\n" + "".join(f"{r},{f},{s}\n" for r, scores in
                                                   (("ana", (7, 5, 6, 9, 3)), ("ben", (9, 6, 4, 8, 5)))
                                                   for f, s in zip(("D1", "D2", "D3", "R1", "R2"), scores)))
    assert main(["compare", str(raters), "--data", str(small_analysis), "--out", str(tmp_path / "c")]) == 0
    support = pd.read_csv(tmp_path / "c" / "compare_claims.csv").set_index("claim")
    # ana: D2 5 is weakest, R1 9 > D1 7; ben: D3 4 is weakest (not D2), R1 8 < D1 9.
    assert support.loc["council_last", "raters_supporting"] == 1 and support.loc["burnout_over_grant", "raters_supporting"] == 1


def test_kendalls_w_worked_by_hand():
    same = pd.DataFrame([[1, 2, 3], [1, 2, 3], [1, 2, 3]])
    assert kendalls_w(same) == pytest.approx(1.0)
    opposite = pd.DataFrame([[1, 2, 3], [3, 2, 1]])
    assert kendalls_w(opposite) == pytest.approx(0.0)
    # Ranks (1.5, 1.5, 3) and (1, 2, 3): sums 2.5, 3.5, 6, mean 4, S = 6.5; one tie of 2: T = 6;
    # W = 12 * 6.5 / (2^2 * (27 - 3) - 2 * 6) = 78 / 84.
    tied = pd.DataFrame([[1, 1, 2], [1, 2, 3]])
    assert kendalls_w(tied) == pytest.approx(78 / 84)
    # Undefined, not NaN: one rater, one item, or every rater tying everything (denominator 0).
    assert kendalls_w(pd.DataFrame([[1, 2, 3]])) is None and kendalls_w(pd.DataFrame([[1], [2]])) is None
    assert kendalls_w(pd.DataFrame([[2, 2], [5, 5]])) is None


def test_compare_raters_with_the_paper():
    paper = load_analysis()
    result = compare(paper, load_rater_scores(RATERS, paper))
    support = result["support"].set_index("claim")
    assert support.loc["balance", "raters"] == 3 and support["holds_at_published_scores"].all()
    # Reviewer A: driving 4+3+2+2.5 = 11.5, restraining 3+4.5+2+1 = 10.5: the driving side wins.
    assert not result["claims_by_rater"].loc["reviewer A", "balance"]
    assert support.loc["balance", "raters_supporting"] == 2
    assert support.loc["strongest_driving", "raters_supporting"] == 3
    # Reviewer C scores R2 5 against R1 2.5, R3 3.5, R4 1.5; B ties R1 = R2 = 4: not strictly strongest.
    assert support.loc["strongest_restraining", "raters_supporting"] == 2
    assert 0 < result["kendalls_w"]["all_forces"] <= 1


def strict_json(text):
    def refuse(constant):
        raise ValueError(f"not strict JSON: {constant}")
    return json.loads(text, parse_constant=refuse)


def test_compare_command_writes_its_outputs(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["compare", str(RATERS), "--out", str(out)]) == 0
    assert (out / "compare_claims.csv").exists() and (out / "figures" / "compare_scores.png").exists()
    assert "Kendall's W" in capsys.readouterr().out
    written = strict_json((out / "compare.json").read_text())
    assert written["published_scores"]["D2"] == 3.2 and len(written["rater_scores"]) == 24
    assert strict_json((out / "manifest.json").read_text())["command"] == "compare"
    assert main(["compare", str(RATERS), "--out", str(out)]) == 0  # its own earlier output is replaced


def test_a_rater_called_paper_and_a_single_rater(tmp_path, capsys):
    path = tmp_path / "one.csv"
    path.write_text("rater,id,score\n" + "".join(f"paper,{line.split(',', 1)[1]}\n" for line in
                                                 RATERS.read_text().splitlines() if line.startswith("reviewer A")))
    paper = load_analysis()
    result = compare(paper, load_rater_scores(path, paper))
    # "paper" is a rater like any other: reviewer A's scores, under which the driving side wins.
    assert list(result["raters"].index) == ["paper"] and not result["claims_by_rater"].loc["paper", "balance"]
    assert result["support"].set_index("claim").loc["balance", "holds_at_published_scores"]
    # One rater: no agreement to measure, said plainly, null in the JSON.
    assert result["kendalls_w"] == {"all_forces": None, "driving": None, "restraining": None}
    assert "agreement needs at least two raters" in " ".join(result["notes"])
    assert strict_json(result_files(result)["compare.json"])["kendalls_w"]["all_forces"] is None
    assert main(["compare", str(path), "--out", str(tmp_path / "out"), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "agreement needs at least two raters" in out and "Kendall's W: undefined" in out
    # By default in the analysis's language (Russian for the paper).
    assert main(["compare", str(path), "--out", str(tmp_path / "out")]) == 0
    assert "W Кендалла не определён: для согласия нужны хотя бы два эксперта." in capsys.readouterr().out


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
    assert not (tmp_path / "out").exists()


def test_rater_missing_a_force_is_named(tmp_path):
    path = tmp_path / "scores.csv"
    path.write_text("\n".join(l for l in RATERS.read_text().splitlines() if l != "reviewer B,R4,2") + "\n")
    with pytest.raises(AnalysisError, match="rater 'reviewer B' has no score for R4"):
        load_rater_scores(path, load_analysis())


def test_the_commands_next_steps_name_the_command_as_typed_and_only_what_applies(tmp_path, capsys, monkeypatch):
    # Typed as `.venv/bin/repro` in the clone, or by its full path from elsewhere: the suggestion is
    # that command, so it runs as written; a student's results have no reference to verify against.
    monkeypatch.setattr("sys.argv", ["/somewhere/my clone/.venv/bin/repro"])
    folder = tmp_path / "mine"
    assert main(["template", str(folder)]) == 0
    assert f"'/somewhere/my clone/.venv/bin/repro' validate --data {folder}" in capsys.readouterr().out
    assert main(["reproduce", "--data", str(folder), "--out", str(tmp_path / "out"), "--lang", "en"]) == 0
    printed = capsys.readouterr().out
    assert "Results in" in printed and "verify" not in printed


# ---------------------------------------------------------------------------------------------------
# The template is the student's own (issue 17).

def _texts(node, keys=("title", "description")) -> list[str]:
    """Every title and description in a descriptor, however deep."""
    found = []
    if isinstance(node, dict):
        found += [str(v) for k, v in node.items() if k in keys]
        for v in node.values():
            found += _texts(v, keys)
    elif isinstance(node, list):
        for v in node:
            found += _texts(v, keys)
    return found


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_template_speaks_of_the_students_analysis_not_the_article(tmp_path, lang):
    from repro.pipeline.template import write_template
    write_template(tmp_path / "mine", lang=lang, workbook=lang == "ru")
    descriptor = json.loads((tmp_path / "mine" / "datapackage.json").read_text(encoding="utf-8"))
    texts = _texts(descriptor)
    assert len(texts) > 30
    for word in ("article", "Table 1", "Table 2", "Table 3", "paper", "Russian, verbatim", "as published", "quotation",
                 "Paper:", "Zholdybayev", "Жолдыбаев", "статьи"):
        assert not [t for t in texts if word in t], word
    assert "your analysis" in descriptor["licenses"][0]["description"]
    assert [r["title"] for r in descriptor["resources"]] == ["SWOT analysis", "Force field", "Lotus flower",
                                                             "Your conclusions"]


def test_the_scale_and_the_theme_are_asked_for_and_declared_at_the_top(tmp_path, capsys):
    folder = tmp_path / "mine"
    assert main(["template", str(folder), "--scale", "1-10", "--theme", "Online elections"]) == 0
    assert "The score scale (1-10)" in capsys.readouterr().out
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert list(descriptor)[:6] == ["profile", "name", "title", "description", "scale", "theme"]
    assert descriptor["scale"] == {"minimum": 1, "maximum": 10} and descriptor["theme"] == "Online elections"
    score = next(f for r in descriptor["resources"] for f in r["schema"]["fields"] if f["name"] == "score")
    assert "minimum" not in score.get("constraints", {})  # declared once, at the top
    analysis = load_analysis(folder)
    assert (analysis.scale.minimum, analysis.scale.maximum) == (1, 10)
    assert analysis.caption("lotus") == "Online elections"  # the lotus flower's centre
    # Another scale, declared in the one obvious place, is the scale.
    descriptor["scale"] = {"minimum": -3, "maximum": 3}
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    assert str(load_analysis(folder).scale) == "-3 to 3"


@pytest.mark.parametrize("scale", ["10-1", "5", "one to five", "3-3"])
def test_a_scale_that_is_no_scale_is_refused_before_anything_is_written(tmp_path, capsys, scale):
    assert main(["template", str(tmp_path / "mine"), "--scale", scale]) == 2
    assert "--scale" in capsys.readouterr().err
    assert not (tmp_path / "mine").exists()


def test_two_different_scales_in_one_codebook_are_refused(small_analysis, capsys):
    descriptor = json.loads((small_analysis / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["scale"] = {"minimum": 0, "maximum": 5}  # the score field says 1-10
    (small_analysis / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    assert main(["validate", "--data", str(small_analysis)]) == 2
    assert "declares two scales: 0-5 at the top (scale) and 1-10 in the force_field resource" in capsys.readouterr().err


def test_the_templates_examples_are_said_to_be_examples_until_replaced(tmp_path, capsys):
    folder = tmp_path / "mine"
    main(["template", str(folder)])
    capsys.readouterr()
    assert main(["validate", "--data", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "template: still the template's example rows, unchanged: swot.csv, rows 2-4; force_field.csv, rows 2-4; " \
           "lotus.csv, row 2" in out
    assert "claims.csv, rows 2-4: the template's example claims, unchanged. They are not your conclusions" in out
    assert "the title, description and sources are still the template's placeholders" in out
    # The student's own rows, title, description and source: nothing is the template's any more.
    write_csv(folder / "swot.csv", ["id", "quadrant", "number", "text"],
              [["S1", "S", 1, "Many volunteers"], ["O1", "O", 1, "A grant"], ["T1", "T", 1, "Rain"]])
    write_csv(folder / "force_field.csv", ["id", "kind", "direction", "score", "text", "swot_id"],
              [["D1", "force", "driving", 4, "A grant", "O1"], ["R1", "force", "restraining", 2, "Rain", "T1"]])
    write_csv(folder / "lotus.csv", ["id", "centre_id", "block", "cell_row", "cell_col", "text"],
              [["P1", "R1", 1, 1, 1, "A tent"]])
    capsys.readouterr()
    assert main(["validate", "--data", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "example rows" not in out and "example claims" in out  # the claims are still the examples
    (folder / "claims.csv").unlink()
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    descriptor.update(title="The town festival", description="Should we run it again?",
                      sources=[{"title": "Our meeting notes"}])
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    assert main(["validate", "--data", str(folder)]) == 0
    assert "template:" not in capsys.readouterr().out


def test_a_report_of_the_unchanged_template_says_so_at_the_top(tmp_path):
    from repro.pipeline.report import render_report
    from repro.pipeline.template import write_template

    write_template(tmp_path / "mine", lang="ru")
    (tmp_path / "out").mkdir()
    html = render_report(load_analysis(tmp_path / "mine"), tmp_path / "out", lang="ru")
    top = html[html.index("<body>"):html.index("<h1>")]
    assert "Заголовок, описание и источник этого отчёта — ещё заготовки шаблона" in top
    assert "строки-примеры шаблона (swot.csv, строки 2, 3, 4;" in top
    assert "Проверяемые выводы — примеры из шаблона (claims.csv, строки 2, 3, 4)" in top
    html = render_report(load_analysis(paths.PAPER_DATA), tmp_path / "out", lang="en")
    assert 'class="unfinished"' not in html.split("</style>")[1]  # the paper's report has nothing of the kind


def test_the_reports_top_says_one_placeholder_in_the_singular_in_each_language(tmp_path):
    # The count of placeholders chooses the message's plural form (the words before issue 18 said
    # "The title of this report are still the template's placeholders").
    from repro.pipeline.report import render_report
    from repro.pipeline.template import write_template

    write_template(tmp_path / "mine", lang="ru")
    descriptor = json.loads((tmp_path / "mine" / "datapackage.json").read_text(encoding="utf-8"))
    descriptor.update(description="Выборы в городе", sources=[{"title": "Протокол собрания"}])
    (tmp_path / "mine" / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "out").mkdir()
    analysis = load_analysis(tmp_path / "mine")
    assert analysis.placeholders == ["title"]
    tops = {lang: (lambda html: html[html.index("<body>"):html.index("<h1>")])(
        render_report(analysis, tmp_path / "out", lang=lang)) for lang in ("ru", "en")}
    assert "Заголовок этого отчёта — ещё заготовка шаблона, а не слова автора: замените её" in tops["ru"]
    assert "The title of this report is still the template&#39;s placeholder, not the author&#39;s words: " \
           "write it in" in tops["en"]
    # the example rows are said in the page's language, whatever the analysis's: rows are listed, not counted
    assert "(swot.csv, rows 2, 3, 4; force_field.csv, rows 2, 3, 4; lotus.csv, row 2)" in tops["en"]
    assert "(swot.csv, строки 2, 3, 4; force_field.csv, строки 2, 3, 4; lotus.csv, строка 2)" in tops["ru"]


def test_the_sensitivity_of_the_templates_example_claims_says_they_are_examples(tmp_path, capsys):
    folder = tmp_path / "mine"
    main(["template", str(folder)])
    capsys.readouterr()
    assert main(["sensitivity", "--data", str(folder), "--out", str(tmp_path / "out"), "--draws", "1000"]) == 0
    assert "template: claims.csv, rows 2-4: the template's example claims, unchanged. They are not your " \
           "conclusions" in capsys.readouterr().out
