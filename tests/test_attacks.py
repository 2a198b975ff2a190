"""The package under attack: bad files, bad options, bad folders and a hostile system. Every case ends
with exit code 2 (1 for an internal fault) and a message of one line that names the cause, in bounded
time and memory, with nothing of the user's changed; texts are drawn and written as typed.

The limits named in the messages are those of repro.data.limits; the expected values below are
worked by hand from them.
"""

from __future__ import annotations

import csv
import io
import json
import os
import resource
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import earlier_results, repro_executable, tree_snapshot, write_csv
from repro import AnalysisError, load_analysis, paths
from repro.cli import main
from repro.data import limits
from repro.spreadsheet import neutralised, to_csv

RATERS = paths.EXAMPLES / "rater_scores.csv"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def set_scale_maximum(folder: Path, literal: str) -> None:
    """Write ``literal`` (JSON text, as a user might type it) as the score's maximum in the codebook."""
    edit(folder / "datapackage.json", '"maximum": 5', f'"maximum": {literal}')


def error_lines(err: str) -> list[str]:
    """What a command printed to stderr, the line that counts problems left out."""
    return [line for line in err.splitlines() if line.strip() and not line.endswith("problem found:")]


# --- bad data: refused by validate with the limit named ------------------------------------------

DATA_CASES = {
    # name: (how to break a copy of the paper's data, what the one line must say)
    "lotus block that overflows 64 bits": (
        lambda d: edit(d / "lotus.csv", "L01,R1,1,", "L01,R1,99999999999999999999,"),
        ['lotus.csv, row 2 (id L01), column "block"', "at most 1,000,000,000", "99999999999999999999"]),
    "SWOT number 2^63": (
        lambda d: edit(d / "swot.csv", "S1,S,1,", f"S1,S,{2 ** 63},"),
        ['swot.csv, row 2 (id S1), column "number"', "at most 1,000,000,000"]),
    "maximum Infinity": (lambda d: set_scale_maximum(d, "Infinity"), ["datapackage.json", "finite"]),
    "maximum NaN": (lambda d: set_scale_maximum(d, "NaN"), ["datapackage.json", "finite"]),
    "maximum 1e300": (lambda d: set_scale_maximum(d, "1e300"), ["datapackage.json", "±1,000,000"]),
    "maximum 10^400": (lambda d: set_scale_maximum(d, "1" + "0" * 400), ["datapackage.json", "401 digits", "±1,000,000"]),
    "maximum 1e400 (a float beyond double)": (lambda d: set_scale_maximum(d, "1e400"), ["datapackage.json", "finite"]),
    "maximum of 5,000 digits": (lambda d: set_scale_maximum(d, "9" * 5000), ["datapackage.json", "4,300 digits"]),
    "maximum as text": (lambda d: set_scale_maximum(d, '"five"'), ["datapackage.json", "must be a number"]),
    "a scale narrower than the limit": (lambda d: set_scale_maximum(d, "0.0001"), ["datapackage.json", "narrower"]),
    "codebook nested 200,000 deep": (lambda d: (d / "datapackage.json").write_text("[" * 200_000 + "]" * 200_000),
                                     ["datapackage.json", "200,000 levels deep", "at most 32"]),
    "codebook of 2 MB": (lambda d: (d / "datapackage.json").write_text(" " * (2 * 1024 * 1024) + "{}"),
                         ["datapackage.json", "2.0 MB", "at most 1.0 MB"]),
    "swot.csv of 50 MB": (lambda d: (d / "swot.csv").write_bytes(b"id,quadrant,number,text\n" + b"x" * (50 * 1024 * 1024)),
                          ["swot.csv", "50.0 MB", "at most 10.0 MB"]),
    "1,001 rows": (lambda d: write_csv(d / "components.csv", ["id", "order", "text", "items"],
                                       [[f"c{i}", i, "t", "S1"] for i in range(1, 1002)]),
                   ["components.csv", "1,001 rows", "at most 1,000"]),
    "a cell of 2,001 characters": (lambda d: edit(d / "swot.csv", "S1,S,1,", "S1,S,1," + "ы" * 2001),
                                   ['swot.csv, row 2 (id S1), column "text"', "2,", "at most 2,000"]),
}


