"""What a progress stream sends, shared by the native WebSocket and SSE routes and the dialects' sockets:
each job event as a message, and the job's live events from its shared feed."""

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any
from uuid import UUID

from libs.common.runtime import Runtime
from services.gateway.core.store import JobEvent

if TYPE_CHECKING:  # the hub encodes each entry with `message`, once for all its subscribers
    from services.gateway.core.progress_hub import ProgressHub

KIND_TO_TYPE = {
    "jobs.created": "created",
    "jobs.requested": "queued",
    "jobs.progress": "progress",
    "jobs.redriven": "retrying",
    "jobs.completed": "completed",
    "jobs.failed": "failed",
    "jobs.cancelled": "cancelled",
}


def message(entry: JobEvent) -> dict[str, Any]:
    return {
        "type": KIND_TO_TYPE.get(entry.kind, entry.kind),
        "seq": entry.id,
        "job_id": str(entry.job_id),
        "status": entry.status,
        "progress": entry.progress,
        "stage": entry.stage,
        "message": entry.message,
        "at": entry.created_at.isoformat(),
    }


async def follow(runtime: Runtime, signals: "ProgressHub", job_id: UUID, after_id: int) -> AsyncIterator[JobEvent]:
    """The job's events after `after_id`, live, ending with its final event, from the job's shared feed.
    Raises `SubscriberDropped` for a consumer that falls behind."""
    async with signals.subscribe(runtime, job_id, after_id) as feed:
        async for entry in feed:
            yield entry
