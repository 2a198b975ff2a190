"""The lotus flower's two figures.

The paper publishes only the outer blocks: one 3x3 block per restraining force, the force in the
centre cell and its proposals around it. :func:`plot_lotus_published` keeps that layout and its
empty cells; :func:`plot_lotus_canonical` draws the canonical view, the theme in the middle block
with the forces as its petals, each petal copied to the centre of its outer block, cropped to the
blocks that exist.

Type: all proposals share one size, all centres another, the theme and the fill counts one each
(:class:`repro.figures.common.TextRole`).
"""

from __future__ import annotations

import pandas as pd
from matplotlib.patches import Rectangle

from repro.figures.common import TextRole, new_figure, styled
from repro.labels import label
from repro.methods.lotus import CAPACITY, PETAL_POSITIONS, blocks

PALETTE = ("#f4c7c3", "#c9e4c5", "#c6dbef", "#fde2b3", "#e1cfe8", "#d9ead3", "#fff2b3", "#d0e0e3")
EMPTY = "#f4f4f4"
THEME_COLOUR = "#fff7d6"
#: Share of a centre cell's height kept for the fill count under the force's name.
COUNT_SHARE = 0.2


class _Roles:
    """The lotus's four roles, drawn together once every cell has been queued."""

    def __init__(self, ax, proposal=10.0, centre=11.0, theme=12.0):
        self.proposal = TextRole(ax, "proposal", proposal)
        self.centre = TextRole(ax, "centre", centre, weight="bold")
        self.theme = TextRole(ax, "theme", theme, weight="bold")
        self.count = TextRole(ax, "count", 8.0, 6.0, pad=1.5, color="#444444")

    def draw(self):
        for role in (self.proposal, self.centre, self.theme):
            role.draw()
        # The fill count is a footnote: never larger than the proposals it counts.
        sizes = [size for size in (self.proposal.size, self.centre.size) if size]
        if sizes:
            self.count.max_size = max(min(self.count.max_size, min(sizes)), self.count.min_size)
        self.count.draw()


def _cell(ax, x, y, size, face, edge="#888888", lw=0.8):
    ax.add_patch(Rectangle((x, y), size, size, facecolor=face, edgecolor=edge, lw=lw))


def _block(ax, roles: _Roles, x0: float, y0: float, block: dict, colour: str, lang: str):
    """One 3x3 block with its lower-left corner at (x0, y0), cells of side 1; row 1 is the top row."""
    for r in range(3):
        for c in range(3):
            x, y = x0 + c, y0 + 2 - r
            if (r, c) == (1, 1):
                _cell(ax, x, y, 1, colour)
                roles.centre.add(f"{block['centre_id']}. {block['centre_text']}", (x, y + COUNT_SHARE, x + 1, y + 1))
                roles.count.add(f"{block['filled']}/{CAPACITY} {label('proposals', lang)}", (x, y, x + 1, y + COUNT_SHARE))
                continue
            content = block["cells"][r][c]
            _cell(ax, x, y, 1, "white" if content else EMPTY)
            if content:
                roles.proposal.add(content[1], (x, y, x + 1, y + 1))
    ax.add_patch(Rectangle((x0, y0), 3, 3, fill=False, edgecolor="#333333", lw=2))


@styled
def plot_lotus_published(lotus: pd.DataFrame, forces: pd.DataFrame, ax=None, lang: str = "ru"):
    """The blocks as the article prints them: one under another, empty cells kept empty.

    Returns the axes.
    """
    bl = blocks(lotus, forces, lang)
    gap = 0.25
    height = len(bl) * (3 + gap) - gap
    if ax is None:
        # Cells 3 inches wide and 1 inch tall, as wide as a page allows.
        _, ax = new_figure(9.2, 0.2 + height * 1.0)
    margin = 0.02
    ax.set_xlim(-margin, 3 + margin)
    ax.set_ylim(-margin, height + margin)
    ax.set_axis_off()
    roles = _Roles(ax, proposal=11, centre=12)
    for k, block in enumerate(bl):
        _block(ax, roles, 0, height - (k + 1) * 3 - k * gap, block, PALETTE[k % len(PALETTE)], lang)
    roles.draw()
    return ax


def _extent(n_blocks: int) -> tuple[range, range]:
    """Block rows and columns (of the 3x3 grid of blocks) that the centre and the petals occupy."""
    places = [(1, 1)] + [PETAL_POSITIONS[k] for k in range(n_blocks)]
    rows, cols = [r for r, _ in places], [c for _, c in places]
    return range(min(rows), max(rows) + 1), range(min(cols), max(cols) + 1)


@styled
def plot_lotus_canonical(lotus: pd.DataFrame, forces: pd.DataFrame, theme: str = "", ax=None, lang: str = "ru",
                         cell_inches: float = 1.35):
    """The canonical lotus: the theme in the middle, the forces as petals around it, each petal the
    centre of an outer block of its proposals. Only the blocks that exist are drawn (two blocks give
    a 6x6 view, not a 9x9 one with most of it empty).

    Parameters
    ----------
    theme
        The lotus's theme (the analysis's lotus caption); if empty, the word "theme" stands in the
        middle cell, so it is never blank.
    cell_inches
        Side of one cell when a new figure is made.

    Returns the axes.
    """
    bl = blocks(lotus, forces, lang)
    if len(bl) > CAPACITY:
        raise ValueError(f"a lotus has at most {CAPACITY} petals, this one has {len(bl)} blocks")
    block_rows, block_cols = _extent(len(bl))
    n_rows, n_cols = 3 * len(block_rows), 3 * len(block_cols)
    if ax is None:
        margin_in = 0.1
        _, ax = new_figure(n_cols * cell_inches + 2 * margin_in, n_rows * cell_inches + 2 * margin_in)
        pad = margin_in / cell_inches
    else:
        pad = 0.05
    x_min, y_max = 3 * block_cols.start, 9 - 3 * block_rows.start  # data: cell units, y up, 9x9 frame
    ax.set_xlim(x_min - pad, x_min + n_cols + pad)
    ax.set_ylim(y_max - n_rows - pad, y_max + pad)
    ax.set_axis_off()
    roles = _Roles(ax, proposal=10, centre=10.5, theme=11)

    for k, block in enumerate(bl):
        r, c = PETAL_POSITIONS[k]
        _block(ax, roles, 3 * c, 3 * (2 - r), block, PALETTE[k % len(PALETTE)], lang)
    # The central block: the theme, the petals (the forces) in their places, unused petals empty.
    petals = {PETAL_POSITIONS[k]: (block, PALETTE[k % len(PALETTE)]) for k, block in enumerate(bl)}
    for r in range(3):
        for c in range(3):
            x, y = 3 + c, 3 + (2 - r)
            if (r, c) == (1, 1):
                _cell(ax, x, y, 1, THEME_COLOUR, edge="#333333", lw=1.5)
                roles.theme.add(theme.strip() or label("theme", lang), (x, y, x + 1, y + 1))
            elif (r, c) in petals:
                block, colour = petals[(r, c)]
                _cell(ax, x, y, 1, colour)
                roles.centre.add(f"{block['centre_id']}. {block['centre_text']}", (x, y, x + 1, y + 1))
            else:
                _cell(ax, x, y, 1, EMPTY)
    ax.add_patch(Rectangle((3, 3), 3, 3, fill=False, edgecolor="#333333", lw=2.5))
    roles.draw()
    return ax
