"""Audio stage: narrate each scene separately so every scene's duration, and so its timing, is exact;
fit the whole to the video's length when it runs over (spoken a little faster); then, when the job
asks for it, a background track in the job's mood as long as the video."""

import asyncio
from pathlib import Path

from libs.common.events import (
    AudioCompleted,
    CostBreakdown,
    MusicTrack,
    Scene,
    SceneNarration,
    StoryCompleted,
)
from libs.common.metrics import count_spend, provider_call
from libs.common.runtime import Runtime
from libs.common.scene_work import each_scene, scene_progress
from libs.common.storage import ObjectStore, keys
from libs.common.tools import work_dir
from libs.common.vocabulary import Mood
from services.audio import music
from services.audio.joining import write_wav
from services.audio.narrators import Narrator
from services.audio.providers import AudioProviders
from services.audio.tempo import fit_to_length

CONSUMER = "audio"
DEFAULT_MOOD: Mood = "calm"


async def narrate_storyboard(
    event: StoryCompleted, runtime: Runtime, providers: AudioProviders, concurrency: int, music_dir: Path | None
) -> None:
    scenes = event.storyboard.scenes
    narrator, provider = providers.narrator(event.options), providers.provider_of(event.options)

    async def reported(scene: Scene, _narration: SceneNarration, count: int) -> None:
        await runtime.emit(scene_progress(event, "audio", scene, count, len(scenes), "Narrated"))

    with work_dir("audio") as workdir:
        narrations = await each_scene(
            scenes,
            concurrency,
            lambda scene: narrate_one(event, scene, Path(workdir), runtime, narrator, provider),
            reported,
        )
        target_s = event.storyboard.target_s
        narrations = await fit_to_length(narrations, target_s, _store(runtime), Path(workdir))
        track = None
        if event.options.include_music:
            seconds = max(sum(n.duration_s for n in narrations), target_s or 0.0)
            track = await background_music(event, seconds, _store(runtime), music_dir)
    cost = CostBreakdown()
    for scene in scenes:
        cost += narrator.cost(scene.narration, providers.prices)
    if track is not None:
        cost += CostBreakdown(music_synthesis=providers.prices.price_music_track)
    async with runtime.finish(CONSUMER, event) as out:
        out.emit(
            AudioCompleted.after(
                event, narrations=narrations, options=event.options, music=track, cost=cost, target_s=target_s
            )
        )
    count_spend("audio", cost)


async def narrate_one(
    event: StoryCompleted, scene: Scene, workdir: Path, runtime: Runtime, narrator: Narrator, provider: str = "offline"
) -> SceneNarration:
    """Narrate one scene with `provider`'s narrator, or reuse its narration from an earlier run of this job (a
    redelivery, a re-drive)."""
    store = _store(runtime)
    timing_key = keys.narration_timing(event.job_id, scene.index)
    if await store.exists(timing_key):
        return SceneNarration.model_validate_json(await store.get_bytes(timing_key))
    wav = workdir / f"scene-{scene.index:03d}.wav"
    with provider_call("audio", provider, "speech"):
        spoken = await narrator.narrate(scene.narration, event.options.language, event.options.voice, wav)
    key = keys.narration(event.job_id, scene.index)
    await store.put_file(key, wav, "audio/wav")
    narration = SceneNarration(scene_index=scene.index, key=key, duration_s=spoken.duration_s, cues=spoken.cues)
    await store.put_bytes(timing_key, narration.model_dump_json().encode(), "application/json")
    return narration


def job_mood(event: StoryCompleted) -> Mood:
    """The job's own choice, else the storyboard's, else calm."""
    return event.options.mood or event.storyboard.mood or DEFAULT_MOOD


async def background_music(
    event: StoryCompleted, seconds: float, store: ObjectStore, music_dir: Path | None
) -> MusicTrack:
    """The user's track for the mood when the music folder has one, else a synthesized one as long as the narration."""
    mood = job_mood(event)
    chosen = music.folder_track(music_dir, mood, str(event.job_id)) if music_dir is not None else None
    if chosen is not None:
        key = f"{keys.job_prefix(event.job_id)}audio/music-{mood}{chosen.suffix.lower()}"
        await store.put_file(key, chosen, music.content_type(chosen))
        return MusicTrack(key=key, duration_s=await music.track_seconds(chosen), mood=mood)
    key = f"{keys.job_prefix(event.job_id)}audio/music-{mood}.wav"
    duration_s = max(round(seconds * music.RATE), 1) / music.RATE
    if not await store.exists(key):
        samples = await asyncio.to_thread(music.ambient_track, mood, duration_s)
        with work_dir("audio") as folder:
            path = Path(folder) / "music.wav"
            await asyncio.to_thread(write_wav, path, samples, music.RATE)
            await store.put_file(key, path, "audio/wav")
    return MusicTrack(key=key, duration_s=duration_s, mood=mood)


def _store(runtime: Runtime) -> ObjectStore:
    assert runtime.store is not None
    return runtime.store
