"""The live explorer, from Python (no browser): set a score or a slider, read the claims and the figure."""

import io
import random

import numpy as np
import pytest
from ipywidgets import Widget
from matplotlib.patches import Circle, FancyArrow
from matplotlib.text import Text
from PIL import Image

from repro import load_analysis, paths
from repro.explorer import SCREEN_DPI, Explorer, nice_step, score_step
from repro.figures.common import text_role
from repro.figures.redraw import looks

PAPER = load_analysis()
TUTORIAL = load_analysis(paths.EXAMPLES / "tutorial")


def holds(explorer: Explorer) -> dict[str, bool]:
    return dict(zip(explorer.claims_table()["claim"], explorer.claims_table()["holds"]))


def shown_scores(explorer: Explorer) -> list[str]:
    return sorted(t.get_text() for t in explorer.plot.ax.texts if text_role(t) == "score")


@pytest.fixture
def paper():
    # h = 0: every draw is the scores themselves, so P(holds) is 1 or 0 exactly.
    return Explorer(PAPER, lang="en", half_width=0.0, draws=2000)


def test_every_claim_holds_at_the_published_scores(paper):
    table = paper.claims_table()
    assert table["holds"].all()
    # Every one of the 2000 draws holds: P = 1, with the Wilson interval [N / (N + z^2), 1] (a standard
    # error of 0 read "1.0 ± 0.0", as if a finite number of draws could make it certain).
    assert (table["p_holds"] == 1).all() and (table["p_holds_high"] == 1).all()
    assert table["p_holds_low"].tolist() == pytest.approx([2000 / (2000 + 1.959963984540054 ** 2)] * len(table))


def test_lowering_r2_by_0_2_ties_the_balance_so_it_no_longer_holds(paper):
    # 11.3 driving against 3 + 3.8 + 3 + 1.5 = 11.3 restraining: a tie, and a strict claim fails at a tie.
    paper.set_score("R2", 3.8)
    table = paper.claims_table().set_index("claim")
    assert not table.loc["balance", "holds"]
    assert table.loc["balance", "p_holds"] == 0  # h = 0: every draw is the tie
    # R2 at 3.8 still beats R1 = R3 = 3, so it is still the strongest restraining force.
    assert table.loc["strongest_restraining", "holds"]
    assert paper.moved() == {"R2": 3.8}
    assert "3.8" in shown_scores(paper) and "4" not in shown_scores(paper)
    totals = [t.get_text() for t in paper.plot.ax.texts if text_role(t) == "totals"]
    assert totals == ["Driving total: 11.3", "Restraining total: 11.3", "Net force (driving − restraining): 0"]


def test_raising_d2_by_0_2_also_ties_and_raising_it_further_flips_the_balance(paper):
    paper.set_score("D2", 3.4)  # 5 + 3.4 + 0.6 + 2.5 = 11.5 = 11.5
    assert not holds(paper)["balance"]
    paper.set_score("D2", 3.5)  # 11.6 > 11.5: the driving side wins, the claim still fails
    assert not holds(paper)["balance"]
    paper.set_score("D2", 3.2)
    assert holds(paper)["balance"]


def test_r1_above_r2_ends_r2_being_the_strongest_restraining_force(paper):
    paper.set_score("R1", 4.1)  # 4.1 > 4: R2 is no longer the strongest
    assert not holds(paper)["strongest_restraining"]
    paper.set_score("R1", 4.0)  # a tie at 4: a strict claim fails too
    assert not holds(paper)["strongest_restraining"]


def test_noise_gives_probabilities_with_their_intervals():
    explorer = Explorer(PAPER, lang="en", noise="uniform", half_width=0.5, draws=4000, seed=0)
    table = explorer.claims_table().set_index("claim")
    p, low, high = table.loc["balance", ["p_holds", "p_holds_low", "p_holds_high"]]
    assert 0 < low < p < high < 1
    assert high - low == pytest.approx(2 * 1.96 * np.sqrt(p * (1 - p) / 4000), rel=0.02)  # about +-1.96 s.e.
    again = Explorer(PAPER, lang="en", noise="uniform", half_width=0.5, draws=4000, seed=0)
    assert again.claims_table()["p_holds"].tolist() == explorer.claims_table()["p_holds"].tolist()  # one seed, one answer


