"""Audio stage: narrate each scene separately so every scene's duration, and so its timing, is exact."""

from pathlib import Path

from libs.common.events import AudioCompleted, Scene, SceneNarration, StoryCompleted
from libs.common.runtime import Runtime
from libs.common.scene_work import each_scene, scene_progress
from libs.common.storage import keys
from libs.common.tools import work_dir
from services.audio import espeak

CONSUMER = "audio"


async def narrate_storyboard(event: StoryCompleted, runtime: Runtime, concurrency: int) -> None:
    scenes = event.storyboard.scenes

    async def reported(scene: Scene, _narration: SceneNarration, count: int) -> None:
        await runtime.emit(scene_progress(event, "audio", scene, count, len(scenes), "Narrated"))

    with work_dir("audio") as workdir:
        narrations = await each_scene(
            scenes, concurrency, lambda scene: narrate_one(event, scene, Path(workdir), runtime), reported
        )
    async with runtime.finish(CONSUMER, event) as out:
        out.emit(AudioCompleted.after(event, narrations=narrations, options=event.options))


async def narrate_one(event: StoryCompleted, scene: Scene, workdir: Path, runtime: Runtime) -> SceneNarration:
    """Narrate one scene, or reuse its narration from an earlier run of this job (a redelivery, a re-drive)."""
    store = runtime.store
    assert store is not None
    timing_key = keys.narration_timing(event.job_id, scene.index)
    if await store.exists(timing_key):
        return SceneNarration.model_validate_json(await store.get_bytes(timing_key))
    wav = workdir / f"scene-{scene.index:03d}.wav"
    spoken = await espeak.narrate(scene.narration, event.options.language, event.options.voice, wav)
    key = keys.narration(event.job_id, scene.index)
    await store.put_file(key, wav, "audio/wav")
    narration = SceneNarration(scene_index=scene.index, key=key, duration_s=spoken.duration_s, cues=spoken.cues)
    await store.put_bytes(timing_key, narration.model_dump_json().encode(), "application/json")
    return narration
