"""Figures of the sensitivity analysis, each answering one question.

- :func:`plot_robustness_curves`: how often does each claim hold as the noise grows? One small panel
  per claim; the noise models that have a width are lines with bands of their 95 % intervals, the
  others labelled reference levels.
- :func:`plot_tornado`: how far can one score, run over the whole declared scale, move the net force?
- :func:`plot_net_histogram`: how is the net force spread under noise, and how often does each side win?
  Drawn from the Monte Carlo's counts (:class:`repro.methods.montecarlo.NetHistogram`), not from draws.
- :func:`plot_convergence`: is the number of draws enough? Each claim's running estimate against the draws.
- :func:`plot_rank_heatmap`: how sure is each force's place within its side (SMAA-2)?
- :func:`plot_drop_one`: which side wins when one force is left out?

Each takes tables and an optional axes (or figure, for the multi-panel one) and returns what it drew
on. Every text stays inside the canvas: the figures use matplotlib's constrained layout, and long
titles are wrapped to their panel.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import NullFormatter
from matplotlib.transforms import ScaledTranslation, blended_transform_factory

from repro.figures.common import (axes_column_box, freeze_layout, localise_ticks, new_plot_figure, record_box, styled,
                                  wrap_to_width)
from repro.figures.force_field import DRIVING_COLOUR, RESTRAINING_COLOUR
from repro.i18n import format_number, format_scale, tick_formatter
from repro.labels import label
from repro.methods.claims import TIE_TOLERANCE
from repro.methods.intervals import interval_text

#: One colour per noise model, the same in every figure.
MODEL_COLOURS = {"uniform": "#1f5f99", "integer": "#8c510a", "ordinal": "#5e3c99", "dirichlet": "#1b7837"}
OTHER_COLOUR = "#555555"
TIE_COLOUR = "#888888"
# Type sizes by role, in points.
TITLE_SIZE = 11.0
PANEL_TITLE_SIZE = 9.5
LABEL_SIZE = 9.5
TICK_SIZE = 8.5
NOTE_SIZE = 8.5


def _legend_below(ax, **kwargs):
    """A legend centred under ``ax``, its top below the x tick labels and the x label, whatever the
    axes' height: an anchor in axes fractions lands on the x label of a short plot (one or two forces).
    Call once the x label and the ticks are set."""
    rc = matplotlib.rcParams
    ticks = ax.get_xticklabels()
    tick_size = ticks[0].get_fontsize() if ticks else FontProperties(size=rc["xtick.labelsize"]).get_size_in_points()
    label_lines = ax.get_xlabel().count("\n") + 1 if ax.get_xlabel() else 0
    below_pt = (rc["xtick.major.size"] + rc["xtick.major.pad"] + 1.2 * tick_size
                + (rc["axes.labelpad"] + 1.2 * ax.xaxis.label.get_fontsize() * label_lines if label_lines else 0) + 4)
    offset = ScaledTranslation(0, -below_pt / 72, ax.figure.dpi_scale_trans)
    return ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0), bbox_transform=ax.transAxes + offset,
                     frameon=False, **kwargs)


def _plot_axes(ax, width: float, height: float):
    """``ax``, or the single axes of a new constrained-layout figure; and whether it is new (its
    layout is then frozen when the drawing is done, see :func:`_done`)."""
    new = ax is None
    if new:
        ax = new_plot_figure(width, height).add_subplot()
    ax.tick_params(labelsize=TICK_SIZE)
    return ax, new


def _done(ax, new: bool):
    """Freeze the layout of a figure made here; leave a caller's figure to its caller."""
    if new:
        freeze_layout(ax.figure)
    return ax


def _panel_title(ax, text: str, size: float = PANEL_TITLE_SIZE, width_in: float | None = None):
    """A panel's title wrapped to the axes' width, with the axes' column recorded as its box."""
    fig = ax.figure
    width_pt = (width_in if width_in is not None else ax.get_position().width * fig.get_figwidth()) * 72
    title = ax.set_title(wrap_to_width(text, width_pt, size), fontsize=size)
    record_box(title, axes_column_box(ax), "panel title")
    return title


