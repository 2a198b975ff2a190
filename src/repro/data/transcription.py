"""Check the transcribed tables, claims and components against the article's text.

Every ``text`` of the three tables must stand verbatim, as a whole tab-separated cell, on its
recorded ``source_line`` of the article's text file; every ``score_as_printed`` likewise; and the
``score`` must be that printed score read with a decimal point. Every claim's ``quote`` must stand
verbatim within its ``source_line``; every component's ``text`` within its ``source_line`` and its
``quote`` within its ``quote_line``. A reviewer runs it on their own copy of the text:
``repro check-source PATH``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from repro.data import Analysis
from repro.errors import Problem


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.split("\t")]


class TextFileError(ValueError):
    """The article's text cannot be read as text: the message says why and what to do."""


def read_text_lines(text_path: str | Path) -> list[str]:
    """The lines of the text file ``text_path``, read as UTF-8 (a byte-order mark allowed).

    Any other encoding is refused rather than guessed: a misread letter would make every quote
    "not verbatim", and a reader would hunt for differences that are not in the article.
    """
    data = Path(text_path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise TextFileError(f"{Path(text_path).name}: line {line} holds byte 0x{data[exc.start]:02x}, which is not "
                            "UTF-8: the text must be plain UTF-8 text. Save it as UTF-8 (in a text editor: Save as, "
                            "encoding UTF-8; in LibreOffice Writer: Save as, Text - Choose encoding, Unicode (UTF-8)) "
                            "and run the command again.") from None
    if "\0" in text:
        raise TextFileError(f"{Path(text_path).name}: holds NUL bytes, so it is not a plain text file (a PDF or a word "
                            "processor's file?): give the article as plain UTF-8 text.")
    if not text.strip():
        raise TextFileError(f"{Path(text_path).name}: is empty; give the article's text, one paragraph or table row "
                            "a line, as the analysis's source_line columns count them.")
    return text.split("\n")


def check_against_text(analysis: Analysis, text_path: str | Path) -> tuple[int, list[Problem]]:
    """Return how many values were checked and every mismatch found.

    Rows without a ``source_line`` (a student's own analysis) are skipped.
    """
    lines = read_text_lines(text_path)
    checked, problems = 0, []
    tables = {"swot": analysis.swot, "force_field": analysis.force_field}
    if analysis.lotus is not None:
        tables["lotus"] = analysis.lotus
    for name, table in tables.items():
        source = analysis.source(name)
        for row in table.itertuples():
            if pd.isna(row.source_line):
                continue
            n = int(row.source_line)
            where = dict(row=row.file_row, item_id=row.id)
            if not 1 <= n <= len(lines):
                problems.append(source.problem(f"source_line {n} is beyond the text's {len(lines)} lines.", column="source_line", **where))
                continue
            cells = _cells(lines[n - 1])
            checked += 1
            if row.text not in cells:
                problems.append(source.problem(f"the text is not a cell of line {n} of {Path(text_path).name}: {row.text!r}.", column="text", **where))
            printed = getattr(row, "score_as_printed", "")
            if printed:
                checked += 1
                if printed not in cells:
                    problems.append(source.problem(f"score {printed!r} is not a cell of line {n}.", column="score_as_printed", **where))
                elif float(printed.replace(",", ".")) != row.score:
                    problems.append(source.problem(f"score {row.score:g} is not the printed {printed!r}.", column="score", **where))
    quoted = []  # (source, table, column of the text, column of its line)
    if analysis.claims is not None:
        quoted.append((analysis.source("claims"), analysis.claims, "quote", "source_line"))
    if analysis.components is not None:
        quoted += [(analysis.source("components"), analysis.components, "text", "source_line"),
                   (analysis.source("components"), analysis.components, "quote", "quote_line")]
    for source, table, column, line_column in quoted:
        for row in table.itertuples():
            passage, line = getattr(row, column), getattr(row, line_column)
            if not passage or pd.isna(line):
                continue
            n = int(line)
            where = dict(row=row.file_row, item_id=row.id)
            if not 1 <= n <= len(lines):
                problems.append(source.problem(f"{line_column} {n} is beyond the text's {len(lines)} lines.",
                                        column=line_column, **where))
                continue
            checked += 1
            # A quote is a sentence within its line (a paragraph), not a whole cell.
            if passage not in lines[n - 1]:
                problems.append(source.problem(f"the {column} does not stand verbatim in line {n} of "
                                        f"{Path(text_path).name}: {passage!r}.", column=column, **where))
    if analysis.lotus is not None:
        forces = analysis.forces.set_index("id")
        for centre, block in analysis.lotus.groupby("centre_id", sort=False):
            lines_of_block = sorted(int(n) for n in block["source_line"].dropna())
            if not lines_of_block:
                continue
            checked += 1
            # The centre sits on the middle line of the block's three published lines.
            if lines_of_block[0] >= len(lines):  # the line after the block's first is beyond the text
                problems.append(analysis.source("lotus").problem(
                    f"the block of centre {centre} starts at line {lines_of_block[0]}, and its middle line would be "
                    f"beyond the text's {len(lines)} lines.", column="source_line", item_id=centre))
                continue
            middle = _cells(lines[lines_of_block[0]])  # 0-based index = the line after the first
            if forces.loc[centre, "text"] not in middle:
                problems.append(analysis.source("lotus").problem(
                    f"the centre {centre} is not the middle line of its published block.", column="centre_id",
                    item_id=centre))
    return checked, problems
