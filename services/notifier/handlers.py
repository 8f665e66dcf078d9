"""Notifier stage: tells the outside world that a job ended.

Webhook endpoints and their signed deliveries come with the reliability work;
until then the notifier records every outcome in its delivery log, so the log
already holds one row per final event, never two.
"""

import logging

from libs.common.events import JobCompleted, JobFailed
from libs.common.runtime import Runtime
from services.notifier.store import Notification

log = logging.getLogger(__name__)

CONSUMER = "notifier"


async def record_outcome(event: JobCompleted | JobFailed, runtime: Runtime) -> None:
    name = "generation.complete" if isinstance(event, JobCompleted) else "generation.failed"
    async with runtime.finish(CONSUMER, event) as out:
        out.session.add(
            Notification(
                event_id=event.event_id, job_id=event.job_id, user_id=event.user_id, event=name, status="recorded"
            )
        )
    log.info("job %s: %s recorded", event.job_id, name)
