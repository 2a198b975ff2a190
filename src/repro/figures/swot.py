"""The SWOT figure: the classic 2x2 grid.

Columns helpful / harmful, rows internal / external: S top-left, W top-right, O bottom-left,
T bottom-right. Items keep their published numbers; each opportunity and threat is marked with
the force-field id it becomes. No TOWS strategies are drawn: the paper states none.

The layout is measured before it is drawn: each item gets the height its text needs at the items'
type size, so a quadrant of long items makes the figure taller instead of its text smaller.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.patches import Rectangle

from repro.figures.common import TextRole, box_height, new_figure, styled
from repro.labels import label
from repro.methods.swot import QUADRANTS, quadrant_table

#: (column, row) of each quadrant in the 2x2 grid; row 1 is the top.
POSITION = {"S": (0, 1), "W": (1, 1), "O": (0, 0), "T": (1, 0)}
COLOURS = {"S": "#dcebd5", "W": "#f6dcd2", "O": "#d6e4f0", "T": "#f3e6c4"}

# Layout in inches (the axes' data units are inches, so the arithmetic reads directly).
WIDTH = 12.0
SIDE = 0.45  # the strip left of the grid for "internal" / "external"
TOP = 0.4  # the strip above the grid for "helpful" / "harmful"
GAP = 0.08  # between quadrants
HEADER = 0.5  # a quadrant's heading
NUMBER = 0.34  # the column of item numbers (a hanging indent)
MARK = 0.75  # the column of "→ D1" marks
ITEM_SIZE = 11.5
ITEM_GAP = 0.08


def _item_boxes(items: pd.DataFrame, text_width: float) -> list[float]:
    """The height (inches) each item needs at the items' type size."""
    return [box_height(item.text, text_width * 72, ITEM_SIZE, balance=False, baseline=True) / 72 + ITEM_GAP
            for item in items.itertuples()]


@styled
def plot_swot(swot: pd.DataFrame, forces: pd.DataFrame | None = None, ax=None, lang: str = "ru"):
    """Draw the SWOT grid on ``ax`` (a new figure if None) and return the axes."""
    table = quadrant_table(swot, forces, lang)
    quad_w = (WIDTH - SIDE - GAP) / 2
    marks = bool(table["force_id"].astype(bool).any())
    text_w = quad_w - NUMBER - 0.12 - (MARK if marks else 0.1)
    heights = {q: _item_boxes(table[table["quadrant"] == q], text_w) for q in QUADRANTS}
    row_h = {row: HEADER + max(max(sum(heights[q]) for q in QUADRANTS if POSITION[q][1] == row), 0.5) + 0.12
             for row in (0, 1)}
    height = TOP + row_h[1] + GAP + row_h[0]
    if ax is None:
        _, ax = new_figure(WIDTH, height)
    ax.set_xlim(0, WIDTH)
    ax.set_ylim(0, height)
    ax.set_axis_off()

    axis = TextRole(ax, "axis label", 12, color="#555555")
    headings = TextRole(ax, "heading", 14, weight="bold")
    numbers = TextRole(ax, "item number", ITEM_SIZE)
    items = TextRole(ax, "item", ITEM_SIZE, balance=False)  # a list reads best filled from the left
    arrows = TextRole(ax, "force mark", ITEM_SIZE, weight="bold", color="#1f3b73")
    left = {0: SIDE, 1: SIDE + quad_w + GAP}
    bottom = {0: 0.0, 1: row_h[0] + GAP}
    axis.add(label("helpful", lang), (left[0], height - TOP, left[0] + quad_w, height))
    axis.add(label("harmful", lang), (left[1], height - TOP, left[1] + quad_w, height))
    axis.add(label("internal", lang), (0, bottom[1], SIDE, bottom[1] + row_h[1]), rotation=90)
    axis.add(label("external", lang), (0, bottom[0], SIDE, bottom[0] + row_h[0]), rotation=90)
    for quadrant in QUADRANTS:
        col, row = POSITION[quadrant]
        x0, y0, y1 = left[col], bottom[row], bottom[row] + row_h[row]
        ax.add_patch(Rectangle((x0, y0), quad_w, y1 - y0, facecolor=COLOURS[quadrant], edgecolor="#555555", lw=1))
        headings.add(label(quadrant, lang), (x0, y1 - HEADER, x0 + quad_w, y1))
        top = y1 - HEADER
        for item, h in zip(table[table["quadrant"] == quadrant].itertuples(), heights[quadrant]):
            numbers.add(f"{item.number}.", (x0 + 0.08, top - h, x0 + 0.08 + NUMBER, top), ha="right", va="baseline")
            text_x = x0 + 0.08 + NUMBER
            items.add(item.text, (text_x, top - h, text_x + text_w, top), ha="left", va="baseline")
            if item.force_id:
                arrows.add(f"{label('becomes', lang)} {item.force_id}", (x0 + quad_w - MARK, top - h, x0 + quad_w - 0.04, top),
                           va="baseline")
            top -= h
    for role in (axis, headings, numbers, items, arrows):
        role.draw()
    return ax