def test_scores_stay_on_the_declared_scale_and_ids_must_exist(paper):
    with pytest.raises(ValueError, match="declared scale 0-5"):
        paper.set_score("D1", 5.1)
    with pytest.raises(KeyError, match="not a force"):
        paper.set_score("X9", 1)
    with pytest.raises(ValueError, match="noise model"):
        paper.set_noise("gaussian")
    with pytest.raises(ValueError, match="half-width"):
        paper.set_half_width(-0.1)


def test_reset_puts_back_the_published_scores(paper):
    paper.set_score("R2", 3.8)
    paper.set_score("D1", 0.0)
    paper.reset()
    assert paper.moved() == {}
    assert holds(paper) == {c: True for c in paper.claims_table()["claim"]}


def test_sliders_follow_the_declared_scale_with_a_step_every_published_score_lies_on():
    assert nice_step(5, 40) == 0.1 and nice_step(9, 40) == 0.2 and nice_step(1, 40) == 0.025
    # The paper: 0-5, scores 5, 3.2, 0.6, 2.5, 3, 4, 3, 1.5: a fortieth of the scale is 0.125 -> 0.1.
    assert score_step(0, 5, PAPER.forces["score"]) == 0.1
    # 0.25 on a 0-1 scale: 1/40 = 0.025 holds it; 0.33 needs 0.01.
    assert score_step(0, 1, [0.25, 0.75]) == 0.025
    assert score_step(0, 1, [0.33]) == 0.01
    explorer = Explorer(TUTORIAL, lang="en")
    widget = explorer.widget()
    assert widget is not None
    for force_id, slider in explorer.sliders.items():
        assert (slider.min, slider.max) == (TUTORIAL.scale.minimum, TUTORIAL.scale.maximum)
        assert slider.value == float(TUTORIAL.forces.set_index("id").loc[force_id, "score"])
    # h from 0 to a quarter of the width 4 of the 1-5 scale; step: the largest of 1, 2, 2.5, 5 x 10^k at
    # most 4 / 100 = 0.04, i.e. 0.025.
    assert explorer.half_width_range == (0.0, 1.0, 0.025)


def test_moving_a_slider_updates_the_table_and_the_picture():
    explorer = Explorer(PAPER, lang="en", half_width=0.0, draws=2000)
    explorer.widget()
    before_picture = explorer.image.value
    assert "✗" not in explorer.table.value
    explorer.sliders["R2"].value = 3.8
    assert explorer.scores["R2"] == 3.8
    assert "✗ fails" in explorer.table.value and "R2 = 3.8" in explorer.table.value
    assert explorer.image.value != before_picture
    explorer.noise_menu.value = "ordinal"  # no width: the half-width slider is switched off
    assert explorer.half_width_slider.disabled
    assert "ordinal" in explorer.table.value
    explorer.noise_menu.value = "uniform"
    assert not explorer.half_width_slider.disabled


def test_the_quick_picture_is_the_full_drawing_pixel_for_pixel(paper):
    paper.png()  # the background of the static parts
    paper.set_score("R2", 3.8)
    paper.set_score("D3", 2.1)
    quick = np.asarray(Image.open(io.BytesIO(paper.png())).convert("RGB"))
    full = io.BytesIO()
    paper.figure.savefig(full, format="png", dpi=SCREEN_DPI)
    assert np.array_equal(quick, np.asarray(Image.open(full).convert("RGB")))


def test_an_analysis_without_scores_has_nothing_to_explore():
    unscored = load_analysis(paths.EXAMPLES / "tutorial")
    unscored.force_field = unscored.force_field.assign(score=np.nan)
    with pytest.raises(ValueError, match="no scores to explore"):
        Explorer(unscored)


