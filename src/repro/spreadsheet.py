"""CSV for spreadsheets: no cell is ever read as a formula.

Excel, LibreOffice and Google Sheets take a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a
formula (and a leading tab or carriage return can hide one), so a statement such as
``=HYPERLINK("http://...")`` or ``+cmd|' /C calc'!A0`` in a user's claims would run in the reader's
spreadsheet. Following OWASP's rule for CSV injection, such a text cell is written with a leading
apostrophe (``'=HYPERLINK(...)``), which spreadsheets show as the text typed. Genuine numbers are left
as they are, in text columns too: ``-0.2`` stays a number.
"""

from __future__ import annotations

import re

import pandas as pd

#: The first characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: A cell that is a plain number: a spreadsheet reads it as that number, never as a formula.
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def neutralised(cell):
    """``cell`` as a spreadsheet must receive it: a text that would start a formula gets a leading
    apostrophe; numbers, plain texts and anything that is not text are returned unchanged."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) and not _NUMBER.match(cell):
        return "'" + cell
    return cell


def to_csv(frame: pd.DataFrame) -> str:
    """``frame`` as CSV text (no index, ``\\n`` line ends), every text cell neutralised; numeric
    columns are written as numbers, untouched."""
    safe = frame.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]) and not pd.api.types.is_bool_dtype(safe[column]):
            safe[column] = safe[column].map(neutralised)
    safe.columns = [neutralised(str(c)) for c in safe.columns]
    return safe.to_csv(index=False, lineterminator="\n")
