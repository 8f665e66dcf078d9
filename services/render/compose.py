"""Compose the video: segments rendered in parallel and joined without re-encoding, plus the audio track.

Every frame is encoded exactly once: each segment (a scene's body, or a transition between two
scenes) is one ffmpeg run from the pictures to H.264, the audio is one small run to AAC, and
the MP4 is their concatenation with stream copy (`+faststart`, so it streams). Segments run
`parallel` at a time, which keeps memory bounded by the segments in flight, not the video's
length, and a `SegmentCache` hands back segments whose inputs did not change since an earlier
render of the same job.
"""

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from PIL import Image

from libs.common.errors import InvalidInput
from libs.common.events import Cue, RenderOptions
from services.render.captions import to_ass, to_srt, to_vtt, to_word_json
from services.render.ffmpeg import run_ffmpeg
from services.render.motion import plan_motion
from services.render.segment import (
    ENCODINGS,
    XFADE,
    SceneVisual,
    SegmentSpec,
    VisualKind,
    build_segment_command,
)
from services.render.soundtrack import Soundtrack, build_audio_command
from services.render.timeline import Segment, plan_segments, scene_extent, scene_frames, transition_half

FADE_S = 0.3
PREVIEW_SHORT_SIDE = 360
PROGRESS_INTERVAL_S = 0.5
DIGEST_CHUNK = 1 << 20
VIDEO_COMMENT = (
    "Made with Reelforge. All emojis designed by OpenMoji – the open-source emoji and icon project. "
    "License: CC BY-SA 4.0"
)
"""The MP4's `comment` tag: the offline pictures draw their subjects with OpenMoji, whose licence asks credit."""


@dataclass(frozen=True)
class SceneMedia:
    """One scene: its picture (and the further shots shown in turn while its narration plays), its audio."""

    visual_path: Path
    audio_path: Path
    duration_s: float
    kind: VisualKind = "image"
    more_shots: tuple[Path, ...] = ()
    focus: tuple[float, float] | None = None
    """Where the first picture's main subject stands (fractions of width and height): its motion moves toward it."""

    @property
    def shots(self) -> tuple[Path, ...]:
        return (self.visual_path, *self.more_shots)


@dataclass(frozen=True)
class Look:
    """How the render looks beyond the job's options: service settings, not user choices."""

    transition_s: float = 0.5
    parallel: int = 2


@dataclass
class RenderedVideo:
    video_path: Path
    thumbnail_path: Path
    srt_path: Path
    vtt_path: Path
    words_path: Path
    duration_s: float
    preview_path: Path | None = None
    rendered_segments: list[str] = field(default_factory=list)
    reused_segments: list[str] = field(default_factory=list)


class SegmentCache(Protocol):
    """Encoded segments kept between renders of one job, by key."""

    async def fetch(self, key: str, path: Path) -> bool: ...
    async def keep(self, key: str, path: Path) -> None: ...


Report = Callable[[float], Awaitable[None]]


