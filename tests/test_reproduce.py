"""`repro reproduce`: every output written, the same bytes from any clone, any run and any number of
jobs, no absolute path or time in any file, the report the analysis's own, failures leave the
previous results intact, bad parameters refused before any notebook runs."""

import json
import os
from html import escape as html_escape
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from conftest import REPOSITORY, earlier_results, pdf_page_points, repro_executable, tree_snapshot, write_csv
from repro import load_analysis, paths
from repro.figures.common import DPI
from repro.i18n import gettext
from repro.pipeline.notebook_params import check_parameters, declared_parameters
from repro.pipeline.outdir import sha256
from repro.pipeline.report import render_report
from repro.pipeline.reproduce import ReproduceError, reproduce

FIGURES = ["swot", "force_field", "force_field_sorted", "lotus_published", "lotus_canonical"]


def test_every_figure_in_every_format_is_the_same_picture(results):
    """Each figure's PNG and PDF show one page of one size: the PNG has the PDF's page (in points,
    1/72 inch) at the figures' resolution (DPI dots per inch); the PNG is not blank. (SVG, written on request, is checked on a
    student's analysis in test_own_analysis.)"""
    for name in FIGURES + ["sensitivity_net_histogram", "sensitivity_robustness_curves", "sensitivity_break_even"]:
        stem = results / "figures" / name
        pdf_size = pdf_page_points(stem.with_suffix(".pdf"))
        with Image.open(stem.with_suffix(".png")) as png:
            width, height = png.size
            extrema = png.convert("L").getextrema()
        assert (width, height) == pytest.approx((pdf_size[0] / 72 * DPI, pdf_size[1] / 72 * DPI), abs=1), name
        assert extrema[0] < extrema[1], f"{name}.png is a blank page"
        # shown at one CSS pixel per point of its width (the report, the notebooks): at least two
        # pixels of the PNG for each, so that it stays sharp on high-density screens
        assert width >= 2 * pdf_size[0], name
    assert not list((results / "figures").glob("*.svg"))  # SVG only on request


def test_executed_notebooks_and_numbers(results):
    for name in ("overview", "swot", "force_field", "lotus", "sensitivity"):
        assert (results / "notebooks" / f"{name}.ipynb").exists()
    numbers = json.loads((results / "numbers" / "force_field.json").read_text())
    # Driving 5 + 3.2 + 0.6 + 2.5 = 11.3; restraining 3 + 4 + 3 + 1.5 = 11.5; net 11.3 - 11.5 = -0.2.
    assert (numbers["driving_total"], numbers["restraining_total"], numbers["net"]) == (11.3, 11.5, -0.2)
    assert json.loads((results / "numbers" / "overview.json").read_text())["chain_holds"] is True


def test_manifest_traces_every_file(results):
    manifest = json.loads((results / "manifest.json").read_text())
    # Every file but the manifest and its seal (.repro-seal, which proves the manifest the user's own).
    files = {p.relative_to(results).as_posix() for p in results.rglob("*") if p.is_file()} - {"manifest.json", ".repro-seal"}
    assert set(manifest["files"]) == files
    for rel, entry in manifest["files"].items():
        assert entry["sha256"] == sha256(results / rel)
    assert manifest["files"]["figures/swot.png"]["made_by"] == "notebooks/swot.ipynb"
    assert manifest["files"]["figures/lotus_canonical.pdf"]["made_by"] == "notebooks/lotus.ipynb"
    assert manifest["data_folder"] == "data"
    assert manifest["inputs_sha256"]["force_field.csv"] == sha256(paths.PAPER_DATA / "force_field.csv")
    assert manifest["parameters"] == {"data_dir": "data", "lang": "ru", "formats": ["png", "pdf"]}


#: What must never be written into an output: where it ran, and when.
MACHINE_SPECIFIC = re.compile(r"/tmp/|/home/|/work/|/root/|\.partial-|\d{4}-\d\d-\d\dT\d\d:\d\d")


def test_no_absolute_path_time_or_commit_in_any_output(results):
    for path in sorted(results.rglob("*")):
        if path.is_file() and path.suffix in (".json", ".ipynb", ".html", ".csv", ".svg"):
            text = path.read_text(encoding="utf-8")
            for forbidden in (str(REPOSITORY), str(paths.PACKAGE), str(results), sys.prefix):
                assert forbidden not in text, (path.name, forbidden)
            found = MACHINE_SPECIFIC.search(text)
            assert found is None, (path.relative_to(results).as_posix(), text[found.start() - 80: found.end() + 40])
    manifest = json.loads((results / "manifest.json").read_text())
    assert "git_commit" not in manifest and "created" not in manifest


