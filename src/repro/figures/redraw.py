"""Draw a figure again after a few of its artists changed, painting only where they changed.

A live figure (the explorer's force field) changes a handful of artists per move: one arrow, the
score on it, a total, the net. Drawing text is most of the cost of a drawing, so drawing every
changing artist again at every move is mostly wasted. :class:`PartialRedraw` keeps

- a picture of everything that never changes (drawn once), and
- the picture it made last, with what each changing artist looked like in it and where it was,

and for a new picture compares the changing artists with the last ones: only the rectangles where an
artist changed (where it was, and where it is now) are painted again. In each, the picture of what never
changes is put back and every changing artist that reaches into it is drawn again, whole; the rectangle
is then cut out and laid over the last picture. The picture is the figure drawn anew, pixel for pixel
(the explorer's tests check it on random moves). Clipping the artists to the rectangle instead would
be cheaper but not exact: where Agg clips a slanted edge, the rest of the edge may come out a shade
(1 in 255) different.

An artist whose look cannot be compared (a kind not listed in :func:`looks`, or one with path effects or
a text box) counts as changed every time: slower, never wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.colors import to_rgba
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.transforms import Bbox

#: Pixels added around an artist's extent: its anti-aliased edge and a glyph reaching past its advance.
PAD = 3

PixelBox = tuple[int, int, int, int]  # x0, y0, x1, y1 in whole pixels from the top left, x1 and y1 excluded


def looks(artist: Artist) -> tuple | None:
    """What decides the pixels of ``artist``, as a value that compares equal when it would be drawn
    the same; None where that is not known (the artist is then drawn again every time)."""
    if not artist.get_visible():
        return ("hidden",)
    transform, clip = artist.get_transform(), _clip_key(artist)
    if artist.get_path_effects() or not transform.is_affine or clip is None:
        return None
    common = (type(artist), artist.get_zorder(), artist.get_alpha(), transform.get_matrix().tobytes(), clip,
              artist.get_rasterized(), artist.get_agg_filter(), artist.get_sketch_params())
    if isinstance(artist, Text):
        if artist.get_bbox_patch() is not None or artist.get_usetex():
            return None
        return common + (artist.get_text(), tuple(artist.get_unitless_position()), artist.get_fontproperties(),
                         to_rgba(artist.get_color()), artist.get_horizontalalignment(),
                         artist.get_verticalalignment(), artist.get_rotation(), artist.get_rotation_mode(),
                         artist.get_transform_rotates_text(), artist._linespacing, artist._multialignment,
                         artist.get_wrap(), artist.get_antialiased(), artist.get_parse_math())
    if isinstance(artist, Patch):
        path = artist.get_path()
        codes = None if path.codes is None else path.codes.tobytes()
        return common + (path.vertices.tobytes(), codes, to_rgba(artist.get_facecolor()),
                         to_rgba(artist.get_edgecolor()), artist.get_linewidth(), str(artist.get_linestyle()),
                         artist.get_hatch(), artist.get_fill(), artist.get_antialiased(), artist.get_joinstyle(),
                         artist.get_capstyle())
    if isinstance(artist, Line2D):
        return common + (np.asarray(artist.get_xydata()).tobytes(), to_rgba(artist.get_color()),
                         artist.get_linewidth(), str(artist.get_linestyle()), str(artist.get_marker()),
                         artist.get_markersize(), to_rgba(artist.get_markerfacecolor()),
                         to_rgba(artist.get_markeredgecolor()), artist.get_drawstyle(), artist.get_solid_capstyle(),
                         artist.get_dash_capstyle(), artist.get_solid_joinstyle(), artist.get_antialiased())
    return None


def _clip_key(artist: Artist) -> tuple | None:
    """How ``artist`` is clipped, comparably (matplotlib makes new clip objects for every artist):
    whether at all, the clip box's extents, and the clip path if it is its axes' background (the
    only one compared); None for any other clip path."""
    path = artist.get_clip_path()
    if path is not None and getattr(path, "_patch", None) is not getattr(artist.axes, "patch", None):
        return None
    box = artist.get_clip_box()
    return (artist.get_clip_on(), None if box is None else tuple(box.extents), path is not None)


class PartialRedraw:
    """Pictures of ``figure`` (on an Agg canvas) in which only the artists ``changing()`` returns may
    change from one picture to the next.

    Parameters
    ----------
    figure
        The figure; its canvas must be Agg (or derived from it).
    changing
        Returns the artists that may differ between pictures, in the order they must be drawn; they are
        drawn over everything else, which is drawn once. They may be new artists each time.

    Attributes
    ----------
    drawn, painted
        After :meth:`draw`: the changing artists drawn again (once per rectangle they reach into) and
        the rectangles painted again (None where every changing artist was drawn).
    """

    def __init__(self, figure, changing: Callable[[], Sequence[Artist]]):
        self.figure, self.changing = figure, changing
        self._background = None
        self._made_at: tuple | None = None  # the canvas's size and resolution when the background was drawn
        self._last = None  # the last picture, with each changing artist's look and pixel box in it
        self.drawn: list[Artist] = []
        self.painted: list[PixelBox] | None = None

    def reset(self) -> None:
        """Forget every picture: the next one is drawn whole (after the unchanging parts changed)."""
        self._background = self._last = None

    def draw(self, partial: bool = True) -> memoryview:
        """The figure's pixels (RGBA, top row first) with the changing artists as they are now.

        ``partial=False`` draws every changing artist again over the picture of the rest (the same
        pixels, slower; benchmarks compare the two)."""
        fig = self.figure
        canvas = fig.canvas
        width, height = canvas.get_width_height()
        if self._made_at != (width, height, fig.dpi):
            self.reset()
        artists = list(self.changing())
        if self._background is None:
            self._draw_background(artists)
            self._made_at = (width, height, fig.dpi)
        renderer = canvas.get_renderer()
        now = [looks(a) for a in artists]
        if self._last is None or not partial:
            canvas.restore_region(self._background)
            for artist in artists:
                fig.draw_artist(artist)
            boxes = [self._box(a, renderer) for a in artists]
            self.drawn, self.painted = list(artists), None
        else:
            frame, previous = self._last
            boxes, dirty = self._compare(artists, now, previous, renderer)
            self.drawn, self.painted = [], _merged(dirty)
            # Each rectangle is drawn by itself (an artist drawn for one spills into the others), then the
            # last picture is put back and the new rectangles over it.
            parts = [self._paint(box, artists, boxes) for box in self.painted]
            canvas.restore_region(frame)
            for part in parts:
                canvas.restore_region(part)
        self._last = (canvas.copy_from_bbox(fig.bbox), list(zip(now, boxes)))
        return canvas.buffer_rgba()

    def _draw_background(self, artists: Sequence[Artist]) -> None:
        canvas = self.figure.canvas
        shown = [a.get_visible() for a in artists]
        for artist in artists:
            artist.set_visible(False)
        try:
            canvas.draw()
            self._background = canvas.copy_from_bbox(self.figure.bbox)
        finally:
            for artist, visible in zip(artists, shown):
                artist.set_visible(visible)

    def _box(self, artist: Artist, renderer) -> PixelBox | None:
        """The whole pixels ``artist`` may ink, with a margin, from the top left; None if nothing."""
        if not artist.get_visible():
            return None
        extent = artist.get_window_extent(renderer)
        if not np.all(np.isfinite(extent.extents)) or extent.width < 0 or extent.height < 0:
            return (0, 0, *self.figure.canvas.get_width_height())  # unknown: all of it
        width, height = self.figure.canvas.get_width_height()
        pad = PAD
        if isinstance(artist, (Line2D, Patch)):
            # A line's extent leaves out its width, and a sharp corner's mitre reaches further still
            # (Agg cuts mitres at twice the line's width).
            pad += int(np.ceil(2 * artist.get_linewidth() * self.figure.dpi / 72))
        x0, x1 = int(np.floor(extent.x0)) - pad, int(np.ceil(extent.x1)) + pad
        y0, y1 = height - int(np.ceil(extent.y1)) - pad, height - int(np.floor(extent.y0)) + pad
        box = (max(x0, 0), max(y0, 0), min(x1, width), min(y1, height))
        return box if box[0] < box[2] and box[1] < box[3] else None

    def _compare(self, artists, now, previous, renderer):
        """Each artist's box (the last picture's where it looks the same) and the boxes to paint again."""
        unchanged: dict = {}
        for look, box in previous:
            if look is not None:
                unchanged.setdefault(look, []).append(box)
        boxes, dirty = [], []
        for artist, look in zip(artists, now):
            if look is not None and unchanged.get(look):
                boxes.append(unchanged[look].pop())
            else:
                box = self._box(artist, renderer)
                boxes.append(box)
                dirty.append(box)
        dirty += [box for left in unchanged.values() for box in left]  # where artists were that are gone
        dirty += [box for look, box in previous if look is None]
        return boxes, [b for b in dirty if b is not None]

    def _paint(self, box: PixelBox, artists, boxes) -> object:
        """The pixels of ``box`` as a drawing of the whole figure gives them: what never changes, then,
        whole, every changing artist that reaches into the box. What they draw beyond it is not kept."""
        canvas = self.figure.canvas
        height = canvas.get_width_height()[1]
        x0, y0, x1, y1 = box
        canvas.restore_region(self._background, bbox=(x0, y0, x1 - 1, y1 - 1), xy=(0, 0))  # inclusive bounds
        for artist, where in zip(artists, boxes):
            if where is not None and _overlap(where, box):
                self.figure.draw_artist(artist)
                self.drawn.append(artist)
        return canvas.copy_from_bbox(Bbox.from_extents(x0, height - y1, x1, height - y0))  # from the bottom


def _overlap(a: PixelBox, b: PixelBox) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _merged(boxes: list[PixelBox]) -> list[PixelBox]:
    """Overlapping boxes joined into the box around them, until none overlap (an artist reaching into
    two overlapping boxes is then drawn once)."""
    boxes = list(boxes)
    merged = True
    while merged:
        merged = False
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                if _overlap(boxes[i], boxes[j]):
                    a, b = boxes[i], boxes.pop(j)
                    boxes[i] = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
                    merged = True
                    break
            if merged:
                break
    return sorted(boxes)
