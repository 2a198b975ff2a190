"""User mistakes as data: each :class:`Problem` names the file, the row and the column.

A row is counted as a spreadsheet counts it: row 1 is the header, row 2 the first data row.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, worded for the person who has to fix it."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    item_id: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}" + (f" (id {self.item_id})" if self.item_id else ""))
        elif self.item_id:
            where.append(f"id {self.item_id}")
        if self.column is not None:
            where.append(f'column "{self.column}"')
        return ", ".join(where) + ": " + self.message


class AnalysisError(Exception):
    """Raised when an analysis folder cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
