"""Keeps the jobs projection current from the bus, and wakes the job's progress feed when it changes.

Several gateway replicas may project at once (a job's topics need not land on one replica while the
group rebalances): each event locks its job's row first, so no replica's change to it is lost.
"""

import json

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

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
from services.gateway.core.lifecycle import apply_event
from services.gateway.core.progress_hub import ProgressHub
from services.gateway.core.scene_store import SceneRegeneration
from services.gateway.core.scenes import project_scene_event
from services.gateway.core.store import Job, JobEvent

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


async def project(event: Event, runtime: Runtime, signals: ProgressHub) -> None:
    late = False
    async with runtime.finish(CONSUMER, event) as out:
        job = await out.session.get(Job, event.job_id, with_for_update=True)
        entry = apply_event(job, event) if job is not None else None
        if entry is not None:
            out.session.add(job)
            out.session.add(entry)
        elif job is not None and job.status == "completed" and isinstance(event, JobProgress):
            late = await record_progress_after_completion(out.session, job, event)
        rerender = await project_scene_event(out.session, job, event) if job is not None else None
        if rerender is not None:
            out.session.add(job)
            out.session.add(rerender)
        if job is not None and count_cost(job, event):
            out.session.add(job)
    if entry is not None and entry.status in FINAL_STATUSES:
        JOBS_BY_STATUS.labels(entry.status).inc()
    if entry is not None or rerender is not None or late:
        signals.notify(event.job_id)


async def record_progress_after_completion(session: AsyncSession, job: Job, event: JobProgress) -> bool:
    """Record progress read after the job's completion in the job's history (the job itself, final, stays
    as it is). Either way no progress stream shows fewer steps than the stages reported:

    - A re-render's own progress (an image was regenerated after the completion): recorded after the
      completion, with the job's status (`completed`: its video stays served until the new one lands),
      for the streams that follow re-renders.
    - Progress reported before the completion but read after it (topics are not ordered with each
      other, so a completion can overtake a backlog of progress): recorded where it happened, before
      the completion, by moving the completion entry behind it. Progress streams then end, as always,
      with the completion; a feed that already read the moved entry reloads the history.
    """
    completion = (
        await session.exec(
            select(JobEvent)
            .where(JobEvent.job_id == job.id, JobEvent.kind == "jobs.completed")
            .order_by(col(JobEvent.id).desc())
        )
    ).first()
    if completion is None:
        return False
    regenerated_since = (
        await session.exec(
            select(SceneRegeneration.id).where(
                SceneRegeneration.job_id == job.id, col(SceneRegeneration.requested_at) >= completion.created_at
            )
        )
    ).first()
    if regenerated_since is not None:
        session.add(
            JobEvent(
                job_id=job.id,
                kind=event.type,
                status=job.status,
                progress=event.progress,
                stage=event.stage,
                message=event.message,
            )
        )
        return True
    before = (
        await session.exec(
            select(JobEvent)
            .where(JobEvent.job_id == job.id, col(JobEvent.id) < completion.id)
            .order_by(col(JobEvent.id).desc())
        )
    ).first()
    rerendered = before is not None and before.status == "completed"
    session.add(
        JobEvent(
            job_id=job.id,
            kind=event.type,
            status=job.status if rerendered else event.status,
            progress=max(before.progress if before is not None else 0, event.progress),
            stage=event.stage,
            message=event.message,
            created_at=event.occurred_at,
        )
    )
    await session.flush()
    moved = JobEvent(
        job_id=job.id,
        kind=completion.kind,
        status=completion.status,
        progress=completion.progress,
        stage=completion.stage,
        message=completion.message,
        created_at=completion.created_at,
    )
    await session.delete(completion)
    await session.flush()
    session.add(moved)
    return True


def count_cost(job: Job, event: Event) -> bool:
    """Add what a stage reported spending (`cost` on story, images, audio and jobs completed) to the job's
    `actual_cost` once per piece of work, whatever the job's state: the render's completion may be projected
    before the audio's. Returns whether the job changed.

    `runtime.finish` refuses an event already handled, but the same work can be reported again under a new
    event id: a job the reconciler sends through again is announced finished again, its stages reporting
    what they reused. So each report is recorded in `stage_costs` under the work it is for (`work_of`), and a
    report of work already recorded adds nothing. A re-render is new work, and so is a regenerated picture.
    """
    cost = getattr(event, "cost", None)
    work = work_of(event)
    if not isinstance(cost, CostBreakdown) or work is None:
        return False
    recorded = json.loads(job.stage_costs or "{}")
    if work in recorded:
        return False
    recorded[work] = cost.model_dump()
    job.stage_costs = json.dumps(recorded, sort_keys=True)
    job.actual_cost = (CostBreakdown.model_validate_json(job.actual_cost or "{}") + cost).model_dump_json()
    return True


def work_of(event: Event) -> str | None:
    """The piece of a job's work a completion reports, as `<stage>/v<n>`: one story and one narration per job;
    the pictures' n-th delivery (1: the storyboard's, then one more per regenerated picture, as each raises
    its scene's version by one); the n-th video (`VideoOutput.version`)."""
    if isinstance(event, StoryCompleted):
        return "story/v1"
    if isinstance(event, ImagesCompleted):
        return f"images/v{1 + sum(image.version - 1 for image in event.images)}"
    if isinstance(event, AudioCompleted):
        return "audio/v1"
    if isinstance(event, JobCompleted):
        return f"render/v{event.output.version}"
    return None
