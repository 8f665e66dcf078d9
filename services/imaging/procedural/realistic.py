"""Styles that imitate a camera: photorealistic and cinematic."""

from typing import ClassVar

import numpy as np

from services.imaging.procedural.canvas import WHITE, mix, rgb, smoothstep
from services.imaging.procedural.composition import Landscape, Light, Painter, Palette, Tree


class Photorealistic(Painter):
    """Natural sky and drifting clouds over rough fractal terrain that fades into haze with distance."""

    octaves = 7
    roughness = 0.55
    figure_saturation = 0.85
    figure_rim = 0.3
    figure_shading = 0.3
    palettes: ClassVar[dict[Light, Palette]] = {
        "day": Palette(
            ("#3b6db3", "#79a7d8", "#d3e3ef"),
            ("#8ea4b8", "#6d8468", "#4d6b3c", "#2f4a24"),
            light="#fff7e0",
            cloud="#ffffff",
            water="#5b7f9c",
            accent="#ffffff",
        ),
        "warm": Palette(
            ("#2c3a73", "#b9607c", "#f3a35c", "#ffd8a0"),
            ("#8b6e87", "#5f4a62", "#3e3045", "#221a27"),
            light="#fff1c4",
            cloud="#ffb48c",
            water="#7a5a6e",
            accent="#ffe2b8",
        ),
        "night": Palette(
            ("#04060d", "#0d1831", "#26395d"),
            ("#202c43", "#161f31", "#0f1522", "#080b12"),
            light="#e8edf6",
            cloud="#3b4b68",
            water="#0e1728",
            accent="#c8d4ea",
        ),
    }

    def sky(self, land: Landscape) -> None:
        canvas, palette = self.canvas, self.palette
        canvas.gradient(palette.sky, land.horizon)
        x, y, radius = land.sun
        light = rgb(palette.light)
        if self.mood.light == "night":
            canvas.stars(land.horizon, WHITE)
        canvas.glow(x, y, canvas.unit * (0.45 if self.mood.light == "warm" else 0.25), light, 0.45)
        canvas.disc(x, y, radius * 0.7, light, softness=radius * 0.08)
        bottom = max(1, int(land.horizon))
        clouds = canvas.noise(1.6, 5, stretch=0.4)[:bottom]
        density = smoothstep(0.1, 1.9, clouds) * smoothstep(land.horizon, land.horizon * 0.25, canvas.ys[:bottom])
        canvas.cover(0, 0, 0.85 * density, rgb(palette.cloud) * (0.7 + 0.3 * smoothstep(-0.5, 2.0, clouds)))

    def hill(self, index: int, ridge: np.ndarray, land: Landscape) -> None:
        canvas, rng = self.canvas, self.canvas.rng
        depth = (index + 1) / len(land.ridges)
        haze = rgb(self.palette.sky[-1])
        if index:
            self.mist(ridge, haze, 0.3 * (1 - depth), canvas.unit * 0.03)
        top, alpha = canvas.below(ridge, land.floors[index])
        rows = canvas.ys[top : top + alpha.shape[0]]
        texture = self.texture()[top : top + alpha.shape[0]]
        shade = (1 + 0.12 * depth * texture) * (1 - 0.25 * depth * smoothstep(0, canvas.unit * 0.3, rows - ridge))
        for _ in range(2):
            fold = ridge + canvas.unit * rng.uniform(0.03, 0.12) * (0.5 + canvas.ridge(3.0, 5, 0.5))
            past = np.clip(rows - fold, 0.0, None)
            shade *= 1 - 0.07 * np.clip(past, 0.0, 1.0) * np.exp(-past / (canvas.unit * 0.06))
        canvas.cover(top, 0, alpha, mix(haze, self.layers[index], 0.45 + 0.55 * depth) * shade)
        if index == 0 and self.mood.light == "day":
            snowline = ridge.min() + (ridge.max() - ridge.min()) * 0.4 + canvas.unit * 0.015 * texture
            snow = alpha * np.clip(snowline - rows, 0.0, 1.0)
            canvas.cover(top, 0, snow * 0.85, mix(haze, WHITE, 0.7))

    def texture(self) -> np.ndarray:
        """Mottling shared by every layer, taller than wide: gullies, scree and trees seen from afar."""
        if not hasattr(self, "_texture"):
            self._texture = self.canvas.noise(12.0, 4, stretch=2.5, persistence=0.65)
        return self._texture

    def water(self, top: int, bottom: int, land: Landscape) -> None:
        super().water(top, bottom, land)
        canvas = self.canvas
        spread = canvas.unit * 0.03 + 0.2 * (canvas.ys[top:bottom] - top)
        ripples = canvas.noise(3.0, 3, stretch=0.08)[top:bottom]
        glitter = np.exp(-(((canvas.xs - land.sun[0]) / spread) ** 2)) * smoothstep(0.6, 1.6, ripples)
        canvas.cover(top, 0, glitter * (0.35 if self.mood.light == "day" else 0.6), rgb(self.palette.accent))

    def finish(self, land: Landscape) -> None:
        self.canvas.vignette(0.22)
        self.canvas.grain(0.012)