def assert_refused_in_one_line(folder: Path, breaker, expected: list[str], capsys) -> None:
    """Break ``folder`` with ``breaker``: validate exits 2 with one line holding every part of
    ``expected``, and leaves the folder as it was."""
    breaker(folder)
    before = tree_snapshot(folder)
    assert main(["validate", "--data", str(folder)]) == 2
    err = capsys.readouterr().err
    lines = error_lines(err)
    assert len(lines) == 1 and "Traceback" not in err, err[:2000]
    for part in expected:
        assert part in lines[0], f"{part!r} missing from {lines[0][:500]!r}"
    assert tree_snapshot(folder) == before


@pytest.mark.parametrize("case", list(DATA_CASES))
def test_bad_data_is_refused_with_its_limit_in_one_line(case, paper_copy, capsys):
    assert_refused_in_one_line(paper_copy, *DATA_CASES[case], capsys)


def _sheet(folder: Path, name: str, change) -> None:
    """Apply ``change`` to sheet ``name`` of the folder's analysis.xlsx, as a student would in Excel."""
    from openpyxl import load_workbook

    book = load_workbook(folder / "analysis.xlsx")
    change(book[name])
    book.save(folder / "analysis.xlsx")


def _write_zip(path: Path, members: dict[str, bytes]) -> None:
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


SHEET_CASES = {
    # The same limits as for CSV files, in the template's workbook; each message names the sheet, and
    # the column by its letter. Columns: swot A id, B quadrant, C number, D text; lotus C block.
    "a sheet of 1,001 rows": (
        lambda d: _sheet(d, "swot", lambda ws: [ws.append([f"W{i}", "W", i, "w"]) for i in range(1, 999)]),
        ["analysis.xlsx, sheet swot: has 1,001 rows", "at most 1,000", "right sheet"]),
    "a cell of 2,001 characters": (
        lambda d: _sheet(d, "swot", lambda ws: ws.__setitem__("D2", "ы" * 2001)),
        ['analysis.xlsx, sheet swot, row 2 (id S1), column D "text"', "2,001 characters", "at most 2,000"]),
    "a lotus block typed as the text 10^20": (
        lambda d: _sheet(d, "lotus", lambda ws: ws.__setitem__("C2", "99999999999999999999")),
        ['analysis.xlsx, sheet lotus, row 2 (id P1), column C "block"', "at most 1,000,000,000"]),
    "a SWOT number typed as the number 2^40": (
        lambda d: _sheet(d, "swot", lambda ws: ws.__setitem__("C2", 2 ** 40)),
        ['analysis.xlsx, sheet swot, row 2 (id S1), column C "number"', "at most 1,000,000,000", "1099511627776"]),
    "a workbook of 11 MB": (
        lambda d: (d / "analysis.xlsx").write_bytes(os.urandom(11 * 1024 * 1024)),
        ["analysis.xlsx", "11.0 MB", "a workbook may be at most 10.0 MB"]),
    "a workbook that unpacks to 200 MB": (  # 200 MB of spaces compress to about 200 KB
        lambda d: _write_zip(d / "analysis.xlsx", {"[Content_Types].xml": b"<Types/>",
                                                   "xl/worksheets/sheet1.xml": b" " * (200 * 1024 * 1024)}),
        ["analysis.xlsx", "unpacks to 200.0 MB", "at most 100.0 MB"]),
}


@pytest.mark.parametrize("case", list(SHEET_CASES))
def test_a_workbook_beyond_a_limit_is_refused_with_it_in_one_line(case, tmp_path, capsys):
    from repro.pipeline.template import write_template

    folder = tmp_path / "mine"
    write_template(folder, workbook=True)
    assert_refused_in_one_line(folder, *SHEET_CASES[case], capsys)


def test_more_forces_than_the_limit_in_a_sheet_are_refused(tmp_path, capsys):
    from repro.pipeline.template import write_template

    folder = tmp_path / "mine"
    write_template(folder, workbook=True)
    _sheet(folder, "force_field", lambda ws: [ws.append([f"X{i}", "force", "driving", 3, "x", "O1"])
                                              for i in range(1, 100)])  # 2 example forces + 99
    assert main(["validate", "--data", str(folder)]) == 2
    (line,) = error_lines(capsys.readouterr().err)
    assert 'analysis.xlsx, sheet force_field, column B "kind": has 101 forces' in line
    assert f"at most {limits.MAX_FORCES}" in line


