"""The core job operations every API dialect is a thin adapter over.

Ownership is checked here, once: another user's job is simply not found.
"""

from collections.abc import Awaitable, Callable, Collection
from uuid import UUID

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from libs.common.errors import InvalidInput, NotFound
from libs.common.events import JobCancelled, JobInput, JobRequested, RenderOptions, new_traceparent
from libs.common.outbox import stage_event
from libs.common.runtime import Runtime
from libs.common.storage import keys
from libs.common.tracing import current_traceparent, span
from libs.common.vocabulary import FINAL_STATUSES, JobStatus
from services.gateway.core import admission, quotas, scene_store
from services.gateway.core.idempotency import Idempotency, first_job
from services.gateway.core.lifecycle import cancel, record
from services.gateway.core.security import Principal
from services.gateway.core.store import Job, JobEvent


async def create_job(
    runtime: Runtime,
    user: Principal,
    source: JobInput,
    options: RenderOptions,
    project_id: UUID | None = None,
    also: Callable[[AsyncSession], Awaitable[None]] | None = None,
    idempotency: Idempotency | None = None,
) -> Job:
    """Store the job and its `jobs.requested` event in one transaction; the outbox relay publishes it.

    `project_id` is a project's `public_id` (checked by the caller); `also(session)` joins the transaction.
    The job is priced first and refused (422) over the spending limits; it keeps its `estimated_cost`.
    With `idempotency`, a request racing another with the same key gets the job the other created.
    """
    settings = runtime.settings
    cost = admission.price_job(settings, settings, source, options)  # a script that cannot fit is refused here
    await quotas.admit_job(runtime, user, source, options)  # the tier's length, storage and jobs-per-hour limits
    job = Job(
        user_id=user.user_id,
        source=source.model_dump_json(),
        options=options.model_dump_json(),
        project_id=project_id,
        estimated_cost=cost.model_dump_json(),
        idempotency_key=idempotency.key if idempotency else None,
        request_digest=idempotency.digest if idempotency else None,
    )
    # The job's trace starts here, inside the request's own trace when its `traceparent` header had one.
    with span("gateway jobs.requested", current_traceparent(), job_id=str(job.id), service="gateway") as trace:
        requested = JobRequested(
            job_id=job.id, user_id=user.user_id, input=source, options=options, traceparent=trace or new_traceparent()
        )
    try:
        async with runtime.db.transaction() as session:
            await admission.check_limits(session, settings, user.user_id, cost)
            session.add(job)
            session.add(record(job, "jobs.created"))
            await session.flush()
            stage_event(session, requested)
            if also is not None:
                await also(session)
    except IntegrityError:
        first = None if idempotency is None else await first_job(runtime, user, idempotency)
        if first is None:
            raise
        return first
    runtime.wake_relay()
    return job


async def get_job(runtime: Runtime, user: Principal, job_id: UUID) -> Job:
    async with runtime.db.sessions() as session:
        job = await session.get(Job, job_id)
    if job is None or job.user_id != user.user_id:
        raise NotFound("Job not found")
    return job


async def list_jobs(
    runtime: Runtime, user: Principal, page: int, limit: int, status: JobStatus | None
) -> tuple[list[Job], int]:
    mine = select(Job).where(Job.user_id == user.user_id)
    if status is not None:
        mine = mine.where(Job.status == status)
    async with runtime.db.sessions() as session:
        total = (await session.exec(select(func.count()).select_from(mine.subquery()))).one()
        rows = await session.exec(mine.order_by(col(Job.created_at).desc()).offset((page - 1) * limit).limit(limit))
        return list(rows.all()), total


async def cancel_job(runtime: Runtime, user: Principal, job_id: UUID) -> Job:
    async with runtime.db.transaction() as session:
        job = await session.get(Job, job_id)
        if job is None or job.user_id != user.user_id:
            raise NotFound("Job not found")
        entry = cancel(job)
        if entry is None:
            raise InvalidInput(f"Job is already {job.status} and cannot be cancelled", field="status")
        session.add(job)
        session.add(entry)
        stage_event(session, JobCancelled(job_id=job.id, user_id=job.user_id))
    runtime.wake_relay()
    return job


async def delete_job(runtime: Runtime, user: Principal, job_id: UUID) -> None:
    """Delete the job, its history and its files; a running job is cancelled first."""
    job = await get_job(runtime, user, job_id)
    if job.status not in FINAL_STATUSES:
        await cancel_job(runtime, user, job_id)
    async with runtime.db.transaction() as session:
        for entry in (await session.exec(select(JobEvent).where(JobEvent.job_id == job_id))).all():
            await session.delete(entry)
        stored = await session.get(Job, job_id)
        if stored is not None:
            await session.delete(stored)
        await scene_store.forget(session, job_id)
    assert runtime.store is not None
    await runtime.store.delete_prefix(keys.job_prefix(job_id))


async def events_after(runtime: Runtime, job_id: UUID, after_id: int) -> list[JobEvent]:
    async with runtime.db.sessions() as session:
        rows = await session.exec(
            select(JobEvent).where(JobEvent.job_id == job_id, col(JobEvent.id) > after_id).order_by(col(JobEvent.id))
        )
        return list(rows.all())


async def steps_reported(
    runtime: Runtime, job_ids: Collection[UUID], messages: Collection[str]
) -> dict[UUID, set[str]]:
    """Which of `messages` (steps a stage reports, e.g. `SEARCHING_FOOTAGE`) each job's history holds; a step
    once reached stays reached, whatever was reported after it."""
    if not job_ids or not messages:
        return {}
    async with runtime.db.sessions() as session:
        rows = await session.exec(
            select(JobEvent.job_id, JobEvent.message)
            .where(col(JobEvent.job_id).in_(list(job_ids)), col(JobEvent.message).in_(list(messages)))
            .distinct()
        )
        found: dict[UUID, set[str]] = {}
        for job_id, message in rows.all():
            found.setdefault(job_id, set()).add(message)
        return found
