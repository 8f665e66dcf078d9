"""The body of each webhook, exactly as the platform API documents it (seed 003, "Webhooks").

One clip per job, so `clipId` is the job id. Timestamps are UTC to the second with a `Z`.
"""

import json
from datetime import UTC, datetime
from typing import Any

from libs.common.events import JobCompleted, JobFailed, JobProgress, WebhookEventName

JobOutcome = JobCompleted | JobFailed | JobProgress

EVENT_NAMES: dict[type[JobOutcome], WebhookEventName] = {
    JobCompleted: "generation.complete",
    JobFailed: "generation.failed",
    JobProgress: "generation.progress",
}


def event_name(event: JobOutcome) -> WebhookEventName:
    return EVENT_NAMES[type(event)]


def payload(event: JobOutcome) -> dict[str, Any]:
    job_id = str(event.job_id)
    timestamp = timestamp_z(event.occurred_at)
    if isinstance(event, JobCompleted):
        data: dict[str, Any] = {"jobId": job_id, "clipId": job_id, "status": "COMPLETED", "timestamp": timestamp}
    elif isinstance(event, JobFailed):
        data = {"jobId": job_id, "error": event.reason, "timestamp": timestamp}
    else:
        data = {
            "jobId": job_id,
            "progress": event.progress,
            "stage": event.stage,
            "message": event.message,
            "timestamp": timestamp,
        }
    return {"event": event_name(event), "data": data}


def body(event: JobOutcome) -> str:
    """The exact bytes (as text) every attempt sends and signs."""
    return json.dumps(payload(event), separators=(",", ":"))


def timestamp_z(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