def test_executed_notebooks_keep_no_run_metadata(results):
    nb = json.loads((results / "notebooks" / "force_field.ipynb").read_text())
    assert nb["metadata"]["papermill"] == {"parameters": {"data_dir": "data", "formats": ["png", "pdf"],
                                                          "lang": "ru", "out_dir": ".."}}
    injected = [c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert len(injected) == 1 and injected[0]["id"] == "injected-parameters"
    assert 'data_dir = "data"' in "".join(injected[0]["source"])
    for cell in nb["cells"]:
        assert "execution" not in cell["metadata"] and "papermill" not in cell["metadata"]


def test_results_get_the_users_umask_permissions(results):
    mask = os.umask(0)
    os.umask(mask)
    assert results.stat().st_mode & 0o777 == 0o777 & ~mask  # 0755 under the usual umask 022


def test_report_lists_every_item_and_embeds_every_figure(results):
    html = (results / "report.html").read_text()
    paper = load_analysis()
    for table in (paper.swot, paper.force_field, paper.lotus):
        for text in table["text"]:
            assert text.replace("«", "&laquo;") in html or text in html, text
    for name in FIGURES:  # each figure's alt text says what it shows, for a screen reader (not its file's name)
        assert f'alt="{html_escape(gettext("ru", f"alt_{name}"))}"' in html, name
    assert html.count("data:image/png;base64,") >= len(FIGURES)
    # The Russian report writes numbers as the article does: decimal commas, a true minus sign.
    assert "<b>11,3</b>" in html and "<b>11,5</b>" in html and "<b>−0,2</b>" in html


def test_report_numbers_its_figures_cites_them_and_shows_sobol_and_pawn(results):
    html = (results / "report.html").read_text()
    figures = sorted((results / "figures").glob("*.png"))
    # Рис. 1 ... Рис. 12, in order, one per figure written.
    numbers = [int(n) for n in re.findall(r"<figcaption><b>Рис\. (\d+)\.</b>", html)]
    assert numbers == list(range(1, len(figures) + 1))
    # Cited by number in the text: the force field's section cites its two figures (Рис. 2 and 3:
    # SWOT is 1), the claims' section the sensitivity figures.
    assert "См. Рис. 2 и Рис. 3." in html and "См. Рис. 6," in html
    # Captions name only the formats written (PNG and PDF by default: no SVG).
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", html)
    assert len(captions) == len(figures) and all("также PDF" in c and "SVG" not in c for c in captions)
    # Sobol (the net force's first-order index of D1, from sensitivity.json) and PAWN, with intervals.
    data = json.loads((results / "sensitivity" / "sensitivity.json").read_text())
    d1 = next(r for r in data["sobol"] if r["output"] == "net" and r["id"] == "D1")
    shown = f'{d1["S1"]:.3f}'.replace(".", ",")
    assert re.search(r"<code>D1</code></td><td class=\"num\">" + re.escape(shown) + r" \[", html)
    assert gettext("ru", "report_pawn") in html and "<code>dummy</code>" in html


def _copy_of_the_repository(target):
    """The repository's files as a fresh clone (plus files not yet committed) would hold them."""
    listed = subprocess.run(["git", "-C", str(REPOSITORY), "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                            capture_output=True, text=True, check=True).stdout.split("\0")
    for rel in filter(None, listed):
        source = REPOSITORY / rel
        if source.is_file():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / rel)
    return target


def test_another_clone_with_one_job_gives_the_same_bytes(results, tmp_path):
    """A second clone, at a path with a space and Cyrillic letters, in another time zone, with --jobs 1,
    against the session's run (this repository, --jobs 2): every file byte for byte."""
    clone = _copy_of_the_repository(tmp_path / "копия репозитория")
    env = {**os.environ, "PYTHONPATH": str(clone / "src"), "TZ": "Asia/Almaty"}
    where = subprocess.run([sys.executable, "-c", "import repro.paths; print(repro.paths.REPOSITORY)"], env=env,
                           capture_output=True, text=True, check=True).stdout.strip()
    assert where == str(clone)  # the clone's package, notebooks and data are the ones used
    done = subprocess.run([repro_executable(), "reproduce", "--jobs", "1"], cwd=clone, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    theirs, ours = tree_snapshot(clone / "results"), tree_snapshot(results)
    assert sorted(theirs) == sorted(ours)
    assert [rel for rel in ours if theirs[rel] != ours[rel]] == []
    assert done.stderr == ""  # nothing from third parties on a successful run
    last = done.stdout.splitlines()[-2:]
    assert re.match(r"rebuilt \d+ notebooks and \d+ files in [\d.]+ s", last[0]) and last[1].startswith("Results in results:")


def test_an_empty_folder_then_an_earlier_results_folder_are_written(tmp_path):
    out = tmp_path / "results"
    out.mkdir()
    reproduce(out_dir=out, notebooks=["overview"], progress=lambda line: None)
    first = tree_snapshot(out)
    assert {"notebooks/overview.ipynb", "numbers/overview.json", "report.html", "manifest.json"} <= set(first)
    reproduce(out_dir=out, notebooks=["overview"], progress=lambda line: None)  # replaces what it made itself
    assert tree_snapshot(out) == first
    assert [p.name for p in tmp_path.iterdir()] == ["results"]


def test_report_escapes_text_from_data(paper_copy, tmp_path):
    path = paper_copy / "swot.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("Цифровое неравенство", "<script>alert(1)</script>"), encoding="utf-8")
    (tmp_path / "figures").mkdir()
    html = render_report(load_analysis(paper_copy), tmp_path)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def _score_field(descriptor: dict) -> dict:
    resource = next(r for r in descriptor["resources"] if r["name"] == "force_field")
    return next(f for f in resource["schema"]["fields"] if f["name"] == "score")


def test_the_papers_report_cites_the_paper_and_its_scale_note(tmp_path):
    descriptor = json.loads(paths.CODEBOOK.read_text(encoding="utf-8"))
    html = render_report(load_analysis(), tmp_path, "ru")
    assert descriptor["sources"][0]["title"].replace("«", "&laquo;").replace("»", "&raquo;") in html \
        or descriptor["sources"][0]["title"] in html
    note = _score_field(descriptor)["scale_note"]  # the paper's codebook says the article states no scale
    assert note in html
    assert '<html lang="ru">' in html and "Отчёт о воспроизведении" in html


@pytest.mark.parametrize("lang, heading", [("en", "Reproduction report"), ("ru", "Отчёт о воспроизведении")])
def test_a_students_report_is_the_students(lang, heading, small_analysis, tmp_path):
    html = render_report(load_analysis(small_analysis), tmp_path, lang)
    assert f'<html lang="{lang}">' in html and heading in html
    assert "A town festival run by volunteers" in html and "Notes of the volunteers&#39; meeting, 2024" in html
    for paper_words in ("Жолдыбаев", "Zholdybayev", "article", "статья"):
        assert paper_words not in html, paper_words
    scale_note = {"en": "(scale 1–10). The scale is declared in the analysis&#39;s datapackage.json.",
                  "ru": "(шкала 1–10). Шкала объявлена в datapackage.json анализа."}
    assert scale_note[lang] in html


def test_a_folder_without_its_own_codebook_is_named_by_its_folder(small_analysis, tmp_path):
    (small_analysis / "datapackage.json").unlink()
    (small_analysis / "lotus.csv").unlink()
    write_csv(small_analysis / "force_field.csv", ["id", "kind", "direction", "text", "swot_id"], [
        ["D1", "force", "driving", "A grant programme", "O1"], ["R1", "force", "restraining", "Volunteer burnout", "T1"]])
    html = render_report(load_analysis(small_analysis), tmp_path, "en")
    assert "<p class=\"title\">small</p>" in html and "Source:" not in html
    assert "Zholdybayev" not in html and "Жолдыбаев" not in html


def test_failing_notebook_is_named_and_previous_results_stay(tmp_path):
    out = earlier_results(tmp_path / "results")
    before = tree_snapshot(out)
    with pytest.raises(ReproduceError) as info:
        reproduce(out_dir=out, lang="xx", notebooks=["swot"], progress=lambda line: None)
    message = str(info.value)
    assert "swot.ipynb" in message and "cell" in message and "ValueError" in message
    assert tree_snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["results"]  # no half-written folder left behind


@pytest.mark.parametrize("name", ["overview", "swot", "force_field", "lotus", "sensitivity"])
def test_every_parameter_a_notebook_declares_is_understood(name):
    """papermill reads the parameters cell line by line; a line it cannot parse (an "=" inside the
    comment, for one) makes it print a warning and leaves the parameter unknown to repro reproduce."""
    path = paths.NOTEBOOKS / f"{name}.ipynb"
    cell = next(c for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
                if "parameters" in c["metadata"].get("tags", []))
    written = re.findall(r"^(\w+)\s*:", "".join(cell["source"]), re.M)
    assert sorted(declared_parameters(path)) == sorted(written)


def test_unknown_or_ill_typed_parameter_is_refused_before_running():
    notebook = paths.NOTEBOOKS / "sensitivity.ipynb"
    assert check_parameters(notebook, {"draws": 10, "seed": 1}) == []
    problems = check_parameters(notebook, {"drawz": 10, "draws": "many", "half_width": 1})
    assert any("unknown parameter 'drawz'" in p for p in problems)
    assert any("'draws' expects int" in p for p in problems)
    assert not any("'half_width' expects" in p for p in problems)  # an int is a fine float
    with pytest.raises(ReproduceError, match="unknown parameter 'colour'"):
        reproduce(out_dir="unused", extra_parameters={"colour": "red"}, progress=lambda line: None)
    assert not Path("unused").exists()


def test_the_command_line_and_the_pipeline_name_the_formats_the_figures_layer_has():
    from repro.cli import FIGURE_FORMATS
    from repro.figures import common
    from repro.pipeline import reproduce as pipeline

    assert sorted(FIGURE_FORMATS) == sorted(common.FORMATS)
    assert pipeline.DEFAULT_FORMATS == common.DEFAULT_FORMATS == ("png", "pdf")


def test_the_command_line_states_the_pipelines_default_time_limit():
    from repro.cli import DEFAULT_TIMEOUT
    from repro.pipeline import reproduce as pipeline

    assert DEFAULT_TIMEOUT == pipeline.DEFAULT_TIMEOUT == 600


@pytest.mark.parametrize("given", ["png,gif", "", "png,png", "jpeg"])
def test_an_unknown_figure_format_is_refused_before_anything_runs(given, tmp_path, capsys):
    from repro.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["reproduce", "--out", str(tmp_path / "out"), "--formats", given])
    assert stop.value.code == 2
    assert "expected formats from png, pdf, svg" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("lang, shown, hidden, numbers", [
    ("ru", "силы сопротивления перевешивают движущие силы (сумма баллов)", "the restraining side outweighs",
     ["0,656 [0,653; 0,659]", "0,02857; 0,2 (D2 +0,02857, R1 −0,02857)"]),
    ("en", "the restraining side outweighs the driving side (sum of scores)", "силы сопротивления перевешивают",
     ["0.656 [0.653, 0.659]", "0.02857; 0.2 (D2 +0.02857, R1 −0.02857)"])])
def test_the_report_states_each_claim_in_the_reports_language(lang, shown, hidden, numbers, tmp_path):
    # what the sensitivity notebook writes for the paper's balance claim (numbers/claims.json): numbers
    # as numbers, the moves as files hold them; the report writes both as its reader does
    (tmp_path / "numbers").mkdir()
    (tmp_path / "numbers" / "claims.json").write_text(json.dumps({"note": "", "notes": [], "claims": [{
        "claim": "balance", "statement": "силы сопротивления перевешивают движущие силы (сумма баллов)",
        "statement_en": "the restraining side outweighs the driving side (sum of scores)", "source": "",
        "holds": True, "p_holds": 0.6561, "p_holds_low": 0.6532, "p_holds_high": 0.6590, "break_even_text": "",
        "flip_max_change": 0.2 / 7, "flip_total_change": 0.2, "flip_total_moves": "D2 +0.02857, R1 -0.02857"}]}),
        encoding="utf-8")
    html = render_report(load_analysis(), tmp_path, lang)
    assert shown in html and hidden not in html
    assert all(number in html for number in numbers), numbers


def test_the_report_gives_the_mean_rule_beside_the_sum_rule_when_the_sides_differ_in_size(tmp_path):
    # The tutorial: driving 4 + 3 + 1 = 8 over 3 forces (mean 2.67), restraining 4 + 3 = 7 over 2
    # (mean 3.50): the sum rule favours the driving side, the mean rule the restraining side.
    html = render_report(load_analysis(paths.EXAMPLES / "tutorial"), tmp_path, "en")
    headline = html[html.index('<p class="headline">'):]
    headline = headline[:headline.index("</p>")]
    assert "by the sum rule the driving side wins" in headline
    assert "Mean score: driving 2.67 (n = 3), restraining 3.50 (n = 2)" in headline
    assert "The sum rule and the mean rule disagree." in headline
    # The paper's sides are equal (4 and 4): no mean rule.
    assert "Средний балл" not in render_report(load_analysis(), tmp_path, "ru")
