"""How events move a job through its states. Pure: a job and an event in, the change out.

States: pending → queued → moderating → processing → completed, with
moderation_failed, failed and cancelled as the other ends. A final state never
changes again, and progress never goes backwards (images and audio report in
parallel, and topics are not ordered with respect to each other).
"""

from libs.common.events import Event, JobCompleted, JobFailed, JobProgress, JobRequested, now
from libs.common.vocabulary import FINAL_STATUSES
from services.gateway.core.store import Job, JobEvent


def apply_event(job: Job, event: Event) -> JobEvent | None:
    """Apply `event` to `job` in place; returns the history entry, or None if nothing changed."""
    if job.status in FINAL_STATUSES:
        return None
    if isinstance(event, JobRequested):
        if job.status != "pending":
            return None
        job.status, job.message = "queued", "Queued"
    elif isinstance(event, JobProgress):
        job.status = event.status
        job.progress = max(job.progress, event.progress)
        job.stage, job.message = event.stage, event.message
        if event.moderation is not None:
            job.moderation_status, job.moderation_score = event.moderation.status, event.moderation.score
        if event.storyboard is not None:
            job.title = event.storyboard.title
            job.description = event.storyboard.description
            job.story_text = event.storyboard.text
            job.storyboard = event.storyboard.model_dump_json()
    elif isinstance(event, JobCompleted):
        job.status, job.progress, job.stage = "completed", 100, "render"
        job.message = "Video ready"
        job.output = event.output.model_dump_json()
        job.completed_at = now()
    elif isinstance(event, JobFailed):
        job.status = "moderation_failed" if event.moderation else "failed"
        job.stage, job.error, job.error_code = event.stage, event.reason, event.code
        job.message = f"Failed at the {event.stage} stage: {event.reason}"
        job.completed_at = now()
    else:
        return None
    return record(job, event.type)


def cancel(job: Job) -> JobEvent | None:
    if job.status in FINAL_STATUSES:
        return None
    job.status, job.message, job.completed_at = "cancelled", "Cancelled by the user", now()
    return record(job, "jobs.cancelled")


def record(job: Job, kind: str) -> JobEvent:
    job.updated_at = now()
    return JobEvent(
        job_id=job.id, kind=kind, status=job.status, progress=job.progress, stage=job.stage, message=job.message
    )