def test_the_claims_table_has_what_the_widget_shows(paper):
    table = paper.claims_table()
    assert list(table.columns[:11]) == ["claim", "statement", "statement_en", "holds", "p_holds", "p_holds_low",
                                        "p_holds_high", "draws", "break_even", "break_even_force", "break_even_text"]
    html = paper.table_html()
    assert "P(holds) [95 % interval]" in html and "1.000 [0.998, 1.000]" in html and "± 0" not in html
    assert "joint flip (largest move)" in html and "0.02857" in html  # the balance: 0.2 / 7
    for claim in table["claim"]:
        assert claim in html
    # in the explorer's language (this one's is English); a Russian explorer shows the Russian statements
    assert "strongest restraining force" in html and "сильнейшая сила сопротивления" not in html
    russian = Explorer(PAPER, lang="ru", half_width=0.0, draws=2000).table_html()
    assert "сильнейшая сила сопротивления" in russian and "strongest restraining force" not in russian
    assert html.count("<tr") == len(table) + 1  # a header row and one row per claim


# --- the picture: drawn only where it changed, and still the whole figure pixel for pixel ------------

def whole_drawing(explorer: Explorer) -> np.ndarray:
    out = io.BytesIO()
    explorer.figure.savefig(out, format="png", dpi=SCREEN_DPI)
    return np.asarray(Image.open(out).convert("RGB"))


def picture(explorer: Explorer) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(explorer.png())).convert("RGB"))


@pytest.mark.parametrize("which", ["paper ru", "paper en", "tutorial", "small"])
def test_random_moves_give_the_whole_drawing_pixel_for_pixel(which, small_analysis):
    analysis = {"tutorial": TUTORIAL, "small": None}.get(which, PAPER)
    if which == "small":  # 3 driving against 2 restraining forces, on a 1-10 scale
        analysis = load_analysis(small_analysis)
    explorer = Explorer(analysis, lang="en" if which != "paper ru" else "ru", half_width=0.0, draws=100)
    explorer.png()
    rng = random.Random(which)
    low, high, step = explorer.scale.minimum, explorer.scale.maximum, explorer.step
    for move in range(10):
        for force_id in rng.sample(list(explorer.scores), rng.choice([1, 1, 2])):
            if move == 4:  # an end of the scale: at the minimum an arrow has no length and is not drawn
                value = low if explorer.scores[force_id] > low else high
            else:
                value = explorer.scores[force_id] + rng.choice([-1, 1]) * step * rng.choice([1, 1, 3, 10])
            explorer.set_score(force_id, round(min(high, max(low, value)), 10))
        if move == 6:  # a save at another resolution in between: the next picture starts afresh
            explorer.figure.savefig(io.BytesIO(), format="png", dpi=50)
        assert np.array_equal(picture(explorer), whole_drawing(explorer)), f"move {move}"


def test_after_moves_the_picture_is_the_force_field_drawn_afresh_at_those_scores(paper):
    """set_scores keeps one drawing and changes its arrows and totals; the result must be the figure a
    new drawing at the same scores gives."""
    from repro.figures.force_field import ForceFieldPlot

    paper.png()
    for force_id, score in [("R2", 3.8), ("D3", 0.0), ("D1", 4.1), ("D3", 2.6), ("R4", 5.0)]:
        paper.set_score(force_id, score)
        paper.png()
    fresh = ForceFieldPlot(paper.forces(), PAPER.changes, scale_max=5, lang="en")
    out = io.BytesIO()
    fresh.ax.figure.savefig(out, format="png", dpi=SCREEN_DPI)
    assert np.array_equal(picture(paper), np.asarray(Image.open(out).convert("RGB")))


def test_a_move_redraws_its_arrow_its_score_and_the_totals_it_changes_nothing_else(paper):
    paper.png()
    before = {text_role(t): t.get_text() for t in paper.plot.dynamic_artists if isinstance(t, Text)}
    paper.set_score("R2", 3.9)  # restraining 11.4 against driving 11.3: the verdict stays
    paper.png()
    redrawn = paper._picture.drawn
    texts = sorted(a.get_text() for a in redrawn if isinstance(a, Text))
    assert texts == ["3.9", "Net force (driving − restraining): −0.1", "Restraining total: 11.4"]
    assert before["verdict"] == [t.get_text() for t in paper.plot.dynamic_artists if text_role(t) == "verdict"][0]
    arrows = [a for a in redrawn if isinstance(a, FancyArrow)]
    assert 1 <= len(arrows) <= 3  # R2's, and the arrows that touch it at the centre line
    assert len(redrawn) < len(paper.plot.redraw_artists) / 2
    # Nothing changed: nothing is painted.
    paper.png()
    assert paper._picture.drawn == [] and paper._picture.painted == []


