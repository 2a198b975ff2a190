"""`repro verify`: a results folder against a reference, every kind of difference told in a
reviewer's terms, the second verdict (equivalent within the stated tolerance) for every kind of file,
exit codes, the update refused where it would be wrong, and the committed reference checked against a
fresh reproduction (this test fails while the reference is stale: `repro verify --update results`
refreshes it)."""

from __future__ import annotations

import base64
import json
import math
import platform
import shutil
from pathlib import Path

import pytest
from PIL import Image

from conftest import tree_snapshot
from repro import load_analysis, paths
from repro.cli import main
from repro.pipeline.outdir import read_manifest
from repro.pipeline.outdir import write_manifest
from repro.pipeline.verify import DIFFERENT, IDENTICAL, NO_REFERENCE, VerifyError, update_reference, verify

CSV = "claim,holds,p_holds\nbalance,False,0.66\nstrongest_driving,True,1.0\n"


def _notebook(line: str, python: str = "3.11.7") -> dict:
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {"language_info": {"name": "python", "version": python}},
            "cells": [
        {"cell_type": "markdown", "id": "a", "metadata": {}, "source": "# A notebook"},
        {"cell_type": "code", "id": "b", "metadata": {}, "execution_count": 1, "source": "print(total)\n",
         "outputs": [{"output_type": "stream", "name": "stdout", "text": line}]}]}


@pytest.fixture
def mini(tmp_path):
    """A small results folder with one file of each kind, made as from the paper's data with the
    default settings, and a reference made from it by `update_reference`."""
    results = tmp_path / "results"
    (results / "numbers").mkdir(parents=True)
    (results / "numbers" / "force_field.json").write_text(json.dumps({"driving_total": 11.3, "net": -0.2}))
    (results / "sensitivity").mkdir()
    (results / "sensitivity" / "claims.csv").write_text(CSV)
    (results / "figures").mkdir()
    Image.new("RGB", (20, 10), "white").save(results / "figures" / "swot.png")
    _pdf(results / "figures" / "swot.pdf", "driving total 11.3")
    (results / "figures" / "swot.svg").write_text("<svg>a drawing</svg>")
    (results / "notebooks").mkdir()
    (results / "notebooks" / "force_field.ipynb").write_text(json.dumps(_notebook("driving total 11.3\n")))
    _report(results)
    write_manifest(results, {"version": "0.1.0", "data_folder": "data",
                             "inputs_sha256": load_analysis().input_hashes(),
                             "parameters": {"data_dir": "data", "lang": "ru", "formats": ["png", "pdf"]}})
    reference, n_files, n_copied = update_reference(results, reference=tmp_path / "reference")
    assert (n_files, n_copied) == (8, 7)  # the SVG is kept by its hash alone; manifest.json is copied too
    return results, reference


def _pdf(path: Path, text: str, compression: int = 6) -> None:
    """A one-page PDF as matplotlib writes it; ``compression`` is zlib's level (another zlib gives other bytes)."""
    import matplotlib
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 1))
    fig.text(0.1, 0.5, text)
    with matplotlib.rc_context({"pdf.compression": compression}):
        fig.savefig(path, format="pdf", metadata={"CreationDate": None, "Producer": None, "Creator": None})


def _report(results: Path, net: str = "-0.2") -> None:
    """A report that embeds the PNG figure, as repro's report does."""
    png = base64.b64encode((results / "figures" / "swot.png").read_bytes()).decode()
    (results / "report.html").write_text(f'<p>net {net}</p><img alt="swot" src="data:image/png;base64,{png}">')


def _refresh_manifest(results: Path) -> None:
    """The results' manifest as a run that wrote the current files would have written it."""
    write_manifest(results, {k: v for k, v in json.loads((results / "manifest.json").read_text()).items()
                             if k not in ("package", "files")})


def _retouch_manifest(results: Path, **fields) -> None:
    """Rewrite the results' own manifest (as a run with other inputs or settings would have written it)."""
    manifest = json.loads((results / "manifest.json").read_text())
    manifest.update(fields)
    (results / "manifest.json").write_text(json.dumps(manifest))


