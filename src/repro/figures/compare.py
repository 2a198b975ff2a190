"""The raters' comparison figure: each force's published score beside each rater's."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from repro.figures.common import freeze_layout, localise_ticks, new_plot_figure, record_box, styled, wrap_to_width
from repro.labels import label

#: Colour-blind-safe colours for up to eight raters (Okabe and Ito), then grey.
RATER_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
TITLE_SIZE = 11.0
TICK_SIZE = 9.0


@styled
def plot_comparison(raters: pd.DataFrame, forces: pd.DataFrame, ax=None, lang: str = "ru", scale=None):
    """Each force's score: the published one (hollow diamond) and each rater's (coloured dots).

    Parameters
    ----------
    raters
        Raters x forces (index: rater names, free text; columns: force ids). The published scores
        are not in it: they come from ``forces``.
    forces
        Rows with id, direction, score: the forces in the analysis's order.
    scale
        The declared scale (``.minimum``, ``.maximum``): the x axis spans it. If None, the scores' range.

    Returns the axes.
    """
    n = len(forces)
    new = ax is None
    if new:
        ax = new_plot_figure(8.5, 1.6 + 0.42 * n).add_subplot()
    y = np.arange(n)[::-1]
    names = list(raters.index)
    offsets = np.linspace(-0.22, 0.22, len(names)) if len(names) > 1 else np.zeros(len(names))
    for k, (rater, offset) in enumerate(zip(names, offsets)):
        scores = raters.loc[rater, list(forces["id"])].to_numpy(dtype=float)
        ax.scatter(scores, y + offset, s=36, color=RATER_COLOURS[k] if k < len(RATER_COLOURS) else "#999999", zorder=2)
    # Hollow, on top: a rater who agrees with the published score shows inside the diamond.
    ax.scatter(forces["score"].to_numpy(dtype=float), y, s=130, marker="D", facecolors="none", edgecolors="black",
               linewidths=1.6, zorder=3)
    ax.set_yticks(y, [f"{i} ({label(f'side_{d}', lang)})" for i, d in zip(forces["id"], forces["direction"])])
    directions = list(forces["direction"])
    for k in range(1, n):
        if directions[k] != directions[k - 1]:
            ax.axhline(y[k] + 0.5, color="#888888", lw=1)
    if scale is not None:
        pad = 0.04 * (scale.maximum - scale.minimum)
        ax.set_xlim(scale.minimum - pad, scale.maximum + pad)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlabel(label("score_axis", lang), fontsize=TICK_SIZE + 0.5)
    localise_ticks(ax, lang, y=False)
    ax.tick_params(labelsize=TICK_SIZE)
    ax.grid(axis="x", color="#dddddd", lw=0.6)
    ax.set_axisbelow(True)
    handles = [Line2D([], [], marker="D", color="black", mfc="none", mew=1.6, ls="", ms=8, label=label("published", lang))]
    handles += [Line2D([], [], marker="o", ls="", ms=6, label=str(rater),
                       color=RATER_COLOURS[k] if k < len(RATER_COLOURS) else "#999999") for k, rater in enumerate(names)]
    legend = ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=TICK_SIZE, frameon=False)
    for text in legend.get_texts():
        record_box(text, ax.figure.bbox, "legend")
    title = ax.set_title(wrap_to_width(label("compare_title", lang), ax.figure.get_figwidth() * 72 - 40, TITLE_SIZE),
                         fontsize=TITLE_SIZE)
    record_box(title, ax.figure.bbox, "title")
    if new:
        freeze_layout(ax.figure)  # laid out once, not again at every save
    return ax
