"""Ken Burns motion on stills without zoompan: pans slide a crop window, zooms rescale by whole steps.

zoompan rounds its window to whole source pixels at a changing scale and magnifies that
rounding, which is what makes it jitter, and it is slow. Here scenes take turns: a zoom (in,
then out on the next zooming scene) and a pan (its direction varying per scene), each over a
framing (how much of the still is shown) that varies too.

A pan scales the still once to a canvas a little larger than the frame and moves a
frame-sized window by exactly one pixel every `cadence` frames: a constant integer velocity,
so the motion is perfectly even and costs only a pointer offset per frame. The crop works on
the 4:2:0 frame with `exact`, so the luma moves by single pixels and the half-resolution
colour planes by whole chroma samples (at most half a chroma sample behind, which is
invisible).

A zoom scales the still once to its largest size, then every `cadence` frames rescales it two
pixels narrower or wider (swscale, about 3 ms a 1080x1920 frame against about 45 ms to encode
it; `perspective` would cost 33 ms) and cuts the frame from the centre. With even sizes the
centre stays on a whole pixel, so every point of the picture moves steadily away from the
centre (in) or towards it (out) and never back: no jitter. A still whose main subject is known
(its `focus`) is zoomed around that subject instead (the crop's offset then rounds to whole
pixels, at most a pixel's wobble), and pans travel toward it.
"""

import math
from dataclasses import dataclass

DIRECTIONS: tuple[tuple[int, int], ...] = ((1, 0), (-1, 1), (0, -1), (1, 1), (-1, 0), (0, 1), (1, -1), (-1, -1))
"""(dx, dy) per panning scene, in turn: the window moves right, down-left, up, ..."""
ZOOMS: tuple[int, ...] = (1, -1)
"""Per zooming scene, in turn: in, then out."""
FRAMINGS: tuple[float, ...] = (1.04, 1.10, 1.06, 1.13, 1.08)
"""How much of the still the frame shows beyond the motion, per scene in turn: a varied zoom level."""
SPEED_SHARE_PER_S = 0.025
"""Motion speed at the frame's edge, as a share of the frame's short side per second (about 27 px/s on 1080)."""
MAX_TRAVEL_SHARE = 0.15
"""The longest pan, as a share of the frame's short side: long scenes pan more slowly instead."""
MAX_ZOOM_SHARE = 0.12
"""The most a zoom changes the picture's width over a scene: long scenes zoom more slowly instead."""
FOCUS_DEAD_ZONE = 0.08
"""A focus this close to the middle (as a share of the frame) leaves a pan's axis still."""


@dataclass(frozen=True)
class Pan:
    """A crop window of the frame's size moving over a `canvas_width` x `canvas_height` canvas."""

    canvas_width: int
    canvas_height: int
    width: int
    height: int
    dx: int
    dy: int
    cadence: int
    """Frames per one-pixel step."""

    @property
    def moves(self) -> bool:
        return (self.dx, self.dy) != (0, 0)

    def position(self, frame: int) -> tuple[int, int]:
        """The window's top-left corner on the scene's `frame` (counted from the scene's first visible frame)."""
        steps = frame // self.cadence
        return self._start(self.dx, self.canvas_width - self.width) + self.dx * steps, self._start(
            self.dy, self.canvas_height - self.height
        ) + self.dy * steps

    def filter(self, first: int) -> str:
        """The crop filter for frames numbered from `first` on (`n` counts the segment's own frames)."""
        x0, y0 = self.position(first)
        steps = f"floor((n+{first % self.cadence})/{self.cadence})"
        x = f"{x0}+{self.dx}*{steps}" if self.dx else str(x0)
        y = f"{y0}+{self.dy}*{steps}" if self.dy else str(y0)
        return f"crop={self.width}:{self.height}:x='{x}':y='{y}':exact=1"

    @staticmethod
    def _start(direction: int, slack: int) -> int:
        if direction > 0:
            return 0
        if direction < 0:
            return slack
        return slack // 2