def _signed(value: float, lang: str) -> str:
    """A number to three significant digits with its sign (0 without one), as a reader of ``lang``
    writes it: a true minus sign, and a decimal comma in Russian (as on the axes' ticks)."""
    if abs(value) < 1e-12:
        return "0"
    return format_number(float(f"{value:.3g}"), lang, signed=True)


def _model_name(model: str, lang: str) -> str:
    key = f"model_{model}"
    try:
        return label(key, lang)
    except KeyError:  # a model this module does not know by name
        return model


# ---------------------------------------------------------------- robustness
def _grid(n: int) -> tuple[int, int]:
    """Rows and columns for ``n`` panels: up to three side by side."""
    cols = 1 if n == 1 else 2 if n in (2, 4) else 3
    return math.ceil(n / cols), cols


def _spread(levels: list[float], gap: float, low: float = 0.0, high: float = 1.0) -> list[float]:
    """Label positions near ``levels`` (sorted ascending) but at least ``gap`` apart, within [low, high]."""
    placed = []
    for level in levels:
        placed.append(max(level, placed[-1] + gap) if placed else max(level, low))
    overflow = placed[-1] - high if placed else 0
    if overflow > 0:  # pushed past the top: shift down, keeping the gaps
        placed = [p - overflow for p in placed]
        for i in range(len(placed) - 2, -1, -1):
            placed[i] = min(placed[i], placed[i + 1] - gap)
    return placed


def _claim_title(claim: str, statements: Mapping[str, str]) -> str:
    """A claim as a reader reads it: its statement, with a capital as a title or a legend entry starts
    (its id only where no statement is given)."""
    text = statements.get(claim) or claim
    return text[:1].upper() + text[1:]


@styled
def plot_robustness_curves(curves: pd.DataFrame, reference_levels: pd.DataFrame | None = None, *,
                           statements: Mapping[str, str] | None = None, published: Mapping[str, bool] | None = None,
                           fig=None, lang: str = "ru"):
    """P(claim holds) against the noise half-width h: one small panel per claim.

    Parameters
    ----------
    curves
        Columns model, half_width, claim, p_holds, p_holds_low, p_holds_high: the noise models that
        depend on h; each is a line with a band of its 95 % intervals.
    reference_levels
        Columns model, claim, p_holds: the models without a width, drawn as dashed horizontal levels,
        their values written in the panel's margin.
    statements
        Claim id -> statement, for the panels' titles (the id alone where missing).
    published
        Claim id -> whether it holds at the published scores, marked at h = 0 (where every draw is
        the published scores).
    fig
        A figure to draw on (a new one if None); it should use constrained layout.

    Returns
    -------
    The Figure.
    """
    reference_levels = reference_levels if reference_levels is not None else pd.DataFrame(
        columns=["model", "claim", "p_holds"])
    statements, published = dict(statements or {}), dict(published or {})
    claims = list(dict.fromkeys(list(curves["claim"]) + list(reference_levels["claim"])))
    n_rows, n_cols = _grid(max(len(claims), 1))
    new = fig is None
    width = 3.5 * n_cols + 0.6 if new else fig.get_figwidth()
    # Titles wrapped to an estimate of the panels' width (the layout gives the exact one later).
    title_width = (width - 1.2) / n_cols - 0.5
    if new:
        # Each row as tall as its longest title needs, above a plot of 1.8 inches.
        lines = [wrap_to_width(_claim_title(c, statements), title_width * 72, PANEL_TITLE_SIZE).count("\n") + 1
                 for c in claims]
        title_in = [max(lines[r * n_cols:(r + 1) * n_cols]) * PANEL_TITLE_SIZE * 1.2 / 72 for r in range(n_rows)]
        fig = new_plot_figure(width, sum(1.95 + t for t in title_in) + 1.2)
    axes = fig.subplots(n_rows, n_cols, sharex=True, sharey=True, squeeze=False)
    h_max = float(curves["half_width"].max()) if len(curves) else 1.0
    for k, ax in enumerate(axes.flat):
        if k >= len(claims):
            ax.set_axis_off()
            continue
        claim = claims[k]
        _robustness_panel(ax, curves[curves["claim"] == claim], reference_levels[reference_levels["claim"] == claim],
                          published.get(claim), h_max, lang)
        _panel_title(ax, _claim_title(claim, statements), width_in=title_width)
        if k % n_cols == 0:
            ax.set_ylabel(label("p_holds", lang), fontsize=LABEL_SIZE)
        if k >= len(claims) - n_cols:
            ax.set_xlabel(label("half_width", lang), fontsize=LABEL_SIZE)
            ax.xaxis.set_tick_params(labelbottom=True)
    _robustness_legend(fig, curves, reference_levels, bool(published), lang)
    suptitle = fig.suptitle(wrap_to_width(label("robustness_title", lang), fig.get_figwidth() * 72 - 20, TITLE_SIZE),
                            fontsize=TITLE_SIZE)
    record_box(suptitle, fig.bbox, "title")
    if new:
        freeze_layout(fig)
        # A title wider than the panel the layout made: wrap it to that width and lay out again (rare).
        renderer = fig.canvas.get_renderer()
        wide = [(claim, ax) for claim, ax in zip(claims, axes.flat)
                if ax.title.get_window_extent(renderer).width > ax.bbox.width + 0.5]
        if wide:
            for claim, ax in wide:
                _panel_title(ax, _claim_title(claim, statements))
            fig.set_layout_engine("constrained")
            fig.get_layout_engine().set(w_pad=0.06, h_pad=0.06)
            freeze_layout(fig)
    return fig


