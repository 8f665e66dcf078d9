"""One segment of the video as one ffmpeg run: its scenes' pictures, a transition, fades, captions, encoded once.

A `SegmentSpec` holds everything that decides a segment's frames except the input files, so its
key (the spec plus the inputs' content digests) names the encoded result: a re-render finds the
segments whose scenes did not change under the same keys and reuses them.
"""

import hashlib
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from libs.common.vocabulary import Quality, Transition
from services.render.motion import Motion

VisualKind = Literal["image", "clip"]

XFADE: dict[Transition, str] = {
    "crossfade": "fade",
    "fadeblack": "fadeblack",
    "wipeleft": "wipeleft",
    "slideup": "slideup",
}
"""Our transition names as ffmpeg's xfade calls them ("none" has no transition segments)."""


@dataclass(frozen=True)
class Encoding:
    """libx264's speed/size trade-off (`preset`) and quality target (`crf`, lower is better)."""

    preset: str
    crf: int

    def arguments(self) -> list[str]:
        return ["-c:v", "libx264", "-preset", self.preset, "-crf", str(self.crf), "-pix_fmt", "yuv420p"]


ENCODINGS: dict[Quality, Encoding] = {
    "draft": Encoding("ultrafast", 28),
    "standard": Encoding("veryfast", 23),
    "high": Encoding("slow", 20),
}
PREVIEW_ENCODING = Encoding("ultrafast", 30)


@dataclass(frozen=True)
class SceneVisual:
    """What one scene contributes to a segment: `frames` of its picture from its own frame `first` on."""

    kind: VisualKind
    motion: Motion
    first: int
    frames: int


@dataclass(frozen=True)
class SegmentSpec:
    visuals: tuple[SceneVisual, ...]
    fps: int
    encoding: Encoding
    transition: str | None = None
    fade_in_frames: int = 0
    fade_out_frames: int = 0
    captions: str | None = None
    """The ASS script for this segment's own clock, or None for no burned-in text."""
    preview_size: tuple[int, int] | None = None

    @property
    def frames(self) -> int:
        """A transition blends two visuals of the same length, so the first one's length is the segment's."""
        return self.visuals[0].frames

    def key(self, input_digests: Sequence[str]) -> str:
        """A name for the encoded result: equal keys mean equal frames."""
        spec = repr(sorted(asdict(self).items())) + "|" + "|".join(input_digests)
        return hashlib.sha256(spec.encode()).hexdigest()[:32]


def build_segment_command(
    spec: SegmentSpec, inputs: Sequence[Path], captions_path: Path, video_path: Path, preview_path: Path | None
) -> list[str]:
    """The ffmpeg argument list for one segment; inputs are the visuals' files in the same order."""
    command = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y"]
    for visual, path in zip(spec.visuals, inputs, strict=True):
        if visual.kind == "image":
            command += ["-framerate", str(spec.fps)]
        command += ["-i", str(path)]
    command += ["-filter_complex", segment_graph(spec, captions_path)]
    # One tick per frame: segment lengths are then exact, so the joined video keeps a constant rate.
    timing = ["-r", str(spec.fps), "-video_track_timescale", str(spec.fps), "-an"]
    command += ["-map", "[video]", *spec.encoding.arguments(), *timing, str(video_path)]
    if spec.preview_size is not None and preview_path is not None:
        command += ["-map", "[preview]", *PREVIEW_ENCODING.arguments(), *timing, str(preview_path)]
    return _with_progress(command)


def _with_progress(command: list[str]) -> list[str]:
    """Progress goes to stdout as key=value lines; the option must come before the outputs."""
    at = command.index("-filter_complex")
    return [*command[:at], "-progress", "pipe:1", "-nostats", *command[at:]]


def segment_graph(spec: SegmentSpec, captions_path: Path) -> str:
    """Each visual's chain, the transition between two, then fades and captions on the result."""
    chains = [_visual_chain(index, visual, spec.fps) for index, visual in enumerate(spec.visuals)]
    if len(spec.visuals) == 2:
        seconds = spec.visuals[0].frames / spec.fps
        chains.append(f"[s0][s1]xfade=transition={spec.transition or 'fade'}:duration={seconds:.6f}:offset=0[blend]")
        last = "[blend]"
    else:
        last = "[s0]"
    post = []
    if spec.fade_in_frames:
        post.append(f"fade=t=in:s=0:n={spec.fade_in_frames}")
    if spec.fade_out_frames:
        post.append(f"fade=t=out:s={spec.frames - spec.fade_out_frames}:n={spec.fade_out_frames}")
    if spec.captions is not None:
        post.append(f"ass=filename={filter_path(captions_path)}")
    if spec.preview_size is not None:
        width, height = spec.preview_size
        post.append("split=2[video][full]")
        chains.append(last + ",".join(post))
        chains.append(f"[full]scale={width}:{height}:flags=area[preview]")
    else:
        chains.append(last + ",".join(post or ["null"]) + "[video]")
    return ";".join(chains)


def _visual_chain(index: int, visual: SceneVisual, fps: int) -> str:
    """One scene's frames at the video's size and rate, numbered from 0 at the segment's start.

    A still is read and scaled once and repeated by `loop` (looping the input instead decodes
    and scales the picture again for every frame); a clip is used as-is, its last frame held
    if it is shorter than the scene.
    """
    motion = visual.motion
    width, height = motion.width, motion.height
    if visual.kind == "clip":
        return (
            f"[{index}:v]fps={fps},scale={width}:{height}:force_original_aspect_ratio=increase,crop={width}:{height},"
            f"setsar=1,format=yuv420p,tpad=stop=-1:stop_mode=clone,"
            f"trim=start_frame={visual.first}:end_frame={visual.first + visual.frames},"
            f"settb=1/{fps},setpts=N[s{index}]"
        )
    canvas = f"{motion.canvas_width}:{motion.canvas_height}"
    repeat = f"loop=loop={visual.frames - 1}:size=1:start=0,settb=1/{fps},setpts=N"
    if not motion.moves:
        return (
            f"[{index}:v]scale={canvas}:force_original_aspect_ratio=increase,crop={canvas},"
            f"setsar=1,format=yuv420p,{repeat}[s{index}]"
        )
    return (
        f"[{index}:v]scale={canvas}:force_original_aspect_ratio=increase,crop={canvas},"
        f"setsar=1,format=yuv420p,{repeat},{motion.filter(visual.first)}[s{index}]"
    )


def filter_path(path: Path) -> str:
    """Escape a path for use as a filter option value inside a filter graph.

    Two levels, as ffmpeg parses them: first the option value (`\\`, `'`, `:`), then the
    graph itself (`\\`, `'`, `[`, `]`, `,`, `;`).
    """
    value = re.sub(r"([\\':])", r"\\\1", str(path))
    return re.sub(r"([\\'\[\],;])", r"\\\1", value)
