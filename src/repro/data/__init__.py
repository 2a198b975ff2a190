"""Load an analysis folder (``swot.csv``, ``force_field.csv``, optionally ``lotus.csv``) into
validated tables.

This is the only module that opens the data files. Everything wrong with a folder is collected
and raised together as one :class:`~repro.errors.AnalysisError`, each problem naming the file,
the row and the column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from repro import paths
from repro.data import codebook
from repro.data.chain import chain_links
from repro.data.codebook import Scale
from repro.data.csvfile import RawTable, read_csv
from repro.errors import AnalysisError, Problem
from repro.data.schema_check import check_cells


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

    def caption(self, table: str, lang: str = "ru") -> str:
        """The caption of ``table`` in ``lang`` (the English one is ours); '' if none is declared."""
        if lang == "en" and self.captions.get(f"{table}_en"):
            return self.captions[f"{table}_en"]
        return self.captions.get(table, "")

    def describe(self) -> str:
        """One line that says what the analysis holds."""
        forces = self.forces
        n_driving = int((forces["direction"] == "driving").sum())
        parts = [
            f"{len(self.swot)} SWOT items",
            f"{len(forces)} forces ({n_driving} driving, {len(forces) - n_driving} restraining)",
            f"{len(self.changes)} proposed changes",
        ]
        if self.lotus is None:
            parts.append("no lotus flower")
        else:
            parts.append(f"{len(self.lotus)} lotus proposals in {self.lotus['block'].nunique()} blocks")
        parts.append(f"scores on a {self.scale} scale" if self.has_scores else "no scores")
        return ", ".join(parts)


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


def _check_swot(swot: pd.DataFrame) -> list[Problem]:
    problems = []
    seen: dict[tuple, str] = {}
    for row in swot.itertuples():
        key = (row.quadrant, int(row.number))
        if key in seen:
            problems.append(Problem("swot.csv", f"quadrant {row.quadrant} has item number {row.number} twice "
                                    f"(also {seen[key]}); number the items of a quadrant 1, 2, 3 ...",
                                    row=row.file_row, column="number", item_id=row.id))
        seen[key] = row.id
    return problems


def _check_force_field(ff: pd.DataFrame, scale: Scale) -> list[Problem]:
    problems = []
    file = "force_field.csv"
    forces = ff[ff["kind"] == "force"]
    if forces.empty:
        problems.append(Problem(file, "holds no forces; expected at least one row with kind 'force'.", column="kind"))
    scored = forces["score"].notna()
    partly_scored = scored.any() and not scored.all()
    for row in ff.itertuples():
        where = dict(row=row.file_row, item_id=row.id)
        if row.kind == "force":
            if not row.direction:
                problems.append(Problem(file, "a force needs a direction: driving or restraining.", column="direction", **where))
            if not row.swot_id:
                problems.append(Problem(file, "a force needs the id of the SWOT item it comes from "
                                        "(an opportunity for a driving force, a threat for a restraining one).",
                                        column="swot_id", **where))
            if partly_scored and pd.isna(row.score):
                problems.append(Problem(file, "the score is empty while other forces have scores; "
                                        "score every force, or none.", column="score", **where))
            elif pd.notna(row.score) and row.score < 0:
                problems.append(Problem(file, f"scores cannot be negative, found {row.score:g}.", column="score", **where))
            elif pd.notna(row.score) and not scale.minimum <= row.score <= scale.maximum:
                problems.append(Problem(file, f"expected a score on the declared scale {scale}, found {row.score:g}; "
                                        "change the score, or the scale in datapackage.json.", column="score", **where))
        else:
            for column in ("direction", "swot_id"):
                if getattr(row, column):
                    problems.append(Problem(file, f"a proposed change has no {column}; leave the cell empty.", column=column, **where))
            if pd.notna(row.score):
                problems.append(Problem(file, "a proposed change has no score; leave the cell empty.", column="score", **where))
    return problems


def _check_lotus(lotus: pd.DataFrame) -> list[Problem]:
    problems = []
    file = "lotus.csv"
    centre_of_block: dict[int, str] = {}
    block_of_centre: dict[str, int] = {}
    taken: dict[tuple, str] = {}
    for row in lotus.itertuples():
        where = dict(row=row.file_row, item_id=row.id)
        block = int(row.block)
        position = (block, int(row.cell_row), int(row.cell_col))
        if position[1:] == (2, 2):
            problems.append(Problem(file, "row 2, column 2 is the block's centre (its restraining force); "
                                    "put the proposal in one of the 8 cells around it.", column="cell_col", **where))
        elif position in taken:
            problems.append(Problem(file, f"block {block} already has {taken[position]} in row {position[1]}, "
                                    f"column {position[2]}; each cell holds one proposal.", column="cell_col", **where))
        taken[position] = row.id
        if centre_of_block.setdefault(block, row.centre_id) != row.centre_id:
            problems.append(Problem(file, f"block {block} is centred on {centre_of_block[block]}, not {row.centre_id}; "
                                    "a block has one centre.", column="centre_id", **where))
        if block_of_centre.setdefault(row.centre_id, block) != block:
            problems.append(Problem(file, f"{row.centre_id} is already the centre of block {block_of_centre[row.centre_id]}; "
                                    "each restraining force has one block.", column="block", **where))
    return problems


def _check_chain(swot, force_field, lotus) -> list[Problem]:
    forces = force_field[force_field["kind"] == "force"]
    links = chain_links(swot, forces, lotus)
    problems = []
    for link in links[~links["holds"]].itertuples():
        if link.link == "force -> SWOT":
            if link.found == "no SWOT item":
                continue  # a missing swot_id is reported by the force-field check
            row = forces.loc[forces["id"] == link.item_id, "file_row"].iloc[0]
            problems.append(Problem("force_field.csv", f"links to {link.target_id}, which is in {link.found}; "
                                    f"expected an item of {link.expected} (driving forces are opportunities, "
                                    "restraining forces are threats).", row=row, column="swot_id", item_id=link.item_id))
        else:
            row = lotus.loc[lotus["centre_id"] == link.target_id, "file_row"].iloc[0]
            problems.append(Problem("lotus.csv", f"the block's centre {link.target_id} is {link.found}; "
                                    "expected a restraining force.", row=row, column="centre_id"))
    return problems


def load_analysis(folder: str | Path | None = None) -> Analysis:
    """Read and validate an analysis folder; ``None`` means the paper's data.

    Raises
    ------
    AnalysisError
        With every problem found, each naming the file, the row and the column.
    """
    folder = Path(folder) if folder is not None else paths.PAPER_DATA
    if not folder.is_dir():
        raise AnalysisError([Problem(str(folder), "is not a folder; expected a folder holding swot.csv and force_field.csv.")])
    descriptor = codebook.folder_codebook(folder)
    problems: list[Problem] = []
    notes: list[str] = []
    tables: dict[str, RawTable] = {}
    for name in codebook.RESOURCES:
        path = folder / f"{name}.csv"
        if name not in codebook.REQUIRED_RESOURCES and not path.exists():
            notes.append(f"{path.name} not present: the analysis has no lotus flower.")
            continue
        read = read_csv(path, codebook.numeric_columns(name), codebook.required_columns(name))
        if isinstance(read, Problem):
            problems.append(read)
            continue
        if not read.rows:
            problems.append(Problem(path.name, "has a header but no rows; expected one row per item."))
            continue
        known = {f["name"] for f in codebook.fields(name)}
        extra = [h for h in read.header if h not in known]
        if extra:
            notes.append(f"{path.name}: column(s) {', '.join(extra)} are not in the codebook and were ignored.")
        notes.extend(read.notes)
        tables[name] = read
    if problems:
        raise AnalysisError(problems)
    problems = check_cells(tables)
    if problems:
        raise AnalysisError(problems)
    frames = {name: _typed(name, table) for name, table in tables.items()}
    scale = codebook.scale_of(descriptor)
    swot, force_field, lotus = frames["swot"], frames["force_field"], frames.get("lotus")
    problems = _check_swot(swot) + _check_force_field(force_field, scale)
    if lotus is not None:
        problems += _check_lotus(lotus)
    problems += _check_chain(swot, force_field, lotus)
    if problems:
        raise AnalysisError(problems)
    captions = {}
    for r in descriptor.get("resources", []):
        if isinstance(r, dict) and "name" in r:
            captions[r["name"]] = r.get("caption", "")
            captions[f"{r['name']}_en"] = r.get("caption_en", "")
    return Analysis(folder, swot, force_field, lotus, scale, captions, notes)
