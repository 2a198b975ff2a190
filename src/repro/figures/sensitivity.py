"""Figures of the sensitivity analysis, each answering one question, drawn at the size they are
printed (the full text width, 180 mm; no type under 7 pt).

- :func:`plot_break_even`: how far is each score from the score at which a claim would flip, and how
  much room does the scale leave it? One row per force: its score, the break-even score of every claim
  it bears on, and the scale behind them.
- :func:`plot_robustness_curves`: how often does each claim hold as the noise grows? One small panel
  per claim that depends on the scores; the noise models that have a width are lines with bands of
  their 95 % intervals, the others labelled reference levels (a level constant by construction is left
  out, and the figure says so).
- :func:`plot_net_histogram`: how is the net force spread under noise, and how often does each side win?
  Drawn from the Monte Carlo's counts (:class:`repro.methods.montecarlo.NetHistogram`), not from draws.
- :func:`plot_convergence`: is the number of draws enough? Each claim's running estimate against the draws.
- :func:`plot_rank_heatmap`: how sure is each force's place within its side (SMAA-2)?
- :func:`plot_drop_one`: which side wins when one force is left out?

Each takes tables and an optional axes (or figure, for the multi-panel one) and returns what it drew
on. Every figure made from noise states its noise model and h in the figure (``noise``, from
:func:`noise_text`). Every text stays inside the canvas: the figures use matplotlib's constrained
layout, and long titles are wrapped to their panel. Rows are named by their id and a short text; a
probability of 0 or 1 is shown with the bound of its interval ("P > 0.999"), never as "± 0".
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

from repro.figures.common import (MAX_HEIGHT, TEXT_WIDTH, axes_column_box, freeze_layout, localise_ticks, new_plot_figure,
                                  record_box, shorten, styled, text_width, wrap_to_width)
from repro.figures.force_field import DRIVING_COLOUR, RESTRAINING_COLOUR, TIE_COLOUR
from repro.i18n import format_number, format_scale, tick_formatter
from repro.labels import item_text, label
from repro.methods.claims import TIE_TOLERANCE
from repro.methods.intervals import interval_text

#: Each noise model's colour, line style and marker, the same in every figure: the models differ by
#: line style and marker too, so that they stay apart in greyscale and for every colour vision.
MODEL_STYLES = {
    "uniform": {"color": "#1f4e79", "ls": "-", "marker": "o"},
    "integer": {"color": "#8c510a", "ls": (0, (5, 2)), "marker": "s"},
    "ordinal": {"color": "#5e3c99", "ls": (0, (1, 1.3)), "marker": "^"},
    "dirichlet": {"color": "#1b7837", "ls": (0, (6, 2, 1.5, 2)), "marker": "D"},
}
OTHER_STYLE = {"color": "#555555", "ls": (0, (3, 1, 1, 1)), "marker": "v"}
OTHER_COLOUR = "#555555"
#: Markers of the claims in the break-even chart and of the lines in the convergence figure, told
#: apart by shape (not by colour alone).
MARKERS = ("s", "^", "D", "v", "P", "X", "<", ">", "*", "h", "p", "o")
#: Claims whose truth depends only on the order of the forces: the ordinal model (SMAA-O) keeps the
#: published order of all forces, so it holds (or fails) each of them in every draw, by construction.
ORDER_KINDS = frozenset({"outweighs", "strongest", "weakest", "top_k"})
# Type sizes by role, in points, at the printed size (the figures are drawn at it).
TITLE_SIZE = 9.0
PANEL_TITLE_SIZE = 8.0
LABEL_SIZE = 8.0
TICK_SIZE = 7.5
NOTE_SIZE = 7.5
#: The widest a row's name (an id and a short text) may be, in points.
ROW_NAME_WIDTH = 150.0


def noise_text(settings: Mapping, lang: str) -> str:
    """The noise a figure was made with, for the figure itself: "Noise: uniform ±h, h = 0.5, on the
    scale 0–5" (the model, its h where it has one, and the scale), from the settings of
    :func:`repro.methods.sensitivity.analyse`. The figures that count draws say how many themselves."""
    model = str(settings.get("noise", ""))
    scale = settings.get("scale")
    words = {"model": _model_name(model, lang), "scale": format_interval_pair(scale, lang) if scale else "",
             "h": format_number(float(settings.get("half_width", 0)), lang)}
    return label("noise_text_h" if model == "uniform" else "noise_text", lang, **words)


def format_interval_pair(scale, lang: str) -> str:
    """A scale given as [min, max] (as the settings keep it) written as a reader of ``lang`` writes it."""
    from repro.data.codebook import Scale
    return format_scale(Scale(float(scale[0]), float(scale[1])), lang)


def probability_text(name: str, p: float, low: float, high: float, lang: str) -> str:
    """"P(x) = 0.658 [0.651, 0.665]"; at 0 or 1 the bound the interval gives, "P(x) > 0.999" or
    "P(x) < 0.001" (the bound rounded outwards, so it stays true), never "1.000 ± 0.000"."""
    if p >= 1:
        return f"{name} > {format_number(math.floor(low * 1000) / 1000, lang, 3)}"
    if p <= 0:
        return f"{name} < {format_number(math.ceil(high * 1000) / 1000, lang, 3)}"
    return f"{name} = {interval_text(p, low, high, lang=lang)}"


def row_names(forces: pd.DataFrame, lang: str, width_pt: float = ROW_NAME_WIDTH, size: float = TICK_SIZE,
              prefix: Mapping[str, str] | None = None) -> dict[str, str]:
    """Each force's name for a row: its id and as much of its text as fits on one line
    (``width_pt`` at ``size``), "…" where words were left out; ``prefix`` (id -> words) goes first."""
    prefix = dict(prefix or {})
    names = {}
    for force_id, text in zip(forces["id"], item_text(forces, lang)):
        head = prefix.get(force_id, str(force_id))
        names[force_id] = shorten(f"{head} · {text}", width_pt, size) if str(text).strip() else head
    return names


def side_order(forces: pd.DataFrame) -> list[str]:
    """The forces' ids by side (driving first), then by score, highest first (file order among equals)."""
    ordered = forces.assign(_side=forces["direction"].map({"driving": 0, "restraining": 1}).fillna(2))
    return list(ordered.sort_values(["_side", "score"], ascending=[True, False], kind="stable")["id"])


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