def test_looks_tell_equal_artists_from_changed_ones_and_give_up_on_unknown_kinds(paper):
    ax = paper.plot.ax
    one, same, moved = (ax.text(x, 1, "11.3", fontsize=9) for x in (1, 1, 1.5))
    assert looks(one) == looks(same) and looks(one) != looks(moved)
    same.set_color("red")
    assert looks(one) != looks(same)
    arrow, longer = (FancyArrow(0, 0, dx, 0, width=0.2) for dx in (1, 1.1))
    ax.add_artist(arrow)
    ax.add_artist(longer)
    assert looks(arrow) != looks(longer)
    circle = Circle((0, 0), 1)  # a patch: compared by its path and transform
    ax.add_artist(circle)
    assert looks(circle) is not None
    from matplotlib.collections import LineCollection
    assert looks(ax.add_collection(LineCollection([[(0, 0), (1, 1)]]))) is None  # unknown: always drawn again
    from matplotlib import patheffects
    one.set_path_effects([patheffects.withStroke(linewidth=2)])
    assert looks(one) is None


# --- what the widget sends the browser per move ---------------------------------------------------

@pytest.fixture
def sent(monkeypatch):
    """Every message a widget sends its front end: (widget, method, the state's keys (a binary value
    travels as a buffer, named by its path), number of buffers)."""
    messages = []

    def send(widget, msg, buffers=None):
        keys = sorted([*msg.get("state", {}), *(".".join(path) for path in msg.get("buffer_paths", []))])
        messages.append((widget, msg["method"], keys, len(buffers or [])))
    monkeypatch.setattr(Widget, "_send", send)
    return messages


def front_end_sets(widget, **state):
    """What JupyterLab sends when the user changes ``widget``: an update message from the front end."""
    widget._handle_msg({"content": {"data": {"method": "update", "state": state, "buffer_paths": []}}, "buffers": []})


def test_one_move_sends_one_image_and_one_table_update(sent):
    explorer = Explorer(PAPER, lang="en", half_width=0.0, draws=2000)
    explorer.widget()
    sent.clear()
    front_end_sets(explorer.sliders["R2"], value=3.8)
    assert explorer.scores["R2"] == 3.8 and "R2 = 3.8" in explorer.table.value
    image = [m for m in sent if m[0] is explorer.image]
    table = [m for m in sent if m[0] is explorer.table]
    assert image == [(explorer.image, "update", ["value"], 1)]  # the PNG, as one binary buffer
    assert table == [(explorer.table, "update", ["value"], 0)]
    # Besides those, the moved score's readout (the slider's own would write a decimal point in any
    # language), and at most the slider's echo of its own value (ipywidgets confirms a front end's change).
    readout = [m for m in sent if m[0] is explorer.readouts["R2"]]
    assert readout == [(explorer.readouts["R2"], "update", ["value"], 0)] and explorer.readouts["R2"].value == "3.8"
    others = [m for m in sent if m[0] not in (explorer.image, explorer.table, explorer.readouts["R2"])]
    assert all(m[0] is explorer.sliders["R2"] and m[1] == "echo_update" for m in others), others


def test_a_noise_change_sends_the_table_alone(sent):
    explorer = Explorer(PAPER, lang="en", half_width=0.0, draws=2000)
    explorer.widget()
    picture_before = explorer.image.value
    drawn = []
    explorer.png = lambda: drawn.append("a picture") or picture_before
    sent.clear()
    models = [value for _, value in explorer.noise_menu.options]  # (the model's name in the reader's language, key)
    front_end_sets(explorer.noise_menu, index=models.index("ordinal"))
    front_end_sets(explorer.noise_menu, index=models.index("uniform"))
    front_end_sets(explorer.half_width_slider, value=0.25)
    assert drawn == []  # not drawn, not encoded
    assert explorer.noise == "uniform" and explorer.half_width == 0.25
    assert "uniform ±h, h = 0.25" in explorer.table.value  # the settings, as the catalogue words them
    assert not [m for m in sent if m[0] is explorer.image]
    assert [m[1] for m in sent if m[0] is explorer.table] == ["update"] * 3
    assert explorer.image.value == picture_before  # the noise does not show in the figure
