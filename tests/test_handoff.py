"""The analysis `repro reproduce` validated reaches its notebooks' kernels without being validated again,
but only for the same folder with the same bytes; anything else is validated as always."""

from __future__ import annotations

from unittest import mock

import pytest

import repro.data
from repro import AnalysisError, load_analysis
from repro.handoff import ENVIRONMENT_VARIABLE, write_validated


@pytest.fixture
def handed_off(paper_copy, tmp_path, monkeypatch):
    """The paper's data, validated and written down as `repro reproduce` does for its kernels."""
    record = tmp_path / "analysis.pickle"
    write_validated(load_analysis(paper_copy), record)
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, str(record))
    return paper_copy


def _validation_spy():
    return mock.patch.object(repro.data, "check_cells", wraps=repro.data.check_cells)


def test_the_same_folder_is_taken_as_validated(handed_off):
    with _validation_spy() as checks:
        analysis = load_analysis(str(handed_off))
    assert checks.call_count == 0  # not validated a second time
    again = load_analysis(handed_off.parent / handed_off.name)  # validated for the comparison below
    assert analysis.folder == handed_off
    assert analysis.forces.equals(again.forces) and analysis.swot.equals(again.swot)
    assert analysis.notes == again.notes and analysis.scale == again.scale
    analysis.force_field.loc[0, "score"] = 99  # each caller gets its own copy
    assert load_analysis(handed_off).force_field.loc[0, "score"] != 99


def test_a_file_changed_since_is_validated_again(handed_off):
    table = handed_off / "force_field.csv"
    text = table.read_text(encoding="utf-8")
    assert "\nD1,force,driving,5," in text
    table.write_text(text.replace("\nD1,force,driving,5,", "\nD1,force,driving,7,"), encoding="utf-8")  # beyond 0-5
    with pytest.raises(AnalysisError) as error:
        load_analysis(handed_off)
    assert "force_field.csv, row 2 (id D1)" in str(error.value) and "scale" in str(error.value)


def test_another_folder_or_no_record_is_validated(handed_off, tmp_path, monkeypatch):
    other = tmp_path / "other"
    other.mkdir()
    for path in handed_off.iterdir():
        (other / path.name).write_bytes(path.read_bytes())
    with _validation_spy() as checks:
        load_analysis(other)
    assert checks.call_count == 1
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, str(tmp_path / "never-written.pickle"))
    with _validation_spy() as checks:
        load_analysis(handed_off)
    assert checks.call_count == 1
