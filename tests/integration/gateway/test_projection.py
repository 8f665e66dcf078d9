"""The gateway's side of the bus: a created job is published through the outbox, and lifecycle events
arriving from the stages move its projection, on SQLite and PostgreSQL."""

import asyncio
from collections.abc import Callable
from pathlib import Path
from uuid import UUID

from fastapi import FastAPI

from libs.common.events import (
    JobCompleted,
    JobFailed,
    JobInput,
    JobProgress,
    JobRequested,
    RenderOptions,
    Scene,
    Storyboard,
    VideoOutput,
)
from libs.common.settings import StorageSettings
from services.gateway.app import create_app
from services.gateway.core import jobs
from services.gateway.core.security import Principal
from services.gateway.core.store import Job
from services.gateway.settings import GatewaySettings
from tests.bus import BusProbe, service_settings, serving

OWNER = Principal(user_id="owner-1", role="user", username="owner")
BOARD = Storyboard(
    title="The Harbour",
    description="D",
    text="X",
    scenes=[Scene(index=0, narration="n", image_prompt="p", subtitle="s")],
)


async def job_when(app: FastAPI, job_id: UUID, holds: Callable[[Job], bool], timeout_s: float = 60.0) -> Job:
    """The job's projection, once `holds(job)` is true."""
    async with asyncio.timeout(timeout_s):
        while not holds(job := await jobs.get_job(app.state.runtime, OWNER, job_id)):
            await asyncio.sleep(0.05)
    return job


async def test_a_created_job_is_published_and_follows_its_lifecycle(
    kafka: str, database_url: str, tmp_path: Path
) -> None:
    settings = service_settings(GatewaySettings, kafka, database_url, StorageSettings(media_dir=tmp_path), tmp_path)
    async with serving(create_app(settings)) as app, BusProbe(kafka) as bus:
        job = await jobs.create_job(app.state.runtime, OWNER, JobInput(topic="love"), RenderOptions(fps=24))
        [requested] = await bus.events(JobRequested, 1)
        assert (requested.job_id, requested.user_id, requested.options.fps) == (job.id, "owner-1", 24)
        await job_when(app, job.id, lambda job: job.status == "queued")

        await bus.publish(JobProgress.after(requested, stage="story", progress=20, message="m", storyboard=BOARD))
        await bus.publish(JobProgress.after(requested, stage="images", progress=35, message="m"))
        # Topics are not ordered with each other: let progress land before the completion is sent.
        await job_when(app, job.id, lambda job: job.progress == 35)
        output = VideoOutput(
            video_key="v", thumbnail_key="t", srt_key="s", vtt_key="w", duration_s=9, width=8, height=8, size_bytes=7
        )
        await bus.publish(JobCompleted.after(requested, output=output))
        done = await job_when(app, job.id, lambda job: job.status == "completed")
        history = [entry.kind for entry in await jobs.events_after(app.state.runtime, job.id, 0)]
    assert (done.title, done.progress, done.message) == ("The Harbour", 100, "Video ready")
    assert history == ["jobs.created", "jobs.requested", "jobs.progress", "jobs.progress", "jobs.completed"]


async def test_a_moderation_failure_ends_the_job_with_its_reason(kafka: str, database_url: str, tmp_path: Path) -> None:
    settings = service_settings(GatewaySettings, kafka, database_url, StorageSettings(media_dir=tmp_path), tmp_path)
    async with serving(create_app(settings)) as app, BusProbe(kafka) as bus:
        job = await jobs.create_job(app.state.runtime, OWNER, JobInput(prompt="x"), RenderOptions())
        [requested] = await bus.events(JobRequested, 1)
        await bus.publish(JobFailed.after(requested, stage="story", reason="violent content", moderation=True))
        ended = await job_when(app, job.id, lambda job: job.status == "moderation_failed")
    assert ended.error == "violent content"
