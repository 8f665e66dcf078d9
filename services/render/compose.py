"""Compose the video: every still for exactly its scene's length, the narration under it, captions burned in.

One ffmpeg run does the whole video. Scene lengths are cut on the video's global frame
grid (and the audio on the matching sample grid), so rounding never accumulates: each
scene starts within half a frame of its narration and the video is as long as the story.
"""

import asyncio
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate, pairwise
from pathlib import Path
from typing import Literal

from PIL import Image, ImageOps

from libs.common.errors import InvalidInput, ProviderError
from libs.common.events import Cue, RenderOptions
from libs.common.tools import start_tool
from services.render.captions import to_ass, to_srt, to_vtt

AUDIO_RATE = 48_000
PROGRESS_INTERVAL_S = 0.5
STDERR_TAIL_LINES = 15

Quality = Literal["draft", "standard", "high"]


@dataclass(frozen=True)
class Encoding:
    """libx264's speed/size trade-off (`preset`) and quality target (`crf`, lower is better)."""

    preset: str
    crf: int


ENCODINGS: dict[Quality, Encoding] = {
    "draft": Encoding("ultrafast", 28),
    "standard": Encoding("veryfast", 23),
    "high": Encoding("slow", 20),
}


@dataclass(frozen=True)
class SceneMedia:
    image_path: Path
    audio_path: Path
    duration_s: float


@dataclass(frozen=True)
class RenderedVideo:
    video_path: Path
    thumbnail_path: Path
    srt_path: Path
    vtt_path: Path
    duration_s: float


async def render_video(
    scenes: Sequence[SceneMedia],
    cues: Sequence[Cue],
    options: RenderOptions,
    workdir: Path,
    report: Callable[[float], Awaitable[None]],
) -> RenderedVideo:
    """Render the MP4, its thumbnail and caption files into `workdir`; `report` gets the fraction of video done."""
    frames = scene_frames(scenes, options.fps)
    _check_size(options)
    rendered = RenderedVideo(
        video_path=workdir / "video.mp4",
        thumbnail_path=workdir / "thumbnail.jpg",
        srt_path=workdir / "captions.srt",
        vtt_path=workdir / "captions.vtt",
        duration_s=sum(frames) / options.fps,
    )
    await asyncio.to_thread(_check_images, scenes)
    rendered.srt_path.write_text(to_srt(cues), encoding="utf-8")
    rendered.vtt_path.write_text(to_vtt(cues), encoding="utf-8")
    subtitles_path = workdir / "captions.ass"
    if options.subtitles:
        subtitles_path.write_text(to_ass(cues, options.width, options.height), encoding="utf-8")
    command = build_command(scenes, options, rendered.video_path, subtitles_path)
    await _run_ffmpeg(command, rendered.duration_s, report)
    await asyncio.to_thread(_write_thumbnail, scenes[0].image_path, options, rendered.thumbnail_path)
    return rendered


def scene_frames(scenes: Sequence[SceneMedia], fps: int) -> list[int]:
    """Frames per scene: scene boundaries rounded on the global frame grid, so errors never add up."""
    if not scenes:
        raise InvalidInput("there are no scenes to render")
    bounds = [round(end * fps) for end in accumulate((scene.duration_s for scene in scenes), initial=0.0)]
    frames = [end - start for start, end in pairwise(bounds)]
    for number, count in enumerate(frames, start=1):
        if count < 1:
            raise InvalidInput(f"scene {number} is shorter than one video frame")
    return frames


def build_command(
    scenes: Sequence[SceneMedia],
    options: RenderOptions,
    video_path: Path,
    subtitles_path: Path,
    quality: Quality = "standard",
) -> list[str]:
    """The ffmpeg argument list for the whole video; the ASS file is burned in when options.subtitles is on.

    Inputs are every scene's still, then every scene's narration. Each still is read, scaled
    and cropped once and then repeated for its scene's frame count by the `loop` filter:
    looping the input instead (`-loop 1`) decodes and scales the picture again for every
    frame, about six times slower at 1080x1920. User text never appears here, only in the ASS file.
    """
    fps = options.fps
    frames = scene_frames(scenes, fps)
    encoding = ENCODINGS[quality]
    command = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y"]
    for scene in scenes:
        command += ["-framerate", str(fps), "-i", str(scene.image_path)]
    for scene in scenes:
        command += ["-i", str(scene.audio_path)]
    command += ["-filter_complex", _filter_graph(options, frames, subtitles_path)]
    command += ["-map", "[video]", "-map", "[audio]"]
    command += ["-c:v", "libx264", "-preset", encoding.preset, "-crf", str(encoding.crf), "-pix_fmt", "yuv420p"]
    command += ["-r", str(fps), "-c:a", "aac", "-b:a", "128k", "-ar", str(AUDIO_RATE)]
    command += ["-movflags", "+faststart", "-progress", "pipe:1", "-nostats", str(video_path)]
    return command


