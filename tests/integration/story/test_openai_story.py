"""The story stage with OpenAI as its providers, through the real bus, against the fake OpenAI over HTTP.

Only `OPENAI_API_KEY` and `OPENAI_BASE_URL` are set, as a user would: `auto` then picks OpenAI for
both moderation and writing. The database plays no part in what is tested here, so these run on
SQLite only; the stage's transactions run on both databases in test_story_stage.py.
"""

import json
from itertools import pairwise
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from libs.common.bus import dead_letter_topic
from libs.common.events import JobFailed, JobInput, JobProgress, JobRequested, RenderOptions, StoryCompleted, Topics
from libs.common.settings import StorageSettings
from services.story.app import create_app
from services.story.settings import StorySettings
from tests.bus import BusProbe, service_settings, serving, staged
from tests.fakes.openai_api import CHAT, MODERATIONS, FakeOpenAI, chat_content, fail, flagged, rate_limited

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

PROMPT = "a lighthouse keeper who sees a ship with no lights"
RETRY_BASE_S = 0.2
MAX_ATTEMPTS = 3


def settings_for(kafka: str, database_url: str, tmp_path: Path, fake: FakeOpenAI, **changes: Any) -> StorySettings:
    settings = service_settings(StorySettings, kafka, database_url, StorageSettings(media_dir=tmp_path), tmp_path)
    openai = {"openai_api_key": fake.api_key, "openai_base_url": fake.base_url, "provider_timeout_s": 10.0}
    retries = {"max_attempts": MAX_ATTEMPTS, "retry_base_s": RETRY_BASE_S}
    return settings.model_copy(update={**openai, **retries, **changes})


def job(**source: str) -> JobRequested:
    return JobRequested(job_id=uuid4(), user_id="u1", input=JobInput(**source), options=RenderOptions())


def gaps(times: list[float]) -> list[float]:
    return [later - earlier for earlier, later in pairwise(times)]


