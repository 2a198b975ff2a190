"""The header of a table against the codebook: every column it must have, none it does not know.

A misspelt column is the commonest mistake in a header ("scor" for "score"), and the one that
hides best: an optional column misspelt is simply absent. So every name the codebook does not know
is refused, with the closest name it does know, and every column the header must have and lacks is
named; these come before any problem of the cells, which would only follow from them.
"""

from __future__ import annotations

import difflib

from repro.data import codebook
from repro.data.cells import describe_invisible, invisible_characters
from repro.data.table import RawTable
from repro.errors import Problem, is_invisible


def _plain(name: str) -> str:
    """A column name as typed carelessly, made comparable: no invisible characters, lower case,
    underscores for spaces and hyphens ("Source line" is source_line)."""
    kept = "".join(ch for ch in name if not is_invisible(ch))
    return "_".join(kept.strip().lower().replace("-", " ").split())


def header_problems(table: RawTable, name: str) -> list[Problem]:
    """Every problem of the header of ``table`` (the table ``name`` of an analysis), each naming the
    column; an empty list when the header is fine."""
    source = table.source
    known = [f["name"] for f in codebook.fields(name)]
    needed = codebook.header_columns(name)
    absent = [c for c in known if c not in table.header]
    # The columns a misspelt name most likely means: those the header must have first.
    candidates = [c for c in needed if c in absent] + [c for c in absent if c not in needed]
    problems, meant = [], set()
    for column in table.header:
        if column in known:
            continue
        plain = _plain(column)
        close = [plain] if plain in candidates else difflib.get_close_matches(plain, candidates, n=1, cutoff=0.6)
        hidden = invisible_characters(column)
        if close and close[0] not in meant:
            meant.add(close[0])
            why = (f" (its name holds {describe_invisible(hidden)})" if hidden else "")
            problems.append(source.problem(f'did you mean "{close[0]}"?{why} Rename the column to {close[0]}.',
                                           row=table.header_row, column=column))
        else:
            problems.append(source.problem(
                f"is not a column of the {name} table; its columns are {', '.join(known)}. Rename the column to "
                "one of them, or delete it.", row=table.header_row, column=column))
    for column in needed:
        if column not in table.header and column not in meant:
            problems.append(source.problem(
                f"the header lacks required column {column}; found {', '.join(table.header)}. Add a column named "
                f"{column}.", row=table.header_row, column=column))
    return problems
