"""Read one CSV file the way people actually save them, or say exactly what is wrong.

Spreadsheets set to a Russian locale save with semicolons and decimal commas, Excel adds a
byte-order mark, and a file may be UTF-8, UTF-16 or in the code page of the computer that saved it:
:mod:`repro.data.encoding` decides which on evidence, or refuses. What was assumed is said in a note.
Anything else that is not a table comes back as a :class:`Problem`. The file itself is only ever read.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from repro.data.encoding import SAVE_AS_UTF8, Undecided, decode
from repro.data.table import RawTable, TableSource
from repro.errors import Problem

__all__ = ["RawTable", "read_csv", "read_csv_table", "decimal_commas"]

_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_SURROGATE = re.compile(r"[\udc80-\udcff]")


def _delimiter(text: str) -> str:
    """The delimiter of the header line: a semicolon or a tab where it outnumbers commas."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] > 0 else ","


def _records(text: str, delimiter: str, source: TableSource) -> list[tuple[int, list[str]]] | Problem:
    """The CSV records of ``text``, each with the line it starts on (a quoted text may hold line breaks)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for record in reader:
            records.append((line, [cell.strip() for cell in record]))
            line = reader.line_num + 1
    except csv.Error as exc:
        return source.problem(f"cannot be read as CSV ({exc}); check the quotes around texts.", row=line)
    return records


def _damaged_byte(records: list[tuple[int, list[str]]], source: TableSource, encoding: str) -> Problem:
    """The refusal of a UTF-8 file holding a byte that is not UTF-8, at the row and column of that byte."""
    header = records[0][1] if records else []
    for line, cells in records:
        for index, cell in enumerate(cells):
            bad = _SURROGATE.search(cell)
            if bad:
                byte = ord(bad.group()) - 0xDC00
                column = header[index] if line != records[0][0] and index < len(header) else None
                shown = _SURROGATE.sub("\ufffd", cell)
                return source.problem(
                    f"the file is {encoding} text, but byte 0x{byte:02x} at character {bad.start() + 1} of this "
                    f"cell ({shown!r}) is not UTF-8: the file was damaged, or part of it saved in another "
                    "encoding. Retype the cell's text in the spreadsheet, then save the file again. "
                    + SAVE_AS_UTF8, row=line, column=column)
    return source.problem(f"the file is {encoding} text, but it holds a byte that is not UTF-8. " + SAVE_AS_UTF8)


def decimal_commas(table: RawTable, numeric_columns: set[str]) -> None:
    """Read numbers written with a decimal comma (``3,2``) in ``numeric_columns`` as decimals, with a note."""
    comma_seen = False
    for col in (i for i, h in enumerate(table.header) if h in numeric_columns):
        for cells in table.rows:
            if _DECIMAL_COMMA.match(cells[col]):
                cells[col] = cells[col].replace(",", ".")
                comma_seen = True
    if comma_seen:
        table.notes.append(f"{table.source.label}: numbers written with a decimal comma (3,2) were read as "
                           "decimals; the file was not changed.")


def read_csv_table(path: Path, numeric_columns: set[str] = frozenset()) -> RawTable | Problem:
    """Read ``path`` into a :class:`RawTable`, or return the :class:`Problem` that prevents it.

    Decimal commas are accepted in ``numeric_columns`` (``3,2`` is read as ``3.2``). A row with more
    cells than the header has names is kept out of the table and reported in its ``row_problems``:
    whether the row or the header is wrong is for the caller to judge, after the header.
    """
    name = path.name
    source = TableSource(name)
    if not path.exists():
        return Problem(name, f"file not found in {path.parent}.")
    if not path.is_file():
        return Problem(name, "is not a file.")
    data = path.read_bytes()
    try:
        decoded = decode(data)
    except Undecided as exc:
        return Problem(name, str(exc))
    notes = [f"{name}: {decoded.note}"] if decoded.note else []
    text = decoded.text
    if not text.strip():
        return Problem(name, "the file is empty; expected a header row naming the columns, then one row per item.")
    delimiter = _delimiter(text)
    if delimiter != ",":
        shown = "semicolons" if delimiter == ";" else "tabs"
        notes.append(f"{name}: columns separated by {shown} (as a Russian-locale spreadsheet saves CSV); read accordingly.")
    records = _records(text, delimiter, source)
    if isinstance(records, Problem):
        return records
    if decoded.damaged:
        return _damaged_byte(records, source, decoded.encoding)
    records = [(n, cells) for n, cells in records if any(cells)]
    if not records:
        return Problem(name, "the file is empty; expected a header row naming the columns, then one row per item.")
    (header_line, header), body = records[0], records[1:]
    if any(h == "" for h in header):
        position = header.index("") + 1
        return Problem(name, f"the header has an empty column name at position {position}; every column needs a name.", row=header_line)
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        return Problem(name, f"the header names column(s) {', '.join(duplicated)} more than once.", row=header_line)
    rows, numbers, row_problems = [], [], []
    for number, cells in body:
        if len(cells) > len(header):
            if any(cells[len(header):]):
                row_problems.append(Problem(
                    name,
                    f"the row has {len(cells)} cells but the header has {len(header)} columns; "
                    f"a text containing the delimiter '{delimiter}' must be in double quotes.",
                    row=number,
                ))
                continue
            cells = cells[: len(header)]
        cells = cells + [""] * (len(header) - len(cells))  # spreadsheets drop trailing empty cells
        rows.append(cells)
        numbers.append(number)
    table = RawTable(header, header_line, rows, numbers, notes, source, row_problems)
    decimal_commas(table, numeric_columns)
    return table


def read_csv(path: Path, numeric_columns: set[str] = frozenset(), required_columns: list[str] = ()) -> RawTable | Problem:
    """Read ``path`` into a :class:`RawTable`, or return the first :class:`Problem` that prevents it.

    Decimal commas are accepted in ``numeric_columns`` (``3,2`` is read as ``3.2``); a header
    without one of ``required_columns`` is reported before anything else.
    """
    table = read_csv_table(path, numeric_columns)
    if isinstance(table, Problem):
        return table
    missing = [c for c in required_columns if c not in table.header]
    if missing:
        return Problem(path.name, f"the header lacks required column(s) {', '.join(missing)}; found "
                       f"{', '.join(table.header)}.", row=table.header_row, column=missing[0])
    return table.row_problems[0] if table.row_problems else table
