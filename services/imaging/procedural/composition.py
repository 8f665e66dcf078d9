"""What a painting shows, whatever the style: the mood read from the prompt, the planned landscape,
and the painter each style refines."""

import math
import re
from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np

from services.imaging.procedural.canvas import WINDOW_LIGHT, Canvas, Color, mix, rgb

Light = Literal["day", "warm", "night"]

_NIGHT_WORDS = frozenset(
    "night nights dark darkness scary horror haunted ghost ghosts moon moonlit midnight shadow shadows "
    "creepy fear grave graveyard stars starry nightmare sinister eerie mystery mysterious legend".split()
)
_WARM_WORDS = frozenset(
    "sunset sunrise dawn dusk evening golden warm love romance romantic heart autumn fire candle glow embrace".split()
)
_WATER_WORDS = frozenset(
    "sea ocean water lake river beach shore coast wave waves harbor harbour island boat ship".split()
)
_FOREST_WORDS = frozenset("forest forests tree trees woods woodland jungle pine pines garden park grove".split())
_CITY_WORDS = frozenset("city cities street streets town skyline building buildings urban downtown office neon".split())


@dataclass(frozen=True)
class Mood:
    """What the prompt asks of the scenery, read from a few keywords."""

    light: Light
    water: bool
    forest: bool
    city: bool


def read_mood(prompt: str) -> Mood:
    words = set(re.findall(r"[a-z]+", prompt.lower()))
    light: Light = "night" if words & _NIGHT_WORDS else "warm" if words & _WARM_WORDS else "day"
    return Mood(light, bool(words & _WATER_WORDS), bool(words & _FOREST_WORDS), bool(words & _CITY_WORDS))


@dataclass(frozen=True)
class Tree:
    layer: int
    x: float
    base: float
    height: float


@dataclass(frozen=True)
class Landscape:
    """Where things stand, whatever the style: ridges far to near, and what sits between them.

    Ridge 0 is the far range on the horizon; a skyline and water stand just in front of it and
    the nearer ridges in front of those. `floors[i]` is the row below which ridge `i` is hidden
    by what stands in front, so painters stop there; `water` is the (top, bottom) rows of water.
    """

    horizon: float
    sun: tuple[float, float, float]
    ridges: tuple[np.ndarray, ...]
    floors: tuple[int, ...]
    water: tuple[int, int] | None
    skyline: np.ndarray | None
    trees: tuple[Tree, ...]


def plan_landscape(canvas: Canvas, mood: Mood, octaves: int, roughness: float) -> Landscape:
    """Place horizon, sun or moon, ridges, water, skyline and trees from the seed."""
    rng, unit, height = canvas.rng, canvas.unit, canvas.height
    horizon = height * rng.uniform(0.5, 0.62)
    radius = unit * (0.085 if mood.light == "warm" else 0.06)
    sun_y = horizon - unit * rng.uniform(0.1, 0.2) if mood.light == "warm" else horizon * rng.uniform(0.25, 0.5)
    sun = (canvas.width * rng.uniform(0.2, 0.8), sun_y, radius)
    if mood.water:
        shore = horizon + (height - horizon) * rng.uniform(0.6, 0.75)
        bases, lifts = [horizon, shore, height * 1.02], [0.16, 0.06, 0.1]
    else:
        bases = [horizon + (height - horizon) * share for share in (0.02, 0.3, 0.58, 0.86)]
        lifts = [0.22, 0.12, 0.1, 0.09]
    ridges = tuple(
        base - unit * lift * (0.35 + 0.65 * canvas.ridge(rng.uniform(1.2, 2.2), octaves, roughness))
        for base, lift in zip(bases, lifts, strict=True)
    )
    solid_from = [min(height, math.ceil(float(ridge.max())) + 1) for ridge in ridges]
    floors = [*solid_from[1:], height]
    water = None
    if mood.water:
        floors[0] = min(height, int(horizon) + 1)
        water = (int(horizon), solid_from[1])
    skyline = _skyline(canvas, bases[0] + unit * 0.02) if mood.city else None
    trees = _trees(canvas, ridges) if mood.forest else ()
    return Landscape(horizon, sun, ridges, tuple(floors), water, skyline, trees)


def _skyline(canvas: Canvas, base: float) -> np.ndarray:
    """Building tops: side-by-side blocks of random width and height standing on `base`."""
    rng, unit = canvas.rng, canvas.unit
    count = int(canvas.width / (unit * 0.04)) + 2
    edges = np.cumsum(unit * rng.uniform(0.04, 0.11, count))
    tops = base - unit * rng.uniform(0.05, 0.3, count + 1)
    return tops[np.searchsorted(edges, canvas.xs)].astype(np.float32)


def _trees(canvas: Canvas, ridges: tuple[np.ndarray, ...]) -> tuple[Tree, ...]:
    """Trees along the nearer ridges, bigger the nearer they stand, with gaps."""
    rng, unit = canvas.rng, canvas.unit
    trees = []
    for layer in range(1, len(ridges)):
        size = unit * (0.04 + 0.035 * layer)
        for x in np.sort(rng.uniform(0, canvas.width - 1, int(canvas.width / (size * 0.9)))):
            if rng.random() < 0.75:
                base = float(ridges[layer][int(x)]) + size * 0.15
                trees.append(Tree(layer, float(x), base, size * rng.uniform(0.7, 1.3)))
    return tuple(trees)


