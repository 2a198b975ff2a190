"""The SWOT figure: the classic 2x2 grid.

Columns helpful / harmful, rows internal / external: S top-left, W top-right, O bottom-left,
T bottom-right. Items keep their published numbers; each opportunity and threat is marked with
the force-field id it becomes. No TOWS strategies are drawn: the paper states none.

The layout is measured before it is drawn: each item gets the height its text needs at the items'
type size, so a quadrant of long items makes the figure taller instead of its text smaller. Drawn at
the printed size: the full text width (180 mm), at most 240 mm tall, no type under 7 pt; where the
items would not fit a page even at 7 pt, each is cut to two lines ending "…" and the numbered table
beside the figure (the report's SWOT table) holds them whole.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.patches import Rectangle

from repro.figures.common import (CANVAS_MARGIN, MAX_HEIGHT, MIN_SIZE, TEXT_WIDTH, TextRole, box_height, cut_to_lines,
                                  new_figure, styled)
from repro.labels import label
from repro.methods.swot import QUADRANTS, quadrant_table

#: (column, row) of each quadrant in the 2x2 grid; row 1 is the top.
POSITION = {"S": (0, 1), "W": (1, 1), "O": (0, 0), "T": (1, 0)}
COLOURS = {"S": "#dcebd5", "W": "#f6dcd2", "O": "#d6e4f0", "T": "#f3e6c4"}

# Layout in inches (the axes' data units are inches, so the arithmetic reads directly).
WIDTH = TEXT_WIDTH - 2 * CANVAS_MARGIN
SIDE = 0.28  # the strip left of the grid for "internal" / "external"
TOP = 0.26  # the strip above the grid for "helpful" / "harmful"
GAP = 0.06  # between quadrants
HEADER = 0.3  # a quadrant's heading
NUMBER = 0.22  # the column of item numbers (a hanging indent)
MARK = 0.52  # the column of "→ D1" marks
ITEM_SIZE = 8.0
ITEM_GAP = 0.05


def _item_boxes(texts: list[str], text_width: float, size: float) -> list[float]:
    """The height (inches) each item needs at ``size``."""
    return [box_height(text, text_width * 72, size, balance=False, baseline=True) / 72 + ITEM_GAP for text in texts]


#: The lines an item keeps where the full texts would make the grid taller than a page.
SHORT_LINES = 2


def layout(table: pd.DataFrame, text_w: float) -> tuple[float, dict[str, list[str]], dict[str, list[float]]]:
    """The items' type size, their texts and their heights: the largest size from :data:`ITEM_SIZE` down
    to 7 pt at which the grid fits a page (240 mm); where none does, each item cut to two lines
    ("…"; the table beside the figure has it whole)."""
    texts = {q: list(table.loc[table["quadrant"] == q, "text"]) for q in QUADRANTS}
    for size in (ITEM_SIZE, 7.5, MIN_SIZE):
        heights = {q: _item_boxes(texts[q], text_w, size) for q in QUADRANTS}
        if _height(heights) <= MAX_HEIGHT - 2 * CANVAS_MARGIN:
            return size, texts, heights
    texts = {q: [cut_to_lines(t, text_w * 72 * 0.96, MIN_SIZE, SHORT_LINES) for t in texts[q]] for q in QUADRANTS}
    return MIN_SIZE, texts, {q: _item_boxes(texts[q], text_w, MIN_SIZE) for q in QUADRANTS}


def _row_heights(heights: dict[str, list[float]]) -> dict[int, float]:
    return {row: HEADER + max(max(sum(heights[q]) for q in QUADRANTS if POSITION[q][1] == row), 0.4) + 0.08
            for row in (0, 1)}


def _height(heights: dict[str, list[float]]) -> float:
    row_h = _row_heights(heights)
    return TOP + row_h[1] + GAP + row_h[0]


@styled
def plot_swot(swot: pd.DataFrame, forces: pd.DataFrame | None = None, ax=None, lang: str = "ru"):
    """Draw the SWOT grid on ``ax`` (a new figure if None) and return the axes."""
    table = quadrant_table(swot, forces, lang)
    quad_w = (WIDTH - SIDE - GAP) / 2
    marks = bool(table["force_id"].astype(bool).any())
    text_w = quad_w - NUMBER - 0.06 - (MARK if marks else 0.06)
    size, texts, heights = layout(table, text_w)
    row_h = _row_heights(heights)
    height = TOP + row_h[1] + GAP + row_h[0]
    if ax is None:
        _, ax = new_figure(WIDTH, height)
    ax.set_xlim(0, WIDTH)
    ax.set_ylim(0, height)
    ax.set_axis_off()

    axis = TextRole(ax, "axis label", 8.5, color="#333333")
    headings = TextRole(ax, "heading", 9.5, weight="bold")
    numbers = TextRole(ax, "item number", size, MIN_SIZE, pad=2)
    items = TextRole(ax, "item", size, balance=False)  # a list reads best filled from the left
    arrows = TextRole(ax, "force mark", size, weight="bold", color="#1f3b73", pad=2)
    left = {0: SIDE, 1: SIDE + quad_w + GAP}
    bottom = {0: 0.0, 1: row_h[0] + GAP}
    axis.add(label("helpful", lang), (left[0], height - TOP, left[0] + quad_w, height))
    axis.add(label("harmful", lang), (left[1], height - TOP, left[1] + quad_w, height))
    axis.add(label("internal", lang), (0, bottom[1], SIDE, bottom[1] + row_h[1]), rotation=90)
    axis.add(label("external", lang), (0, bottom[0], SIDE, bottom[0] + row_h[0]), rotation=90)
    for quadrant in QUADRANTS:
        col, row = POSITION[quadrant]
        x0, y0, y1 = left[col], bottom[row], bottom[row] + row_h[row]
        ax.add_patch(Rectangle((x0, y0), quad_w, y1 - y0, facecolor=COLOURS[quadrant], edgecolor="#555555", lw=1,
                               clip_on=False))  # on the axes' edge: the whole stroke, in the canvas's margin
        headings.add(label(quadrant, lang), (x0, y1 - HEADER, x0 + quad_w, y1))
        top = y1 - HEADER
        for item, text, h in zip(table[table["quadrant"] == quadrant].itertuples(), texts[quadrant], heights[quadrant]):
            numbers.add(f"{item.number}.", (x0 + 0.04, top - h, x0 + 0.04 + NUMBER, top), ha="right", va="baseline")
            text_x = x0 + 0.04 + NUMBER
            items.add(text, (text_x, top - h, text_x + text_w, top), ha="left", va="baseline")
            if item.force_id:
                arrows.add(f"{label('becomes', lang)} {item.force_id}", (x0 + quad_w - MARK, top - h, x0 + quad_w - 0.04, top),
                           va="baseline")
            top -= h
    for role in (axis, headings, numbers, items, arrows):
        role.draw()
    return ax
