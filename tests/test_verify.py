"""`repro verify`: a results folder against a reference, every kind of difference told in a
reviewer's terms, exit codes, the update refused where it would be wrong, and the committed
reference checked against a fresh reproduction (this test fails while the reference is stale:
`repro verify --update results` refreshes it)."""

from __future__ import annotations

import json
import math
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


def _notebook(line: str) -> dict:
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
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
    (results / "figures" / "swot.pdf").write_bytes(b"%PDF-1.4 a page")
    (results / "notebooks").mkdir()
    (results / "notebooks" / "force_field.ipynb").write_text(json.dumps(_notebook("driving total 11.3\n")))
    write_manifest(results, {"version": "0.1.0", "data_folder": "data",
                             "inputs_sha256": load_analysis().input_hashes(),
                             "parameters": {"data_dir": "data", "lang": "ru", "formats": ["png", "pdf"]}})
    reference, n_files, n_copied = update_reference(results, reference=tmp_path / "reference")
    assert (n_files, n_copied) == (6, 5)  # the PDF is kept by its hash alone; manifest.json is copied too
    return results, reference


def _retouch_manifest(results: Path, **fields) -> None:
    """Rewrite the results' own manifest (as a run with other inputs or settings would have written it)."""
    manifest = json.loads((results / "manifest.json").read_text())
    manifest.update(fields)
    (results / "manifest.json").write_text(json.dumps(manifest))


def test_an_untouched_folder_is_identical(mini, capsys):
    results, reference = mini
    assert main(["verify", str(results), "--reference", str(reference)]) == IDENTICAL
    out = capsys.readouterr().out
    assert "6/6 files identical to the reference" in out and "as in the reference" in out
    assert not (results.parent / "verify-diff").exists()


def test_a_changed_number_names_file_key_expected_and_found(mini, capsys):
    results, reference = mini
    (results / "numbers" / "force_field.json").write_text(json.dumps({"driving_total": 11.4, "net": -0.2}))
    assert main(["verify", str(results), "--reference", str(reference)]) == DIFFERENT
    out = capsys.readouterr().out
    assert "5/6 files identical" in out
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
    before = tree_snapshot(results)
    verification = verify(results, reference)
    # One white pixel made black in a 20 x 10 RGB image: 3 of 600 channel values differ by 255,
    # so RMS = sqrt(3 * 255^2 / 600) = 255 * sqrt(0.005) = 18.0312.
    rms = 255 * math.sqrt(3 / 600)
    detail = {d.file: d for d in verification.differences}["figures/swot.png"].details[0]
    assert f"RMS pixel difference {rms:.4f}" in detail
    diff_dir = results.parent / "verify-diff"
    assert verification.diff_dir == diff_dir
    assert (diff_dir / "figures__swot-found-failed-diff.png").exists()
    assert tree_snapshot(results) == before  # nothing written into the results


def test_a_changed_notebook_output_names_the_cell(mini):
    results, reference = mini
    (results / "notebooks" / "force_field.ipynb").write_text(json.dumps(_notebook("driving total 11.4\n")))
    found = {d.file: d for d in verify(results, reference).differences}
    assert found["notebooks/force_field.ipynb"].details == [
        "cell 2 (print(total)): output differs: expected 'driving total 11.3', found 'driving total 11.4'"]


def test_missing_extra_and_unkept_files(mini, capsys):
    results, reference = mini
    (results / "figures" / "swot.pdf").unlink()
    (results / "notes.txt").write_text("mine")
    assert main(["verify", str(results), "--reference", str(reference)]) == DIFFERENT
    out = capsys.readouterr().out
    assert "figures/swot.pdf: missing (in the reference, not in the results)" in out
    assert "notes.txt: extra (in the results, not in the reference)" in out
    (results / "figures" / "swot.pdf").write_bytes(b"%PDF-1.4 another page")
    found = {d.file: d for d in verify(results, reference).differences}
    assert found["figures/swot.pdf"].what.startswith("differs (SHA-256")


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
    assert main(["verify", str(copy), "--reference", str(own_reference)]) == IDENTICAL
    n = len(json.loads((own_reference / "manifest.json").read_text())["expected"])
    assert f"{n}/{n} files identical" in capsys.readouterr().out
    numbers = json.loads((copy / "numbers" / "force_field.json").read_text())
    numbers["restraining_total"] = 11.6
    (copy / "numbers" / "force_field.json").write_text(json.dumps(numbers))
    assert main(["verify", str(copy), "--reference", str(own_reference)]) == DIFFERENT
    out = capsys.readouterr().out
    assert "numbers/force_field.json" in out and "restraining_total: expected 11.5, found 11.6" in out


def test_the_committed_reference_matches_a_fresh_reproduction(results):
    """Fails while reference/ is stale; `repro verify --update results` (after `make reproduce`) refreshes it."""
    assert (paths.REFERENCE / "manifest.json").exists(), "no committed reference: run repro verify --update results"
    verification = verify(results)
    assert verification.status == IDENTICAL, "\n".join(verification.lines())


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