@dataclass(frozen=True)
class Palette:
    """A style's colours for one light: sky stops top to horizon, land layers far to near.

    `accent` is the style's own extra colour: cloud shadow, halftone ink, lens streak or bokeh.
    """

    sky: tuple[str, ...]
    layers: tuple[str, str, str, str]
    light: str
    cloud: str
    water: str
    accent: str


class Painter:
    """Paints a planned landscape in one style; a style overrides how each element looks."""

    octaves: ClassVar[int] = 5
    roughness: ClassVar[float] = 0.5
    palettes: ClassVar[dict[Light, Palette]]

    def __init__(self, canvas: Canvas, mood: Mood) -> None:
        self.canvas, self.mood = canvas, mood
        self.palette = self.palettes[mood.light]
        self.layers = [rgb(color) for color in self.palette.layers]

    def paint(self) -> None:
        land = plan_landscape(self.canvas, self.mood, self.octaves, self.roughness)
        self.sky(land)
        for index, ridge in enumerate(land.ridges):
            self.hill(index, ridge, land)
            for tree in land.trees:
                if tree.layer == index:
                    self.tree(tree)
            if index == 0 and land.skyline is not None:
                self.city(land.skyline, land.floors[0])
            if index == 0 and land.water is not None:
                self.water(*land.water, land)
        self.finish(land)

    def sky(self, land: Landscape) -> None:
        raise NotImplementedError

    def hill(self, index: int, ridge: np.ndarray, land: Landscape) -> None:
        raise NotImplementedError

    def tree(self, tree: Tree) -> None:
        """A pine silhouette with branch tiers, a shade darker than its layer."""
        canvas = self.canvas
        block = canvas.around(tree.x, tree.base - tree.height / 2, tree.height / 2)
        if block is not None:
            top, left, dy, dx = block
            reach = dy / tree.height + 0.5
            half_width = reach * tree.height * 0.3 * (0.7 + 0.3 * ((reach * 4) % 1.0))
            alpha = np.clip(half_width - np.abs(dx) + 0.5, 0.0, 1.0) * (reach < 0.97)
            canvas.cover(top, left, alpha, self.layers[tree.layer] * 0.7)

    def city(self, skyline: np.ndarray, bottom: int) -> None:
        top, alpha = self.canvas.below(skyline, bottom)
        self.canvas.cover(top, 0, alpha, mix(self.layers[0], self.layers[1], 0.5))
        if self.mood.light != "day":
            self.windows(top, alpha, WINDOW_LIGHT)

    def windows(self, top: int, inside: np.ndarray, color: Color) -> None:
        """Small windows on a grid, about a third of them lit, only inside the buildings."""
        canvas = self.canvas
        if inside.size == 0:
            return
        pitch = max(3.0, canvas.unit * 0.014)
        rows = canvas.ys[top : top + inside.shape[0]]
        row_cells, column_cells = (rows[:, 0] // pitch).astype(np.int64), (canvas.xs // pitch).astype(np.int64)
        on = canvas.rng.random((row_cells.max() + 1, column_cells.max() + 1)) < 0.35
        glass = ((canvas.xs % pitch) < pitch * 0.5) & ((rows % pitch) < pitch * 0.6)
        lit = on[row_cells[:, None], column_cells] & glass & (inside > 0.99)
        canvas.cover(top, 0, lit * np.float32(0.9), color)

    def water(self, top: int, bottom: int, land: Landscape) -> None:
        """A rippled mirror of everything above the horizon, tinted deeper with distance from it."""
        canvas = self.canvas
        if top <= 0 or bottom <= top:
            return
        rows = np.arange(bottom - top, dtype=np.float32)[:, None]
        depth = rows / (canvas.height - top)
        ripple = canvas.unit * 0.004 * np.sin(rows * 0.9 + canvas.xs * 0.02) * (depth + 0.2)
        source_rows = np.clip(top - 1 - rows - ripple * 0.5, 0, top - 1).astype(np.int64)
        source_columns = np.clip(canvas.xs + ripple * 3, 0, canvas.width - 1).astype(np.int64)
        mirrored = canvas.pixels[:, source_rows, source_columns]
        canvas.pixels[:, top:bottom] = mix(mirrored, rgb(self.palette.water), 0.25 + 0.35 * depth)

    def mist(self, ridge: np.ndarray, color: Color, strength: float, reach: float) -> None:
        """Haze rising from behind a ridge, fading upward: distance made visible."""
        canvas = self.canvas
        top = int(np.clip(ridge.min() - 4 * reach, 0, canvas.height))
        bottom = int(np.clip(ridge.max() + 1, top, canvas.height))
        rise = np.clip(ridge - canvas.ys[top:bottom], 0, None)
        canvas.cover(top, 0, strength * np.exp(-rise / reach), color)

    def trunk(self, tree: Tree, half_width: float, color: Color) -> None:
        canvas = self.canvas
        top, bottom = max(0, int(tree.base - tree.height * 0.6)), min(canvas.height, int(tree.base))
        left, right = max(0, int(tree.x - half_width)), min(canvas.width, int(tree.x + half_width) + 1)
        if top < bottom and left < right:
            canvas.pixels[:, top:bottom, left:right] = color

    def finish(self, land: Landscape) -> None:
        """Whole-picture treatment (grading, grain, vignette, borders); none by default."""
