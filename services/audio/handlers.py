"""Audio stage: narrate each scene separately so every scene's duration, and so its timing, is exact."""

import asyncio
import tempfile
from pathlib import Path

from libs.common.events import AudioCompleted, JobProgress, Scene, SceneNarration, StoryCompleted, overall_progress
from libs.common.runtime import Runtime
from libs.common.storage import keys
from services.audio import espeak

CONSUMER = "audio"


async def narrate_storyboard(event: StoryCompleted, runtime: Runtime, concurrency: int) -> None:
    scenes = event.storyboard.scenes
    bound = asyncio.Semaphore(concurrency)
    done = 0

    async def narrate(scene: Scene, workdir: Path) -> SceneNarration:
        nonlocal done
        async with bound:
            narration = await narrate_one(event, scene, workdir, runtime)
        done += 1
        await runtime.emit(
            JobProgress.after(
                event,
                stage="audio",
                progress=overall_progress("audio", done / len(scenes)),
                message=f"Narrated scene {done} of {len(scenes)}",
                scene_index=scene.index,
            )
        )
        return narration

    with tempfile.TemporaryDirectory(prefix="reelforge-audio-") as workdir:
        narrations = await asyncio.gather(*(narrate(scene, Path(workdir)) for scene in scenes))
    async with runtime.finish(CONSUMER, event) as out:
        out.emit(AudioCompleted.after(event, narrations=list(narrations), options=event.options))


async def narrate_one(event: StoryCompleted, scene: Scene, workdir: Path, runtime: Runtime) -> SceneNarration:
    assert runtime.store is not None
    wav = workdir / f"scene-{scene.index:03d}.wav"
    spoken = await espeak.narrate(scene.narration, event.options.language, event.options.voice, wav)
    key = keys.narration(event.job_id, scene.index)
    await runtime.store.put_file(key, wav, "audio/wav")
    return SceneNarration(scene_index=scene.index, key=key, duration_s=spoken.duration_s, cues=spoken.cues)
