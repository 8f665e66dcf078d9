"""The audio stage through the real bus: OpenAI speech, a job without voice, and background music."""

import io
import wave
from pathlib import Path
from uuid import uuid4

import numpy as np
import pytest

from libs.common.events import AudioCompleted, JobFailed, RenderOptions, Scene, Storyboard, StoryCompleted
from libs.common.pricing import Prices
from libs.common.settings import StorageSettings
from libs.common.storage import open_store
from services.audio.app import create_app
from services.audio.settings import AudioSettings
from tests.bus import BusProbe, service_settings, serving
from tests.fakes.openai_api import SPEECH, FakeOpenAI, out_of_quota

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

NARRATIONS = ["A short line.", "A longer line of narration, with a pause, and then a few more words."]


def story(**options: object) -> StoryCompleted:
    board = Storyboard(
        title="T",
        description="D",
        text="X",
        mood="dark",
        scenes=[Scene(index=i, narration=text, image_prompt="p", subtitle=text) for i, text in enumerate(NARRATIONS)],
    )
    return StoryCompleted(
        job_id=uuid4(),
        user_id="u1",
        storyboard=board,
        storyboard_key="k",
        options=RenderOptions(**options),  # type: ignore[arg-type]
    )


def settings_for(kafka: str, database_url: str, tmp_path: Path, **changes: object) -> AudioSettings:
    storage = StorageSettings(media_dir=tmp_path / "media")
    return service_settings(AudioSettings, kafka, database_url, storage, tmp_path).model_copy(
        update={"max_attempts": 2, "retry_base_s": 0.1, **changes}
    )


async def wav(storage_dir: Path, key: str) -> tuple[np.ndarray, int]:
    store = await open_store(StorageSettings(media_dir=storage_dir))
    with wave.open(io.BytesIO(await store.get_bytes(key))) as audio:
        return np.frombuffer(audio.readframes(audio.getnframes()), "<i2"), audio.getframerate()


async def test_openai_speaks_each_phrase_in_the_chosen_voice_and_music_follows_the_storyboard_mood(
    kafka: str, database_url: str, tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    settings = settings_for(
        kafka, database_url, tmp_path, openai_api_key=fake_openai.api_key, openai_base_url=fake_openai.base_url
    )
    event = story(voice="onyx", include_music=True)
    async with serving(create_app(settings)), BusProbe(kafka) as bus:
        await bus.publish(event)
        [done] = await bus.events(AudioCompleted, 1)
    asked = fake_openai.requests(SPEECH)
    assert {(r.body["model"], r.body["voice"], r.body["response_format"]) for r in asked} == {("tts-1", "onyx", "pcm")}
    assert sorted(r.body["input"] for r in asked) == sorted(cue.text for n in done.narrations for cue in n.cues)
    for narration, text in zip(done.narrations, NARRATIONS, strict=True):
        samples, rate = await wav(tmp_path / "media", narration.key)
        assert rate == 24000 and samples.size / rate == pytest.approx(narration.duration_s)
        assert " ".join(cue.text for cue in narration.cues) == text
    assert done.narrations[1].duration_s > 2 * done.narrations[0].duration_s
    expected = sum(len(text) for text in NARRATIONS) / 1000 * Prices().price_openai_tts_per_1k_chars
    assert done.cost.voice_synthesis == pytest.approx(expected)
    assert done.music is not None and done.music.mood == "dark"
    music, rate = await wav(tmp_path / "media", done.music.key)
    total = sum(narration.duration_s for narration in done.narrations)
    assert music.size / rate == pytest.approx(total, abs=1 / rate) == pytest.approx(done.music.duration_s)


async def test_without_voice_scenes_keep_their_timing_over_silence_and_the_chosen_mood_wins(
    kafka: str, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "")  # no espeak-ng, no ffmpeg: nothing may need them
    event = story(include_voice=False, include_music=True, mood="happy")
    async with serving(create_app(settings_for(kafka, database_url, tmp_path))), BusProbe(kafka) as bus:
        await bus.publish(event)
        [done] = await bus.events(AudioCompleted, 1)
    for narration, text in zip(done.narrations, NARRATIONS, strict=True):
        samples, rate = await wav(tmp_path / "media", narration.key)
        assert samples.size / rate == narration.duration_s and not samples.any()
        assert " ".join(cue.text for cue in narration.cues) == text
    assert done.narrations[1].duration_s > 2 * done.narrations[0].duration_s
    assert done.music is not None and done.music.mood == "happy" and done.cost.total == 0


async def test_music_comes_from_the_users_folder_when_it_has_the_mood(
    kafka: str, database_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "music"
    folder.mkdir()
    with wave.open(str(folder / "calm.wav"), "wb") as out:
        out.setnchannels(1), out.setsampwidth(2), out.setframerate(8000)
        out.writeframes((np.sin(np.arange(8000 * 3) / 5) * 3000).astype("<i2").tobytes())
    settings = settings_for(kafka, database_url, tmp_path, music_dir=folder)
    event = story(include_voice=False, include_music=True, mood="calm")
    async with serving(create_app(settings)), BusProbe(kafka) as bus:
        await bus.publish(event)
        [done] = await bus.events(AudioCompleted, 1)
    assert done.music is not None and done.music.key.endswith("music-calm.wav")
    assert done.music.duration_s == pytest.approx(3.0, abs=0.01)
    store = await open_store(StorageSettings(media_dir=tmp_path / "media"))
    assert await store.get_bytes(done.music.key) == (folder / "calm.wav").read_bytes()


async def test_an_exhausted_openai_quota_fails_the_job_saying_so(
    kafka: str, database_url: str, tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    fake_openai.always(SPEECH, out_of_quota())
    settings = settings_for(
        kafka, database_url, tmp_path, openai_api_key=fake_openai.api_key, openai_base_url=fake_openai.base_url
    )
    async with serving(create_app(settings)), BusProbe(kafka) as bus:
        await bus.publish(story())
        [failed] = await bus.events(JobFailed, 1)
    assert failed.stage == "audio"
    assert failed.reason.startswith("the OpenAI account is out of quota or credit")
