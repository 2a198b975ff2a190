"""Figures: drawn from data, Cyrillic without missing glyphs, one type size per role, every text inside
the canvas and inside its own box, the same bytes every run, and the sensitivity figures' numbers
worked by hand."""

import hashlib
import warnings
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text

from repro import load_analysis, paths
from repro.data.codebook import Scale
from repro.figures import sensitivity as sens_figures
from repro.methods.intervals import wilson
from repro.methods.montecarlo import NetHistogram
from repro.figures.common import (MIN_SIZE, SIZE_STEP, TextRole, box_height, new_figure, save_figure, text_box,
                                  text_role, wrap_to_width)
from repro.figures.compare import plot_comparison
from repro.figures.force_field import ForceFieldPlot, plot_force_field
from repro.figures.lotus import plot_lotus_canonical, plot_lotus_published
from repro.figures.swot import plot_swot
from repro.labels import label
from repro.methods.lotus import PETAL_POSITIONS

PAPER = load_analysis()
TUTORIAL = load_analysis(paths.EXAMPLES / "tutorial")

# ---------------------------------------------------------------- the cases every figure is checked on
LONG = ("очень длинная формулировка предложения, которую студент написал целиком, со всеми оговорками, "
        "примерами и уточнениями, чтобы ничего не потерять при переносе в таблицу")


def long_case() -> dict:
    """A student's case at the limits: 8 forces a side, 8 lotus blocks of 8 proposals, long texts."""
    forces = [(f"D{i}", "driving", (i % 5) + 0.5, f"движущая сила {i}: " + LONG[:110], f"O{i}") for i in range(1, 9)]
    forces += [(f"R{i}", "restraining", (i * 3) % 10 / 2, f"барьер {i}: " + LONG[:120], f"T{i}") for i in range(1, 9)]
    forces = pd.DataFrame(forces, columns=["id", "direction", "score", "text", "swot_id"]).assign(text_en="")
    cells = [(r, c) for r in (1, 2, 3) for c in (1, 2, 3) if (r, c) != (2, 2)]
    lotus = pd.DataFrame([(f"P{b}{k}", f"R{b}", b, *cells[k], f"{k + 1}) {LONG}") for b in range(1, 9) for k in range(8)],
                         columns=["id", "centre_id", "block", "cell_row", "cell_col", "text"]).assign(text_en="")
    swot = pd.DataFrame([(f"{q}{n}", q, n, LONG) for q in "SWOT" for n in range(1, 9)],
                        columns=["id", "quadrant", "number", "text"]).assign(text_en="")
    changes = pd.DataFrame([(f"C{i}", LONG, i) for i in range(1, 9)], columns=["id", "text", "published_row"]).assign(text_en="")
    statements = {f"claim_{k}": f"утверждение номер {k}: " + LONG for k in range(1, 11)}  # ten claims, the most panels
    return dict(lang="ru", swot=swot, forces=forces, changes=changes, lotus=lotus, theme=LONG, scale=Scale(0, 5),
                statements=statements)


def analysis_case(analysis, lang: str) -> dict:
    from repro.methods.claims import claims_for
    claims = claims_for(analysis).claims
    return dict(lang=lang, swot=analysis.swot, forces=analysis.forces, changes=analysis.changes, lotus=analysis.lotus,
                theme=analysis.caption("lotus", lang), scale=analysis.scale,
                statements={c.id: c.text(lang) for c in claims})


def template_case() -> dict:
    """The smallest case: what `repro template` writes (one force a side, one lotus block), a
    student's starting point; short plots put their legends close to the x label."""
    import tempfile

    from repro.pipeline.template import write_template

    with tempfile.TemporaryDirectory() as folder:
        write_template(Path(folder) / "case")
        return analysis_case(load_analysis(Path(folder) / "case"), "en")


CASES = {
    "paper-ru": lambda: analysis_case(PAPER, "ru"),
    "paper-en": lambda: analysis_case(PAPER, "en"),
    "tutorial-en": lambda: analysis_case(TUTORIAL, "en"),
    "tutorial-ru": lambda: analysis_case(TUTORIAL, "ru"),
    "long-texts-8-blocks": long_case,
    "template-en": template_case,
}


def _sensitivity_inputs(case: dict) -> dict:
    """Tables shaped like the sensitivity analysis's, made up from the case's forces and claims (what
    is tested here is the drawing, not the numbers)."""
    forces, scale = case["forces"], case["scale"]
    sign = np.where(forces["direction"] == "driving", 1.0, -1.0)
    net = float(forces["score"].to_numpy() @ sign)
    claims = list(case["statements"])
    widths = np.linspace(0.02, 0.2, 5) * (scale.maximum - scale.minimum)
    curves = pd.DataFrame([("uniform", h, c, p, *wilson(p * 20000, 20000))
                           for k, c in enumerate(claims) for h, p in zip(widths, np.linspace(1, 0.4 + 0.05 * k, 5))],
                          columns=["model", "half_width", "claim", "p_holds", "p_holds_low", "p_holds_high"])
    levels = pd.DataFrame([(m, c, p) for c in claims for m, p in (("integer", 0.45), ("ordinal", 0.51), ("dirichlet", 0.52))],
                          columns=["model", "claim", "p_holds"])
    convergence = pd.DataFrame([(n, c, p, *wilson(p * n, n)) for c, p in zip(claims, np.linspace(1, 0.3, len(claims)))
                                for n in (1000, 2000, 5000, 10_000, 20_000)],
                               columns=["draws", "claim", "p_holds", "p_holds_low", "p_holds_high"])
    rows = {}
    for side in ("driving", "restraining"):
        ids = forces.loc[forces["direction"] == side, "id"]
        for i in ids:
            rows[i] = [1 / len(ids) if r < len(ids) else np.nan for r in range(max(forces["direction"].value_counts()))]
    acceptability = pd.DataFrame.from_dict(rows, orient="index", columns=[f"rank {r + 1}" for r in range(len(next(iter(rows.values()))))])
    drop = pd.DataFrame({"dropped": forces["id"], "direction": forces["direction"], "net": net - sign * forces["score"]})
    # Every claim bears on every force, flipping it a little further up the scale for each claim in turn;
    # past the scale's top, no change of that score flips it (NaN).
    break_even = pd.DataFrame([(c, f.id, True, (k + 1) * 0.4, f.score + (k + 1) * 0.4, 1)
                               for k, c in enumerate(claims) for f in forces.itertuples()],
                              columns=["claim", "force", "holds", "change_needed", "flips_at", "direction"])
    beyond = break_even["flips_at"] > scale.maximum
    break_even.loc[beyond, ["change_needed", "flips_at"]] = np.nan
    return dict(net=net, curves=curves, levels=levels, acceptability=acceptability, drop=drop, convergence=convergence,
                histogram=net_histogram(np.random.default_rng(0).normal(net, 1, 20_000)), break_even=break_even)