def _legend_columns(handles, fontsize: float, width_pt: float, most: int) -> int:
    """The most columns (up to ``most``) whose entries, measured at ``fontsize``, fit ``width_pt``
    side by side: a legend laid out from its words' widths fits in any language."""
    rc = matplotlib.rcParams
    extra_em = rc["legend.handlelength"] + rc["legend.handletextpad"]  # a handle and its gap, in font sizes
    widths = [max(text_width(line, fontsize) for line in h.get_label().split("\n")) + extra_em * fontsize
              for h in handles]
    for ncols in range(max(1, min(most, len(widths))), 1, -1):
        columns = [max(widths[c::ncols]) for c in range(ncols)]  # matplotlib fills a legend row by row
        if sum(columns) + (ncols - 1) * rc["legend.columnspacing"] * fontsize + 2 * rc["legend.borderpad"] * fontsize <= width_pt:
            return ncols
    return 1


def _legend_under(ax, new: bool, handles, most: int):
    """The legend under the plot: under the whole figure, centred on it, for a figure made here (long
    row names move the axes right: a legend centred on them runs off the canvas); under the axes
    for a caller's. As many columns (up to ``most``) as the entries' measured widths allow."""
    if new:
        width_pt = ax.figure.get_figwidth() * 72 - 20
        legend = ax.figure.legend(handles=handles, loc="outside lower center", fontsize=NOTE_SIZE, frameon=False,
                                  ncols=_legend_columns(handles, NOTE_SIZE, width_pt, most))
        for text in legend.get_texts():
            record_box(text, ax.figure.bbox, "legend")
        return legend
    width_pt = ax.get_position().width * ax.figure.get_figwidth() * 72
    return _legend_below(ax, handles=handles, ncols=_legend_columns(handles, NOTE_SIZE, width_pt, most), fontsize=NOTE_SIZE)


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


#: The most lines a panel's title takes; a longer statement ends with "…" (the claims table has it whole).
TITLE_LINES = 6


def _title_lines(text: str, width_pt: float, size: float, lines: int = TITLE_LINES) -> str:
    """``text`` wrapped to ``width_pt``, at most ``lines`` lines, the last ending with "…" if cut."""
    wrapped = wrap_to_width(text, width_pt, size).split("\n")
    if len(wrapped) <= lines:
        return "\n".join(wrapped)
    return "\n".join(wrapped[:lines - 1] + [shorten(" ".join(wrapped[lines - 1:]), width_pt, size)])


def robustness_panels(claims: list[str], levels: pd.DataFrame, kinds: Mapping[str, str] | None):
    """Which claims get a panel and which reference levels are drawn, from the claims' kinds.

    A claim that does not depend on the scores (kind ``chain``) holds or fails in every draw of every
    model: no panel. The ordinal model keeps the published order of all forces, so a claim about the
    order (:data:`ORDER_KINDS`) keeps its published truth in every draw: its level is constant by
    construction, not a finding, and is left out. Without ``kinds`` everything is drawn.

    Returns
    -------
    (claims with a panel, levels to draw, claims left out, whether ordinal levels were left out)
    """
    if kinds is None:
        return claims, levels, [], False
    shown = [c for c in claims if kinds.get(c) != "chain"]
    left_out = [c for c in claims if kinds.get(c) == "chain"]
    constant = (levels["model"] == "ordinal") & levels["claim"].map(lambda c: kinds.get(c) in ORDER_KINDS)
    return shown, levels[~constant & levels["claim"].isin(shown)], left_out, bool(constant[levels["claim"].isin(shown)].any())


