"""The audio stage through the real bus: each scene narrated by espeak-ng, timed, stored."""

import io
import wave
from pathlib import Path
from uuid import uuid4

import pytest

from libs.common.events import AudioCompleted, RenderOptions, Scene, Storyboard, StoryCompleted
from libs.common.settings import StorageSettings
from libs.common.storage import open_store
from services.audio.app import create_app
from services.audio.settings import AudioSettings
from tests.bus import BusProbe, service_settings, serving

NARRATIONS = ["A short line.", "A much longer line of narration, with a pause, and then some more words to say."]


async def test_each_scene_is_narrated_with_its_exact_duration_and_cues(
    kafka: str, storage_settings: StorageSettings, tmp_path: Path
) -> None:
    settings = service_settings(
        AudioSettings, kafka, f"sqlite+aiosqlite:///{tmp_path}/a.db", storage_settings, tmp_path
    )
    board = Storyboard(
        title="T",
        description="D",
        text="X",
        scenes=[Scene(index=i, narration=text, image_prompt="p", subtitle=text) for i, text in enumerate(NARRATIONS)],
    )
    event = StoryCompleted(
        job_id=uuid4(), user_id="u1", storyboard=board, storyboard_key="k", options=RenderOptions(voice="nova")
    )
    async with serving(create_app(settings)), BusProbe(kafka) as bus:
        await bus.publish(event)
        [done] = await bus.events(AudioCompleted, 1)
    store = await open_store(storage_settings)
    narrations = sorted(done.narrations, key=lambda narration: narration.scene_index)
    assert [narration.scene_index for narration in narrations] == [0, 1]
    for narration, text in zip(narrations, NARRATIONS, strict=True):
        with wave.open(io.BytesIO(await store.get_bytes(narration.key))) as audio:
            seconds = audio.getnframes() / audio.getframerate()
        assert abs(seconds - narration.duration_s) < 0.01
        assert narration.cues[0].start_s >= 0 and narration.cues[-1].end_s <= narration.duration_s + 0.01
        assert " ".join(cue.text for cue in narration.cues).split() == text.split()
    assert narrations[1].duration_s > 2 * narrations[0].duration_s


async def test_a_job_sent_through_again_reuses_its_narration(
    kafka: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = StorageSettings(media_dir=tmp_path / "media")
    settings = service_settings(AudioSettings, kafka, f"sqlite+aiosqlite:///{tmp_path}/a.db", storage, tmp_path)
    board = Storyboard(
        title="T",
        description="D",
        text="X",
        scenes=[Scene(index=0, narration="Once more.", image_prompt="p", subtitle="s")],
    )
    first = StoryCompleted(job_id=uuid4(), user_id="u1", storyboard=board, storyboard_key="k", options=RenderOptions())
    again = first.model_copy(update={"event_id": uuid4(), "attempt": 2})
    async with serving(create_app(settings)), BusProbe(kafka) as bus:
        await bus.publish(first)
        [narrated] = await bus.events(AudioCompleted, 1)
        monkeypatch.setenv("PATH", "")  # espeak-ng can no longer be found: only reuse can succeed
        await bus.publish(again)
        reused = await bus.events(AudioCompleted, 2)
    assert reused[1].narrations == narrated.narrations and reused[1].attempt == 2