def _robustness_legend(fig, curves: pd.DataFrame, levels: pd.DataFrame, published: bool, lang: str):
    handles = [Line2D([], [], color=MODEL_COLOURS.get(m, OTHER_COLOUR), marker="o", ms=3.5, lw=1.6,
                      label=_model_name(m, lang)) for m in dict.fromkeys(curves["model"])]
    if len(curves):
        handles.append(Patch(color=OTHER_COLOUR, alpha=0.2, label=label("band_interval", lang)))
    handles += [Line2D([], [], color=MODEL_COLOURS.get(m, OTHER_COLOUR), ls="--", lw=1.2, label=_model_name(m, lang))
                for m in dict.fromkeys(levels["model"])]
    if published:
        handles.append(Line2D([], [], color="black", marker="o", mfc="white", ls="", ms=5, label=label("at_published", lang)))
    if handles:
        legend = fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 3),
                            fontsize=LABEL_SIZE - 0.5, frameon=False)
        for text in legend.get_texts():
            record_box(text, fig.bbox, "legend")


def _robustness_panel(ax, curves: pd.DataFrame, levels: pd.DataFrame, holds: bool | None, h_max: float,
                      lang: str = "ru"):
    ax.set_ylim(-0.04, 1.04)
    ax.set_xlim(-0.02 * h_max, h_max * 1.04)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1])
    localise_ticks(ax, lang)
    ax.grid(color="#eeeeee", lw=0.6)
    ax.tick_params(labelsize=TICK_SIZE)
    for model, g in curves.groupby("model", sort=False):
        g = g.sort_values("half_width")
        colour = MODEL_COLOURS.get(model, OTHER_COLOUR)
        ax.fill_between(g["half_width"], g["p_holds_low"], g["p_holds_high"], color=colour, alpha=0.2, lw=0)
        ax.plot(g["half_width"], g["p_holds"], color=colour, lw=1.6, marker="o", ms=3.5, zorder=3)
        if holds is not None:  # at h = 0 every draw is the published scores
            ax.plot([0, g["half_width"].iloc[0]], [float(holds), g["p_holds"].iloc[0]], color=colour, lw=1, ls=":")
    if holds is not None:
        ax.plot([0], [float(holds)], marker="o", mfc="white", color="black", ms=5, zorder=4, clip_on=False)
    if levels.empty:
        return
    levels = levels.sort_values("p_holds", kind="stable")
    # The levels' values sit in the panel's right margin, spread apart where levels are close.
    gap = 1.2 * (NOTE_SIZE - 0.5) / 72 / 1.5  # one line of text on a panel about 1.5 inches tall
    spots = _spread([float(p) for p in levels["p_holds"]], gap, -0.04, 1.04)
    to_axes = blended_transform_factory(ax.transAxes, ax.transData)
    for level, spot in zip(levels.itertuples(), spots):
        colour = MODEL_COLOURS.get(level.model, OTHER_COLOUR)
        ax.axhline(level.p_holds, color=colour, ls="--", lw=1.2, zorder=2)
        moved = abs(spot - level.p_holds) > 1e-9
        text = ax.annotate(format_number(level.p_holds, lang, 2), xy=(1, level.p_holds), xycoords=to_axes, xytext=(1.04, spot),
                           textcoords=to_axes, fontsize=NOTE_SIZE - 0.5, color=colour, va="center", ha="left",
                           annotation_clip=False,
                           arrowprops=dict(arrowstyle="-", color=colour, lw=0.6, shrinkA=0, shrinkB=0) if moved else None)
        record_box(text, ax.figure.bbox, "reference level")


