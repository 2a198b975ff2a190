"""The analysis `repro reproduce` validated reaches its notebooks' kernels without being validated again,
but only for the same folder with the same bytes, from a file sealed by the user's key; anything else is
validated as always, and nothing in the file can run code."""

from __future__ import annotations

import os
import pickle
import stat
from unittest import mock

import pytest

import repro.data
from repro import AnalysisError, load_analysis
from repro.handoff import ENVIRONMENT_VARIABLE, write_validated


@pytest.fixture
def handed_off(paper_copy, tmp_path, monkeypatch):
    """The paper's data, validated and written down as `repro reproduce` does for its kernels."""
    record = tmp_path / "analysis.json"
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


def test_a_workbook_reaches_the_kernels_with_its_sheets_and_the_templates_examples(tmp_path, monkeypatch):
    """A kernel's analysis is the parent's in everything load_analysis gives: where each table was read
    (the workbook's sheet and column letters, which every message about it names), the rows still
    the template's examples, and the placeholders (before, the kernels got swot.csv for a sheet, and
    no examples)."""
    from repro.pipeline.template import write_template

    folder = tmp_path / "mine"
    write_template(folder, workbook=True)
    validated = load_analysis(folder)
    assert validated.source("swot").label == "analysis.xlsx, sheet swot" and validated.examples and validated.placeholders
    record = tmp_path / "analysis.json"
    write_validated(validated, record)
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, str(record))
    with _validation_spy() as checks:
        handed = load_analysis(folder)
    assert checks.call_count == 0
    assert handed.sources == validated.sources
    assert handed.source("force_field").letters == validated.source("force_field").letters
    assert handed.source("force_field").letters["score"] == "D"  # id, kind, direction, score
    assert handed.examples == validated.examples == {"swot": [2, 3, 4], "force_field": [2, 3, 4], "lotus": [2],
                                                     "claims": [2, 3, 4]}
    assert handed.placeholders == validated.placeholders
    assert handed.example_notes() == validated.example_notes()


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
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, str(tmp_path / "never-written.json"))
    with _validation_spy() as checks:
        load_analysis(handed_off)
    assert checks.call_count == 1


class _RunsCode:
    """What a pickle can do when it is loaded: run a command (here, make a file)."""

    def __init__(self, proof):
        self.proof = proof

    def __reduce__(self):
        return (os.system, (f"touch {self.proof}",))


def test_a_pickle_in_its_place_is_never_unpickled(paper_copy, tmp_path, monkeypatch):
    """The attack of the issue: the hand-off file replaced by a pickle that runs a command. The kernels
    read JSON only, under a seal; the folder is validated as always and the command never runs."""
    proof = tmp_path / "code-ran"
    record = tmp_path / "analysis.json"
    record.write_bytes(pickle.dumps({"folder": str(paper_copy.resolve()), "x": _RunsCode(proof)}))
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, str(record))
    with _validation_spy() as checks:
        load_analysis(paper_copy)
    assert checks.call_count == 1 and not proof.exists()


def test_a_record_not_sealed_by_the_user_is_ignored(handed_off, tmp_path, monkeypatch):
    """Someone else's edit of the record (here: a score changed, the seal left as it was) is not believed."""
    record = tmp_path / "analysis.json"
    seal, _, data = record.read_bytes().partition(b"\n")
    record.write_bytes(seal + b"\n" + data.replace(b"5.0", b"4.0", 1))
    with _validation_spy() as checks:
        analysis = load_analysis(handed_off)
    assert checks.call_count == 1 and analysis.forces.loc[0, "score"] == 5.0
    with monkeypatch.context() as other_user:  # a record sealed under another user's key
        other_user.setenv("XDG_STATE_HOME", str(tmp_path / "another-users-state"))
        record.unlink()
        write_validated(load_analysis(handed_off), record)
    with _validation_spy() as checks:
        load_analysis(handed_off)
    assert checks.call_count == 1


def test_the_record_is_the_users_alone_whatever_the_umask(paper_copy, tmp_path):
    old = os.umask(0)
    try:
        write_validated(load_analysis(paper_copy), tmp_path / "record.json")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "record.json").stat().st_mode) == 0o600
    assert (tmp_path / "record.json").read_bytes().split(b"\n", 1)[1].startswith(b"{")  # JSON after the seal