@dataclass(frozen=True)
class Zoom:
    """The still, scaled once to `canvas_width` x `canvas_height` (its largest), shown two pixels
    narrower per step further from that size: growing towards it (in) or shrinking from it (out)."""

    canvas_width: int
    canvas_height: int
    width: int
    height: int
    direction: int
    """1 zooms in, -1 zooms out."""
    cadence: int
    """Frames per step."""
    steps: int
    """Steps over the whole scene."""
    anchor: tuple[float, float] = (0.5, 0.5)
    """The point of the still (fractions of its width and height) that stays put on screen: the centre,
    or the main subject, which the zoom then closes in on (or pulls back from)."""

    @property
    def moves(self) -> bool:
        return True

    def size(self, frame: int) -> tuple[int, int]:
        """The still's scaled size on the scene's `frame`; the frame is cut around `anchor`."""
        step = frame // self.cadence
        narrower = self.steps - step if self.direction > 0 else step
        width = self.canvas_width - 2 * narrower
        return width, 2 * math.floor(self.canvas_height * width / (2 * self.canvas_width) + 0.5)

    def filter(self, first: int) -> str:
        """Rescale, then cut the centre, for frames numbered from `first` on (`n` counts the segment's own frames)."""
        step = f"({first // self.cadence}+floor((n+{first % self.cadence})/{self.cadence}))"
        narrower = f"({self.steps}-{step})" if self.direction > 0 else step
        width = f"({self.canvas_width}-2*{narrower})"
        height = f"(2*floor({self.canvas_height}*{width}/{2 * self.canvas_width}+0.5))"
        return (
            f"scale=w='{width}':h='{height}':eval=frame:flags=bicubic,"
            f"crop={self.width}:{self.height}:x='{_cut(width, self.width, self.anchor[0])}'"
            f":y='{_cut(height, self.height, self.anchor[1])}':exact=1"
        )


Motion = Pan | Zoom


def plan_motion(
    scene: int,
    frames: int,
    width: int,
    height: int,
    fps: int,
    motion: bool,
    focus: tuple[float, float] | None = None,
) -> Motion:
    """The motion of the `scene`-th scene, visible for `frames` frames; a still frame when motion is off.

    Even scenes zoom (in, out, in, ...) and odd ones pan, so consecutive scenes never move alike. With a
    `focus` (the main subject's centre, as fractions of the still), a zoom holds that point in place
    and a pan travels toward it.
    """
    if not motion or frames < 2:
        return Pan(width, height, width, height, 0, 0, 1)
    framing = FRAMINGS[scene % len(FRAMINGS)]
    speed = SPEED_SHARE_PER_S * min(width, height)
    if scene % 2 == 0:
        cadence = _cadence(frames, fps, speed, max_steps=int(MAX_ZOOM_SHARE * width / 2))
        steps = (frames - 1) // cadence
        largest = _even(math.ceil(width * framing)) + 2 * steps
        anchor = (0.5, 0.5) if focus is None else (min(max(focus[0], 0.0), 1.0), min(max(focus[1], 0.0), 1.0))
        return Zoom(
            largest,
            _even(math.ceil(largest * height / width)),
            width,
            height,
            ZOOMS[scene // 2 % 2],
            cadence,
            steps,
            anchor,
        )
    dx, dy = DIRECTIONS[scene // 2 % len(DIRECTIONS)]
    if focus is not None and (toward := _toward(focus)) != (0, 0):
        dx, dy = toward
    cadence = _cadence(frames, fps, speed, max_steps=int(MAX_TRAVEL_SHARE * min(width, height)))
    travel = (frames - 1) // cadence
    canvas_width = _even(math.ceil(width * framing) + travel * abs(dx))
    canvas_height = _even(math.ceil(height * framing) + travel * abs(dy))
    return Pan(canvas_width, canvas_height, width, height, dx, dy, cadence)


def _cadence(frames: int, fps: int, speed: float, max_steps: int) -> int:
    """Frames per one-pixel step: about `speed` pixels a second, but no more than `max_steps` steps over
    the scene (a long scene moves more slowly instead of further)."""
    return max(1, round(fps / speed), math.ceil((frames - 1) / max(1, max_steps)))


def _toward(focus: tuple[float, float]) -> tuple[int, int]:
    """The pan direction that brings an off-centre point toward the middle of the frame (none when it is there)."""
    dx, dy = (0 if abs(share - 0.5) < FOCUS_DEAD_ZONE else 1 if share > 0.5 else -1 for share in focus)
    return dx, dy


def _cut(size: str, frame: int, anchor: float) -> str:
    """The crop's offset that keeps the still's point at `anchor` in place on screen as the still rescales
    (the centre, written as a halving, keeps whole pixels exactly: no jitter)."""
    if anchor == 0.5:
        return f"({size}-{frame})/2"
    return f"floor(({size}-{frame})*{anchor:.4f})"


def _even(size: int) -> int:
    return size + size % 2
