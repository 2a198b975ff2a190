"""The lotus flower's two figures.

The paper publishes only the outer blocks: one 3x3 block per restraining force, the force in the
centre cell and its proposals around it. :func:`plot_lotus_published` keeps that layout and its
empty cells; :func:`plot_lotus_canonical` draws the canonical 9x9 view, the theme in the middle
block with the forces as its petals, each petal copied to the centre of its outer block.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.patches import Rectangle

from repro.figures.common import fit_text, new_figure
from repro.labels import label
from repro.methods.lotus import CAPACITY, PETAL_POSITIONS, blocks

PALETTE = ("#f4c7c3", "#c9e4c5", "#c6dbef", "#fde2b3", "#e1cfe8", "#d9ead3", "#fff2b3", "#d0e0e3")
def _draw_block(ax, x0, y0, block, colour, lang, centre_text=None, cell=1.0, fontsize=9):
    """Draw one 3x3 block with its lower-left corner at (x0, y0); row 1 is the top row."""
    for r in range(3):
        for c in range(3):
            x, y = x0 + c * cell, y0 + (2 - r) * cell
            is_centre = (r, c) == (1, 1)
            content = block["cells"][r][c] if not is_centre else None
            face = colour if is_centre else ("white" if content else "#f7f7f7")
            ax.add_patch(Rectangle((x, y), cell, cell, facecolor=face, edgecolor="#888888", lw=0.8))
            if is_centre:
                fit_text(ax, centre_text or f"{block['centre_id']}. {block['centre_text']}",
                         (x, y + 0.18 * cell, x + cell, y + cell), fontsize=fontsize + 1, fontweight="bold")
                fit_text(ax, f"{block['filled']}/{CAPACITY} {label('proposals', lang)}",
                         (x, y, x + cell, y + 0.18 * cell), fontsize=fontsize - 2, color="#444444")
            elif content:
                fit_text(ax, content[1], (x, y, x + cell, y + cell), fontsize=fontsize)
    ax.add_patch(Rectangle((x0, y0), 3 * cell, 3 * cell, fill=False, edgecolor="#333333", lw=2))


def plot_lotus_published(lotus: pd.DataFrame, forces: pd.DataFrame, ax=None, lang: str = "ru"):
    """The blocks as the article prints them: one under another, empty cells kept empty."""
    bl = blocks(lotus, forces, lang)
    if ax is None:
        _, ax = new_figure(9, 0.6 + 3.3 * len(bl))
    gap = 0.25
    height = len(bl) * (3 + gap)
    ax.set_xlim(-0.05, 3.05)
    ax.set_ylim(-0.05, height + 0.1)
    ax.set_axis_off()
    for k, block in enumerate(bl):
        _draw_block(ax, 0, height - (k + 1) * (3 + gap) + gap, block, PALETTE[k % len(PALETTE)], lang)
    return ax


def plot_lotus_canonical(lotus: pd.DataFrame, forces: pd.DataFrame, theme: str, ax=None, lang: str = "ru"):
    """The canonical 9x9 lotus: theme in the middle, forces as petals, proposals in outer blocks."""
    bl = blocks(lotus, forces, lang)
    if len(bl) > CAPACITY:
        raise ValueError(f"a lotus has at most {CAPACITY} petals, this one has {len(bl)} blocks")
    if ax is None:
        _, ax = new_figure(16, 16)
    ax.set_xlim(-0.1, 9.1)
    ax.set_ylim(-0.1, 9.1)
    ax.set_aspect("equal")
    ax.set_axis_off()
    centre = {"cells": [[None] * 3 for _ in range(3)], "filled": len(bl), "centre_id": "", "centre_text": theme}
    for k, block in enumerate(bl):
        r, c = PETAL_POSITIONS[k]
        centre["cells"][r][c] = (block["centre_id"], f"{block['centre_id']}. {block['centre_text']}")
    # Outer blocks first, then the central one on top.
    for k, block in enumerate(bl):
        r, c = PETAL_POSITIONS[k]
        _draw_block(ax, 3 * c, 3 * (2 - r), block, PALETTE[k % len(PALETTE)], lang, fontsize=8)
    for r in range(3):
        for c in range(3):
            ax.add_patch(Rectangle((3 + c, 3 + (2 - r)), 1, 1, facecolor="white", edgecolor="#888888", lw=0.8))
    for k, block in enumerate(bl):
        r, c = PETAL_POSITIONS[k]
        ax.add_patch(Rectangle((3 + c, 3 + (2 - r)), 1, 1, facecolor=PALETTE[k % len(PALETTE)], edgecolor="#888888", lw=0.8))
        fit_text(ax, f"{block['centre_id']}. {block['centre_text']}", (3 + c, 3 + (2 - r), 4 + c, 4 + (2 - r)),
                 fontsize=8, fontweight="bold")
    ax.add_patch(Rectangle((4, 4), 1, 1, facecolor="#fff7d6", edgecolor="#333333", lw=1.5))
    fit_text(ax, theme, (4, 4, 5, 5), fontsize=9, fontweight="bold")
    ax.add_patch(Rectangle((3, 3), 3, 3, fill=False, edgecolor="#333333", lw=2.5))
    return ax
