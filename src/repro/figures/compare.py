"""The raters' comparison figure: each force's score (the analysis's) beside each rater's, drawn at
the printed size (the full text width, 180 mm; no type under 7 pt). Raters differ by marker as well
as by colour, so they stay apart in greyscale and for every colour vision."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from repro.figures.common import (TEXT_WIDTH, freeze_layout, localise_ticks, new_plot_figure, record_box, shorten,
                                  styled, wrap_to_width)
from repro.labels import item_text, label

#: Colour-blind-safe colours for up to eight raters (Okabe and Ito), then grey.
RATER_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
#: One marker per rater (then they repeat, with the grey).
RATER_MARKERS = ("o", "s", "^", "v", "P", "X", "<", ">")
TITLE_SIZE = 9.0
TICK_SIZE = 7.5
LABEL_SIZE = 8.0
#: The widest a row's name (an id and a short text) and a rater's name in the legend may be (points).
ROW_NAME_WIDTH = 150.0
LEGEND_WIDTH = 110.0


def _rater_style(k: int) -> dict:
    return {"color": RATER_COLOURS[k] if k < len(RATER_COLOURS) else "#999999",
            "marker": RATER_MARKERS[k % len(RATER_MARKERS)]}


@styled
def plot_comparison(raters: pd.DataFrame, forces: pd.DataFrame, ax=None, lang: str = "ru", scale=None, *,
                    scores_published: bool = True):
    """Each force's score: the analysis's own (hollow diamond) and each rater's (a marker each).

    Parameters
    ----------
    raters
        Raters x forces (index: rater names, free text; columns: force ids). The analysis's scores
        are not in it: they come from ``forces``.
    forces
        Rows with id, direction, score, text: the forces in the analysis's order.
    scale
        The declared scale (``.minimum``, ``.maximum``): the x axis spans it. If None, the scores' range.
    scores_published
        Whether the analysis's scores are published ones (the paper's: "published") or the user's own
        ("your scores").

    Returns the axes.
    """
    n = len(forces)
    new = ax is None
    if new:
        ax = new_plot_figure(TEXT_WIDTH, 1.4 + 0.3 * n).add_subplot()
    y = np.arange(n)[::-1]
    names = list(raters.index)
    offsets = np.linspace(-0.22, 0.22, len(names)) if len(names) > 1 else np.zeros(len(names))
    for k, (rater, offset) in enumerate(zip(names, offsets)):
        scores = raters.loc[rater, list(forces["id"])].to_numpy(dtype=float)
        ax.scatter(scores, y + offset, s=22, zorder=2, edgecolors="black", linewidths=0.4, **_rater_style(k))
    # Hollow, on top: a rater who agrees with the analysis's score shows inside the diamond.
    ax.scatter(forces["score"].to_numpy(dtype=float), y, s=85, marker="D", facecolors="none", edgecolors="black",
               linewidths=1.3, zorder=3)
    texts = item_text(forces, lang)
    ax.set_yticks(y, [shorten(f"{i} ({label(f'side_{d}', lang)}) · {t}", ROW_NAME_WIDTH, TICK_SIZE)
                      for i, d, t in zip(forces["id"], forces["direction"], texts)])
    directions = list(forces["direction"])
    for k in range(1, n):
        if directions[k] != directions[k - 1]:
            ax.axhline(y[k] + 0.5, color="#888888", lw=1)
    if scale is not None:
        pad = 0.04 * (scale.maximum - scale.minimum)
        ax.set_xlim(scale.minimum - pad, scale.maximum + pad)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlabel(label("score_axis", lang), fontsize=LABEL_SIZE)
    localise_ticks(ax, lang, y=False)
    ax.tick_params(labelsize=TICK_SIZE)
    ax.grid(axis="x", color="#dddddd", lw=0.6)
    ax.set_axisbelow(True)
    own = label("published" if scores_published else "your_scores", lang)
    handles = [Line2D([], [], marker="D", color="black", mfc="none", mew=1.3, ls="", ms=7, label=own)]
    handles += [Line2D([], [], ls="", ms=5, mec="black", mew=0.4, label=shorten(str(rater), LEGEND_WIDTH, TICK_SIZE),
                       **_rater_style(k)) for k, rater in enumerate(names)]
    legend = ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=TICK_SIZE, frameon=False)
    for text in legend.get_texts():
        record_box(text, ax.figure.bbox, "legend")
    title = ax.set_title(wrap_to_width(label("compare_title" if scores_published else "compare_title_yours", lang),
                                       ax.figure.get_figwidth() * 72 - 40, TITLE_SIZE), fontsize=TITLE_SIZE)
    record_box(title, ax.figure.bbox, "title")
    if new:
        freeze_layout(ax.figure)  # laid out once, not again at every save
    return ax
