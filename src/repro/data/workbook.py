"""Read an analysis kept as one workbook (``.xlsx`` or ``.ods``): one sheet per table, named as the
CSV files are (``swot``, ``force_field``, ...).

The sheets are read by pandas through calamine, which reads both formats. Every cell becomes the
text the CSV reader would have given: a number typed as a number is written as the decimal the user
sees (a spreadsheet computes in binary, so 1.1 + 2.1 is stored as 3.2000000000000003 but shown and
meant as 3.2: Excel keeps 15 significant digits, and so does this reader), a number typed as text
with a decimal comma is read as a CSV one is. A date where text or a number was meant (Excel turns
3.2 typed in a Russian locale into the 3rd of February) is refused. Rows and columns keep the numbers
and letters the spreadsheet shows, so every message points at the cell as the user sees it.
"""

from __future__ import annotations

import datetime
import difflib
import math
from pathlib import Path

from repro.data.csvfile import decimal_commas
from repro.data.table import RawTable, TableSource, column_letter
from repro.errors import Problem

#: The workbook formats read; another spreadsheet format gets a message saying which to save as.
SUFFIXES = (".xlsx", ".ods")
OTHER_SPREADSHEETS = (".xls", ".xlsm", ".xlsb", ".fods", ".numbers")


def workbooks_in(folder: Path) -> list[Path]:
    """The spreadsheet files of ``folder``, without the lock files spreadsheets keep beside an open
    workbook (Excel's ``~$name.xlsx``) and hidden files."""
    return sorted(p for p in folder.iterdir()
                  if p.suffix.lower() in SUFFIXES + OTHER_SPREADSHEETS and p.is_file()
                  and not p.name.startswith(("~$", ".")))


def _sheet_key(name: str) -> str:
    """A sheet's name as matched against the tables' names: "Force field" and "force-field" are force_field."""
    return "_".join(name.strip().lower().replace("-", " ").split())


def cell_text(value) -> str:
    """The text of a cell as the spreadsheet shows it (the ValueError says what a date cell holds)."""
    if value is None or (isinstance(value, str) and value == ""):
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        # Excel shows and keeps 15 significant digits: the shortest decimal that has them is what was typed.
        typed = float(f"{value:.15g}")
        return str(int(typed)) if typed.is_integer() and abs(typed) < 1e15 else repr(typed)
    if isinstance(value, (datetime.date, datetime.time, datetime.timedelta)):
        raise ValueError(str(value))
    return str(value).strip()


def _read_sheets(path: Path) -> dict:
    import pandas as pd

    return pd.read_excel(path, sheet_name=None, header=None, dtype=object, engine="calamine",
                         na_filter=False, keep_default_na=False)


def _table(path: Path, sheet: str, frame, numeric_columns: set[str]) -> tuple[RawTable | None, list[Problem]]:
    """One sheet as a :class:`RawTable` (row numbers and column letters as the sheet shows them)."""
    bare = TableSource(path.name, sheet)
    rows: list[tuple[int, list[str]]] = []
    dates: list[tuple[int, int, str]] = []  # (row, column index, what the cell holds)
    for index, values in enumerate(frame.itertuples(index=False, name=None)):
        cells = []
        for col, value in enumerate(values):
            try:
                cells.append(cell_text(value))
            except ValueError as exc:
                dates.append((index + 1, col, str(exc)))
                cells.append(str(exc))
        if any(cells):
            rows.append((index + 1, cells))
    if not rows:
        return None, [bare.problem("the sheet is empty; expected a header row naming the columns, then one "
                                   "row per item.")]
    (header_row, header), body = rows[0], rows[1:]
    # Columns with neither a name nor a value are no columns: spreadsheets report formatted but
    # empty cells as part of the sheet.
    used = [i for i, name in enumerate(header) if name or any(cells[i] for _, cells in body)]
    source = TableSource(path.name, sheet, {header[i]: column_letter(i) for i in used if header[i]})
    if dates:
        return None, [source.problem(
            f"the cell holds a date or time ({held}) where text or a number belongs: a spreadsheet set to a "
            "Russian locale turns 3.2 typed into a cell into a date. Format the column as Text (or Number), "
            "then type the value again (3,2 or 3.2).", row=row, column=header[col] or None)
            for row, col, held in dates]
    nameless = [i for i in used if not header[i]]
    if nameless:
        return None, [bare.problem(f"column {column_letter(nameless[0])} has values but no name in the header "
                                   "row; every column needs a name.", row=header_row)]
    names = [header[i] for i in used]
    duplicated = sorted({h for h in names if names.count(h) > 1})
    if duplicated:
        return None, [bare.problem(f"the header names column(s) {', '.join(duplicated)} more than once.",
                                   row=header_row)]
    table = RawTable(names, header_row, [[cells[i] for i in used] for _, cells in body],
                     [n for n, _ in body], [], source)
    decimal_commas(table, numeric_columns)
    return table, []


def read_workbook(path: Path, tables: tuple[str, ...],
                  numeric_columns: dict[str, set[str]]) -> tuple[dict[str, RawTable], list[Problem], list[str]]:
    """The sheets of ``path`` named as ``tables``: the tables read, the problems found, and notes.

    A sheet named otherwise is ignored with a note, unless its name is close to a table's (then it
    is a misspelling, and refused with the name meant).
    """
    if path.suffix.lower() not in SUFFIXES:
        return {}, [Problem(path.name, f"is a {path.suffix} file; save the workbook as .xlsx (Excel Workbook) or "
                            ".ods (ODF Spreadsheet).")], []
    try:
        sheets = _read_sheets(path)
    except Exception as exc:  # a damaged or foreign file: every reader fails in its own way
        return {}, [Problem(path.name, f"cannot be read as a workbook ({type(exc).__name__}: {exc}); open it in "
                            "Excel or LibreOffice and save it again as .xlsx or .ods.")], []
    found: dict[str, str] = {}
    problems: list[Problem] = []
    notes: list[str] = []
    for sheet, frame in sheets.items():
        key = _sheet_key(sheet)
        if key in tables and key not in found:
            found[key] = sheet
        elif key in tables:
            problems.append(Problem(path.name, f"sheets {found[key]!r} and {sheet!r} are both the {key} table; keep one."))
        elif frame.size and any(str(v).strip() for v in frame.to_numpy().ravel()):
            close = difflib.get_close_matches(key, tables, n=1, cutoff=0.6)
            if close:
                problems.append(Problem(path.name, f"sheet {sheet!r}: did you mean {close[0]!r}? The tables' sheets are "
                                        f"named {', '.join(tables)}."))
            else:
                notes.append(f"{path.name}: sheet {sheet!r} is not a table of the analysis ({', '.join(tables)}) "
                             "and was not read.")
    read: dict[str, RawTable] = {}
    for name, sheet in found.items():
        if sheet != name:
            notes.append(f"{path.name}: sheet {sheet!r} read as the {name} table.")
        table, sheet_problems = _table(path, sheet, sheets[sheet], numeric_columns.get(name, set()))
        problems += sheet_problems
        if table is not None:
            read[name] = table
    return read, problems, notes
