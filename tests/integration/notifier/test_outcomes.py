"""Job events become webhook messages: one per subscribed endpoint, never two, with the documented payloads."""

from uuid import uuid4

from standardwebhooks.webhooks import Webhook

from libs.common.events import JobFailed, JobProgress
from services.notifier.deliveries import message_id
from services.notifier.handlers import JOBS_CONSUMER
from tests.bus import processed
from tests.integration.notifier.webhooks import (
    SECRET,
    RunningNotifier,
    completion,
    messages,
    messages_when,
    register,
)
from tests.receiver import Receiver


async def test_a_job_end_redelivered_or_announced_again_makes_one_message(notifier: RunningNotifier) -> None:
    async with Receiver() as receiver:
        endpoint = await register(notifier, receiver.url)
        job = uuid4()
        first = completion(endpoint.user_id, job)
        again = completion(endpoint.user_id, job)  # a re-driven job announces its completion again
        for event in (first, first, again):
            await notifier.bus.publish(event)
        await processed(notifier.app, JOBS_CONSUMER, again.event_id)
        log = await messages_when(
            notifier, endpoint.endpoint_id, lambda found: all(message.status == "delivered" for message in found)
        )

    expected = message_id(first, endpoint.endpoint_id)
    assert [message.id for message in log] == [expected]
    assert [request.headers["webhook-id"] for request in receiver.received] == [expected]


async def test_each_endpoint_gets_only_the_events_it_subscribed_to(notifier: RunningNotifier) -> None:
    async with Receiver() as receiver:
        outcomes = await register(notifier, receiver.url + "/outcomes")
        progress = await register(notifier, receiver.url + "/progress", outcomes.user_id, ("generation.progress",))
        stranger = await register(notifier, receiver.url + "/stranger")
        job = uuid4()
        moving = JobProgress(job_id=job, user_id=outcomes.user_id, stage="images", progress=40, message="Painting")
        failed = JobFailed(job_id=job, user_id=outcomes.user_id, stage="audio", reason="espeak-ng is not installed")
        for event in (moving, failed):
            await notifier.bus.publish(event)
        await processed(notifier.app, JOBS_CONSUMER, failed.event_id)
        requests = await receiver.requests(2)

    by_path = {request.path: Webhook(SECRET).verify(request.body, request.headers) for request in requests}
    assert by_path == {
        "/hook/outcomes": {
            "event": "generation.failed",
            "data": {
                "jobId": str(job),
                "error": "espeak-ng is not installed",
                "timestamp": failed.occurred_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
        },
        "/hook/progress": {
            "event": "generation.progress",
            "data": {
                "jobId": str(job),
                "progress": 40,
                "stage": "images",
                "message": "Painting",
                "timestamp": moving.occurred_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
        },
    }
    assert await messages(notifier, stranger.endpoint_id) == []
    assert len(await messages(notifier, progress.endpoint_id)) == 1