# ---------------------------------------------------------------- tornado
def tornado_table(forces: pd.DataFrame, scale) -> pd.DataFrame:
    """Each force's effect on the net force as its score runs over the whole scale, the others kept
    at their published values.

    Returns
    -------
    DataFrame with id, direction, score, net_at_min (the net force with this score at the scale's
    minimum), net_at_max, low, high, swing (= high - low) and reach (how far past zero, towards the
    side that loses at the published scores, this one score can take the net force; negative when it
    cannot flip the balance). Sorted by swing, then reach, largest first.

    Examples
    --------
    The paper on 0-5 (net -0.2): D2 at 5 gives -0.2 + (5 - 3.2) = 1.6; R2 at 0 gives -0.2 + 4 = 3.8.
    Every swing is 5, the scale's width, since the net force is a plain sum.
    """
    sign = np.where(forces["direction"].to_numpy() == "driving", 1.0, -1.0)
    scores = forces["score"].to_numpy(dtype=float)
    net = float(scores @ sign)
    at_min = net + (scale.minimum - scores) * sign
    at_max = net + (scale.maximum - scores) * sign
    low, high = np.minimum(at_min, at_max), np.maximum(at_min, at_max)
    # Towards the losing side: up if the restraining side wins (or the sides tie), down otherwise.
    reach = high if net <= 0 else -low
    table = pd.DataFrame({"id": forces["id"].to_numpy(), "direction": forces["direction"].to_numpy(), "score": scores,
                          "net_at_min": at_min, "net_at_max": at_max, "low": low, "high": high,
                          "swing": np.round(high - low, 9), "reach": reach})
    return table.sort_values(["swing", "reach"], ascending=False, kind="stable").reset_index(drop=True)


@styled
def plot_tornado(forces: pd.DataFrame, scale, ax=None, lang: str = "ru"):
    """One score at a time over the whole declared scale: the net force with that score at the
    scale's minimum and at its maximum (the others at their published values), sorted by swing, with
    zero and the published net marked.

    Parameters
    ----------
    forces
        Rows with id, direction, score.
    scale
        The declared scale (``.minimum``, ``.maximum``).

    Returns the axes.
    """
    table = tornado_table(forces, scale)
    n = len(table)
    ax, new = _plot_axes(ax, 8.5, 2.2 + 0.42 * n)
    sign = np.where(forces["direction"].to_numpy() == "driving", 1.0, -1.0)
    net = float(forces["score"].to_numpy(dtype=float) @ sign)
    y = np.arange(n)[::-1]  # the largest on top
    for colour, column, key, value in (("#9ecae1", "net_at_min", "score_at_min", scale.minimum),
                                       ("#08519c", "net_at_max", "score_at_max", scale.maximum)):
        ax.barh(y, table[column] - net, left=net, height=0.62, color=colour,
                label=label(key, lang, value=format_number(value, lang)))
    for yi, row in zip(y, table.itertuples()):
        for end in (row.net_at_min, row.net_at_max):
            if abs(end - net) > 1e-12:
                ax.annotate(_signed(end, lang), xy=(end, yi), xytext=(3 if end > net else -3, 0), textcoords="offset points",
                            ha="left" if end > net else "right", va="center", fontsize=NOTE_SIZE - 0.5, color="#333333")
    ax.axvline(0, color="black", lw=1.2, zorder=3)
    ax.axvline(net, color="#444444", lw=1.1, ls="--", zorder=3)
    ax.annotate(label("published_net", lang, net=_signed(net, lang)), xy=(net, 1), xycoords=("data", "axes fraction"),
                xytext=(0, 3), textcoords="offset points", ha="center", va="bottom", fontsize=NOTE_SIZE, color="#444444")
    ax.set_yticks(y, [f"{row.id} ({format_number(row.score, lang)})" for row in table.itertuples()])
    span = max(table["high"].max(), 0) - min(table["low"].min(), 0)
    ax.set_xlim(min(table["low"].min(), 0) - 0.12 * span, max(table["high"].max(), 0) + 0.12 * span)
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xlabel(label("net_axis", lang), fontsize=LABEL_SIZE)
    localise_ticks(ax, lang, y=False)
    _legend_below(ax, ncols=2, fontsize=NOTE_SIZE)
    ax.grid(axis="x", color="#eeeeee", lw=0.6)
    ax.set_axisbelow(True)
    title = label("tornado_title", lang, scale=format_scale(scale, lang))
    if table["swing"].nunique() == 1:  # a plain sum: say why every bar has the same length
        title += "\n" + label("tornado_note", lang, width=format_number(scale.maximum - scale.minimum, lang))
    _wrapped_title(ax, title)
    return _done(ax, new)


