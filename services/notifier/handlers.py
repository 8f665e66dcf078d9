"""The notifier's bus handlers: keep users' endpoints, and turn job events into webhook messages.

Each handler changes the delivery log in the transaction that marks its event handled, so a
redelivered event finds its ledger entry and changes nothing: one message per job event and
endpoint, never two. Sending is the scheduler's job; handlers only wake it.
"""

import logging

from libs.common.events import (
    JobCompleted,
    JobFailed,
    JobProgress,
    Topics,
    WebhookEndpointRegistered,
    WebhookEndpointRemoved,
    WebhookReplayRequested,
)
from libs.common.runtime import Runtime
from services.notifier import deliveries
from services.notifier.payloads import JobOutcome
from services.notifier.policy import RetryPolicy
from services.notifier.scheduler import DeliveryScheduler

log = logging.getLogger(__name__)

JOBS_CONSUMER = "notifier"
JOB_TOPICS = (Topics.JOBS_COMPLETED, Topics.JOBS_FAILED, Topics.JOBS_PROGRESS)
JOB_EVENTS = (JobCompleted, JobFailed, JobProgress)

REQUESTS_CONSUMER = "notifier-webhooks"
REQUEST_TOPICS = (Topics.WEBHOOK_REQUESTS,)
REQUEST_EVENTS = (WebhookEndpointRegistered, WebhookEndpointRemoved, WebhookReplayRequested)
EndpointRequest = WebhookEndpointRegistered | WebhookEndpointRemoved | WebhookReplayRequested


async def on_job_event(event: JobOutcome, runtime: Runtime, policy: RetryPolicy, scheduler: DeliveryScheduler) -> None:
    async with runtime.finish(JOBS_CONSUMER, event) as out:
        created = await deliveries.fan_out(out.session, event, policy)
    if created:
        log.info("job %s: %s queued for %d endpoint(s)", event.job_id, event.type, created)
        scheduler.wake()


async def on_endpoint_request(
    event: EndpointRequest, runtime: Runtime, policy: RetryPolicy, scheduler: DeliveryScheduler
) -> None:
    async with runtime.finish(REQUESTS_CONSUMER, event) as out:
        if isinstance(event, WebhookEndpointRegistered):
            deliveries.register(out.session, event)
        elif isinstance(event, WebhookEndpointRemoved):
            await deliveries.remove(out.session, event.endpoint_id)
        elif not await deliveries.replay(out.session, event, policy):
            log.warning("replay of %s for endpoint %s: no such message", event.message_id, event.endpoint_id)
    log.info("endpoint %s: %s", event.endpoint_id, event.type)
    scheduler.wake()
