"""Partial redraw: a figure drawn again only where its changing artists changed is, pixel for pixel,
the figure drawn whole; only the changed artists (and those they touch) are drawn again."""

import random

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.patches import Polygon

from repro.figures.common import new_figure
from repro.figures.redraw import PartialRedraw


def whole(fig) -> np.ndarray:
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


class Scene:
    """A figure with a static background (text and a grid) and changing artists on top: a thick
    zigzag line with sharp mitred corners, a text and a slanted polygon, each moved at random."""

    def __init__(self, seed: int):
        self.fig, self.ax = new_figure(4, 2.5)
        self.fig.set_dpi(72)
        self.ax.set_xlim(0, 10)
        self.ax.set_ylim(0, 6)
        self.ax.text(5, 5.5, "a static heading", ha="center", fontsize=12, zorder=1)
        for x in range(11):
            self.ax.plot([x, x], [0, 6], color="#dddddd", lw=0.8, zorder=0)
        self.rng = random.Random(seed)
        self.artists = []
        self.move()

    def move(self, kinds=("line", "text", "polygon")):
        old = {a.repro_kind: a for a in self.artists}
        new = []
        for kind in ("line", "text", "polygon"):
            if kind not in kinds and kind in old:
                new.append(old[kind])
                continue
            if kind in old:
                old[kind].remove()
            x, y = self.rng.uniform(1, 8), self.rng.uniform(1, 4)
            if kind == "line":
                (artist,) = self.ax.plot([x, x + 0.4, x + 0.8, x + 1.2], [y, y + 1.2, y, y + 1.2], lw=8,
                                         solid_joinstyle="miter", color="tab:blue", zorder=5)
            elif kind == "text":
                artist = self.ax.text(x, y, f"total: {self.rng.randint(0, 99)}", fontsize=11, zorder=6)
            else:
                artist = Polygon([(x, y), (x + 1.5, y + 0.3), (x + 0.2, y + 1.1)], color="tab:red", alpha=0.8,
                                 zorder=4)
                self.ax.add_artist(artist)
            artist.repro_kind = kind
            new.append(artist)
        self.artists = sorted(new, key=lambda a: a.get_zorder())


def test_partial_pictures_are_the_whole_drawing_pixel_for_pixel():
    scene = Scene(seed=1)
    picture = PartialRedraw(scene.fig, lambda: scene.artists)
    picture.draw()
    for step in range(25):
        scene.move(scene.rng.sample(["line", "text", "polygon"], scene.rng.choice([1, 1, 2])))
        partial = np.asarray(picture.draw()).copy()
        assert picture.painted is not None  # drawn where it changed, not whole
        assert np.array_equal(partial, whole(scene.fig)), f"step {step}"


def test_only_what_changed_is_drawn_again_and_nothing_when_nothing_changed():
    scene = Scene(seed=2)
    picture = PartialRedraw(scene.fig, lambda: scene.artists)
    picture.draw()
    assert len(picture.drawn) == 3 and picture.painted is None  # the first picture: everything
    picture.draw()
    assert picture.drawn == [] and picture.painted == []
    scene.move(["text"])
    picture.draw()
    text = next(a for a in scene.artists if a.repro_kind == "text")
    assert text in picture.drawn
    far = [a for a in picture.drawn if a is not text]  # drawn again only where they meet the text
    assert len(far) <= 2


def test_an_artist_that_cannot_be_compared_is_drawn_every_time():
    fig, ax = new_figure(3, 2)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    lines = ax.add_collection(LineCollection([[(0.1, 0.1), (0.9, 0.9)]], lw=3))
    picture = PartialRedraw(fig, lambda: [lines])
    picture.draw()
    picture.draw()
    assert picture.drawn == [lines]
    assert np.array_equal(np.asarray(picture.draw()).copy(), whole(fig))


def test_a_new_resolution_or_size_starts_afresh():
    scene = Scene(seed=3)
    picture = PartialRedraw(scene.fig, lambda: scene.artists)
    picture.draw()
    scene.fig.set_dpi(50)
    scene.move(["line"])
    assert np.array_equal(np.asarray(picture.draw()).copy(), whole(scene.fig))
    assert picture.painted is None  # a new background, and everything drawn on it