def _wrapped_title(ax, text: str):
    """A title wrapped to the figure's width (the axes' final width is known only after layout)."""
    width_pt = ax.figure.get_figwidth() * 72 - 30
    lines = [wrap_to_width(part, width_pt, TITLE_SIZE - 1) for part in text.split("\n")]
    title = ax.set_title("\n".join(lines), fontsize=TITLE_SIZE - 1, loc="center", pad=16)
    record_box(title, ax.figure.bbox, "title")


# ---------------------------------------------------------------- net histogram
#: Bars the net histogram shows at most (the counts' fine bins are merged into them).
NET_BARS = 60


def _merged_bins(edges: np.ndarray, counts: np.ndarray, bars: int = NET_BARS) -> tuple[np.ndarray, np.ndarray]:
    """The occupied part of a fine histogram, its bins merged into at most about ``bars`` bars, with 0
    still on an edge (so that each bar lies wholly on one side of the balance)."""
    filled = np.flatnonzero(counts)
    if not len(filled):
        return edges[:2], np.zeros(1, dtype=counts.dtype)
    width = edges[1] - edges[0]
    first, last = int(filled[0]), int(filled[-1]) + 1
    zero = int(round(-edges[0] / width))  # the fine edge at 0 (the bins were laid out around it)
    group = max(1, math.ceil((last - first) / bars))
    start = zero + group * math.floor((first - zero) / group)
    stop = zero + group * math.ceil((last - zero) / group)
    padded = np.zeros(stop - start, dtype=counts.dtype)
    lo, hi = max(start, 0), min(stop, len(counts))
    padded[lo - start:hi - start] = counts[lo:hi]
    merged = padded.reshape(-1, group).sum(axis=1)
    return edges[0] + width * (start + group * np.arange(len(merged) + 1)), merged