def test_an_untouched_folder_is_identical(mini, capsys):
    results, reference = mini
    assert main(["verify", str(results), "--reference", str(reference)]) == IDENTICAL
    out = capsys.readouterr().out
    assert "8 identical, 0 equivalent within tolerance, 0 differ (8 files in the reference" in out
    assert "as in the reference" in out
    assert not (results.parent / "verify-diff").exists()


def test_a_changed_number_names_file_key_expected_and_found(mini, capsys):
    results, reference = mini
    (results / "numbers" / "force_field.json").write_text(json.dumps({"driving_total": 11.4, "net": -0.2}))
    assert main(["verify", str(results), "--reference", str(reference)]) == DIFFERENT
    out = capsys.readouterr().out
    assert "7 identical, 0 equivalent within tolerance, 1 differ" in out
    assert "numbers/force_field.json: differs" in out and "driving_total: expected 11.3, found 11.4" in out


def test_a_changed_csv_cell_names_row_and_column(mini):
    results, reference = mini
    (results / "sensitivity" / "claims.csv").write_text(CSV.replace("0.66", "0.67"))
    found = {d.file: d for d in verify(results, reference).differences}
    # Header = row 1, so the first claim (balance) is row 2.
    assert found["sensitivity/claims.csv"].details == ["row 2 (id balance), column p_holds: expected 0.66, found 0.67"]


def test_a_changed_pixel_gives_the_rms_and_a_diff_image_beside_the_results(mini):
    results, reference = mini
    image = Image.open(results / "figures" / "swot.png")
    image.putpixel((3, 4), (0, 0, 0))
    image.save(results / "figures" / "swot.png")
    _report(results)  # the report embeds the figure as it now is
    before = tree_snapshot(results)
    verification = verify(results, reference)
    # One white pixel made black in a 20 x 10 RGB image: 3 of 600 channel values differ by 255,
    # so RMS = sqrt(3 * 255^2 / 600) = 255 * sqrt(0.005) = 18.0312.
    rms = 255 * math.sqrt(3 / 600)
    detail = {d.file: d for d in verification.differences}["figures/swot.png"].details[0]
    assert f"RMS pixel difference {rms:.4f} (0-255 scale; more than 0.1)" in detail
    # The report embeds that figure: it differs with it.
    assert {d.file: d for d in verification.differences}["report.html"].details == ["embeds figures/swot.png, which differs"]
    diff_dir = results.parent / "verify-diff"
    assert verification.diff_dir == diff_dir
    assert (diff_dir / "figures__swot-found-failed-diff.png").exists()
    assert tree_snapshot(results) == before  # nothing written into the results


def test_a_figure_file_that_is_no_image_differs_with_a_plain_message(mini, capsys):
    # The old check opened it with PIL and stopped there: exit 2, "cannot identify image file
    # <_io.BytesIO object at 0x7f...>" (an address that changes from run to run, and no verdict).
    results, reference = mini
    (results / "figures" / "swot.png").write_bytes(b"not the reference's figure")
    assert main(["verify", str(results), "--reference", str(reference)]) == DIFFERENT
    out = capsys.readouterr().out
    assert "figures/swot.png: differs" in out and "the file cannot be read as a PNG image" in out
    assert "BytesIO" not in out
    diff_dir = results.parent / "verify-diff"  # both files kept there to look at; no difference image
    assert (diff_dir / "figures__swot-found.png").read_bytes() == b"not the reference's figure"
    assert not (diff_dir / "figures__swot-found-failed-diff.png").exists()


def test_a_changed_notebook_output_names_the_cell(mini):
    results, reference = mini
    (results / "notebooks" / "force_field.ipynb").write_text(json.dumps(_notebook("driving total 11.4\n")))
    found = {d.file: d for d in verify(results, reference).differences}
    assert found["notebooks/force_field.ipynb"].details == ["cell 2 (print(total)): output: text: expected 11.3, found 11.4"]


