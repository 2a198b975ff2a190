"""Every limit the package enforces, in one place, each with the reason for its number.

An input beyond a limit is refused up front (exit code 2), by a message that names the limit, before
any work that could take unbounded time or memory starts. The limits are generous for a student's
analysis or a paper's tables (the paper's largest table has 21 rows, its longest cell 166
characters); they exist so that a mistaken file (a survey export saved as ``swot.csv``, a scale of
``1e300``, a typo of ``--draws``) ends in a message instead of minutes of work or a crash.

The functions here check raw cells and numbers and return :class:`~repro.errors.Problem` objects
(or a message), so :mod:`repro.data` and the command line report them like any other mistake.
"""

from __future__ import annotations

import math
import re
import zipfile
from pathlib import Path

from repro.data.table import TableSource
from repro.errors import Problem

# --- input files ---------------------------------------------------------------------------------

#: Bytes of one table (CSV). The paper's largest is 3 KB; 10 MB holds a thousand rows of long texts
#: in Cyrillic (two bytes a letter) with room to spare, and is read, decoded and validated in a few
#: seconds. A survey export saved as ``swot.csv`` by mistake is refused before it is read.
MAX_TABLE_BYTES = 10 * 1024 * 1024
#: Bytes of a workbook (``.xlsx`` or ``.ods``) on disk. A workbook holds every table of an analysis,
#: compressed: the paper's is 16-19 KB (its CSV files 12 KB), so a workbook of 10 MB, like a table,
#: holds far more than the row and cell limits below let through.
MAX_WORKBOOK_BYTES = 10 * 1024 * 1024
#: Bytes of a workbook once unpacked (both formats are zip archives of XML). The paper's unpacks to
#: 57-130 KB, seven to ten times its CSV text; 100 MB holds every table at its limits with XML's
#: markup around them, and keeps a compressed file that unpacks to gigabytes (a "zip bomb", or a
#: sheet formatted down to its millionth row) from being read into memory.
MAX_WORKBOOK_UNPACKED_BYTES = 100 * 1024 * 1024
#: Bytes of a codebook (``datapackage.json``). The paper's is 24 KB; a codebook describes columns,
#: so 1 MB is forty times anything it needs.
MAX_CODEBOOK_BYTES = 1024 * 1024
#: How deeply a codebook's JSON may nest (objects and arrays inside each other). The paper's nests 6
#: levels deep (package, resources, resource, schema, fields, field, constraints); 32 leaves room for
#: any descriptor the Data Package standard allows and keeps a pathological file (200,000 nested
#: brackets) from exhausting the JSON reader's recursion.
MAX_JSON_DEPTH = 32
#: Bytes of a text a command reads whole (the article's text for ``repro check-source``). An article's
#: text is well under 1 MB; 50 MB is a whole book.
MAX_TEXT_BYTES = 50 * 1024 * 1024

#: Data rows of one table. A SWOT table, a force field or a lotus flower of a thousand items is far
#: beyond what the methods are for (the paper has 16, 12 and 21); every row is drawn in a figure and
#: listed in the report, which stay readable and quick to build below this.
MAX_ROWS = 1000
#: Characters in one cell. The paper's longest cell (a quoted sentence) has 166; 2,000 is a long
#: paragraph. Every text is wrapped into a figure's boxes, and wrapping costs grow with its length.
MAX_CELL_CHARACTERS = 2000
#: Whole numbers in a table (item numbers, lotus blocks and cells, row and line numbers, k). Line
#: numbers of the longest text fit easily; beyond, a number is a typing slip, and 64-bit integers
#: (which the tables are typed as) overflow at 2^63, about 9.2e18.
MAX_WHOLE_NUMBER = 1_000_000_000

#: Driving and restraining forces together. A force-field diagram draws one arrow and one label per
#: force, and beyond about a hundred they cannot be read; the Monte Carlo's draws hold one column per
#: force, so this also bounds its memory (65,536 draws a chunk x 100 forces x 8 bytes = 52 MB).
MAX_FORCES = 100
#: A lotus flower sets its blocks as petals around one theme: 8 cells surround the centre of
#: Matsumura's 9x9 grid, so at most 8 blocks (each of at most 8 proposals, one per surrounding cell).
MAX_LOTUS_BLOCKS = 8
#: Raters in a scores file for ``repro compare``. Kendall's W and the figure stay meaningful and
#: quick far below this; a thousand raters is a survey, not a review.
MAX_RATERS = 1000

