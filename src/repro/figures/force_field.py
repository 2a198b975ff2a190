"""The force-field diagram (Table 2).

A central vertical line is the present state. Driving forces come from the left with arrows
pointing right, restraining forces from the right with arrows pointing left; arrow length is
proportional to the score on one shared axis (the declared scale), and the score is printed on
the arrow. The proposed changes have their own column; totals and the net are written below.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.patches import FancyArrow, Rectangle

from repro.methods.force_field import balance
from repro.labels import item_text, label
from repro.figures.common import fit_text, new_figure

DRIVING_COLOUR = "#2f6f9f"
RESTRAINING_COLOUR = "#b5472f"


def _side(forces: pd.DataFrame, direction: str, sort: bool) -> pd.DataFrame:
    side = forces[forces["direction"] == direction]
    return side.sort_values("score", ascending=False, kind="stable") if sort else side


def plot_force_field(forces: pd.DataFrame, changes: pd.DataFrame | None = None, *, scale_max: float = 5,
                     ax=None, lang: str = "ru", sort: bool = False, whiskers: pd.DataFrame | None = None):
    """Draw the force field on ``ax`` (a new figure if None) and return the axes.

    Parameters
    ----------
    forces
        Rows with id, direction, score, text (and text_en).
    changes
        The proposed changes (id, text, published_row); drawn in their own column, or omitted.
    scale_max
        Upper end of the declared scale: the shared length axis runs from 0 to it on each side.
    sort
        False keeps the paper's order; True sorts each side by score, strongest first.
    whiskers
        Optional table (id, low, high) of score intervals, e.g. the 5-95 % range of perturbed
        scores, drawn as error bars on the arrow tips.
    """
    driving, restraining = _side(forces, "driving", sort), _side(forces, "restraining", sort)
    changes = changes if changes is not None and len(changes) else None
    n_rows = max(len(driving), len(restraining), len(changes) if changes is not None else 0, 1)
    if ax is None:
        _, ax = new_figure(16 if changes is not None else 13, 2.6 + 1.0 * n_rows)
    # Horizontal layout, in units of the score: label | arrows (-max..0..max) | label | changes.
    label_w = scale_max * 0.9
    left, right = -scale_max - label_w, scale_max + label_w
    change_w = scale_max * 1.1 if changes is not None else 0
    ax.set_xlim(left - 0.05 * scale_max, right + change_w + 0.05 * scale_max)
    top, bottom = 1.4, -n_rows - 1.6
    ax.set_ylim(bottom, top)
    ax.set_axis_off()

    fit_text(ax, label("driving", lang), (left, 0.3, -scale_max * 0.02, 1.2), fontsize=14, fontweight="bold", color=DRIVING_COLOUR)
    fit_text(ax, label("restraining", lang), (scale_max * 0.02, 0.3, right, 1.2), fontsize=14, fontweight="bold", color=RESTRAINING_COLOUR)
    if changes is not None:
        fit_text(ax, label("changes", lang), (right + 0.05 * scale_max, 0.3, right + change_w, 1.2), fontsize=14, fontweight="bold")
    ax.plot([0, 0], [0.25, -n_rows - 0.1], color="#333333", lw=2.5, zorder=3)
    ax.text(0, -n_rows - 0.3, label("present_state", lang), ha="center", va="top", fontsize=9, style="italic")
    for tick in np.arange(0, scale_max + 1e-9, 1):  # the shared length axis, both sides
        for sign in (-1, 1):
            ax.plot([sign * tick] * 2, [0.15, -n_rows], color="#dddddd", lw=0.6, zorder=0)
        ax.text(-tick, 0.18, f"{tick:g}", ha="center", va="bottom", fontsize=7, color="#777777")
        ax.text(tick, 0.18, f"{tick:g}", ha="center", va="bottom", fontsize=7, color="#777777")

    spans = {}
    for side, sign, colour in ((driving, -1, DRIVING_COLOUR), (restraining, 1, RESTRAINING_COLOUR)):
        texts = item_text(side, lang)
        for k, (force, text) in enumerate(zip(side.itertuples(), texts)):
            y = -k - 0.5
            box = (left, y - 0.45, -scale_max - 0.05, y + 0.45) if sign < 0 else (scale_max + 0.05, y - 0.45, right, y + 0.45)
            fit_text(ax, f"{force.id}. {text}", box, fontsize=11)
            spans[force.id] = (sign, y)
            score = float(force.score)
            if np.isnan(score):  # an analysis without scores: the forces are listed, not weighed
                continue
            if score > 0:
                ax.add_patch(FancyArrow(sign * score, y, -sign * score, 0, width=0.28, head_width=0.5,
                                        head_length=min(0.25 * scale_max / 5, score * 0.5), length_includes_head=True,
                                        color=colour, alpha=0.9, zorder=2))
            ax.text(sign * score / 2, y, f"{score:g}", ha="center", va="center", fontsize=10, color="white",
                    fontweight="bold", zorder=4)
    if whiskers is not None:
        for w in whiskers.itertuples():
            if w.id in spans:
                sign, y = spans[w.id]
                ax.plot([sign * w.low, sign * w.high], [y, y], color="black", lw=1.2, zorder=5)
                for end in (w.low, w.high):
                    ax.plot([sign * end] * 2, [y - 0.12, y + 0.12], color="black", lw=1.2, zorder=5)
    if changes is not None:
        for k, (change, text) in enumerate(zip(changes.itertuples(), item_text(changes, lang))):
            y = -k - 0.5
            ax.add_patch(Rectangle((right + 0.08 * scale_max, y - 0.44), change_w - 0.1 * scale_max, 0.88,
                                   facecolor="#f2f2f2", edgecolor="#999999", lw=0.8))
            fit_text(ax, f"{change.id}. {text}", (right + 0.08 * scale_max, y - 0.44, right + change_w - 0.02 * scale_max, y + 0.44), fontsize=10)

    if forces["score"].isna().all():
        fit_text(ax, label("no_scores", lang), (left, -n_rows - 1.0, right + change_w, -n_rows - 0.45), fontsize=12)
    elif forces["score"].notna().all():
        b = balance(forces)
        lines = (f"{label('driving_total', lang)}: {b.driving_total:g}     "
                 f"{label('restraining_total', lang)}: {b.restraining_total:g}     "
                 f"{label('net', lang)}: {b.net:g}")
        fit_text(ax, lines, (left, -n_rows - 1.0, right + change_w, -n_rows - 0.45), fontsize=12, fontweight="bold")
        fit_text(ax, label(f"verdict_{b.verdict}", lang), (left, -n_rows - 1.55, right + change_w, -n_rows - 1.0), fontsize=11)
    return ax