@styled
def plot_net_histogram(histogram, published_net: float, ax=None, lang: str = "ru"):
    """The net force (driving minus restraining) over the draws, from the Monte Carlo's counts: the
    published net marked, a line at 0, and how often each side wins and how often they tie (each with
    its 95 % interval) in the legend under the plot (bars coloured by the side that wins; ties, left out
    of the bins, a grey bar at 0).

    Parameters
    ----------
    histogram
        A :class:`repro.methods.montecarlo.NetHistogram` (edges, counts, driving_wins,
        restraining_wins, ties, shares()).

    Returns the axes.
    """
    ax, new = _plot_axes(ax, 8, 5.2)
    n = histogram.draws
    edges, counts = _merged_bins(np.asarray(histogram.edges), np.asarray(histogram.counts))
    bars = ax.bar(edges[:-1], counts, width=np.diff(edges), align="edge", color=OTHER_COLOUR, edgecolor="white", lw=0.3)
    for patch, left, right in zip(bars, edges[:-1], edges[1:]):
        centre = (left + right) / 2
        patch.set_facecolor(DRIVING_COLOUR if centre > 0 else RESTRAINING_COLOUR if centre < 0 else TIE_COLOUR)
    if histogram.ties:  # a bar of its own, centred on 0 (the line at 0 runs through it)
        ax.bar([0], [histogram.ties], width=edges[1] - edges[0], color=TIE_COLOUR, edgecolor="white", lw=0.3, zorder=2)
    ax.axvline(0, color="black", lw=1.4, zorder=3)
    ax.axvline(published_net, color="#222222", lw=1.2, ls="--", zorder=3)
    shares = histogram.shares().set_index("outcome") if n else None

    def share(key, outcome):
        if not n:
            return f"{label(key, lang)}: –"
        row = shares.loc[outcome]
        return f"{label(key, lang)} = {interval_text(row['p'], row['p_low'], row['p_high'], lang=lang)}"
    handles = [Patch(color=DRIVING_COLOUR, label=share("p_driving_wins", "driving_wins")),
               Patch(color=RESTRAINING_COLOUR, label=share("p_restraining_wins", "restraining_wins")),
               Patch(color=TIE_COLOUR, label=share("p_tie", "tie")),
               Line2D([], [], color="black", lw=1.4, label=label("zero_line", lang)),
               Line2D([], [], color="#222222", lw=1.2, ls="--",
                      label=label("published_net", lang, net=_signed(published_net, lang)))]
    ax.set_ylim(0, max(counts.max() if len(counts) else 1, histogram.ties, 1) * 1.08)
    ax.set_xlabel(label("net_axis", lang), fontsize=LABEL_SIZE)
    ax.set_ylabel(label("draws", lang), fontsize=LABEL_SIZE)
    localise_ticks(ax, lang)
    _legend_below(ax, handles=handles, ncols=2, fontsize=NOTE_SIZE)
    _wrapped_title(ax, label("net_title", lang, n=format_number(n, lang)))
    return _done(ax, new)


# ---------------------------------------------------------------- convergence
@styled
def plot_convergence(convergence: pd.DataFrame, ax=None, lang: str = "ru", statements: Mapping[str, str] | None = None):
    """Each claim's running estimate of P(holds) against the number of draws (logarithmic), with its
    95 % interval as a band: an estimate that has settled inside a narrow band needs no more draws.
    Claims whose estimates agree at every checkpoint share one line, labelled with all of them.

    Parameters
    ----------
    convergence
        Columns draws, claim, p_holds, p_holds_low, p_holds_high (the Monte Carlo's checkpoints).
    statements
        Claim id -> statement, for the legend (the id alone where missing).

    Returns the axes.
    """
    ax, new = _plot_axes(ax, 8, 4.6)
    # Claims with the same running estimate at every checkpoint (those that hold in every draw) would
    # hide one another: one line for them, labelled with all their statements.
    statements = dict(statements or {})
    groups: dict[tuple, list[str]] = {}
    for claim, g in convergence.groupby("claim", sort=False):
        groups.setdefault(tuple(g.sort_values("draws")["p_holds"].round(12)), []).append(claim)
    colours = matplotlib.colormaps["tab10"]
    for k, claims in enumerate(groups.values()):
        g = convergence[convergence["claim"] == claims[0]].sort_values("draws")
        colour = colours(k % 10)
        ax.fill_between(g["draws"], g["p_holds_low"], g["p_holds_high"], color=colour, alpha=0.18, lw=0)
        # Legend entries wrapped to the figure's width, less the handle's.
        name = wrap_to_width("; ".join(_claim_title(c, statements) for c in claims), ax.figure.get_figwidth() * 72 - 90,
                             NOTE_SIZE)
        ax.plot(g["draws"], g["p_holds"], color=colour, lw=1.4, marker="o", ms=3, label=name)
    ax.set_xscale("log")
    # Whole numbers of draws as plain text: the log scale's default labels are mathtext ("10^{3}"), and
    # the package draws every text with mathtext off (so that a user's "$5" stays "$5").
    ax.xaxis.set_major_formatter(tick_formatter(lang, decimals=0))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_ylim(-0.04, 1.04)
    ax.grid(color="#eeeeee", lw=0.6)
    ax.set_xlabel(label("draws", lang), fontsize=LABEL_SIZE)
    ax.set_ylabel(label("p_holds", lang), fontsize=LABEL_SIZE)
    localise_ticks(ax, lang, x=False)
    handles = ax.get_legend_handles_labels()[0] + [Patch(color=OTHER_COLOUR, alpha=0.2, label=label("band_interval", lang))]
    _legend_below(ax, handles=handles, ncols=1, fontsize=NOTE_SIZE)
    _wrapped_title(ax, label("convergence_title", lang))
    return _done(ax, new)