def test_a_workbook_that_unpacks_to_hundreds_of_megabytes_is_refused_before_it_is_unpacked(tmp_path):
    """A real sheet of a million rows of eight cells (Excel's most rows; about 320 MB of XML, 1 MB
    compressed), run as the user runs it in a process limited to 1 GB of address space: refused from
    the sizes its archive declares, before any of it is unpacked. Without the limit the whole sheet was
    read (about 25 s here, within the 1 GB) only to report a problem of its header."""
    import zipfile

    from repro.pipeline.template import write_template

    folder = tmp_path / "mine"
    write_template(folder, workbook=True)
    path = folder / "analysis.xlsx"
    with zipfile.ZipFile(path) as book:
        parts = {name: book.read(name) for name in book.namelist()}
    sheet = next(name for name in parts if name.startswith("xl/worksheets/"))
    head, _, tail = parts.pop(sheet).partition(b"</sheetData>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for name, data in parts.items():
            book.writestr(name, data)
        with book.open(sheet, "w", force_zip64=True) as member:
            member.write(head)
            # Rows and cells without their optional references ("r") follow each other, one row each.
            row = b"<row>" + b'<c t="inlineStr"><is><t>x</t></is></c>' * 8 + b"</row>"
            for _ in range(100):
                member.write(row * 10_000)
            member.write(b"</sheetData>" + tail)
    limit = 1024 ** 3
    done = subprocess.run([repro_executable(), "validate", "--data", str(folder)], capture_output=True, text=True,
                          timeout=60, cwd=tmp_path,
                          preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)),
                          env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    assert done.returncode == 2 and len(error_lines(done.stderr)) == 1, done.stderr[-2000:]
    assert "analysis.xlsx: unpacks to" in done.stderr and "at most 100.0 MB" in done.stderr


def force_field_of(n_driving: int, n_restraining: int, folder: Path) -> None:
    """An analysis of ``n_driving`` + ``n_restraining`` forces, each from its own SWOT item."""
    write_csv(folder / "swot.csv", ["id", "quadrant", "number", "text"],
              [[f"O{i}", "O", i, f"chance {i}"] for i in range(1, n_driving + 1)]
              + [[f"T{i}", "T", i, f"threat {i}"] for i in range(1, n_restraining + 1)])
    write_csv(folder / "force_field.csv", ["id", "kind", "direction", "score", "text", "swot_id"],
              [[f"D{i}", "force", "driving", 3, f"chance {i}", f"O{i}"] for i in range(1, n_driving + 1)]
              + [[f"R{i}", "force", "restraining", 3, f"threat {i}", f"T{i}"] for i in range(1, n_restraining + 1)])
    for name in ("lotus.csv", "claims.csv", "components.csv"):
        (folder / name).unlink(missing_ok=True)


def test_more_forces_than_the_limit_are_refused_and_the_limit_itself_is_fine(paper_copy, capsys):
    force_field_of(51, 50, paper_copy)  # 101 forces
    assert main(["summary", "--data", str(paper_copy)]) == 2
    (line,) = error_lines(capsys.readouterr().err)
    assert "force_field.csv" in line and "101 forces" in line and f"at most {limits.MAX_FORCES}" in line
    force_field_of(50, 50, paper_copy)  # 100: the limit
    assert main(["summary", "--data", str(paper_copy)]) == 0
    out = capsys.readouterr().out
    # Every force ties with 49 others on its side: each is listed once, naming three ties and counting the rest.
    assert "1. D1 (3, tied with D2, D3, D4 and 46 more)" in out
    assert "1. R50 (3, tied with R1, R2, R3 and 46 more)" in out


def test_summary_output_grows_linearly_with_the_number_of_forces():
    """The tie lists name at most three forces each, so the summary's size is proportional to the number
    of forces, even when all tie (the old code listed every other force on every row: 2,000 tied forces
    printed 2.4 MB)."""
    import pandas as pd

    from repro.methods.force_field import TIES_NAMED, rank_forces

    sizes = {}
    for n in (200, 2000):
        forces = pd.DataFrame({"id": [f"F{i}" for i in range(n)], "direction": ["driving"] * n, "score": [1.0] * n})
        ranks = rank_forces(forces)
        assert (ranks["rank"] == 1).all() and ranks["tied"].all()
        assert ranks.loc[0, "tied_with"] == f"F1, F2, F3 and {n - 1 - TIES_NAMED} more"
        sizes[n] = ranks["tied_with"].str.len().sum()
    assert sizes[2000] < 11 * sizes[200]  # ten times the forces, about ten times the text (quadratic: 100 times)


# --- bad options: refused up front -----------------------------------------------------------------