def net_histogram(sample):
    """A NetHistogram of ``sample`` (the Monte Carlo's counts, as the engine keeps them)."""
    histogram = NetHistogram.for_range(float(sample.min()), float(sample.max()))
    histogram.add(np.asarray(sample, dtype=float))
    return histogram


def _raters(case: dict) -> pd.DataFrame:
    if case["forces"] is PAPER.forces or case["forces"].equals(PAPER.forces):
        from repro.methods.compare import load_rater_scores
        return load_rater_scores(paths.EXAMPLES / "rater_scores.csv", PAPER)
    scores = case["forces"].set_index("id")["score"]
    scale = case["scale"]
    return pd.DataFrame({"rater with a long name": (scores + 0.5).clip(scale.minimum, scale.maximum),
                         "второй эксперт": (scores - 0.5).clip(scale.minimum, scale.maximum)}).T


def _fig(drawn):
    return drawn if hasattr(drawn, "savefig") else drawn.figure


FIGURES = {
    "swot": lambda c: plot_swot(c["swot"], c["forces"], lang=c["lang"]),
    "force_field": lambda c: plot_force_field(c["forces"], c["changes"], scale_max=c["scale"].maximum, lang=c["lang"]),
    "force_field_sorted": lambda c: plot_force_field(c["forces"], c["changes"], scale_max=c["scale"].maximum,
                                                     lang=c["lang"], sort=True),
    "force_field_whiskers": lambda c: plot_force_field(
        c["forces"], c["changes"], scale_max=c["scale"].maximum, lang=c["lang"],
        whiskers=c["forces"].assign(low=(c["forces"]["score"] - 0.45).clip(lower=0),
                                    high=(c["forces"]["score"] + 0.45).clip(upper=c["scale"].maximum))),
    "lotus_published": lambda c: plot_lotus_published(c["lotus"], c["forces"], lang=c["lang"]),
    "lotus_canonical": lambda c: plot_lotus_canonical(c["lotus"], c["forces"], c["theme"], lang=c["lang"]),
    "robustness": lambda c: sens_figures.plot_robustness_curves(
        (s := _sensitivity_inputs(c))["curves"], s["levels"], statements=c["statements"],
        published={k: True for k in c["statements"]}, lang=c["lang"]),
    "break_even": lambda c: sens_figures.plot_break_even(_sensitivity_inputs(c)["break_even"], c["forces"], c["scale"],
                                                         statements=c["statements"], lang=c["lang"]),
    "net_histogram": lambda c: sens_figures.plot_net_histogram((s := _sensitivity_inputs(c))["histogram"], s["net"],
                                                               lang=c["lang"]),
    "convergence": lambda c: sens_figures.plot_convergence(_sensitivity_inputs(c)["convergence"], lang=c["lang"]),
    "rank_heatmap": lambda c: sens_figures.plot_rank_heatmap(_sensitivity_inputs(c)["acceptability"], lang=c["lang"],
                                                            forces=c["forces"]),
    "drop_one": lambda c: sens_figures.plot_drop_one((s := _sensitivity_inputs(c))["drop"], lang=c["lang"],
                                                     published_net=s["net"], forces=c["forces"]),
    "compare": lambda c: plot_comparison(_raters(c), c["forces"], lang=c["lang"], scale=c["scale"]),
}


def drawn_texts(fig) -> list[Text]:
    """Every text the renderer actually draws (visible, non-empty, inside the axes' view), found by
    watching Text.draw during a full draw of the figure."""
    seen = []
    original = Text.draw

    def spy(self, renderer):
        if self.get_visible() and self.get_text():
            seen.append(self)
        return original(self, renderer)
    with mock.patch.object(Text, "draw", spy):
        fig.canvas.draw()
    return seen


def assert_texts_fit(fig) -> list[Text]:
    """Every drawn text inside the canvas and inside the box it was set in; one size per role."""
    texts = drawn_texts(fig)
    renderer = fig.canvas.get_renderer()
    canvas = fig.bbox
    tolerance = 1.0  # pixel
    sizes: dict[str, set] = {}
    for text in texts:
        extent = Text.get_window_extent(text, renderer)  # the text's own extent (an annotation's arrow aside)
        shown = text.get_text().replace("\n", " ")[:60]
        assert extent.x0 >= canvas.x0 - tolerance and extent.x1 <= canvas.x1 + tolerance, f"cut by the canvas: {shown!r}"
        assert extent.y0 >= canvas.y0 - tolerance and extent.y1 <= canvas.y1 + tolerance, f"cut by the canvas: {shown!r}"
        box = text_box(text)
        if box is not None:
            assert extent.x0 >= box.x0 - tolerance and extent.x1 <= box.x1 + tolerance, f"out of its box: {shown!r}"
            assert extent.y0 >= box.y0 - tolerance and extent.y1 <= box.y1 + tolerance, f"out of its box: {shown!r}"
        if text_role(text):
            sizes.setdefault(text_role(text), set()).add(text.get_fontsize())
    for role, found in sizes.items():
        assert len(found) == 1, f"role {role!r} is set in {len(found)} sizes: {sorted(found)}"
    return texts


def draw(figure: str, case: str):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)"; nothing else may warn
        return _fig(FIGURES[figure](CASES[case]()))


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("figure", list(FIGURES))
def test_every_text_fits_the_canvas_and_its_box_with_one_size_per_role(figure, case):
    fig = draw(figure, case)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        texts = assert_texts_fit(fig)
    assert texts, "the figure shows no text"


