"""The raters' comparison figure: each force's score from the paper and from each rater."""

from __future__ import annotations

import numpy as np
import pandas as pd

from repro.figures.common import new_figure


def plot_comparison(table: pd.DataFrame, forces: pd.DataFrame, ax=None):
    """Each force's score from the paper (large marker) and from each rater (small markers)."""
    if ax is None:
        _, ax = new_figure(9, 1.2 + 0.5 * len(forces))
        ax.set_position((0.12, 0.1, 0.7, 0.82))
    y = np.arange(len(forces))[::-1]
    ax.scatter(table.loc["paper"], y, s=140, marker="D", color="black", label="paper", zorder=3)
    raters = [r for r in table.index if r != "paper"]
    offsets = np.linspace(-0.25, 0.25, len(raters)) if len(raters) > 1 else [0]
    for rater, offset in zip(raters, offsets):
        ax.scatter(table.loc[rater], y + offset, s=40, label=str(rater), zorder=2)
    ax.set_yticks(y, [f"{i} ({d})" for i, d in zip(forces["id"], forces["direction"])])
    ax.set_xlabel("score")
    ax.grid(axis="x", color="#dddddd")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    ax.set_title("Scores: the paper and the raters")
    return ax
