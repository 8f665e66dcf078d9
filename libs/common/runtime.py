"""What a running service holds (database, store, broker, outbox relay) and how it consumes events.

`Runtime.consume` is the one consumer loop of the platform: decode, skip what was
already handled, retry transient failures with backoff, and turn a failure that
will not heal into a dead-letter record plus a `jobs.failed` the user can read.
Handlers only do their stage's work and finish with `runtime.finish(...)`.
"""

import asyncio
import json
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar
from uuid import NAMESPACE_URL, uuid5

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from libs.common.bus import consumer_options, dead_letter_topic
from libs.common.db import Database
from libs.common.errors import Cancelled, ProviderError, ReelforgeError
from libs.common.events import Event, JobFailed, now, parse_event
from libs.common.logs import job_context
from libs.common.metrics import EVENTS_CONSUMED, STAGE_SECONDS
from libs.common.outbox import OutboxRelay, claim, stage_event, stage_raw, was_processed
from libs.common.settings import BusSettings, RetrySettings
from libs.common.storage import ObjectStore
from libs.common.vocabulary import Stage

log = logging.getLogger(__name__)

E = TypeVar("E", bound=Event)


class AlreadyHandled(Exception):
    """Another delivery of the same event committed first; this one must change nothing."""


@dataclass
class Emitter:
    """Collects the events a transaction will publish."""

    session: AsyncSession

    def emit(self, *events: Event) -> None:
        for event in events:
            stage_event(self.session, event)


@dataclass
class Runtime:
    service: str
    settings: Any
    db: Database
    store: ObjectStore | None = None
    broker: KafkaBroker | None = None
    relay: OutboxRelay | None = None
    background: list[asyncio.Task[None]] = field(default_factory=list)
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def emit(self, *events: Event) -> None:
        """Publish events on their own (progress): through the outbox, so they survive a broker outage."""
        async with self.db.transaction() as session:
            Emitter(session).emit(*events)
        self.wake_relay()

    @asynccontextmanager
    async def finish(self, consumer: str, cause: Event) -> AsyncIterator[Emitter]:
        """The closing transaction of a handler: marks `cause` handled by `consumer`, with its effects."""
        async with self.db.transaction() as session:
            if not await claim(session, self.db, consumer, cause.event_id):
                raise AlreadyHandled(str(cause.event_id))
            yield Emitter(session)
        self.wake_relay()

    def wake_relay(self) -> None:
        if self.relay is not None:
            self.relay.wake()

    def consume(
        self,
        topics: tuple[str, ...],
        group: str,
        expected: tuple[type[E], ...],
        stage: Stage | None,
        handler: Callable[[E], Awaitable[None]],
    ) -> None:
        """Subscribe `handler` to `topics` in consumer group `group` with the platform's delivery rules.

        `stage` names the pipeline stage whose failure fails the job; None for consumers
        (projections) whose failure must not fail the job.

        Several topics in one subscription are consumed by one loop, in order; with the
        range assignor a job's partition of each topic lands on the same replica, which
        is what a join of two streams (render) needs.
        """
        assert self.broker is not None, "consume() needs a broker"
        settings: BusSettings = self.settings
        retry: RetrySettings = self.settings

        @self.broker.subscriber(*topics, **consumer_options(settings, group))
        async def on_message(_decoded: Any, message: KafkaMessage) -> None:
            body: bytes = message.body
            topic = message.raw_message.topic
            try:
                event = parse_event(body)
                if not isinstance(event, expected):
                    raise TypeError(f"{event.type} is not one of the events {group} handles")
            except (ValidationError, TypeError) as error:
                await self._dead_letter(topic, group, message, body, f"undecodable event: {error}")
                EVENTS_CONSUMED.labels(self.service, topic, "poison").inc()
                return
            started = time.perf_counter()
            with job_context(event.job_id, event.traceparent):
                outcome = await self._handle(event, group, stage, handler, topic, message, body, retry)
            EVENTS_CONSUMED.labels(self.service, topic, outcome).inc()
            if stage is not None and outcome == "ok":
                STAGE_SECONDS.labels(stage).observe(time.perf_counter() - started)

    async def _handle(
        self,
        event: E,
        group: str,
        stage: Stage | None,
        handler: Callable[[E], Awaitable[None]],
        topic: str,
        message: Any,
        body: bytes,
        retry: RetrySettings,
    ) -> str:
        if await was_processed(self.db, group, event.event_id):
            return "duplicate"
        for attempt in range(1, retry.max_attempts + 1):
            try:
                await handler(event)
                return "ok"
            except AlreadyHandled:
                return "duplicate"
            except Cancelled:
                return "cancelled"
            except ProviderError as error:
                if error.retryable and attempt < retry.max_attempts:
                    await self._backoff(attempt, retry, error.message)
                    continue
                await self._fail(event, group, stage, error.message, topic, message, body, attempt)
                return "failed"
            except ReelforgeError as error:
                await self._fail(event, group, stage, error.message, topic, message, body, attempt)
                return "failed"
            except Exception as error:
                log.exception("unexpected error in %s handler (attempt %d)", stage, attempt)
                if attempt < retry.max_attempts:
                    await self._backoff(attempt, retry, repr(error))
                    continue
                reason = f"the {stage or group} stage failed unexpectedly after {attempt} attempts"
                await self._fail(event, group, stage, reason, topic, message, body, attempt)
                return "failed"
        raise AssertionError("unreachable: the last attempt always returns")

    @staticmethod
    async def _backoff(attempt: int, retry: RetrySettings, why: str) -> None:
        delay = min(retry.retry_max_s, retry.retry_base_s * 2 ** (attempt - 1))
        delay = random.uniform(delay / 2, delay)
        log.warning("attempt %d failed (%s); retrying in %.2fs", attempt, why, delay)
        await asyncio.sleep(delay)

    async def _fail(
        self,
        event: Event,
        group: str,
        stage: Stage | None,
        reason: str,
        topic: str,
        message: Any,
        body: bytes,
        attempts: int,
    ) -> None:
        log.error("giving up on %s: %s", event.type, reason)
        try:
            async with self.finish(group, event) as out:
                if stage is not None:
                    out.emit(JobFailed.after(event, stage=stage, reason=reason))
                _stage_dead_letter(out.session, topic, message, body, reason, attempts, str(event.event_id))
        except AlreadyHandled:
            return

    async def _dead_letter(self, topic: str, group: str, message: Any, body: bytes, reason: str) -> None:
        """Park a message that cannot even be decoded; its position stands in for the missing event id."""
        raw = message.raw_message
        position = f"{topic}:{raw.partition}:{raw.offset}"
        log.error("dead-lettering the message at %s: %s", position, reason)
        async with self.db.transaction() as session:
            if await claim(session, self.db, group, uuid5(NAMESPACE_URL, position)):
                _stage_dead_letter(session, topic, message, body, reason, 1, position)
        self.wake_relay()


def _stage_dead_letter(
    session: AsyncSession, topic: str, message: Any, body: bytes, reason: str, attempts: int, message_id: str
) -> None:
    raw = message.raw_message
    record = {
        "original_topic": topic,
        "partition": raw.partition,
        "offset": raw.offset,
        "error": reason,
        "attempts": attempts,
        "failed_at": now().isoformat(),
        "payload": body.decode("utf-8", errors="replace"),
    }
    key = raw.key.decode("utf-8", errors="replace") if raw.key else ""
    stage_raw(session, dead_letter_topic(topic), key, json.dumps(record), {}, f"dlq:{message_id}")
