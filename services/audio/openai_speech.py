"""Narration by OpenAI speech (`POST /v1/audio/speech`), phrase by phrase so every cue is exact.

Each phrase is asked for as raw PCM (24 kHz, mono, 16-bit little-endian: the one format whose
length is exact to the sample without decoding), trimmed of its silent edges and joined like
espeak-ng's phrases. Phrases are asked for a few at a time; OpenAI bills by characters, so
speaking phrase by phrase costs the same as speaking the scene at once.
"""

import asyncio
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from openai import AsyncOpenAI

from libs.common.errors import InvalidInput, ProviderError
from libs.common.events import CostBreakdown
from libs.common.pricing import Prices
from libs.common.provider_errors import openai_errors
from libs.common.vocabulary import Language, Voice
from services.audio.espeak import split_phrases
from services.audio.joining import Narration, trim, write_joined

PCM_RATE = 24000
PHRASES_AT_ONCE = 3
TTS_MODELS = ("tts-1", "tts-1-hd", "gpt-4o-mini-tts")


@dataclass(frozen=True)
class OpenAISpeech:
    client: AsyncOpenAI
    model: str

    async def narrate(self, text: str, language: Language, voice: Voice, wav_path: Path) -> Narration:
        """The language needs no setting: OpenAI's voices speak the language of the text."""
        phrases = split_phrases(text)
        if not phrases:
            raise InvalidInput("narration text is empty", field="narration")
        bound = asyncio.Semaphore(PHRASES_AT_ONCE)

        async def speak(phrase: str) -> np.ndarray:
            async with bound:
                return trim(await self.speech(phrase, voice), PCM_RATE)

        recordings = await asyncio.gather(*(speak(phrase) for phrase in phrases))
        return write_joined(phrases, list(recordings), PCM_RATE, wav_path)

    async def speech(self, phrase: str, voice: Voice) -> np.ndarray:
        with openai_errors():
            answer = await self.client.audio.speech.create(
                model=self.model, voice=voice, input=phrase, response_format="pcm"
            )
        data = answer.content
        if not data or len(data) % 2:
            raise ProviderError("OpenAI sent speech that is not 16-bit PCM; trying again", retryable=True)
        return np.frombuffer(data, dtype="<i2")

    def cost(self, text: str, prices: Prices) -> CostBreakdown:
        return CostBreakdown(voice_synthesis=round(len(text) / 1000 * prices.price_openai_tts_per_1k_chars, 6))
