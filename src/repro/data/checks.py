"""The checks of an analysis that need more than one cell: numbering within a quadrant, what a force
or a change must hold, the lotus's cells and blocks, each claim's parameters, the components' items,
and the chain SWOT -> force field -> lotus. They run on typed tables whose cells have passed the
codebook's checks (:mod:`repro.data.schema_check`).

Every check takes ``sources``, where each table was read from (:class:`~repro.data.table.TableSource`),
so that a problem names the file, or the workbook's sheet and column letter, as the user sees it.
"""

from __future__ import annotations

import pandas as pd

from repro.data import codebook
from repro.data.chain import chain_links
from repro.data.cells import shown
from repro.data.codebook import Scale
from repro.data.table import TableSource
from repro.errors import Problem

Sources = dict[str, TableSource]


def split_ids(cell: str) -> list[str]:
    """The ids listed in one cell, separated by spaces (commas are forgiven)."""
    return cell.replace(",", " ").split()


def check_swot(swot: pd.DataFrame, sources: Sources) -> list[Problem]:
    problems = []
    seen: dict[tuple, str] = {}
    for row in swot.itertuples():
        key = (row.quadrant, int(row.number))
        if key in seen:
            problems.append(sources["swot"].problem(
                f"quadrant {row.quadrant} has item number {row.number} twice (also {seen[key]}); number the items "
                "of a quadrant 1, 2, 3 ...", row=row.file_row, column="number", item_id=row.id))
        seen[key] = row.id
    return problems


def check_force_field(ff: pd.DataFrame, scale: Scale, sources: Sources) -> list[Problem]:
    problems = []
    source = sources["force_field"]
    forces = ff[ff["kind"] == "force"]
    if forces.empty:
        problems.append(source.problem("holds no forces; expected at least one row with kind 'force'.", column="kind"))
    scored = forces["score"].notna()
    partly_scored = scored.any() and not scored.all()
    for row in ff.itertuples():
        where = dict(row=row.file_row, item_id=row.id)
        if row.kind == "force":
            if not row.direction:
                problems.append(source.problem("a force needs a direction: driving or restraining; the cell is empty.",
                                               column="direction", **where))
            if not row.swot_id:
                problems.append(source.problem(
                    "a force needs the id of the SWOT item it comes from (an opportunity for a driving force, a "
                    "threat for a restraining one); the cell is empty.", column="swot_id", **where))
            if partly_scored and pd.isna(row.score):
                problems.append(source.problem("the score is empty while other forces have scores; "
                                               "score every force, or none.", column="score", **where))
            # The declared scale is the only bound: a -3..3 scale holds negative scores.
            elif pd.notna(row.score) and not scale.minimum <= row.score <= scale.maximum:
                problems.append(source.problem(f"expected a score on the declared scale {scale}, found {row.score:g}; "
                                               "change the score, or the scale in datapackage.json.",
                                               column="score", **where))
        else:
            for column in ("direction", "swot_id"):
                if getattr(row, column):
                    problems.append(source.problem(f"a proposed change has no {column}; leave the cell empty.",
                                                   column=column, **where))
            if pd.notna(row.score):
                problems.append(source.problem("a proposed change has no score; leave the cell empty.",
                                               column="score", **where))
    return problems


def check_lotus(lotus: pd.DataFrame, sources: Sources) -> list[Problem]:
    problems = []
    source = sources["lotus"]
    centre_of_block: dict[int, str] = {}
    block_of_centre: dict[str, int] = {}
    taken: dict[tuple, str] = {}
    for row in lotus.itertuples():
        where = dict(row=row.file_row, item_id=row.id)
        block = int(row.block)
        position = (block, int(row.cell_row), int(row.cell_col))
        if position[1:] == (2, 2):
            problems.append(source.problem("row 2, column 2 is the block's centre (its restraining force); "
                                           "put the proposal in one of the 8 cells around it.", column="cell_col", **where))
        elif position in taken:
            problems.append(source.problem(f"block {block} already has {taken[position]} in row {position[1]}, "
                                           f"column {position[2]}; each cell holds one proposal.", column="cell_col", **where))
        taken[position] = row.id
        if centre_of_block.setdefault(block, row.centre_id) != row.centre_id:
            problems.append(source.problem(f"block {block} is centred on {centre_of_block[block]}, not {row.centre_id}; "
                                           "a block has one centre.", column="centre_id", **where))
        if block_of_centre.setdefault(row.centre_id, block) != block:
            problems.append(source.problem(f"{row.centre_id} is already the centre of block {block_of_centre[row.centre_id]}; "
                                           "each restraining force has one block.", column="block", **where))
    blocks = sorted(centre_of_block)
    if len(blocks) > codebook.MAX_LOTUS_BLOCKS:
        # The canonical view sets the blocks as petals around one theme: 8 cells surround it.
        extra = blocks[codebook.MAX_LOTUS_BLOCKS:]
        first = lotus[lotus["block"] == extra[0]].iloc[0]
        problems.append(source.problem(
            f"the lotus has {len(blocks)} blocks; a lotus flower holds at most {codebook.MAX_LOTUS_BLOCKS} "
            f"({codebook.MAX_LOTUS_BLOCKS} petals around its theme), so block(s) {', '.join(map(str, extra))} cannot "
            f"be placed. Keep the {codebook.MAX_LOTUS_BLOCKS} restraining forces that matter most, or start a second lotus.",
            row=int(first.file_row), column="block", item_id=first.id))
    return problems


