"""Which providers the story service uses, from its settings alone."""

from typing import Any

import pytest
from pydantic import ValidationError

from services.story.moderation_rules import RuleModerator
from services.story.openai_moderator import OpenAIModerator
from services.story.openai_writer import OpenAIWriter
from services.story.providers import build_providers, chosen
from services.story.settings import StorySettings
from services.story.writers import OfflineWriter


def settings(**values: Any) -> StorySettings:
    """Settings as the environment would give them (the shell's own are cleared for every story test)."""
    return StorySettings(**values)


def test_the_defaults() -> None:
    defaults = settings()
    assert (defaults.story_model, defaults.moderation_model) == ("gpt-4o-mini", "omni-moderation-latest")
    assert defaults.moderation_threshold == 0.7


def test_auto_means_openai_exactly_when_a_key_is_set() -> None:
    assert chosen("auto", settings()) == "offline"
    assert chosen("auto", settings(openai_api_key="sk-test")) == "openai"
    assert chosen("offline", settings(openai_api_key="sk-test")) == "offline"


def test_the_environment_chooses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:8000/v1")
    monkeypatch.setenv("REELFORGE_STORY_PROVIDER", "offline")
    monkeypatch.setenv("REELFORGE_MODERATION_THRESHOLD", "0.5")
    monkeypatch.setenv("REELFORGE_STORY_MODEL", "llama3.1")
    from_env = StorySettings()
    assert (from_env.openai_api_key, from_env.openai_base_url) == ("sk-test", "http://127.0.0.1:8000/v1")
    assert (from_env.story_provider, from_env.moderation_provider) == ("offline", "auto")
    assert (from_env.moderation_threshold, from_env.story_model) == (0.5, "llama3.1")


def test_openai_without_a_key_is_refused_at_start_up() -> None:
    with pytest.raises(ValidationError, match="needs OPENAI_API_KEY"):
        settings(story_provider="openai")


def test_the_threshold_is_a_fraction() -> None:
    with pytest.raises(ValidationError):
        settings(moderation_threshold=1.5)


async def test_without_a_key_everything_is_offline() -> None:
    providers = build_providers(settings(moderation_threshold=0.6))
    assert providers.moderator == RuleModerator(0.6) and isinstance(providers.writer, OfflineWriter)
    await providers.close()


async def test_with_a_key_openai_serves_both_from_one_client() -> None:
    providers = build_providers(settings(openai_api_key="sk-test", story_model="gpt-4.1-mini"))
    assert isinstance(providers.moderator, OpenAIModerator) and isinstance(providers.writer, OpenAIWriter)
    assert providers.moderator.client is providers.writer.client
    assert providers.writer.model == "gpt-4.1-mini"
    client = providers.writer.client
    assert (client.max_retries, client.timeout) == (0, 60.0)
    await providers.close()


async def test_each_stage_can_be_chosen_on_its_own() -> None:
    providers = build_providers(settings(openai_api_key="sk-test", moderation_provider="offline"))
    assert isinstance(providers.moderator, RuleModerator) and isinstance(providers.writer, OpenAIWriter)
    await providers.close()
