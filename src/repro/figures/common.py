"""What every figure shares: the font, text set in boxes with one type size per role, and
byte-identical saving.

Typography
----------
Each figure sorts its texts into *roles* (all proposals of a lotus, all its centres, all headings
...). A :class:`TextRole` finds the largest type size at which every text of the role, wrapped into
lines, fits its own box, and then draws every text of the role at that one size: neighbouring cells
never jump between sizes. Widths and heights are computed from the font's glyph metrics, read once
per character and kept, following matplotlib's own layout of text; trying many sizes costs
arithmetic only, never a measurement by the renderer. Every drawn text keeps its box and its role
(:func:`text_box`, :func:`text_role`), so the tests check that nothing is cut.

Figures use DejaVu Sans, which matplotlib ships and which covers Cyrillic; a missing glyph makes
matplotlib warn, and the tests turn that warning into a failure. Only its regular and bold faces are
used: every face is one more font to subset into each PDF, the slowest part of saving one.

Style
-----
The package's settings (:data:`STYLE`) apply only while its own functions draw and save (:func:`styled`,
matplotlib's ``rc_context``): importing the library, or drawing with it in someone else's notebook,
leaves their matplotlib settings as they were.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont, get_font
from matplotlib.ft2font import LoadFlags
from matplotlib.text import Text
from matplotlib.transforms import Bbox, BboxBase, TransformedBbox, blended_transform_factory

FONT = "DejaVu Sans"
#: Every format a figure can be saved in.
FORMATS = ("png", "svg", "pdf")
#: What a reproduction writes unless asked for more: PNG for screens, the report and the notebooks,
#: and PDF for print. SVG holds the same vector drawing as the PDF, with the text turned into
#: outlines, so it is written on request only (``repro reproduce --formats png,pdf,svg``): about a
#: sixth of the time of drawing a figure, for a copy few readers open.
DEFAULT_FORMATS = ("png", "pdf")
#: The PNGs' resolution. The report and the notebooks show a figure at 72 CSS pixels per inch of its
#: width, so 150 dpi gives two screen pixels per CSS pixel (sharp on high-density screens too); print
#: takes the PDF, which is vector. 200 dpi drew every PNG with 78 % more pixels for no visible gain.
DPI = 150

#: The smallest type size (points) any text is set in, at the size the figure is printed: journals ask
#: for 7 pt at least (below it a reader needs a magnifier).
MIN_SIZE = 7.0
#: Print sizes (inches). Every figure is drawn at the width it is printed at: one column (85 mm) or
#: the full text width (180 mm), and at most 240 mm tall, so that its type sizes are the printed ones.
COLUMN_WIDTH = 85 / 25.4
TEXT_WIDTH = 180 / 25.4
MAX_HEIGHT = 240 / 25.4
#: The blank margin (inches) every diagram keeps inside its canvas: a frame drawn on the canvas's edge
#: prints at half its width, or not at all where a printer trims.
CANVAS_MARGIN = 0.06
#: Colour of ticks, their labels and axis labels: near-black, to read in print (matplotlib's grey
#: ticks and a light grey print as nothing on a laser printer).
INK = "#1a1a1a"
#: Type sizes are tried in steps of this many points.
SIZE_STEP = 0.25
#: Inner margin of a text's box, in points.
PAD = 4.0

#: The package's matplotlib settings, applied by :func:`styled` to its own figures only (a dict of
#: rcParams, as ``matplotlib.rc_context`` takes it).
STYLE = {
    "font.family": FONT,
    "svg.hashsalt": "repro",  # fixed ids inside SVG files: same figure, same bytes
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    # matplotlib's PDF writer sizes its font subsets by the PostScript setting: with Type 3's 256
    # glyphs a subset, Cyrillic needs a second subset of every face, and subsetting each one is the
    # slowest part of writing a PDF. Type 42 keeps one subset per face.
    "ps.fonttype": 42,
    "savefig.dpi": DPI,
    # Text is text: a user's "Fees rise from $5 to $10" is drawn as typed, never as mathematics (which
    # would draw "Fees rise from 5to10", or fail on a text that is not valid mathtext). Our own texts
    # use no mathtext.
    "text.parse_math": False,
    "text.color": INK,
    "axes.labelcolor": INK,
    "axes.edgecolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "xtick.labelcolor": INK,
    "ytick.labelcolor": INK,
    "legend.labelcolor": INK,
}


def styled(function):
    """Run ``function`` (a figure function, or a method that draws) with :data:`STYLE` in force, and the
    caller's matplotlib settings back as they were afterwards, whatever it raised."""
    @functools.wraps(function)
    def with_style(*args, **kwargs):
        with matplotlib.rc_context(STYLE):
            return function(*args, **kwargs)
    return with_style