# --- the score scale -----------------------------------------------------------------------------

#: The largest magnitude of either end of a score scale. Rating scales are 0-5, 1-10, 0-100; a
#: million is beyond any of them, and the integer noise model, which re-scores on the scale's whole
#: points, then has at most two million points (16 MB).
MAX_SCALE_MAGNITUDE = 1_000_000
#: The narrowest score scale. Scores are typed with a few decimals; a scale narrower than a
#: thousandth is a typing slip (or a unit mix-up), and its arithmetic would drown in rounding.
MIN_SCALE_WIDTH = 0.001

# --- options -------------------------------------------------------------------------------------

#: Monte Carlo draws (``--draws``). Ten million draws put the standard error of a probability below
#: 0.00016, far finer than any figure or table shows; the net force of every draw is kept for its
#: histogram (8 bytes a draw: 80 MB), and the run takes minutes, not hours.
MAX_DRAWS = 10_000_000
#: The largest seed (``--seed``): seeds run from 0 to 2^32 - 1, the range every common tool takes
#: (numpy's legacy RandomState, R's set.seed), which every JSON reader records exactly.
MAX_SEED = 2 ** 32 - 1
#: The largest noise half-width (``--half-width``): twice the largest scale magnitude, the widest
#: any scale can be, so every draw can reach every point of any accepted scale.
MAX_HALF_WIDTH = 2 * MAX_SCALE_MAGNITUDE


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def file_size_problem(path: Path, limit: int, what: str = "table") -> Problem | None:
    """A :class:`Problem` when the file at ``path`` is larger than ``limit`` bytes (judged by its size
    on disk, before a byte of it is read), else None."""
    try:
        size = Path(path).stat().st_size
    except OSError:
        return None  # a missing or unreadable file is the reader's to report
    if size <= limit:
        return None
    return Problem(Path(path).name, f"is {_megabytes(size)}; a {what} may be at most {_megabytes(limit)} "
                                    "(the limit of repro.data.limits). Check that this is the right file.")


def unpacked_size_problem(path: Path, limit: int = MAX_WORKBOOK_UNPACKED_BYTES) -> Problem | None:
    """A :class:`Problem` when the workbook at ``path`` (a zip archive) would unpack to more than
    ``limit`` bytes, judged by the sizes its archive declares before anything is unpacked, else None
    (also for a file that is no zip archive: the reader reports it)."""
    try:
        with zipfile.ZipFile(path) as archive:
            size = sum(member.file_size for member in archive.infolist())
    except (OSError, zipfile.BadZipFile, ValueError):
        return None
    if size <= limit:
        return None
    return Problem(Path(path).name, f"unpacks to {_megabytes(size)}; a workbook may unpack to at most "
                                    f"{_megabytes(limit)} (the limit of repro.data.limits). Check that this is the "
                                    "right file, and delete the empty rows and columns formatted below and beside "
                                    "the tables.")


_WHOLE_NUMBER = re.compile(r"^\s*[+-]?\d+\s*$")


