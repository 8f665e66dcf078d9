"""The delivery log's state changes, each inside the caller's transaction.

Every function takes the open session and returns the events to stage with it, so a change to
the log and the report of that change commit together (the transactional outbox).
"""

import json
from uuid import UUID, uuid5

from sqlmodel.ext.asyncio.session import AsyncSession

from libs.common.events import (
    DeliveryOutcome,
    Envelope,
    JobProgress,
    WebhookDeliveryRecorded,
    WebhookEndpointDisabled,
    WebhookEndpointRegistered,
    WebhookReplayRequested,
    now,
)
from services.notifier.payloads import JobOutcome, body, event_name
from services.notifier.policy import AttemptResult, RetryPolicy, Verdict
from services.notifier.store import (
    DueAttempt,
    WebhookEndpoint,
    WebhookMessage,
    active_endpoints,
    all_messages,
    pending_messages,
)

STATUS_AFTER: dict[DeliveryOutcome, str] = {
    "delivered": "delivered",
    "retrying": "pending",
    "failed": "failed",
    "endpoint_disabled": "endpoint_disabled",
}
GONE_REASON = "the endpoint answered 410 Gone"


def message_id(event: JobOutcome, endpoint_id: UUID) -> str:
    """The stable `webhook-id` of `event` for one endpoint.

    A job ends once, however often its end is announced (a job sent through again by the
    reconciler announces its completion again), so completion and failure are one message
    per job and endpoint; progress is one message per progress event.
    """
    subject = str(event.event_id) if isinstance(event, JobProgress) else f"{event.job_id}:{event_name(event)}"
    return f"msg_{uuid5(endpoint_id, subject).hex}"


def register(session: AsyncSession, event: WebhookEndpointRegistered) -> None:
    session.add(
        WebhookEndpoint(
            id=event.endpoint_id,
            user_id=event.user_id,
            url=event.url,
            secret=event.secret,
            events=json.dumps(event.events),
        )
    )


async def remove(session: AsyncSession, endpoint_id: UUID) -> None:
    """Forget the endpoint and its messages; an attempt in flight finds nothing to record."""
    for message in await all_messages(session, endpoint_id):
        await session.delete(message)
    endpoint = await session.get(WebhookEndpoint, endpoint_id)
    if endpoint is not None:
        await session.delete(endpoint)


async def fan_out(session: AsyncSession, event: JobOutcome, policy: RetryPolicy) -> int:
    """One message per active endpoint of the job's user subscribed to this event, unless it exists already;
    how many were made."""
    name = event_name(event)
    endpoints = [found for found in await active_endpoints(session, event.user_id) if found.subscribes_to(name)]
    text, at = body(event), now()
    made = 0
    for endpoint in endpoints:
        identity = message_id(event, endpoint.id)
        if await session.get(WebhookMessage, identity) is not None:
            continue
        made += 1
        session.add(
            WebhookMessage(
                id=identity,
                endpoint_id=endpoint.id,
                user_id=event.user_id,
                event=name,
                job_id=event.job_id,
                payload=text,
                traceparent=event.traceparent,
                next_attempt_at=policy.first_attempt_at(at),
                created_at=at,
                updated_at=at,
            )
        )
    return made


async def replay(session: AsyncSession, event: WebhookReplayRequested, policy: RetryPolicy) -> bool:
    """Make the message due now; a finished one gets one last attempt. False if there is no such message."""
    message = await session.get(WebhookMessage, event.message_id, with_for_update=True)
    if message is None or message.endpoint_id != event.endpoint_id:
        return False
    if message.status == "sending":  # an attempt is under way: it is the re-send asked for
        return True
    if message.status != "pending":
        message.status = "pending"
        message.schedule_step = policy.last_step
    message.next_attempt_at = now()
    session.add(message)
    return True


async def record_attempt(
    session: AsyncSession, due: DueAttempt, result: AttemptResult, policy: RetryPolicy
) -> list[Envelope]:
    """Apply one attempt's result; the events reporting it. Nothing when the attempt was superseded
    (its endpoint removed, or its lease ran out and another attempt took over)."""
    message = await session.get(WebhookMessage, due.message_id, with_for_update=True)
    if message is None or message.status != "sending" or message.attempts != due.attempt_number:
        return []
    endpoint = await session.get(WebhookEndpoint, message.endpoint_id, with_for_update=True)
    if endpoint is None:
        return []
    at = now()
    verdict = policy.judge(result, message.schedule_step, at)
    if verdict.outcome == "retrying" and endpoint.status == "disabled":
        verdict = Verdict("endpoint_disabled", verdict.next_step, None)
    message.status = STATUS_AFTER[verdict.outcome]
    message.schedule_step = verdict.next_step
    message.next_attempt_at = verdict.next_attempt_at
    message.last_http_status = result.http_status
    message.last_error = result.error
    message.updated_at = at
    session.add(message)
    events: list[Envelope] = [
        WebhookDeliveryRecorded(
            endpoint_id=endpoint.id,
            user_id=message.user_id,
            traceparent=message.traceparent,
            message_id=message.id,
            event=message.event,
            job_id=message.job_id,
            attempt_number=due.attempt_number,
            outcome=verdict.outcome,
            http_status=result.http_status,
            error=result.error,
            next_attempt_at=verdict.next_attempt_at,
        )
    ]
    reason = _track_health(endpoint, message, verdict.outcome, result)
    if reason is not None:
        events.append(await disable(session, endpoint, reason, message.traceparent))
    session.add(endpoint)
    return events


async def disable(session: AsyncSession, endpoint: WebhookEndpoint, reason: str, traceparent: str) -> Envelope:
    """Stop delivering to `endpoint`: its waiting messages end as `endpoint_disabled`."""
    endpoint.status = "disabled"
    endpoint.disabled_reason = reason
    session.add(endpoint)
    for waiting in await pending_messages(session, endpoint.id):
        waiting.status = "endpoint_disabled"
        waiting.next_attempt_at = None
        session.add(waiting)
    return WebhookEndpointDisabled(
        endpoint_id=endpoint.id, user_id=endpoint.user_id, traceparent=traceparent, reason=reason
    )


def _track_health(
    endpoint: WebhookEndpoint, message: WebhookMessage, outcome: DeliveryOutcome, result: AttemptResult
) -> str | None:
    """Count the endpoint's failures since its last 2xx; why it must be disabled now, if it must.

    A message that used up its whole schedule disables an endpoint that has not answered one
    2xx since that message was created: it has been failing for the schedule's whole span.
    """
    if result.delivered:
        endpoint.failures_since_success = 0
        endpoint.last_success_at = now()
        return None
    endpoint.failures_since_success += 1
    if endpoint.status != "active":
        return None
    if outcome == "endpoint_disabled":
        return GONE_REASON
    silent = endpoint.last_success_at is None or endpoint.last_success_at < message.created_at
    if outcome == "failed" and silent:
        return f"failing: no 2xx for {endpoint.failures_since_success} attempts"
    return None