#: Metadata that would otherwise carry the date and make files differ from run to run.
_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
}


# ---------------------------------------------------------------- figures
def new_figure(width: float, height: float, margin: float = CANVAS_MARGIN) -> tuple[Figure, Axes]:
    """A figure outside pyplot's registry (an Agg canvas, no screen needed) with one axes of
    ``width`` x ``height`` inches and no axis drawn, for diagrams: nothing is shown twice in a
    notebook, and nothing accumulates when many figures are drawn. The canvas is ``margin`` inches
    larger on every side, so that nothing drawn on the axes' edge touches the canvas's."""
    fig = Figure(figsize=(width + 2 * margin, height + 2 * margin))
    FigureCanvasAgg(fig)
    full_w, full_h = width + 2 * margin, height + 2 * margin
    ax = fig.add_axes((margin / full_w, margin / full_h, width / full_w, height / full_h))
    ax.set_axis_off()
    return fig, ax


def new_plot_figure(width: float, height: float) -> Figure:
    """A figure for plots with axes, ticks and legends, laid out by matplotlib's constrained layout
    (which makes room for every label, so none is cut by the canvas)."""
    # Laid out at the resolution the PNG is written at: the renderer's hinting makes text a little wider
    # at some resolutions than at others, and a layout made at another one can cut a long label.
    fig = Figure(figsize=(width, height), layout="constrained", dpi=DPI)
    FigureCanvasAgg(fig)
    fig.get_layout_engine().set(w_pad=CANVAS_MARGIN, h_pad=CANVAS_MARGIN)
    return fig


def freeze_layout(fig: Figure) -> Figure:
    """Run the figure's layout engine once and keep its result: constrained layout would otherwise
    run again at every draw, so at every save (three formats, three layouts). Positions are in
    inches and type in points, so a layout holds at any resolution.

    The engine is then removed (None), not replaced by matplotlib's placeholder ("none"): while a
    figure has any engine, even the placeholder, every save first draws the whole figure once
    without output, for the engine's sake, and then again for the file. That idle pass was about
    a third of the time of saving a figure; the files are byte-identical without it."""
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
        # None means "the rc's default engine" to matplotlib: a matplotlibrc asking for one must not
        # bring an engine back.
        with matplotlib.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
            fig.set_layout_engine(None)
    return fig


@styled
def save_figure(fig: Figure, stem: str | Path, formats=DEFAULT_FORMATS) -> list[Path]:
    """Save ``fig`` as ``stem.png`` and ``stem.pdf`` (or ``formats``, any of :data:`FORMATS`), byte-identical
    from run to run; return the paths written. The only function that writes figures."""
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        if fmt not in _METADATA:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
        path = stem.with_suffix(f".{fmt}")
        fig.savefig(path, format=fmt, dpi=DPI, metadata=_METADATA[fmt])
        written.append(path)
    return written


# ---------------------------------------------------------------- boxes and roles kept on the artists
def record_box(artist: Text, box: BboxBase | None, role: str) -> Text:
    """Remember the box (in display coordinates, kept up to date by its transform) a text must stay
    inside, and the role it was set in."""
    artist.repro_box = box
    artist.repro_role = role
    return artist


def text_box(artist: Text) -> BboxBase | None:
    """The box ``artist`` was set in (display coordinates), or None for texts without one."""
    return getattr(artist, "repro_box", None)


def text_role(artist: Text) -> str | None:
    """The role ``artist`` was set in (all texts of a role share one type size), or None."""
    return getattr(artist, "repro_role", None)


def axes_column_box(ax: Axes) -> BboxBase:
    """The box of a text that belongs to ``ax`` but sits above or below it (a title): the axes'
    horizontal extent, the figure's full height. Follows the axes when the layout moves them."""
    return TransformedBbox(Bbox.from_extents(0, 0, 1, 1), blended_transform_factory(ax.transAxes, ax.figure.transFigure))


