"""The force-field diagram (Table 2).

A central vertical line is the present state. Driving forces come from the left with arrows
pointing right, restraining forces from the right with arrows pointing left; arrow length is
proportional to the score on one shared axis (the declared scale), and the score is printed on
the arrow (beside it, where the arrow is too short to hold it). The proposed changes are named by
their ids in a narrow column beside the rows they stand in (their texts are long: they stand in the
numbered table beside the figure, in the report and the notebook); totals and the net are written
below, and, where the sides have different numbers of forces, the mean-score verdict beside the sum
rule's, saying when they disagree.

Drawn at the printed size: the full text width (180 mm), no type under 7 pt. The two sides' colours
differ in lightness by 30 L*, so they stay apart in greyscale and for every colour vision.

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

from repro.figures.common import (CANVAS_MARGIN, INK, MAX_HEIGHT, MIN_SIZE, TextRole, box_height, cut_to_lines,
                                  new_figure, styled, text_width)
from repro.i18n import format_number
from repro.labels import item_text, label
from repro.methods.force_field import balance, mean_rule_text

#: The sides' colours: a dark blue (L* 32) and a light orange (L* 62), 30 L* apart.
DRIVING_COLOUR = "#1f4e79"
RESTRAINING_COLOUR = "#e07b39"
#: Text in each side's colour (headings), dark enough to read in print.
DRIVING_INK = "#1f4e79"
RESTRAINING_INK = "#9a4310"
#: What a score written on an arrow is set in: white on the dark arrow, ink on the light one.
SCORE_ON = {-1: "white", 1: INK}
#: A tie: a light grey, lighter than both sides.
TIE_COLOUR = "#bdbdbd"

# Layout in inches: the full text width, less the canvas's margins.
LABEL_W = 1.68  # a side's column of force texts
ARROWS_W = 1.5  # a side's arrows, from the centre line to the scale's top
CHANGE_W = 0.5  # the column of the proposed changes' ids
GAP = 0.06
MARGIN = 0.02
HEADING_H = 0.3
TICKS_H = 0.18
FOOTER_H = 0.84  # present state, totals (up to two lines), verdict
LINE_H = 0.2  # one more line of the footer (the mean rule, a note)
ITEM_SIZE = 8.0
MIN_ROW = 0.36  # an arrow needs this much height
BODY = 0.16  # arrow body thickness (inches)
HEAD = 0.28  # arrow head width
SCORE_SIZE = 7.5
NOTE_SIZE = 7.5


#: Room (inches) the headings, the ticks and the footer take at most, beside the rows.
ROOM = HEADING_H + TICKS_H + FOOTER_H + 6 * LINE_H + 2 * MARGIN
#: The lines a force's text keeps where the full texts would not fit a page even at 7 pt.
CUT_LINES = 3


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
                 ax=None, lang: str = "ru", sort: bool = False, whiskers: pd.DataFrame | None = None,
                 note: str | None = None):
        self.lang, self.scale_max, self.note = lang, float(scale_max), note
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
        self.change_ids = [str(c) for c in self.changes["id"]] if self.changes is not None else []
        n_rows = max(len(self.driving), len(self.restraining), len(self.change_ids), 1)
        # The largest items' size at which the rows fit a page; where none does, texts cut to three lines.
        for self.item_size in (ITEM_SIZE, 7.5, MIN_SIZE):
            self.rows = self._rows(n_rows)
            if sum(self.rows) <= MAX_HEIGHT - 2 * CANVAS_MARGIN - ROOM:
                break
        else:
            # (the box's width less the role's padding and slack, with a little to spare)
            width_pt = (LABEL_W * 72 - 2 * 4.0 - 1.5) * 0.96
            self.driving_texts = [cut_to_lines(t, width_pt, MIN_SIZE, CUT_LINES) for t in self.driving_texts]
            self.restraining_texts = [cut_to_lines(t, width_pt, MIN_SIZE, CUT_LINES) for t in self.restraining_texts]
            self.rows = self._rows(n_rows)
        self.x_centre = MARGIN + LABEL_W + ARROWS_W
        self.unit = ARROWS_W / max(self.scale_max, 1e-9)  # inches per score point
        self.x_changes = self.x_centre + ARROWS_W + LABEL_W + GAP
        self.width = self.x_changes + (CHANGE_W if self.changes is not None else GAP) + MARGIN
        # Lines under the totals: the mean rule (sides of different sizes), where the changes are, a note.
        self.mean_line = len(self.driving) != len(self.restraining) and bool(self.forces["score"].notna().all())
        self.extra_lines = [kind for kind, shown in (("mean", self.mean_line), ("changes", bool(self.change_ids)),
                                                     ("note", bool(self.note))) if shown]
        self.line_heights = {kind: self._line_height(kind) for kind in self.extra_lines}
        self.base = sum(self.line_heights.values())
        self.footer = self.base + FOOTER_H
        self.rows_top = self.footer + sum(self.rows)
        self.height = self.rows_top + TICKS_H + HEADING_H + MARGIN

    def _footer_text(self, kind: str) -> str:
        if kind == "mean":
            return mean_rule_text(self.forces, self.lang)
        if kind == "changes":
            return label("changes_in_table", self.lang, ids=", ".join(dict.fromkeys(self.change_ids)))
        return self.note or ""

    def _line_height(self, kind: str) -> float:
        """The height (inches) one of the texts under the totals needs at its size, measured; the mean
        rule's, whose numbers change with the scores, two lines at least."""
        needed = box_height(self._footer_text(kind), (self.width - 2 * MARGIN) * 72, NOTE_SIZE) / 72
        return max(needed, 2 * LINE_H if kind == "mean" else LINE_H)

    def _line_box(self, kind: str) -> tuple[float, float, float, float]:
        """The box of one of the texts under the totals."""
        k = self.extra_lines.index(kind)
        top = self.base - sum(self.line_heights[other] for other in self.extra_lines[:k])
        return MARGIN, top - self.line_heights[kind], self.width - MARGIN, top

    def _rows(self, n_rows: int) -> list[float]:
        """Each row's height (inches): as tall as its longest text needs at the items' size."""
        columns = [(self.driving_texts, LABEL_W), (self.restraining_texts, LABEL_W)]
        rows = []
        for k in range(n_rows):
            needed = [box_height(texts[k], width * 72, self.item_size) / 72 for texts, width in columns if k < len(texts)]
            rows.append(max([MIN_ROW] + needed))
        return rows

    def _row_span(self, k: int) -> tuple[float, float]:
        top = self.rows_top - sum(self.rows[:k])
        return top - self.rows[k], top

    # ------------------------------------------------------------ static parts
    def _draw_static(self):
        ax, lang = self.ax, self.lang
        headings = TextRole(ax, "heading", 9.5, weight="bold")
        items = TextRole(ax, "item", self.item_size)
        ticks = TextRole(ax, "tick", 7, pad=1, color="#333333")
        top = self.height - MARGIN
        x_left, x_right = MARGIN, self.x_centre + ARROWS_W + LABEL_W
        headings.add(label("driving", lang), (x_left, top - HEADING_H, self.x_centre - 0.05, top), color=DRIVING_INK)
        headings.add(label("restraining", lang), (self.x_centre + 0.05, top - HEADING_H, x_right, top),
                     color=RESTRAINING_INK)

        # The shared length axis: the same ticks on both sides, 0 once on the centre line.
        tick_top = self.rows_top + TICKS_H
        for value in MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]).tick_values(0, self.scale_max):
            if not 0 <= value <= self.scale_max + 1e-9:
                continue
            for sign in ((0,) if value == 0 else (-1, 1)):
                x = self.x_centre + sign * value * self.unit
                ax.plot([x, x], [self.rows_top, self.footer], color="#e3e3e3", lw=0.6, zorder=0)
                ticks.add(format_number(value, lang), (x - 0.2, self.rows_top, x + 0.2, tick_top))
        (self._centre_line,) = ax.plot([self.x_centre] * 2, [self.rows_top, self.footer - 0.04], color="#333333", lw=2,
                                       zorder=3)
        present = TextRole(ax, "present state", 7.5, color="#333333")
        present.add(label("present_state", lang), (self.x_centre - 1.0, self.footer - 0.2, self.x_centre + 1.0, self.footer - 0.03))
        lines = TextRole(ax, "note", NOTE_SIZE, color="#333333")
        for kind in ("changes", "note"):
            if kind in self.extra_lines:
                lines.add(self._footer_text(kind), self._line_box(kind))
        lines.draw()

        for texts, x0 in ((self.driving_texts, MARGIN), (self.restraining_texts, self.x_centre + ARROWS_W)):
            for k, text in enumerate(texts):
                y0, y1 = self._row_span(k)
                items.add(text, (x0, y0, x0 + LABEL_W, y1))
        change_ids = TextRole(ax, "change id", self.item_size, weight="bold", pad=2)
        for k, change_id in enumerate(self.change_ids):
            y0, y1 = self._row_span(k)
            ax.add_patch(Rectangle((self.x_changes, y0 + 0.04), CHANGE_W, y1 - y0 - 0.08, facecolor="#f2f2f2",
                                   edgecolor="#999999", lw=0.8))
            change_ids.add(change_id, (self.x_changes, y0 + 0.04, self.x_changes + CHANGE_W, y1 - 0.04))
        for role in (headings, items, ticks, present, change_ids):
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
                                             length_includes_head=True, color=colour, zorder=2))
                ends[force_id] = (sign, y, tail)
                self._score_label(scores, format_number(score, self.lang), sign, y, tail, abs(length) - head, force_id)
        if self.whiskers is not None:
            for w in self.whiskers.itertuples():
                if w.id in ends:
                    sign, y, _ = ends[w.id]
                    low, high = (self.x_centre + sign * v * self.unit for v in (w.low, w.high))
                    ax.plot([low, high], [y, y], color="black", lw=1.2, zorder=5)
                    for end in (low, high):
                        ax.plot([end] * 2, [y - 0.07, y + 0.07], color="black", lw=1.2, zorder=5)
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
            role.add(text, (x0, y - BODY / 2, x1, y + BODY / 2), color=SCORE_ON[sign], zorder=6)
            return
        start = self.x_centre + sign * (reach + 0.03)
        x0, x1 = sorted((start, start + sign * max(width, 0.35)))
        role.add(text, (x0, y - BODY, x1, y + BODY), color="#222222", zorder=6, ha="left" if sign > 0 else "right")

    def _draw_totals(self):
        ax, lang = self.ax, self.lang
        x0, x1 = MARGIN, self.width - MARGIN
        totals = TextRole(ax, "totals", 8.5, weight="bold", pad=2)
        verdict = TextRole(ax, "verdict", 8.5)
        scored = self.forces["score"].notna()
        base = self.base
        if not scored.any():
            totals.add(label("no_scores", lang), (x0, base, x1, base + 0.4))
        elif scored.all():
            b = balance(self.forces)
            parts = (f"{label('driving_total', lang)}: {format_number(b.driving_total, lang)}",
                     f"{label('restraining_total', lang)}: {format_number(b.restraining_total, lang)}",
                     f"{label('net', lang)}: {format_number(b.net, lang)}")
            # Each part as wide as its text: the net's label is the longest, and one line reads best.
            widths = [text_width(part, 8.5, "bold") + 12 for part in parts]
            left = x0
            for part, width in zip(parts, widths):
                right = left + (x1 - x0) * width / sum(widths)
                totals.add(part, (left, base + 0.2, right, base + 0.63))
                left = right
            verdict.add(label(f"verdict_{b.verdict}", lang), (x0, base, x1, base + 0.21))
            if self.mean_line:
                mean = TextRole(ax, "mean rule", NOTE_SIZE + 0.5)
                mean.add(mean_rule_text(self.forces, lang), self._line_box("mean"))
                mean.draw()
        totals.draw()
        verdict.draw()


def plot_force_field(forces: pd.DataFrame, changes: pd.DataFrame | None = None, *, scale_max: float = 5,
                     ax=None, lang: str = "ru", sort: bool = False, whiskers: pd.DataFrame | None = None,
                     note: str | None = None):
    """Draw the force field on ``ax`` (a new figure if None) and return the axes.

    Parameters
    ----------
    forces
        Rows with id, direction, score, text (and text_en).
    changes
        The proposed changes (id, text, published_row): their ids in a narrow column beside the rows
        they stand in (the texts belong in a table beside the figure), or omitted.
    scale_max
        Upper end of the declared scale: the shared length axis runs from 0 to it on each side.
    sort
        False keeps the paper's order; True sorts each side by score, strongest first, and leaves the
        changes out (they stand in the table's rows, which a ranking breaks).
    whiskers
        Optional table (id, low, high) of score intervals, e.g. the 5-95 % range of perturbed
        scores, drawn as error bars on the arrow tails.
    note
        A line written under the totals (e.g. the noise the whiskers were drawn with).
    """
    return ForceFieldPlot(forces, changes, scale_max=scale_max, ax=ax, lang=lang, sort=sort, whiskers=whiskers,
                          note=note).ax
