"""Read one CSV file the way people actually save them, or say exactly what is wrong.

Spreadsheets set to a Russian locale save with semicolons and decimal commas, older Windows
tools save in Windows-1251, Excel adds a byte-order mark. These are read correctly, and a note
says what was assumed. Anything else that is not a table comes back as a :class:`Problem`.
The file itself is only ever read.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from repro.errors import Problem

_CYRILLIC = re.compile(r"[А-Яа-яЁё]")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


@dataclass
class RawTable:
    """A CSV file's header and cells as text, with the spreadsheet row number of every data row."""

    header: list[str]
    header_row: int
    rows: list[list[str]]
    row_numbers: list[int]
    notes: list[str] = field(default_factory=list)


def _decode(data: bytes, name: str) -> tuple[str, list[str], Problem | None]:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1251."""
    notes: list[str] = []
    if data.startswith(codecs.BOM_UTF8):
        notes.append(f"{name}: starts with a UTF-8 byte-order mark (as Excel saves it); read as UTF-8.")
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), [f"{name}: read as UTF-16 (Excel 'Unicode text')."], None
        except UnicodeDecodeError:
            return "", notes, Problem(name, "starts like UTF-16 text but is not valid UTF-16; save it as 'CSV UTF-8'.")
    if b"\x00" in data:
        return "", notes, Problem(name, "holds NUL bytes, so it is not a CSV text file; save it as 'CSV UTF-8 (comma delimited)'.")
    try:
        return data.decode("utf-8"), notes, None
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        text = ""
    if _CYRILLIC.search(text):
        notes.append(f"{name}: not UTF-8; read as Windows-1251 (Cyrillic). Save it as 'CSV UTF-8' to avoid this guess.")
        return text, notes, None
    return "", notes, Problem(
        name,
        f"is not UTF-8 text (byte 0x{data[utf8_error.start]:02x} at position {utf8_error.start}); "
        "save it as 'CSV UTF-8 (comma delimited)'.",
    )


def _delimiter(text: str) -> str:
    """The delimiter of the header line: a semicolon or a tab where it outnumbers commas."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] > 0 else ","


def read_csv(path: Path, numeric_columns: set[str] = frozenset(), required_columns: list[str] = ()) -> RawTable | Problem:
    """Read ``path`` into a :class:`RawTable`, or return the :class:`Problem` that prevents it.

    Decimal commas are accepted in ``numeric_columns`` (``3,2`` is read as ``3.2``); a header
    without one of ``required_columns`` is reported before anything else.
    """
    name = path.name
    if not path.exists():
        return Problem(name, f"file not found in {path.parent}.")
    if not path.is_file():
        return Problem(name, "is not a file.")
    data = path.read_bytes()
    text, notes, problem = _decode(data, name)
    if problem:
        return problem
    if not text.strip():
        return Problem(name, "the file is empty; expected a header row naming the columns, then one row per item.")
    delimiter = _delimiter(text)
    if delimiter != ",":
        shown = "semicolons" if delimiter == ";" else "tabs"
        notes.append(f"{name}: columns separated by {shown} (as a Russian-locale spreadsheet saves CSV); read accordingly.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for record in reader:
            records.append((line, [cell.strip() for cell in record]))
            line = reader.line_num + 1
    except csv.Error as exc:
        return Problem(name, f"cannot be read as CSV ({exc}); check the quotes around texts.", row=line)
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
    missing = [c for c in required_columns if c not in header]
    if missing:
        return Problem(name, f"the header lacks required column(s) {', '.join(missing)}; found {', '.join(header)}.",
                       row=header_line, column=missing[0])
    rows, numbers = [], []
    for number, cells in body:
        if len(cells) > len(header):
            if any(cells[len(header):]):
                return Problem(
                    name,
                    f"the row has {len(cells)} cells but the header has {len(header)} columns; "
                    f"a text containing the delimiter '{delimiter}' must be in double quotes.",
                    row=number,
                )
            cells = cells[: len(header)]
        cells = cells + [""] * (len(header) - len(cells))  # spreadsheets drop trailing empty cells
        rows.append(cells)
        numbers.append(number)
    comma_seen = False
    for col in (i for i, h in enumerate(header) if h in numeric_columns):
        for cells in rows:
            if _DECIMAL_COMMA.match(cells[col]):
                cells[col] = cells[col].replace(",", ".")
                comma_seen = True
    if comma_seen:
        notes.append(f"{name}: numbers written with a decimal comma were read as decimals (3,2 as 3.2), unchanged.")
    return RawTable(header, header_line, rows, numbers, notes)
