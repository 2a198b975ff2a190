"""Load an analysis folder (``swot.csv``, ``force_field.csv``, optionally ``lotus.csv``,
``claims.csv`` and ``components.csv``, or one workbook holding them as sheets) into validated tables.

This is the only package that opens the data files. Everything wrong with a folder is collected
and raised together as one :class:`~repro.errors.AnalysisError`, each problem naming the file (and
the sheet), the row and the column. Problems come in the order they have to be fixed: the files,
then the headers, then the text of the cells, then the values; a later kind is looked for only when
the earlier ones are settled, so that no problem is listed that only follows from another.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from repro import handoff, paths
from repro.data import codebook, limits
from repro.data.cells import text_problems
from repro.data.checks import (check_chain, check_claims, check_components, check_force_field, check_lotus,
                               check_swot, split_ids)  # noqa: F401 (split_ids: methods.claims imports it from here)
from repro.data.codebook import Scale
from repro.data.csvfile import read_csv_table
from repro.data.examples import example_rows, placeholder_fields
from repro.data.headers import header_problems
from repro.i18n import format_number, format_scale, gettext, ngettext, text_language
from repro.data.schema_check import check_cells
from repro.data.table import RawTable, TableSource
from repro.data.workbook import SUFFIXES as WORKBOOK_SUFFIXES
from repro.data.workbook import read_workbook, workbooks_in
from repro.errors import AnalysisError, Problem


@dataclass
class Analysis:
    """The validated tables of one analysis."""

    folder: Path
    swot: pd.DataFrame
    force_field: pd.DataFrame
    lotus: pd.DataFrame | None
    scale: Scale
    captions: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: The conclusions the analysis states (``claims.csv``), or None: then the method's verdicts serve.
    claims: pd.DataFrame | None = None
    #: The components a discussion names, mapped to table items (``components.csv``), or None.
    components: pd.DataFrame | None = None
    #: Where each table was read from (a CSV file, or a workbook's sheet), by table name.
    sources: dict[str, TableSource] = field(default_factory=dict)
    #: The rows of each table that are still the template's examples, unchanged, by table name.
    examples: dict[str, list[int]] = field(default_factory=dict)
    #: Which of the codebook's title, description and sources are still the template's placeholders.
    placeholders: list[str] = field(default_factory=list)

    @property
    def forces(self) -> pd.DataFrame:
        """Driving and restraining forces (rows of kind ``force``), in file order."""
        return self.force_field[self.force_field["kind"] == "force"].reset_index(drop=True)

    @property
    def changes(self) -> pd.DataFrame:
        """The proposed changes (rows of kind ``change``)."""
        return self.force_field[self.force_field["kind"] == "change"].reset_index(drop=True)

    @property
    def has_scores(self) -> bool:
        return bool(self.forces["score"].notna().any())

    @property
    def scores_published(self) -> bool:
        """Whether the scores are published ones (the codebook says ``"scores_published": true``, as
        the paper's does) rather than the user's own: figures say "published" only then."""
        return codebook.scores_published(self.folder)

    def source(self, name: str) -> TableSource:
        """Where table ``name`` was read from (``name.csv`` for a table the analysis lacks)."""
        return self.sources.get(name) or TableSource(f"{name}.csv")

    def input_hashes(self) -> dict[str, str]:
        """SHA-256 of each file of the analysis (:func:`input_file_names`), by file name: what a
        manifest records to say which inputs made an output, without naming where they lie. Each is
        read in blocks, never whole; no other file of the folder is opened."""
        hashes = {}
        for name in input_file_names(self.folder):
            with (self.folder / name).open("rb") as f:
                hashes[name] = hashlib.file_digest(f, "sha256").hexdigest()
        return hashes

    def example_notes(self) -> list[str]:
        """What is still the template's: its example rows, unchanged, and its placeholder title and
        description; [] for an analysis that is all its author's."""
        notes = []
        shown = {name: rows for name, rows in self.examples.items() if rows and name != "claims"}
        if shown:
            where = "; ".join(f"{self.source(name).label}, {_rows(rows)}" for name, rows in shown.items())
            notes.append(f"still the template's example rows, unchanged: {where}. Replace them with your own "
                         "items: until then the results describe the examples, not your analysis.")
        if self.examples.get("claims"):
            notes.append(f"{self.source('claims').label}, {_rows(self.examples['claims'])}: the template's example "
                         "claims, unchanged. They are not your conclusions: state yours in their place, or delete "
                         "the claims to test the method's verdicts on your scores.")
        if self.placeholders:
            many = len(self.placeholders) > 1
            named = ", ".join(self.placeholders[:-1]) + " and " + self.placeholders[-1] if many else self.placeholders[0]
            notes.append(f"datapackage.json: the {named} {'are' if many else 'is'} still the template's "
                         f"placeholder{'s' if many else ''}; write your own: the report's heading shows them.")
        return notes

    def caption(self, table: str, lang: str = "ru") -> str:
        """The caption of ``table`` in ``lang`` (the English one is ours); '' if none is declared."""
        if lang == "en" and self.captions.get(f"{table}_en"):
            return self.captions[f"{table}_en"]
        return self.captions.get(table, "")

    @property
    def language(self) -> str:
        """The language the analysis is written in, and so the default language of its outputs:
        ``ru`` when its items' texts are mostly Cyrillic, else ``en`` (:func:`repro.i18n.text_language`)."""
        texts = [*self.swot["text"], *self.force_field["text"]]
        if self.lotus is not None:
            texts += list(self.lotus["text"])
        return text_language(texts)

    def describe(self, lang: str = "en") -> str:
        """One line in ``lang`` that says what the analysis holds."""
        forces = self.forces
        n_driving = int((forces["direction"] == "driving").sum())
        parts = [
            ngettext(lang, "describe_swot", len(self.swot)),
            ngettext(lang, "describe_forces", len(forces), driving=format_number(n_driving, lang),
                     restraining=format_number(len(forces) - n_driving, lang)),
            ngettext(lang, "describe_changes", len(self.changes)),
        ]
        if self.lotus is None:
            parts.append(gettext(lang, "describe_no_lotus"))
        else:
            parts.append(ngettext(lang, "describe_lotus", len(self.lotus)) + " "
                         + ngettext(lang, "describe_blocks", self.lotus["block"].nunique()))
        parts.append(gettext(lang, "describe_scale", scale=format_scale(self.scale, lang)) if self.has_scores
                     else gettext(lang, "describe_no_scores"))
        return ", ".join(parts)


def input_file_names(folder: Path) -> list[str]:
    """The files of an analysis folder that make up the analysis, sorted: each table the codebook
    names (``swot.csv`` ...), or the workbook holding them, and ``datapackage.json``, where present.
    Nothing else in the folder counts (a spreadsheet's lock file, the student's other files)."""
    names = [f"{name}.csv" for name in codebook.RESOURCES] + ["datapackage.json"]
    present = [n for n in names if (folder / n).is_file()]
    present += [p.name for p in workbooks_in(folder) if p.suffix.lower() in WORKBOOK_SUFFIXES]
    return sorted(present)


def _rows(numbers: list[int]) -> str:
    """"row 2", "rows 2-4" or "rows 2, 5": spreadsheet rows, runs joined."""
    runs: list[list[int]] = []
    for n in sorted(numbers):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    shown = ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs)
    return f"row{'' if len(numbers) == 1 else 's'} {shown}"


