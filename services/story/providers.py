"""Which moderator and which writer the story service uses, chosen by settings and built once at start-up."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from openai import AsyncOpenAI

from libs.common.events import CostBreakdown, JobInput
from libs.common.pacing import speech_rates
from services.story.moderation import Moderator
from services.story.moderation_rules import RuleModerator
from services.story.openai_moderator import OpenAIModerator
from services.story.openai_writer import OpenAIWriter
from services.story.settings import ProviderChoice, StorySettings
from services.story.tales import all_material
from services.story.writers import OfflineWriter, StoryWriter

Provider = Literal["offline", "openai"]


@dataclass(frozen=True)
class StoryProviders:
    moderator: Moderator
    writer: StoryWriter
    close: Callable[[], Awaitable[None]]
    """Releases the connections the providers hold; call once at shutdown."""
    story_price: float = 0.0
    """What one story from the writer costs (`Prices`); 0 for the offline writer."""
    moderation_provider: str = "rules"
    writing_provider: Provider = "offline"
    """Who moderates and who writes, as the provider metrics name them."""

    def cost_of(self, source: JobInput) -> CostBreakdown:
        """What writing `source` cost: a model call, unless it is a script (never sent to a model)."""
        return CostBreakdown(story_generation=self.story_price if source.script is None else 0.0)


def chosen(choice: ProviderChoice, settings: StorySettings) -> Provider:
    """`auto` picks OpenAI exactly when a key is configured."""
    if choice == "auto":
        return "openai" if settings.openai_api_key else "offline"
    return choice


def build_providers(settings: StorySettings) -> StoryProviders:
    """One OpenAI client, shared by both providers, and only when one of them uses OpenAI.

    The client never retries on its own (`max_retries=0`): the runtime retries a failed
    event with backoff, so a retry here would multiply the attempts.
    """
    all_material()  # every language's material and speech rate, checked now: a malformed file stops start-up
    speech_rates()
    moderating, writing = chosen(settings.moderation_provider, settings), chosen(settings.story_provider, settings)
    if "openai" not in (moderating, writing):
        return StoryProviders(RuleModerator(settings.moderation_threshold), OfflineWriter(), _nothing_to_close)
    client = AsyncOpenAI(
        api_key=settings.openai_api_key,
        base_url=settings.openai_base_url,
        timeout=settings.provider_timeout_s,
        max_retries=0,
    )
    moderator: Moderator = (
        OpenAIModerator(client, settings.moderation_model)
        if moderating == "openai"
        else RuleModerator(settings.moderation_threshold)
    )
    moderation = "openai" if moderating == "openai" else "rules"
    if writing == "openai":
        writer = OpenAIWriter(client, settings.story_model)
        return StoryProviders(moderator, writer, client.close, settings.price_openai_chat_story, moderation, "openai")
    return StoryProviders(moderator, OfflineWriter(), client.close, moderation_provider=moderation)


async def _nothing_to_close() -> None:
    return None
