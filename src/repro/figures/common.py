"""What every figure shares: the font, text fitted inside boxes, and byte-identical saving.

Figures use DejaVu Sans, which matplotlib ships and which covers Cyrillic; a missing glyph makes
matplotlib warn, and the tests turn that warning into a failure.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

FONT = "DejaVu Sans"
FORMATS = ("png", "svg", "pdf")
DPI = 200

STYLE = {
    "font.family": FONT,
    "svg.hashsalt": "repro",  # fixed ids inside SVG files: same figure, same bytes
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "savefig.dpi": DPI,
}
matplotlib.rcParams.update(STYLE)

#: Metadata that would otherwise carry the date and make files differ from run to run.
_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
}


def new_figure(width: float, height: float) -> tuple[Figure, Axes]:
    """A figure outside pyplot's registry (an Agg canvas, no screen needed): nothing is shown twice
    in a notebook, and nothing accumulates when many figures are drawn."""
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig, fig.add_axes((0, 0, 1, 1))


def fit_text(ax, text: str, box: tuple[float, float, float, float], *, fontsize: float = 10,
             min_fontsize: float = 5, **kwargs):
    """Draw ``text`` wrapped to fit inside ``box`` (x0, y0, x1, y1, in data coordinates of ``ax``).

    The text is wrapped to the box's width and the font shrunk until the drawn text fits, as
    measured by the renderer, so long items never overlap their neighbours or leave the figure.
    """
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    x0, y0, x1, y1 = box
    (px0, py0), (px1, py1) = ax.transData.transform([(x0, y0), (x1, y1)])
    box_w, box_h = abs(px1 - px0) * 0.94, abs(py1 - py0) * 0.94
    if kwargs.get("rotation") in (90, 270):
        box_w, box_h = box_h, box_w  # wrap along the text's own direction
    artist = None
    size = fontsize
    while True:
        char_px = size * fig.dpi / 72 * 0.56  # average DejaVu Sans glyph width
        width = max(4, int(box_w / char_px))
        wrapped = "\n".join(textwrap.wrap(text, width=width, break_long_words=True)) or text
        if artist is None:
            artist = ax.text((x0 + x1) / 2, (y0 + y1) / 2, wrapped, ha="center", va="center",
                             fontsize=size, linespacing=1.15, **kwargs)
        else:
            artist.set_text(wrapped)
            artist.set_fontsize(size)
        extent = artist.get_window_extent(renderer)
        if kwargs.get("rotation") in (90, 270):
            extent = extent.from_bounds(0, 0, extent.height, extent.width)
        if (extent.width <= box_w and extent.height <= box_h) or size <= min_fontsize:
            return artist
        size = max(min_fontsize, size * 0.92)


def save_figure(fig: Figure, stem: str | Path, formats=FORMATS) -> list[Path]:
    """Save ``fig`` as ``stem.png``, ``stem.svg``, ``stem.pdf`` (or ``formats``), byte-identical
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
