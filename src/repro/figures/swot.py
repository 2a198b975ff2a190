"""The SWOT figure: the classic 2x2 grid.

Columns helpful / harmful, rows internal / external: S top-left, W top-right, O bottom-left,
T bottom-right. Items keep their published numbers; each opportunity and threat is marked with
the force-field id it becomes. No TOWS strategies are drawn: the paper states none.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.patches import Rectangle

from repro.figures.common import fit_text, new_figure
from repro.labels import label
from repro.methods.swot import QUADRANTS, quadrant_table

#: (column, row) of each quadrant in the 2x2 grid; row 1 is the top.
POSITION = {"S": (0, 1), "W": (1, 1), "O": (0, 0), "T": (1, 0)}
COLOURS = {"S": "#dcebd5", "W": "#f6dcd2", "O": "#d6e4f0", "T": "#f3e6c4"}


def plot_swot(swot: pd.DataFrame, forces: pd.DataFrame | None = None, ax=None, lang: str = "ru"):
    """Draw the SWOT grid on ``ax`` (a new figure if None) and return the axes."""
    table = quadrant_table(swot, forces, lang)
    most = max(1, int(table["quadrant"].value_counts().max()))
    if ax is None:
        _, ax = new_figure(12, 3.2 + 1.15 * most)
    margin_left, margin_top = 0.12, 0.12
    ax.set_xlim(-margin_left, 2)
    ax.set_ylim(0, 2 + margin_top)
    ax.set_axis_off()
    fit_text(ax, label("helpful", lang), (0, 2, 1, 2 + margin_top), fontsize=12, fontstyle="italic")
    fit_text(ax, label("harmful", lang), (1, 2, 2, 2 + margin_top), fontsize=12, fontstyle="italic")
    fit_text(ax, label("internal", lang), (-margin_left, 1, 0, 2), fontsize=12, fontstyle="italic", rotation=90)
    fit_text(ax, label("external", lang), (-margin_left, 0, 0, 1), fontsize=12, fontstyle="italic", rotation=90)
    header = 0.16
    for quadrant in QUADRANTS:
        col, row = POSITION[quadrant]
        x0, y0 = col, row
        ax.add_patch(Rectangle((x0 + 0.01, y0 + 0.01), 0.98, 0.98, facecolor=COLOURS[quadrant], edgecolor="#555555", lw=1))
        fit_text(ax, label(quadrant, lang), (x0 + 0.02, y0 + 1 - header, x0 + 0.98, y0 + 0.99), fontsize=14, fontweight="bold")
        items = table[table["quadrant"] == quadrant]
        step = (1 - header - 0.03) / most
        for k, item in enumerate(items.itertuples()):
            top = y0 + 1 - header - k * step
            text_right = x0 + (0.84 if item.force_id else 0.97)
            artist = fit_text(ax, f"{item.number}. {item.text}", (x0 + 0.03, top - step, text_right, top), fontsize=12)
            artist.set_ha("left")
            artist.set_x(x0 + 0.04)
            if item.force_id:
                fit_text(ax, f"{label('becomes', lang)} {item.force_id}", (text_right, top - step, x0 + 0.98, top),
                         fontsize=12, fontweight="bold", color="#1f3b73")
    return ax