OPTION_CASES = {
    "--half-width nan": (["--half-width", "nan"], "--half-width must be a finite number from 0 to 2,000,000, got nan"),
    "--half-width inf": (["--half-width", "inf"], "--half-width must be a finite number"),
    "--half-width -0.1": (["--half-width", "-0.1"], "--half-width must not be negative, got -0.1"),
    "--seed -1": (["--seed", "-1"], "--seed must be a whole number from 0 to 4,294,967,295"),
    "--seed 2^32": (["--seed", str(2 ** 32)], "--seed must be a whole number from 0 to 4,294,967,295"),
    "--scale 0 inf": (["--scale", "0", "inf"], "--scale: the maximum must be a finite number"),
    "--scale nan 5": (["--scale", "nan", "5"], "--scale: the minimum must be a finite number"),
    "--scale 0 1e300": (["--scale", "0", "1e300"], "±1,000,000"),
    "--scale 5 1": (["--scale", "5", "1"], "minimum < maximum"),
    "--draws 3000000000": (["--draws", "3000000000"], "--draws must be a positive whole number, at most 10,000,000"),
    "--draws 0": (["--draws", "0"], "--draws must be a positive whole number"),
    "--noise chaos": (["--noise", "chaos"], "--noise must be one of"),
}


@pytest.mark.parametrize("case", list(OPTION_CASES))
def test_bad_sensitivity_options_are_refused_before_any_work(case, paper_copy, tmp_path, capsys):
    extra, says = OPTION_CASES[case]
    out = earlier_results(tmp_path / "out")
    before = tree_snapshot(out)
    with mock.patch("repro.data.load_analysis", side_effect=AssertionError("the data were read")):
        assert main(["sensitivity", "--data", str(paper_copy), "--out", str(out), *extra]) == 2
    err = capsys.readouterr().err
    assert says in err and len(error_lines(err)) == 1 and "Traceback" not in err
    assert tree_snapshot(out) == before


def test_bounded_time_and_memory_in_a_process_of_its_own(tmp_path, paper_copy):
    """The heavy cases run as the user runs them, in a process limited to 1 GB of address space and
    60 s: each ends with exit code 2 and one line (the old code read a 50 MB swot.csv for more than
    150 s and went to 7.7 GB for --draws 3000000000)."""
    (paper_copy / "swot.csv").write_bytes(b"id,quadrant,number,text\n" + b"S1,S,1,x\n" * (50 * 1024 * 1024 // 9))
    stray = tmp_path / "stray"
    stray.mkdir()
    for path in (paths.PAPER_DATA).iterdir():
        (stray / path.name).write_bytes(path.read_bytes())
    with open(stray / "survey-export.csv", "wb") as big:  # a stray 3 GB file beside the data: never read
        big.truncate(3 * 1024 ** 3)
    limit = 1024 ** 3

    def run(*arguments):
        return subprocess.run([repro_executable(), *arguments], capture_output=True, text=True, timeout=60,
                              cwd=tmp_path, preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)),
                              env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})

    done = run("validate", "--data", str(paper_copy))
    assert done.returncode == 2 and len(error_lines(done.stderr)) == 1 and "at most 10.0 MB" in done.stderr
    done = run("sensitivity", "--data", str(stray), "--out", "s", "--draws", "3000000000")
    assert done.returncode == 2 and len(error_lines(done.stderr)) == 1 and "10,000,000" in done.stderr
    done = run("sensitivity", "--data", str(stray), "--out", "s", "--draws", "1000")  # the stray file is ignored
    assert done.returncode == 0, done.stderr
    manifest = json.loads((tmp_path / "s" / "manifest.json").read_text(encoding="utf-8"))
    assert "survey-export.csv" not in manifest["inputs_sha256"]


def test_files_the_codebook_does_not_name_are_never_opened(paper_copy, monkeypatch):
    import io

    stray = paper_copy / "survey-export.csv"
    stray.write_text("respondent,answer\n1,yes\n", encoding="utf-8")
    (paper_copy / "notes.json").write_text("{}", encoding="utf-8")
    opened = []

    def watched(real):
        def opening(file, *args, **kwargs):
            if isinstance(file, (str, bytes, os.PathLike)):
                opened.append(Path(os.fsdecode(file)).name)
            return real(file, *args, **kwargs)
        return opening

    for module, name in ((io, "open"), (os, "open")):
        monkeypatch.setattr(module, name, watched(getattr(module, name)))
    monkeypatch.setattr("builtins.open", io.open)
    analysis = load_analysis(paper_copy)
    hashes = analysis.input_hashes()
    assert "swot.csv" in opened  # the watch works
    assert sorted(hashes) == ["claims.csv", "components.csv", "datapackage.json", "force_field.csv", "lotus.csv",
                              "swot.csv"]
    assert "survey-export.csv" not in opened and "notes.json" not in opened