# ---------------------------------------------------------------- the typography itself
def test_a_role_sets_every_text_at_the_size_its_longest_text_allows():
    fig, ax = new_figure(4, 2)
    ax.set_xlim(0, 2)
    ax.set_ylim(0, 1)
    short, long = "Публикации в СМИ", "Строгое соблюдение конституционных прав при проведении политики цифровизации"
    role = TextRole(ax, "proposal", 14)
    role.add(short, (0, 0, 1, 1))
    role.add(long, (1, 0, 2, 1))
    first, second = role.draw()
    assert first.get_fontsize() == second.get_fontsize() == role.size
    # Alone, each text gets its own largest size: the short one a larger one, the long one the same.
    alone = {}
    for text in (short, long):
        _, own_ax = new_figure(2, 2)
        own_ax.set_xlim(0, 1)
        own_ax.set_ylim(0, 1)
        one = TextRole(own_ax, "alone", 14)
        one.add(text, (0, 0, 1, 1))
        one.draw()
        alone[text] = one.size
    assert alone[long] == role.size < alone[short]
    assert MIN_SIZE <= role.size <= 14 and (role.size - MIN_SIZE) % SIZE_STEP == 0
    assert_texts_fit(fig)


def test_a_box_as_tall_as_box_height_holds_its_text_at_that_size():
    text = "Повышение атак социальной инженерии и скимминга, которые могут привести к потере данных"
    for size in (8.0, 11.0):
        height_pt = box_height(text, 200, size)
        fig, ax = new_figure(200 / 72, height_pt / 72)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        role = TextRole(ax, "item", size)
        role.add(text, (0, 0, 1, 1))
        role.draw()
        assert role.size == size
        assert_texts_fit(fig)


def test_a_text_too_long_for_its_box_even_at_the_smallest_size_ends_with_an_ellipsis_inside_it():
    fig, ax = new_figure(1, 0.5)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    role = TextRole(ax, "cell", 9)
    role.add(LONG * 3 + " Донауфершифффартсгезельшафтскапитан", (0, 0, 1, 1))
    (artist,) = role.draw()
    assert role.size == MIN_SIZE
    assert artist.get_text().endswith("…")
    assert_texts_fit(fig)


def test_wrapping_is_balanced_and_keeps_every_word():
    text = "Обязать трансляцию Правительственных заседаний через все телеканалы, социальные сети и др."
    wrapped = wrap_to_width(text, 150, 10)
    lines = wrapped.split("\n")
    assert " ".join(lines) == text
    assert len(lines) > 1 and len(lines[-1]) > 8  # no lone "и др." left on the last line


# ---------------------------------------------------------------- what each figure shows
def test_force_field_figure_shows_scores_and_totals():
    ax = plot_force_field(PAPER.forces, PAPER.changes, scale_max=5, lang="en")
    shown = [t.get_text() for t in ax.texts]
    for score in ("5", "3.2", "0.6", "2.5", "3", "4", "1.5"):
        assert score in shown
    # 5 + 3.2 + 0.6 + 2.5 = 11.3; 3 + 4 + 3 + 1.5 = 11.5; 11.3 - 11.5 = -0.2
    assert any("11.3" in s for s in shown) and any("11.5" in s for s in shown) and any(s.endswith(": \u22120.2") for s in shown)
    assert label("verdict_restraining", "en") in shown


def _column_order(ax, role: str, x_max: float) -> list[str]:
    texts = [t for t in ax.texts if text_role(t) == role and t.get_position()[0] < x_max]
    return [t.get_text().split(".")[0] for t in sorted(texts, key=lambda t: -t.get_position()[1])]


def test_sorted_force_field_puts_strongest_first():
    plot = ForceFieldPlot(PAPER.forces, PAPER.changes, scale_max=5, lang="en", sort=True)
    assert _column_order(plot.ax, "item", plot.x_centre) == ["D1", "D2", "D4", "D3"]  # 5 > 3.2 > 2.5 > 0.6
    # The changes stand in the table's rows (C1 beside D1 and R1): a ranking would set C1 beside R2.
    # The changes are named by their ids, in their rows (their texts are in the table beside the figure).
    shown = [t.get_text() for t in plot.ax.texts]
    assert "C1" not in shown and not any(s.startswith("C1,") for s in shown)
    unsorted = [t.get_text() for t in ForceFieldPlot(PAPER.forces, PAPER.changes, scale_max=5, lang="en").ax.texts]
    assert "C1" in unsorted and not any(s.startswith("C1.") for s in unsorted)


def test_a_score_too_short_for_its_arrow_is_written_beside_it():
    plot = ForceFieldPlot(PAPER.forces, PAPER.changes, scale_max=5, lang="en")
    scores = {t.get_text(): t for t in plot.ax.texts if text_role(t) == "score"}
    # 0.6 of 5 points is 0.32 inch of arrow, most of it head: the score sits outside, left of the tail.
    assert scores["0.6"].get_color() != "white" and scores["0.6"].get_position()[0] < plot.x_centre - 0.6 * plot.unit
    assert scores["3.2"].get_color() == "white"


def test_new_scores_redraw_only_the_arrows_and_the_totals():
    plot = ForceFieldPlot(PAPER.forces, PAPER.changes, scale_max=5, lang="en")
    static = [t for t in plot.ax.texts if t not in plot.dynamic_artists]
    plot.set_scores({"R2": 3.8})  # 11.3 against 11.3: a tie
    assert all(t in plot.ax.texts for t in static)
    scores = sorted(t.get_text() for t in plot.ax.texts if text_role(t) == "score")
    assert scores == sorted(["5", "3.2", "0.6", "2.5", "3", "3.8", "3", "1.5"])
    assert label("verdict_tie", "en") in [t.get_text() for t in plot.ax.texts]
    assert_texts_fit(plot.ax.figure)


def test_a_force_field_without_scores_lists_its_forces_and_says_so():
    unscored = TUTORIAL.forces.assign(score=np.nan)
    ax = plot_force_field(unscored, TUTORIAL.changes, scale_max=5, lang="en")
    assert not [t for t in ax.texts if text_role(t) == "score"] and not ax.patches[len(TUTORIAL.changes):]
    assert label("no_scores", "en") in [t.get_text() for t in ax.texts]
    assert_texts_fit(ax.figure)


