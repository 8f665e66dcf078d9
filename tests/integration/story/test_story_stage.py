"""The story stage through the real bus: a job request becomes a stored storyboard and `story.completed`."""

from pathlib import Path
from uuid import uuid4

from libs.common.events import (
    JobFailed,
    JobInput,
    JobProgress,
    JobRequested,
    Moderation,
    RenderOptions,
    Storyboard,
    StoryCompleted,
    Topics,
)
from libs.common.settings import StorageSettings
from libs.common.storage import keys, open_store
from libs.common.tracing import trace_id
from services.story.app import create_app
from services.story.settings import StorySettings
from tests.bus import BusProbe, service_settings, serving, staged

SCRIPT = (
    "The lighthouse keeper woke at midnight.\nA ship with no lights drifted past.\nBy dawn, the sea was empty again."
)


def request(script: str, job_id: object = None) -> JobRequested:
    return JobRequested(
        job_id=job_id or uuid4(), user_id="u1", input=JobInput(script=script), options=RenderOptions(art_style="anime")
    )


async def test_a_script_becomes_one_scene_per_line_stored_and_announced(
    kafka: str, database_url: str, tmp_path: Path
) -> None:
    storage = StorageSettings(media_dir=tmp_path / "media")
    settings = service_settings(StorySettings, kafka, database_url, storage, tmp_path)
    job = request(SCRIPT)
    async with serving(create_app(settings)), BusProbe(kafka) as bus:
        await bus.publish(job)
        [story] = await bus.events(StoryCompleted, 1)
        progress = await bus.events(JobProgress, 3)
    assert [scene.narration for scene in story.storyboard.scenes] == SCRIPT.splitlines()
    assert all("anime" in scene.image_prompt.lower() for scene in story.storyboard.scenes)
    assert (story.job_id, story.user_id) == (job.job_id, job.user_id)
    assert trace_id(story.traceparent) == trace_id(job.traceparent), "the story goes on in the request's trace"
    stored = await (await open_store(storage)).get_bytes(keys.storyboard(job.job_id))
    assert Storyboard.model_validate_json(stored) == story.storyboard
    assert [(p.status, p.stage) for p in progress] == [
        ("moderating", "story"),
        ("processing", "story"),
        ("processing", "story"),
    ]
    assert progress[1].moderation == Moderation(status="approved", score=0.0, provider="offline")
    assert progress[-1].storyboard == story.storyboard
    assert progress[0].progress < progress[1].progress < progress[2].progress


async def test_a_redelivered_request_writes_the_story_once(kafka: str, database_url: str, tmp_path: Path) -> None:
    settings = service_settings(StorySettings, kafka, database_url, StorageSettings(media_dir=tmp_path), tmp_path)
    job = request(SCRIPT)
    sentinel = request("A different story.", job_id=job.job_id)  # same key: consumed after the duplicate
    async with serving(create_app(settings)), BusProbe(kafka) as bus:
        for event in (job, job, sentinel):
            await bus.publish(event)
        stories = await bus.records(
            StoryCompleted.topic, lambda values: any(b"A different story." in value for value in values)
        )
    assert len(stories) == 2, "the duplicate request produced a second story"


async def test_offline_moderation_rejects_bomb_instructions_and_writes_no_story(
    kafka: str, database_url: str, tmp_path: Path
) -> None:
    settings = service_settings(StorySettings, kafka, database_url, StorageSettings(media_dir=tmp_path), tmp_path)
    job = JobRequested(
        job_id=uuid4(), user_id="u1", input=JobInput(prompt="how to build a bomb"), options=RenderOptions()
    )
    async with serving(create_app(settings)) as app, BusProbe(kafka) as bus:
        await bus.publish(job)
        [failed] = await bus.events(JobFailed, 1)
        progress = await bus.events(JobProgress, 2)
        assert await staged(app, Topics.STORY_COMPLETED) == []
        assert await staged(app, f"{Topics.JOBS_REQUESTED}.dlq") == [], "a moderated request is not dead-lettered"
    assert (failed.moderation, failed.stage) == (True, "story")
    assert failed.reason == "The request was rejected by moderation: illicit/violent"
    verdict = progress[-1].moderation
    assert verdict is not None and verdict.status == "rejected" and verdict.provider == "offline"
    assert verdict.categories == ["illicit/violent"] and verdict.score >= settings.moderation_threshold


async def test_the_story_follows_the_jobs_length_scenes_mood_and_genre_at_no_cost_offline(
    kafka: str, database_url: str, tmp_path: Path
) -> None:
    settings = service_settings(StorySettings, kafka, database_url, StorageSettings(media_dir=tmp_path), tmp_path)
    source = JobInput(
        topic="love",
        genre="thriller",
        style_preferences={"color_palette": "teal and orange"},
        reference_image_key="uploads/u1/portrait.png",
    )
    job = JobRequested(job_id=uuid4(), user_id="u1", input=source, options=RenderOptions(duration_s=20, num_scenes=4))
    async with serving(create_app(settings)), BusProbe(kafka) as bus:
        await bus.publish(job)
        [story] = await bus.events(StoryCompleted, 1)
    board = story.storyboard
    assert len(board.scenes) == 4 and board.mood == "tense"
    assert 30 <= len(board.text.split()) <= 80, "about 20 s of narration"
    assert all("thriller genre, color palette: teal and orange" in scene.image_prompt for scene in board.scenes)
    assert story.cost.total == 0.0
    assert story.reference_image_key == "uploads/u1/portrait.png", "imaging paints from the reference"
