from pathlib import Path
from typing import Literal, Self

from pydantic import Field, model_validator

from libs.common.pricing import Prices
from libs.common.settings import ProviderSettings, WorkerSettings, env

SpeechProvider = Literal["auto", "offline", "openai"]
"""`auto` means OpenAI speech when `OPENAI_API_KEY` is set, the offline voices otherwise."""
OfflineEnglishVoice = Literal["piper", "espeak"]


class AudioSettings(WorkerSettings, ProviderSettings, Prices):
    audio_port: int = Field(8013, validation_alias=env("AUDIO_PORT"), description="Where this service listens.")
    narration_concurrency: int = Field(2, ge=1, description="Scenes narrated at once.")
    stage_concurrency: int = Field(
        2,
        ge=1,
        description="Jobs one replica narrates at once (each `narration_concurrency` scenes at a time). OpenAI "
        "speech is I/O, but the offline voices (Piper, espeak-ng) and the music mix use the CPU: fewer than story.",
    )
    speech_provider: SpeechProvider = Field("auto", description="Who speaks the narration.")
    tts_model: Literal["tts-1", "tts-1-hd", "gpt-4o-mini-tts"] = Field("tts-1", description="OpenAI speech model.")
    offline_english_voice: OfflineEnglishVoice = Field(
        "piper",
        description="Who speaks English offline: Piper's neural voice (en_US-joe-medium), or espeak-ng as every "
        "other language is spoken.",
    )
    music_dir: Path | None = Field(
        None, description="A folder of background tracks named by mood (calm.mp3, epic-2.ogg, ...); unset = synthesize."
    )

    @property
    def port(self) -> int:
        """Named for its service, so that REELFORGE_PORT (the public gateway port) never moves it."""
        return self.audio_port

    @model_validator(mode="after")
    def _openai_needs_a_key(self) -> Self:
        """Fail at start-up, not on the first job, when OpenAI speech is asked for without a key."""
        if self.speech_provider == "openai" and not self.openai_api_key:
            raise ValueError("REELFORGE_SPEECH_PROVIDER=openai needs OPENAI_API_KEY")
        return self
