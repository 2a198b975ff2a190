"""An analysis kept as one workbook (.xlsx or .ods): read as the CSV folder is, every message naming the
sheet, the row and the column letter the spreadsheet shows, and everything downstream the same.

The workbooks LibreOffice made (tests/fixtures/clients/libreoffice/) are read as LibreOffice wrote them;
the others are written by openpyxl and edited cell by cell as a student would.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from repro import AnalysisError, load_analysis, paths
from repro.cli import main
from repro.data.workbook import cell_text
from repro.pipeline.template import write_template

from conftest import REPOSITORY, tree_snapshot

CLIENTS = REPOSITORY / "tests" / "fixtures" / "clients"
TABLES = ("swot", "force_field", "lotus", "claims", "components")


def paper_workbook(folder: Path, fixture: str) -> Path:
    """A folder named like the paper's, holding the paper's codebook and the workbook ``fixture``."""
    folder.mkdir(parents=True)
    shutil.copyfile(paths.CODEBOOK, folder / "datapackage.json")
    shutil.copyfile(CLIENTS / fixture, folder / Path(fixture).name)
    return folder


def set_cell(path: Path, sheet: str, cell: str, value) -> None:
    """Type ``value`` into ``cell`` of ``sheet``, as a student does in Excel, and save."""
    book = load_workbook(path)
    book[sheet][cell] = value
    book.save(path)


@pytest.fixture
def workbook_template(tmp_path) -> Path:
    folder = tmp_path / "mine"
    write_template(folder, workbook=True)
    return folder


@pytest.mark.parametrize("fixture", ["libreoffice/paper.ods", "libreoffice/paper.xlsx", "sources/paper.xlsx"])
def test_the_paper_as_a_workbook_reads_as_the_csv_folder(tmp_path, fixture):
    analysis = load_analysis(paper_workbook(tmp_path / "data", fixture))
    paper = load_analysis(paths.PAPER_DATA)
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(analysis, table), getattr(paper, table))  # row numbers too
    assert analysis.source("force_field").label == f"{Path(fixture).name}, sheet force_field"
    assert set(analysis.input_hashes()) == {Path(fixture).name, "datapackage.json"}


def test_the_template_workbook_validates_and_says_its_rows_are_examples(workbook_template, capsys):
    assert {p.name for p in workbook_template.iterdir()} == {"analysis.xlsx", "datapackage.json"}
    assert main(["validate", "--data", str(workbook_template)]) == 0
    out = capsys.readouterr().out
    assert "analysis.xlsx, sheet swot, rows 2-4" in out and "example claims" in out
    analysis = load_analysis(workbook_template)
    assert dict(zip(analysis.forces["id"], analysis.forces["score"])) == {"D1": 3.0, "R1": 2.0}


def test_the_template_workbook_records_no_time(tmp_path):
    """The same template, the same bytes: openpyxl stamps the archive's members and the document's
    created and modified properties with the moment of saving, which the template leaves out."""
    write_template(tmp_path / "a", workbook=True)
    write_template(tmp_path / "b", workbook=True)
    first = (tmp_path / "a" / "analysis.xlsx").read_bytes()
    assert first == (tmp_path / "b" / "analysis.xlsx").read_bytes()
    with zipfile.ZipFile(tmp_path / "a" / "analysis.xlsx") as book:
        assert {member.date_time for member in book.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = book.read("docProps/core.xml")
    assert b"dcterms:created" not in core and b"dcterms:modified" not in core
    assert load_workbook(tmp_path / "a" / "analysis.xlsx")["swot"]["D2"].value == "An example strength"


def test_the_ods_libreoffice_makes_of_the_template_validates(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    shutil.copyfile(CLIENTS / "libreoffice/template.ods", folder / "template.ods")
    shutil.copyfile(CLIENTS / "sources/template/datapackage.json", folder / "datapackage.json")
    analysis = load_analysis(folder)
    assert analysis.forces["text"].iloc[0] == "Пример возможности"
    assert analysis.examples == {"swot": [2, 3, 4], "force_field": [2, 3, 4], "lotus": [2], "claims": [2, 3, 4]}


def test_a_message_names_the_sheet_the_row_and_the_column_letter(workbook_template, capsys):
    set_cell(workbook_template / "analysis.xlsx", "force_field", "D3", "high")
    before = tree_snapshot(workbook_template)
    assert main(["validate", "--data", str(workbook_template)]) == 2
    err = capsys.readouterr().err
    assert ('analysis.xlsx, sheet force_field, row 3 (id R1), column D "score": expected a number (e.g. 3.2), '
            "found 'high'") in err
    assert tree_snapshot(workbook_template) == before  # the workbook is only read


def test_a_misspelt_column_in_a_sheet_is_named_with_its_letter(workbook_template, capsys):
    set_cell(workbook_template / "analysis.xlsx", "force_field", "D1", "scor")
    assert main(["validate", "--data", str(workbook_template)]) == 2
    err = capsys.readouterr().err
    assert 'analysis.xlsx, sheet force_field, row 1, column D "scor": did you mean "score"?' in err
    assert err.count("  - ") == 1  # nothing that only follows from it


@pytest.mark.parametrize("typed, read", [(3.5, 3.5), ("3,5", 3.5), ("3.5", 3.5), (4, 4.0), ("4", 4.0)])
def test_numbers_typed_as_numbers_or_as_text_with_a_decimal_comma_read(workbook_template, typed, read):
    set_cell(workbook_template / "analysis.xlsx", "force_field", "D2", typed)
    analysis = load_analysis(workbook_template)
    assert analysis.forces["score"].iloc[0] == read


def test_a_float_cell_reads_as_the_decimal_the_user_typed(workbook_template):
    # A spreadsheet stores 1.1 + 2.2 as 3.3000000000000003 (not the double nearest 3.3) and shows 3.3. The
    # reader takes the 15 significant digits Excel keeps and shows: 3.3, which ties a 3.3 typed elsewhere.
    assert float("3.3000000000000003") != 3.3
    path = workbook_template / "analysis.xlsx"
    set_cell(path, "force_field", "D2", 3.25)
    with zipfile.ZipFile(path) as book:
        parts = {name: book.read(name) for name in book.namelist()}
    sheet = next(n for n in parts if n.startswith("xl/worksheets/") and b"<v>3.25</v>" in parts[n])
    parts[sheet] = parts[sheet].replace(b"<v>3.25</v>", b"<v>3.3000000000000003</v>")
    with zipfile.ZipFile(path, "w") as book:
        for name, data in parts.items():
            book.writestr(name, data)
    analysis = load_analysis(workbook_template)
    assert analysis.forces["score"].iloc[0] == 3.3
    assert cell_text(1.1 + 2.2) == "3.3" and cell_text(0.1 + 0.2) == "0.3"
    assert cell_text(1e-7) == "1e-07" and cell_text(12345678901234567.0) == "1.23456789012346e+16"


def test_a_date_where_a_number_belongs_is_refused(workbook_template, capsys):
    import datetime

    set_cell(workbook_template / "analysis.xlsx", "force_field", "D2", datetime.datetime(2024, 2, 3))
    assert main(["validate", "--data", str(workbook_template)]) == 2
    err = capsys.readouterr().err
    assert 'analysis.xlsx, sheet force_field, row 2, column D "score": the cell holds a date or time (2024-02-03' in err
    assert "Format the column as Text" in err


def test_a_misspelt_sheet_is_named_and_another_sheet_is_left_alone(workbook_template, capsys):
    path = workbook_template / "analysis.xlsx"
    book = load_workbook(path)
    book["lotus"].title = "lotsu"
    book.create_sheet("My notes")["A1"] = "remember to ask the dean"
    book.save(path)
    assert main(["validate", "--data", str(workbook_template)]) == 2
    err = capsys.readouterr().err
    assert "analysis.xlsx: sheet 'lotsu': did you mean 'lotus'?" in err and "My notes" not in err
    book = load_workbook(path)
    book["lotsu"].title = "Lotus"  # the case of a sheet's name does not matter
    book.save(path)
    assert main(["validate", "--data", str(workbook_template)]) == 0
    out = capsys.readouterr().out
    assert "sheet 'My notes' is not a table of the analysis" in out and "sheet 'Lotus' read as the lotus table" in out


def test_a_workbook_beside_csv_files_is_refused_as_ambiguous(workbook_template, capsys):
    (workbook_template / "swot.csv").write_text("id,quadrant,number,text\nS1,S,1,A strength\n", encoding="utf-8")
    assert main(["validate", "--data", str(workbook_template)]) == 2
    err = capsys.readouterr().err
    assert "analysis.xlsx: is in " in err and " beside swot.csv: the analysis could be read from either" in err and "Keep one" in err


def test_two_workbooks_are_refused_and_a_lock_file_is_not_a_workbook(workbook_template, capsys):
    # Excel keeps ~$analysis.xlsx beside a workbook it has open: not the student's second workbook.
    (workbook_template / "~$analysis.xlsx").write_bytes(b"\x00lock")
    assert main(["validate", "--data", str(workbook_template)]) == 0
    shutil.copyfile(workbook_template / "analysis.xlsx", workbook_template / "analysis (copy).xlsx")
    assert main(["validate", "--data", str(workbook_template)]) == 2
    assert "an analysis is one workbook" in capsys.readouterr().err


def test_a_damaged_or_foreign_workbook_is_refused(workbook_template, capsys):
    (workbook_template / "analysis.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    assert main(["validate", "--data", str(workbook_template)]) == 2
    err = capsys.readouterr().err
    assert "analysis.xlsx: cannot be read as a workbook" in err and "Traceback" not in err
    (workbook_template / "analysis.xlsx").rename(workbook_template / "analysis.xls")
    assert main(["validate", "--data", str(workbook_template)]) == 2
    assert "save the workbook as .xlsx" in capsys.readouterr().err


def test_a_missing_sheet_and_an_empty_one_are_named(workbook_template, capsys):
    path = workbook_template / "analysis.xlsx"
    book = load_workbook(path)
    del book["swot"]
    book.save(path)
    assert main(["validate", "--data", str(workbook_template)]) == 2
    assert "analysis.xlsx: has no sheet named swot" in capsys.readouterr().err


def test_a_cyrillic_letter_in_an_id_is_named_in_a_workbook(workbook_template, capsys):
    set_cell(workbook_template / "analysis.xlsx", "force_field", "F2", "О1")  # Cyrillic О
    assert main(["validate", "--data", str(workbook_template)]) == 2
    err = capsys.readouterr().err
    assert 'sheet force_field, row 2 (id D1), column F "swot_id": refers to \'О1\', which is not an id in sheet swot' in err
    assert "its letter 1, 'О', is Cyrillic (U+041E) where O1 has Latin 'O' (U+004F)" in err


# ---------------------------------------------------------------------------------------------------
# End to end: a workbook reproduces as its CSV folder does.

def _comparable(path: Path) -> bytes:
    """A result file's bytes; for the report, without the notes on the template's examples; for a
    notebook, its cells with consecutive stream outputs joined (the kernel may send a print's text and
    its line break as one message or two)."""
    if path.name == "report.html":
        return re.sub(r'<p class="unfinished"[^>]*>[^<]*</p>', "", path.read_text(encoding="utf-8")).encode()
    if path.suffix != ".ipynb":
        return path.read_bytes()
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        joined = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                output = {**output, "text": "".join(output["text"])}
                if joined and joined[-1].get("output_type") == "stream" and joined[-1]["name"] == output["name"]:
                    output = {**output, "text": joined.pop()["text"] + output["text"]}
            joined.append(output)
        cell["outputs"] = joined
    return json.dumps(notebook, sort_keys=True).encode()


def assert_same_results(a: Path, b: Path) -> None:
    """Every output of ``a`` and ``b`` the same but the manifest (which records the input files), its
    seal (``.repro-seal``, a keyed hash of the manifest's bytes) and the report's notes on the
    template's examples (which name the file or the sheet they are in)."""
    files = lambda root: sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert files(a) == files(b)
    differ = [f for f in files(a) if f not in ("manifest.json", ".repro-seal")
              and _comparable(a / f) != _comparable(b / f)]
    assert not differ, differ


def test_the_paper_as_libreoffice_s_ods_reproduces_like_the_csv_folder(tmp_path, results):
    from repro.pipeline.reproduce import reproduce

    folder = paper_workbook(tmp_path / "data", "libreoffice/paper.ods")  # named as the paper's folder is
    out = reproduce(folder, tmp_path / "results", jobs=2, progress=lambda line: None)
    assert_same_results(results, out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["inputs_sha256"]) == {"paper.ods", "datapackage.json"}


def test_the_template_as_a_workbook_reproduces_like_the_template_as_csv(tmp_path):
    from repro.pipeline.reproduce import reproduce

    write_template(tmp_path / "csv" / "case", lang="ru", scale=(0, 10), theme="Выборы")
    write_template(tmp_path / "xlsx" / "case", lang="ru", scale=(0, 10), theme="Выборы", workbook=True)
    outs = [reproduce(tmp_path / kind / "case", tmp_path / kind / "results", lang="en", jobs=2,
                      progress=lambda line: None) for kind in ("csv", "xlsx")]
    assert_same_results(*outs)
    html = (outs[1] / "report.html").read_text(encoding="utf-8")
    assert "analysis.xlsx, sheet swot, rows 2, 3, 4" in html  # the examples, named where they are
    assert "swot.csv, rows 2, 3, 4" in (outs[0] / "report.html").read_text(encoding="utf-8")
    assert re.search(r"class=\"unfinished\"[^>]*>The title, description, and source", html)  # CLDR's English list