#: What an absent optional file means, said once in the notes (components.csv is silent: it is rare).
_ABSENT = {
    "lotus": "the analysis has no lotus flower.",
    "claims": "the claims are the method's verdicts on the analysis's own scores (see repro sensitivity).",
}


def _typed(name: str, table: RawTable) -> pd.DataFrame:
    """The validated text cells as typed columns: integers (nullable), floats, strings ('' if empty)."""
    index = {h: i for i, h in enumerate(table.header)}
    columns = {}
    for f in codebook.fields(name):
        raw = [cells[index[f["name"]]] if f["name"] in index else "" for cells in table.rows]
        if f["type"] == "integer":
            columns[f["name"]] = pd.array([int(v) if v else None for v in raw], dtype="Int64")
        elif f["type"] == "number":
            columns[f["name"]] = pd.array([float(v) if v else float("nan") for v in raw], dtype="float64")
        else:
            columns[f["name"]] = pd.array(raw, dtype=object)
    frame = pd.DataFrame(columns)
    frame.insert(0, "file_row", table.row_numbers)
    return frame


def _read_csv_files(folder: Path) -> tuple[dict[str, RawTable], list[Problem], list[str]]:
    tables, problems, notes = {}, [], []
    for name in codebook.RESOURCES:
        path = folder / f"{name}.csv"
        if name not in codebook.REQUIRED_RESOURCES and not path.exists():
            if name in _ABSENT:
                notes.append(f"{path.name} not present: {_ABSENT[name]}")
            continue
        too_big = limits.file_size_problem(path, limits.MAX_TABLE_BYTES)
        if too_big:
            problems.append(too_big)
            continue
        read = read_csv_table(path, codebook.numeric_columns(name))
        if isinstance(read, Problem):
            problems.append(read)
        else:
            tables[name] = read
    return tables, problems, notes


def _read_workbook(path: Path) -> tuple[dict[str, RawTable], list[Problem], list[str]]:
    too_big = (limits.file_size_problem(path, limits.MAX_WORKBOOK_BYTES, "workbook")
               or limits.unpacked_size_problem(path))
    if too_big:
        return {}, [too_big], []
    numeric = {name: codebook.numeric_columns(name) for name in codebook.RESOURCES}
    tables, problems, notes = read_workbook(path, codebook.RESOURCES, numeric)
    if problems:
        return tables, problems, notes
    for name in codebook.RESOURCES:
        if name in tables:
            continue
        if name in codebook.REQUIRED_RESOURCES:
            problems.append(Problem(path.name, f"has no sheet named {name}; expected one sheet per table, named "
                                    f"{', '.join(codebook.RESOURCES)} ({', '.join(codebook.REQUIRED_RESOURCES)} "
                                    "required)."))
        elif name in _ABSENT:
            notes.append(f"{path.name}: no sheet {name}: {_ABSENT[name]}")
    return tables, problems, notes


