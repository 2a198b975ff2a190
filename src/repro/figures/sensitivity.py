"""Figures of the sensitivity analysis: each takes tables and an optional axes, returns the axes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from repro.figures.common import new_figure

MODEL_STYLES = {"uniform": "-", "integer": "--", "ordinal": ":", "dirichlet": "-."}


def _axes(ax, w=8, h=5):
    if ax is None:
        fig, ax = new_figure(w, h)
        ax.set_position((0.12, 0.14, 0.83, 0.76))
    return ax


def plot_net_histogram(net_sample: np.ndarray, ax=None, title: str = ""):
    """Histogram of the net force (driving - restraining) over the draws, with a line at 0."""
    ax = _axes(ax)
    ax.hist(net_sample, bins=60, color="#7a9cc6", edgecolor="white")
    ax.axvline(0, color="black", lw=1.5)
    share = float(np.mean(net_sample > 0))
    ax.set_xlabel("net force (driving − restraining)")
    ax.set_ylabel("draws")
    ax.set_title(title or f"Net force under noise: driving wins in {share:.1%} of draws")
    return ax


def plot_robustness_curves(curves: pd.DataFrame, ax=None):
    """P(claim holds) against the noise width, one line style per noise model, one colour per claim."""
    ax = _axes(ax, 9, 5.5)
    colours = dict(zip(curves["claim"].unique(), ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]))
    for (model, claim), g in curves.groupby(["model", "claim"], sort=False):
        ax.plot(g["half_width"], g["p_holds"], MODEL_STYLES[model], color=colours[claim], lw=1.5,
                label=f"{claim} ({model})", marker="o", ms=3)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("noise half-width h")
    ax.set_ylabel("P(claim holds)")
    ax.legend(fontsize=6, ncol=2, loc="lower left")
    ax.set_title("Robustness of each claim against noise")
    return ax


def plot_tornado(forces: pd.DataFrame, half_width: float, scale_min: float, scale_max: float, ax=None):
    """One-at-a-time: the net force when each score moves by -h and +h (within the scale)."""
    ax = _axes(ax)
    sign = np.where(forces["direction"] == "driving", 1.0, -1.0)
    scores = forces["score"].to_numpy(dtype=float)
    net = float(scores @ sign)
    low = np.clip(scores - half_width, scale_min, scale_max)
    high = np.clip(scores + half_width, scale_min, scale_max)
    lo_net, hi_net = net + (low - scores) * sign, net + (high - scores) * sign
    order = np.argsort(np.abs(hi_net - lo_net))
    y = np.arange(len(order))
    ax.barh(y, (hi_net - net)[order], left=net, color="#7a9cc6", label=f"score + {half_width:g}")
    ax.barh(y, (lo_net - net)[order], left=net, color="#d59a8c", label=f"score − {half_width:g}")
    ax.axvline(0, color="black", lw=1.2)
    ax.axvline(net, color="grey", lw=1, ls="--")
    ax.set_yticks(y, forces["id"].to_numpy()[order])
    ax.set_xlabel("net force")
    ax.legend(fontsize=8)
    ax.set_title("One score at a time (tornado); dashed line: published net")
    return ax


def plot_rank_heatmap(acceptability: pd.DataFrame, ax=None):
    """Rank acceptability (SMAA-2): probability that each force holds each rank within its side."""
    ax = _axes(ax, 7, 5)
    values = acceptability.to_numpy(dtype=float)
    ax.imshow(np.nan_to_num(values, nan=0), cmap="Blues", vmin=0, vmax=1, aspect="auto")
    for (i, j), v in np.ndenumerate(values):
        if not np.isnan(v):
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=8, color="white" if v > 0.6 else "black")
    ax.set_xticks(range(values.shape[1]), acceptability.columns)
    ax.set_yticks(range(values.shape[0]), acceptability.index)
    ax.set_title("Rank acceptability (within each side)")
    return ax


def plot_drop_one(drop: pd.DataFrame, ax=None):
    """The net force with each force dropped in turn; colour tells which side wins."""
    ax = _axes(ax)
    colours = np.where(drop["net"] > 0, "#2f6f9f", np.where(drop["net"] < 0, "#b5472f", "grey"))
    ax.scatter(drop["net"], np.arange(len(drop)), c=colours, s=60, zorder=3)
    ax.axvline(0, color="black", lw=1.2)
    ax.set_yticks(range(len(drop)), [f"without {d}" for d in drop["dropped"]])
    ax.set_xlabel("net force (blue: driving wins, red: restraining wins)")
    ax.set_title("Drop one force at a time")
    return ax
