"""Keeps the jobs projection current from the bus, and wakes progress streams when it changes."""

import asyncio
from collections import defaultdict
from uuid import UUID

from libs.common.events import (
    AudioCompleted,
    CostBreakdown,
    Event,
    ImagesCompleted,
    JobCompleted,
    JobFailed,
    JobProgress,
    JobRequested,
    SceneImageCompleted,
    StoryCompleted,
    Topics,
)
from libs.common.metrics import JOBS_BY_STATUS
from libs.common.runtime import Runtime
from libs.common.vocabulary import FINAL_STATUSES
from libs.common.waiting import woken_within
from services.gateway.lifecycle import apply_event
from services.gateway.scenes import project_scene_event
from services.gateway.store import Job

CONSUMER = "gateway"
TOPICS = (
    Topics.JOBS_REQUESTED,
    Topics.JOBS_PROGRESS,
    Topics.JOBS_COMPLETED,
    Topics.JOBS_FAILED,
    Topics.SCENE_IMAGE_COMPLETED,
    Topics.AUDIO_COMPLETED,
    Topics.STORY_COMPLETED,
    Topics.IMAGES_COMPLETED,
)
EVENTS = (
    JobRequested,
    JobProgress,
    JobCompleted,
    JobFailed,
    SceneImageCompleted,
    AudioCompleted,
    StoryCompleted,
    ImagesCompleted,
)


class JobSignals:
    """In-process wake-ups for progress streams; streams also poll, for changes made by other replicas."""

    def __init__(self) -> None:
        self._events: dict[UUID, asyncio.Event] = defaultdict(asyncio.Event)

    def notify(self, job_id: UUID) -> None:
        self._events.pop(job_id, asyncio.Event()).set()

    async def wait(self, job_id: UUID, at_most_s: float) -> None:
        """Return when `job_id` changes in this replica, or after `at_most_s` (then the caller polls)."""
        await woken_within(self._events[job_id], at_most_s)


async def project(event: Event, runtime: Runtime, signals: JobSignals) -> None:
    async with runtime.finish(CONSUMER, event) as out:
        job = await out.session.get(Job, event.job_id)
        entry = apply_event(job, event) if job is not None else None
        if entry is not None:
            out.session.add(job)
            out.session.add(entry)
        rerender = await project_scene_event(out.session, job, event) if job is not None else None
        if rerender is not None:
            out.session.add(job)
            out.session.add(rerender)
        if job is not None and add_cost(job, event):
            out.session.add(job)
    if entry is not None and entry.status in FINAL_STATUSES:
        JOBS_BY_STATUS.labels(entry.status).inc()
    if entry is not None or rerender is not None:
        signals.notify(event.job_id)


def add_cost(job: Job, event: Event) -> bool:
    """Add what a stage reported spending (`cost` on story, images, audio and jobs completed) to the job's
    `actual_cost`, whatever the job's state: the render's completion may be projected before the audio's.
    Each event counts once: `runtime.finish` refuses an event already handled."""
    cost = getattr(event, "cost", None)
    if not isinstance(cost, CostBreakdown) or cost.total == 0:
        return False
    job.actual_cost = (CostBreakdown.model_validate_json(job.actual_cost or "{}") + cost).model_dump_json()
    return True