def test_missing_extra_and_unkept_files(mini, capsys):
    results, reference = mini
    (results / "figures" / "swot.pdf").unlink()
    (results / "notes.txt").write_text("mine")
    assert main(["verify", str(results), "--reference", str(reference)]) == DIFFERENT
    out = capsys.readouterr().out
    assert "figures/swot.pdf: missing (in the reference, not in the results)" in out
    assert "notes.txt: extra (in the results, not in the reference)" in out
    (results / "figures" / "swot.svg").write_text("<svg>another drawing</svg>")
    found = {d.file: d for d in verify(results, reference).differences}
    assert found["figures/swot.svg"].what.startswith("differs (SHA-256")


def test_a_students_analysis_has_no_reference(mini, capsys):
    results, reference = mini
    _retouch_manifest(results, data_folder="my-case", inputs_sha256={"swot.csv": "0" * 64})
    assert main(["verify", str(results), "--reference", str(reference)]) == NO_REFERENCE
    out = capsys.readouterr().out
    assert "There is no reference for this analysis" in out and "'my-case'" in out and "nothing was compared" in out


def test_other_settings_have_no_reference(mini):
    results, reference = mini
    _retouch_manifest(results, parameters={"data_dir": "data", "lang": "en", "formats": ["png", "pdf"]})
    verification = verify(results, reference)
    assert verification.status == NO_REFERENCE and "lang='ru' (these: 'en')" in verification.message


def test_not_a_results_folder_is_a_usage_mistake(tmp_path, mini, capsys):
    _, reference = mini
    (tmp_path / "plain").mkdir()
    assert main(["verify", str(tmp_path / "plain"), "--reference", str(reference)]) == 2
    assert "is not a results folder of repro reproduce" in capsys.readouterr().err


def test_update_refuses_a_students_or_a_touched_results_folder(mini):
    results, reference = mini
    before = tree_snapshot(reference)
    (results / "notes.txt").write_text("mine")
    with pytest.raises(VerifyError, match="untouched reproduction"):
        update_reference(results, reference=reference)
    (results / "notes.txt").unlink()
    _retouch_manifest(results, data_folder="my-case", inputs_sha256={"swot.csv": "0" * 64})
    with pytest.raises(VerifyError, match="not from the paper's data"):
        update_reference(results, reference=reference)
    assert tree_snapshot(reference) == before


# --- the second verdict: equivalent within the tolerance -------------------------------------------

def _verdicts(results, reference, **kwargs) -> dict[str, str]:
    verification = verify(results, reference, **kwargs)
    return {d.file: d.what for d in verification.equivalent + verification.differences}


def test_numbers_within_the_tolerance_are_equivalent_and_exact_demands_bytes(mini, capsys):
    results, reference = mini
    # What binary floats make of 5 + 3.2 + 0.6 + 2.5: 11.299999999999999, 1.6e-16 of 11.3 away (tolerance 1e-9).
    (results / "numbers" / "force_field.json").write_text(json.dumps({"driving_total": 11.299999999999999, "net": -0.2}))
    (results / "sensitivity" / "claims.csv").write_text(CSV.replace("0.66", "0.6600000000000001"))
    _refresh_manifest(results)  # the run's own manifest records the new hashes
    assert main(["verify", str(results), "--reference", str(reference)]) == IDENTICAL  # exit 0
    out = capsys.readouterr().out
    assert "5 identical, 3 equivalent within tolerance, 0 differ (8 files in the reference; tolerance: numbers " \
           "within 1e-09 relative (1e-12 absolute near zero), figures within RMS 0.1 of 255)" in out
    assert "numbers/force_field.json: equivalent within tolerance" in out
    assert "driving_total: 11.3 and 11.299999999999999 within the tolerance" in out
    assert "sensitivity/claims.csv: equivalent within tolerance" in out and "1 numeric cell within the tolerance" in out
    assert "manifest.json: equivalent within tolerance" in out  # it records the two files' new hashes
    assert main(["verify", str(results), "--reference", str(reference), "--exact"]) == DIFFERENT
    assert "--exact: only identical bytes pass" in capsys.readouterr().out