@styled
def plot_robustness_curves(curves: pd.DataFrame, reference_levels: pd.DataFrame | None = None, *,
                           statements: Mapping[str, str] | None = None, published: Mapping[str, bool] | None = None,
                           kinds: Mapping[str, str] | None = None, noise: str = "", scores_published: bool = True,
                           fig=None, lang: str = "ru"):
    """P(claim holds) against the noise half-width h: one small panel per claim that depends on the scores.

    Parameters
    ----------
    curves
        Columns model, half_width, claim, p_holds, p_holds_low, p_holds_high: the noise models that
        depend on h; each is a line with a band of its 95 % intervals.
    reference_levels
        Columns model, claim, p_holds: the models without a width, drawn as horizontal levels (each
        model its own dash pattern), their values written in the panel's margin.
    statements
        Claim id -> statement, for the panels' titles (the id alone where missing).
    published
        Claim id -> whether it holds at the analysis's scores, marked at h = 0 (where every draw is
        those scores).
    kinds
        Claim id -> kind: claims that do not depend on the scores get no panel, and levels constant
        by construction are left out (:func:`robustness_panels`); the figure's note says which.
    noise
        The noise the curves were drawn with (:func:`noise_text`), stated under the legend.
    scores_published
        Whether the analysis's scores are published ones (the paper's) or the user's own: the words
        of the h = 0 mark.
    fig
        A figure to draw on (a new one if None); it should use constrained layout.

    Returns
    -------
    The Figure.
    """
    reference_levels = reference_levels if reference_levels is not None else pd.DataFrame(
        columns=["model", "claim", "p_holds"])
    statements, published = dict(statements or {}), dict(published or {})
    every_claim = list(dict.fromkeys(list(curves["claim"]) + list(reference_levels["claim"])))
    claims, reference_levels, left_out, ordinal_left_out = robustness_panels(every_claim, reference_levels, kinds)
    curves = curves[curves["claim"].isin(claims)]
    n_rows, n_cols = _grid(max(len(claims), 1))
    new = fig is None
    width = TEXT_WIDTH if new else fig.get_figwidth()
    # Titles wrapped to an estimate of the panels' width (the layout gives the exact one later).
    title_width = (width - 0.9) / n_cols - 0.45
    notes = _robustness_notes(left_out, ordinal_left_out, statements, noise, lang)
    note_lines = sum(wrap_to_width(n, width * 72 - 20, NOTE_SIZE).count("\n") + 1 for n in notes)
    # Titles of at most TITLE_LINES lines, fewer where the panels would not fit a page (240 mm).
    for lines in range(TITLE_LINES, 1, -1):
        titles = [_title_lines(_claim_title(c, statements), title_width * 72, PANEL_TITLE_SIZE, lines) for c in claims]
        # Each row as tall as its longest title needs, above a plot of 1.3 inches; the legend and
        # the notes below as tall as their lines.
        title_in = [max([t.count("\n") + 1 for t in titles[r * n_cols:(r + 1) * n_cols]] or [1]) * PANEL_TITLE_SIZE * 1.25 / 72
                    for r in range(n_rows)]
        height = sum(1.45 + t for t in title_in) + 1.25 + note_lines * NOTE_SIZE * 1.3 / 72
        if height <= MAX_HEIGHT:
            break
    if new:
        fig = new_plot_figure(width, min(height, MAX_HEIGHT))
    axes = fig.subplots(n_rows, n_cols, sharex=True, sharey=True, squeeze=False)
    h_max = float(curves["half_width"].max()) if len(curves) else 1.0
    level_texts = {}
    for k, ax in enumerate(axes.flat):
        if k >= len(claims):
            ax.set_axis_off()
            continue
        claim = claims[k]
        level_texts[ax] = _robustness_panel(ax, curves[curves["claim"] == claim],
                                            reference_levels[reference_levels["claim"] == claim],
                                            published.get(claim), h_max, lang)
        title = ax.set_title(titles[k], fontsize=PANEL_TITLE_SIZE)
        record_box(title, axes_column_box(ax), "panel title")
        if k % n_cols == 0:
            ax.set_ylabel(label("p_holds", lang), fontsize=LABEL_SIZE)
        if k >= len(claims) - n_cols:
            ax.set_xlabel(label("half_width", lang), fontsize=LABEL_SIZE)
            ax.xaxis.set_tick_params(labelbottom=True)
    _robustness_legend(fig, curves, reference_levels, bool(published), notes, scores_published, lang)
    suptitle = fig.suptitle(wrap_to_width(label("robustness_title", lang), fig.get_figwidth() * 72 - 20, TITLE_SIZE),
                            fontsize=TITLE_SIZE)
    record_box(suptitle, fig.bbox, "title")
    if new:
        freeze_layout(fig)
        # A title wider than the panel the layout made: wrap it to that width and lay out again (rare).
        renderer = fig.canvas.get_renderer()
        wide = [(k, ax) for k, ax in enumerate(axes.flat[:len(claims)])
                if ax.title.get_window_extent(renderer).width > ax.bbox.width + 0.5]
        if wide:
            for k, ax in wide:
                width_pt = ax.bbox.width * 72 / fig.dpi
                ax.set_title(_title_lines(_claim_title(claims[k], statements), width_pt, PANEL_TITLE_SIZE, lines),
                             fontsize=PANEL_TITLE_SIZE)
            fig.set_layout_engine("constrained")
            fig.get_layout_engine().set(w_pad=0.06, h_pad=0.06)
            freeze_layout(fig)
        for ax, texts in level_texts.items():  # the panels' heights are now final
            _spread_level_labels(ax, texts)
    return fig


