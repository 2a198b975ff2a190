"""Load an analysis folder (``swot.csv``, ``force_field.csv``, optionally ``lotus.csv``,
``claims.csv`` and ``components.csv``) into validated tables.

This is the only module that opens the data files. Everything wrong with a folder is collected
and raised together as one :class:`~repro.errors.AnalysisError`, each problem naming the file,
the row and the column.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from repro import handoff, paths
from repro.data import codebook, limits
from repro.data.chain import chain_links
from repro.data.codebook import Scale
from repro.data.csvfile import RawTable, read_csv
from repro.errors import AnalysisError, Problem
from repro.i18n import format_number, format_scale, gettext, ngettext, text_language
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
    #: The conclusions the analysis states (``claims.csv``), or None: then the method's verdicts serve.
    claims: pd.DataFrame | None = None
    #: The components a discussion names, mapped to table items (``components.csv``), or None.
    components: pd.DataFrame | None = None

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

    def input_hashes(self) -> dict[str, str]:
        """SHA-256 of each file of the analysis (the tables the codebook names that the folder has,
        and its ``datapackage.json``), by file name: what a manifest records to say which inputs made
        an output, without naming where they lie. Any other file in the folder is never opened, and
        each is read in blocks, never whole."""
        hashes = {}
        for name in input_file_names(self.folder):
            with (self.folder / name).open("rb") as f:
                hashes[name] = hashlib.file_digest(f, "sha256").hexdigest()
        return hashes

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
    names (``swot.csv`` ...) and ``datapackage.json``, where present. Nothing else in the folder counts."""
    names = [f"{name}.csv" for name in codebook.RESOURCES] + ["datapackage.json"]
    return sorted(n for n in names if (folder / n).is_file())


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
            # The declared scale is the only bound: a -3..3 scale holds negative scores.
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
    blocks = sorted(centre_of_block)
    if len(blocks) > codebook.MAX_LOTUS_BLOCKS:
        # The canonical view sets the blocks as petals around one theme: 8 cells surround it.
        extra = blocks[codebook.MAX_LOTUS_BLOCKS:]
        first = lotus[lotus["block"] == extra[0]].iloc[0]
        problems.append(Problem(file, f"the lotus has {len(blocks)} blocks; a lotus flower holds at most "
                                f"{codebook.MAX_LOTUS_BLOCKS} ({codebook.MAX_LOTUS_BLOCKS} petals around its theme), so block(s) "
                                f"{', '.join(map(str, extra))} cannot be placed. Keep the {codebook.MAX_LOTUS_BLOCKS} "
                                "restraining forces that matter most, or start a second lotus.",
                                row=int(first.file_row), column="block", item_id=first.id))
    return problems


def _parameter_problems(row, where: dict) -> list[Problem]:
    """A claim's parameter cells against its kind: those it takes are filled, the others empty."""
    problems = []
    takes = codebook.CLAIM_PARAMETERS[row.kind]
    for column in codebook.CLAIM_PARAMETER_COLUMNS:
        value = getattr(row, column)
        empty = pd.isna(value) or value == ""
        if column in takes and empty:
            problems.append(Problem("claims.csv", f"a claim of kind {row.kind} needs {column} (it takes "
                                    f"{', '.join(takes)}); the cell is empty.", column=column, **where))
        elif column not in takes and not empty:
            problems.append(Problem("claims.csv", f"a claim of kind {row.kind} takes "
                                    f"{', '.join(takes) if takes else 'no parameter'}, not {column}; "
                                    "leave the cell empty.", column=column, **where))
    return problems


