"""How long a job's video runs and how many scenes it has, from its options.

Shared by the story service (which writes that much narration) and the gateway (which prices
it before the job starts), so the estimate and the story agree.
"""

import math

from libs.common.events import RenderOptions
from libs.common.vocabulary import DurationPreset

WORDS_PER_MINUTE = 160
"""Narration speed: espeak-ng and OpenAI TTS both speak about this fast."""
PRESET_SECONDS: dict[DurationPreset, int] = {"short": 45, "long": 180}
"""`short` ≈ 30–60 s, `long` ≈ 2–4 min."""
SECONDS_PER_SCENE = 7.5
MAX_SCENES = 30


def target_seconds(options: RenderOptions) -> int:
    """The video's intended length: `duration_s` when given, else its preset."""
    return options.duration_s if options.duration_s is not None else PRESET_SECONDS[options.duration]


def words_for(seconds: float) -> int:
    """Narration words that take about `seconds` to speak."""
    return max(1, round(seconds * WORDS_PER_MINUTE / 60))


def seconds_for_words(words: int) -> float:
    return words * 60 / WORDS_PER_MINUTE


def target_scenes(options: RenderOptions) -> int:
    """Scenes (pictures) the video will have: `num_scenes` when given, else one per ~7.5 s."""
    if options.num_scenes is not None:
        return options.num_scenes
    return min(MAX_SCENES, max(1, math.ceil(target_seconds(options) / SECONDS_PER_SCENE - 0.25)))