def test_the_canonical_lotus_is_cropped_to_its_blocks_and_its_theme_is_never_blank():
    # The tutorial has 2 blocks: petals top and right of the theme, so block rows 0-1 and columns 1-2.
    assert len(TUTORIAL.lotus["block"].unique()) == 2 and PETAL_POSITIONS[:2] == ((0, 1), (1, 2))
    ax = plot_lotus_canonical(TUTORIAL.lotus, TUTORIAL.forces, "", lang="en")
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert (round(x1 - x0), round(y1 - y0)) == (6, 6)  # a 6x6 view, not 9x9
    assert ax.figure.get_figwidth() == pytest.approx(ax.figure.get_figheight())
    themes = [t.get_text() for t in ax.texts if text_role(t) == "theme"]
    assert themes == [label("theme", "en")]
    paper = plot_lotus_canonical(PAPER.lotus, PAPER.forces, PAPER.caption("lotus", "ru"))
    assert round(paper.get_xlim()[1] - paper.get_xlim()[0]) == 9  # four petals: the full cross


def test_the_published_lotus_keeps_every_proposal_and_one_size_per_role():
    ax = plot_lotus_published(PAPER.lotus, PAPER.forces, lang="ru")
    proposals = [t for t in ax.texts if text_role(t) == "proposal"]
    def letters(text):  # a line may break after a hyphen, where the text has no space
        return "".join(text.split())
    assert sorted(letters(t.get_text()) for t in proposals) == sorted(letters(t) for t in PAPER.lotus["text"])
    assert len({t.get_fontsize() for t in proposals}) == 1


def test_a_lotus_with_more_than_eight_blocks_is_refused():
    case = long_case()
    lotus = pd.concat([case["lotus"], case["lotus"].assign(block=9, centre_id="D1")])
    with pytest.raises(ValueError, match="at most 8 petals"):
        plot_lotus_canonical(lotus, case["forces"], "")


def test_break_even_chart_shows_each_force_its_score_and_where_each_claim_flips():
    from repro.methods.claims import claims_for
    from repro.methods.sensitivity import break_even

    claims = claims_for(PAPER).claims
    table = break_even(claims, PAPER.forces, PAPER.scale)
    ax = sens_figures.plot_break_even(table, PAPER.forces, PAPER.scale, lang="en",
                                      statements={c.id: c.text("en") for c in claims})
    # Rows by side, then by score: D1 5, D2 3.2, D4 2.5, D3 0.6; R2 4, R1 3, R3 3 (file order), R4 1.5;
    # each named by its id and a short text.
    rows = [t.get_text() for t in sorted(ax.get_yticklabels(), key=lambda t: -t.get_position()[1])]
    assert [r.split(" · ")[0] for r in rows] == ["D1", "D2", "D4", "D3", "R2", "R1", "R3", "R4"]
    assert rows[0] == "D1 · Proactive services"
    # The balance (restraining outweighs, net -0.2) flips when D2 rises by 0.2 to 3.4 (worked in the
    # paper's README): a hollow marker at 3.4 on D2's row, joined to its score 3.2.
    y_of = {r.split(" · ")[0]: t.get_position()[1] for r, t in zip(rows, sorted(ax.get_yticklabels(),
                                                                                 key=lambda t: -t.get_position()[1]))}
    markers = [(float(line.get_xdata()[0]), float(line.get_ydata()[0])) for line in ax.lines
               if len(line.get_xdata()) == 1 and line.get_markerfacecolor() == "white"]
    assert (pytest.approx(3.4), y_of["D2"]) in [(x, y) for x, y in markers]
    # D1 (5, the top of 0-5) cannot flip the balance upwards: no marker for the balance on D1 at 5.2.
    assert all(x <= PAPER.scale.maximum for x, _ in markers)
    # The scale behind every row: the room each score has.
    (track,) = [c for c in ax.collections if len(c.get_segments()) == 8]
    assert {tuple(np.round(seg[:, 0], 9)) for seg in track.get_segments()} == {(0.0, 5.0)}
    # One legend entry per claim that some single score can flip, by its statement.
    legend = [t.get_text() for t in ax.figure.legends[0].get_texts()]
    assert any(t.startswith("The restraining side outweighs") for t in legend)
    assert not any("Driving forces are the opportunities" in t for t in legend)  # the chain: no score flips it


def test_net_histogram_states_how_often_each_side_wins():
    # 10 draws: 6 driving wins, 3 restraining wins, 1 tie, each with its Wilson interval (scipy's
    # binomtest(6, 10).proportion_ci(method="wilson") is [0.313, 0.832]).
    ax = sens_figures.plot_net_histogram(net_histogram(np.array([2.0] * 6 + [-1.0] * 3 + [0.0])), -0.2, lang="en")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "P(driving side wins) = 0.600 [0.313, 0.832]" in legend
    assert "P(restraining side wins) = 0.300 [0.108, 0.603]" in legend
    assert "P(tie) = 0.100 [0.018, 0.404]" in legend
    assert "published net −0.2" in legend
    # Bars left of 0 are the restraining colour, right of it the driving colour.
    colours = {round(p.get_x() + p.get_width() / 2, 6) > 0: p.get_facecolor() for p in ax.patches if p.get_height() > 0}
    assert colours[True] != colours[False]


def test_a_reference_level_of_1_is_labelled_by_the_bound_of_its_interval():
    # A level held in all 20,000 draws: Wilson's lower bound 0.99981 -> "> 0,99", never "1,00".
    case = analysis_case(PAPER, "ru")
    inputs = _sensitivity_inputs(case)
    claim = next(iter(case["statements"]))
    levels = pd.DataFrame([("ordinal", claim, 1.0, *wilson(20000, 20000)), ("integer", claim, 0.45, *wilson(9000, 20000))],
                          columns=["model", "claim", "p_holds", "p_holds_low", "p_holds_high"])
    fig = sens_figures.plot_robustness_curves(inputs["curves"], levels, statements=case["statements"], lang="ru")
    texts = {t.get_text() for ax in fig.axes for t in ax.texts}
    assert {"> 0,99", "0,45"} <= texts and "1,00" not in texts