# ---------------------------------------------------------------- font metrics
class _FaceMetrics:
    """Advance widths and vertical extents of one font face, in em, read once per character.

    A line's width is the sum of its characters' advances (kerning is left out: DejaVu kerns little,
    and leaving it out only over-estimates). Heights follow matplotlib's layout of text with
    ``linespacing="normal"``: every line spans the font's typographic ascent and descent (or a
    glyph's own, where it reaches further), and lines of a multi-line text are further apart by the
    font's line gap.
    """

    def __init__(self, weight: str):
        self.prop = FontProperties(family=FONT, weight=weight)
        self.path = findfont(self.prop)
        self._advance: dict[str, float] = {}
        self._extent: dict[str, tuple[float, float]] = {}
        font = get_font(self.path)
        units = font.get_sfnt_table("head")["unitsPerEm"]
        os2 = font.get_sfnt_table("OS/2")
        if os2 is not None:  # the table matplotlib itself reads first
            ascent, descent, gap = os2["sTypoAscender"], os2["sTypoDescender"], os2["sTypoLineGap"]
        else:
            hhea = font.get_sfnt_table("hhea")
            ascent, descent, gap = hhea["ascent"], hhea["descent"], hhea["lineGap"]
        self.ascent, self.descent, self.gap = ascent / units, -descent / units, gap / units

    def _glyph(self, char: str) -> None:
        font = get_font(self.path)
        font.set_size(100, 72)  # metrics in 1/100 em; the renderer sets its own size before drawing
        glyph = font.load_char(ord(char), flags=LoadFlags.NO_HINTING)
        _, ymin, _, ymax = glyph.bbox
        self._advance[char] = glyph.linearHoriAdvance / 65536 / 100
        self._extent[char] = (max(ymax, 0) / 64 / 100, max(-ymin, 0) / 64 / 100)

    def width(self, text: str) -> float:
        """Width of ``text`` on one line, in em."""
        for c in set(text) - self._advance.keys():
            self._glyph(c)
        advance = self._advance
        return sum(advance[c] for c in text)

    def vertical(self, text: str) -> tuple[float, float]:
        """The ascent and descent (em) a line of ``text``'s characters spans."""
        chars = set(text)
        for c in chars - self._extent.keys():
            self._glyph(c)
        ascent = max([self.ascent] + [self._extent[c][0] for c in chars])
        descent = max([self.descent] + [self._extent[c][1] for c in chars])
        return ascent, descent

    def height(self, n_lines: int, ascent: float, descent: float) -> float:
        """Height (em) of ``n_lines`` whose lines span ``ascent`` and ``descent``."""
        if n_lines <= 1:
            return ascent + descent
        return n_lines * (ascent + descent + self.gap)


@lru_cache(maxsize=None)
def _metrics(weight: str) -> _FaceMetrics:
    return _FaceMetrics(weight)


# ---------------------------------------------------------------- wrapping
_TOKEN = re.compile(r"[^\s-]*-+(?=[^\s-])|\S+")  # words; a hyphenated word may break after its hyphen


def _tokens(paragraph: str) -> list[tuple[str, bool]]:
    """The pieces a paragraph may break between, each with whether a space precedes it."""
    out = []
    for word in paragraph.split():
        pieces = _TOKEN.findall(word)
        out += [(piece, k == 0 and bool(out)) for k, piece in enumerate(pieces)]
    return out


def _greedy(tokens, widths, space, limit) -> list[list[int]]:
    """Fill lines from the left: the indices of the tokens on each line."""
    lines, line, used = [], [], 0.0
    for i, (_, spaced) in enumerate(tokens):
        extra = widths[i] + (space if spaced and line else 0.0)
        if line and used + extra > limit:
            lines.append(line)
            line, used = [i], widths[i]
        else:
            line.append(i)
            used += extra
    if line:
        lines.append(line)
    return lines


def _join(tokens, line) -> str:
    return "".join((" " if tokens[i][1] and k else "") + tokens[i][0] for k, i in enumerate(line))


@dataclass
class _Wrapped:
    lines: list[str]

    @property
    def n(self) -> int:
        return len(self.lines)


def wrap_text(text: str, width_em: float, metrics: _FaceMetrics, balance: bool = True) -> _Wrapped | None:
    """``text`` broken into lines no wider than ``width_em``; None if one of its words is wider.

    With ``balance`` the lines are made as even as their number allows (the narrowest width that
    still gives the same number of lines), which reads better in a cell than a long first line and a
    short last one. Explicit newlines are kept.
    """
    space = metrics.width(" ")
    lines: list[str] = []
    for paragraph in text.split("\n"):
        tokens = _tokens(paragraph)
        if not tokens:
            lines.append("")
            continue
        widths = [metrics.width(t) for t, _ in tokens]
        if max(widths) > width_em:
            return None
        chosen = _greedy(tokens, widths, space, width_em)
        if balance and len(chosen) > 1:
            low, high = max(widths), width_em
            for _ in range(14):  # bisect the narrowest width that keeps the number of lines
                mid = (low + high) / 2
                if len(_greedy(tokens, widths, space, mid)) <= len(chosen):
                    high = mid
                else:
                    low = mid
            chosen = _greedy(tokens, widths, space, high)
        lines += [_join(tokens, line) for line in chosen]
    return _Wrapped(lines)