async def test_a_prompt_is_written_by_the_model_as_structured_output_and_a_script_stays_verbatim(
    kafka: str, database_url: str, tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    settings = settings_for(kafka, database_url, tmp_path, fake_openai)
    prompted, scripted = job(prompt=PROMPT), job(script="The keeper climbed the stairs.\nThe lamp went dark.")
    async with serving(create_app(settings)), BusProbe(kafka) as bus:
        await bus.publish(prompted)
        [story] = await bus.events(StoryCompleted, 1)
        await bus.publish(scripted)
        [_, from_script] = await bus.events(StoryCompleted, 2)
        progress = await bus.events(JobProgress, 3)
    [chat] = fake_openai.requests(CHAT)
    written = json.loads(chat.reply.body["choices"][0]["message"]["content"])
    assert story.storyboard.title == written["title"]
    assert [scene.narration for scene in story.storyboard.scenes] == [scene["narration"] for scene in written["scenes"]]
    assert [(scene.subjects, scene.search_query) for scene in story.storyboard.scenes] == [
        (scene["subjects"], scene["search_query"]) for scene in written["scenes"]
    ]
    assert chat.body["model"] == "gpt-4o-mini"
    response_format = chat.body["response_format"]
    assert response_format["type"] == "json_schema" and response_format["json_schema"]["strict"] is True
    assert set(response_format["json_schema"]["schema"]["required"]) == {"title", "description", "scenes"}
    assert PROMPT in chat.body["messages"][-1]["content"]
    assert [scene.narration for scene in from_script.storyboard.scenes] == [
        "The keeper climbed the stairs.",
        "The lamp went dark.",
    ]
    moderated = fake_openai.requests(MODERATIONS)
    assert [(request.body["input"], request.body["model"]) for request in moderated] == [
        (PROMPT, "omni-moderation-latest"),
        (scripted.input.script, "omni-moderation-latest"),
    ]
    verdict = progress[1].moderation
    assert verdict is not None and (verdict.status, verdict.provider) == ("approved", "openai")
    assert story.cost.story_generation == settings.price_openai_chat_story > 0
    assert from_script.cost.total == 0.0, "a script is never sent to the model, so it costs nothing"


async def test_a_prompt_flagged_by_openai_moderation_ends_the_job_as_moderated(
    kafka: str, database_url: str, tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    fake_openai.queue(MODERATIONS, flagged("violence"))
    settings = settings_for(kafka, database_url, tmp_path, fake_openai)
    async with serving(create_app(settings)) as app, BusProbe(kafka) as bus:
        await bus.publish(job(prompt="a story about a duel at dawn"))
        [failed] = await bus.events(JobFailed, 1)
        progress = await bus.events(JobProgress, 2)
        assert await staged(app, Topics.STORY_COMPLETED) == []
    assert (failed.moderation, failed.reason) == (True, "The request was rejected by moderation: violence")
    verdict = progress[-1].moderation
    assert verdict is not None and (verdict.status, verdict.categories) == ("rejected", ["violence"])
    assert fake_openai.requests(CHAT) == [], "a rejected request is never written"


async def test_server_errors_are_retried_with_the_runtime_backoff_until_the_story_is_written(
    kafka: str, database_url: str, tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    fake_openai.queue(CHAT, fail(500), fail(500))
    settings = settings_for(kafka, database_url, tmp_path, fake_openai)
    async with serving(create_app(settings)), BusProbe(kafka) as bus:
        await bus.publish(job(prompt=PROMPT))
        await bus.events(StoryCompleted, 1)
    chats = fake_openai.requests(CHAT)
    assert [request.reply.status for request in chats] == [500, 500, 200]
    first, second = gaps([request.at for request in chats])
    assert first >= RETRY_BASE_S / 2 and second >= RETRY_BASE_S, "backoff doubles per attempt, at least half of it"


async def test_a_model_that_keeps_failing_fails_the_job_and_dead_letters_the_request(
    kafka: str, database_url: str, tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    fake_openai.always(CHAT, fail(500))
    settings = settings_for(kafka, database_url, tmp_path, fake_openai)
    async with serving(create_app(settings)), BusProbe(kafka) as bus:
        await bus.publish(job(prompt=PROMPT))
        [failed] = await bus.events(JobFailed, 1)
        [dead] = await bus.records(dead_letter_topic(Topics.JOBS_REQUESTED), lambda values: len(values) >= 1)
    assert "OpenAI" in failed.reason and "HTTP 500" in failed.reason and not failed.moderation
    assert len(fake_openai.requests(CHAT)) == MAX_ATTEMPTS
    record = json.loads(dead)
    assert (record["error"], record["attempts"]) == (failed.reason, MAX_ATTEMPTS)


async def test_a_rate_limited_request_is_retried_no_sooner_than_retry_after(
    kafka: str, database_url: str, tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    fake_openai.queue(CHAT, rate_limited(1))
    settings = settings_for(kafka, database_url, tmp_path, fake_openai)
    async with serving(create_app(settings)), BusProbe(kafka) as bus:
        await bus.publish(job(prompt=PROMPT))
        await bus.events(StoryCompleted, 1)
    chats = fake_openai.requests(CHAT)
    assert [request.reply.status for request in chats] == [429, 200]
    assert gaps([request.at for request in chats])[0] >= 1.0


async def test_a_wrong_api_key_fails_the_job_at_the_first_attempt(
    kafka: str, database_url: str, tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    settings = settings_for(kafka, database_url, tmp_path, fake_openai, openai_api_key="sk-wrong-0123456789abcdef")
    async with serving(create_app(settings)), BusProbe(kafka) as bus:
        await bus.publish(job(prompt=PROMPT))
        [failed] = await bus.events(JobFailed, 1)
        [dead] = await bus.records(dead_letter_topic(Topics.JOBS_REQUESTED), lambda values: len(values) >= 1)
    assert failed.reason == "OpenAI rejected the API key (check OPENAI_API_KEY)"
    assert [request.reply.status for request in fake_openai.requests()] == [401]
    assert (json.loads(dead)["error"], json.loads(dead)["attempts"]) == (failed.reason, 1)


async def test_invalid_model_output_is_asked_for_again_by_the_provider(
    kafka: str, database_url: str, tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    fake_openai.queue(CHAT, chat_content('{"title": "The Lighthouse", "scenes": [{"narration": '))
    settings = settings_for(kafka, database_url, tmp_path, fake_openai)
    async with serving(create_app(settings)), BusProbe(kafka) as bus:
        await bus.publish(job(prompt=PROMPT))
        [story] = await bus.events(StoryCompleted, 1)
    assert len(fake_openai.requests(CHAT)) == 2
    assert len(fake_openai.requests(MODERATIONS)) == 1, "the provider retried, not the runtime"
    assert story.storyboard.scenes


def english_storyboard() -> str:
    scene = {
        "narration": "The old keeper climbed the stairs every night to light the lamp above the sea.",
        "image_prompt": "a lighthouse at night",
        "subtitle": "The old keeper climbed the stairs every night to light the lamp above the sea.",
        "subjects": ["lighthouse"],
        "search_query": "lighthouse night",
    }
    story = {"title": "The Keeper of the Light", "description": "A keeper and his lamp.", "scenes": [scene] * 3}
    return json.dumps(story)


async def test_a_model_answering_in_another_language_is_asked_once_more_then_the_job_fails_with_a_code(
    kafka: str, database_url: str, tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    fake_openai.queue(CHAT, chat_content(english_storyboard()), chat_content(english_storyboard()))
    settings = settings_for(kafka, database_url, tmp_path, fake_openai)
    requested = JobRequested(
        job_id=uuid4(), user_id="u1", input=JobInput(prompt=PROMPT), options=RenderOptions(language="german")
    )
    async with serving(create_app(settings)), BusProbe(kafka) as bus:
        await bus.publish(requested)
        [failed] = await bus.events(JobFailed, 1)
    assert failed.code == "story_language_mismatch"
    assert "english instead of german" in failed.reason
    chats = fake_openai.requests(CHAT)
    assert len(chats) == 2, "asked once more, then given up"
    assert "German" in json.dumps(chats[1].body["messages"][-1])
