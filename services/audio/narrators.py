"""Who speaks a job's scenes: offline voices, OpenAI speech when configured, or nobody (timing only).

Every narrator has the same contract (see `espeak.narrate`): one mono 16-bit WAV per scene and
one cue per phrase, timed on the audio, so the render stage never needs to know which one spoke.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from libs.common.events import CostBreakdown
from libs.common.pricing import Prices
from libs.common.vocabulary import Language, Voice
from services.audio import espeak
from services.audio.joining import Narration


class Narrator(Protocol):
    async def narrate(self, text: str, language: Language, voice: Voice, wav_path: Path) -> Narration: ...

    def cost(self, text: str, prices: Prices) -> CostBreakdown:
        """What speaking `text` costs."""
        ...


@dataclass(frozen=True)
class EspeakNarrator:
    async def narrate(self, text: str, language: Language, voice: Voice, wav_path: Path) -> Narration:
        return await espeak.narrate(text, language, voice, wav_path)

    def cost(self, text: str, prices: Prices) -> CostBreakdown:
        return CostBreakdown()


@dataclass(frozen=True)
class OfflineNarrator:
    """The offline voice of each language: its own voice where one loaded (`voices`), espeak-ng for the rest."""

    voices: Mapping[Language, Narrator]
    fallback: Narrator = field(default_factory=EspeakNarrator)

    def speaker(self, language: Language) -> Narrator:
        return self.voices.get(language, self.fallback)

    async def narrate(self, text: str, language: Language, voice: Voice, wav_path: Path) -> Narration:
        return await self.speaker(language).narrate(text, language, voice, wav_path)

    def cost(self, text: str, prices: Prices) -> CostBreakdown:
        return CostBreakdown()