def test_a_number_beyond_the_tolerance_differs(mini):
    results, reference = mini
    # 11.3000001 is 8.8e-9 of 11.3 away: more than 1e-9.
    (results / "numbers" / "force_field.json").write_text(json.dumps({"driving_total": 11.3000001, "net": -0.2}))
    (results / "sensitivity" / "claims.csv").write_text(CSV.replace("0.66", "0.6600001"))
    verification = verify(results, reference)
    assert verification.status == DIFFERENT and verification.equivalent == []
    found = {d.file: d.details for d in verification.differences}
    assert found["numbers/force_field.json"] == ["driving_total: expected 11.3, found 11.3000001"]
    assert found["sensitivity/claims.csv"] == ["row 2 (id balance), column p_holds: expected 0.66, found 0.6600001"]


def test_a_notebook_run_by_another_python_with_a_float_printed_otherwise_is_equivalent(mini):
    results, reference = mini
    notebook = results / "notebooks" / "force_field.ipynb"
    notebook.write_text(json.dumps(_notebook("driving total 11.299999999999999\n", python="3.13.0")))
    verification = verify(results, reference)
    assert verification.status == IDENTICAL and verification.differences == []
    notes = {d.file: d.details for d in verification.equivalent}["notebooks/force_field.ipynb"]
    assert "cell 2 (print(total)): output: text: 1 number within the tolerance (e.g. 11.3 and 11.299999999999999)" in notes
    assert any("language_info.version" in n and "the kernel's Python, not a result" in n for n in notes), notes
    # A stream the kernel happened to send in two messages is the same output (Jupyter shows it joined).
    split = _notebook("driving total 11.3\n")
    split["cells"][1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "driving total 11.3"},
                                    {"output_type": "stream", "name": "stdout", "text": "\n"}]
    notebook.write_text(json.dumps(split))
    notes = {d.file: d.details for d in verify(results, reference).equivalent}["notebooks/force_field.ipynb"]
    assert notes == ["cell 2 (print(total)): its printed output came in more pieces, the same text once joined"]
    # Anything else in the metadata is a difference.
    changed = _notebook("driving total 11.3\n")
    changed["metadata"]["kernelspec"] = {"name": "another"}
    notebook.write_text(json.dumps(changed))
    assert _verdicts(results, reference)["notebooks/force_field.ipynb"] == "differs"


def test_a_pixel_one_shade_off_is_equivalent_and_so_is_the_report_that_embeds_it(mini):
    results, reference = mini
    image = Image.open(results / "figures" / "swot.png")
    image.putpixel((3, 4), (254, 255, 255))
    image.save(results / "figures" / "swot.png")
    _report(results)
    verification = verify(results, reference)
    assert verification.status == IDENTICAL and verification.differences == []
    # 1 of 600 channel values off by 1: RMS = sqrt(1 / 600) = 0.0408, within 0.1.
    notes = {d.file: d.details for d in verification.equivalent}
    assert notes["figures/swot.png"] == [f"RMS pixel difference {math.sqrt(1 / 600):.4f}, within 0.1"]
    assert notes["report.html"] == ["embeds figures/swot.png, equivalent within the tolerance"]
    assert not (results.parent / "verify-diff").exists()  # difference images only for figures that differ


def test_a_pdf_compressed_otherwise_is_equivalent_and_a_changed_word_in_it_differs(mini):
    results, reference = mini
    pdf = results / "figures" / "swot.pdf"
    before = pdf.read_bytes()
    _pdf(pdf, "driving total 11.3", compression=9)
    assert pdf.read_bytes() != before
    verification = verify(results, reference)
    assert verification.status == IDENTICAL
    assert {d.file: d.details for d in verification.equivalent}["figures/swot.pdf"] == [
        "the same objects and drawing; the compressed bytes differ"]
    _pdf(pdf, "driving total 11.4")
    assert _verdicts(results, reference)["figures/swot.pdf"] == "differs"


def test_the_reports_text_is_compared_within_the_tolerance(mini):
    results, reference = mini
    _report(results, net="-0.20000000000000001")
    assert _verdicts(results, reference)["report.html"] == "equivalent within tolerance"
    _report(results, net="+0.2")
    verification = verify(results, reference)
    assert {d.file: d.details for d in verification.differences}["report.html"] == ["expected -0.2, found +0.2"]


