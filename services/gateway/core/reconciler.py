"""A job never hangs silently: jobs that stopped moving are sent through again, or failed with a reason.

A job is stalled when it has had no progress for its stage's deadline (a lost event, a crashed
worker, a broker that lost its data) and it is not simply waiting its turn: either the whole
pipeline has been quiet that long too, or a job submitted after it fell silent has already
finished. The reconciler re-publishes its `jobs.requested` as a new attempt. Every stage is
idempotent per job and reuses what it already made (the same story, images and narration found
in storage, a finished video announced again), so in effect the job resumes after its last
completed stage.
After `max_redrives` attempts it is failed, and its work everywhere is stopped.

A broker that lost its data (Tansu's memory store restarted, a wiped cluster) took every event in
flight with it: no job that was moving will move again. The gateway notices when it starts
(services restart when their broker forgets them) by finding none of the broker lives it knew,
and sends every unfinished job through again at once rather than one quiet period at a time.

Several gateway replicas may run this: on PostgreSQL each stalled row is claimed with
SKIP LOCKED, so one replica handles it.
"""

import asyncio
import logging
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from libs.common.bus import epoch_markers
from libs.common.events import (
    JobApproved,
    JobCancelled,
    JobFailed,
    JobInput,
    JobRequested,
    RenderOptions,
    Storyboard,
    Topics,
    now,
)
from libs.common.outbox import OutboxMessage, stage_event
from libs.common.runtime import Runtime
from libs.common.vocabulary import FINAL_STATUSES, STAGES, WAITING_STATUSES, Stage
from services.gateway.core.lifecycle import record
from services.gateway.core.store import BusLife, Job
from services.gateway.settings import GatewaySettings

log = logging.getLogger(__name__)

BATCH = 50


def stage_of(job: Job) -> Stage:
    """The pipeline stage the job is in; a job not yet started is in the story stage."""
    return job.stage if job.stage in STAGES else "story"  # type: ignore[return-value]


def stall_after_s(job: Job, settings: GatewaySettings) -> float:
    """How long `job` may go without progress in the stage it is in."""
    if job.stage in ("images", "audio"):
        return settings.stall_media_s
    if job.stage == "render":
        return settings.stall_render_s
    return settings.stall_story_s