def _break_long_words(text: str, width_em: float, metrics: _FaceMetrics) -> str:
    """Split every word wider than ``width_em`` into pieces that fit (the last resort for a word
    longer than its box is wide)."""
    out = []
    for word in text.split(" "):
        piece = ""
        for c in word:
            if piece and metrics.width(piece + c) > width_em:
                out.append(piece)
                piece = ""
            piece += c
        out.append(piece)
    return " ".join(out)


#: Slack (points) for the renderer's hinting, which rounds glyphs to whole pixels: per box side,
#: and per line of text.
SLACK = 1.5
LINE_SLACK = 0.8


def _usable(length_pt: float, pad: float) -> float:
    """What is left of a box's side (points) for text once the padding and slack are taken off; a
    further 2 % keeps widths summed from advances safe against the renderer's rounding."""
    return max((length_pt - 2 * pad - SLACK) * 0.98, 1.0)


def _block_height(metrics: _FaceMetrics, n_lines: int, ascent: float, descent: float, size: float) -> float:
    """Height (points) to reserve for ``n_lines`` at ``size``: one pixel more per line for the
    renderer's hinting, which can round a glyph up."""
    return metrics.height(n_lines, ascent, descent) * size + n_lines * LINE_SLACK


# ---------------------------------------------------------------- roles
@dataclass
class _Entry:
    text: str
    box: tuple[float, float, float, float]
    ha: str
    va: str
    rotation: float
    kwargs: dict
    ascent: float = 0.0
    descent: float = 0.0
    inner: tuple[float, float] = (0.0, 0.0)  # usable width and height in points
    artist: Text | None = None
    lines: list[str] = field(default_factory=list)