class Cinematic(Painter):
    """Teal-and-orange grade, a low sun with an anamorphic streak, misty silhouettes, grain and bars."""

    octaves = 5
    roughness = 0.45
    figure_saturation = 0.9
    figure_rim = 0.5
    figure_shading = 0.3
    palettes: ClassVar[dict[Light, Palette]] = {
        "day": Palette(
            ("#123f4f", "#3f8793", "#e7b07a", "#f6c28b"),
            ("#4a7580", "#2c5560", "#173744", "#0a1c24"),
            light="#ffe2b0",
            cloud="#f3d2b0",
            water="#1d4550",
            accent="#9fd6ff",
        ),
        "warm": Palette(
            ("#0f2d3c", "#6b5a5e", "#e0824a", "#ffbb6b"),
            ("#6d5257", "#453641", "#272330", "#101119"),
            light="#ffd38a",
            cloud="#f4a578",
            water="#34303a",
            accent="#ffb37a",
        ),
        "night": Palette(
            ("#02080c", "#082630", "#15444f"),
            ("#0f3440", "#0a2630", "#061a22", "#020c11"),
            light="#d7f0f2",
            cloud="#1c4450",
            water="#05161c",
            accent="#7fc9ff",
        ),
    }

    def sky(self, land: Landscape) -> None:
        canvas, palette = self.canvas, self.palette
        canvas.gradient(palette.sky, land.horizon)
        x, y, radius = land.sun
        light = rgb(palette.light)
        if self.mood.light == "night":
            canvas.stars(land.horizon * 0.7, rgb("#cfe8ee") * 0.8)
        canvas.glow(x, y, canvas.unit * 0.45, light, 0.55)
        canvas.glow(x, y, radius * 2.0, light, 0.7)
        canvas.disc(x, y, radius * 0.8, mix(light, WHITE, 0.5), softness=radius * 0.15)
        reach = int(canvas.unit * 0.03)
        top, bottom = max(0, int(y) - reach), min(canvas.height, int(y) + reach)
        band = np.exp(-(((canvas.ys[top:bottom] - y) / (canvas.unit * 0.006)) ** 2))
        spread = np.exp(-np.abs(canvas.xs - x) / (canvas.width * 0.45))
        region = canvas.pixels[:, top:bottom]
        region += (1.0 - region) * rgb(palette.accent) * (0.55 * band * spread)

    def hill(self, index: int, ridge: np.ndarray, land: Landscape) -> None:
        canvas = self.canvas
        depth = (index + 1) / len(land.ridges)
        self.mist(ridge, rgb(self.palette.sky[-1]), 0.5 * (1 - depth), canvas.unit * 0.03)
        top, alpha = canvas.below(ridge, land.floors[index])
        fade = 1 - 0.35 * smoothstep(0, canvas.unit * 0.5, canvas.ys[top : top + alpha.shape[0]] - ridge)
        canvas.cover(top, 0, alpha, self.layers[index] * fade)

    def tree(self, tree: Tree) -> None:
        super().tree(Tree(tree.layer, tree.x, tree.base, tree.height * 1.3))

    @classmethod
    def margins(cls, width: int, height: int) -> tuple[float, float]:
        """Clear of the black bars `finish` lays over the top and bottom."""
        x, y = super().margins(width, height)
        return x, y + cls.bar(width, height)

    @staticmethod
    def bar(width: int, height: int) -> int:
        """The height of each black bar: a 2.39:1 letterbox on a wide frame, a thin band on a tall one."""
        wide = width > height * 1.2
        return max(0, int((height - width / 2.39) / 2 if wide else height * 0.045))

    def finish(self, land: Landscape) -> None:
        canvas = self.canvas
        pixels = canvas.pixels
        luma = 0.3 * pixels[0] + 0.59 * pixels[1] + 0.11 * pixels[2]
        pixels += (rgb("#0b4f5c") - pixels) * (0.35 * (1 - luma) ** 2)
        pixels += (rgb("#ffb070") - pixels) * (0.25 * luma**2)
        np.clip(pixels, 0.0, 1.0, out=pixels)
        pixels += (pixels * pixels * (3 - 2 * pixels) - pixels) * 0.6
        canvas.vignette(0.55)
        canvas.grain(0.025)
        bar = self.bar(canvas.width, canvas.height)
        if bar > 0:
            pixels[:, :bar] = 0.0
            pixels[:, canvas.height - bar :] = 0.0
