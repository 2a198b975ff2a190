"""A live explorer of a force field: move the scores, watch the balance and the claims.

:class:`Explorer` is plain Python (tested without a browser): set a score, a noise model or a noise
half-width, and read :meth:`Explorer.claims_table` (does each claim of the analysis still hold,
how often under noise, and how far are its break-even and its joint flip) and :attr:`Explorer.figure` (the force field
with the new arrows and totals). :meth:`Explorer.widget` wraps it in ipywidgets for a notebook: one
slider per score within the declared scale, a noise-model menu and a half-width slider.

The claims are the analysis's own (its ``claims.csv``, or the method's verdicts at the published
scores): moving a score asks whether *those* conclusions survive, which is the question a reader of
the published analysis has.

What a move costs, and where (``benchmarks/explorer_browser.py`` times it in JupyterLab in Chromium):
nearly all of it is the kernel's work, the widget messages and the browser's part being a few
milliseconds. So a move does no more than it must: the static parts of the figure (texts, headings,
changes) are rendered once; a move draws again only where the figure changed (the moved arrow, its
score, the totals it changes; :mod:`repro.figures.redraw`), and sends one picture and one table; a
change of the noise sends the table alone, the figure not showing the noise.
"""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd

from repro.figures.force_field import ForceFieldPlot
from repro.figures.redraw import PartialRedraw
from repro.i18n import format_number, gettext, ngettext
from repro.labels import check_lang, item_text, label
from repro.methods import sensitivity
from repro.methods.claims import chain_holds, claims_for
from repro.methods.intervals import interval_text

#: Resolution of the picture the widget shows (the saved figures use their own).
SCREEN_DPI = 80


def nice_step(width: float, divisions: int) -> float:
    """The largest step of the form 1, 2, 2.5 or 5 times a power of ten that is at most
    ``width / divisions``.

    Examples
    --------
    >>> nice_step(5, 40), nice_step(9, 40), nice_step(1, 40)
    (0.1, 0.2, 0.025)
    """
    target = width / divisions
    power = 10.0 ** math.floor(math.log10(target))
    for factor in (5, 2.5, 2, 1):
        if factor * power <= target * (1 + 1e-9):
            return _clean(factor * power)
    return _clean(power)  # pragma: no cover - factor 1 always qualifies


def _clean(x: float) -> float:
    return float(f"{x:.12g}")


def score_step(minimum: float, maximum: float, scores) -> float:
    """A slider step for scores on [minimum, maximum]: about a fortieth of the scale, and a step
    that every published score lies on (so each slider starts exactly at its published score).

    Examples
    --------
    The paper (0-5; 5, 3.2, 0.6, 2.5, 3, 4, 3, 1.5): 0.1. Whole scores on 1-5: 0.1. Scores 0.25
    and 0.75 on 0-1: 0.025.
    """
    width = maximum - minimum
    step = nice_step(width, 40)
    while step > 1e-6:
        offsets = [(float(s) - minimum) / step for s in scores if not pd.isna(s)]
        if all(abs(o - round(o)) < 1e-6 for o in offsets):
            return step
        step = nice_step(step, 2)  # halve (to the next nice value) until every score is on the grid
    return step


