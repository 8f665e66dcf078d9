"""What a painting shows, whatever the style: the mood read from the prompt, the planned landscape,
the scene's subjects standing on it, and the painter each style refines."""

import math
import re
from dataclasses import dataclass, replace
from typing import ClassVar, Literal

import numpy as np
from PIL import Image, ImageFilter

from services.imaging.procedural.canvas import INK, WINDOW_LIGHT, Canvas, Color, mix, rgb, smoothstep
from services.imaging.procedural.figures import Cast, Figure, drawing

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


FIGURE_TINTS: dict[Light, tuple[str, float, float]] = {
    "day": ("#fff8ec", 0.15, 1.0),
    "warm": ("#ffb45e", 0.4, 0.97),
    "night": ("#4a66aa", 0.5, 0.8),
}
"""Per light: the colour a subject is tinted toward, how far, and how bright it is left (night darker, bluer)."""


class Painter:
    """Paints a planned landscape in one style, then the cast standing on it; a style overrides how
    each element looks. The finish (grade, grain, vignette, borders) goes over the subjects too."""

    octaves: ClassVar[int] = 5
    roughness: ClassVar[float] = 0.5
    palettes: ClassVar[dict[Light, Palette]]
    figure_saturation: ClassVar[float] = 1.0
    figure_rim: ClassVar[float] = 0.4
    """How strongly the light catches the subjects' edges that face it."""
    figure_shading: ClassVar[float] = 0.2
    """How much darker a subject is at its feet than at its head (volume)."""
    figure_outline: ClassVar[float] = 0.0
    """An ink outline around each subject, as a share of the short side (comic book)."""

    def __init__(self, canvas: Canvas, mood: Mood, cast: Cast | None = None) -> None:
        self.canvas, self.mood = canvas, mood
        self.cast = cast if cast is not None else Cast()
        self.palette = self.palettes[mood.light]
        self.layers = [rgb(color) for color in self.palette.layers]

    @classmethod
    def margins(cls, width: int, height: int) -> tuple[float, float]:
        """How far from the edges (x, y in pixels) subjects keep, clear of borders and bars."""
        return width * 0.05, height * 0.04

    def paint(self) -> None:
        land = plan_landscape(self.canvas, self.mood, self.octaves, self.roughness)
        if (luminary := self.cast.luminary) is not None:  # the drawn sun or moon is the light; the disc hides
            land = replace(land, sun=(*luminary.centre, 1.0))
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
        for figure in self.cast.figures:
            self.figure(figure, land)
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

    def figure(self, figure: Figure, land: Landscape) -> None:
        """A subject's drawing lit by the scene: tinted to the light, shaded toward its feet, rim-lit on the
        side facing the sun, hazed with distance, standing on a soft shadow (things of the sky float)."""
        canvas = self.canvas
        planes = drawing(figure.text, figure.width, figure.height, figure.flip)
        color, alpha = planes[:3], planes[3]
        grey = 0.3 * color[0] + 0.59 * color[1] + 0.11 * color[2]
        color = grey + (color - grey) * self.figure_saturation
        light = rgb(self.palette.light)
        if figure.kind == "luminary":
            canvas.glow(*figure.centre, min(figure.width, figure.height) * 0.9, light, 0.45)
        else:
            tint, share, brightness = FIGURE_TINTS[self.mood.light]
            color = mix(color, color * rgb(tint), share) * brightness
            rows = np.linspace(0.0, 1.0, figure.height, dtype=np.float32)[:, None]
            color = color * (1.0 - self.figure_shading * smoothstep(0.3, 1.0, rows))
            toward = 1 if land.sun[0] >= figure.x else -1
            reach = max(1, round(min(figure.width, figure.height) * 0.025))
            rim = alpha * (1.0 - np.minimum(_shifted(alpha, -toward * reach, 0), _shifted(alpha, 0, reach)))
            color = mix(color, light, rim * self.figure_rim)
            color = mix(color, rgb(self.palette.sky[-1]), 0.45 * figure.depth)
            shadow_dark = 0.3 if self.mood.light == "night" else 0.4
            if figure.kind in ("figure", "place"):
                self.shadow(figure, shadow_dark * (1.0 - 0.5 * figure.depth))
        if self.figure_outline:
            self.outline(figure, alpha)
        _cover_clipped(canvas, figure.top, figure.left, alpha, color)

    def shadow(self, figure: Figure, strength: float) -> None:
        """A soft dark ellipse on the ground under the subject."""
        canvas = self.canvas
        rx, ry = figure.width * 0.46, max(2.0, figure.height * 0.07)
        y = figure.bottom - ry * 0.6
        block = canvas.around(figure.x, y, rx * 1.3)
        if block is None:
            return
        top, left, dy, dx = block
        reach = (dx / rx) ** 2 + (dy / ry) ** 2
        canvas.cover(top, left, strength * smoothstep(1.3, 0.1, reach), self.layers[-1] * 0.2)

    def outline(self, figure: Figure, alpha: np.ndarray) -> None:
        """An ink outline: the drawing's silhouette grown by `figure_outline` of the short side."""
        grow = max(1, round(self.canvas.unit * self.figure_outline))
        padded = np.pad(alpha, grow)
        mask = Image.fromarray((padded * 255).astype(np.uint8)).filter(ImageFilter.MaxFilter(2 * grow + 1))
        _cover_clipped(self.canvas, figure.top - grow, figure.left - grow, np.asarray(mask) / np.float32(255), INK)

    def finish(self, land: Landscape) -> None:
        """Whole-picture treatment (grading, grain, vignette, borders); none by default."""


def _shifted(plane: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """`plane` moved by (dx, dy) pixels, zero where nothing moved in: out[y, x] = plane[y - dy, x - dx]."""
    out = np.zeros_like(plane)
    height, width = plane.shape
    out[max(dy, 0) : height + min(dy, 0), max(dx, 0) : width + min(dx, 0)] = plane[
        max(-dy, 0) : height + min(-dy, 0), max(-dx, 0) : width + min(-dx, 0)
    ]
    return out


def _cover_clipped(canvas: Canvas, top: int, left: int, alpha: np.ndarray, color: np.ndarray) -> None:
    """`Canvas.cover` for a block that may reach past the canvas's edges: the part inside is laid."""
    height, width = alpha.shape
    t0, l0 = max(0, -top), max(0, -left)
    t1, l1 = min(height, canvas.height - top), min(width, canvas.width - left)
    if t0 >= t1 or l0 >= l1:
        return
    part = color[:, t0:t1, l0:l1] if color.ndim == 3 and color.shape[1] > 1 else color
    canvas.cover(top + t0, left + l0, alpha[t0:t1, l0:l1], part)