# --- text is text ---------------------------------------------------------------------------------

#: Texts a user may type that mean no mathematics: a price, and texts that would not even parse as
#: mathtext (the old code ended the reproduction with a ParseException on them).
DOLLARS = ["Fees rise from $5 to $10", r"a $\frac{ b$ c", "$$", r"cost $x^{$ y"]


def dollar_case() -> dict:
    """The long case of test_figures with a dollar text in every place a user's text is drawn."""
    from test_figures import long_case

    case = long_case()
    n = len(DOLLARS)
    for name in ("swot", "forces", "changes", "lotus"):
        case[name] = case[name].assign(text=[DOLLARS[i % n] + f" ({i})" for i in range(len(case[name]))])
    # Ids are the user's too (D1 ... as typed): force ids with a dollar reach the break-even chart, the heatmap and
    # drop-one; the lotus's centres name the same forces.
    case["forces"] = case["forces"].assign(id="$" + case["forces"]["id"])
    case["changes"] = case["changes"].assign(id="$" + case["changes"]["id"])
    case["lotus"] = case["lotus"].assign(centre_id="$" + case["lotus"]["centre_id"])
    case["theme"] = DOLLARS[0]
    case["statements"] = {claim: DOLLARS[i % n] for i, claim in enumerate(case["statements"])}
    return case


@pytest.mark.parametrize("figure", ["swot", "force_field", "force_field_sorted", "lotus_published", "lotus_canonical",
                                    "robustness", "break_even", "rank_heatmap", "drop_one", "compare"])
def test_a_dollar_is_drawn_as_typed_in_every_figure(figure, tmp_path):
    """Titles, legends, tick labels and the texts set in boxes alike: every text drawn as it is saved
    (through save_figure, the package's one way to write a figure) is taken as plain text."""
    from matplotlib.text import Text

    from repro.figures.common import save_figure
    from test_figures import FIGURES, _fig

    case = dollar_case()
    with mock.patch("test_figures._raters", lambda c: _dollar_raters(c)):
        fig = _fig(FIGURES[figure](case))
    seen = []
    draw = Text.draw

    def spy(self, renderer):
        seen.append(self)
        return draw(self, renderer)

    with mock.patch.object(Text, "draw", spy):
        save_figure(fig, tmp_path / figure, ("png",))  # the old code raised ParseException here
    dollars = [t for t in seen if "$" in t.get_text()]
    assert dollars, "no user text with a dollar was drawn"
    for text in dollars:
        assert text._preprocess_math(text.get_text()) == (text.get_text(), False), text.get_text()


def _dollar_raters(case):
    import pandas as pd

    scores = case["forces"].set_index("id")["score"]
    return pd.DataFrame({"$5 reviewer": scores, "$x$ reviewer": scores.clip(upper=4)}).T


def test_formulas_reach_no_spreadsheet_as_formulas():
    """OWASP's rule: a text cell that would start a formula gets a leading apostrophe; numbers stay numbers."""
    for formula in ["=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0", "@SUM(A1:A9)", "-2+3", "\t=1", "\r=1",
                    "-", "=", "+x"]:
        assert neutralised(formula) == "'" + formula
    for plain in ["-0.2", "+3", "-1e-05", "1.5", "D1 -1.8 (to 3.2)", "", "text = text", "'already"]:
        assert neutralised(plain) == plain
    assert neutralised(-0.2) == -0.2


