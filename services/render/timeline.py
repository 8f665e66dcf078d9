"""The video's frame grid: how many frames each scene gets, and the segments the video is rendered in.

Scene boundaries are rounded on the global frame grid, so rounding never accumulates: every
scene starts within half a frame of its narration. A transition straddles the boundary between
two scenes (half before, half after), so it never moves a scene's start away from its audio.

The video is cut into segments that are rendered independently and joined without re-encoding:
each scene's body (the frames that show only that scene) and each transition (the frames where two
scenes blend). A segment depends only on the scenes it shows, so after one image is regenerated
only that scene's body and its transitions need rendering again.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate, pairwise

from libs.common.errors import InvalidInput

MIN_BODY_FRAMES = 1


@dataclass(frozen=True)
class Segment:
    """Global frames [first, end) showing `scenes` (one scene, or the two a transition blends)."""

    first: int
    end: int
    scenes: tuple[int, ...]

    @property
    def frames(self) -> int:
        return self.end - self.first

    @property
    def is_transition(self) -> bool:
        return len(self.scenes) == 2


def scene_frames(durations: Sequence[float], fps: int) -> list[int]:
    """Frames per scene: scene boundaries rounded on the global frame grid, so errors never add up."""
    if not durations:
        raise InvalidInput("there are no scenes to render")
    bounds = [round(end * fps) for end in accumulate(durations, initial=0.0)]
    frames = [end - start for start, end in pairwise(bounds)]
    for number, count in enumerate(frames, start=1):
        if count < 1:
            raise InvalidInput(f"scene {number} is shorter than one video frame")
    return frames


def scene_starts(frames: Sequence[int]) -> list[int]:
    """The global frame each scene starts on."""
    return list(accumulate(frames, initial=0))[:-1]


def transition_half(frames: Sequence[int], fps: int, transition_s: float) -> int:
    """Frames a transition takes on each side of a boundary: half of `transition_s`, shortened so that
    every scene keeps at least a few frames of its own (a scene of one or two frames gets no transition)."""
    if len(frames) < 2 or transition_s <= 0:
        return 0
    wanted = round(transition_s * fps / 2)
    room = (min(frames) - MIN_BODY_FRAMES) // 2
    return max(0, min(wanted, room))


def plan_segments(frames: Sequence[int], half: int) -> list[Segment]:
    """Bodies and transitions in playing order; together they cover every frame exactly once."""
    starts = scene_starts(frames)
    last = len(frames) - 1
    segments: list[Segment] = []
    for index, (start, count) in enumerate(zip(starts, frames, strict=True)):
        head = half if index > 0 else 0
        tail = half if index < last else 0
        segments.append(Segment(start + head, start + count - tail, (index,)))
        if tail:
            boundary = start + count
            segments.append(Segment(boundary - half, boundary + half, (index, index + 1)))
    return segments


def scene_extent(frames: Sequence[int], half: int, index: int) -> tuple[int, int]:
    """The global frames [first, end) on which scene `index` is visible, transitions included."""
    start = scene_starts(frames)[index]
    head = half if index > 0 else 0
    tail = half if index < len(frames) - 1 else 0
    return start - head, start + frames[index] + tail
