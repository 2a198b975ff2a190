"""Figures: drawn from data, Cyrillic without missing glyphs, text kept inside, same bytes every run."""

import hashlib
import warnings

import pandas as pd
import pytest

from repro import load_analysis
from repro.figures.force_field import plot_force_field
from repro.figures.lotus import plot_lotus_canonical, plot_lotus_published
from repro.figures.common import new_figure, save_figure
from repro.figures.swot import plot_swot

PAPER = load_analysis()

DRAWERS = {
    "swot": lambda lang: plot_swot(PAPER.swot, PAPER.forces, lang=lang),
    "force_field": lambda lang: plot_force_field(PAPER.forces, PAPER.changes, scale_max=5, lang=lang),
    "force_field_sorted": lambda lang: plot_force_field(PAPER.forces, PAPER.changes, scale_max=5, lang=lang, sort=True),
    "lotus_published": lambda lang: plot_lotus_published(PAPER.lotus, PAPER.forces, lang=lang),
    "lotus_canonical": lambda lang: plot_lotus_canonical(PAPER.lotus, PAPER.forces, PAPER.caption("lotus", lang), lang=lang),
}


def texts_inside_figure(ax):
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    for text in ax.texts:
        extent = text.get_window_extent(renderer)
        assert extent.x0 >= box.x0 - 1 and extent.x1 <= box.x1 + 1, text.get_text()
        assert extent.y0 >= box.y0 - 1 and extent.y1 <= box.y1 + 1, text.get_text()


@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize("name", list(DRAWERS))
def test_figure_draws_without_missing_glyphs_and_keeps_text_inside(name, lang):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)"
        ax = DRAWERS[name](lang)
        ax.figure.canvas.draw()
    texts_inside_figure(ax)
    shown = " ".join(t.get_text() for t in ax.texts)
    if lang == "ru" and name.startswith("swot"):
        assert "Сильные стороны (S)" in shown  # Table 1's heading, verbatim


def test_force_field_figure_shows_scores_and_totals():
    ax = DRAWERS["force_field"]("en")
    shown = [t.get_text() for t in ax.texts]
    for score in ("5", "3.2", "0.6", "2.5", "4", "1.5"):
        assert score in shown
    assert any("11.3" in s and "11.5" in s and "-0.2" in s for s in shown)


def test_sorted_force_field_puts_strongest_first():
    ax = DRAWERS["force_field_sorted"]("en")
    labels = [t.get_text().replace("\n", " ") for t in ax.texts if t.get_text().startswith(("D", "R"))]
    driving = [s.split(".")[0] for s in labels if s[:2] in ("D1", "D2", "D3", "D4")]
    assert driving == ["D1", "D2", "D4", "D3"]  # 5 > 3.2 > 2.5 > 0.6


def test_plot_functions_use_the_axes_they_are_given():
    fig, ax = new_figure(12, 9)
    assert plot_swot(PAPER.swot, PAPER.forces, ax=ax) is ax


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_saved_figures_are_byte_identical_across_runs(tmp_path, fmt):
    digests = []
    for run in range(2):
        ax = DRAWERS["force_field"]("ru")
        (path,) = save_figure(ax.figure, tmp_path / f"run{run}" / "force_field", [fmt])
        digests.append(hashlib.sha256(path.read_bytes()).hexdigest())
    assert digests[0] == digests[1]


def test_eight_long_forces_per_side_stay_readable():
    long = "очень длинная формулировка силы, которая не помещается в одну строку и должна переноситься " * 2
    rows = [(f"D{i}", "driving", i % 5 + 0.5, long, "") for i in range(1, 9)]
    rows += [(f"R{i}", "restraining", (i * 3) % 10 + 0.5, long, "") for i in range(1, 9)]
    forces = pd.DataFrame(rows, columns=["id", "direction", "score", "text", "text_en"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax = plot_force_field(forces, None, scale_max=10)
    texts_inside_figure(ax)
    sizes = [t.get_fontsize() for t in ax.texts if t.get_text().startswith(("D", "R"))]
    assert min(sizes) >= 5