def test_robustness_has_a_panel_per_claim_with_lines_only_for_models_that_have_a_width():
    case = analysis_case(PAPER, "en")
    inputs = _sensitivity_inputs(case)
    fig = sens_figures.plot_robustness_curves(inputs["curves"], inputs["levels"], statements=case["statements"], lang="en")
    panels = [ax for ax in fig.axes if ax.axison]
    assert len(panels) == len(case["statements"])
    for ax in panels:
        curves = [line for line in ax.lines if len(line.get_xdata()) > 2]
        assert len(curves) == 1  # uniform: the one model with a width
        levels = [line for line in ax.lines if line.get_linestyle() == "--"]
        assert sorted(line.get_ydata()[0] for line in levels) == [0.45, 0.51, 0.52]
        assert {t.get_text() for t in ax.texts} == {"0.45", "0.51", "0.52"}
        # A panel is titled by its claim's statement (with a capital), never by the claim's id (a code key).
        title = ax.get_title().replace("\n", " ")
        assert title in {s[:1].upper() + s[1:] for s in case["statements"].values()}, title


def test_compare_draws_every_rater_and_the_published_scores():
    raters = _raters(analysis_case(PAPER, "en"))
    ax = plot_comparison(raters, PAPER.forces, lang="en", scale=PAPER.scale)
    assert len(ax.collections) == len(raters) + 1
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["published", *raters.index]
    # Rows by id and a short text (the issue: ids alone sent a reader to look the names up elsewhere).
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "D1 (driving) · Proactive services"


def test_plot_functions_use_the_axes_they_are_given():
    fig, ax = new_figure(12, 9)
    assert plot_swot(PAPER.swot, PAPER.forces, ax=ax) is ax


@pytest.mark.parametrize("figure, fmt", [("force_field", "png"), ("force_field", "svg"), ("force_field", "pdf"),
                                         ("lotus_canonical", "pdf"), ("robustness", "png")])
def test_saved_figures_are_byte_identical_across_runs(tmp_path, fmt, figure):
    digests = []
    for run in range(2):
        (path,) = save_figure(draw(figure, "paper-ru"), tmp_path / f"run{run}" / figure, [fmt])
        digests.append(hashlib.sha256(path.read_bytes()).hexdigest())
    assert digests[0] == digests[1]


def _embedded_fonts(pdf: bytes) -> list:
    """The TrueType fonts embedded in a PDF written by matplotlib (each a FontFile2 stream, Flate-compressed)."""
    import io
    import re
    import zlib

    from fontTools.ttLib import TTFont

    fonts = []
    for number in re.findall(rb"/FontFile2 (\d+) 0 R", pdf):
        obj = re.search(rb"\n" + number + rb" 0 obj\s*<<(.*?)>>\s*stream\r?\n", pdf, re.S)
        length = int(re.search(rb"/Length (\d+)", obj.group(1)).group(1))
        stream = pdf[obj.end():obj.end() + length]
        fonts.append(TTFont(io.BytesIO(zlib.decompress(stream))))
    return fonts


def test_pdf_embeds_its_fonts_as_truetype_with_the_cyrillic_glyphs(tmp_path):
    (pdf,) = save_figure(draw("force_field", "paper-ru"), tmp_path / "force_field", ["pdf"])
    fonts = _embedded_fonts(pdf.read_bytes())
    assert fonts, "the PDF embeds its fonts (Type 42)"
    for font in fonts:
        assert {"glyf", "loca", "hmtx", "cmap"} <= set(font.keys())
    # The Cyrillic of the published forces is there as glyphs: "Д" from "Движущие" among them.
    assert any(ord("Д") in font.getBestCmap() or "uni0414" in font.getGlyphOrder() for font in fonts)


@pytest.mark.parametrize("figure", list(FIGURES))
def test_a_finished_figure_is_drawn_once_per_save(tmp_path, figure):
    # While a figure keeps a layout engine (even matplotlib's placeholder), every save first draws it
    # once without output, then again for the file: a third of the time of saving, for nothing.
    from matplotlib.figure import Figure

    fig = draw(figure, "paper-ru")
    assert fig.get_layout_engine() is None, "the layout is done when the figure is returned, and frozen"
    drawn = []
    original = Figure.draw

    def counting(self, renderer):
        drawn.append(type(renderer).__name__)
        return original(self, renderer)
    with mock.patch.object(Figure, "draw", counting):
        save_figure(fig, tmp_path / figure, ["png", "pdf"])
    assert len(drawn) == 2, drawn  # one for the PNG, one for the PDF


def test_a_matplotlibrc_that_asks_for_a_layout_engine_does_not_bring_one_back():
    import matplotlib

    from repro.figures.common import freeze_layout, new_plot_figure

    fig = new_plot_figure(4, 3)
    fig.add_subplot().set_title("title")
    with matplotlib.rc_context({"figure.autolayout": True, "figure.constrained_layout.use": True}):
        freeze_layout(fig)
    assert fig.get_layout_engine() is None


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("figure", ["break_even", "net_histogram", "drop_one"])
def test_a_legend_under_the_plot_stays_clear_of_the_x_axis_texts(figure, case):
    # An anchor in axes fractions put the legend on the x label of a plot of one or two forces.
    fig = draw(figure, case)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    (ax,) = fig.axes
    legend = (ax.get_legend() or fig.legends[0]).get_window_extent(renderer)
    for text in [ax.xaxis.label, *ax.get_xticklabels()]:
        if text.get_visible() and text.get_text():
            assert legend.y1 < text.get_window_extent(renderer).y0, f"the legend covers {text.get_text()!r}"


# ---------------------------------------------------------------- print size, greyscale, honest extremes
_DRAWN: dict = {}


def drawn(figure: str, case: str):
    """A figure drawn once per test session for the tests that only read it."""
    if (figure, case) not in _DRAWN:
        _DRAWN[(figure, case)] = draw(figure, case)
    return _DRAWN[(figure, case)]


MM = 72 / 25.4  # points per millimetre