async def render_video(
    scenes: Sequence[SceneMedia],
    cues: Sequence[Cue],
    options: RenderOptions,
    workdir: Path,
    report: Report,
    music: Path | None = None,
    look: Look = Look(),
    cache: SegmentCache | None = None,
) -> RenderedVideo:
    """Render the MP4, its thumbnail, caption files (SRT, WebVTT, word timings) and (if asked) preview into `workdir`.

    `report` gets the fraction of frames done. A bad input is InvalidInput naming the scene;
    an ffmpeg failure is a permanent ProviderError with the end of its stderr.
    """
    _check_size(options)
    frames = scene_frames([scene.duration_s for scene in scenes], options.fps)
    shot_frames = [
        part for scene, count in zip(scenes, frames, strict=True) for part in shares(count, len(scene.shots))
    ]
    shots = [(path, scene.kind) for scene, count in zip(scenes, frames, strict=True) for path in scene.shots[:count]]
    rendered = RenderedVideo(
        video_path=workdir / "video.mp4",
        thumbnail_path=workdir / "thumbnail.jpg",
        srt_path=workdir / "captions.srt",
        vtt_path=workdir / "captions.vtt",
        words_path=workdir / "words.json",
        duration_s=sum(frames) / options.fps,
        preview_path=workdir / "preview.mp4" if options.preview else None,
    )
    await asyncio.to_thread(_check_images, scenes)
    rendered.srt_path.write_text(to_srt(cues), encoding="utf-8")
    rendered.vtt_path.write_text(to_vtt(cues), encoding="utf-8")
    rendered.words_path.write_text(to_word_json(cues), encoding="utf-8")
    half = transition_half(shot_frames, options.fps, look.transition_s if options.transition != "none" else 0.0)
    plan = plan_segments(shot_frames, half)
    kinds = [kind for _, kind in shots]
    focuses = [
        scene.focus if shot == 0 else None
        for scene, count in zip(scenes, frames, strict=True)
        for shot in range(len(scene.shots[:count]))
    ]
    specs = [_segment_spec(segment, plan, shot_frames, half, kinds, focuses, cues, options) for segment in plan]
    digests = await asyncio.to_thread(lambda: [_digest(path) for path, _ in shots])
    progress = _Progress(report, sum(frames))
    soundtrack = Soundtrack([scene.audio_path for scene in scenes], frames, options.fps, options.include_voice, music)
    audio_path = workdir / "audio.m4a"
    semaphore = asyncio.Semaphore(max(1, look.parallel))
    jobs = [
        _SegmentJob(
            number,
            spec.key([digests[index] for index in segment.scenes]),
            spec,
            [shots[index][0] for index in segment.scenes],
            workdir,
            options.preview,
        )
        for number, (segment, spec) in enumerate(zip(plan, specs, strict=True))
    ]
    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(run_ffmpeg(build_audio_command(soundtrack, audio_path)))
            for job in jobs:
                group.create_task(job.run(semaphore, progress, cache, rendered))
    except ExceptionGroup as failed:
        raise failed.exceptions[0] from None
    count = len(plan)
    await _join([workdir / f"segment-{n:04d}.mp4" for n in range(count)], audio_path, rendered.video_path)
    if rendered.preview_path is not None:
        await _join([workdir / f"preview-{n:04d}.mp4" for n in range(count)], audio_path, rendered.preview_path)
    thumbnail_at = min(frames[0] / options.fps / 2, 1.0)
    await run_ffmpeg(_thumbnail_command(rendered.video_path, thumbnail_at, rendered.thumbnail_path))
    if cache is not None:  # only once the whole render succeeded: a cancelled one leaves nothing behind
        for job in jobs:
            if job.key in rendered.rendered_segments:
                await job.keep(cache)
    await report(1.0)
    return rendered


