"""Render stage: join a job's images and narration, compose the video, upload the outputs.

A job renders once, and again only when a regenerated image arrives (an images.completed in
which some scene's image has a higher version than the one rendered): then the segments that
did not change are reused and jobs.completed announces the next `VideoOutput.version`.
"""

import logging
from pathlib import Path, PurePosixPath

from libs.common.events import (
    AudioCompleted,
    CostBreakdown,
    Event,
    ImagesCompleted,
    JobCompleted,
    JobProgress,
    VideoOutput,
    now,
    overall_progress,
)
from libs.common.metrics import RENDER_SPEED, count_spend
from libs.common.pricing import Prices
from libs.common.runtime import Runtime
from libs.common.storage import ObjectStore, keys
from libs.common.tools import work_dir
from services.render.cache import StoredSegments
from services.render.captions import timeline
from services.render.compose import Look, RenderedVideo, SceneMedia, render_video
from services.render.settings import RenderSettings
from services.render.store import load_join, save_join

log = logging.getLogger(__name__)

CONSUMER = "render"


async def on_half(event: ImagesCompleted | AudioCompleted, runtime: Runtime, settings: RenderSettings) -> None:
    """Record this half of the join; when both halves are in, render and complete the job.

    Both halves arrive through one ordered subscription, so the second half always sees the
    first one committed. When the reconciler sends a finished job through again (its completion
    may have been lost with the broker's data), the video is not rendered again but its
    completion is announced again.
    """
    previous = await load_join(runtime.db, event.job_id)
    join = previous.merged(event)
    halves = join.halves
    completed: JobCompleted | None = None
    rendered = False
    if halves is not None and (join.output is None or previous.is_regenerated_by(event)):
        images, audio = halves
        version = 1 if join.output is None else VideoOutput.model_validate_json(join.output).version + 1
        output = await render_job(images, audio, runtime, settings, version)
        completed = JobCompleted.after(event, output=output, cost=render_cost(output, settings))
        join.rendered_at, join.output = now(), output.model_dump_json()
        rendered = True
    elif join.output is not None and event.attempt > 1:
        output = VideoOutput.model_validate_json(join.output)
        completed = JobCompleted.after(event, output=output, cost=render_cost(output, settings))
    async with runtime.finish(CONSUMER, event) as out:
        await save_join(out.session, join)
        if completed is not None:
            out.emit(completed)
    if completed is not None and rendered:
        count_spend("render", completed.cost)  # a completion announced again was paid for once


def render_cost(output: VideoOutput, prices: Prices) -> CostBreakdown:
    """ffmpeg's share of the job's cost: minutes of video out, at the render price per minute."""
    return CostBreakdown(ffmpeg_processing=round(output.duration_s / 60 * prices.price_render_per_minute, 6))


async def render_job(
    images: ImagesCompleted, audio: AudioCompleted, runtime: Runtime, settings: RenderSettings, version: int
) -> VideoOutput:
    assert runtime.store is not None
    store = runtime.store
    options = audio.options
    picture_by_scene = {image.scene_index: image for image in images.images}
    narrations = sorted(audio.narrations, key=lambda narration: narration.scene_index)
    durations = scene_durations([n.duration_s for n in narrations], audio.target_s, settings.scene_padding_s)
    last_reported = -1

    async def report(fraction: float) -> None:
        nonlocal last_reported
        progress = overall_progress("render", fraction)
        if progress > last_reported:
            last_reported = progress
            message = f"Rendering video: {int(fraction * 100)}%"
            await runtime.emit(JobProgress.after(audio, stage="render", progress=progress, message=message))

    await report(0.0)
    with work_dir("render") as tmp:
        workdir = Path(tmp)
        scenes: list[SceneMedia] = []
        for narration, duration_s in zip(narrations, durations, strict=True):
            picture = picture_by_scene[narration.scene_index]
            name = f"scene-{narration.scene_index:03d}"
            shots = [
                workdir / f"{name}-{shot}{PurePosixPath(key).suffix or '.bin'}" for shot, key in enumerate(picture.keys)
            ]
            audio_path = workdir / f"{name}.wav"
            for key, path in zip(picture.keys, shots, strict=True):
                await store.download(key, path)
            await store.download(narration.key, audio_path)
            scenes.append(SceneMedia(shots[0], audio_path, duration_s, picture.kind, tuple(shots[1:]), picture.focus))
        music_path = None
        if audio.music is not None and options.include_music:
            music_path = workdir / f"music{PurePosixPath(audio.music.key).suffix or '.bin'}"
            await store.download(audio.music.key, music_path)
        started = now()
        rendered = await render_video(
            scenes,
            timeline(narrations, durations),
            options,
            workdir,
            report,
            music=music_path,
            look=Look(transition_s=settings.transition_s, parallel=settings.render_parallel),
            cache=StoredSegments(store, audio.job_id),
        )
        elapsed = (now() - started).total_seconds()
        RENDER_SPEED.set(rendered.duration_s / elapsed if elapsed > 0 else 0.0)
        log.info(
            "rendered %.1f s of video in %.1f s (%d segments rendered, %d reused)",
            rendered.duration_s,
            elapsed,
            len(rendered.rendered_segments),
            len(rendered.reused_segments),
        )
        return await upload_outputs(store, audio, rendered, options.width, options.height, options.fps, version)


def scene_durations(spoken: list[float], target_s: float | None, padding_s: float) -> list[float]:
    """How long each scene stays on screen: its narration and the pause after it. When the narration is
    shorter than the video's length, the pauses grow evenly to land the video on it (a script read in
    less time than asked holds each line longer, the music filling); a longer narration is never cut."""
    pauses = [padding_s] * len(spoken)
    if target_s is not None and spoken:
        extra = target_s - sum(spoken) - sum(pauses)
        if extra > 0:
            pauses = [pause + extra / len(spoken) for pause in pauses]
    return [seconds + pause for seconds, pause in zip(spoken, pauses, strict=True)]


async def upload_outputs(
    store: ObjectStore, cause: Event, rendered: RenderedVideo, width: int, height: int, fps: int, version: int
) -> VideoOutput:
    job_id = cause.job_id
    words_key = keys.output(job_id, "words.json")
    output = VideoOutput(
        video_key=keys.output(job_id, "video.mp4"),
        thumbnail_key=keys.output(job_id, "thumbnail.jpg"),
        srt_key=keys.output(job_id, "captions.srt"),
        vtt_key=keys.output(job_id, "captions.vtt"),
        words_key=words_key,
        duration_s=rendered.duration_s,
        width=width,
        height=height,
        size_bytes=rendered.video_path.stat().st_size,
        fps=fps,
        preview_key=keys.output(job_id, "preview.mp4") if rendered.preview_path is not None else None,
        version=version,
    )
    await store.put_file(output.thumbnail_key, rendered.thumbnail_path, "image/jpeg")
    await store.put_file(output.srt_key, rendered.srt_path, "application/x-subrip")
    await store.put_file(output.vtt_key, rendered.vtt_path, "text/vtt")
    await store.put_file(words_key, rendered.words_path, "application/json")
    if output.preview_key is not None and rendered.preview_path is not None:
        await store.put_file(output.preview_key, rendered.preview_path, "video/mp4")
    await store.put_file(output.video_key, rendered.video_path, "video/mp4")
    return output