def pdf_page_and_text_sizes(path) -> tuple[float, float, list[tuple[float, str]]]:
    """A PDF's page width and height (points) and every text's size as printed: the size set by Tf
    scaled by the text matrix and the current transformation (pypdf's text visitor)."""
    from pypdf import PdfReader

    (page,) = PdfReader(path).pages
    sizes = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            a, b, c, d = (tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3],
                          tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3])
            sizes.append((size * abs(a * d - b * c) ** 0.5, text))
    page.extract_text(visitor_text=visit)
    return float(page.mediabox.width), float(page.mediabox.height), sizes


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("figure", list(FIGURES))
def test_every_pdf_prints_at_180_mm_by_240_mm_at_most_with_no_text_under_7_pt(tmp_path, figure, case):
    # Read from the PDF itself, as a printer does: the page's size and the size of every text on it.
    # (The figures were drawn 11-14 inches wide with 7-8 pt type: at 180 mm the force field's labels
    # printed at 3.7 pt.)
    (pdf,) = save_figure(drawn(figure, case), tmp_path / figure, ["pdf"])
    width, height, sizes = pdf_page_and_text_sizes(pdf)
    assert width <= 180 * MM + 0.5 and height <= 240 * MM + 0.5, (width / MM, height / MM)
    assert sizes, "the PDF holds no text"
    smallest = min(sizes)
    assert smallest[0] >= 7 - 0.01, f"{smallest[1]!r} prints at {smallest[0]:.2f} pt"


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("figure", list(FIGURES))
def test_every_figure_keeps_a_margin_inside_its_canvas(figure, case):
    # The SWOT and published lotus drew their frames on the canvas's edge, where they print at half
    # their width: a border of the canvas must be blank.
    fig = drawn(figure, case)
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())[:, :, :3]
    border = 3  # pixels at the figure's resolution
    edges = np.concatenate([pixels[:border].reshape(-1, 3), pixels[-border:].reshape(-1, 3),
                            pixels[:, :border].reshape(-1, 3), pixels[:, -border:].reshape(-1, 3)])
    assert (edges >= 250).all(), "something is drawn on the canvas's edge"


def lightness(colour) -> float:
    """CIE L* of an sRGB colour (D65): 116 f(Y) - 16, Y the relative luminance (IEC 61966-2-1's
    linearisation, then Rec. 709's weights)."""
    from matplotlib.colors import to_rgb

    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour)]
    y = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    f = y ** (1 / 3) if y > 216 / 24389 else (24389 / 27 * y + 16) / 116
    return 116 * f - 16


def test_lightness_is_worked_by_hand():
    # White is L* 100, black 0; mid grey #777777 (sRGB 119) is L* 50.0 (CIE's own example value).
    assert lightness("white") == pytest.approx(100) and lightness("black") == pytest.approx(0)
    assert lightness("#777777") == pytest.approx(50.03, abs=0.05)


def test_the_two_sides_differ_in_lightness_by_at_least_20():
    # The old blue and red had L* 44.9 and 45.0: identical in greyscale.
    from repro.figures.force_field import DRIVING_COLOUR, RESTRAINING_COLOUR, TIE_COLOUR

    assert abs(lightness(DRIVING_COLOUR) - lightness(RESTRAINING_COLOUR)) >= 20
    assert min(abs(lightness(TIE_COLOUR) - lightness(c)) for c in (DRIVING_COLOUR, RESTRAINING_COLOUR)) >= 10


def _grey_of_swatch(fig, colour) -> float:
    """The grey level (0-255) the figure's pixels of ``colour`` turn into in greyscale (PIL's "L")."""
    from matplotlib.colors import to_rgb
    from PIL import Image

    fig.canvas.draw()
    rgb = np.asarray(fig.canvas.buffer_rgba())[:, :, :3]
    target = np.round(np.array(to_rgb(colour)) * 255)
    hits = np.all(np.abs(rgb.astype(int) - target) <= 2, axis=-1)
    assert hits.sum() > 20, f"no swatch of {colour} in the figure"
    grey = np.asarray(Image.fromarray(rgb).convert("L"))
    return float(np.median(grey[hits]))


@pytest.mark.parametrize("figure", ["force_field", "net_histogram", "break_even", "drop_one"])
def test_in_greyscale_the_two_sides_swatches_stay_apart(figure):
    from repro.figures.force_field import DRIVING_COLOUR, RESTRAINING_COLOUR

    fig = drawn(figure, "paper-ru")
    driving, restraining = _grey_of_swatch(fig, DRIVING_COLOUR), _grey_of_swatch(fig, RESTRAINING_COLOUR)
    assert abs(driving - restraining) >= 40, (driving, restraining)  # of 255: about 20 L*


def test_noise_models_and_raters_differ_by_line_style_and_marker_not_colour_alone():
    from repro.figures.compare import RATER_MARKERS

    styles = sens_figures.MODEL_STYLES
    assert len({str(s["ls"]) for s in styles.values()}) == len(styles)
    assert len({s["marker"] for s in styles.values()}) == len(styles)
    ax = plot_comparison(_raters(analysis_case(PAPER, "en")), PAPER.forces, lang="en", scale=PAPER.scale)
    raters = [h for h in ax.get_legend().legend_handles][1:]
    assert len({h.get_marker() for h in raters}) == len(raters) <= len(RATER_MARKERS)


def test_a_probability_of_0_or_1_is_shown_with_its_bound_never_plus_minus_zero():
    # 20,000 draws, all one way: Wilson's interval is [0.99981, 1] (z²/(N + z²) = 3.84/20003.84 = 0.000192).
    low, high = wilson(20_000, 20_000)
    assert sens_figures.probability_text("P(x)", 1.0, low, high, "en") == "P(x) > 0.999"
    low, high = wilson(0, 20_000)
    assert sens_figures.probability_text("P(x)", 0.0, low, high, "ru") == "P(x) < 0,001"
    assert sens_figures.probability_text("P(x)", 0.6, *wilson(6, 10), "en") == "P(x) = 0.600 [0.313, 0.832]"


def test_the_net_histogram_has_no_legend_entry_for_an_outcome_no_draw_had():
    # 5 draws, all driving wins: P > bound for it, no entry for the restraining side or the tie (the old
    # legend showed "P(tie) = 0.000 ± 0.000"), and a note saying which outcomes no draw gave.
    ax = sens_figures.plot_net_histogram(net_histogram(np.array([1.0, 2.0, 1.5, 0.5, 2.5])), 1.0, lang="en",
                                         noise="Noise: uniform ±h, h = 0.5, on the scale 0–5")
    legend = ax.get_legend()
    entries = [t.get_text() for t in legend.get_texts()]
    assert entries[0].startswith("P(driving side wins) > 0.")
    assert not any("restraining side wins" in e or "P(tie)" in e for e in entries)
    assert not any("0.000" in e for e in entries)
    # Said plainly (it read "No draw gave: P(restraining side wins); P(tie)"):
    assert " ".join(legend.get_title().get_text().split()) == "No draw had this outcome: restraining side wins; the sides balance"
    # The noise model and h are stated in the figure itself.
    assert "h = 0.5" in ax.figure._suptitle.get_text()


def test_robustness_leaves_out_a_claim_and_a_level_that_are_constant_by_construction_and_says_so():
    from repro.methods.claims import claims_for

    claims = claims_for(PAPER).claims
    case = analysis_case(PAPER, "en")
    inputs = _sensitivity_inputs(case)
    fig = sens_figures.plot_robustness_curves(inputs["curves"], inputs["levels"], statements=case["statements"],
                                              kinds={c.id: c.kind for c in claims}, lang="en")
    panels = [ax for ax in fig.axes if ax.axison]
    chain = [c for c in claims if c.kind == "chain"]
    assert chain and len(panels) == len(claims) - len(chain)  # the chain holds whatever the scores
    titles = [ax.get_title().replace("\n", " ") for ax in panels]
    assert not any(t.startswith("Driving forces are the opportunities") for t in titles)
    for ax, claim in zip(panels, [c for c in claims if c.kind != "chain"]):
        levels = sorted(round(line.get_ydata()[0], 2) for line in ax.lines if line.get_linestyle() not in ("-", ":")
                        and len(line.get_xdata()) == 2 and line.get_ydata()[0] == line.get_ydata()[1])
        # ordinal (0.51) is left out for claims about the order (strongest, weakest): SMAA-O keeps the order
        assert levels == ([0.45, 0.51, 0.52] if claim.kind == "side_outweighs" else [0.45, 0.52]), (claim.id, levels)
    note = fig.legends[0].get_title().get_text().replace("\n", " ")
    assert "does not depend on the scores" in note and "by construction" in note


def test_rank_acceptability_rows_go_by_side_then_score_with_a_short_text():
    # The tutorial's file order interleaves nothing, so reverse it: the figure must still order the rows.
    forces = TUTORIAL.forces.iloc[::-1].reset_index(drop=True)
    inputs = _sensitivity_inputs(dict(forces=forces, scale=TUTORIAL.scale, statements={"c": "c"}))
    ax = sens_figures.plot_rank_heatmap(inputs["acceptability"], lang="en", forces=forces)
    rows = [t.get_text() for t in ax.get_yticklabels()]
    # driving D1 4, D2 3, D3 1; restraining R1 4, R2 3
    assert [r.split(" · ")[0] for r in rows] == ["D1", "D2", "D3", "R1", "R2"]
    assert rows[0].startswith("D1 · The university")


def test_a_students_figures_say_your_scores_and_never_published():
    from repro.methods.force_field import balance

    assert PAPER.scores_published and not TUTORIAL.scores_published
    net = balance(TUTORIAL.forces).net
    texts = []
    drop = pd.DataFrame({"dropped": TUTORIAL.forces["id"], "direction": TUTORIAL.forces["direction"], "net": [0.5] * 5})
    ax = sens_figures.plot_drop_one(drop, lang="en", published_net=net, forces=TUTORIAL.forces, scores_published=False)
    texts += [t.get_text() for t in drawn_texts(ax.figure)]
    ax = plot_comparison(_raters(analysis_case(TUTORIAL, "en")), TUTORIAL.forces, lang="en", scale=TUTORIAL.scale,
                         scores_published=False)
    texts += [t.get_text() for t in drawn_texts(ax.figure)]
    ax = sens_figures.plot_net_histogram(net_histogram(np.array([1.0, -1.0, 2.0])), net, lang="en", scores_published=False)
    texts += [t.get_text() for t in drawn_texts(ax.figure)]
    assert not any("published" in t for t in texts), [t for t in texts if "published" in t]
    assert "your net +1" in texts and "your scores" in texts


def test_unequal_sides_show_the_mean_rule_beside_the_sum_rule_and_say_when_they_disagree():
    # The tutorial: driving 4 + 3 + 1 = 8 over 3 forces (mean 2.67), restraining 4 + 3 = 7 over 2 (mean
    # 3.5). The sum rule favours the driving side, the mean rule the restraining side.
    shown = [t.get_text().replace("\n", " ") for t in plot_force_field(TUTORIAL.forces, TUTORIAL.changes, lang="en").texts]
    assert label("verdict_driving", "en") in shown
    (mean,) = [t for t in shown if t.startswith("Mean score")]
    assert "driving 2.67 (n = 3)" in mean and "restraining 3.50 (n = 2)" in mean
    assert "restraining side wins" in mean and "disagree" in mean
    # Equal sides (the paper): no mean line.
    assert not any(t.get_text().startswith("Средний") for t in plot_force_field(PAPER.forces, PAPER.changes).texts)


@pytest.mark.parametrize("figure", ["robustness", "break_even", "net_histogram", "convergence", "rank_heatmap",
                                    "drop_one", "compare", "force_field"])
def test_tick_labels_are_dark_enough_to_print(figure):
    # matplotlib's ticks and the force field's light grey (#777777, L* 50) print faintly: L* 30 at most.
    from matplotlib.colors import to_hex

    fig = drawn(figure, "paper-en")
    ticks = [t for ax in fig.axes for t in ax.get_xticklabels() + ax.get_yticklabels() if t.get_text()]
    ticks += [t for t in fig.axes[0].texts if text_role(t) == "tick"]
    assert ticks
    for tick in ticks:
        assert lightness(to_hex(tick.get_color())) <= 30, (tick.get_text(), tick.get_color())


@pytest.mark.parametrize("p, interval, lang, expected", [
    # 0 of 100 draws: Wilson's 95 % upper bound is 0.0370, rounded up to 0.04: the cell says "< 0.04"
    (0.0, (0.0, 0.0370), "en", "< 0.04"),
    # 100,000 of 100,000: the lower bound 0.99996 rounds down to 1.00, which would say nothing: "> 0,99"
    (1.0, (0.99996, 1.0), "ru", "> 0,99"),
    (0.003, (0.0027, 0.0034), "ru", "< 0,01"),   # a share that rounds to 0,00 is not 0 either
    (0.96, (0.9588, 0.9612), "ru", "0,96"),       # elsewhere, the share as it is
    (0.0, None, "en", "0.00"),                    # without an interval, nothing to bound it by
])
def test_a_rank_share_at_0_or_1_is_shown_by_the_bound_of_its_interval(p, interval, lang, expected):
    assert sens_figures.cell_text(p, lang, interval) == expected