def table_problems(name: str, header: list[str], rows: list[list[str]], row_numbers: list[int],
                   whole_number_columns: set[str], source: TableSource | None = None) -> list[Problem]:
    """What in one table's raw cells exceeds a limit: too many rows, too long a cell, too large a
    whole number, too many forces (``force_field``). Checked before the table is validated, so that
    validation, typing and every method only ever see bounded input. ``source`` is where the table
    was read from (a CSV file, or a workbook's sheet, whose messages name the column's letter);
    ``name.csv`` when not given."""
    source = source or TableSource(f"{name}.csv")
    if len(rows) > MAX_ROWS:
        what = "file" if source.sheet is None else "sheet"
        return [source.problem(f"has {len(rows):,} rows; a table may have at most {MAX_ROWS:,} "
                               f"(the limit of repro.data.limits). Check that this is the right {what}.")]
    problems = []
    id_col = header.index("id") if "id" in header else None
    whole = [i for i, h in enumerate(header) if h in whole_number_columns]
    for cells, row in zip(rows, row_numbers):
        item = cells[id_col] if id_col is not None and len(cells[id_col]) <= MAX_CELL_CHARACTERS else None
        for column, cell in zip(header, cells):
            if len(cell) > MAX_CELL_CHARACTERS:
                problems.append(source.problem(f"the cell has {len(cell):,} characters; a cell may hold at most "
                                               f"{MAX_CELL_CHARACTERS:,}. Shorten the text.",
                                               row=row, column=column, item_id=item))
        for i in whole:
            cell = cells[i]
            if _WHOLE_NUMBER.match(cell) and abs(int(cell)) > MAX_WHOLE_NUMBER:
                problems.append(source.problem(f"expected a whole number of at most {MAX_WHOLE_NUMBER:,}, found "
                                               f"{cell.strip()[:30]}{'...' if len(cell.strip()) > 30 else ''}.",
                                               row=row, column=header[i], item_id=item))
        if len(problems) >= 20:  # enough to act on; the rest would only repeat it
            break
    if name == "force_field" and "kind" in header:
        kind = header.index("kind")
        n_forces = sum(1 for cells in rows if cells[kind].strip() == "force")
        if n_forces > MAX_FORCES:
            problems.append(source.problem(f"has {n_forces} forces; a force field may have at most {MAX_FORCES} "
                                           "(beyond that its diagram cannot be read). Keep the forces that matter "
                                           "most.", column="kind"))
    return problems


def json_depth(text: str) -> int:
    """How deeply JSON ``text`` nests objects and arrays, counted without parsing it (so without
    recursion): brackets inside strings are skipped."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def scale_problem(minimum, maximum) -> str | None:
    """Why ``minimum`` to ``maximum`` is not a usable score scale (finite numbers, within
    :data:`MAX_SCALE_MAGNITUDE`, ``minimum`` below ``maximum`` by at least :data:`MIN_SCALE_WIDTH`), or
    None. Either end may be any number a JSON file or a command line holds, 10^400 included."""
    ends = {}
    for name, value in (("minimum", minimum), ("maximum", maximum)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"the {name} must be a number, found {value!r}"
        if isinstance(value, int) and abs(value) > MAX_SCALE_MAGNITUDE:
            shown = f"{value}" if len(str(value)) <= 20 else f"(a number of {len(str(abs(value)))} digits)"
            return f"the {name} {shown} is beyond the limit: a scale's ends must lie within ±{MAX_SCALE_MAGNITUDE:,}"
        value = float(value)
        if not math.isfinite(value):
            return f"the {name} must be a finite number, found {value}"
        if abs(value) > MAX_SCALE_MAGNITUDE:
            return f"the {name} {value:g} is beyond the limit: a scale's ends must lie within ±{MAX_SCALE_MAGNITUDE:,}"
        ends[name] = value
    if not ends["minimum"] < ends["maximum"]:
        return (f"a scale needs minimum < maximum, got {ends['minimum']:g} to {ends['maximum']:g} "
                "(an empty or inverted scale)")
    if ends["maximum"] - ends["minimum"] < MIN_SCALE_WIDTH:
        return (f"the scale {ends['minimum']:g} to {ends['maximum']:g} is narrower than the limit of "
                f"{MIN_SCALE_WIDTH:g}")
    return None


def option_problems(draws: int | None = None, seed: int | None = None, half_width: float | None = None,
                    scale: tuple[float, float] | None = None) -> list[str]:
    """What is wrong with the sensitivity options given (None: not given), one sentence each,
    naming the option and its limits."""
    problems = []
    if draws is not None and not 1 <= draws <= MAX_DRAWS:
        problems.append(f"--draws must be a positive whole number, at most {MAX_DRAWS:,}, got {draws}.")
    if seed is not None and not 0 <= seed <= MAX_SEED:
        problems.append(f"--seed must be a whole number from 0 to {MAX_SEED:,} (2^32 - 1), got {seed}.")
    if half_width is not None and half_width < 0:
        problems.append(f"--half-width must not be negative, got {half_width:g}.")
    elif half_width is not None and not (math.isfinite(half_width) and half_width <= MAX_HALF_WIDTH):
        problems.append(f"--half-width must be a finite number from 0 to {MAX_HALF_WIDTH:,}, got {half_width:g}.")
    if scale is not None:
        why = scale_problem(*scale)
        if why:
            problems.append(f"--scale: {why}.")
    return problems
