"""Piper's English voice, loaded from its wheel: the narration contract, six distinct voices, and who speaks what."""

import asyncio
import logging
import statistics
from itertools import combinations, pairwise
from pathlib import Path

import pytest
from pydantic import ValidationError

from libs.common.errors import InvalidInput
from libs.common.vocabulary import LANGUAGES, VOICES
from services.audio import piper_voice
from services.audio.narrators import EspeakNarrator
from services.audio.piper_voice import LONGEST_SENTENCE, PiperNarrator, voice_tunings
from services.audio.providers import build_providers, offline_narrator
from services.audio.settings import AudioSettings
from tests.speech import rms, typical_pitch, wav_samples

STORY = (
    "Once upon a time, in a village by the sea, there lived an old lighthouse keeper. "
    "Every evening he climbed the winding stairs to light the great lamp that guided the sailors home; "
    "and every morning he wrote one line in his logbook: all ships safe."
)
UNSTOPPED = " ".join(["the keeper climbed the stairs and lit the lamp"] * 8)
"""A script line without punctuation: more phrases than one synthesis takes (`LONGEST_SENTENCE`)."""
SENTENCE = "Every evening the old lighthouse keeper climbed the winding stairs to light the great lamp."
RENDITIONS = 5
"""Piper speaks a little differently each time; each voice's pitch and length are the median of this many
(the median, so one rendition whose pitch the tracker misreads does not move the voice)."""
AUDIBLE_RMS = 1000.0
"""Piper's speech measures about 4000-6000 RMS (of 32767); the pauses between phrases are 0."""


@pytest.fixture(scope="module")
def narrator() -> PiperNarrator:
    return PiperNarrator.load()


def test_every_named_voice_has_a_tuning_and_a_table_missing_one_is_refused(tmp_path: Path) -> None:
    assert set(voice_tunings()) == set(VOICES)
    table = tmp_path / "voices.toml"
    table.write_text("[voices.alloy]\nlength_scale = 1.0\npitch = 1.0\n")

    with pytest.raises(ValidationError, match="no tuning for echo"):
        voice_tunings(table)


def test_a_tempo_beyond_eight_percent_is_refused(tmp_path: Path) -> None:
    table = tmp_path / "voices.toml"
    table.write_text("".join(f"[voices.{voice}]\nlength_scale = 1.1\npitch = 1.0\n" for voice in VOICES))

    with pytest.raises(ValidationError, match="length_scale"):
        voice_tunings(table)


@pytest.mark.parametrize("text", [STORY, UNSTOPPED], ids=["story", "unstopped"])
async def test_one_cue_per_phrase_on_its_audio_in_a_22050_hz_mono_wav(
    text: str, narrator: PiperNarrator, tmp_path: Path
) -> None:
    narration = await narrator.narrate(text, "english", "nova", tmp_path / "story.wav")

    audio, rate = wav_samples(tmp_path / "story.wav")
    assert rate == 22050
    assert narration.duration_s == audio.size / rate
    cues = narration.cues
    assert len(cues) > LONGEST_SENTENCE
    assert cues[0].start_s == 0.0
    assert all(before.end_s < after.start_s for before, after in pairwise(cues))
    assert cues[-1].end_s < narration.duration_s
    assert " ".join(cue.text for cue in cues).split() == text.split()
    for cue in cues:
        assert rms(audio[round(cue.start_s * rate) : round(cue.end_s * rate)]) > AUDIBLE_RMS, cue.text
    for before, after in pairwise(cues):
        assert rms(audio[round(before.end_s * rate) : round(after.start_s * rate)]) == 0.0


async def test_a_longer_text_takes_longer(narrator: PiperNarrator, tmp_path: Path) -> None:
    short = await narrator.narrate("A short line.", "english", "alloy", tmp_path / "short.wav")
    long = await narrator.narrate(STORY, "english", "alloy", tmp_path / "long.wav")

    assert long.duration_s > 5 * short.duration_s


@pytest.mark.parametrize("text", ["", "   \n\t"])
async def test_empty_text_is_invalid_input(text: str, narrator: PiperNarrator, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        await narrator.narrate(text, "english", "alloy", tmp_path / "empty.wav")


async def test_the_six_voices_differ_in_pitch_and_keep_their_pace(narrator: PiperNarrator, tmp_path: Path) -> None:
    pitches: dict[str, float] = {}
    seconds: dict[str, float] = {}
    for voice in VOICES:
        heard: list[float] = []
        lengths: list[float] = []
        for rendition in range(RENDITIONS):
            path = tmp_path / f"{voice}-{rendition}.wav"
            lengths.append((await narrator.narrate(SENTENCE, "english", voice, path)).duration_s)  # type: ignore[arg-type]
            heard.append(typical_pitch(*wav_samples(path)))
        pitches[voice], seconds[voice] = statistics.median(heard), statistics.median(lengths)

    for one, other in combinations(VOICES, 2):
        low, high = sorted((pitches[one], pitches[other]))
        assert high / low > 1.04, f"{one} {pitches[one]:.1f} Hz against {other} {pitches[other]:.1f} Hz"
    assert sorted(VOICES, key=pitches.__getitem__) == ["onyx", "echo", "alloy", "fable", "nova", "shimmer"]
    for voice, tuning in voice_tunings().items():
        assert seconds[voice] / seconds["alloy"] == pytest.approx(tuning.length_scale, rel=0.05), voice


async def test_synthesis_leaves_the_event_loop_free(narrator: PiperNarrator, tmp_path: Path) -> None:
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticker = asyncio.create_task(tick())
    narration = await narrator.narrate(STORY, "english", "alloy", tmp_path / "story.wav")
    ticker.cancel()

    assert narration.duration_s > 5
    assert ticks >= 10


def test_english_is_piper_and_every_other_language_espeak_unless_a_voice_of_its_own_loaded() -> None:
    offline = build_providers(AudioSettings(speech_provider="offline")).speaker

    assert isinstance(offline.speaker("english"), PiperNarrator)  # type: ignore[attr-defined]
    for language in LANGUAGES:
        if language not in ("english", "japanese"):
            assert isinstance(offline.speaker(language), EspeakNarrator), language  # type: ignore[attr-defined]


def test_the_setting_gives_english_back_to_espeak(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REELFORGE_OFFLINE_ENGLISH_VOICE", "espeak")
    settings = AudioSettings(speech_provider="offline")

    assert settings.offline_english_voice == "espeak"
    assert isinstance(build_providers(settings).speaker.speaker("english"), EspeakNarrator)  # type: ignore[attr-defined]


def test_a_piper_voice_that_cannot_load_leaves_english_to_espeak_with_one_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def missing() -> None:
        raise FileNotFoundError("en_US-joe-medium.onnx")

    monkeypatch.setattr(piper_voice, "load_joe", missing)
    with caplog.at_level(logging.WARNING, logger="services.audio.providers"):
        narrator = offline_narrator("piper")

    assert isinstance(narrator.speaker("english"), EspeakNarrator)
    warnings = [record for record in caplog.records if "Piper" in record.getMessage()]
    assert len(warnings) == 1 and "espeak-ng narrates English" in warnings[0].getMessage()
