"""The reconciler on SQLite and PostgreSQL: stalled jobs are sent through again, then failed with a reason."""

import asyncio
from datetime import timedelta
from pathlib import Path
from uuid import UUID

from fastapi import FastAPI
from sqlalchemy import update
from sqlmodel import col, select

from libs.common.bus import epoch_markers
from libs.common.events import (
    JobApproved,
    JobCancelled,
    JobFailed,
    JobInput,
    JobRequested,
    RenderOptions,
    Scene,
    Storyboard,
    now,
)
from libs.common.outbox import OutboxMessage
from libs.common.runtime import Runtime
from libs.common.settings import StorageSettings
from libs.embedded.broker import LocalBroker
from services.gateway.app import create_app
from services.gateway.core import jobs, review
from services.gateway.core.reconciler import reconcile_once
from services.gateway.core.schemas import StoryApproval
from services.gateway.core.security import Principal
from services.gateway.core.store import BusLife, Job
from services.gateway.settings import GatewaySettings
from tests.bus import BusProbe, service_settings, serving
from tests.servers import free_port

OWNER = Principal(user_id="owner-1", role="user", username="owner")


def settings_for(kafka: str, database_url: str, tmp_path: Path) -> GatewaySettings:
    settings = service_settings(GatewaySettings, kafka, database_url, StorageSettings(media_dir=tmp_path), tmp_path)
    return settings.model_copy(
        update={
            "stall_story_s": 60,
            "stall_media_s": 120,
            "stall_render_s": 300,
            "max_redrives": 2,
            "reconcile_every_s": 3600,
        }
    )


async def silent_for(app: FastAPI, job: Job, seconds: float, stage: str | None = None) -> None:
    """Make the job look as if nothing happened to it for `seconds` (as after a lost event)."""
    async with app.state.runtime.db.transaction() as session:
        await session.exec(  # type: ignore[call-overload]
            update(Job)
            .where(col(Job.id) == job.id)
            .values(updated_at=now() - timedelta(seconds=seconds), stage=stage, status="processing")
        )


async def test_a_stalled_job_goes_through_again_then_fails_with_a_reason(
    kafka: str, database_url: str, tmp_path: Path
) -> None:
    settings = settings_for(kafka, database_url, tmp_path)
    async with serving(create_app(settings)) as app, BusProbe(kafka) as bus:
        runtime = app.state.runtime
        job = await jobs.create_job(runtime, OWNER, JobInput(topic="mystery"), RenderOptions(fps=25))
        await silent_for(app, job, 61)
        assert await reconcile_once(runtime, settings) == 1
        await silent_for(app, job, 121, stage="images")
        assert await reconcile_once(runtime, settings) == 1
        attempts = await bus.events(JobRequested, 3)
        await silent_for(app, job, 301, stage="render")
        assert await reconcile_once(runtime, settings) == 1
        [failed] = await bus.events(JobFailed, 1)
        [stopped] = await bus.events(JobCancelled, 1)
        ended = await jobs.get_job(runtime, OWNER, job.id)
        history = [entry.kind for entry in await jobs.events_after(runtime, job.id, 0)]
    assert [event.attempt for event in attempts] == [1, 2, 3]
    assert {event.job_id for event in attempts} == {job.id} and attempts[2].options.fps == 25
    assert (ended.status, ended.error) == ("failed", "no progress in the render stage after 3 attempts")
    assert (failed.reason, failed.stage, stopped.job_id) == (ended.error, "render", job.id)
    assert history.count("jobs.redriven") == 2 and history[-1] == "jobs.failed"


async def test_a_job_that_is_moving_or_finished_is_left_alone(kafka: str, database_url: str, tmp_path: Path) -> None:
    settings = settings_for(kafka, database_url, tmp_path)
    async with serving(create_app(settings)) as app:
        runtime = app.state.runtime
        moving = await jobs.create_job(runtime, OWNER, JobInput(topic="love"), RenderOptions())
        await silent_for(app, moving, 100, stage="images")  # within the 120 s allowed for images
        cancelled = await jobs.create_job(runtime, OWNER, JobInput(topic="love"), RenderOptions())
        await jobs.cancel_job(runtime, OWNER, cancelled.id)
        assert await reconcile_once(runtime, settings) == 0
        assert (await jobs.get_job(runtime, OWNER, moving.id)).redrives == 0