def test_claims_csv_and_compare_claims_csv_neutralise_formulas(small_analysis, tmp_path):
    """End to end: the user's statements and ids reach claims.csv and compare_claims.csv as text; the
    numbers of break_even (a negative one included) stay numbers."""
    write_csv(small_analysis / "claims.csv", ["id", "kind", "side", "force", "other", "k", "statement", "origin"], [
        ["=HYPERLINK(1)", "strongest", "", "D1", "", "", "=HYPERLINK(\"http://evil\",\"click\")", "authors"],
        ["plus", "weakest", "", "R2", "", "", "+cmd|' /C calc'!A0", "authors"],
        ["at", "outweighs", "", "D1", "R2", "", "@SUM(A1:A9)", "authors"],
        ["minus", "side_outweighs", "driving", "", "", "", "-2+3", "method"],
    ])
    assert main(["sensitivity", "--data", str(small_analysis), "--out", str(tmp_path / "s"), "--draws", "200"]) == 0
    rows = list(csv.DictReader((tmp_path / "s" / "claims.csv").open(encoding="utf-8", newline="")))
    assert [r["claim"] for r in rows] == ["'=HYPERLINK(1)", "plus", "at", "minus"]
    assert [r["statement"] for r in rows] == ["'=HYPERLINK(\"http://evil\",\"click\")", "'+cmd|' /C calc'!A0",
                                              "'@SUM(A1:A9)", "'-2+3"]
    # D1 (8) is the strongest driving force until it falls to D2's 6: break-even -2, written as a number.
    assert rows[0]["break_even"] == "-2.0" and float(rows[0]["break_even"]) == -2
    for row in rows:
        for column, cell in row.items():
            assert not cell.startswith(("=", "+", "@", "\t", "\r")) and not (
                cell.startswith("-") and column not in ("break_even", "p_holds", "p_holds_se")), (column, cell)
    scores = tmp_path / "raters.csv"
    write_csv(scores, ["rater", "id", "score"], [[r, f, 5] for r in ("=evil()", "@reviewer") for f in ("D1", "D2", "D3", "R1", "R2")])
    assert main(["compare", str(scores), "--data", str(small_analysis), "--out", str(tmp_path / "c")]) == 0
    rows = list(csv.DictReader((tmp_path / "c" / "compare_claims.csv").open(encoding="utf-8", newline="")))
    assert rows[0]["claim"] == "'=HYPERLINK(1)" and rows[3]["statement"] == "'-2+3"


def test_a_claim_called_rater_does_not_overwrite_the_raters_names(small_analysis, tmp_path):
    write_csv(small_analysis / "claims.csv", ["id", "kind", "side", "force", "other", "k", "statement", "origin"], [
        ["rater", "strongest", "", "D1", "", "", "D1 is the strongest", "authors"],
        ["claims", "weakest", "", "R2", "", "", "R2 is the weakest", "authors"],
    ])
    scores = tmp_path / "raters.csv"
    write_csv(scores, ["rater", "id", "score"], [[r, f, s] for r, s in (("Ann", 5), ("Bob", 7))
                                                 for f in ("D1", "D2", "D3", "R1", "R2")])
    assert main(["compare", str(scores), "--data", str(small_analysis), "--out", str(tmp_path / "c")]) == 0
    result = json.loads((tmp_path / "c" / "compare.json").read_text(encoding="utf-8"))
    assert [r["rater"] for r in result["claims_by_rater"]] == ["Ann", "Bob"]  # the old code wrote False here
    assert result["claims_by_rater"][0]["claims"] == {"rater": False, "claims": False}  # all tie at 5: no strict claim


# --- a hostile system: read-only, full, a mount point ---------------------------------------------

def _can_mount() -> str | None:
    """Why tmpfs cannot be mounted here (None if it can): tests that need it run as root, as CI does."""
    if os.geteuid() != 0:
        return "mounting a tmpfs needs root (CI runs the tests as root)"
    if subprocess.run(["mount", "--version"], capture_output=True).returncode != 0:
        return "no mount command"
    return None


@contextmanager
def tmpfs(folder: Path, options: str):
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"mount -t tmpfs does not work here: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


needs_mount = pytest.mark.skipif(_can_mount() is not None, reason=str(_can_mount()))


def _commands(data: Path, out: Path) -> dict[str, list[str]]:
    return {
        "reproduce": ["reproduce", "--data", str(data), "--out", str(out)],
        "sensitivity": ["sensitivity", "--data", str(data), "--out", str(out), "--draws", "100"],
        "compare": ["compare", str(RATERS), "--data", str(data), "--out", str(out)],
        "template": ["template", str(out)],
    }


@needs_mount
@pytest.mark.parametrize("command", ["reproduce", "sensitivity", "compare", "template"])
def test_a_read_only_parent_is_one_line_for_every_command(command, tmp_path, paper_copy, capsys):
    with tmpfs(tmp_path / "ro", "size=1m,ro") as ro:
        assert main(_commands(paper_copy, ro / "out")[command]) == 2
        err = capsys.readouterr().err
        assert len(error_lines(err)) == 1 and "read-only file system" in err.lower() and "Traceback" not in err
        assert list(ro.iterdir()) == []


@needs_mount
@pytest.mark.parametrize("command", ["reproduce", "sensitivity", "compare"])
def test_a_mount_point_as_out_is_refused_before_the_run(command, tmp_path, paper_copy, capsys):
    """rename(2) cannot replace a mount point (EBUSY): the old code found out after the whole run and lost it."""
    never = AssertionError("the run started")
    with tmpfs(tmp_path / "mnt", "size=1m") as mount_point, \
            mock.patch("repro.pipeline.notebook_engine.KernelPool", side_effect=never), \
            mock.patch("repro.methods.sensitivity.analyse", side_effect=never), \
            mock.patch("repro.methods.compare.compare", side_effect=never):
        assert main(_commands(paper_copy, mount_point)[command]) == 2
        err = capsys.readouterr().err
        assert "is a mount point" in err and len(error_lines(err)) == 1
        assert list(mount_point.iterdir()) == []


