"""Every language narrated by the voice the audio stage uses for it offline, at the pace of speech.

A voice that spells letters out, or reads a language by another's rules (Chinese pinyin spelled as
English, kanji as "Chinese letter"), takes far longer per letter than speech does; one that skips
what it cannot read takes far less. The passage is the offline writer's own (its first, slots filled
with each cast role's first alternative), or the language's caption sample where its material does
not load yet.
"""

import tomllib
import unicodedata
from pathlib import Path

import pytest

from libs.common.vocabulary import LANGUAGES, Language
from services.audio.providers import build_providers
from services.audio.settings import AudioSettings
from services.story.tales import MATERIAL_DIR, MaterialError, load_file

SAMPLES = Path(__file__).parents[2] / "data" / "caption_samples.toml"
PER_CHARACTER: dict[str, tuple[float, float]] = {"chinese": (0.15, 0.35), "japanese": (0.08, 0.25)}
"""Seconds per character of natural speech, for languages written in characters."""
PER_LETTER = (0.035, 0.11)
"""Seconds per letter of natural speech in alphabets (Latin, Greek, Cyrillic) and in Devanagari."""


def passage(language: str) -> str:
    try:
        material = load_file(MATERIAL_DIR / f"{language}.toml")
    except MaterialError:  # not written yet, or still being written
        with SAMPLES.open("rb") as file:
            return str(tomllib.load(file)[language])
    tale = next(iter(material.tales.values()))
    slots = {slot: value for role in tale.cast for slot, value in role[0].items()}
    slots |= {"subject": material.fallback_subject, "subject_title": material.fallback_subject}
    return tale.beats[0].passages[0].format_map(slots)


def letters(text: str) -> int:
    """Letters and digits, with the vowel signs Devanagari writes as combining marks (which `isalnum` skips)."""
    return sum(char.isalnum() or unicodedata.category(char) in ("Mn", "Mc") for char in text)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_default_offline_voice_speaks_at_the_pace_of_speech(language: Language, tmp_path: Path) -> None:
    text = passage(language)
    narrator = build_providers(AudioSettings()).speaker

    narration = await narrator.narrate(text, language, "alloy", tmp_path / "passage.wav")

    low, high = PER_CHARACTER.get(language, PER_LETTER)
    assert low <= narration.duration_s / letters(text) <= high, text
