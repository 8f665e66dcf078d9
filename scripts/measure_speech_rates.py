"""Measure how fast the offline voice speaks each language, and write libs/common/speech_rates.toml.

    .venv/bin/python -m scripts.measure_speech_rates [--passages 40] [LANGUAGE ...]

For each language, the offline writer's own passages (services/story/material/<language>.toml) are
narrated exactly as the audio stage narrates a scene offline (by that language's offline voice:
Piper for English, Kokoro for Japanese, espeak-ng for most; voice `alloy`, phrase pauses included), and the rate is
fitted to their letters and digits and their pauses (what estimates a text's length), and their total
duration over their words (characters for languages written without spaces: what a model writer is asked for).
Languages not named keep their figures from the file.
"""

import argparse
import asyncio
import random
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from libs.common import pacing
from libs.common.vocabulary import LANGUAGES, Language
from services.audio.narrators import Narrator
from services.audio.providers import build_providers
from services.audio.settings import AudioSettings
from services.story.tales import MATERIAL_DIR, load_file

VOICE = "alloy"


def sample_passages(language: Language, count: int) -> list[str]:
    """`count` passages spread over the language's tales, slots filled with each role's first alternative."""
    material = load_file(MATERIAL_DIR / f"{language}.toml")
    passages: list[str] = []
    for tale in material.tales.values():
        slots = {slot: value for role in tale.cast for slot, value in role[0].items()}
        slots |= {"subject": material.fallback_subject, "subject_title": material.fallback_subject}
        passages += [passage.format_map(slots) for beat in tale.beats for passage in beat.passages]
    return random.Random(language).sample(passages, min(count, len(passages)))


async def measure(narrator: Narrator, language: Language, count: int) -> pacing.SpeechRate:
    unit: pacing.Unit = "character" if load_file(MATERIAL_DIR / f"{language}.toml").unspaced else "word"
    durations: list[float] = []
    passages = sample_passages(language, count)
    with tempfile.TemporaryDirectory() as folder:
        for number, passage in enumerate(passages):
            spoken = await narrator.narrate(passage, language, VOICE, Path(folder) / f"{number}.wav")
            durations.append(spoken.duration_s)
    units = sum(pacing.count_units(passage, unit) for passage in passages)
    per_character, per_pause = fit_length(
        [pacing.count_units(passage, "character") for passage in passages],
        [pacing.count_pauses(passage) for passage in passages],
        durations,
    )
    return pacing.SpeechRate(
        unit=unit,
        seconds_per_unit=round(sum(durations) / units, 4),
        seconds_per_character=round(per_character, 5),
        seconds_per_pause=round(per_pause, 4),
    )


def fit_length(characters: list[int], pauses: list[int], seconds: list[float]) -> tuple[float, float]:
    """Seconds per character and per pause that best explain the durations (least squares, no
    intercept); a negative pause, which measurement noise can give, is dropped for characters alone."""
    cc = sum(c * c for c in characters)
    pp = sum(p * p for p in pauses)
    cp = sum(c * p for c, p in zip(characters, pauses, strict=True))
    cs = sum(c * s for c, s in zip(characters, seconds, strict=True))
    ps = sum(p * s for p, s in zip(pauses, seconds, strict=True))
    determinant = cc * pp - cp * cp
    if determinant > 0:
        per_character, per_pause = (cs * pp - ps * cp) / determinant, (ps * cc - cs * cp) / determinant
        if per_character > 0 and per_pause >= 0:
            return per_character, per_pause
    return cs / cc, 0.0


def write(rates: dict[str, pacing.SpeechRate], note: str) -> None:
    lines = [
        "# How long the offline voice takes per letter or digit and per pause (estimates), and per word (per character",
        "# for text written without spaces: what a model writer is asked for).",
        "# Written by scripts/measure_speech_rates.py; read by libs/common/pacing.py.",
        f"measured = {note!r}",
        "",
    ]
    for language in LANGUAGES:
        rate = rates[language]
        lines += [
            f"[languages.{language}]",
            f'unit = "{rate.unit}"',
            f"seconds_per_unit = {rate.seconds_per_unit}",
            f"seconds_per_character = {rate.seconds_per_character}",
            f"seconds_per_pause = {rate.seconds_per_pause}",
            "",
        ]
    pacing.RATES_FILE.write_text("\n".join(lines))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("languages", nargs="*", default=list(LANGUAGES))
    parser.add_argument("--passages", type=int, default=40)
    arguments = parser.parse_args()
    known: dict[str, pacing.SpeechRate] = {}
    if pacing.RATES_FILE.exists() and set(arguments.languages) != set(LANGUAGES):
        known = dict(pacing.speech_rates().languages)
    narrator = build_providers(AudioSettings(speech_provider="offline")).speaker
    for language in arguments.languages:
        known[language] = await measure(narrator, language, arguments.passages)
        print(f"{language:12} {known[language].seconds_per_unit:.4f} s per {known[language].unit}")
    day = datetime.now(UTC).date().isoformat()
    note = f"offline voice of each language, {VOICE}, {arguments.passages} passages of its writer's material, {day}"
    write(known, note)


if __name__ == "__main__":
    asyncio.run(main())