def _read_tables(folder: Path) -> tuple[dict[str, RawTable], list[Problem], list[str]]:
    """The tables of ``folder``, from its CSV files or from its one workbook, with the problems that
    keep a table from being read and notes on what was assumed."""
    workbooks = workbooks_in(folder)
    csv_files = [f"{name}.csv" for name in codebook.RESOURCES if (folder / f"{name}.csv").exists()]
    if workbooks and csv_files:
        # Two versions of the analysis: which one the student edited last cannot be known.
        return {}, [Problem(workbooks[0].name, f"is in {folder} beside {', '.join(csv_files)}: the analysis "
                            "could be read from either. Keep one: the workbook, or the CSV files (move the other "
                            "out of the folder).")], []
    if len(workbooks) > 1:
        return {}, [Problem(workbooks[0].name, f"is in {folder} beside {', '.join(p.name for p in workbooks[1:])}; "
                            "an analysis is one workbook. Keep one (move the others out of the folder).")], []
    if workbooks:
        return _read_workbook(workbooks[0])
    return _read_csv_files(folder)


def _beyond_limits(tables: dict[str, RawTable]) -> list[Problem]:
    """What in the tables' raw cells exceeds a limit of :mod:`repro.data.limits` (rows, cell lengths,
    whole numbers, forces), checked before anything else looks at the cells."""
    return [problem for name, table in tables.items()
            for problem in limits.table_problems(name, table.header, table.rows, table.row_numbers,
                                                 codebook.integer_columns(name), table.source)]


def _empty_tables(tables: dict[str, RawTable]) -> list[Problem]:
    problems = []
    for name, table in tables.items():
        if table.rows:
            continue
        if name in _ABSENT and name not in codebook.REQUIRED_RESOURCES:
            what = "delete the file" if table.source.sheet is None else "delete the sheet"
            problems.append(table.source.problem(f"has a header but no rows; add one row per item, or {what}: "
                                                 f"without it, {_ABSENT[name]}"))
        else:
            problems.append(table.source.problem("has a header but no rows; expected one row per item."))
    return problems


def load_analysis(folder: str | Path | None = None) -> Analysis:
    """Read and validate an analysis folder; ``None`` means the paper's data.

    The folder holds the tables as CSV files (``swot.csv``, ...) or as the sheets of one workbook
    (``.xlsx`` or ``.ods``), and optionally its codebook, ``datapackage.json``.

    Raises
    ------
    AnalysisError
        With every problem found, each naming the file (and sheet), the row and the column.
    """
    folder = paths.analysis_folder(folder)
    validated = handoff.validated_copy(folder)
    if validated is not None:
        return validated
    descriptor = codebook.folder_codebook(folder)
    tables, problems, notes = _read_tables(folder)
    if problems:
        raise AnalysisError(problems)
    problems = _beyond_limits(tables)
    if problems:
        raise AnalysisError(problems)
    problems = _empty_tables(tables)
    for name, table in tables.items():
        problems += (header_problems(table, name) or table.row_problems
                     or text_problems(table, codebook.code_columns(name)))
    if problems:
        raise AnalysisError(problems)
    for table in tables.values():
        notes.extend(table.notes)
    sources = {name: table.source for name, table in tables.items()}
    for name in codebook.RESOURCES:
        sources.setdefault(name, TableSource(f"{name}.csv"))
    problems = check_cells(tables)
    if problems:
        raise AnalysisError(problems)
    frames = {name: _typed(name, table) for name, table in tables.items()}
    scale = codebook.scale_of(descriptor)
    swot, force_field, lotus = frames["swot"], frames["force_field"], frames.get("lotus")
    claims, components = frames.get("claims"), frames.get("components")
    problems = check_swot(swot, sources) + check_force_field(force_field, scale, sources)
    if lotus is not None:
        problems += check_lotus(lotus, sources)
    problems += check_chain(swot, force_field, lotus, sources)
    if claims is not None:
        problems += check_claims(claims, force_field, sources, tables["claims"].header)
    if components is not None:
        problems += check_components(components, swot, force_field, sources)
    if problems:
        raise AnalysisError(problems)
    captions = {}
    for r in descriptor.get("resources", []):
        if isinstance(r, dict) and "name" in r:
            captions[r["name"]] = r.get("caption", "")
            captions[f"{r['name']}_en"] = r.get("caption_en", "")
    captions.update(codebook.theme_of(descriptor))
    if lotus is not None and not captions["lotus"]:
        notes.append('the lotus flower has no theme, so its centre reads "Theme": declare it at the top of '
                     'datapackage.json, "theme": "..." (repro template writes it with --theme).')
    examples = {name: example_rows(name, t.header, t.rows, t.row_numbers) for name, t in tables.items()}
    return Analysis(folder, swot, force_field, lotus, scale, captions, notes, claims, components, sources,
                    {name: rows for name, rows in examples.items() if rows}, placeholder_fields(descriptor))
