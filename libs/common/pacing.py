"""How long a job's video runs, how much narration fills it, and how many scenes it has.

One module for every stage that needs the plan: the gateway (which prices a job and refuses a
script that cannot fit before it starts), the story service (which writes that much narration)
and the audio and render services (which land the video on the planned length). So the
estimate, the story and the video agree.

Speech rates are measured, not assumed: `speech_rates.toml` holds how long the offline voice
takes per letter (what estimates a text's length: a short word is said faster than a long one)
and per word (per character for languages written without spaces: what a writer is asked for),
measured per language by `scripts/measure_speech_rates.py` on the writer's own material.
"""

import functools
import math
import re
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, NonNegativeFloat, PositiveFloat

from libs.common.events import JobInput, RenderOptions
from libs.common.vocabulary import LANGUAGES, DurationPreset, Language

RATES_FILE = Path(__file__).with_name("speech_rates.toml")
PRESET_SECONDS: dict[DurationPreset, int] = {"short": 45, "long": 180}
"""`short` ≈ 45 s, `long` ≈ 3 min."""
SECONDS_PER_SCENE = 7.5
MAX_SCENES = 30
NARRATION_SHARE = 0.93
"""Of a told story's length, the share spoken: the rest is the pauses between scenes, which the
render stretches or shrinks to land the video on its length."""
MAX_VIDEO_SECONDS = 600
"""The longest video a job may ask for, and the longest a script without a requested length may run."""
MAX_SPEED_UP = 1.15
"""A script may be spoken up to this much faster than its voice's natural rate to fit its length."""

Unit = Literal["word", "character"]
PAUSE = re.compile(r"[.,!?;:…。，、！？；：।]+")
"""Where a voice pauses: a run of sentence or phrase punctuation, Latin, CJK or Devanagari."""


class SpeechRate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    unit: Unit = Field(description="What the rate counts: words, or characters for text written without spaces.")
    seconds_per_unit: PositiveFloat = Field(description="What a writer is asked for: seconds per word or character.")
    seconds_per_character: PositiveFloat = Field(
        description="What a text's spoken length is estimated from, with the pauses: seconds per letter or "
        "digit, which follow speech closer than words do."
    )
    seconds_per_pause: NonNegativeFloat = Field(
        description="The silence the voice leaves at each sentence or phrase end (a full stop, comma, colon...)."
    )


class SpeechRates(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    measured: str = Field(description="How and when the figures were measured.")
    languages: dict[Language, SpeechRate]


@functools.cache
def speech_rates() -> SpeechRates:
    """The measured rates; a malformed file or a missing language fails loudly at the first use (start-up)."""
    with RATES_FILE.open("rb") as file:
        rates = SpeechRates.model_validate(tomllib.load(file))
    missing = [language for language in LANGUAGES if language not in rates.languages]
    if missing:
        raise ValueError(f"{RATES_FILE}: no speech rate for {', '.join(missing)}")
    return rates


def count_units(text: str, unit: Unit) -> int:
    """Words in `text`, or its letters and digits (no spaces, no punctuation) when counting characters."""
    if unit == "word":
        return len(text.split())
    return sum(1 for char in text if char.isalnum())


def count_pauses(text: str) -> int:
    return len(PAUSE.findall(text))


def spoken_seconds(text: str, language: Language) -> float:
    """About how long the offline voice takes to say `text`: its letters and digits, and its pauses.

    Measured on English passages, this is 6 % off per passage where words alone are 10 % off (a
    passage of short words is said faster; "A long day." said twenty times is mostly pauses)."""
    rate = speech_rates().languages[language]
    return count_units(text, "character") * rate.seconds_per_character + count_pauses(text) * rate.seconds_per_pause


def units_for(seconds: float, language: Language) -> int:
    """Words (or characters) that take about `seconds` to say."""
    return max(1, round(seconds / speech_rates().languages[language].seconds_per_unit))


def target_seconds(options: RenderOptions) -> int:
    """A told story's intended length: `duration_s` when given, else its preset."""
    return options.duration_s if options.duration_s is not None else PRESET_SECONDS[options.duration]


def requested_seconds(source: JobInput, options: RenderOptions) -> int | None:
    """The length the video must land on: a told story's target, a script's `duration_s`, or None for a
    script that asked for no length (it runs as long as it reads)."""
    if source.script is not None:
        return options.duration_s
    return target_seconds(options)


def planned_seconds(source: JobInput, options: RenderOptions) -> float:
    """How long the video will be: what it must land on, or a script's own spoken length."""
    requested = requested_seconds(source, options)
    if requested is not None:
        return float(requested)
    return spoken_seconds(source.script or "", options.language)


def narration_seconds_wanted(options: RenderOptions) -> float:
    """Seconds of narration a told story is written to, leaving room for the pauses between scenes."""
    return target_seconds(options) * NARRATION_SHARE


def shortest_fit(spoken_s: float) -> float:
    """The shortest a narration of `spoken_s` can be made by speaking it faster, as far as allowed."""
    return spoken_s / MAX_SPEED_UP


def target_scenes(options: RenderOptions) -> int:
    """Scenes (pictures) the video will have: `num_scenes` when given, else one per ~7.5 s."""
    if options.num_scenes is not None:
        return options.num_scenes
    return min(MAX_SCENES, max(1, math.ceil(target_seconds(options) / SECONDS_PER_SCENE - 0.25)))