def test_the_rank_heatmap_of_a_real_analysis_prints_no_share_of_0_or_1():
    # The paper's D1 (5) is first in every draw at h = 0.5, and its other places are never taken:
    # its cells read "> 0,99" and "< 0,01" (with 2,000 draws the bounds are 0.998 and 0.0019).
    from repro.methods.montecarlo import monte_carlo
    from repro.methods.claims import claims_for

    mc = monte_carlo(claims_for(PAPER).claims, PAPER.forces, PAPER.scale, "uniform", 0.5, 2000, 1)
    ax = sens_figures.plot_rank_heatmap(mc.rank_acceptability, lang="ru", forces=PAPER.forces,
                                        intervals=mc.rank_table())
    cells = [t.get_text() for t in ax.texts]
    assert "0,00" not in cells and "1,00" not in cells
    assert cells[:4] == ["> 0,99", "< 0,01", "< 0,01", "< 0,01"]  # D1's row, first by side and score


# ---------------------------------------------------------------- the figure editor's review
def _claim_markers(ax) -> list[tuple[float, float, str]]:
    """Every claim's marker drawn in a break-even chart: x, y, marker (the forces' scores are circles)."""
    return [(float(line.get_xdata()[0]), float(line.get_ydata()[0]), line.get_marker()) for line in ax.lines
            if line.get_marker() not in ("None", "", "o", None) and len(line.get_xdata()) == 1]


def test_break_even_markers_of_claims_flipping_a_row_at_the_same_score_are_drawn_apart():
    # Three claims flip the tutorial's first force at 3.0 and a fourth at 4.0 (hand-made): the three
    # markers at 3.0 were drawn on one spot, the last one drawn hiding the others.
    forces = TUTORIAL.forces
    first = forces["id"].iloc[0]
    table = pd.DataFrame([(c, first, True, 1.0, at, 1) for c, at in (("a", 3.0), ("b", 3.0), ("c", 3.0), ("d", 4.0))],
                         columns=["claim", "force", "holds", "change_needed", "flips_at", "direction"])
    fig = _fig(sens_figures.plot_break_even(table, forces, TUTORIAL.scale, statements={c: c for c in "abcd"}, lang="en"))
    (ax,) = fig.axes
    markers = _claim_markers(ax)
    assert len(markers) == 4
    at_three = sorted(y for x, y, _ in markers if x == 3.0)
    assert len(at_three) == 3 and len(set(at_three)) == 3, at_three
    row = [y for x, y, _ in markers if x == 4.0][0]  # alone at its score: on the row itself
    assert at_three[1] == pytest.approx(row), "coinciding markers are centred on their row"
    assert at_three[2] - at_three[0] < 1.0 - 0.1, "they stay inside their row"
    # Far enough apart to be told apart: more than the marker's height (5 pt) on the canvas.
    fig.canvas.draw()
    pixels = [ax.transData.transform((3.0, y))[1] for y in at_three]
    assert min(np.diff(pixels)) > 5 * fig.dpi / 72, pixels


@pytest.mark.parametrize("case", ["tutorial-en", "tutorial-ru", "paper-ru", "template-en"])
def test_break_even_legend_gives_each_claim_whole_on_up_to_three_lines(case):
    # The entries were cut to one line with "…": a reader could not tell which claim a marker was.
    c = CASES[case]()
    fig = draw("break_even", case)
    legend = fig.legends[0]
    texts = {t.get_text() for t in legend.get_texts()}
    for statement in c["statements"].values():
        entry = statement[:1].upper() + statement[1:]
        found = [t for t in texts if " ".join(t.split()) == " ".join(entry.split())]
        assert found, f"not given whole: {entry!r} in {sorted(texts)}"
        assert found[0].count("\n") <= 2
    assert_texts_fit(fig)


@pytest.mark.parametrize("case", list(CASES))
def test_robustness_reference_level_labels_never_overlap(case):
    # The labels were spread for a panel of about 1.2 inches: on the figures' real panels the numbers
    # at 0.45, 0.51 and 0.52 touched or overlapped.
    fig = draw("robustness", case)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        boxes = sorted((Text.get_window_extent(t, renderer) for t in ax.texts if t.get_visible()), key=lambda b: b.y0)
        for below, above in zip(boxes, boxes[1:]):
            assert below.y1 <= above.y0 + 0.5, f"reference levels' labels overlap in {ax.get_title()[:40]!r}"


@pytest.mark.parametrize("case", ["paper-ru", "tutorial-en", "template-en"])
@pytest.mark.parametrize("figure", ["swot", "lotus_canonical", "lotus_published"])
def test_a_diagrams_frames_are_drawn_with_their_whole_stroke(figure, case):
    # The outer frames lay on the axes' edge and were clipped by it: half their stroke was cut on the
    # right and at the bottom (1 px there, 2-4 px elsewhere). Every patch's stroke, half its line width
    # beyond its outline, must lie inside whatever clips it and inside the canvas.
    fig = drawn(figure, case)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    tolerance = 0.5  # pixel
    for ax in fig.axes:
        for patch in ax.patches:
            if not patch.get_visible() or patch.get_edgecolor()[3] == 0 or patch.get_linewidth() == 0:
                continue
            half = patch.get_linewidth() * fig.dpi / 72 / 2
            stroke = patch.get_window_extent(renderer).padded(half)
            clips = [fig.bbox] + ([patch.get_clip_box()] if patch.get_clip_on() and patch.get_clip_box() else [])
            for clip in clips:
                assert (stroke.x0 >= clip.x0 - tolerance and stroke.x1 <= clip.x1 + tolerance
                        and stroke.y0 >= clip.y0 - tolerance and stroke.y1 <= clip.y1 + tolerance), \
                    f"a frame's stroke is cut: {stroke.bounds} beyond {clip.bounds}"


@pytest.mark.parametrize("case", list(CASES))
def test_the_rank_heatmaps_title_keeps_the_methods_name_on_one_line(case):
    # "(SMAA-" ended one line and "2)" began the next (the template's narrow figure): the name now has a
    # no-break hyphen (U+2011), which the wrapping does not break at.
    title = draw("rank_heatmap", case)._suptitle.get_text()
    assert any("(SMAA\u20112)" in line for line in title.split("\n")), title
