"""The force-field diagram (Table 2).

A central vertical line is the present state. Driving forces come from the left with arrows
pointing right, restraining forces from the right with arrows pointing left; arrow length is
proportional to the score on one shared axis (the declared scale), and the score is printed on
the arrow (beside it, where the arrow is too short to hold it). The proposed changes have their own
column; totals and the net are written below.

The layout is measured before it is drawn (the axes' data units are inches): each row is as tall as
its longest text needs at the items' type size. :class:`ForceFieldPlot` keeps the drawing, so that
new scores redraw only the arrows and the totals (the live explorer moves them many times a second).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.patches import FancyArrow, Rectangle
from matplotlib.ticker import MaxNLocator

from repro.figures.common import TextRole, box_height, new_figure, styled, text_width
from repro.i18n import format_number
from repro.labels import item_text, label
from repro.methods.force_field import balance

DRIVING_COLOUR = "#2f6f9f"
RESTRAINING_COLOUR = "#b5472f"

# Layout in inches.
LABEL_W = 2.7  # a side's column of force texts
ARROWS_W = 2.7  # a side's arrows, from the centre line to the scale's top
CHANGE_W = 3.1  # the column of proposed changes
GAP = 0.15
MARGIN = 0.1
HEADING_H = 0.45
TICKS_H = 0.25
FOOTER_H = 0.95  # present state, totals, verdict
ITEM_SIZE = 11.0
MIN_ROW = 0.6  # an arrow needs this much height
BODY = 0.24  # arrow body thickness (inches)
HEAD = 0.42  # arrow head width
SCORE_SIZE = 10.0


def _side(forces: pd.DataFrame, direction: str, sort: bool) -> pd.DataFrame:
    side = forces[forces["direction"] == direction]
    return side.sort_values("score", ascending=False, kind="stable") if sort else side


class ForceFieldPlot:
    """A drawn force field whose scores can be changed and redrawn cheaply.

    Parameters are those of :func:`plot_force_field`. The static parts (headings, texts, changes,
    the shared length axis) are drawn once; :meth:`set_scores` redraws the arrows, the scores on
    them, the whiskers and the totals.
    """

    @styled
    def __init__(self, forces: pd.DataFrame, changes: pd.DataFrame | None = None, *, scale_max: float = 5,
                 ax=None, lang: str = "ru", sort: bool = False, whiskers: pd.DataFrame | None = None):
        self.lang, self.scale_max = lang, float(scale_max)
        self.forces = forces.reset_index(drop=True).copy()
        self.whiskers = whiskers
        self.driving = _side(self.forces, "driving", sort)
        self.restraining = _side(self.forces, "restraining", sort)
        # A change stands in a row of the table beside the forces of that row; ranking the sides breaks
        # the rows, and a change drawn beside a force it does not answer would be read as its answer.
        self.changes = changes if changes is not None and len(changes) and not sort else None
        self._layout()
        if ax is None:
            _, ax = new_figure(self.width, self.height)
        self.ax = ax
        ax.set_xlim(0, self.width)
        ax.set_ylim(0, self.height)
        ax.set_axis_off()
        self._dynamic: list = []
        self._draw_static()
        self._draw_scores()

    # ------------------------------------------------------------ layout
    def _texts(self, side: pd.DataFrame) -> list[str]:
        return [f"{f.id}. {t}" for f, t in zip(side.itertuples(), item_text(side, self.lang))]

    def _layout(self):
        """Column positions and row heights (inches), measured from the texts."""
        self.driving_texts, self.restraining_texts = self._texts(self.driving), self._texts(self.restraining)
        self.change_texts = ([f"{c.id}. {t}" for c, t in zip(self.changes.itertuples(), item_text(self.changes, self.lang))]
                             if self.changes is not None else [])
        n_rows = max(len(self.driving), len(self.restraining), len(self.change_texts), 1)
        columns = [(self.driving_texts, LABEL_W), (self.restraining_texts, LABEL_W), (self.change_texts, CHANGE_W - 0.1)]
        self.rows = []
        for k in range(n_rows):
            needed = [box_height(texts[k], width * 72, ITEM_SIZE) / 72 for texts, width in columns if k < len(texts)]
            self.rows.append(max([MIN_ROW] + needed))
        self.x_centre = MARGIN + LABEL_W + ARROWS_W
        self.unit = ARROWS_W / max(self.scale_max, 1e-9)  # inches per score point
        self.x_changes = self.x_centre + ARROWS_W + LABEL_W + GAP
        self.width = self.x_changes + (CHANGE_W if self.changes is not None else 0) + MARGIN
        self.rows_top = FOOTER_H + sum(self.rows)
        self.height = self.rows_top + TICKS_H + HEADING_H + MARGIN

    def _row_span(self, k: int) -> tuple[float, float]:
        top = self.rows_top - sum(self.rows[:k])
        return top - self.rows[k], top

    # ------------------------------------------------------------ static parts
    def _draw_static(self):
        ax, lang = self.ax, self.lang
        headings = TextRole(ax, "heading", 13, weight="bold")
        items = TextRole(ax, "item", ITEM_SIZE)
        ticks = TextRole(ax, "tick", 8, pad=1, color="#777777")
        top = self.height - MARGIN
        x_left, x_right = MARGIN, self.x_centre + ARROWS_W + LABEL_W
        headings.add(label("driving", lang), (x_left, top - HEADING_H, self.x_centre - 0.05, top), color=DRIVING_COLOUR)
        headings.add(label("restraining", lang), (self.x_centre + 0.05, top - HEADING_H, x_right, top),
                     color=RESTRAINING_COLOUR)
        if self.changes is not None:
            headings.add(label("changes", lang), (self.x_changes, top - HEADING_H, self.x_changes + CHANGE_W, top))

        # The shared length axis: the same ticks on both sides, 0 once on the centre line.
        tick_top = self.rows_top + TICKS_H
        for value in MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]).tick_values(0, self.scale_max):
            if not 0 <= value <= self.scale_max + 1e-9:
                continue
            for sign in ((0,) if value == 0 else (-1, 1)):
                x = self.x_centre + sign * value * self.unit
                ax.plot([x, x], [self.rows_top, FOOTER_H], color="#e3e3e3", lw=0.6, zorder=0)
                ticks.add(format_number(value, lang), (x - 0.25, self.rows_top, x + 0.25, tick_top))
        (self._centre_line,) = ax.plot([self.x_centre] * 2, [self.rows_top, FOOTER_H - 0.08], color="#333333", lw=2.5,
                                       zorder=3)
        present = TextRole(ax, "present state", 9, color="#444444")
        present.add(label("present_state", lang), (self.x_centre - 1.2, FOOTER_H - 0.33, self.x_centre + 1.2, FOOTER_H - 0.08))

        for texts, x0 in ((self.driving_texts, MARGIN), (self.restraining_texts, self.x_centre + ARROWS_W)):
            for k, text in enumerate(texts):
                y0, y1 = self._row_span(k)
                items.add(text, (x0, y0, x0 + LABEL_W, y1))
        for k, text in enumerate(self.change_texts):
            y0, y1 = self._row_span(k)
            ax.add_patch(Rectangle((self.x_changes, y0 + 0.04), CHANGE_W, y1 - y0 - 0.08, facecolor="#f2f2f2",
                                   edgecolor="#999999", lw=0.8))
            items.add(text, (self.x_changes + 0.05, y0 + 0.04, self.x_changes + CHANGE_W - 0.05, y1 - 0.04))
        for role in (headings, items, ticks, present):
            role.draw()

    # ------------------------------------------------------------ scores
    @property
    def dynamic_artists(self) -> list:
        """The artists that change with the scores: arrows, their scores, whiskers, totals."""
        return list(self._dynamic)

    @property
    def redraw_artists(self) -> list:
        """What a partial redraw must draw over a picture of the rest, in drawing order: the
        changing artists and the present-state line, which lies on top of the arrows' tips."""
        return sorted(self._dynamic + [self._centre_line], key=lambda artist: artist.get_zorder())

    @styled
    def set_scores(self, scores: Mapping[str, float]):
        """New scores (id -> score; ids not given keep theirs): the arrows, their scores and the
        totals are redrawn, nothing else."""
        current = dict(zip(self.forces["id"], self.forces["score"].astype(float)))
        current.update({force_id: float(score) for force_id, score in scores.items()})
        self.forces["score"] = self.forces["id"].map(current)
        for side in ("driving", "restraining"):
            frame = getattr(self, side)
            setattr(self, side, frame.assign(score=frame["id"].map(current)))
        for artist in self._dynamic:
            artist.remove()
        self._dynamic = []
        self._draw_scores()

    def _draw_scores(self):
        ax = self.ax
        before = len(ax.patches), len(ax.lines), len(ax.texts)
        scores = TextRole(ax, "score", SCORE_SIZE, weight="bold", pad=2)
        ends = {}
        for side, sign, colour in ((self.driving, -1, DRIVING_COLOUR), (self.restraining, 1, RESTRAINING_COLOUR)):
            # zip, not itertuples: itertuples builds a new namedtuple class at every call, a sixth of a
            # move's cost in the live explorer.
            for k, (force_id, score) in enumerate(zip(side["id"], side["score"].astype(float))):
                if np.isnan(score):  # an analysis without scores: the forces are listed, not weighed
                    continue
                y0, y1 = self._row_span(k)
                y = (y0 + y1) / 2
                length = score * self.unit
                tail = self.x_centre + sign * length
                head = min(0.2, abs(length) * 0.5)
                if length:
                    # add_artist, not add_patch: the limits are fixed, and updating the data limits from
                    # the arrow's outline was a fifth of the explorer's cost of a move.
                    ax.add_artist(FancyArrow(tail, y, -sign * length, 0, width=BODY, head_width=HEAD, head_length=head,
                                             length_includes_head=True, color=colour, alpha=0.9, zorder=2))
                ends[force_id] = (sign, y, tail)
                self._score_label(scores, format_number(score, self.lang), sign, y, tail, abs(length) - head, force_id)
        if self.whiskers is not None:
            for w in self.whiskers.itertuples():
                if w.id in ends:
                    sign, y, _ = ends[w.id]
                    low, high = (self.x_centre + sign * v * self.unit for v in (w.low, w.high))
                    ax.plot([low, high], [y, y], color="black", lw=1.2, zorder=5)
                    for end in (low, high):
                        ax.plot([end] * 2, [y - 0.1, y + 0.1], color="black", lw=1.2, zorder=5)
        scores.draw()
        self._draw_totals()
        self._dynamic = list(ax.patches[before[0]:]) + list(ax.lines[before[1]:]) + list(ax.texts[before[2]:])

    def _score_label(self, role: TextRole, text: str, sign: int, y: float, tail: float, body: float, force_id: str):
        """The score on its arrow's body, clear of the arrow head and of the whisker; beside the
        arrow (beyond its tail and its whisker) where that part of the body is too short to hold it."""
        width = (text_width(text, SCORE_SIZE, "bold") + 2 * 2) / 72 + 0.04  # inches, with the role's padding
        reach = abs(tail - self.x_centre)  # how far from the centre line the arrow and its whisker go
        head = reach - body
        free = body  # the body's length from the head to the tail or to the whisker, whichever is nearer
        if self.whiskers is not None:
            span = self.whiskers.loc[self.whiskers["id"] == force_id, ["low", "high"]].to_numpy(dtype=float)
            if span.size:
                free = min(body, float(np.min(span)) * self.unit - head)
                reach = max(reach, float(np.max(span)) * self.unit)
        if free >= width:
            x0, x1 = sorted((self.x_centre + sign * head, self.x_centre + sign * (head + free)))
            role.add(text, (x0, y - BODY / 2, x1, y + BODY / 2), color="white", zorder=6)
            return
        start = self.x_centre + sign * (reach + 0.03)
        x0, x1 = sorted((start, start + sign * max(width, 0.45)))
        role.add(text, (x0, y - BODY, x1, y + BODY), color="#222222", zorder=6, ha="left" if sign > 0 else "right")

    def _draw_totals(self):
        ax, lang = self.ax, self.lang
        x0, x1 = MARGIN, self.width - MARGIN
        totals = TextRole(ax, "totals", 12, weight="bold")
        verdict = TextRole(ax, "verdict", 11)
        scored = self.forces["score"].notna()
        if not scored.any():
            totals.add(label("no_scores", lang), (x0, 0.35, x1, FOOTER_H - 0.35))
        elif scored.all():
            b = balance(self.forces)
            parts = (f"{label('driving_total', lang)}: {format_number(b.driving_total, lang)}",
                     f"{label('restraining_total', lang)}: {format_number(b.restraining_total, lang)}",
                     f"{label('net', lang)}: {format_number(b.net, lang)}")
            third = (x1 - x0) / 3
            for k, part in enumerate(parts):
                totals.add(part, (x0 + k * third, 0.33, x0 + (k + 1) * third, FOOTER_H - 0.33))
            verdict.add(label(f"verdict_{b.verdict}", lang), (x0, 0.02, x1, 0.35))
        totals.draw()
        verdict.draw()


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
        False keeps the paper's order; True sorts each side by score, strongest first, and leaves the
        changes out (they stand in the table's rows, which a ranking breaks).
    whiskers
        Optional table (id, low, high) of score intervals, e.g. the 5-95 % range of perturbed
        scores, drawn as error bars on the arrow tails.
    """
    return ForceFieldPlot(forces, changes, scale_max=scale_max, ax=ax, lang=lang, sort=sort, whiskers=whiskers).ax