class TextRole:
    """Texts of one role, set at one type size: the largest at which each fits its own box.

    Parameters
    ----------
    ax
        The axes the texts are drawn on; boxes are in its data coordinates.
    name
        The role's name, kept on every artist (``text_role``).
    max_size, min_size
        The size tried first, and the floor. If a text does not fit even at ``min_size``, its long
        words are broken and, as a last resort, its last line ends with "…"; a figure should size
        its boxes so that this never happens.
    weight
        'normal' or 'bold' (the figures use no other face).
    pad
        Inner margin of every box, in points.

    Examples
    --------
    >>> role = TextRole(ax, "proposal", max_size=9)           # doctest: +SKIP
    >>> role.add("Публикации в СМИ", (0, 0, 1, 1))           # doctest: +SKIP
    >>> role.draw()                                            # doctest: +SKIP

    Texts are placed in their boxes by ``ha`` ('left', 'center', 'right') and ``va`` ('top',
    'center', 'bottom', or 'baseline': at the top, with one-line texts lowered so that texts side
    by side share their first baseline whatever their number of lines).
    """

    def __init__(self, ax: Axes, name: str, max_size: float, min_size: float = MIN_SIZE, *,
                 weight: str = "normal", pad: float = PAD, balance: bool = True, **text_kwargs):
        self.ax, self.name = ax, name
        self.max_size, self.min_size = max_size, min(min_size, max_size)
        self.weight, self.pad, self.balance = weight, pad, balance
        self.text_kwargs = text_kwargs
        self.metrics = _metrics(weight)
        self.entries: list[_Entry] = []
        self.size: float | None = None

    def add(self, text: str, box: tuple[float, float, float, float], *, ha: str = "center", va: str = "center",
            rotation: float = 0, **kwargs) -> int:
        """Queue ``text`` for the box (x0, y0, x1, y1) in data coordinates; return its index."""
        x0, y0, x1, y1 = box
        self.entries.append(_Entry(str(text), (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)), ha, va,
                                   rotation, kwargs))
        return len(self.entries) - 1

    # -- measuring
    def _inner(self, entry: _Entry) -> tuple[float, float]:
        """The box's usable width and height in points, along the text's own direction."""
        x0, y0, x1, y1 = entry.box
        (px0, py0), (px1, py1) = self.ax.transData.transform([(x0, y0), (x1, y1)])
        to_pt = 72 / self.ax.figure.dpi
        width, height = abs(px1 - px0) * to_pt, abs(py1 - py0) * to_pt
        if entry.rotation % 180 == 90:
            width, height = height, width
        return _usable(width, self.pad), _usable(height, self.pad)

    def _fits(self, entry: _Entry, size: float) -> _Wrapped | None:
        width, height = entry.inner
        wrapped = wrap_text(entry.text, width / size, self.metrics, self.balance)
        if wrapped is None:
            return None
        needed = _block_height(self.metrics, wrapped.n, entry.ascent, entry.descent, size)
        needed += self._baseline_shift(entry, wrapped.n) * size
        return wrapped if needed <= height else None

    def _baseline_shift(self, entry: _Entry, n_lines: int) -> float:
        """How far (em) a one-line text sits below the top of its box when ``va="baseline"``:
        matplotlib puts half the line gap above the first line of a multi-line text only."""
        return self.metrics.gap / 2 if entry.va == "baseline" and n_lines == 1 else 0.0

    def _largest_size(self, entry: _Entry) -> float | None:
        """The largest size on the ladder at which ``entry`` fits (bisection: fitting is monotone)."""
        steps = int(round((self.max_size - self.min_size) / SIZE_STEP))
        if self._fits(entry, self.max_size):
            return self.max_size
        if not self._fits(entry, self.min_size):
            return None
        low, high = 0, steps  # index 0 = min_size fits, index steps = max_size does not
        while high - low > 1:
            mid = (low + high) // 2
            if self._fits(entry, self.min_size + mid * SIZE_STEP):
                low = mid
            else:
                high = mid
        return self.min_size + low * SIZE_STEP

    def _fallback_lines(self, entry: _Entry, size: float) -> list[str]:
        """At the smallest size: long words broken, and lines beyond the box's height cut with "…"."""
        width, height = entry.inner
        width_em = width / size
        wrapped = wrap_text(_break_long_words(entry.text, width_em, self.metrics), width_em, self.metrics, False)
        lines = wrapped.lines if wrapped else [entry.text]
        fit = 1
        while fit < len(lines) and _block_height(self.metrics, fit + 1, entry.ascent, entry.descent, size) <= height:
            fit += 1
        if fit < len(lines):
            last = lines[fit - 1]
            while last and self.metrics.width(last + "…") > width_em:
                last = last[:-1]
            lines = lines[:fit - 1] + [last.rstrip() + "…"]
        return lines

    # -- drawing
    def draw(self) -> list[Text]:
        """Choose the role's size, wrap every text at it, draw them, and return the artists."""
        if not self.entries:
            return []
        for entry in self.entries:
            entry.inner = self._inner(entry)
            entry.ascent, entry.descent = self.metrics.vertical(entry.text)
        sizes = [self._largest_size(e) for e in self.entries]
        fitting = [s for s in sizes if s is not None]
        self.size = min(fitting) if len(fitting) == len(sizes) else self.min_size
        for entry in self.entries:
            wrapped = self._fits(entry, self.size)
            entry.lines = wrapped.lines if wrapped else self._fallback_lines(entry, self.size)
            entry.artist = self._draw_entry(entry)
        return [e.artist for e in self.entries]

    def _draw_entry(self, entry: _Entry) -> Text:
        x0, y0, x1, y1 = entry.box
        pad_x, pad_y = self._points_in_data(self.pad)
        x = {"left": x0 + pad_x, "right": x1 - pad_x}.get(entry.ha, (x0 + x1) / 2)
        y = {"bottom": y0 + pad_y, "top": y1 - pad_y, "baseline": y1 - pad_y}.get(entry.va, (y0 + y1) / 2)
        if entry.va == "baseline":
            y -= self._points_in_data(self._baseline_shift(entry, len(entry.lines)) * self.size)[1]
        if entry.rotation % 180 == 90:  # a rotated text is placed by its box's centre
            x, y = (x0 + x1) / 2, (y0 + y1) / 2
        kwargs = {**self.text_kwargs, **entry.kwargs}
        va = "top" if entry.va == "baseline" else entry.va
        artist = self.ax.text(x, y, "\n".join(entry.lines), ha=entry.ha, va=va, rotation=entry.rotation,
                              fontsize=self.size, fontweight=self.weight, linespacing="normal",
                              multialignment=entry.ha if entry.ha in ("left", "right") else "center",
                              rotation_mode="anchor" if entry.rotation else "default", **kwargs)
        box = TransformedBbox(Bbox.from_extents(*entry.box), self.ax.transData)
        return record_box(artist, box, self.name)

    def _points_in_data(self, points: float) -> tuple[float, float]:
        """A length in points as data units of the axes, horizontally and vertically."""
        pixels = points * self.ax.figure.dpi / 72
        inverse = self.ax.transData.inverted()
        (ax0, ay0), (ax1, ay1) = inverse.transform([(0, 0), (pixels, pixels)])
        return abs(ax1 - ax0), abs(ay1 - ay0)


