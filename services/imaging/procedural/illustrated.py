"""Styles that imitate a drawing: anime, comic-book and Pixar-like 3D animation."""

import math
from typing import ClassVar

import numpy as np

from services.imaging.procedural.canvas import INK, WHITE, WINDOW_LIGHT, Color, mix, rgb, smoothstep, union_field
from services.imaging.procedural.composition import Landscape, Light, Painter, Palette, Tree


class Anime(Painter):
    """Saturated sky, sun rays, big cel-shaded clouds, flat hills with hard-edged rim light."""

    octaves = 3
    roughness = 0.35
    figure_saturation = 1.1
    figure_rim = 0.55
    figure_shading = 0.12
    palettes: ClassVar[dict[Light, Palette]] = {
        "day": Palette(
            ("#0c5bd6", "#3d9bff", "#9fdcff", "#e2f6ff"),
            ("#7fb4e6", "#56c271", "#35a852", "#1f8a3f"),
            light="#fffbe3",
            cloud="#ffffff",
            water="#3d8fe8",
            accent="#b4cdf2",
        ),
        "warm": Palette(
            ("#33237e", "#a2448f", "#ff7a8a", "#ffc46b"),
            ("#a866a8", "#d0607a", "#8c3a6e", "#56214e"),
            light="#fff3b8",
            cloud="#ffe0ea",
            water="#c65f8f",
            accent="#e68fb4",
        ),
        "night": Palette(
            ("#070c36", "#1d2a78", "#4c47a8", "#7a62b8"),
            ("#3b4aa0", "#27378a", "#1b276c", "#111a4e"),
            light="#fff7d1",
            cloud="#8083c8",
            water="#2a3290",
            accent="#5558a8",
        ),
    }

    def sky(self, land: Landscape) -> None:
        canvas, palette, rng = self.canvas, self.palette, self.canvas.rng
        canvas.gradient(palette.sky, land.horizon)
        x, y, radius = land.sun
        light = rgb(palette.light)
        if self.mood.light == "night":
            canvas.stars(land.horizon, WHITE)
        else:
            self.rays(x, y, land.horizon, light)
        canvas.glow(x, y, radius * 2.2, light, 0.5)
        canvas.disc(x, y, radius * 1.45, light, alpha=0.35)
        canvas.disc(x, y, radius, light)
        if self.mood.light == "night":
            canvas.disc(x + radius * 0.45, y - radius * 0.2, radius * 0.85, rgb(palette.sky[1]))
        for _ in range(int(rng.integers(3, 6))):
            cx, base = canvas.width * rng.uniform(-0.1, 1.1), land.horizon * rng.uniform(0.25, 0.85)
            size = canvas.unit * rng.uniform(0.08, 0.15)
            count = int(rng.integers(4, 8))
            offsets = np.sort(rng.uniform(-1.6, 1.6, count))
            radii = size * rng.uniform(0.45, 0.9, count) * (1.15 - 0.3 * np.abs(offsets) / 1.6)
            circles = np.stack([cx + offsets * size, base - radii * 0.35, radii], axis=1)
            self.cel_puff(circles, base, rgb(palette.cloud), rgb(palette.accent), size)

    def rays(self, x: float, y: float, horizon: float, color: Color) -> None:
        canvas = self.canvas
        bottom = max(1, int(horizon))
        dx, dy = canvas.xs - x, canvas.ys[:bottom] - y
        wedges = np.sin(np.arctan2(dy, dx) * 14 + canvas.rng.uniform(0, 6.28)) > 0.35
        falloff = np.exp(-np.sqrt(dx * dx + dy * dy) / (canvas.unit * 0.55))
        canvas.cover(0, 0, wedges * falloff * np.float32(0.18), color)

    def cel_puff(self, circles: np.ndarray, floor: float | None, color: Color, shadow: Color, size: float) -> None:
        """A puff in its shadow colour, lit flat where a copy shifted toward the light overlaps it."""
        canvas = self.canvas
        block = canvas.puff(circles, floor)
        if block is None:
            return
        top, left, field = block
        inside = np.clip(0.5 - field, 0.0, 1.0)
        lit = circles - size * np.array([0.12, 0.22, 0.05])
        rows, columns = canvas.ys[top : top + field.shape[0]], canvas.xs[left : left + field.shape[1]]
        lit_floor = floor - size * 0.25 if floor is not None else None
        lit_alpha = np.clip(0.5 - union_field(rows, columns, lit, lit_floor, 2.0), 0.0, 1.0) * inside
        canvas.cover(top, left, inside, shadow)
        canvas.cover(top, left, lit_alpha, color)

    def hill(self, index: int, ridge: np.ndarray, land: Landscape) -> None:
        canvas = self.canvas
        top, alpha = canvas.below(ridge, land.floors[index])
        rows = canvas.ys[top : top + alpha.shape[0]]
        color = self.layers[index]
        canvas.cover(top, 0, alpha, color)
        facing = np.clip(-4 * np.gradient(ridge) * np.sign(canvas.xs - land.sun[0]), 0.0, 1.0)
        band = canvas.unit * (0.015 + 0.01 * index) * facing
        rim = alpha * np.clip(band - (rows - ridge) + 0.5, 0.0, 1.0)
        canvas.cover(top, 0, rim, mix(color, rgb(self.palette.light), 0.35))
        if index + 1 < len(land.ridges) and not (land.water is not None and index == 0):
            contact = alpha * ((land.ridges[index + 1] - rows) < canvas.unit * 0.018)
            canvas.cover(top, 0, contact, color * 0.82)

    def tree(self, tree: Tree) -> None:
        rng = self.canvas.rng
        size = tree.height * 0.4
        self.trunk(tree, size * 0.18, self.layers[tree.layer] * 0.45)
        count = int(rng.integers(3, 6))
        circles = np.stack(
            [
                tree.x + rng.uniform(-0.6, 0.6, count) * size,
                tree.base - tree.height * 0.62 + rng.uniform(-0.5, 0.5, count) * size,
                size * rng.uniform(0.55, 0.8, count),
            ],
            axis=1,
        )
        green = mix(self.layers[tree.layer], rgb("#2e9e4a"), 0.4)
        self.cel_puff(circles, None, mix(green, rgb(self.palette.light), 0.2), green * 0.7, size)

    def water(self, top: int, bottom: int, land: Landscape) -> None:
        """Flat water in two tones with white glints, thickest under the sun."""
        canvas = self.canvas
        rows = canvas.ys[top:bottom]
        depth = smoothstep(top, canvas.height, rows)
        canvas.pixels[:, top:bottom] = mix(rgb(self.palette.sky[-1]), rgb(self.palette.water), 0.55 + 0.45 * depth)
        wave = np.sin(canvas.xs * (37.7 / canvas.unit) + rows * 0.5)
        near_sun = np.exp(-(((canvas.xs - land.sun[0]) / (canvas.unit * 0.12)) ** 2))
        streaks = (wave > 0.97) * ((canvas.noise(4.0, 2, stretch=0.2)[top:bottom] > 0.6) | (near_sun > 0.4))
        canvas.cover(top, 0, streaks * np.float32(0.8), WHITE)


class ComicBook(Painter):
    """Flat bold colours, thick black outlines, halftone dots, action lines and a panel border."""

    octaves = 3
    roughness = 0.4
    figure_saturation = 1.15
    figure_rim = 0.0
    figure_shading = 0.05
    figure_outline = 0.007
    palettes: ClassVar[dict[Light, Palette]] = {
        "day": Palette(
            ("#2fb4ff",),
            ("#58c7e0", "#8fd43f", "#37a23c", "#f2c230"),
            light="#ffe23a",
            cloud="#ffffff",
            water="#1f7fd6",
            accent="#1478c8",
        ),
        "warm": Palette(
            ("#ff7b2e",),
            ("#c23a6b", "#9c2257", "#6e1442", "#f0a02c"),
            light="#ffe23a",
            cloud="#ffe3c9",
            water="#d8462c",
            accent="#d9441c",
        ),
        "night": Palette(
            ("#1c2276",),
            ("#3c4bb0", "#2b3795", "#6a2a9a", "#1c2468"),
            light="#ffe98c",
            cloud="#9aa6ff",
            water="#141a5c",
            accent="#0b0f45",
        ),
    }

    def sky(self, land: Landscape) -> None:
        canvas, palette, rng = self.canvas, self.palette, self.canvas.rng
        canvas.pixels[:] = rgb(palette.sky[0])
        bottom = max(1, int(land.horizon))
        coverage = 0.1 + 0.55 * (canvas.ys[:bottom] / bottom) ** 2
        self.halftone(0, np.broadcast_to(coverage, (bottom, canvas.width)), rgb(palette.accent))
        x, y, radius = land.sun
        self.action_lines(x, y, radius * 1.8, bottom)
        if self.mood.light == "night":
            canvas.stars(land.horizon, rgb("#fff4b0"))
        canvas.disc(x, y, radius + canvas.unit * 0.008, INK)
        canvas.disc(x, y, radius, rgb(palette.light))
        for _ in range(int(rng.integers(2, 5))):
            cx, base = canvas.width * rng.uniform(0.0, 1.0), land.horizon * rng.uniform(0.2, 0.75)
            size = canvas.unit * rng.uniform(0.06, 0.1)
            count = int(rng.integers(3, 6))
            offsets = np.linspace(-1.2, 1.2, count)
            radii = size * rng.uniform(0.55, 0.85, count) * (1.1 - 0.3 * np.abs(offsets))
            circles = np.stack([cx + offsets * size, base - radii * 0.3, radii], axis=1)
            self.inked_puff(circles, base, rgb(palette.cloud))

    def halftone(self, top: int, coverage: np.ndarray, ink: Color) -> None:
        """Dots on a 45-degree screen whose area follows `coverage` (0..1) pixel by pixel."""
        canvas = self.canvas
        pitch = max(4.0, canvas.unit * 0.016)
        rows = canvas.ys[top : top + coverage.shape[0]]
        u, v = (canvas.xs + rows) * np.float32(0.7071), (canvas.xs - rows) * np.float32(0.7071)
        du, dv = (u % pitch) - pitch / 2, (v % pitch) - pitch / 2
        radius = pitch * 0.56 * np.sqrt(np.clip(coverage, 0.0, 1.0))
        canvas.cover(top, 0, np.clip(radius - np.sqrt(du * du + dv * dv) + 0.5, 0.0, 1.0), ink)

    def action_lines(self, x: float, y: float, start: float, bottom: int) -> None:
        """Speed lines radiating from the sun, each starting at its own distance."""
        canvas, count = self.canvas, 48
        dx, dy = canvas.xs - x, canvas.ys[:bottom] - y
        turns = (np.arctan2(dy, dx) / (2 * np.pi) + 0.5) * count
        line = turns.astype(np.int64) % count
        reach = start * canvas.rng.uniform(1.0, 2.5, count).astype(np.float32)
        width = canvas.rng.uniform(0.08, 0.25, count).astype(np.float32)
        alpha = ((turns % 1.0) < width[line]) & (np.sqrt(dx * dx + dy * dy) > reach[line])
        canvas.cover(0, 0, alpha * np.float32(0.85), INK)

    def inked_puff(self, circles: np.ndarray, floor: float | None, color: Color) -> None:
        canvas = self.canvas
        block = canvas.puff(circles, floor)
        if block is not None:
            top, left, field = block
            canvas.cover(top, left, np.clip(canvas.unit * 0.007 + 0.5 - field, 0.0, 1.0), INK)
            canvas.cover(top, left, np.clip(0.5 - field, 0.0, 1.0), color)

    def hill(self, index: int, ridge: np.ndarray, land: Landscape) -> None:
        canvas = self.canvas
        outline = canvas.unit * (0.006 + 0.002 * index) * np.sqrt(1 + np.gradient(ridge) ** 2)
        top, alpha = canvas.below(ridge - outline, land.floors[index])
        canvas.cover(top, 0, alpha, INK)
        top, alpha = canvas.below(ridge, land.floors[index])
        color = self.layers[index]
        canvas.cover(top, 0, alpha, color)
        coverage = smoothstep(canvas.unit * 0.05, canvas.unit * 0.3, canvas.ys[top : top + alpha.shape[0]] - ridge)
        self.halftone(top, coverage * alpha * 0.5, color * 0.55)

    def tree(self, tree: Tree) -> None:
        canvas = self.canvas
        green = mix(self.layers[tree.layer], rgb("#1d7a36"), 0.7)
        for grow, color in ((canvas.unit * 0.008, INK), (0.0, green)):
            block = canvas.around(tree.x, tree.base - tree.height / 2, tree.height / 2 + grow)
            if block is not None:
                top, left, dy, dx = block
                half_width = (dy / tree.height + 0.5) * tree.height * 0.3 + grow
                canvas.cover(top, left, np.clip(half_width - np.abs(dx) + 0.5, 0.0, 1.0), color)

    def city(self, skyline: np.ndarray, bottom: int) -> None:
        canvas = self.canvas
        outline = int(canvas.unit * 0.007) + 1
        widened = np.min([np.roll(skyline, shift) for shift in range(-outline, outline + 1)], axis=0)
        top, alpha = canvas.below(widened - outline, bottom)
        canvas.cover(top, 0, alpha, INK)
        top, alpha = canvas.below(skyline, bottom)
        canvas.cover(top, 0, alpha, rgb("#e8e3d0") if self.mood.light == "day" else self.layers[2])
        self.windows(top, alpha, rgb(self.palette.sky[0]) if self.mood.light == "day" else WINDOW_LIGHT)

    def water(self, top: int, bottom: int, land: Landscape) -> None:
        canvas = self.canvas
        water = rgb(self.palette.water)
        rows = canvas.ys[top:bottom]
        canvas.pixels[:, top:bottom] = water
        coverage = 0.15 + 0.4 * smoothstep(top, canvas.height, rows)
        self.halftone(top, np.broadcast_to(coverage, (bottom - top, canvas.width)), water * 0.6)
        wave = np.sin(canvas.xs * (9.0 / canvas.unit) + np.sin(rows * 0.15) * 2)
        crests = (rows % (canvas.unit * 0.04)) < canvas.unit * 0.006
        canvas.cover(top, 0, crests * (wave > 0.3) * np.float32(1.0), WHITE)

    def finish(self, land: Landscape) -> None:
        pixels = self.canvas.pixels
        border = max(2, int(self.canvas.unit * 0.018))
        pixels[:, :border] = pixels[:, -border:] = INK
        pixels[:, :, :border] = pixels[:, :, -border:] = INK


class PixarArt(Painter):
    """Soft pastel gradients, round blobby hills with soft shadows, puffy clouds and bokeh."""

    octaves = 2
    roughness = 0.3
    figure_saturation = 1.05
    figure_rim = 0.35
    palettes: ClassVar[dict[Light, Palette]] = {
        "day": Palette(
            ("#6fbdf5", "#a9dcff", "#dff1ff", "#fff0f4"),
            ("#a9d8d0", "#8fd3a1", "#6cc38c", "#4fae78"),
            light="#fff6da",
            cloud="#ffffff",
            water="#7cc7e8",
            accent="#ffffff",
        ),
        "warm": Palette(
            ("#f3868f", "#ffae93", "#ffd2a6", "#ffeccd"),
            ("#e9a7a1", "#dc8f8e", "#c47784", "#a65d75"),
            light="#fff2cf",
            cloud="#fff1ea",
            water="#f4a69a",
            accent="#fff0c2",
        ),
        "night": Palette(
            ("#282764", "#4f4592", "#8a73c0", "#c4a3d6"),
            ("#7a6bc0", "#5f53a8", "#4a3f90", "#362c74"),
            light="#fff4d4",
            cloud="#b9a6e6",
            water="#5a4c9e",
            accent="#ffd9f4",
        ),
    }

    def sky(self, land: Landscape) -> None:
        canvas, palette, rng = self.canvas, self.palette, self.canvas.rng
        canvas.gradient(palette.sky, land.horizon)
        x, y, radius = land.sun
        light = rgb(palette.light)
        if self.mood.light == "night":
            canvas.stars(land.horizon, rgb("#fff4e0"))
        canvas.glow(x, y, canvas.unit * 0.35, light, 0.6)
        canvas.disc(x, y, radius * 1.1, light, softness=radius * 0.3)
        for _ in range(int(rng.integers(3, 6))):
            cx, base = canvas.width * rng.uniform(-0.05, 1.05), land.horizon * rng.uniform(0.2, 0.8)
            size = canvas.unit * rng.uniform(0.07, 0.12)
            count = int(rng.integers(3, 6))
            offsets = np.linspace(-1.0, 1.0, count) + rng.uniform(-0.15, 0.15, count)
            radii = size * rng.uniform(0.6, 0.9, count) * (1.15 - 0.35 * np.abs(offsets))
            self.soft_puff(np.stack([cx + offsets * size, base - radii * 0.4, radii], axis=1), base, size)

    def soft_puff(self, circles: np.ndarray, floor: float, size: float) -> None:
        """A cloud with a soft edge and a sky-tinted underside."""
        canvas = self.canvas
        block = canvas.puff(circles, floor)
        if block is not None:
            top, left, field = block
            softness = canvas.unit * 0.004
            underside = smoothstep(floor - size * 1.2, floor, canvas.ys[top : top + field.shape[0]])
            color = mix(rgb(self.palette.cloud), rgb(self.palette.sky[1]), 0.45 * underside)
            canvas.cover(top, left, smoothstep(softness, -softness, field) * 0.95, color)

    def hill(self, index: int, ridge: np.ndarray, land: Landscape) -> None:
        canvas = self.canvas
        color = self.layers[index]
        if index:
            reach = canvas.unit * 0.04
            top = int(np.clip(ridge.min() - 3 * reach, 0, canvas.height))
            rise = np.clip(ridge - canvas.ys[top : land.floors[index]], 0, None)
            canvas.cover(top, 0, 0.25 * np.exp(-rise / reach), color * 0.5)
        top, alpha = canvas.below(ridge, land.floors[index])
        under = canvas.ys[top : top + alpha.shape[0]] - ridge
        canvas.cover(top, 0, alpha, color * (1.08 - 0.22 * smoothstep(0, canvas.unit * 0.4, under)))
        canvas.cover(top, 0, alpha * 0.35 * np.exp(-under / (canvas.unit * 0.012)), rgb(self.palette.light))

    def tree(self, tree: Tree) -> None:
        """A lollipop tree: a rounded canopy on a stick, lit from the upper left."""
        canvas = self.canvas
        self.trunk(tree, tree.height * 0.05, rgb("#9a6b4f"))
        radius = tree.height * 0.32
        x, y = tree.x, tree.base - tree.height * 0.68
        canopy = mix(self.layers[tree.layer], rgb("#5cc47a"), 0.5)
        canvas.disc(x, y + radius * 0.12, radius, canopy * 0.8, softness=radius * 0.08)
        canvas.disc(x - radius * 0.15, y - radius * 0.05, radius * 0.85, canopy, softness=radius * 0.25)
        canvas.disc(x - radius * 0.35, y - radius * 0.35, radius * 0.25, WHITE, softness=radius * 0.3, alpha=0.35)

    def water(self, top: int, bottom: int, land: Landscape) -> None:
        """Glassy pastel water: the mirror softened toward the water colour, with rounded glints."""
        super().water(top, bottom, land)
        canvas, rng = self.canvas, self.canvas.rng
        rows = canvas.ys[top:bottom]
        depth = smoothstep(top, canvas.height, rows)
        canvas.pixels[:, top:bottom] = mix(canvas.pixels[:, top:bottom], rgb(self.palette.water), 0.35 + 0.3 * depth)
        swell = np.sin(np.sqrt(rows - top + 1.0) * (9.0 / math.sqrt(canvas.unit)) * math.tau)
        canvas.cover(top, 0, np.broadcast_to(0.12 * smoothstep(0.6, 1.0, swell), (bottom - top, canvas.width)), WHITE)
        thickness = canvas.unit * 0.004
        for _ in range(int(rng.integers(8, 14))):
            y = top + (bottom - top) * rng.uniform(0.03, 0.6) ** 1.5
            length = canvas.unit * rng.uniform(0.02, 0.08)
            block = canvas.around(land.sun[0] + canvas.unit * rng.normal(0, 0.1), y, length)
            if block is not None:
                glint_top, glint_left, dy, dx = block
                alpha = np.clip((length - np.abs(dx)) / thickness, 0.0, 1.0) * np.exp(-((dy / thickness) ** 2))
                canvas.cover(glint_top, glint_left, alpha * 0.7, WHITE)

    def finish(self, land: Landscape) -> None:
        canvas, rng = self.canvas, self.canvas.rng
        light = rgb(self.palette.accent)
        for _ in range(int(rng.integers(18, 32))):
            radius = canvas.unit * rng.uniform(0.015, 0.06)
            x, y = canvas.width * rng.uniform(0, 1), canvas.height * rng.uniform(0.05, 0.95)
            canvas.disc(x, y, radius, light, softness=radius * 0.25, alpha=float(rng.uniform(0.1, 0.3)))
        canvas.vignette(0.12)