def _robustness_notes(left_out: list[str], ordinal_left_out: bool, statements: Mapping[str, str], noise: str,
                      lang: str) -> list[str]:
    """What the robustness figure says under its legend: the noise, and what it leaves out and why."""
    notes = [noise] if noise else []
    if left_out:
        names = "; ".join(f"«{_claim_title(c, statements)}»" if lang == "ru" else f"“{_claim_title(c, statements)}”"
                          for c in left_out)
        notes.append(label("robustness_left_out", lang, claims=names))
    if ordinal_left_out:
        notes.append(label("robustness_ordinal_left_out", lang))
    return notes


def _robustness_legend(fig, curves: pd.DataFrame, levels: pd.DataFrame, published: bool, notes: list[str],
                       scores_published: bool, lang: str):
    handles = [Line2D([], [], **_model_line(m), ms=3.5, lw=1.4, label=_model_name(m, lang))
               for m in dict.fromkeys(curves["model"])]
    if len(curves):
        handles.append(Patch(color=OTHER_COLOUR, alpha=0.2, label=label("band_interval", lang)))
    handles += [Line2D([], [], color=_model_style(m)["color"], ls=_model_style(m)["ls"], lw=1.2,
                       label=_model_name(m, lang)) for m in dict.fromkeys(levels["model"])]
    if published:
        handles.append(Line2D([], [], color="black", marker="o", mfc="white", ls="", ms=5,
                              label=label("at_published" if scores_published else "at_your_scores", lang)))
    title = "\n".join(wrap_to_width(n, fig.get_figwidth() * 72 - 20, NOTE_SIZE) for n in notes) or None
    if handles or title:
        # As many columns as the longest entry allows across the figure (a handle and padding about 40 pt).
        widest = max([text_width(h.get_label(), LABEL_SIZE - 0.5) for h in handles] or [0]) + 40
        ncols = max(1, min(len(handles), 3, int((fig.get_figwidth() * 72 - 20) // widest)))
        legend = fig.legend(handles=handles, loc="outside lower center", ncols=ncols,
                            fontsize=LABEL_SIZE - 0.5, frameon=False, title=title, title_fontsize=NOTE_SIZE)
        legend._legend_box.align = "center"
        for text in [*legend.get_texts(), legend.get_title()]:
            record_box(text, fig.bbox, "legend")


def _model_style(model: str) -> dict:
    return MODEL_STYLES.get(model, OTHER_STYLE)


def _model_line(model: str) -> dict:
    """A curve's colour, dash pattern and marker."""
    style = _model_style(model)
    return {"color": style["color"], "ls": style["ls"], "marker": style["marker"]}


def _robustness_panel(ax, curves: pd.DataFrame, levels: pd.DataFrame, holds: bool | None, h_max: float,
                      lang: str = "ru"):
    ax.set_ylim(-0.04, 1.04)
    ax.set_xlim(-0.02 * h_max, h_max * 1.04)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1])
    localise_ticks(ax, lang)
    ax.grid(color="#e6e6e6", lw=0.5)
    ax.tick_params(labelsize=TICK_SIZE)
    for model, g in curves.groupby("model", sort=False):
        g = g.sort_values("half_width")
        style = _model_line(model)
        ax.fill_between(g["half_width"], g["p_holds_low"], g["p_holds_high"], color=style["color"], alpha=0.2, lw=0)
        ax.plot(g["half_width"], g["p_holds"], lw=1.4, ms=3.5, zorder=3, **style)
        if holds is not None:  # at h = 0 every draw is the analysis's scores
            ax.plot([0, g["half_width"].iloc[0]], [float(holds), g["p_holds"].iloc[0]], color=style["color"], lw=0.9, ls=":")
    if holds is not None:
        ax.plot([0], [float(holds)], marker="o", mfc="white", color="black", ms=5, zorder=4, clip_on=False)
    if levels.empty:
        return []
    levels = levels.sort_values("p_holds", kind="stable")
    # The levels' values sit in the panel's right margin, spread apart where levels are close
    # (see _spread_level_labels, run again once the layout has set the panel's height).
    to_axes = blended_transform_factory(ax.transAxes, ax.transData)
    texts = []
    for level in levels.itertuples():
        style = _model_style(level.model)
        ax.axhline(level.p_holds, color=style["color"], ls=style["ls"], lw=1.2, zorder=2)
        interval = (level.p_holds_low, level.p_holds_high) if hasattr(level, "p_holds_high") else None
        text = ax.annotate(cell_text(level.p_holds, lang, interval), xy=(1, level.p_holds), xycoords=to_axes,
                           xytext=(1.04, level.p_holds), textcoords=to_axes, fontsize=NOTE_SIZE - 0.5,
                           color=style["color"], va="center", ha="left", annotation_clip=False,
                           arrowprops=dict(arrowstyle="-", color=style["color"], lw=0.6, shrinkA=0, shrinkB=0))
        record_box(text, ax.figure.bbox, "reference level")
        texts.append(text)
    _spread_level_labels(ax, texts)
    return texts


def _spread_level_labels(ax, texts: list) -> None:
    """Move the reference levels' labels (ascending) at least one line of their text apart, the line
    measured in the panel's data units from the panel's height as it stands; a leader line joins a
    moved label to its level."""
    if not texts:
        return
    height_in = ax.get_position().height * ax.figure.get_figheight()
    low, high = ax.get_ylim()
    line_in = texts[0].get_fontsize() * 1.3 / 72  # a line of the labels' type, with its leading
    gap = line_in / max(height_in, 1e-9) * (high - low)
    spots = _spread([t.xy[1] for t in texts], gap, low, high)
    for text, spot in zip(texts, spots):
        text.xyann = (1.04, spot)
        text.arrow_patch.set_visible(abs(spot - text.xy[1]) > 1e-9)


# ---------------------------------------------------------------- break-even
#: The most lines a claim's entry in the break-even legend takes; a longer statement ends with "…".
LEGEND_LINES = 3
#: How far apart (in rows) markers of claims that flip a row at the same score are drawn.
COINCIDING_STEP = 0.3  # a row is about 19 pt tall, a marker 5 pt


def _coinciding_offsets(reachable: pd.DataFrame, claims: list[str]) -> dict[tuple[str, str], float]:
    """(claim, force) -> the vertical offset of its marker within the force's row: claims flipping a
    force at the same score would hide each other's markers, so they are stacked a fixed step apart,
    centred on the row (in the legend's order), the step narrowed so that they stay inside the row."""
    order = {c: k for k, c in enumerate(claims)}
    offsets = {}
    for _, same in reachable.groupby([reachable["force"], reachable["flips_at"].round(9)], sort=False):
        ids = sorted(same["claim"], key=order.__getitem__)
        step = min(COINCIDING_STEP, 0.8 / max(len(ids) - 1, 1))
        for k, claim in enumerate(ids):
            # Row 0 is drawn at the bottom: the first claim goes on top.
            offsets[(claim, same["force"].iloc[0])] = ((len(ids) - 1) / 2 - k) * step
    return offsets


@styled
def plot_break_even(break_even: pd.DataFrame, forces: pd.DataFrame, scale, *, statements: Mapping[str, str] | None = None,
                    ax=None, lang: str = "ru", scores_published: bool = True):
    """The break-even chart: for each force (rows, by side, then by score), its score, the score at
    which each claim it bears on would flip with that one score moved (the others as they are), and
    the scale behind them, so the room left on the scale reads at a glance.

    Parameters
    ----------
    break_even
        The single-score break-even table (:func:`repro.methods.sensitivity.break_even`): claim,
        force, holds, change_needed, flips_at (NaN where no change of that score within the scale
        changes the claim).
    forces
        Rows with id, direction, score, text (and text_en).
    scale
        The declared scale (``.minimum``, ``.maximum``).
    statements
        Claim id -> statement, for the legend.
    scores_published
        Whether the scores are published ones (the paper's) or the user's own: the words of the legend.

    Returns the axes.
    """
    statements = dict(statements or {})
    order = side_order(forces)
    n = len(order)
    reachable = break_even.dropna(subset=["flips_at"])
    claims = [c for c in dict.fromkeys(break_even["claim"]) if c in set(reachable["claim"])]
    # Each claim's entry wraps to at most LEGEND_LINES lines at a legend column's width (two columns
    # across the figure, less a handle and the gap between columns).
    column_pt = (TEXT_WIDTH * 72 - 20) / 2 - (matplotlib.rcParams["legend.handlelength"]
                                              + matplotlib.rcParams["legend.handletextpad"]
                                              + matplotlib.rcParams["legend.columnspacing"]) * NOTE_SIZE - 4
    entries = {c: _title_lines(_claim_title(c, statements), column_pt, NOTE_SIZE, LEGEND_LINES) for c in claims}
    lines = [1, 1, 1] + [entries[c].count("\n") + 1 for c in claims]  # the three fixed entries, then the claims
    legend_lines = sum(max(lines[r:r + 2]) for r in range(0, len(lines), 2))
    ax, new = _plot_axes(ax, TEXT_WIDTH, 1.15 + 0.26 * n + legend_lines * NOTE_SIZE * 1.5 / 72)
    y = {force_id: n - 1 - k for k, force_id in enumerate(order)}
    score = dict(zip(forces["id"], forces["score"].astype(float)))
    direction = dict(zip(forces["id"], forces["direction"]))
    # The scale behind every row: the room a score has, up and down.
    ax.hlines(list(y.values()), scale.minimum, scale.maximum, color="#d9d9d9", lw=5.5, zorder=1)
    handles = []
    offsets = _coinciding_offsets(reachable[reachable["force"].isin(list(y))], claims)
    for k, claim in enumerate(claims):
        marker = MARKERS[k % len(MARKERS)]
        rows = reachable[reachable["claim"] == claim]
        for row in rows.itertuples():
            yi = y.get(row.force)
            if yi is None:
                continue
            ax.plot([score[row.force], row.flips_at], [yi, yi], color="#4d4d4d", lw=0.9, zorder=2)
            ax.plot([row.flips_at], [yi + offsets[(row.claim, row.force)]], marker=marker, ms=5, mfc="white", mec="black",
                    mew=1.0, ls="", zorder=4)
        handles.append(Line2D([], [], marker=marker, ms=5, mfc="white", mec="black", mew=1.0, ls="", label=entries[claim]))
    for force_id, yi in y.items():
        colour = DRIVING_COLOUR if direction[force_id] == "driving" else RESTRAINING_COLOUR
        ax.plot([score[force_id]], [yi], marker="o", ms=6.5, color=colour, mec="black", mew=0.6, ls="", zorder=5)
    sides = [direction[i] for i in order]
    for k in range(1, n):
        if sides[k] != sides[k - 1]:
            ax.axhline(n - k - 0.5, color="#555555", lw=0.8)
    names = row_names(forces, lang)
    ax.set_yticks(list(y.values()), [names[i] for i in y])
    pad = 0.04 * (scale.maximum - scale.minimum)
    ax.set_xlim(scale.minimum - pad, scale.maximum + pad)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlabel(label("score_axis", lang), fontsize=LABEL_SIZE)
    localise_ticks(ax, lang, y=False)
    ax.grid(axis="x", color="#eeeeee", lw=0.5)
    ax.set_axisbelow(True)
    words = "your_score" if not scores_published else "published_score"
    handles = [Line2D([], [], marker="o", ms=6.5, color=DRIVING_COLOUR, mec="black", mew=0.6, ls="",
                      label=label(f"{words}_driving", lang)),
               Line2D([], [], marker="o", ms=6.5, color=RESTRAINING_COLOUR, mec="black", mew=0.6, ls="",
                      label=label(f"{words}_restraining", lang)),
               Line2D([], [], color="#d9d9d9", lw=5.5, label=label("room_on_scale", lang, scale=format_scale(scale, lang))),
               *handles]
    _legend_under(ax, new, handles, 2)
    title = label("break_even_title", lang)
    if not claims:
        title += "\n" + label("break_even_none", lang)
    _wrapped_title(ax, title)
    return _done(ax, new)


def _wrapped_title(ax, text: str):
    """A title wrapped to the figure's width (the axes' final width is known only after layout),
    centred on the figure (long row names move the axes right: a title centred on them would run
    off the canvas)."""
    width_pt = ax.figure.get_figwidth() * 72 - 30
    lines = [wrap_to_width(part, width_pt, TITLE_SIZE) for part in text.split("\n")]
    if len(ax.figure.axes) == 1:
        title = ax.figure.suptitle("\n".join(lines), fontsize=TITLE_SIZE)
    else:  # a panel of the caller's figure
        title = ax.set_title("\n".join(lines), fontsize=TITLE_SIZE, loc="center", pad=8)
    record_box(title, ax.figure.bbox, "title")


def _with_noise(title: str, noise: str) -> str:
    return f"{title}\n{noise}" if noise else title


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
def plot_net_histogram(histogram, published_net: float, ax=None, lang: str = "ru", *, noise: str = "",
                       scores_published: bool = True):
    """The net force (driving minus restraining) over the draws, from the Monte Carlo's counts: the
    analysis's net marked, a line at 0, and how often each side wins and how often they tie (each with
    its 95 % interval, or the bound of it at 0 or 1) in the legend under the plot (bars coloured by the
    side that wins; ties, left out of the bins, a grey bar at 0). An outcome no draw had has no entry.

    Parameters
    ----------
    histogram
        A :class:`repro.methods.montecarlo.NetHistogram` (edges, counts, driving_wins,
        restraining_wins, ties, shares()).
    noise
        The noise the draws were made with (:func:`noise_text`), stated under the title.
    scores_published
        Whether the scores are published ones (the paper's) or the user's own.

    Returns the axes.
    """
    ax, new = _plot_axes(ax, TEXT_WIDTH, 3.9)
    n = histogram.draws
    edges, counts = _merged_bins(np.asarray(histogram.edges), np.asarray(histogram.counts))
    bars = ax.bar(edges[:-1], counts, width=np.diff(edges), align="edge", color=OTHER_COLOUR, edgecolor="white", lw=0.3)
    for patch, left, right in zip(bars, edges[:-1], edges[1:]):
        centre = (left + right) / 2
        patch.set_facecolor(DRIVING_COLOUR if centre > 0 else RESTRAINING_COLOUR if centre < 0 else TIE_COLOUR)
    if histogram.ties:  # a bar of its own, centred on 0 (the line at 0 runs through it)
        ax.bar([0], [histogram.ties], width=edges[1] - edges[0], color=TIE_COLOUR, edgecolor="white", lw=0.3, zorder=2)
    ax.axvline(0, color="black", lw=1.3, zorder=3)
    ax.axvline(published_net, color="#222222", lw=1.1, ls="--", zorder=3)
    shares = histogram.shares().set_index("outcome") if n else None
    counts_of = {"driving_wins": histogram.driving_wins, "restraining_wins": histogram.restraining_wins,
                 "tie": histogram.ties}
    handles = []
    for colour, key, outcome in ((DRIVING_COLOUR, "p_driving_wins", "driving_wins"),
                                 (RESTRAINING_COLOUR, "p_restraining_wins", "restraining_wins"),
                                 (TIE_COLOUR, "p_tie", "tie")):
        if not n or not counts_of[outcome]:
            continue  # an outcome no draw had: nothing to show, so no entry
        row = shares.loc[outcome]
        handles.append(Patch(color=colour, label=probability_text(label(key, lang), row["p"], row["p_low"],
                                                                  row["p_high"], lang)))
    absent = [label(outcome, lang) for outcome in ("driving_wins", "restraining_wins", "tie") if n and not counts_of[outcome]]
    handles += [Line2D([], [], color="black", lw=1.3, label=label("zero_line", lang)),
                Line2D([], [], color="#222222", lw=1.1, ls="--",
                       label=label("published_net" if scores_published else "your_net", lang,
                                   net=_signed(published_net, lang)))]
    ax.set_ylim(0, max(counts.max() if len(counts) else 1, histogram.ties, 1) * 1.08)
    ax.set_xlabel(label("net_axis", lang), fontsize=LABEL_SIZE)
    ax.set_ylabel(label("draws", lang), fontsize=LABEL_SIZE)
    localise_ticks(ax, lang)
    # Under the axes (they span the figure: no row names move them), columns as the widths allow.
    width_pt = ax.get_position().width * ax.figure.get_figwidth() * 72
    legend = _legend_below(ax, handles=handles, ncols=_legend_columns(handles, NOTE_SIZE, width_pt, 2), fontsize=NOTE_SIZE)
    if absent:  # said once, under the entries, instead of an entry with nothing behind it
        legend.set_title(wrap_to_width(label("never_drawn", lang, outcomes="; ".join(absent)),
                                       ax.figure.get_figwidth() * 72 - 40, NOTE_SIZE), prop={"size": NOTE_SIZE})
        legend._legend_box.align = "center"
    _wrapped_title(ax, _with_noise(label("net_title", lang, n=format_number(n, lang)), noise))
    return _done(ax, new)


# ---------------------------------------------------------------- convergence
@styled
def plot_convergence(convergence: pd.DataFrame, ax=None, lang: str = "ru", statements: Mapping[str, str] | None = None,
                     *, noise: str = ""):
    """Each claim's running estimate of P(holds) against the number of draws (logarithmic), with its
    95 % interval as a band: an estimate that has settled inside a narrow band needs no more draws.
    Claims whose estimates agree at every checkpoint share one line, labelled with all of them. The
    lines differ by marker as well as colour.

    Parameters
    ----------
    convergence
        Columns draws, claim, p_holds, p_holds_low, p_holds_high (the Monte Carlo's checkpoints).
    statements
        Claim id -> statement, for the legend (the id alone where missing).
    noise
        The noise the draws were made with (:func:`noise_text`), stated under the title.

    Returns the axes.
    """
    statements = dict(statements or {})
    groups: dict[tuple, list[str]] = {}
    for claim, g in convergence.groupby("claim", sort=False):
        groups.setdefault(tuple(g.sort_values("draws")["p_holds"].round(12)), []).append(claim)
    entry_width = TEXT_WIDTH * 72 - 70
    names = [_title_lines("; ".join(_claim_title(c, statements) for c in claims), entry_width, NOTE_SIZE, 2)
             for claims in groups.values()]
    lines = sum(name.count("\n") + 1 for name in names) + 1
    ax, new = _plot_axes(ax, TEXT_WIDTH, 3.0 + lines * NOTE_SIZE * 1.45 / 72)
    # Claims with the same running estimate at every checkpoint (those that hold in every draw) would
    # hide one another: one line for them, labelled with all their statements.
    colours = matplotlib.colormaps["tab10"]
    for k, (claims, name) in enumerate(zip(groups.values(), names)):
        g = convergence[convergence["claim"] == claims[0]].sort_values("draws")
        colour = colours(k % 10)
        ax.fill_between(g["draws"], g["p_holds_low"], g["p_holds_high"], color=colour, alpha=0.18, lw=0)
        ax.plot(g["draws"], g["p_holds"], color=colour, lw=1.3, marker=MARKERS[k % len(MARKERS)], ms=3.5, label=name)
    ax.set_xscale("log")
    # Whole numbers of draws as plain text: the log scale's default labels are mathtext ("10^{3}"), and
    # the package draws every text with mathtext off (so that a user's "$5" stays "$5").
    ax.xaxis.set_major_formatter(tick_formatter(lang, decimals=0))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_ylim(-0.04, 1.04)
    ax.grid(color="#e6e6e6", lw=0.5)
    ax.set_xlabel(label("draws", lang), fontsize=LABEL_SIZE)
    ax.set_ylabel(label("p_holds", lang), fontsize=LABEL_SIZE)
    localise_ticks(ax, lang, x=False)
    handles = ax.get_legend_handles_labels()[0] + [Patch(color=OTHER_COLOUR, alpha=0.2, label=label("band_interval", lang))]
    _legend_below(ax, handles=handles, ncols=1, fontsize=NOTE_SIZE)
    _wrapped_title(ax, _with_noise(label("convergence_title", lang), noise))
    return _done(ax, new)


# ---------------------------------------------------------------- ranks, drop one
def cell_text(p: float, lang: str, interval: tuple[float, float] | None = None, decimals: int = 2) -> str:
    """A probability in a table's cell, to ``decimals`` places; where that would print 0 or 1 and its
    ``interval`` (low, high) is known, the bound the interval gives instead ("< 0,01", "> 0,99", rounded
    outwards so that it stays true): a share of 0 in 100 draws is not a probability of 0."""
    step = 10 ** decimals
    if interval is not None and round(p * step) in (0, step) and 0 <= p <= 1:
        low, high = interval
        if round(p * step) == 0:
            return f"< {format_number(max(math.ceil(high * step), 1) / step, lang, decimals)}"
        return f"> {format_number(min(math.floor(low * step), step - 1) / step, lang, decimals)}"
    return format_number(p, lang, decimals)


@styled
def plot_rank_heatmap(acceptability: pd.DataFrame, ax=None, lang: str = "ru", forces: pd.DataFrame | None = None,
                      *, noise: str = "", intervals: pd.DataFrame | None = None):
    """Rank acceptability (SMAA-2): the probability that each force holds each place within its side
    (rows: forces, by side and then by score, named by id and a short text; columns: places). Places a
    side does not have are grey; given ``forces`` (id, direction, score, text), a line separates the sides.
    Given ``intervals`` (the long rank table: id, place, p_low, p_high), a cell that would print 0 or 1
    prints the bound its interval gives (:func:`cell_text`).

    Returns the axes.
    """
    bounds = ({} if intervals is None else
              {(i, int(place)): (low, high) for i, place, low, high in
               zip(intervals["id"], intervals["place"], intervals["p_low"], intervals["p_high"])})
    if forces is not None:
        order = [i for i in side_order(forces) if i in acceptability.index]
        acceptability = acceptability.loc[order + [i for i in acceptability.index if i not in order]]
        names = row_names(forces, lang, width_pt=130)
    else:
        names = {}
    values = acceptability.to_numpy(dtype=float)
    n_rows, n_cols = values.shape
    ax, new = _plot_axes(ax, min(TEXT_WIDTH, 2.6 + 0.7 * n_cols), 1.3 + 0.27 * n_rows)
    ax.imshow(np.ma.masked_invalid(values), cmap="Blues", vmin=0, vmax=1, aspect="auto")
    ax.set_facecolor("#eeeeee")
    for (i, j), v in np.ndenumerate(values):
        if not np.isnan(v):
            ax.text(j, i, cell_text(v, lang, bounds.get((acceptability.index[i], j + 1))), ha="center", va="center",
                    fontsize=TICK_SIZE,
                    color="white" if v > 0.6 else "black")
    ax.set_xticks(range(n_cols), [f"{label('rank', lang)} {j + 1}" for j in range(n_cols)])
    ax.set_yticks(range(n_rows), [names.get(i, str(i)) for i in acceptability.index])
    if forces is not None:
        direction = dict(zip(forces["id"], forces["direction"]))
        sides = [direction.get(i) for i in acceptability.index]
        for i in range(1, n_rows):
            if sides[i] != sides[i - 1]:
                ax.axhline(i - 0.5, color="black", lw=1.5)
    ax.tick_params(length=0)
    _wrapped_title(ax, _with_noise(label("rank_title", lang), noise))
    return _done(ax, new)


@styled
def plot_drop_one(drop: pd.DataFrame, ax=None, lang: str = "ru", published_net: float | None = None, *,
                  forces: pd.DataFrame | None = None, scores_published: bool = True):
    """The net force with each force left out in turn; the colour and the marker tell which side wins.
    Rows are named "without D1 · its short text" where ``forces`` gives the texts.

    Returns the axes.
    """
    ax, new = _plot_axes(ax, TEXT_WIDTH, 1.5 + 0.26 * len(drop))
    net = drop["net"].to_numpy(dtype=float)
    outcome = np.where(net > TIE_TOLERANCE, "driving_wins", np.where(net < -TIE_TOLERANCE, "restraining_wins", "tie"))
    styles = {"driving_wins": (DRIVING_COLOUR, ">"), "restraining_wins": (RESTRAINING_COLOUR, "<"), "tie": (TIE_COLOUR, "o")}
    y = np.arange(len(drop))[::-1]
    for key, (colour, marker) in styles.items():
        chosen = outcome == key
        if chosen.any():
            ax.hlines(y[chosen], 0, net[chosen], color=colour, lw=1.2)
            ax.scatter(net[chosen], y[chosen], color=colour, marker=marker, s=45, edgecolors="black", linewidths=0.5,
                       zorder=3)
    ax.axvline(0, color="black", lw=1.2)
    if published_net is not None:
        ax.axvline(published_net, color="#444444", lw=1, ls="--")
        ax.annotate(label("published_net" if scores_published else "your_net", lang, net=_signed(published_net, lang)),
                    xy=(published_net, 1), xycoords=("data", "axes fraction"), xytext=(0, 3), textcoords="offset points",
                    ha="center", va="bottom", fontsize=NOTE_SIZE, color="#333333")
    prefix = {d: label("without", lang, id=d) for d in drop["dropped"]}
    names = row_names(forces, lang, prefix=prefix) if forces is not None else prefix
    ax.set_yticks(y, [names.get(d, prefix[d]) for d in drop["dropped"]])
    ax.set_xlabel(label("net_axis", lang), fontsize=LABEL_SIZE)
    span = max(np.abs(net).max() if len(net) else 1, abs(published_net or 0), 1e-9)
    ax.set_xlim(-1.15 * span, 1.15 * span)
    localise_ticks(ax, lang, y=False)
    handles = [Line2D([], [], color=colour, marker=marker, mec="black", mew=0.5, ls="", label=label(key, lang))
               for key, (colour, marker) in styles.items() if (outcome == key).any()]
    _legend_under(ax, new, handles, 3)
    ax.grid(axis="x", color="#eeeeee", lw=0.5)
    _wrapped_title(ax, label("drop_title", lang))
    return _done(ax, new)
