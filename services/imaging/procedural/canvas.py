"""Float pixel planes and the colour and shape arithmetic every style paints with."""

import io

import numpy as np
from PIL import Image

PNG_COMPRESS_LEVEL = 1

Color = np.ndarray
"""An RGB colour shaped (3, 1, 1), so it broadcasts over any block of pixel planes."""


def rgb(hex_code: str) -> Color:
    return np.array([int(hex_code[i : i + 2], 16) / 255 for i in (1, 3, 5)], np.float32).reshape(3, 1, 1)


def mix(a: np.ndarray, b: np.ndarray, t: float | np.ndarray) -> np.ndarray:
    return a + (b - a) * t


def smoothstep(edge0: float, edge1: float, x: np.ndarray) -> np.ndarray:
    """0 before edge0, 1 after edge1, a smooth S between (edge0 may exceed edge1 to run downhill)."""
    t = np.clip((x - edge0) / (edge1 - edge0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def union_field(
    rows: np.ndarray, columns: np.ndarray, circles: np.ndarray, floor: float | None, margin: float
) -> np.ndarray:
    """Signed distance (negative inside) to a union of circles (x, y, r), optionally cut flat at `floor`.

    Exact only within `margin` of some circle and infinite farther out, which is all that edges
    and outlines need, and it spares computing every circle over the whole block.
    """
    field = np.full((rows.shape[0], columns.shape[0]), np.inf, np.float32)
    for x, y, r in circles:
        reach = r + margin
        r0, r1 = np.searchsorted(rows[:, 0], [y - reach, y + reach])
        c0, c1 = np.searchsorted(columns, [x - reach, x + reach])
        part = field[r0:r1, c0:c1]
        np.minimum(part, np.hypot(columns[c0:c1] - x, rows[r0:r1] - y) - r, out=part)
    return field if floor is None else np.maximum(field, rows - floor)


WHITE = rgb("#ffffff")
INK = rgb("#111111")
WINDOW_LIGHT = rgb("#ffc766")


class Canvas:
    """Float pixel planes in 0..1, their coordinates, and the painting's random generator."""

    def __init__(self, width: int, height: int, rng: np.random.Generator) -> None:
        self.width, self.height, self.rng = width, height, rng
        self.unit = float(min(width, height))
        self.pixels = np.zeros((3, height, width), np.float32)
        self.xs = np.arange(width, dtype=np.float32)
        self.ys = np.arange(height, dtype=np.float32)[:, None]

    def cover(self, top: int, left: int, alpha: np.ndarray, color: np.ndarray) -> None:
        """Lay `color` over the block at (top, left) with per-pixel opacity `alpha`."""
        region = self.pixels[:, top : top + alpha.shape[0], left : left + alpha.shape[1]]
        change = color - region
        change *= alpha
        region += change

    def below(self, line: np.ndarray, bottom: int | None = None) -> tuple[int, np.ndarray]:
        """Opacity under a line (one row per column) down to `bottom`, antialiased at the edge."""
        bottom = self.height if bottom is None else bottom
        top = int(np.clip(np.floor(line.min()), 0, bottom))
        return top, np.clip(self.ys[top:bottom] - line + 0.5, 0.0, 1.0)

    def around(self, x: float, y: float, reach: float) -> tuple[int, int, np.ndarray, np.ndarray] | None:
        """The clipped block within `reach` of a point, as (top, left, dy column, dx row)."""
        top, bottom = max(0, int(y - reach)), min(self.height, int(y + reach) + 1)
        left, right = max(0, int(x - reach)), min(self.width, int(x + reach) + 1)
        if top >= bottom or left >= right:
            return None
        return top, left, self.ys[top:bottom] - y, self.xs[left:right] - x

    def disc(self, x: float, y: float, radius: float, color: Color, softness: float = 1.0, alpha: float = 1.0) -> None:
        block = self.around(x, y, radius + 2 * softness + 1)
        if block is not None:
            top, left, dy, dx = block
            distance = np.sqrt(dx * dx + dy * dy)
            self.cover(top, left, alpha * np.clip((radius - distance) / softness + 0.5, 0.0, 1.0), color)

    def glow(self, x: float, y: float, reach: float, color: Color, strength: float) -> None:
        """Add light falling off smoothly from a point (a screen blend: it never darkens)."""
        block = self.around(x, y, reach * 2.2)
        if block is not None:
            top, left, dy, dx = block
            falloff = strength * np.exp(-(dx * dx + dy * dy) / (reach * reach))
            region = self.pixels[:, top : top + dy.shape[0], left : left + dx.shape[0]]
            region += (1.0 - region) * color * falloff

    def puff(self, circles: np.ndarray, floor: float | None) -> tuple[int, int, np.ndarray] | None:
        """Signed distance to a union of circles over the block that holds them."""
        margin = 0.02 * self.unit
        reach = circles[:, 2].max() + margin
        left, right = max(0, int((circles[:, 0] - reach).min())), min(self.width, int((circles[:, 0] + reach).max()))
        top, bottom = max(0, int((circles[:, 1] - reach).min())), min(self.height, int((circles[:, 1] + reach).max()))
        if top >= bottom or left >= right:
            return None
        return top, left, union_field(self.ys[top:bottom], self.xs[left:right], circles, floor, margin)

    def gradient(self, stops: tuple[str, ...], horizon: float) -> None:
        """Fill with vertical colour stops spread evenly from the top row down to the horizon."""
        colors = np.concatenate([rgb(stop) for stop in stops], axis=1)[:, :, 0]
        at = np.linspace(0.0, horizon, len(stops))
        rows = np.arange(self.height, dtype=np.float32)
        self.pixels[:] = np.stack([np.interp(rows, at, channel) for channel in colors])[:, :, None]

    def noise(self, cells: float, octaves: int, stretch: float = 1.0, persistence: float = 0.5) -> np.ndarray:
        """Fractal value noise over the canvas with mean 0 and deviation 1, `cells` features per unit.

        `stretch` below 1 draws features wider than tall; `persistence` weighs each octave against
        the one before (higher keeps more fine detail). Octaves are summed at quarter resolution
        and upscaled once: no painting needs noise finer than that, and it keeps noise cheap.
        """
        low = (max(4, self.width // 4), max(4, self.height // 4))
        total = np.zeros((low[1], low[0]), np.float32)
        amplitude = 1.0
        for octave in range(octaves):
            per_unit = cells * 2**octave
            grid_w = min(low[0], int(per_unit * stretch * self.width / self.unit) + 2)
            grid_h = min(low[1], int(per_unit * self.height / self.unit) + 2)
            grid = Image.fromarray(self.rng.random((grid_h, grid_w), dtype=np.float32))
            total += amplitude * np.asarray(grid.resize(low, Image.Resampling.BICUBIC))
            amplitude *= persistence
        total = (total - total.mean()) / (total.std() + 1e-6)
        return np.asarray(Image.fromarray(total).resize((self.width, self.height), Image.Resampling.BILINEAR))

    def ridge(self, cycles: float, octaves: int, roughness: float) -> np.ndarray:
        """A 1-D fractal profile across the width, scaled to 0..1; `cycles` hills per unit."""
        position = self.xs / self.unit
        total = np.zeros(self.width, np.float32)
        amplitude = 1.0
        for octave in range(octaves):
            scaled = position * cycles * 2**octave + self.rng.uniform(0, 1)
            knots = self.rng.uniform(-1, 1, int(scaled[-1]) + 2).astype(np.float32)
            index = scaled.astype(np.int64)
            t = smoothstep(0.0, 1.0, scaled - index)
            total += amplitude * (knots[index] * (1 - t) + knots[index + 1] * t)
            amplitude *= roughness
        span = total.max() - total.min()
        return (total - total.min()) / span if span > 0 else total * 0

    def stars(self, horizon: float, color: Color) -> None:
        count = int(self.width * horizon * 0.0005)
        rows = self.rng.integers(0, max(1, int(horizon * 0.9)), count)
        columns = self.rng.integers(0, self.width, count)
        brightness = self.rng.uniform(0.25, 1.0, count).astype(np.float32) ** 2
        spot = self.pixels[:, rows, columns]
        self.pixels[:, rows, columns] = spot + (color[:, :, 0] - spot) * brightness
        for x, y in zip(columns[:12], rows[:12], strict=True):
            self.disc(float(x), float(y), self.unit * 0.002, color, softness=self.unit * 0.002)

    def grain(self, amount: float) -> None:
        """Monochrome grain in 2x2 clumps: it reads as film grain and halves the PNG encoding time."""
        clumps = self.rng.standard_normal(((self.height + 1) // 2, (self.width + 1) // 2), dtype=np.float32)
        self.pixels += amount * clumps.repeat(2, axis=0).repeat(2, axis=1)[: self.height, : self.width]

    def vignette(self, strength: float) -> None:
        across = ((self.xs - self.width / 2) / (self.width / 2)) ** 2
        down = ((self.ys - self.height / 2) / (self.height / 2)) ** 2
        self.pixels *= 1.0 - strength * smoothstep(0.35, 2.0, across + down)

    def to_png(self) -> bytes:
        planes = (np.clip(self.pixels, 0.0, 1.0) * 255 + 0.5).astype(np.uint8)
        image = Image.merge("RGB", [Image.fromarray(plane) for plane in planes])
        out = io.BytesIO()
        image.save(out, format="PNG", compress_level=PNG_COMPRESS_LEVEL)
        return out.getvalue()
