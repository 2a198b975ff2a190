"""A table as read from a file, before any check: its header and cells as text, and where it came
from, so that every message names the place as the user sees it (a CSV file's row, or a workbook's
sheet, row and column letter)."""

from __future__ import annotations

from dataclasses import dataclass, field

from repro.errors import Problem


@dataclass(frozen=True)
class TableSource:
    """Where one table of an analysis lies: a CSV file, or a sheet of a workbook."""

    #: The file's name: ``swot.csv``, ``analysis.xlsx``.
    file: str
    #: The sheet's name, for a workbook's table.
    sheet: str | None = None
    #: Each column's letter in the sheet, by column name (workbooks only: a CSV file has no letters of
    #: its own, the program that opens it gives them).
    letters: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def label(self) -> str:
        """How a message names the table: ``swot.csv`` or ``analysis.xlsx, sheet swot``."""
        return self.file if self.sheet is None else f"{self.file}, sheet {self.sheet}"

    @property
    def short(self) -> str:
        """How a message about another table refers to this one: ``swot.csv`` or ``sheet swot``."""
        return self.file if self.sheet is None else f"sheet {self.sheet}"

    def problem(self, message: str, row: int | None = None, column: str | None = None,
                item_id: str | None = None) -> Problem:
        """A :class:`Problem` in this table, with the column's letter where the table has letters."""
        return Problem(self.label, message, row=row, column=column, item_id=item_id,
                       column_letter=self.letters.get(column) if column else None)


@dataclass
class RawTable:
    """A table's header and cells as text, with the spreadsheet row number of every data row."""

    header: list[str]
    header_row: int
    rows: list[list[str]]
    row_numbers: list[int]
    notes: list[str] = field(default_factory=list)
    source: TableSource | None = None
    #: Rows that could not be read as rows of this header (left out of ``rows``).
    row_problems: list[Problem] = field(default_factory=list)

    def __post_init__(self):
        if self.source is None:
            self.source = TableSource("table")


def column_letter(index: int) -> str:
    """The spreadsheet's letter of the column at 0-based ``index``: A, ..., Z, AA, AB, ..."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters
