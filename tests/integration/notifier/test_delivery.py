"""Signed webhooks reach a real receiver on loopback, retried on the schedule, on SQLite and PostgreSQL.

The receiver is scripted per test (500s, 410, a redirect, 429) and every request is checked with
the `standardwebhooks` reference library, as a receiver would check it.
"""

from standardwebhooks.webhooks import Webhook

from libs.common.events import WebhookDeliveryRecorded, WebhookEndpointDisabled
from services.notifier.deliveries import message_id
from services.notifier.handlers import JOBS_CONSUMER
from tests.bus import processed
from tests.integration.notifier.webhooks import (
    SCHEDULE,
    SECRET,
    RunningNotifier,
    completion,
    messages,
    register,
    reports,
)
from tests.receiver import Answer, Receiver

JITTER = 0.1


async def test_a_failing_receiver_gets_the_same_message_until_it_answers_2xx(notifier: RunningNotifier) -> None:
    async with Receiver(Answer(500), Answer(500)) as receiver:
        endpoint = await register(notifier, receiver.url)
        job = completion(endpoint.user_id)
        await notifier.bus.publish(job)
        requests = await receiver.requests(3)
        recorded = await reports(notifier, WebhookDeliveryRecorded, endpoint.endpoint_id, 3)

    expected_id = message_id(job, endpoint.endpoint_id)
    assert [request.headers["webhook-id"] for request in requests] == [expected_id] * 3
    for request in requests:
        assert Webhook(SECRET).verify(request.body, request.headers) == {
            "event": "generation.complete",
            "data": {
                "jobId": str(job.job_id),
                "clipId": str(job.job_id),
                "status": "COMPLETED",
                "timestamp": job.occurred_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
        }
        assert abs(int(request.headers["webhook-timestamp"]) - request.wall) <= 1.5, "signed when sent, not before"
        assert request.headers["content-type"] == "application/json"
    for attempt, delay in enumerate(SCHEDULE[1:], start=1):
        gap = requests[attempt].at - requests[attempt - 1].at
        assert delay * (1 - JITTER) <= gap <= delay * (1 + JITTER) + 2.0
    assert [(report.attempt_number, report.outcome, report.http_status) for report in recorded] == [
        (1, "retrying", 500),
        (2, "retrying", 500),
        (3, "delivered", 200),
    ]
    assert {report.message_id for report in recorded} == {expected_id}
    assert recorded[0].next_attempt_at is not None and recorded[2].next_attempt_at is None


async def test_410_gone_disables_the_endpoint_and_stops_its_deliveries(notifier: RunningNotifier) -> None:
    async with Receiver(then=Answer(410)) as receiver:
        endpoint = await register(notifier, receiver.url)
        await notifier.bus.publish(completion(endpoint.user_id))
        [disabled] = await reports(notifier, WebhookEndpointDisabled, endpoint.endpoint_id, 1)
        [report] = await reports(notifier, WebhookDeliveryRecorded, endpoint.endpoint_id, 1)
        later = completion(endpoint.user_id)
        await notifier.bus.publish(later)
        await processed(notifier.app, JOBS_CONSUMER, later.event_id)
        log = await messages(notifier, endpoint.endpoint_id)

    assert disabled.reason == "the endpoint answered 410 Gone"
    assert (report.outcome, report.http_status, report.next_attempt_at) == ("endpoint_disabled", 410, None)
    assert [(message.status, message.next_attempt_at) for message in log] == [("endpoint_disabled", None)]
    assert len(receiver.received) == 1


async def test_a_redirect_is_not_followed_and_counts_as_a_failure(notifier: RunningNotifier) -> None:
    async with Receiver(then=Answer(302, {"location": "/elsewhere"})) as receiver:
        endpoint = await register(notifier, receiver.url)
        await notifier.bus.publish(completion(endpoint.user_id))
        recorded = await reports(notifier, WebhookDeliveryRecorded, endpoint.endpoint_id, len(SCHEDULE))
        [disabled] = await reports(notifier, WebhookEndpointDisabled, endpoint.endpoint_id, 1)

    assert [request.path for request in receiver.received] == ["/hook"] * len(SCHEDULE)
    assert [(report.outcome, report.http_status) for report in recorded] == [
        ("retrying", 302),
        ("retrying", 302),
        ("failed", 302),
    ]
    assert all("redirects are not followed" in (report.error or "") for report in recorded)
    assert disabled.reason == f"failing: no 2xx for {len(SCHEDULE)} attempts"


async def test_429_retry_after_delays_the_next_attempt(notifier: RunningNotifier) -> None:
    async with Receiver(Answer(429, {"retry-after": "1"})) as receiver:
        endpoint = await register(notifier, receiver.url)
        await notifier.bus.publish(completion(endpoint.user_id))
        first, second = await receiver.requests(2)
        recorded = await reports(notifier, WebhookDeliveryRecorded, endpoint.endpoint_id, 2)

    assert second.at - first.at >= 1.0 > SCHEDULE[1] * (1 + JITTER)
    assert [(report.outcome, report.http_status) for report in recorded] == [("retrying", 429), ("delivered", 200)]
