"""The lotus flower's two figures, drawn at the printed size (the full text width, 180 mm, at most
240 mm tall; no type under 7 pt).

The paper publishes only the outer blocks: one 3x3 block per restraining force, the force in the
centre cell and its proposals around it. :func:`plot_lotus_published` keeps that layout and its
empty cells, each proposal written in its cell where every proposal fits the page at 7 pt, and named
by its id otherwise (its text then stands in the numbered table beside the figure).
:func:`plot_lotus_canonical` draws the canonical view, the theme in the middle block with the forces
as its petals, each petal copied to the centre of its outer block, cropped to the blocks that exist:
nine cells across a printed page are too small for sentences, so its cells carry the ids of the
forces and the proposals, and the texts stand in the numbered table beside the figure (the report's
lotus table; the lotus notebook prints it); the theme is its title.

Type: all proposals share one size, all centres another, the theme and the fill counts one each
(:class:`repro.figures.common.TextRole`).
"""

from __future__ import annotations

import pandas as pd
from matplotlib.patches import Rectangle

from repro.figures.common import (CANVAS_MARGIN, MAX_HEIGHT, MIN_SIZE, TEXT_WIDTH, TextRole, box_height, new_figure,
                                  record_box, styled, wrap_to_width)
from repro.labels import label
from repro.methods.lotus import CAPACITY, PETAL_POSITIONS, blocks

PALETTE = ("#f4c7c3", "#c9e4c5", "#c6dbef", "#fde2b3", "#e1cfe8", "#d9ead3", "#fff2b3", "#d0e0e3")
EMPTY = "#f4f4f4"
THEME_COLOUR = "#fff7d6"
#: Share of a centre cell's height kept for the fill count under the force's name.
COUNT_SHARE = 0.2
#: The drawing's width and its greatest height (inches): the printed page less the canvas's margins.
WIDTH = TEXT_WIDTH - 2 * CANVAS_MARGIN
MAX_DRAWING_HEIGHT = MAX_HEIGHT - 2 * CANVAS_MARGIN
#: Between two published blocks, in cell heights.
BLOCK_GAP = 0.25
PROPOSAL_SIZE = 8.0
CENTRE_SIZE = 8.5


class _Roles:
    """The lotus's four roles, drawn together once every cell has been queued."""

    def __init__(self, ax, proposal=PROPOSAL_SIZE, centre=CENTRE_SIZE, theme=9.0):
        self.proposal = TextRole(ax, "proposal", proposal)
        self.centre = TextRole(ax, "centre", centre, weight="bold")
        self.theme = TextRole(ax, "theme", theme, weight="bold")
        self.count = TextRole(ax, "count", 7.0, pad=1.5, color="#333333")

    def draw(self):
        for role in (self.proposal, self.centre, self.theme, self.count):
            role.draw()


def _cell(ax, x, y, size, face, edge="#888888", lw=0.8):
    # Unclipped: a cell on the axes' edge keeps its whole stroke (the canvas has a margin for it).
    ax.add_patch(Rectangle((x, y), size, size, facecolor=face, edgecolor=edge, lw=lw, clip_on=False))


def _block(ax, roles: _Roles, x0: float, y0: float, block: dict, colour: str, lang: str, texts: bool = True):
    """One 3x3 block with its lower-left corner at (x0, y0), cells of side 1; row 1 is the top row.
    ``texts`` False names the centre and the proposals by their ids only."""
    for r in range(3):
        for c in range(3):
            x, y = x0 + c, y0 + 2 - r
            if (r, c) == (1, 1):
                _cell(ax, x, y, 1, colour)
                if texts:
                    roles.centre.add(f"{block['centre_id']}. {block['centre_text']}", (x, y + COUNT_SHARE, x + 1, y + 1))
                    roles.count.add(f"{block['filled']}/{CAPACITY} {label('proposals', lang)}", (x, y, x + 1, y + COUNT_SHARE))
                else:  # the count beside the id: a cell that holds an id may be too low for a line of its own
                    roles.centre.add(f"{block['centre_id']} ({block['filled']}/{CAPACITY})", (x, y, x + 1, y + 1))
                continue
            content = block["cells"][r][c]
            _cell(ax, x, y, 1, "white" if content else EMPTY)
            if content:
                roles.proposal.add(content[1] if texts else str(content[0]), (x, y, x + 1, y + 1))
    ax.add_patch(Rectangle((x0, y0), 3, 3, fill=False, edgecolor="#333333", lw=1.6, clip_on=False))


def _cell_height(bl: list[dict], cell_w: float, size: float) -> float:
    """The height (inches) a published cell needs for its longest text at ``size`` (the centre's
    with its fill count under it)."""
    needed = [0.42]
    for block in bl:
        needed.append(box_height(f"{block['centre_id']}. {block['centre_text']}", cell_w * 72, size, weight="bold")
                      / 72 / (1 - COUNT_SHARE))
        needed += [box_height(cell[1], cell_w * 72, size) / 72 for row in block["cells"] for cell in row if cell]
    return max(needed)


