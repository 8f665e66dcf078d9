"""What the notifier's integration tests share: settings, endpoints registered over the bus, the log."""

import asyncio
import base64
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from uuid import UUID, uuid4

from fastapi import FastAPI
from sqlmodel import col, select

from libs.common.events import (
    EndpointEvent,
    JobCompleted,
    VideoOutput,
    WebhookEndpointRegistered,
    WebhookEventName,
)
from services.notifier.handlers import REQUESTS_CONSUMER
from services.notifier.settings import NotifierSettings
from services.notifier.store import WebhookMessage
from tests.bus import BusProbe, processed

R = TypeVar("R", bound=EndpointEvent)

SCHEDULE = [0, 0.3, 0.6]  # seconds before each of three attempts
SECRET = "whsec_" + base64.b64encode(b"reelforge-test-secret-24").decode()
OUTPUT = VideoOutput(
    video_key="v", thumbnail_key="t", srt_key="s", vtt_key="w", duration_s=1, width=2, height=2, size_bytes=3
)


@dataclass(frozen=True)
class RunningNotifier:
    app: FastAPI
    bus: BusProbe


def notifier_settings(kafka: str, database_url: str, var_dir: Path, schedule: list[float]) -> NotifierSettings:
    """The notifier on the test's broker and database, trusting receivers on 127.0.0.1, retrying on `schedule`."""
    return NotifierSettings(
        kafka_bootstrap_servers=kafka,
        database_url=database_url,
        var_dir=var_dir,
        log_format="text",
        webhook_retry_schedule_s=schedule,
        webhook_allowed_hosts=["127.0.0.1"],
    )


def completion(user_id: str, job_id: UUID | None = None) -> JobCompleted:
    return JobCompleted(job_id=job_id or uuid4(), user_id=user_id, output=OUTPUT)


async def register(
    notifier: RunningNotifier,
    url: str,
    user_id: str | None = None,
    events: tuple[WebhookEventName, ...] = ("generation.complete", "generation.failed"),
) -> WebhookEndpointRegistered:
    """Register an endpoint (for a new user unless one is given) as the gateway would; wait until it is held."""
    endpoint = WebhookEndpointRegistered(
        endpoint_id=uuid4(), user_id=user_id or f"user-{uuid4().hex}", url=url, secret=SECRET, events=list(events)
    )
    await notifier.bus.send(endpoint.topic, endpoint.model_dump_json().encode(), endpoint.key)
    await processed(notifier.app, REQUESTS_CONSUMER, endpoint.event_id)
    return endpoint


async def reports(notifier: RunningNotifier, kind: type[R], endpoint_id: UUID, count: int) -> list[R]:
    """The first `count` events of `kind` about `endpoint_id` (waits for them)."""
    return await notifier.bus.events(kind, count, where=lambda event: event.endpoint_id == endpoint_id)


async def messages(notifier: RunningNotifier, endpoint_id: UUID) -> list[WebhookMessage]:
    async with notifier.app.state.runtime.db.sessions() as session:
        query = select(WebhookMessage).where(WebhookMessage.endpoint_id == endpoint_id)
        return list((await session.exec(query.order_by(col(WebhookMessage.created_at)))).all())


async def messages_when(
    notifier: RunningNotifier,
    endpoint_id: UUID,
    holds: Callable[[list[WebhookMessage]], bool],
    timeout_s: float = 60.0,
) -> list[WebhookMessage]:
    """The endpoint's messages, once `holds(messages)` is true."""
    async with asyncio.timeout(timeout_s):
        while not holds(found := await messages(notifier, endpoint_id)):
            await asyncio.sleep(0.05)
    return found
