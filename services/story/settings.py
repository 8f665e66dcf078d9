from typing import Literal, Self

from pydantic import Field, model_validator

from libs.common.pricing import Prices
from libs.common.settings import ProviderSettings, WorkerSettings, env

ProviderChoice = Literal["auto", "offline", "openai"]
"""`auto` means OpenAI when `OPENAI_API_KEY` is set, the offline provider otherwise."""


class StorySettings(WorkerSettings, ProviderSettings, Prices):
    story_port: int = Field(8011, validation_alias=env("STORY_PORT"), description="Where this service listens.")
    stage_concurrency: int = Field(
        4,
        ge=1,
        description="Jobs one replica writes stories for at once. The work is waiting on the language model and "
        "the moderation call (I/O), so several jobs share a core.",
    )
    story_provider: ProviderChoice = Field("auto", description="Who writes storyboards.")
    moderation_provider: ProviderChoice = Field("auto", description="Who judges the user's text.")
    story_model: str = Field("gpt-4o-mini", description="Chat model that writes storyboards (structured output).")
    moderation_model: str = Field("omni-moderation-latest", description="OpenAI moderation model.")
    moderation_threshold: float = Field(
        0.7, ge=0, le=1, description="Offline rules reject a request whose score reaches this (0..1)."
    )

    @property
    def port(self) -> int:
        """Named for its service, so that REELFORGE_PORT (the public gateway port) never moves it."""
        return self.story_port

    @model_validator(mode="after")
    def _openai_needs_a_key(self) -> Self:
        """Fail at start-up, not on the first job, when OpenAI is asked for without a key."""
        if "openai" in (self.story_provider, self.moderation_provider) and not self.openai_api_key:
            raise ValueError(
                "REELFORGE_STORY_PROVIDER / REELFORGE_MODERATION_PROVIDER=openai needs OPENAI_API_KEY "
                "(any non-empty value for a local OpenAI-compatible server without keys)"
            )
        return self
