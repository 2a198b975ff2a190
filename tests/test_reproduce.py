"""`repro reproduce`: every output written, the report complete and escaped, failures leave the
previous results intact, bad parameters refused before any notebook runs."""

import json

import pytest

from repro import load_analysis, paths
from repro.pipeline.notebook_params import check_parameters
from repro.pipeline.report import render_report
from repro.pipeline.reproduce import ReproduceError, reproduce, sha256

FIGURES = ["swot", "force_field", "force_field_sorted", "lotus_published", "lotus_canonical"]


def test_every_figure_in_every_format(results):
    for name in FIGURES + ["sensitivity_net_histogram", "sensitivity_robustness_curves", "sensitivity_tornado"]:
        for fmt in ("png", "svg", "pdf"):
            assert (results / "figures" / f"{name}.{fmt}").stat().st_size > 1000, (name, fmt)


def test_executed_notebooks_and_numbers(results):
    for name in ("overview", "swot", "force_field", "lotus", "sensitivity"):
        assert (results / "notebooks" / f"{name}.ipynb").exists()
    numbers = json.loads((results / "numbers" / "force_field.json").read_text())
    assert (numbers["driving_total"], numbers["restraining_total"], numbers["net"]) == (11.3, 11.5, -0.2)
    assert json.loads((results / "numbers" / "overview.json").read_text())["chain_holds"] is True


def test_manifest_traces_every_file(results):
    manifest = json.loads((results / "manifest.json").read_text())
    files = {p.relative_to(results).as_posix() for p in results.rglob("*") if p.is_file()} - {"manifest.json"}
    assert set(manifest["files"]) == files
    for rel, entry in manifest["files"].items():
        assert entry["sha256"] == sha256(results / rel)
    assert manifest["files"]["figures/swot.png"]["made_by"] == "notebooks/swot.ipynb"
    assert manifest["files"]["figures/lotus_canonical.svg"]["made_by"] == "notebooks/lotus.ipynb"
    assert manifest["inputs_sha256"]["force_field.csv"] == sha256(paths.PAPER_DATA / "force_field.csv")
    assert manifest["version"] and "git_commit" in manifest


def test_report_lists_every_item_and_embeds_every_figure(results):
    html = (results / "report.html").read_text()
    paper = load_analysis()
    for table in (paper.swot, paper.force_field, paper.lotus):
        for text in table["text"]:
            assert text.replace("«", "&laquo;") in html or text in html, text
    for name in FIGURES:
        assert f'alt="{name}"' in html
    assert html.count("data:image/png;base64,") >= len(FIGURES)
    assert "<b>11.3</b>" in html and "<b>11.5</b>" in html and "<b>-0.2</b>" in html


def test_second_run_gives_byte_identical_figures(results, tmp_path):
    again = reproduce(out_dir=tmp_path / "again", jobs=2, notebooks=["swot", "lotus"], progress=lambda line: None)
    for name in ("swot", "lotus_published", "lotus_canonical"):
        for fmt in ("png", "svg", "pdf"):
            assert sha256(again / "figures" / f"{name}.{fmt}") == sha256(results / "figures" / f"{name}.{fmt}"), (name, fmt)


def test_report_escapes_text_from_data(paper_copy, tmp_path):
    path = paper_copy / "swot.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("Цифровое неравенство", "<script>alert(1)</script>"), encoding="utf-8")
    (tmp_path / "figures").mkdir()
    html = render_report(load_analysis(paper_copy), tmp_path)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_failing_notebook_is_named_and_previous_results_stay(tmp_path):
    out = tmp_path / "results"
    out.mkdir()
    (out / "previous.txt").write_text("last good run")
    with pytest.raises(ReproduceError) as info:
        reproduce(out_dir=out, lang="xx", notebooks=["swot"], progress=lambda line: None)
    message = str(info.value)
    assert "swot.ipynb" in message and "cell" in message and "ValueError" in message
    assert (out / "previous.txt").read_text() == "last good run"
    assert [p.name for p in tmp_path.iterdir()] == ["results"]  # no half-written folder left behind


def test_unknown_or_ill_typed_parameter_is_refused_before_running():
    notebook = paths.NOTEBOOKS / "sensitivity.ipynb"
    assert check_parameters(notebook, {"draws": 10, "seed": 1}) == []
    problems = check_parameters(notebook, {"drawz": 10, "draws": "many", "half_width": 1})
    assert any("unknown parameter 'drawz'" in p for p in problems)
    assert any("'draws' expects int" in p for p in problems)
    assert not any("'half_width' expects" in p for p in problems)  # an int is a fine float
    with pytest.raises(ReproduceError, match="unknown parameter 'colour'"):
        reproduce(out_dir="unused", extra_parameters={"colour": "red"}, progress=lambda line: None)
