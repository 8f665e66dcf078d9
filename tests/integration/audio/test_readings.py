"""Chinese and Japanese narrated from readings: speech at a speaking pace, cues in the text as written.

Before readings, espeak-ng spelled the pinyin of the characters its Mandarin dictionary lacks with
English letter names (国: "guo two"), about 0.41 s per character of the writer's Chinese, and read
every kanji as "Chinese letter", about 0.54 s per character of its Japanese.
"""

from pathlib import Path

from libs.common.vocabulary import Language
from services.audio import espeak
from services.audio.joining import Narration
from services.audio.kokoro_japanese import KokoroNarrator
from services.audio.readings import espeak_reading

CHINESE = "我是中国人，今天天气很好，我们下午去公园散步。"
JAPANESE = "灯台守の猫は、毎朝七時に海辺を歩きました。"
PACE: dict[Language, tuple[float, float]] = {"chinese": (0.15, 0.35), "japanese": (0.08, 0.25)}
"""Seconds per character of natural speech."""


def characters(text: str) -> int:
    return sum(char.isalnum() for char in text)


def assert_speech_of(narration: Narration, text: str, language: Language) -> None:
    low, high = PACE[language]
    assert low <= narration.duration_s / characters(text) <= high
    assert "".join(cue.text for cue in narration.cues) == text


def test_espeak_hears_chinese_as_numbered_pinyin() -> None:
    reading = espeak_reading(CHINESE, "chinese")

    assert reading.startswith("wo3 shi4 zhong1 guo2 ren2 ，")
    assert all(syllable[-1] in "12345" for syllable in reading.split() if syllable.isalnum())


def test_espeak_hears_japanese_as_kana() -> None:
    reading = espeak_reading(JAPANESE, "japanese")

    assert reading == "トーダイモリノネコワ、マイアサシチジニウミベヲアルキマシタ。"


async def test_chinese_narration_lasts_like_speech_and_keeps_the_characters(tmp_path: Path) -> None:
    assert characters(CHINESE) == 20
    narration = await espeak.narrate(CHINESE, "chinese", "alloy", tmp_path / "chinese.wav")

    assert_speech_of(narration, CHINESE, "chinese")


async def test_japanese_narration_by_espeak_lasts_like_speech_and_keeps_the_kanji(tmp_path: Path) -> None:
    narration = await espeak.narrate(JAPANESE, "japanese", "alloy", tmp_path / "japanese.wav")

    assert_speech_of(narration, JAPANESE, "japanese")


async def test_japanese_narration_by_kokoro_lasts_like_speech_and_keeps_the_kanji(tmp_path: Path) -> None:
    narration = await KokoroNarrator.load().narrate(JAPANESE, "japanese", "alloy", tmp_path / "japanese.wav")

    assert_speech_of(narration, JAPANESE, "japanese")
