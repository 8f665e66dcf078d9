"""Job options and cost through the gateway and the real bus: a request with every option arrives on
`jobs.requested` as asked, it is priced and held to the spending limits before it starts, and what
the stages report spending adds up on the job once per event, on SQLite and PostgreSQL."""

import asyncio
from collections.abc import Callable
from pathlib import Path
from uuid import UUID

import pytest
from fastapi import FastAPI

from libs.common.errors import InvalidInput
from libs.common.events import (
    AudioCompleted,
    CostBreakdown,
    ImagesCompleted,
    JobCompleted,
    JobRequested,
    Scene,
    Storyboard,
    StoryCompleted,
    VideoOutput,
)
from libs.common.settings import StorageSettings
from services.gateway.app import create_app
from services.gateway.core import jobs, submission
from services.gateway.core.schemas import JobCreate, JobPublic
from services.gateway.core.security import Principal
from services.gateway.core.store import Job
from services.gateway.settings import GatewaySettings
from tests.bus import BusProbe, service_settings, serving

OWNER = Principal(user_id="options-owner", role="user", username="owner")
EVERY_OPTION = {
    "prompt": "a lighthouse keeper who befriends a whale",
    "art_style": "pixar-art",
    "duration": 40,
    "language": "german",
    "voice": "shimmer",
    "resolution": "720x1280",
    "fps": 25,
    "quality": "high",
    "transition": "wipeleft",
    "motion": False,
    "subtitles": False,
    "include_voice": True,
    "include_music": True,
    "mood": "mysterious",
    "genre": "fairy tale",
    "style_preferences": {"color_palette": "warm", "lighting": "golden hour"},
    "num_scenes": 4,
    "preview": True,
    "model_id": "openai:gpt-image-1",
}


def gateway_settings(kafka: str, database_url: str, tmp_path: Path, **changes: object) -> GatewaySettings:
    settings = service_settings(GatewaySettings, kafka, database_url, StorageSettings(media_dir=tmp_path), tmp_path)
    return settings.model_copy(update={"openai_api_key": "", "replicate_api_token": "", **changes})


async def job_when(app: FastAPI, job_id: UUID, holds: Callable[[Job], bool], timeout_s: float = 60.0) -> Job:
    async with asyncio.timeout(timeout_s):
        while not holds(job := await jobs.get_job(app.state.runtime, OWNER, job_id)):
            await asyncio.sleep(0.05)
    return job


async def test_every_option_is_carried_to_the_pipeline_priced_and_its_spending_summed(
    kafka: str, database_url: str, tmp_path: Path
) -> None:
    settings = gateway_settings(kafka, database_url, tmp_path, openai_api_key="sk-test", price_music_track=0.25)
    async with serving(create_app(settings)) as app, BusProbe(kafka) as bus:
        job = await submission.submit_job(app.state.runtime, OWNER, JobCreate.model_validate(EVERY_OPTION))
        [requested] = await bus.events(JobRequested, 1)
        options, source = requested.options, requested.input
        assert (options.width, options.height, options.duration_s, options.duration) == (720, 1280, 40, "short")
        for name in EVERY_OPTION.keys() - {"prompt", "genre", "style_preferences", "resolution", "duration"}:
            assert getattr(options, name) == EVERY_OPTION[name], name
        assert (source.prompt, source.genre, source.style_preferences) == (
            EVERY_OPTION["prompt"],
            "fairy tale",
            {"color_palette": "warm", "lighting": "golden hour"},
        )

        estimated = JobPublic.of(job).estimated_cost
        assert estimated is not None
        assert estimated.image_generation == pytest.approx(4 * settings.price_openai_image)
        assert (estimated.story_generation, estimated.music_synthesis) == (settings.price_openai_chat_story, 0.25)
        assert estimated.voice_synthesis > 0 and estimated.ffmpeg_processing > 0
        assert estimated.total == pytest.approx(sum(estimated.model_dump(exclude={"total"}).values()))

        board = Storyboard(
            title="T", description="D", text="n", scenes=[Scene(index=0, narration="n", image_prompt="p", subtitle="s")]
        )
        story = StoryCompleted.after(
            requested, storyboard=board, storyboard_key="k", options=options, cost=CostBreakdown(story_generation=0.002)
        )
        images = ImagesCompleted.after(requested, images=[], options=options, cost=CostBreakdown(image_generation=0.16))
        audio = AudioCompleted.after(
            requested, narrations=[], options=options, cost=CostBreakdown(voice_synthesis=0.01, music_synthesis=0.25)
        )
        output = VideoOutput(
            video_key="v",
            thumbnail_key="t",
            srt_key="s",
            vtt_key="w",
            duration_s=40,
            width=720,
            height=1280,
            size_bytes=9,
        )
        done = JobCompleted.after(requested, output=output, cost=CostBreakdown(ffmpeg_processing=0.008))
        for event in (done, story, images, images, audio, story):  # out of order, and two redelivered
            await bus.publish(event)
        finished = await job_when(
            app, job.id, lambda job: CostBreakdown.model_validate_json(job.actual_cost).total >= 0.43, timeout_s=30
        )
    actual = JobPublic.of(finished).actual_cost
    assert actual.model_dump() == {
        "story_generation": 0.002,
        "image_generation": 0.16,
        "video_generation": 0.0,
        "voice_synthesis": 0.01,
        "music_synthesis": 0.25,
        "ffmpeg_processing": 0.008,
        "total": 0.43,
    }


async def test_jobs_over_a_limit_or_naming_an_unusable_model_are_refused_before_they_start(
    kafka: str, database_url: str, tmp_path: Path
) -> None:
    settings = gateway_settings(
        kafka,
        database_url,
        tmp_path,
        openai_api_key="sk-test",
        cost_limit_per_job_usd=1.0,
        cost_limit_per_user_day_usd=1.5,
    )
    pricey = JobCreate(topic="love", model_id="openai:gpt-image-1", num_scenes=30)  # 30 x $0.04 = $1.20 of images
    fair = JobCreate(topic="love", model_id="openai:gpt-image-1", num_scenes=20)  # about $0.80
    async with serving(create_app(settings)) as app:
        runtime = app.state.runtime
        with pytest.raises(InvalidInput, match=r"over the limit of \$1.00 per job") as per_job:
            await submission.submit_job(runtime, OWNER, pricey)
        assert per_job.value.field == "cost_limit_per_job_usd"
        await submission.submit_job(runtime, OWNER, fair)
        with pytest.raises(InvalidInput, match=r"over the limit of \$1.50 per user per day") as per_day:
            await submission.submit_job(runtime, OWNER, fair)
        assert per_day.value.field == "cost_limit_per_user_day_usd"
        someone_else = Principal(user_id="another-user", role="user", username="other")
        await submission.submit_job(runtime, someone_else, fair)
        with pytest.raises(InvalidInput, match="REPLICATE_API_TOKEN") as no_key:
            await submission.submit_job(runtime, OWNER, JobCreate(topic="love", model_id="replicate:svd-xt"))
        assert no_key.value.field == "model_id"
        mine, total = await jobs.list_jobs(runtime, OWNER, 1, 10, None)
    assert total == 1 and len(mine) == 1
