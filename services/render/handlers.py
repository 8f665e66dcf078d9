"""Render stage: join a job's images and narration, compose the video, upload the outputs."""

import logging
from pathlib import Path

from libs.common.events import (
    AudioCompleted,
    Cue,
    Event,
    ImagesCompleted,
    JobCompleted,
    JobProgress,
    VideoOutput,
    now,
    overall_progress,
)
from libs.common.metrics import RENDER_SPEED
from libs.common.runtime import Runtime
from libs.common.storage import ObjectStore, keys
from libs.common.tools import work_dir
from services.render.captions import timeline
from services.render.compose import RenderedVideo, SceneMedia, render_video
from services.render.store import load_join, save_join

log = logging.getLogger(__name__)

CONSUMER = "render"


async def on_half(event: ImagesCompleted | AudioCompleted, runtime: Runtime, padding_s: float) -> None:
    """Record this half of the join; when both halves are in, render and complete the job.

    Both halves arrive through one ordered subscription, so the second half always
    sees the first one committed. A job renders once: when the reconciler sends a
    finished job through again (its completion may have been lost with the broker's
    data), the video is not rendered again but its completion is announced again.
    """
    join = (await load_join(runtime.db, event.job_id)).merged(event)
    halves = join.halves
    completed: JobCompleted | None = None
    if halves is not None and join.output is None:
        images, audio = halves
        output = await render_job(images, audio, runtime, padding_s)
        completed = JobCompleted.after(event, output=output)
        join.rendered_at, join.output = now(), output.model_dump_json()
    elif join.output is not None and event.attempt > 1:
        completed = JobCompleted.after(event, output=VideoOutput.model_validate_json(join.output))
    async with runtime.finish(CONSUMER, event) as out:
        await save_join(out.session, join)
        if completed is not None:
            out.emit(completed)


async def render_job(images: ImagesCompleted, audio: AudioCompleted, runtime: Runtime, padding_s: float) -> VideoOutput:
    assert runtime.store is not None
    store = runtime.store
    options = audio.options
    image_by_scene = {image.scene_index: image for image in images.images}
    narrations = sorted(audio.narrations, key=lambda narration: narration.scene_index)
    last_reported = -1

    async def report(fraction: float) -> None:
        nonlocal last_reported
        progress = overall_progress("render", fraction)
        if progress > last_reported:
            last_reported = progress
            await runtime.emit(
                JobProgress.after(
                    audio, stage="render", progress=progress, message=f"Rendering video: {int(fraction * 100)}%"
                )
            )

    await report(0.0)
    with work_dir("render") as tmp:
        workdir = Path(tmp)
        scenes: list[SceneMedia] = []
        for narration in narrations:
            image_path = workdir / f"scene-{narration.scene_index:03d}.png"
            audio_path = workdir / f"scene-{narration.scene_index:03d}.wav"
            await store.download(image_by_scene[narration.scene_index].key, image_path)
            await store.download(narration.key, audio_path)
            scenes.append(SceneMedia(image_path, audio_path, narration.duration_s + padding_s))
        cues: list[Cue] = timeline(narrations, padding_s)
        started = now()
        rendered = await render_video(scenes, cues, options, workdir, report)
        elapsed = (now() - started).total_seconds()
        RENDER_SPEED.set(rendered.duration_s / elapsed if elapsed > 0 else 0.0)
        return await upload_outputs(store, audio, rendered, options.width, options.height)


async def upload_outputs(
    store: ObjectStore, cause: Event, rendered: RenderedVideo, width: int, height: int
) -> VideoOutput:
    job_id = cause.job_id
    output = VideoOutput(
        video_key=keys.output(job_id, "video.mp4"),
        thumbnail_key=keys.output(job_id, "thumbnail.jpg"),
        srt_key=keys.output(job_id, "captions.srt"),
        vtt_key=keys.output(job_id, "captions.vtt"),
        duration_s=rendered.duration_s,
        width=width,
        height=height,
        size_bytes=rendered.video_path.stat().st_size,
    )
    await store.put_file(output.thumbnail_key, rendered.thumbnail_path, "image/jpeg")
    await store.put_file(output.srt_key, rendered.srt_path, "application/x-subrip")
    await store.put_file(output.vtt_key, rendered.vtt_path, "text/vtt")
    await store.put_file(output.video_key, rendered.video_path, "video/mp4")
    return output
