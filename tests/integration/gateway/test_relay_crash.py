"""A relay that crashed after publishing but before marking its row sent publishes the row again,
with the same event id; the real story service downstream applies it once."""

from pathlib import Path

from sqlalchemy import update
from sqlmodel import col

from libs.common.events import JobInput, JobRequested, RenderOptions, StoryCompleted
from libs.common.outbox import OutboxMessage
from libs.common.settings import StorageSettings
from services.gateway.app import create_app as create_gateway
from services.gateway.core import jobs
from services.gateway.core.security import Principal
from services.gateway.settings import GatewaySettings
from services.story.app import create_app as create_story
from services.story.settings import StorySettings
from tests.bus import BusProbe, service_settings, serving

OWNER = Principal(user_id="owner-1", role="user", username="owner")


async def test_a_request_published_twice_after_a_relay_crash_is_written_once(kafka: str, tmp_path: Path) -> None:
    storage = StorageSettings(media_dir=tmp_path / "media")
    gateway = service_settings(GatewaySettings, kafka, f"sqlite+aiosqlite:///{tmp_path}/g.db", storage, tmp_path)
    story = service_settings(StorySettings, kafka, f"sqlite+aiosqlite:///{tmp_path}/s.db", storage, tmp_path)
    async with serving(create_gateway(gateway)) as gateway_app, serving(create_story(story)), BusProbe(kafka) as bus:
        runtime = gateway_app.state.runtime
        job = await jobs.create_job(runtime, OWNER, JobInput(script="The first time."), RenderOptions())
        [original] = await bus.events(JobRequested, 1)
        async with runtime.db.transaction() as session:  # the crash: published, never marked sent
            await session.exec(
                update(OutboxMessage).where(col(OutboxMessage.topic) == JobRequested.topic).values(published_at=None)
            )  # type: ignore[call-overload]
        runtime.wake_relay()
        copies = await bus.events(JobRequested, 2)
        assert {copy.event_id for copy in copies} == {original.event_id}

        sentinel = JobRequested(
            job_id=job.id, user_id=OWNER.user_id, input=JobInput(script="A later request."), options=RenderOptions()
        )
        await bus.publish(sentinel)  # same job, same partition: consumed after both copies
        stories = await bus.records(
            StoryCompleted.topic, lambda values: any(b"A later request." in value for value in values)
        )
    assert len(stories) == 2, "the republished request was written a second time"