async def test_a_pending_job_waits_for_its_request_to_go_out_before_it_can_stall(
    kafka: str, database_url: str, tmp_path: Path
) -> None:
    """A request that cannot go out waits in the outbox; only once it went out (and was lost) can the job stall."""
    settings = settings_for(kafka, database_url, tmp_path)
    async with serving(create_app(settings)) as app:
        runtime = app.state.runtime
        for task in runtime.background:
            if task.get_name().endswith("outbox-relay"):
                task.cancel()  # nothing is published: as with the broker down
        job = await jobs.create_job(runtime, OWNER, JobInput(topic="love"), RenderOptions())
        async with runtime.db.transaction() as session:
            await session.exec(  # type: ignore[call-overload]
                update(Job).where(col(Job.id) == job.id).values(updated_at=now() - timedelta(seconds=61))
            )
        assert await reconcile_once(runtime, settings) == 0
        async with runtime.db.transaction() as session:
            await session.exec(update(OutboxMessage).values(published_at=now()))  # type: ignore[call-overload]
        assert await reconcile_once(runtime, settings) == 1


async def test_a_job_waiting_its_turn_behind_moving_jobs_is_not_stalled(
    kafka: str, database_url: str, tmp_path: Path
) -> None:
    settings = settings_for(kafka, database_url, tmp_path)
    async with serving(create_app(settings)) as app:
        runtime = app.state.runtime
        waiting = await jobs.create_job(runtime, OWNER, JobInput(topic="love"), RenderOptions())
        busy = await jobs.create_job(runtime, OWNER, JobInput(topic="scary"), RenderOptions())
        await silent_for(app, waiting, 61)
        await silent_for(app, busy, 0, stage="images")  # the pipeline is at work on another job
        assert await reconcile_once(runtime, settings) == 0


async def test_a_job_that_a_later_job_overtook_is_sent_through_again(
    kafka: str, database_url: str, tmp_path: Path
) -> None:
    settings = settings_for(kafka, database_url, tmp_path)
    async with serving(create_app(settings)) as app:
        runtime = app.state.runtime
        lost = await jobs.create_job(runtime, OWNER, JobInput(topic="love"), RenderOptions())
        later = await jobs.create_job(runtime, OWNER, JobInput(topic="scary"), RenderOptions())
        await silent_for(app, lost, 61)
        async with runtime.db.transaction() as session:
            await session.exec(  # type: ignore[call-overload]
                update(Job)
                .where(col(Job.id) == later.id)
                .values(status="completed", completed_at=now(), updated_at=now())
            )
        assert await reconcile_once(runtime, settings) == 1
        assert (await jobs.get_job(runtime, OWNER, lost.id)).redrives == 1


async def test_jobs_submitted_together_may_finish_in_any_order(kafka: str, database_url: str, tmp_path: Path) -> None:
    settings = settings_for(kafka, database_url, tmp_path)
    async with serving(create_app(settings)) as app:
        runtime = app.state.runtime
        waiting = await jobs.create_job(runtime, OWNER, JobInput(topic="love"), RenderOptions())
        sibling = await jobs.create_job(runtime, OWNER, JobInput(topic="scary"), RenderOptions())
        async with runtime.db.transaction() as session:
            submitted = now() - timedelta(seconds=70)
            await session.exec(  # type: ignore[call-overload]
                update(Job).where(col(Job.id).in_([waiting.id, sibling.id])).values(created_at=submitted)
            )
            await session.exec(  # type: ignore[call-overload]
                update(Job)
                .where(col(Job.id) == sibling.id)
                .values(status="completed", completed_at=now(), updated_at=now())
            )
        await silent_for(app, waiting, 61)
        assert await reconcile_once(runtime, settings) == 0