def text_width(text: str, size: float, weight: str = "normal") -> float:
    """Width (points) of ``text`` on one line at ``size`` points."""
    return _metrics(weight).width(text) * size


def wrap_to_width(text: str, width_pt: float, size: float, weight: str = "normal") -> str:
    """``text`` wrapped (balanced) to lines no wider than ``width_pt`` at ``size`` points; a word
    wider than the width is broken. For titles and labels that matplotlib places itself."""
    metrics = _metrics(weight)
    width_em = width_pt * 0.98 / size
    wrapped = wrap_text(text, width_em, metrics) or wrap_text(_break_long_words(text, width_em, metrics), width_em, metrics)
    return "\n".join(wrapped.lines) if wrapped else text


def shorten(text: str, width_pt: float, size: float, weight: str = "normal") -> str:
    """``text`` on one line no wider than ``width_pt`` at ``size`` points: whole words, and "…" where
    words were left out. For a short name beside an id (the full text stands in a table)."""
    metrics = _metrics(weight)
    limit = width_pt * 0.98 / size
    text = " ".join(str(text).split())
    if metrics.width(text) <= limit:
        return text
    words, kept = text.split(" "), ""
    for word in words:
        trial = f"{kept} {word}" if kept else word
        if metrics.width(trial.rstrip(",;:.") + "…") > limit:
            break
        kept = trial
    if not kept:  # one word wider than the line: cut it
        kept = text
        while kept and metrics.width(kept + "…") > limit:
            kept = kept[:-1]
    return kept.rstrip(",;:. ") + "…"


def cut_to_lines(text: str, width_pt: float, size: float, lines: int, weight: str = "normal") -> str:
    """``text`` cut to what fills ``lines`` lines ``width_pt`` wide at ``size``, ending "…" where words
    were left out (the whole text unchanged if it fits). For a long item in a figure whose table beside
    it holds the text whole."""
    wrapped = wrap_to_width(text, width_pt, size, weight).split("\n")
    if len(wrapped) <= lines:
        return text
    return " ".join(wrapped[:lines - 1] + [shorten(" ".join(wrapped[lines - 1:]), width_pt, size, weight)])


def box_height(text: str, box_width_pt: float, size: float, *, weight: str = "normal", pad: float = PAD,
               balance: bool = True, baseline: bool = False) -> float:
    """Height (points) of the box that ``text`` needs in a box ``box_width_pt`` wide at ``size``
    points, wrapped and checked as :class:`TextRole` wraps and checks it. Layouts use it to give long
    texts the room they need before any size is chosen; ``baseline`` as for ``va="baseline"``."""
    metrics = _metrics(weight)
    width_em = _usable(box_width_pt, pad) / size
    wrapped = (wrap_text(text, width_em, metrics, balance)
               or wrap_text(_break_long_words(text, width_em, metrics), width_em, metrics, balance))
    n_lines = wrapped.n if wrapped else 1
    ascent, descent = metrics.vertical(text)
    needed = _block_height(metrics, n_lines, ascent, descent, size)
    if baseline and n_lines == 1:
        needed += metrics.gap / 2 * size
    return needed / 0.98 + 2 * pad + SLACK + 0.5


def localise_ticks(ax: Axes, lang: str, *, x: bool = True, y: bool = True, decimals: int | None = None) -> Axes:
    """Write ``ax``'s numeric tick labels as a reader of ``lang`` does (decimal comma and true minus in
    Russian: :func:`repro.i18n.tick_formatter`). An axis whose ticks were given as words (categories)
    keeps them."""
    from matplotlib.ticker import FixedFormatter

    from repro.i18n import tick_formatter

    for wanted, axis in ((x, ax.xaxis), (y, ax.yaxis)):
        if wanted and not isinstance(axis.get_major_formatter(), FixedFormatter):
            axis.set_major_formatter(tick_formatter(lang, decimals))
    return ax