def _check_claims(claims: pd.DataFrame, force_field: pd.DataFrame) -> list[Problem]:
    """Each claim's parameters against its kind and the forces (the cells' types, the vocabulary and
    the links to force ids were checked against the codebook already)."""
    file = "claims.csv"
    problems = []
    forces = force_field[force_field["kind"] == "force"]
    kind_of = dict(zip(force_field["id"], force_field["kind"]))
    direction = dict(zip(forces["id"], forces["direction"]))
    sizes = {side: int((forces["direction"] == side).sum()) for side in ("driving", "restraining")}
    scored = bool(forces["score"].notna().any())
    for row in claims.itertuples():
        where = dict(row=row.file_row, item_id=row.id)
        problems += _parameter_problems(row, where)
        takes = codebook.CLAIM_PARAMETERS[row.kind]
        for column in ("force", "other"):
            value = getattr(row, column)
            if column in takes and value and kind_of.get(value) == "change":
                problems.append(Problem(file, f"{value!r} is a proposed change, not a force; a claim of kind "
                                        f"{row.kind} is about a driving or restraining force.", column=column, **where))
        if row.kind == "outweighs" and row.force and row.force == row.other:
            problems.append(Problem(file, f"a force cannot outweigh itself; name another force than {row.force}.",
                                    column="other", **where))
        if row.kind == "top_k" and row.force in direction and pd.notna(row.k) and row.k > sizes[direction[row.force]]:
            side = direction[row.force]
            problems.append(Problem(file, f"k = {row.k}, but the {side} side has {sizes[side]} force(s); "
                                    f"expected k from 1 to {sizes[side]}.", column="k", **where))
        if row.kind != "chain" and not scored:
            problems.append(Problem(file, f"a claim of kind {row.kind} is about scores, and the force field has none; "
                                    "score the forces, or remove the claim.", column="kind", **where))
        if row.quote and pd.isna(row.source_line):
            problems.append(Problem(file, "a quote needs the line of the source it stands on (source_line), so that "
                                    "repro check-source can check it.", column="source_line", **where))
    return problems


def split_ids(cell: str) -> list[str]:
    """The ids listed in one cell, separated by spaces (commas are forgiven)."""
    return cell.replace(",", " ").split()


def _check_components(components: pd.DataFrame, swot: pd.DataFrame, force_field: pd.DataFrame) -> list[Problem]:
    known = set(swot["id"]) | set(force_field["id"])
    problems = []
    for row in components.itertuples():
        unknown = [i for i in split_ids(row.items) if i not in known]
        if unknown:
            problems.append(Problem("components.csv", f"{', '.join(map(repr, unknown))} is not an id in swot.csv or "
                                    "force_field.csv; list the items' ids separated by spaces.",
                                    row=row.file_row, column="items", item_id=row.id))
        if row.quote and pd.isna(row.quote_line):
            problems.append(Problem("components.csv", "a quote needs the line of the source it stands on (quote_line).",
                                    row=row.file_row, column="quote_line", item_id=row.id))
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
    folder = paths.analysis_folder(folder)
    validated = handoff.validated_copy(folder)
    if validated is not None:
        return validated
    descriptor = codebook.folder_codebook(folder)
    problems: list[Problem] = []
    notes: list[str] = []
    tables: dict[str, RawTable] = {}
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
        read = read_csv(path, codebook.numeric_columns(name), codebook.required_columns(name))
        if isinstance(read, Problem):
            problems.append(read)
            continue
        beyond = limits.table_problems(name, read.header, read.rows, read.row_numbers, codebook.integer_columns(name))
        if beyond:
            problems += beyond
            continue
        if not read.rows:
            if name in _ABSENT and name not in codebook.REQUIRED_RESOURCES:
                problems.append(Problem(path.name, f"has a header but no rows; add one row per item, or delete the "
                                        f"file: without it, {_ABSENT[name]}"))
            else:
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
    claims, components = frames.get("claims"), frames.get("components")
    problems = _check_swot(swot) + _check_force_field(force_field, scale)
    if lotus is not None:
        problems += _check_lotus(lotus)
    problems += _check_chain(swot, force_field, lotus)
    if claims is not None:
        problems += _check_claims(claims, force_field)
    if components is not None:
        problems += _check_components(components, swot, force_field)
    if problems:
        raise AnalysisError(problems)
    captions = {}
    for r in descriptor.get("resources", []):
        if isinstance(r, dict) and "name" in r:
            captions[r["name"]] = r.get("caption", "")
            captions[f"{r['name']}_en"] = r.get("caption_en", "")
    return Analysis(folder, swot, force_field, lotus, scale, captions, notes, claims, components)