# ---------------------------------------------------------------- ranks, drop one
@styled
def plot_rank_heatmap(acceptability: pd.DataFrame, ax=None, lang: str = "ru", forces: pd.DataFrame | None = None):
    """Rank acceptability (SMAA-2): the probability that each force holds each place within its side
    (rows: forces; columns: places). Places a side does not have are grey; given ``forces`` (id,
    direction), a line separates the sides.

    Returns the axes.
    """
    values = acceptability.to_numpy(dtype=float)
    n_rows, n_cols = values.shape
    ax, new = _plot_axes(ax, 1.8 + 1.15 * n_cols, 1.4 + 0.42 * n_rows)
    ax.imshow(np.ma.masked_invalid(values), cmap="Blues", vmin=0, vmax=1, aspect="auto")
    ax.set_facecolor("#eeeeee")
    for (i, j), v in np.ndenumerate(values):
        if not np.isnan(v):
            ax.text(j, i, format_number(v, lang, 2), ha="center", va="center", fontsize=TICK_SIZE, color="white" if v > 0.6 else "black")
    ax.set_xticks(range(n_cols), [f"{label('rank', lang)} {j + 1}" for j in range(n_cols)])
    ax.set_yticks(range(n_rows), list(acceptability.index))
    if forces is not None:
        direction = dict(zip(forces["id"], forces["direction"]))
        sides = [direction.get(i) for i in acceptability.index]
        for i in range(1, n_rows):
            if sides[i] != sides[i - 1]:
                ax.axhline(i - 0.5, color="black", lw=1.5)
    ax.tick_params(length=0)
    _wrapped_title(ax, label("rank_title", lang))
    return _done(ax, new)


@styled
def plot_drop_one(drop: pd.DataFrame, ax=None, lang: str = "ru", published_net: float | None = None):
    """The net force with each force left out in turn; the colour tells which side wins.

    Returns the axes.
    """
    ax, new = _plot_axes(ax, 7.5, 1.8 + 0.38 * len(drop))
    net = drop["net"].to_numpy(dtype=float)
    colours = np.where(net > TIE_TOLERANCE, DRIVING_COLOUR, np.where(net < -TIE_TOLERANCE, RESTRAINING_COLOUR, TIE_COLOUR))
    y = np.arange(len(drop))[::-1]
    ax.hlines(y, 0, net, color=colours, lw=1.2, alpha=0.6)
    ax.scatter(net, y, c=colours, s=55, zorder=3)
    ax.axvline(0, color="black", lw=1.2)
    if published_net is not None:
        ax.axvline(published_net, color="#444444", lw=1, ls="--")
        ax.annotate(label("published_net", lang, net=_signed(published_net, lang)), xy=(published_net, 1),
                    xycoords=("data", "axes fraction"), xytext=(0, 3), textcoords="offset points", ha="center",
                    va="bottom", fontsize=NOTE_SIZE, color="#444444")
    ax.set_yticks(y, [label("without", lang, id=d) for d in drop["dropped"]])
    ax.set_xlabel(label("net_axis", lang), fontsize=LABEL_SIZE)
    span = max(np.abs(net).max() if len(net) else 1, abs(published_net or 0), 1e-9)
    ax.set_xlim(-1.15 * span, 1.15 * span)
    localise_ticks(ax, lang, y=False)
    handles = [Line2D([], [], color=c, marker="o", ls="", label=label(k, lang))
               for c, k in ((DRIVING_COLOUR, "driving_wins"), (RESTRAINING_COLOUR, "restraining_wins"), (TIE_COLOUR, "tie"))]
    _legend_below(ax, handles=handles, ncols=3, fontsize=NOTE_SIZE)
    ax.grid(axis="x", color="#eeeeee", lw=0.6)
    _wrapped_title(ax, label("drop_title", lang))
    return _done(ax, new)