class Explorer:
    """Scores, a noise model and a half-width that can be changed, with the claims and the force
    field recomputed for each change.

    Parameters
    ----------
    analysis
        A loaded analysis (:func:`repro.load_analysis`) with scores.
    lang
        Language of the figure, the table and the controls (one of :data:`repro.i18n.LANGS`); None:
        the analysis's own (:attr:`repro.data.Analysis.language`).
    noise, half_width
        The noise model (one of :data:`repro.methods.sensitivity.NOISE_MODELS`) and its half-width h
        (default: a tenth of the scale's width).
    draws, seed
        Monte Carlo draws per evaluation and the seed (the same seed for every move, so a change in
        P(holds) comes from the scores, not from the dice).
    """

    def __init__(self, analysis, lang: str | None = None, noise: str = "uniform", half_width: float | None = None,
                 draws: int = 20_000, seed: int | None = 0):
        if not analysis.has_scores:
            raise ValueError(f"{analysis.folder.name}: the force field has no scores to explore")
        self.analysis, self.lang = analysis, check_lang(lang or analysis.language)
        self.scale = analysis.scale
        self.published = analysis.forces.reset_index(drop=True)
        self.scores = dict(zip(self.published["id"], self.published["score"].astype(float)))
        self.registry = claims_for(analysis, lang=self.lang)
        self.chain = chain_holds(analysis)
        self.draws, self.seed = int(draws), seed
        self.noise = self._check_noise(noise)
        self.half_width = self._check_half_width(self.default_half_width() if half_width is None else half_width)
        self.plot = ForceFieldPlot(self.published, analysis.changes, scale_max=self.scale.maximum, lang=self.lang)
        self._published = dict(self.scores)
        self._table: pd.DataFrame | None = None
        self._picture = PartialRedraw(self.figure, lambda: self.plot.redraw_artists)
        self._syncing = False

    # ------------------------------------------------------------ settings
    @property
    def width(self) -> float:
        return self.scale.maximum - self.scale.minimum

    def default_half_width(self) -> float:
        return nice_step(self.width, 10)

    @property
    def step(self) -> float:
        """The scores sliders' step."""
        return score_step(self.scale.minimum, self.scale.maximum, self.published["score"])

    @property
    def half_width_range(self) -> tuple[float, float, float]:
        """Minimum, maximum and step of the half-width slider: 0 to a quarter of the scale."""
        return 0.0, self.width / 4, nice_step(self.width, 100)

    def uses_half_width(self) -> bool:
        """Whether the current noise model depends on the half-width."""
        return self.noise in sensitivity.WIDTH_MODELS

    def _check_noise(self, noise: str) -> str:
        if noise not in sensitivity.NOISE_MODELS:
            raise ValueError(f"noise model must be one of {', '.join(sensitivity.NOISE_MODELS)}, got {noise!r}")
        return noise

    def _check_half_width(self, half_width: float) -> float:
        half_width = float(half_width)
        if not 0 <= half_width <= self.width:
            raise ValueError(f"the half-width must lie between 0 and the scale's width {self.width:g}, got {half_width:g}")
        return half_width

    def set_score(self, force_id: str, value: float):
        """Give force ``force_id`` the score ``value`` (on the declared scale); redraw its arrow."""
        if force_id not in self.scores:
            raise KeyError(f"{force_id!r} is not a force of this analysis; expected one of {', '.join(self.scores)}")
        value = float(value)
        if not self.scale.minimum <= value <= self.scale.maximum:
            raise ValueError(f"{force_id}: a score must lie on the declared scale {self.scale}, got {value:g}")
        self.scores[force_id] = value
        self.plot.set_scores({force_id: value})
        self._table = None

    def set_noise(self, noise: str):
        self.noise = self._check_noise(noise)
        self._table = None

    def set_half_width(self, half_width: float):
        self.half_width = self._check_half_width(half_width)
        self._table = None

    def reset(self):
        """Every score back to its published value."""
        for force_id, score in zip(self.published["id"], self.published["score"]):
            self.scores[force_id] = float(score)
        self.plot.set_scores(self.scores)
        self._table = None

    # ------------------------------------------------------------ results
    def forces(self) -> pd.DataFrame:
        """The forces with the current scores."""
        return self.published.assign(score=self.published["id"].map(self.scores).astype(float))

    def moved(self) -> dict[str, float]:
        """The scores that differ from the published ones, id -> current score."""
        return {i: s for i, s in self.scores.items() if not np.isclose(s, self._published[i], atol=1e-12)}

    def claims_table(self) -> pd.DataFrame:
        """Each claim at the current scores: holds, P(holds) and its 95 % interval under the current
        noise, the break-even and the joint flip (computed once per change of the settings)."""
        if self._table is None:
            self._table = sensitivity.claims_table(self.registry.claims, self.forces(), self.scale, self.noise,
                                                   self.half_width, self.draws, self.seed, self.chain, lang=self.lang)
        return self._table

    @property
    def figure(self):
        """The force field at the current scores."""
        return self.plot.ax.figure

    def table_html(self) -> str:
        """The claims table as an HTML fragment for the widget, in the explorer's language (its words
        and its numbers: '0,658 [0,655; 0,661]' in Russian)."""
        lang = self.lang
        table = self.claims_table()
        statements = {c.id: c.text(lang) for c in self.registry.claims}
        shown = pd.DataFrame({
            gettext(lang, "explorer_id"): table["claim"],
            gettext(lang, "explorer_statement"): [statements.get(c, "") for c in table["claim"]],
            gettext(lang, "explorer_holds_column"): np.where(table["holds"], gettext(lang, "explorer_holds"),
                                                             gettext(lang, "explorer_fails")),
            gettext(lang, "explorer_p_holds"): [interval_text(p, low, high, lang=lang) for p, low, high in
                                                zip(table["p_holds"], table["p_holds_low"], table["p_holds_high"])],
            gettext(lang, "explorer_break_even"): table["break_even_text"],
            gettext(lang, "explorer_joint_flip"): [format_number(float(f"{v:.4g}"), lang) if pd.notna(v)
                                                   else gettext(lang, "explorer_none") for v in table["flip_max_change"]],
        })
        model = label(f"model_{self.noise}", lang)
        noise = (gettext(lang, "explorer_noise_with_h", model=model, h=format_number(self.half_width, lang))
                 if self.uses_half_width() else model)
        settings = gettext(lang, "explorer_settings", noise=noise, draws=ngettext(lang, "n_draws", self.draws),
                           seed=self.seed)
        moved = (", ".join(f"{i} = {format_number(s, lang)}" for i, s in self.moved().items())
                 or gettext(lang, "explorer_moved_none"))
        notes = "".join(f"<li>{_escape(n)}</li>" for n in self.registry.notes)
        return (f"<p><b>{_escape(gettext(lang, 'explorer_noise'))}:</b> {_escape(settings)} "
                f"<b>{_escape(gettext(lang, 'explorer_moved'))}:</b> {_escape(moved)}.</p>"
                + shown.to_html(index=False, escape=True, border=0)
                + (f"<ul>{notes}</ul>" if notes else ""))

    def png(self) -> bytes:
        """The figure as PNG bytes at screen resolution. Only what changed since the last picture is
        drawn again (:class:`repro.figures.redraw.PartialRedraw`): a move of one score repaints its
        arrow, its score and the totals, not the whole figure."""
        from PIL import Image

        fig = self.figure
        if fig.dpi != SCREEN_DPI:
            fig.set_dpi(SCREEN_DPI)
        pixels = self._picture.draw()
        image = Image.frombuffer("RGBA", fig.canvas.get_width_height(), pixels, "raw", "RGBA", 0, 1)
        out = io.BytesIO()
        image.convert("RGB").save(out, format="PNG", compress_level=1)  # speed over size: it is redrawn often
        return out.getvalue()

    # ------------------------------------------------------------ the notebook widget
    def widget(self, continuous: bool = False):
        """The explorer as an ipywidgets box: sliders, noise controls, the figure and the claims.

        ``continuous`` updates while a slider is dragged (each update takes about a tenth of a
        second); by default a slider updates when it is released.
        """
        import ipywidgets as w

        step = self.step
        texts = dict(zip(self.published["id"], item_text(self.published, self.lang)))
        self.sliders, self.readouts = {}, {}
        # The sliders' own readouts write numbers as d3 does (a decimal point in any language): each
        # value is shown instead beside its slider, as a reader of the explorer's language writes it.
        for force_id in self.published["id"]:
            slider = w.FloatSlider(value=self.scores[force_id], min=self.scale.minimum, max=self.scale.maximum,
                                   step=step, description=force_id, continuous_update=continuous, readout=False,
                                   tooltip=texts[force_id], layout=w.Layout(width="290px"))
            slider.observe(self._on_score(force_id), names="value")
            self.sliders[force_id] = slider
            self.readouts[force_id] = w.Label(self._shown(self.scores[force_id], step))
        low, high, h_step = self.half_width_range
        self.noise_menu = w.Dropdown(options=[(label(f"model_{m}", self.lang), m) for m in sensitivity.NOISE_MODELS],
                                     value=self.noise, description=gettext(self.lang, "explorer_noise_menu"))
        self.half_width_slider = w.FloatSlider(value=min(self.half_width, high), min=low, max=high, step=h_step,
                                               description="h", continuous_update=continuous, readout=False,
                                               disabled=not self.uses_half_width(), layout=w.Layout(width="250px"))
        self.half_width_readout = w.Label(self._shown(self.half_width_slider.value, h_step))
        # The noise does not show in the figure: changing it sends the table alone.
        self.noise_menu.observe(lambda change: self._update(lambda: self.set_noise(change["new"]), picture=False),
                                names="value")
        self.half_width_slider.observe(
            lambda change: self._update(lambda: self.set_half_width(change["new"]), picture=False), names="value")
        reset = w.Button(description=gettext(self.lang, "explorer_reset"))
        reset.on_click(lambda _: self._reset_sliders())
        self.image = w.Image(value=self.png(), format="png", layout=w.Layout(max_width="100%"))
        self.table = w.HTML(self.table_html())
        by_side = [w.VBox([w.HTML(f"<b>{_escape(label(side, self.lang))}</b>")]
                          + [w.HBox([self.sliders[i], self.readouts[i]]) for i in
                             self.published.loc[self.published["direction"] == side, "id"]])
                   for side in ("driving", "restraining")]
        controls = w.HBox(by_side + [w.VBox([self.noise_menu, w.HBox([self.half_width_slider, self.half_width_readout]),
                                             reset])])
        return w.VBox([controls, self.image, self.table])

    def _shown(self, value: float, step: float) -> str:
        """A slider's value as a reader of the explorer's language writes it, with the step's decimals."""
        return format_number(value, self.lang, _decimals(step))

    def _on_score(self, force_id: str):
        decimals = _decimals(self.step)

        def moved(change):
            if not self._syncing:
                # A slider's value is min + k x step in binary floats (3.2000000000000006): read it as
                # the number it shows, since equal scores tie and 3.2 must equal a published 3.2.
                self._update(lambda: self.set_score(force_id, round(change["new"], decimals)))
        return moved

    def _update(self, change, picture: bool = True):
        """Apply ``change``, then give the front end what it changed, one message per widget: the
        picture (unless ``picture`` is False: the change does not show in it) and the claims table."""
        change()
        for force_id, readout in self.readouts.items():
            readout.value = self._shown(self.scores[force_id], self.step)
        self.half_width_readout.value = self._shown(self.half_width, self.half_width_range[2])
        self.half_width_slider.disabled = not self.uses_half_width()
        if picture:
            self.image.value = self.png()
        self.table.value = self.table_html()

    def _reset_sliders(self):
        self.reset()
        self._syncing = True  # the sliders follow the scores; their callbacks must not fire one by one
        try:
            for force_id, slider in self.sliders.items():
                slider.value = self.scores[force_id]
        finally:
            self._syncing = False
        self._update(lambda: None)


def _decimals(step: float) -> int:
    """Decimals a readout needs to show every multiple of ``step``."""
    text = f"{step:.10f}".rstrip("0")
    return max(len(text.split(".")[1]) if "." in text else 0, 0)


def _escape(text: str) -> str:
    import html
    return html.escape(str(text))