def test_the_tolerance_near_zero_and_in_words():
    from repro.pipeline.equivalence import text_judgement, value_judgement

    assert value_judgement(0.0, 1e-17).equivalent          # within 1e-12 absolute
    assert not value_judgement(0.0, 1e-9).equivalent
    assert not value_judgement(True, 1).equivalent          # a boolean is no number
    assert not value_judgement(20261130205927, 20261130205928).equivalent  # whole numbers count: no tolerance
    assert not text_judgement("draws 100000", "draws 100001").equivalent
    assert text_judgement("net 11", "net 11.000000000000002").equivalent  # a float printed otherwise
    assert text_judgement("ratio 0.9826086956521739", "ratio 0.982608695652174").equivalent
    assert not text_judgement("ratio 0.98", "ratio 0.99").equivalent
    assert text_judgement("restraining wins", "driving wins").problems == [
        "expected 'restraining wins', found 'driving wins'"]


# --- a real reproduction --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def own_reference(results, tmp_path_factory):
    """A reference made from the session's reproduction, to tamper copies against."""
    reference, _, _ = update_reference(results, reference=tmp_path_factory.mktemp("ref") / "reference")
    return reference


def test_the_reference_stays_small(own_reference):
    size = sum(p.stat().st_size for p in own_reference.rglob("*") if p.is_file())
    assert size < 15e6, f"the reference is {size / 1e6:.1f} MB"


def test_a_tampered_reproduction_is_caught(results, own_reference, tmp_path, capsys):
    copy = tmp_path / "results"
    shutil.copytree(results, copy)
    assert main(["verify", str(copy), "--reference", str(own_reference), "--exact"]) == IDENTICAL
    n = len(json.loads((own_reference / "manifest.json").read_text())["expected"])
    assert f"{n} identical, 0 equivalent within tolerance, 0 differ ({n} files in the reference" in capsys.readouterr().out
    numbers = json.loads((copy / "numbers" / "force_field.json").read_text())
    numbers["restraining_total"] = 11.6
    (copy / "numbers" / "force_field.json").write_text(json.dumps(numbers))
    assert main(["verify", str(copy), "--reference", str(own_reference)]) == DIFFERENT
    out = capsys.readouterr().out
    assert "numbers/force_field.json" in out and "restraining_total: expected 11.5, found 11.6" in out


def _reference_python() -> str:
    """The Python version the committed reference's kernels ran (its notebooks record it)."""
    notebook = json.loads((paths.REFERENCE / "results" / "notebooks" / "overview.ipynb").read_text(encoding="utf-8"))
    return notebook["metadata"]["language_info"]["version"]


def test_the_committed_reference_matches_a_fresh_reproduction(results):
    """Fails while reference/ is stale; `repro verify --update results` (after `make reproduce`) refreshes it.

    On the Python the reference was made with (the lock's, on this machine) every file is identical; on
    another (`make test-pythons`), the notebooks record their kernel's version, and the verdict is
    "equivalent within tolerance": nothing may differ."""
    assert (paths.REFERENCE / "manifest.json").exists(), "no committed reference: run repro verify --update results"
    verification = verify(results)
    assert verification.status == IDENTICAL, "\n".join(verification.lines())
    assert verification.differences == []
    if platform.python_version() == _reference_python():
        assert verification.equivalent == [], "\n".join(verification.lines())
        assert verify(results, exact=True).status == IDENTICAL


def test_the_reference_applies_only_to_results_of_its_own_inputs_and_settings(tmp_path):
    from repro.pipeline.verify import reference_applies

    reference = read_manifest(paths.REFERENCE)["made_from"]
    results = tmp_path / "results"
    results.mkdir()
    assert not reference_applies(results)  # no manifest: not a results folder
    ours = {"package": "repro", "files": {}, "parameters": reference["parameters"]}
    (results / "manifest.json").write_text(json.dumps({**ours, "inputs_sha256": reference["inputs_sha256"]}))
    assert reference_applies(results)
    (results / "manifest.json").write_text(json.dumps({**ours, "inputs_sha256": {"swot.csv": "0" * 64}}))
    assert not reference_applies(results)  # a student's analysis