def shares(frames: int, parts: int) -> list[int]:
    """`frames` cut into `parts` (at most one per frame) runs whose lengths differ by at most one frame."""
    parts = max(1, min(parts, frames))
    return [frames * (part + 1) // parts - frames * part // parts for part in range(parts)]


def preview_size(width: int, height: int) -> tuple[int, int]:
    """The preview's size: the short side PREVIEW_SHORT_SIDE (never larger than the video), even sides."""
    scale = min(1.0, PREVIEW_SHORT_SIDE / min(width, height))
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


def _segment_spec(
    segment: Segment,
    plan: Sequence[Segment],
    frames: Sequence[int],
    half: int,
    kinds: Sequence[VisualKind],
    focuses: Sequence[tuple[float, float] | None],
    cues: Sequence[Cue],
    options: RenderOptions,
) -> SegmentSpec:
    fps = options.fps
    visuals = []
    for index in segment.scenes:
        first, end = scene_extent(frames, half, index)
        moving = options.motion and kinds[index] == "image"
        motion = plan_motion(index, end - first, options.width, options.height, fps, moving, focuses[index])
        visuals.append(SceneVisual(kinds[index], motion, segment.first - first, segment.frames))
    fade = max(1, round(FADE_S * fps))
    return SegmentSpec(
        visuals=tuple(visuals),
        fps=fps,
        encoding=ENCODINGS[options.quality],
        transition=XFADE.get(options.transition) if segment.is_transition else None,
        fade_in_frames=min(fade, segment.frames) if segment is plan[0] else 0,
        fade_out_frames=min(fade, segment.frames) if segment is plan[-1] else 0,
        captions=_segment_captions(segment, cues, options) if options.subtitles else None,
        preview_size=preview_size(options.width, options.height) if options.preview else None,
    )


def _segment_captions(segment: Segment, cues: Sequence[Cue], options: RenderOptions) -> str | None:
    """The cues on screen during the segment, on the segment's own clock; None when there are none."""
    start, end = segment.first / options.fps, segment.end / options.fps
    shown = [cue.retimed(shift=-start, high=end - start) for cue in cues if cue.start_s < end and cue.end_s > start]
    return to_ass(shown, options.width, options.height, options.language, options.caption_style) if shown else None


class _Progress:
    """Frames done across the segments running at once, reported at most every PROGRESS_INTERVAL_S."""

    def __init__(self, report: Report, total: int) -> None:
        self.report, self.total = report, max(1, total)
        self.done: dict[int, int] = {}
        self.last_at = 0.0

    async def update(self, segment: int, frames: int) -> None:
        self.done[segment] = frames
        now = asyncio.get_running_loop().time()
        if now - self.last_at >= PROGRESS_INTERVAL_S:
            self.last_at = now
            await self.report(min(sum(self.done.values()) / self.total, 0.99))


@dataclass(frozen=True)
class _SegmentJob:
    """One segment to produce in `workdir`: from the cache when it has the key, else by rendering it."""

    number: int
    key: str
    spec: SegmentSpec
    inputs: list[Path]
    workdir: Path
    preview: bool

    @property
    def video(self) -> Path:
        return self.workdir / f"segment-{self.number:04d}.mp4"

    @property
    def preview_path(self) -> Path | None:
        return self.workdir / f"preview-{self.number:04d}.mp4" if self.preview else None

    async def run(
        self, semaphore: asyncio.Semaphore, progress: _Progress, cache: SegmentCache | None, rendered: RenderedVideo
    ) -> None:
        async with semaphore:
            if cache is not None and await self._fetch(cache):
                rendered.reused_segments.append(self.key)
                await progress.update(self.number, self.spec.frames)
                return
            captions = self.workdir / f"segment-{self.number:04d}.ass"
            if self.spec.captions is not None:
                captions.write_text(self.spec.captions, encoding="utf-8")

            async def on_frames(done: int) -> None:
                await progress.update(self.number, done)

            command = build_segment_command(self.spec, self.inputs, captions, self.video, self.preview_path)
            await run_ffmpeg(command, on_frames)
            rendered.rendered_segments.append(self.key)

    async def keep(self, cache: SegmentCache) -> None:
        await cache.keep(self.key, self.video)
        if self.preview_path is not None:
            await cache.keep(f"{self.key}-preview", self.preview_path)

    async def _fetch(self, cache: SegmentCache) -> bool:
        if not await cache.fetch(self.key, self.video):
            return False
        return self.preview_path is None or await cache.fetch(f"{self.key}-preview", self.preview_path)


async def _join(parts: list[Path], audio: Path, output: Path) -> None:
    """Concatenate encoded segments with stream copy and add the audio: no frame is encoded again."""
    listing = output.with_suffix(".txt")
    listing.write_text("".join(f"file '{_concat_quote(part)}'\n" for part in parts), encoding="utf-8")
    command = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f", "concat", "-safe", "0"]
    command += ["-i", str(listing), "-i", str(audio), "-map", "0:v", "-map", "1:a", "-c", "copy"]
    await run_ffmpeg([*command, "-metadata", f"comment={VIDEO_COMMENT}", "-movflags", "+faststart", str(output)])


def _concat_quote(path: Path) -> str:
    """A path in single quotes for the concat demuxer's list file, where `'` is written `'\\''`."""
    return str(path).replace("'", "'\\''")


def _thumbnail_command(video: Path, at_s: float, thumbnail: Path) -> list[str]:
    """A frame from the first scene (after the fade-in) as a JPEG of the video's size."""
    command = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-ss", f"{at_s:.3f}"]
    return [*command, "-i", str(video), "-frames:v", "1", "-q:v", "3", str(thumbnail)]


def _check_size(options: RenderOptions) -> None:
    if options.width < 2 or options.height < 2 or options.width % 2 or options.height % 2:
        raise InvalidInput("video width and height must be even numbers of pixels", field="options")


def _check_images(scenes: Sequence[SceneMedia]) -> None:
    """Decode every still up front, so a bad image is reported by scene rather than as an ffmpeg failure."""
    for number, scene in enumerate(scenes, start=1):
        if scene.kind != "image":
            continue
        for path in scene.shots:
            try:
                with Image.open(path) as image:
                    image.load()
            except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
                raise InvalidInput(f"scene {number}'s image is not a readable image") from error


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(DIGEST_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
