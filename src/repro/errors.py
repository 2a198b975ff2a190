"""User mistakes as data: each :class:`Problem` names the file, the row and the column.

A row is counted as a spreadsheet counts it: row 1 is the header, row 2 the first data row.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

#: Invisible characters that a message names by their code, with what people call them.
INVISIBLE_NAMES = {"\ufeff": "byte-order mark", "\u200b": "zero-width space", "\u00a0": "non-breaking space",
                   "\u00ad": "soft hyphen", "\u200e": "left-to-right mark", "\u200f": "right-to-left mark",
                   "\u2060": "word joiner", "\u200c": "zero-width non-joiner", "\u200d": "zero-width joiner",
                   "\u202f": "narrow non-breaking space"}


def is_invisible(ch: str) -> bool:
    """Whether ``ch`` prints as nothing, or as a space that is not the space bar's: format and
    control characters, and every space but U+0020."""
    category = unicodedata.category(ch)
    return category in ("Cf", "Cc", "Zl", "Zp") or (category == "Zs" and ch != " ")


def code_of(ch: str) -> str:
    """``U+FEFF (byte-order mark)``: how a message names a character the reader cannot see."""
    name = INVISIBLE_NAMES.get(ch) or unicodedata.name(ch, "").lower()
    return f"U+{ord(ch):04X}" + (f" ({name})" if name else "")


def visible(text: str) -> str:
    """``text`` with every invisible character but line breaks and tabs written as ``<U+FEFF>``, so
    that a message never holds a character the reader cannot see."""
    return "".join(f"<U+{ord(ch):04X}>" if is_invisible(ch) and ch not in "\n\t" else ch for ch in text)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, worded for the person who has to fix it.

    ``file`` names the file, and the sheet when the table is a workbook's ("analysis.xlsx, sheet
    swot"); ``column_letter`` is the column's letter in that sheet, as the spreadsheet shows it.
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    item_id: str | None = None
    column_letter: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}" + (f" (id {self.item_id})" if self.item_id else ""))
        elif self.item_id:
            where.append(f"id {self.item_id}")
        if self.column is not None:
            letter = f"{self.column_letter} " if self.column_letter else ""
            where.append(f'column {letter}"{self.column}"')
        return visible(", ".join(where) + ": " + self.message)


class AnalysisError(Exception):
    """Raised when an analysis folder cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
