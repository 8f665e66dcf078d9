"""The narrators this service uses, built once at start-up, and which one speaks a job."""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from openai import AsyncOpenAI

from libs.common.events import RenderOptions
from libs.common.pricing import Prices
from libs.common.vocabulary import Language
from services.audio.kokoro_japanese import KokoroNarrator
from services.audio.narrators import Narrator, OfflineNarrator
from services.audio.openai_speech import OpenAISpeech
from services.audio.piper_voice import PiperNarrator
from services.audio.settings import AudioSettings, OfflineEnglishVoice
from services.audio.silent import SilentNarrator

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AudioProviders:
    speaker: Narrator
    silent: Narrator
    prices: Prices
    close: Callable[[], Awaitable[None]]
    speech_provider: str = "offline"
    """Who speaks, as the provider metrics name it: openai, or offline (Piper, Kokoro, espeak-ng)."""

    def narrator(self, options: RenderOptions) -> Narrator:
        """A job without voice still gets timed, silent narration, so render treats it like any other."""
        return self.speaker if options.include_voice else self.silent

    def provider_of(self, options: RenderOptions) -> str:
        """Who narrates a job with these options: `silent` when it has no voice."""
        return self.speech_provider if options.include_voice else "silent"


def build_providers(settings: AudioSettings) -> AudioProviders:
    """The OpenAI client never retries on its own: the runtime retries a failed event with backoff."""
    wants_openai = settings.speech_provider == "openai" or (
        settings.speech_provider == "auto" and bool(settings.openai_api_key)
    )
    if not wants_openai:
        narrator = offline_narrator(settings.offline_english_voice)
        return AudioProviders(narrator, SilentNarrator(), settings, _nothing_to_close)
    client = AsyncOpenAI(
        api_key=settings.openai_api_key,
        base_url=settings.openai_base_url,
        timeout=settings.provider_timeout_s,
        max_retries=0,
    )
    return AudioProviders(OpenAISpeech(client, settings.tts_model), SilentNarrator(), settings, client.close, "openai")


def offline_narrator(english_voice: OfflineEnglishVoice = "piper") -> OfflineNarrator:
    """Piper speaks English (unless `english_voice` is espeak-ng), Kokoro Japanese, espeak-ng the rest.

    A voice that does not load leaves its language to espeak-ng, with one warning, rather than stopping the service.
    """
    voices: dict[Language, Narrator] = {}
    if english_voice == "piper":
        try:
            voices["english"] = PiperNarrator.load()
        except Exception:
            log.warning(
                "Piper's English voice (en_US-joe-medium) did not load: espeak-ng narrates English", exc_info=True
            )
    try:
        voices["japanese"] = KokoroNarrator.load()
    except Exception:
        log.warning("Kokoro's Japanese voice did not load: espeak-ng narrates Japanese, from kana", exc_info=True)
    return OfflineNarrator(voices)


async def _nothing_to_close() -> None:
    return None
