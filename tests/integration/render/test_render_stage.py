"""The render stage through the real bus: it joins images and audio, in either order, and renders once."""

import io
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from PIL import Image

from libs.common.events import (
    AudioCompleted,
    Cue,
    ImagesCompleted,
    JobCompleted,
    RenderOptions,
    SceneImage,
    SceneNarration,
)
from libs.common.pricing import Prices
from libs.common.settings import StorageSettings
from libs.common.storage import ObjectStore, keys, open_store
from services.render.app import create_app
from services.render.settings import RenderSettings
from tests.bus import BusProbe, processed, service_settings, serving, staged
from tests.media import probe, tone_wav

OPTIONS = RenderOptions(width=360, height=640, fps=24)
SECONDS = [1.5, 2.25]


def picture(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), colour).save(buffer, "PNG")
    return buffer.getvalue()


async def halves(store: ObjectStore, job_id: UUID) -> tuple[ImagesCompleted, AudioCompleted]:
    images, narrations = [], []
    for index, seconds in enumerate(SECONDS):
        image_key, audio_key = keys.scene_image(job_id, index, 1), keys.narration(job_id, index)
        await store.put_bytes(image_key, picture((200, 40 * index, 90)), "image/png")
        await store.put_bytes(audio_key, tone_wav(seconds), "audio/wav")
        images.append(SceneImage(scene_index=index, key=image_key))
        cue = Cue(start_s=0.1, end_s=seconds - 0.1, text=f"Scene number {index}")
        narrations.append(SceneNarration(scene_index=index, key=audio_key, duration_s=seconds, cues=[cue]))
    return (
        ImagesCompleted(job_id=job_id, user_id="u1", images=images, options=OPTIONS),
        AudioCompleted(job_id=job_id, user_id="u1", narrations=narrations, options=OPTIONS),
    )


async def test_audio_then_images_renders_the_video_once(
    kafka: str, storage_settings: StorageSettings, tmp_path: Path
) -> None:
    settings = service_settings(
        RenderSettings, kafka, f"sqlite+aiosqlite:///{tmp_path}/r.db", storage_settings, tmp_path
    )
    store = await open_store(storage_settings)
    job_id = uuid4()
    images, audio = await halves(store, job_id)
    late_copy = images.model_copy(update={"event_id": uuid4()})  # the images stage re-ran after a crash
    async with serving(create_app(settings)) as app, BusProbe(kafka) as bus:
        await bus.publish(audio)
        await bus.publish(images)
        [completed] = await bus.events(JobCompleted, 1)
        await bus.publish(late_copy)
        await processed(app, "render", late_copy.event_id)
        assert len(await staged(app, JobCompleted.topic)) == 1, "a late half rendered the job again"
    output = completed.output
    assert (output.width, output.height) == (360, 640)
    video = tmp_path / "video.mp4"
    await store.download(output.video_key, video)
    streams = {stream["codec_type"]: stream for stream in probe(video)["streams"]}
    assert (streams["video"]["codec_name"], streams["audio"]["codec_name"]) == ("h264", "aac")
    assert (streams["video"]["width"], streams["video"]["height"]) == (360, 640)
    assert abs(float(probe(video)["format"]["duration"]) - sum(SECONDS)) <= 1 / 24 + 0.03
    assert output.size_bytes == video.stat().st_size
    for key in (output.thumbnail_key, output.srt_key, output.vtt_key):
        assert await store.exists(key)
    assert "Scene number 1" in (await store.get_bytes(output.srt_key)).decode()


async def test_a_job_sent_through_again_is_announced_again_but_not_rendered_again(kafka: str, tmp_path: Path) -> None:
    storage = StorageSettings(media_dir=tmp_path / "media")
    settings = service_settings(RenderSettings, kafka, f"sqlite+aiosqlite:///{tmp_path}/r.db", storage, tmp_path)
    store = await open_store(storage)
    job_id = uuid4()
    images, audio = await halves(store, job_id)
    again = [half.model_copy(update={"event_id": uuid4(), "attempt": 2}) for half in (images, audio)]
    async with serving(create_app(settings)), BusProbe(kafka) as bus:
        await bus.publish(images)
        await bus.publish(audio)
        [first] = await bus.events(JobCompleted, 1)
        video = storage.media_dir / first.output.video_key  # type: ignore[operator]
        rendered_at = video.stat().st_mtime_ns
        for half in again:
            await bus.publish(half)
        announced = await bus.events(JobCompleted, 3)
    assert [event.output for event in announced] == [first.output] * 3
    assert [event.attempt for event in announced] == [1, 2, 2]
    assert video.stat().st_mtime_ns == rendered_at, "the video was rendered again"


async def test_a_regenerated_image_renders_a_new_version_reusing_the_unchanged_segments(
    kafka: str, tmp_path: Path
) -> None:
    storage = StorageSettings(media_dir=tmp_path / "media")
    settings = service_settings(RenderSettings, kafka, f"sqlite+aiosqlite:///{tmp_path}/r.db", storage, tmp_path)
    store = await open_store(storage)
    job_id = uuid4()
    images, audio = await halves(store, job_id)
    new_key = keys.scene_image(job_id, 1, 2)
    await store.put_bytes(new_key, picture((250, 250, 250)), "image/png")
    regenerated = ImagesCompleted(
        job_id=job_id,
        user_id="u1",
        images=[images.images[0], SceneImage(scene_index=1, key=new_key, version=2)],
        options=OPTIONS,
    )
    segments = storage.media_dir / keys.job_prefix(job_id) / "render" / "segments"  # type: ignore[operator]
    async with serving(create_app(settings)), BusProbe(kafka) as bus:
        await bus.publish(images)
        await bus.publish(audio)
        [first] = await bus.events(JobCompleted, 1)
        rendered_once = sorted(path.name for path in segments.iterdir())
        await bus.publish(regenerated)
        [_, second] = await bus.events(JobCompleted, 2)
    assert (first.output.version, second.output.version) == (1, 2)
    assert len(rendered_once) == 3, "scene 1's body, the transition, scene 2's body"
    assert len(list(segments.iterdir())) == 5, "only scene 2's body and the transition are rendered again"
    job_files = (storage.media_dir / keys.job_prefix(job_id)).rglob("*.mp4")  # type: ignore[operator]
    assert [path.name for path in job_files] == ["video.mp4"], "cached segments pass for the job's video"
    assert second.cost.ffmpeg_processing == pytest.approx(sum(SECONDS) / 60 * Prices().price_render_per_minute)
    video = tmp_path / "v2.mp4"
    await store.download(second.output.video_key, video)
    assert abs(float(probe(video)["format"]["duration"]) - sum(SECONDS)) <= 1 / 24
