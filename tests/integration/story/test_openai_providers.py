"""The OpenAI providers on their own, over HTTP against the fake API: failures a stage run cannot cheaply show."""

from collections.abc import AsyncIterator
from uuid import uuid4

import openai
import pytest

from libs.common.errors import ProviderError
from libs.common.events import JobInput, RenderOptions
from services.story.providers import StoryProviders, build_providers
from services.story.settings import StorySettings
from tests.fakes.openai_api import (
    CHAT,
    MODERATIONS,
    FakeOpenAI,
    answer_to_request,
    chat_content,
    content_policy,
    out_of_quota,
    refused,
    stalled,
)
from tests.servers import free_port

PROMPT = JobInput(prompt="a lighthouse keeper who sees a ship with no lights")


def openai_settings(base_url: str, api_key: str, timeout_s: float = 10.0) -> StorySettings:
    return StorySettings(openai_api_key=api_key, openai_base_url=base_url, provider_timeout_s=timeout_s)


@pytest.fixture
async def providers(fake_openai: FakeOpenAI) -> AsyncIterator[StoryProviders]:
    built = build_providers(openai_settings(fake_openai.base_url, fake_openai.api_key))
    yield built
    await built.close()


async def write(providers: StoryProviders, source: JobInput = PROMPT) -> None:
    await providers.writer.write(source, RenderOptions(), uuid4())


async def test_an_account_out_of_quota_fails_for_good(providers: StoryProviders, fake_openai: FakeOpenAI) -> None:
    fake_openai.queue(MODERATIONS, out_of_quota())
    with pytest.raises(ProviderError, match="out of quota") as raised:
        await providers.moderator.moderate("a quiet harbour")
    assert not raised.value.retryable


async def test_a_content_policy_rejection_fails_for_good(providers: StoryProviders, fake_openai: FakeOpenAI) -> None:
    fake_openai.queue(CHAT, content_policy())
    with pytest.raises(ProviderError, match="content policy") as raised:
        await write(providers)
    assert not raised.value.retryable


async def test_a_model_that_refuses_fails_for_good(providers: StoryProviders, fake_openai: FakeOpenAI) -> None:
    fake_openai.queue(CHAT, refused("I can't help with that."))
    with pytest.raises(ProviderError, match="declined to write this story: I can't help with that") as raised:
        await write(providers)
    assert not raised.value.retryable and len(fake_openai.requests(CHAT)) == 1


async def test_output_that_stays_invalid_fails_for_good_after_three_tries(
    providers: StoryProviders, fake_openai: FakeOpenAI
) -> None:
    fake_openai.always(CHAT, chat_content('{"title": "Only a title"}'))
    with pytest.raises(ProviderError, match="answered 3 times without a valid storyboard") as raised:
        await write(providers)
    assert not raised.value.retryable and "description: Field required (and 1 more)" in raised.value.message
    assert len(fake_openai.requests(CHAT)) == 3


async def test_an_answer_cut_off_at_the_length_limit_is_asked_for_again(
    providers: StoryProviders, fake_openai: FakeOpenAI
) -> None:
    fake_openai.queue(CHAT, chat_content('{"title": "The Last', finish_reason="length"))
    await write(providers)
    assert [request.reply.status for request in fake_openai.requests(CHAT)] == [200, 200]


async def test_a_script_never_reaches_the_model(providers: StoryProviders, fake_openai: FakeOpenAI) -> None:
    await write(providers, JobInput(script="One line.\nAnother line."))
    assert fake_openai.requests() == []


async def test_a_slow_server_times_out_as_retryable(fake_openai: FakeOpenAI) -> None:
    fake_openai.queue(CHAT, stalled(1.0, answer_to_request))
    slow = build_providers(openai_settings(fake_openai.base_url, fake_openai.api_key, timeout_s=0.3))
    try:
        with pytest.raises(ProviderError, match="did not answer in time") as raised:
            await write(slow)
    finally:
        await slow.close()
    assert raised.value.retryable


async def test_an_unreachable_server_is_retryable_and_named() -> None:
    base_url = f"http://127.0.0.1:{free_port()}/v1"
    nowhere = build_providers(openai_settings(base_url, "sk-test"))
    try:
        with pytest.raises(ProviderError) as raised:
            await nowhere.moderator.moderate("a quiet harbour")
    finally:
        await nowhere.close()
    assert raised.value.retryable and raised.value.message.startswith(f"could not reach OpenAI at {base_url[:-3]}")


async def test_the_fake_refuses_what_openai_refuses(fake_openai: FakeOpenAI) -> None:
    client = openai.AsyncOpenAI(api_key=fake_openai.api_key, base_url=fake_openai.base_url, max_retries=0)
    loose = {"type": "json_schema", "json_schema": {"name": "loose", "strict": True, "schema": {"type": "object"}}}
    message = [{"role": "user", "content": "hi"}]
    try:
        with pytest.raises(openai.BadRequestError, match="additionalProperties"):
            await client.chat.completions.create(model="gpt-4o-mini", messages=message, response_format=loose)
        with pytest.raises(openai.BadRequestError, match="Invalid value: 'narrator'"):
            await client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "narrator", "content": "hi"}])
        with pytest.raises(openai.AuthenticationError, match="Incorrect API key"):
            await client.with_options(api_key="sk-wrong-key-123456").moderations.create(input="hi")
    finally:
        await client.close()
    assert [request.reply.status for request in fake_openai.requests()] == [400, 400, 401]