@needs_mount
@pytest.mark.parametrize("command", ["sensitivity", "compare"])
def test_a_full_disk_is_one_line_and_the_previous_results_stay(command, tmp_path, paper_copy, capsys):
    with tmpfs(tmp_path / "small", "size=2m") as disk:
        out = disk / "out"
        assert main(_commands(paper_copy, out)[command]) == 0
        before = tree_snapshot(out)
        capsys.readouterr()
        filler = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT)  # fill the disk up to its last block
        try:
            while True:
                os.write(filler, b"\0" * 4096)
        except OSError:
            pass
        finally:
            os.close(filler)
        assert main(_commands(paper_copy, out)[command]) == 2
        err = capsys.readouterr().err
        assert len(error_lines(err)) == 1 and "No space left on device (ENOSPC)" in err, err
        assert tree_snapshot(out) == before
        assert sorted(p.name for p in disk.iterdir()) == ["filler", "out"]


@needs_mount
def test_a_full_disk_during_a_reproduction_is_one_line(tmp_path, capsys):
    with tmpfs(tmp_path / "small", "size=1m") as disk:
        assert main(["reproduce", "--out", str(disk / "results")]) == 2
        err = capsys.readouterr().err
        assert len(error_lines(err)) == 1 and "No space left on device" in err, err
        assert list(disk.iterdir()) == []


def test_an_unreadable_data_file_is_one_line(paper_copy, capsys, monkeypatch):
    real = Path.read_bytes

    def denied(self):
        if self.name == "swot.csv":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    assert main(["validate", "--data", str(paper_copy)]) == 2
    err = capsys.readouterr().err
    assert len(error_lines(err)) == 1 and "swot.csv: Permission denied (EACCES)" in err


# --- fuzzers -------------------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
    | st.sampled_from([10 ** 400, -(2 ** 63), 1e308, float("inf"), float("nan")]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=12)
PLACES = ["minimum", "maximum", "constraints", "score field", "fields", "schema", "force_field resource",
          "resources", "whole"]


def _replace(descriptor: dict, place: str, value) -> object:
    resource = next(r for r in descriptor["resources"] if r["name"] == "force_field")
    score = next(f for f in resource["schema"]["fields"] if f["name"] == "score")
    if place in ("minimum", "maximum"):
        score["constraints"][place] = value
    elif place == "constraints":
        score["constraints"] = value
    elif place == "score field":
        resource["schema"]["fields"][resource["schema"]["fields"].index(score)] = value
    elif place == "fields":
        resource["schema"]["fields"] = value
    elif place == "schema":
        resource["schema"] = value
    elif place == "force_field resource":
        descriptor["resources"][descriptor["resources"].index(resource)] = value
    elif place == "resources":
        descriptor["resources"] = value
    else:
        return value
    return descriptor


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(place=st.sampled_from(PLACES), value=JSON_VALUES)
def test_any_json_anywhere_in_the_codebook_gives_an_analysis_or_a_problem(small_analysis, place, value):
    path = small_analysis / "datapackage.json"
    original = path.read_text(encoding="utf-8")
    try:
        descriptor = _replace(json.loads(original), place, value)
        path.write_text(json.dumps(descriptor), encoding="utf-8")  # Infinity and NaN as Python writes them
        try:
            analysis = load_analysis(small_analysis)
        except AnalysisError as exc:  # the codebook refused, or a score beyond the scale it declares
            assert exc.problems and all(p.file in ("datapackage.json", "force_field.csv") for p in exc.problems)
        else:
            assert analysis.scale.maximum - analysis.scale.minimum >= limits.MIN_SCALE_WIDTH
    finally:
        path.write_text(original, encoding="utf-8")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_any_text_as_the_codebook_gives_an_analysis_or_a_problem(small_analysis, text):
    (small_analysis / "datapackage.json").write_text(text, encoding="utf-8")
    try:
        load_analysis(small_analysis)
    except AnalysisError as exc:
        assert exc.problems[0].file == "datapackage.json"


