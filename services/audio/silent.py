"""The narrator for `include_voice=False`: no speech, but the timing speech would have had.

Each phrase lasts as long as espeak-ng would take to say it (from its length in characters), so
scenes keep a natural pace and subtitles still appear phrase by phrase; the WAV holds silence, so
the render stage handles it like any other narration.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from libs.common.errors import InvalidInput
from libs.common.events import CostBreakdown
from libs.common.pricing import Prices
from libs.common.vocabulary import Language, Voice
from services.audio.espeak import split_phrases
from services.audio.joining import Narration, write_joined

RATE = 22050
SECONDS_PER_COLUMN = 0.065
"""About espeak-ng's pace at 170 words a minute; a CJK character counts two columns, as on screen."""
MIN_PHRASE_S = 0.6


def phrase_seconds(phrase: str) -> float:
    columns = sum(2 if ord(character) >= 0x2E80 else 1 for character in phrase)
    return max(columns * SECONDS_PER_COLUMN, MIN_PHRASE_S)


@dataclass(frozen=True)
class SilentNarrator:
    async def narrate(self, text: str, language: Language, voice: Voice, wav_path: Path) -> Narration:
        phrases = split_phrases(text)
        if not phrases:
            raise InvalidInput("narration text is empty", field="narration")
        silences = [np.zeros(round(phrase_seconds(phrase) * RATE), dtype="<i2") for phrase in phrases]
        return write_joined(phrases, silences, RATE, wav_path)

    def cost(self, text: str, prices: Prices) -> CostBreakdown:
        return CostBreakdown()