def _parameter_problems(row, where: dict, source: TableSource, header: list[str]) -> list[Problem]:
    """A claim's parameter cells against its kind: those it takes are filled, the others empty."""
    problems = []
    takes = codebook.CLAIM_PARAMETERS[row.kind]
    for column in codebook.CLAIM_PARAMETER_COLUMNS:
        value = getattr(row, column)
        empty = pd.isna(value) or value == ""
        if column in takes and column not in header:
            problems.append(source.problem(f"a claim of kind {row.kind} needs {column} (it takes {', '.join(takes)}), "
                                           f"and the table has no column {column}; add it.", column=column, **where))
        elif column in takes and empty:
            problems.append(source.problem(f"a claim of kind {row.kind} needs {column} (it takes "
                                           f"{', '.join(takes)}); the cell is empty.", column=column, **where))
        elif column not in takes and not empty:
            problems.append(source.problem(f"a claim of kind {row.kind} takes "
                                           f"{', '.join(takes) if takes else 'no parameter'}, not {column}; "
                                           "leave the cell empty.", column=column, **where))
    return problems


def check_claims(claims: pd.DataFrame, force_field: pd.DataFrame, sources: Sources,
                 header: list[str]) -> list[Problem]:
    """Each claim's parameters against its kind and the forces (the cells' types, the vocabulary and
    the links to force ids were checked against the codebook already)."""
    source = sources["claims"]
    problems = []
    forces = force_field[force_field["kind"] == "force"]
    kind_of = dict(zip(force_field["id"], force_field["kind"]))
    direction = dict(zip(forces["id"], forces["direction"]))
    sizes = {side: int((forces["direction"] == side).sum()) for side in ("driving", "restraining")}
    scored = bool(forces["score"].notna().any())
    for row in claims.itertuples():
        where = dict(row=row.file_row, item_id=row.id)
        if row.id in codebook.RESERVED_CLAIM_IDS:
            problems.append(source.problem(
                f"{shown(row.id)} names a column of the sensitivity tables ({', '.join(codebook.RESERVED_CLAIM_IDS)}), "
                f"which show each claim in a column of its own; give the claim another id (e.g. claim_{row.id}).",
                column="id", **where))
        problems += _parameter_problems(row, where, source, header)
        takes = codebook.CLAIM_PARAMETERS[row.kind]
        for column in ("force", "other"):
            value = getattr(row, column)
            if column in takes and value and kind_of.get(value) == "change":
                problems.append(source.problem(f"{shown(value)} is a proposed change, not a force; a claim of kind "
                                               f"{row.kind} is about a driving or restraining force.", column=column, **where))
        if row.kind == "outweighs" and row.force and row.force == row.other:
            problems.append(source.problem(f"a force cannot outweigh itself; name another force than {row.force}.",
                                           column="other", **where))
        if row.kind == "top_k" and row.force in direction and pd.notna(row.k) and row.k > sizes[direction[row.force]]:
            side = direction[row.force]
            problems.append(source.problem(f"k = {row.k}, but the {side} side has {sizes[side]} force(s); "
                                           f"expected k from 1 to {sizes[side]}.", column="k", **where))
        if row.kind != "chain" and not scored:
            problems.append(source.problem(f"a claim of kind {row.kind} is about scores, and the force field has none; "
                                           "score the forces, or remove the claim.", column="kind", **where))
        if row.quote and pd.isna(row.source_line):
            problems.append(source.problem("a quote needs the line of the source it stands on (source_line), so that "
                                           "repro check-source can check it.", column="source_line", **where))
    return problems


def check_components(components: pd.DataFrame, swot: pd.DataFrame, force_field: pd.DataFrame,
                     sources: Sources) -> list[Problem]:
    from repro.data.cells import lookalike

    source = sources["components"]
    known = list(swot["id"]) + list(force_field["id"])
    problems = []
    for row in components.itertuples():
        unknown = [i for i in split_ids(row.items) if i not in known]
        if unknown:
            hint = next((h for h in (lookalike(i, known) for i in unknown) if h), None)
            problems.append(source.problem(
                f"{', '.join(map(repr, unknown))} is not an id in {sources['swot'].short} or "
                f"{sources['force_field'].short}; " + (f"{hint}." if hint else "list the items' ids separated by spaces."),
                row=row.file_row, column="items", item_id=row.id))
        if row.quote and pd.isna(row.quote_line):
            problems.append(source.problem("a quote needs the line of the source it stands on (quote_line).",
                                           row=row.file_row, column="quote_line", item_id=row.id))
    return problems


def check_chain(swot, force_field, lotus, sources: Sources) -> list[Problem]:
    """The chain's links that fail. A force without a direction or a SWOT item has no link to judge
    (its empty cell is reported by :func:`check_force_field`), and a lotus centred on such a force
    neither."""
    forces = force_field[force_field["kind"] == "force"]
    directed = forces[forces["direction"] != ""]
    links = chain_links(swot, directed, lotus)
    undirected = set(forces.loc[forces["direction"] == "", "id"])
    problems = []
    for link in links[~links["holds"]].itertuples():
        if link.link == "force -> SWOT":
            if link.found == "no SWOT item":
                continue  # a missing swot_id is reported by the force-field check
            row = forces.loc[forces["id"] == link.item_id, "file_row"].iloc[0]
            problems.append(sources["force_field"].problem(
                f"links to {link.target_id}, which is in {link.found}; expected an item of {link.expected} (driving "
                "forces are opportunities, restraining forces are threats).", row=row, column="swot_id",
                item_id=link.item_id))
        elif link.target_id not in undirected:
            row = lotus.loc[lotus["centre_id"] == link.target_id, "file_row"].iloc[0]
            problems.append(sources["lotus"].problem(f"the block's centre {link.target_id} is {link.found}; "
                                                     "expected a restraining force.", row=row, column="centre_id"))
    return problems