async def test_after_the_broker_lost_its_data_every_unfinished_job_goes_through_again_at_once(
    kafka: str, database_url: str, tmp_path: Path
) -> None:
    settings = settings_for(kafka, database_url, tmp_path)
    async with serving(create_app(settings)) as app, BusProbe(kafka) as bus:
        runtime = app.state.runtime
        moving = await jobs.create_job(runtime, OWNER, JobInput(topic="love"), RenderOptions())
        finished = await jobs.create_job(runtime, OWNER, JobInput(topic="scary"), RenderOptions())
        await bus.events(JobRequested, 2)
        await silent_for(app, moving, 1, stage="images")  # moved a second ago: no deadline would call it stalled
        async with runtime.db.transaction() as session:
            await session.exec(  # type: ignore[call-overload]
                update(Job).where(col(Job.id) == finished.id).values(status="completed", completed_at=now())
            )
    assert await _redrives_after_restart(settings, moving.id) == 0, "the same broker lost nothing"

    fresh = LocalBroker(free_port(), tmp_path / "fresh-broker.log")
    address = await fresh.start()  # a new life of the broker: the memory store starts empty
    try:
        assert (
            await _redrives_after_restart(settings.model_copy(update={"kafka_bootstrap_servers": address}), moving.id)
            == 1
        )
        async with BusProbe(address) as bus:
            [again] = await bus.events(JobRequested, 1)
    finally:
        await fresh.stop()
    assert (again.job_id, again.attempt) == (moving.id, 2)


async def _redrives_after_restart(settings: GatewaySettings, job_id: UUID) -> int:
    """Start the gateway again; once its start-up check has recorded this broker's life, how often
    the job has been sent through again."""
    async with serving(create_app(settings)) as app:
        runtime = app.state.runtime
        markers = await epoch_markers(settings)
        async with asyncio.timeout(30):
            while not markers <= await _known_lives(runtime):
                await asyncio.sleep(0.1)
        return (await jobs.get_job(runtime, OWNER, job_id)).redrives


async def _known_lives(runtime: Runtime) -> set[str]:
    async with runtime.db.transaction() as session:
        return set((await session.exec(select(BusLife.marker))).all())


async def test_a_stalled_job_whose_story_was_approved_goes_on_with_that_story(
    kafka: str, database_url: str, tmp_path: Path
) -> None:
    settings = settings_for(kafka, database_url, tmp_path)
    board = Storyboard(
        title="Approved",
        description="as the user edited it",
        text="The keeper lights the lamp.",
        scenes=[Scene(index=0, narration="The keeper lights the lamp.", image_prompt="a lamp", subtitle="The keeper")],
    )
    async with serving(create_app(settings)) as app, BusProbe(kafka) as bus:
        runtime = app.state.runtime
        job = await jobs.create_job(runtime, OWNER, JobInput(script="A first draft."), RenderOptions(review=True))
        async with runtime.db.transaction() as session:  # the story waited, and its user approved this one
            await session.exec(
                update(Job)
                .where(col(Job.id) == job.id)
                .values(status="awaiting_review", storyboard=board.model_dump_json())
            )  # type: ignore[call-overload]
        await silent_for_while_waiting(app, job, 3600)
        assert await reconcile_once(runtime, settings) == 0, "a story waiting for its user is not stalled"
        await review.approve(runtime, OWNER, job.id, StoryApproval())
        await silent_for(app, job, 121, stage="images")
        assert await reconcile_once(runtime, settings) == 1
        approvals = await bus.events(JobApproved, 2)
        requests = await bus.events(JobRequested, 1)
    assert [event.attempt for event in approvals] == [1, 2]
    assert approvals[1].storyboard.scenes[0].narration == "The keeper lights the lamp."
    assert len(requests) == 1, "the re-drive must not write a new story"


async def silent_for_while_waiting(app: FastAPI, job: Job, seconds: float) -> None:
    async with app.state.runtime.db.transaction() as session:
        await session.exec(  # type: ignore[call-overload]
            update(Job).where(col(Job.id) == job.id).values(updated_at=now() - timedelta(seconds=seconds))
        )
