"""Narration with the real espeak-ng: audible speech in every language and voice, and exact phrase cues."""

import subprocess
from itertools import pairwise
from pathlib import Path

import pytest

from libs.common.errors import InvalidInput, ProviderError
from libs.common.vocabulary import LANGUAGES, VOICES
from services.audio.espeak import LANGUAGE_CODES, narrate
from tests.speech import rms, wav_samples

GREETINGS = {
    "english": "Hello world",
    "czech": "Dobrý den",
    "danish": "God dag",
    "dutch": "Goedendag",
    "french": "Bonjour le monde",
    "german": "Guten Tag",
    "greek": "Καλημέρα κόσμε",
    "hindi": "नमस्ते दुनिया",
    "indonesian": "Selamat pagi",
    "italian": "Buongiorno",
    "chinese": "你好世界",
    "japanese": "こんにちは",
    "norwegian": "God dag",
    "polish": "Dzień dobry",
    "portuguese": "Bom dia",
    "russian": "Привет мир",
    "spanish": "Hola mundo",
    "swedish": "God dag",
    "turkish": "Merhaba dünya",
    "ukrainian": "Привіт світ",
}
AUDIBLE_RMS = 500.0
"""Speech from espeak-ng measures about 2000-3500 RMS (of 32767); silence is 0."""

STORY = (
    "Once upon a time, in a village by the sea, there lived an old lighthouse keeper. "
    "Every evening he climbed the winding stairs to light the great lamp that guided the sailors home; "
    "and every morning he wrote one line in his logbook: all ships safe."
)


def test_every_language_code_is_an_installed_espeak_voice() -> None:
    listing = subprocess.run(["espeak-ng", "--voices"], capture_output=True, text=True, check=True).stdout
    installed = {line.split()[1] for line in listing.splitlines()[1:]}

    assert set(LANGUAGE_CODES.values()) <= installed


async def test_duration_is_the_written_files_length_and_grows_with_the_text(tmp_path: Path) -> None:
    short = await narrate("A short line.", "english", "alloy", tmp_path / "short.wav")
    long = await narrate(STORY, "english", "alloy", tmp_path / "long.wav")

    audio, rate = wav_samples(tmp_path / "long.wav")
    assert rate == 22050
    assert long.duration_s == audio.size / rate
    assert long.duration_s > 3 * short.duration_s


async def test_cues_are_ordered_within_the_audio_and_cover_every_word_in_order(tmp_path: Path) -> None:
    narration = await narrate(STORY, "english", "nova", tmp_path / "story.wav")

    cues = narration.cues
    assert len(cues) >= 6
    assert cues[0].start_s == 0.0
    assert all(cue.start_s < cue.end_s for cue in cues)
    assert all(before.end_s < after.start_s for before, after in pairwise(cues))
    assert cues[-1].end_s < narration.duration_s
    assert " ".join(cue.text for cue in cues).split() == STORY.split()


async def test_each_cue_spans_speech_and_the_pauses_between_cues_are_silent(tmp_path: Path) -> None:
    narration = await narrate(STORY, "english", "echo", tmp_path / "story.wav")
    audio, rate = wav_samples(tmp_path / "story.wav")

    for cue in narration.cues:
        assert rms(audio[round(cue.start_s * rate) : round(cue.end_s * rate)]) > AUDIBLE_RMS
    for before, after in pairwise(narration.cues):
        assert rms(audio[round(before.end_s * rate) : round(after.start_s * rate)]) == 0.0


@pytest.mark.parametrize("language", LANGUAGES)
async def test_every_language_speaks_audibly(language: str, tmp_path: Path) -> None:
    narration = await narrate(GREETINGS[language], language, "alloy", tmp_path / "greeting.wav")  # type: ignore[arg-type]

    audio, _ = wav_samples(tmp_path / "greeting.wav")
    assert narration.duration_s > 0.3
    assert rms(audio) > AUDIBLE_RMS


async def test_every_voice_speaks_audibly_and_sounds_different(tmp_path: Path) -> None:
    recordings = {}
    for voice in VOICES:
        await narrate("Hello world", "english", voice, tmp_path / f"{voice}.wav")  # type: ignore[arg-type]
        recordings[voice], _ = wav_samples(tmp_path / f"{voice}.wav")

    assert all(rms(audio) > AUDIBLE_RMS for audio in recordings.values())
    distinct = {audio.tobytes() for audio in recordings.values()}
    assert len(distinct) == len(VOICES)


@pytest.mark.parametrize("text", ["", "   \n\t"])
async def test_empty_text_is_invalid_input(text: str, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        await narrate(text, "english", "alloy", tmp_path / "empty.wav")


async def test_an_espeak_failure_is_a_permanent_provider_error_with_its_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(LANGUAGE_CODES, "english", "xx")

    with pytest.raises(ProviderError, match="voice does not exist") as raised:
        await narrate("Hello", "english", "alloy", tmp_path / "failed.wav")
    assert raised.value.retryable is False


async def test_missing_espeak_is_a_permanent_provider_error_naming_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "")  # the tool cannot be found

    with pytest.raises(ProviderError, match="install the espeak-ng package") as raised:
        await narrate("Hello", "english", "alloy", tmp_path / "missing.wav")
    assert raised.value.retryable is False