#: Values that have broken command lines: numbers beyond every type, no numbers at all, signs, spaces.
NASTY = ["", " ", "-1", "0", "1", "nan", "inf", "-inf", "1e400", "99999999999999999999", str(2 ** 63), "0x10",
         "1_000", "3.5", "-0", "abc", "$5", "--", "ы", "1e-400", "\t", "../..", "/", "NUL\x01"]


def _run(argv: list[str], capsys) -> tuple[int, str]:
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse's own refusal of an ill-typed option: its usage and exit code 2
        code = exit_.code
    captured = capsys.readouterr()
    return code, captured.err


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(option=st.sampled_from(["--draws", "--seed", "--half-width", "--noise", "--scale"]),
       values=st.lists(st.sampled_from(NASTY) | st.integers().map(str) | st.floats().map(repr), min_size=1, max_size=2))
def test_any_sensitivity_option_value_ends_in_a_message(option, values, paper_copy, tmp_path_factory, capsys):
    """Whatever the value, the command ends with exit code 0 or 2 and no traceback. The output folder is
    a file, so a run whose options are all good is refused there, before any draw."""
    blocker = tmp_path_factory.mktemp("fuzz") / "a-file"
    blocker.write_text("mine", encoding="utf-8")
    if option == "--scale" and len(values) == 1:
        values = values * 2
    argv = ["sensitivity", "--data", str(paper_copy), "--out", str(blocker), option, *values[:2 if option == "--scale" else 1]]
    code, err = _run(argv, capsys)
    assert code == 2 and "Traceback" not in err
    assert blocker.read_text(encoding="utf-8") == "mine"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from(["reproduce", "compare", "verify", "validate", "summary", "check-source", "template"]),
       option=st.sampled_from(["--jobs", "--formats", "--lang", "--data", "--out", "--diff-dir", "--reference", "POSITIONAL"]),
       value=st.sampled_from(NASTY) | st.text(max_size=12))
def test_any_option_of_any_command_ends_in_a_message(command, option, value, tmp_path_factory, capsys):
    """Every command, every option, any value: exit code 0-3 (argparse's refusals included), never a
    traceback; whatever the value, nothing outside the fuzzer's own folder is written."""
    home = tmp_path_factory.mktemp("fuzz")
    blocker = home / "a-file"
    blocker.write_text("mine", encoding="utf-8")
    argv = [command]
    if option == "POSITIONAL":
        if command in ("compare", "template", "validate", "summary", "verify", "check-source"):
            argv.append(value if command != "template" else str(home / "t" / value.replace("\0", "")))
    else:
        argv += [option, value]
    if command in ("reproduce", "compare") and option != "--out":
        argv += ["--out", str(blocker)]  # a run whose options are good stops here, before any work
    if command == "compare" and option != "POSITIONAL":
        argv.insert(1, str(RATERS))
    if command == "template" and option != "POSITIONAL":
        argv.insert(1, str(home / "t"))
    if option == "--out" and command in ("reproduce", "compare"):
        argv[argv.index("--out") + 1] = str(blocker) if not value.strip() else str(home / "o" / value.replace("\0", ""))
    cwd = os.getcwd()
    os.chdir(home)
    try:
        with mock.patch("repro.pipeline.notebook_engine.KernelPool", side_effect=AssertionError("a reproduction started")):
            code, err = _run(argv, capsys)
    except AssertionError as exc:
        if "reproduction started" not in str(exc):
            raise
        code, err = 0, ""
    finally:
        os.chdir(cwd)
    assert code in (0, 1, 2, 3) and "Traceback" not in err, (argv, err)
    assert blocker.read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize("name", ["datapackage.json", "swot.csv", "lotus.csv"])
def test_a_pipe_in_place_of_a_data_file_is_a_message_not_a_hang(name, paper_copy):
    (paper_copy / name).unlink()
    os.mkfifo(paper_copy / name)
    done = subprocess.run([repro_executable(), "validate", "--data", str(paper_copy)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2 and "is not a file" in done.stderr and len(error_lines(done.stderr)) == 1


@needs_mount
def test_verify_with_a_read_only_place_for_its_difference_images_is_one_line(results, tmp_path, capsys):
    import shutil

    copy = tmp_path / "results"
    shutil.copytree(results, copy)
    (copy / "figures" / "swot.png").write_bytes(b"not the reference's figure")
    with tmpfs(tmp_path / "ro", "size=1m,ro") as ro:
        assert main(["verify", str(copy), "--diff-dir", str(ro / "diff")]) == 2
        err = capsys.readouterr().err
        assert len(error_lines(err)) == 1 and "read-only file system" in err