@styled
def plot_lotus_published(lotus: pd.DataFrame, forces: pd.DataFrame, ax=None, lang: str = "ru"):
    """The blocks as the article prints them: one under another, empty cells kept empty.

    Each cell is as tall as the longest text needs at the proposals' size; where the blocks would then
    not fit a page (240 mm) even at 7 pt, the cells name their proposals by id, and the texts stand in
    the table beside the figure.

    Returns the axes.
    """
    bl = blocks(lotus, forces, lang)
    n = len(bl)
    cell_w = WIDTH / 3
    texts, size, cell_h = True, PROPOSAL_SIZE, 0.3
    for size in (PROPOSAL_SIZE, 7.5, MIN_SIZE):
        cell_h = _cell_height(bl, cell_w, size)
        if n * (3 + BLOCK_GAP) * cell_h <= MAX_DRAWING_HEIGHT:
            break
    else:
        texts, size, cell_h = False, PROPOSAL_SIZE, min(0.34, MAX_DRAWING_HEIGHT / max(n * (3 + BLOCK_GAP), 1))
    height = n * (3 + BLOCK_GAP) - BLOCK_GAP
    if ax is None:
        _, ax = new_figure(WIDTH, max(height, 1) * cell_h)
    ax.set_xlim(0, 3)
    ax.set_ylim(0, max(height, 1))
    ax.set_axis_off()
    roles = _Roles(ax, proposal=size, centre=size)
    for k, block in enumerate(bl):
        _block(ax, roles, 0, height - (k + 1) * 3 - k * BLOCK_GAP, block, PALETTE[k % len(PALETTE)], lang, texts)
    roles.draw()
    return ax


def _extent(n_blocks: int) -> tuple[range, range]:
    """Block rows and columns (of the 3x3 grid of blocks) that the centre and the petals occupy."""
    places = [(1, 1)] + [PETAL_POSITIONS[k] for k in range(n_blocks)]
    rows, cols = [r for r, _ in places], [c for _, c in places]
    return range(min(rows), max(rows) + 1), range(min(cols), max(cols) + 1)


#: Type size of the canonical lotus's title (its theme).
THEME_TITLE_SIZE = 9.0


@styled
def plot_lotus_canonical(lotus: pd.DataFrame, forces: pd.DataFrame, theme: str = "", ax=None, lang: str = "ru",
                         cell_inches: float | None = None):
    """The canonical lotus: the theme in the middle, the forces as petals around it, each petal the
    centre of an outer block of its proposals. Only the blocks that exist are drawn (two blocks give
    a 6x6 view, not a 9x9 one with most of it empty). Cells carry ids (the forces' and the
    proposals'); the texts stand in the numbered table beside the figure.

    Parameters
    ----------
    theme
        The lotus's theme (the analysis's lotus caption): the figure's title, above the drawing; the
        middle cell says "theme".
    cell_inches
        Side of one cell when a new figure is made (default: as wide as the printed page allows, at
        most 0.8 inch).

    Returns the axes.
    """
    bl = blocks(lotus, forces, lang)
    if len(bl) > CAPACITY:
        raise ValueError(f"a lotus has at most {CAPACITY} petals, this one has {len(bl)} blocks")
    block_rows, block_cols = _extent(len(bl))
    n_rows, n_cols = 3 * len(block_rows), 3 * len(block_cols)
    title = wrap_to_width(theme.strip(), WIDTH * 72 - 8, THEME_TITLE_SIZE, "bold") if theme.strip() else ""
    title_in = (title.count("\n") + 1) * THEME_TITLE_SIZE * 1.3 / 72 + 0.08 if title else 0.0
    if ax is None:
        cell = cell_inches or min(WIDTH / n_cols, 0.8, (MAX_DRAWING_HEIGHT - title_in) / n_rows)
        _, ax = new_figure(n_cols * cell, n_rows * cell + title_in)
        top_pad = title_in / cell
    else:
        top_pad = 0.0
    x_min, y_max = 3 * block_cols.start, 9 - 3 * block_rows.start  # data: cell units, y up, 9x9 frame
    ax.set_xlim(x_min, x_min + n_cols)
    ax.set_ylim(y_max - n_rows, y_max + top_pad)
    ax.set_axis_off()
    roles = _Roles(ax)
    if title and top_pad:
        text = ax.text(x_min + n_cols / 2, y_max + top_pad, title, ha="center", va="top", fontsize=THEME_TITLE_SIZE,
                       fontweight="bold", linespacing=1.15)
        record_box(text, ax.figure.bbox, "lotus title")

    for k, block in enumerate(bl):
        r, c = PETAL_POSITIONS[k]
        _block(ax, roles, 3 * c, 3 * (2 - r), block, PALETTE[k % len(PALETTE)], lang, texts=False)
    # The central block: the theme, the petals (the forces) in their places, unused petals empty.
    petals = {PETAL_POSITIONS[k]: (block, PALETTE[k % len(PALETTE)]) for k, block in enumerate(bl)}
    for r in range(3):
        for c in range(3):
            x, y = 3 + c, 3 + (2 - r)
            if (r, c) == (1, 1):
                _cell(ax, x, y, 1, THEME_COLOUR, edge="#333333", lw=1.5)
                roles.theme.add(label("theme", lang), (x, y, x + 1, y + 1))
            elif (r, c) in petals:
                block, colour = petals[(r, c)]
                _cell(ax, x, y, 1, colour)
                roles.centre.add(str(block["centre_id"]), (x, y, x + 1, y + 1))
            else:
                _cell(ax, x, y, 1, EMPTY)
    ax.add_patch(Rectangle((3, 3), 3, 3, fill=False, edgecolor="#333333", lw=2, clip_on=False))
    roles.draw()
    return ax