def _filter_graph(options: RenderOptions, frames: list[int], subtitles_path: Path) -> str:
    """Scale-to-cover and crop each still, pad or cut each narration to its scene, concatenate, burn captions."""
    width, height, count = options.width, options.height, len(frames)
    chains = [
        f"[{index}:v]scale={width}:{height}:force_original_aspect_ratio=increase,crop={width}:{height},"
        f"setsar=1,format=yuv420p,loop=loop={scene_length - 1}:size=1:start=0,setpts=N/{options.fps}/TB[v{index}]"
        for index, scene_length in enumerate(frames)
    ]
    sample_bounds = [round(frame * AUDIO_RATE / options.fps) for frame in accumulate(frames, initial=0)]
    chains += [
        f"[{count + index}:a]aresample={AUDIO_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo,"
        f"apad=whole_len={end - start},atrim=end_sample={end - start}[a{index}]"
        for index, (start, end) in enumerate(pairwise(sample_bounds))
    ]
    videos = "".join(f"[v{index}]" for index in range(count))
    audios = "".join(f"[a{index}]" for index in range(count))
    burn = f",ass=filename={filter_path(subtitles_path)}" if options.subtitles else ""
    chains.append(f"{videos}concat=n={count}:v=1:a=0{burn}[video]")
    chains.append(f"{audios}concat=n={count}:v=0:a=1[audio]")
    return ";".join(chains)


def filter_path(path: Path) -> str:
    """Escape a path for use as a filter option value inside a filter graph.

    Two levels, as ffmpeg parses them: first the option value (`\\`, `'`, `:`), then the
    graph itself (`\\`, `'`, `[`, `]`, `,`, `;`).
    """
    value = re.sub(r"([\\':])", r"\\\1", str(path))
    return re.sub(r"([\\'\[\],;])", r"\\\1", value)


def _check_size(options: RenderOptions) -> None:
    if options.width < 2 or options.height < 2 or options.width % 2 or options.height % 2:
        raise InvalidInput("video width and height must be even numbers of pixels", field="options")


def _check_images(scenes: Sequence[SceneMedia]) -> None:
    """Decode every still up front, so a bad image is reported by scene rather than as an ffmpeg failure."""
    for number, scene in enumerate(scenes, start=1):
        try:
            with Image.open(scene.image_path) as image:
                image.load()
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
            raise InvalidInput(f"scene {number}'s image is not a readable image") from error


def _write_thumbnail(image_path: Path, options: RenderOptions, thumbnail_path: Path) -> None:
    """The first scene's still, scaled to cover and centre-cropped exactly as in the video, as a JPEG."""
    with Image.open(image_path) as image:
        frame = ImageOps.fit(image.convert("RGB"), (options.width, options.height), Image.Resampling.LANCZOS)
    frame.save(thumbnail_path, "JPEG", quality=90)


async def _run_ffmpeg(command: list[str], total_s: float, report: Callable[[float], Awaitable[None]]) -> None:
    process = await start_tool(command[0], *command[1:])
    try:
        assert process.stdout is not None and process.stderr is not None
        stderr = asyncio.create_task(process.stderr.read())
        await _follow_progress(process.stdout, total_s, report)
        returncode = await process.wait()
        errors = (await stderr).decode(errors="replace")
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    if returncode != 0:
        tail = "\n".join(errors.strip().splitlines()[-STDERR_TAIL_LINES:])
        raise ProviderError(f"ffmpeg failed (exit {returncode}): {tail}", retryable=False)
    await report(1.0)


async def _follow_progress(
    stdout: asyncio.StreamReader, total_s: float, report: Callable[[float], Awaitable[None]]
) -> None:
    """Turn ffmpeg's `-progress` key=value lines into fractions done, at most one per PROGRESS_INTERVAL_S."""
    last_at = time.monotonic()
    done = 0.0
    async for raw in stdout:
        key, _, value = raw.decode(errors="replace").strip().partition("=")
        if key not in ("out_time_us", "out_time_ms") or not value.isdigit():
            continue
        done = max(done, min(int(value) / 1_000_000 / total_s, 1.0))
        if time.monotonic() - last_at >= PROGRESS_INTERVAL_S:
            last_at = time.monotonic()
            await report(done)
