"""Keeps the jobs projection current from the bus, and wakes progress streams when it changes."""

import asyncio
from collections import defaultdict
from uuid import UUID

from libs.common.events import Event, JobCompleted, JobFailed, JobProgress, JobRequested, Topics
from libs.common.metrics import JOBS_BY_STATUS
from libs.common.runtime import Runtime
from libs.common.vocabulary import FINAL_STATUSES
from services.gateway.lifecycle import apply_event
from services.gateway.store import Job

CONSUMER = "gateway"
TOPICS = (Topics.JOBS_REQUESTED, Topics.JOBS_PROGRESS, Topics.JOBS_COMPLETED, Topics.JOBS_FAILED)
EVENTS = (JobRequested, JobProgress, JobCompleted, JobFailed)


class JobSignals:
    """In-process wake-ups for progress streams; streams also poll, for changes made by other replicas."""

    def __init__(self) -> None:
        self._events: dict[UUID, asyncio.Event] = defaultdict(asyncio.Event)

    def notify(self, job_id: UUID) -> None:
        self._events.pop(job_id, asyncio.Event()).set()

    async def wait(self, job_id: UUID, at_most_s: float) -> None:
        """Return when `job_id` changes in this replica, or after `at_most_s` (then the caller polls)."""
        try:
            await asyncio.wait_for(self._events[job_id].wait(), at_most_s)
        except TimeoutError:
            pass


async def project(event: Event, runtime: Runtime, signals: JobSignals) -> None:
    async with runtime.finish(CONSUMER, event) as out:
        job = await out.session.get(Job, event.job_id)
        entry = apply_event(job, event) if job is not None else None
        if entry is not None:
            out.session.add(job)
            out.session.add(entry)
    if entry is not None:
        if entry.status in FINAL_STATUSES:
            JOBS_BY_STATUS.labels(entry.status).inc()
        signals.notify(event.job_id)