async def reconcile_once(runtime: Runtime, settings: GatewaySettings) -> int:
    """Re-drive or fail every job stalled right now; returns how many were touched."""
    shortest = min(settings.stall_story_s, settings.stall_media_s, settings.stall_render_s)
    moment = now()
    touched = 0
    async with runtime.db.transaction() as session:
        candidates = (
            select(Job)
            .where(
                col(Job.status).not_in(FINAL_STATUSES | WAITING_STATUSES),
                col(Job.updated_at) < moment - timedelta(seconds=shortest),
            )
            .order_by(col(Job.updated_at))
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
        last_progress = await _last_progress(session)
        for job in (await session.exec(candidates)).all():
            silent_s = (moment - job.updated_at).total_seconds()
            deadline = stall_after_s(job, settings)
            if silent_s < deadline or await _request_unsent(session, job):
                continue
            quiet = last_progress is None or (moment - last_progress).total_seconds() >= deadline
            if not quiet and not await _overtaken(session, job):
                continue  # waiting its turn behind other jobs, which are moving
            why = f"No progress for {silent_s:.0f} s in the {stage_of(job)} stage"
            _send_again(session, job, settings, why, moment)
            touched += 1
    if touched:
        runtime.wake_relay()
    return touched


async def redrive_after_bus_loss(runtime: Runtime, settings: GatewaySettings) -> int:
    """If the broker is in a life this gateway never saw while it knew others, every unfinished job's
    events are gone: send each through again now. Returns how many were sent."""
    markers = await epoch_markers(settings)
    moment = now()
    touched = 0
    async with runtime.db.transaction() as session:
        known = set((await session.exec(select(BusLife.marker))).all())
        for marker in markers - known:
            session.add(BusLife(marker=marker))
        if not known or known & markers:
            return 0
        moving = col(Job.status).not_in(FINAL_STATUSES | WAITING_STATUSES)
        unfinished = select(Job).where(moving).with_for_update(skip_locked=True)
        for job in (await session.exec(unfinished)).all():
            if not await _request_unsent(session, job):
                why = f"The event bus lost its data while the job was in the {stage_of(job)} stage"
                _send_again(session, job, settings, why, moment)
                touched += 1
    if touched:
        log.warning("the broker lost its data: sent %d unfinished jobs through again", touched)
        runtime.wake_relay()
    return touched


def _send_again(session: AsyncSession, job: Job, settings: GatewaySettings, why: str, moment: datetime) -> None:
    """Re-publish the job's request as its next attempt, or fail it once its attempts are spent."""
    stage = stage_of(job)
    if job.redrives < settings.max_redrives:
        job.redrives += 1
        job.message = f"{why}; trying again (attempt {job.redrives + 1} of {settings.max_redrives + 1})"
        stage_event(session, _again(job))
    else:
        reason = f"no progress in the {stage} stage after {job.redrives + 1} attempts"
        job.status, job.error, job.completed_at = "failed", reason, moment
        job.message = f"Failed at the {stage} stage: {reason}"
        stage_event(session, JobFailed(job_id=job.id, user_id=job.user_id, stage=stage, reason=reason))
        stage_event(session, JobCancelled(job_id=job.id, user_id=job.user_id))
    log.warning("job %s: %s", job.id, job.message)
    session.add(job)
    session.add(record(job, "jobs.redriven" if job.status != "failed" else "jobs.failed"))


async def _last_progress(session: AsyncSession) -> datetime | None:
    """When the pipeline last moved any job (creating a job is not progress)."""
    moved = select(func.max(Job.updated_at)).where(col(Job.status) != "pending")
    return (await session.exec(moved)).one()


async def _overtaken(session: AsyncSession, job: Job) -> bool:
    """A job submitted after this one last moved has already finished: the pipeline passed it by.

    Jobs submitted together may finish in any order (partitions are not read first in, first
    out), so only a job that came in after this one fell silent is evidence of a lost event.
    """
    later = select(Job.id).where(col(Job.created_at) > job.updated_at, Job.status == "completed")
    return (await session.exec(later.limit(1))).first() is not None


async def _request_unsent(session: AsyncSession, job: Job) -> bool:
    """A pending job whose request still waits in the outbox is not stalled: the relay will send it
    (the broker may be down). One whose request went out and never came back was lost with the broker."""
    if job.status != "pending":
        return False
    waiting = select(OutboxMessage.id).where(
        OutboxMessage.key == str(job.id),
        OutboxMessage.topic == Topics.JOBS_REQUESTED,
        col(OutboxMessage.published_at).is_(None),
    )
    return (await session.exec(waiting)).first() is not None


def _again(job: Job) -> JobRequested | JobApproved:
    """The job's next attempt: its request again or, once its user approved its story (`review`), that story,
    so the attempt neither writes a new story nor waits for a second review."""
    source, options = JobInput.model_validate_json(job.source), RenderOptions.model_validate_json(job.options)
    if options.review and job.storyboard is not None:
        storyboard = Storyboard.model_validate_json(job.storyboard)
        return JobApproved(
            job_id=job.id,
            user_id=job.user_id,
            storyboard=storyboard,
            input=source,
            options=options,
            attempt=job.redrives + 1,
        )
    return JobRequested(job_id=job.id, user_id=job.user_id, input=source, options=options, attempt=job.redrives + 1)


async def run_reconciler(runtime: Runtime, settings: GatewaySettings) -> None:
    """Catch up after a lost broker, then reconcile forever, every `reconcile_every_s`; a failed round
    is logged and retried next time."""
    try:
        await redrive_after_bus_loss(runtime, settings)
    except Exception:
        log.exception("could not check whether the broker lost its data; stalled jobs will be found one by one")
    while True:
        await asyncio.sleep(settings.reconcile_every_s)
        try:
            await reconcile_once(runtime, settings)
        except Exception:
            log.exception("reconciliation round failed; retrying in %.0f s", settings.reconcile_every_s)
