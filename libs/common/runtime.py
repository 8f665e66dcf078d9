"""What a running service holds (database, store, broker, outbox relay) and how it consumes events.

`Runtime.consume` is the one consumer loop of the platform: decode, skip what was already
handled, run stage work so that a cancellation can stop it, retry transient failures with
backoff, and turn a failure that will not heal into a dead-letter record plus a `jobs.failed`
the user can read. Handlers only do their stage's work and finish with `runtime.finish(...)`.

The offset of a message is committed after the handler returns (faststream's NACK_ON_ERROR,
see `bus.py`), so only a crash or a shutdown leaves a message to be delivered again, and the
ledger makes that second delivery change nothing. A stage that handles several jobs at once
(`concurrency`) keeps the same rule per partition: see `concurrent_consumer`.
"""

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from aiokafka.structs import ConsumerRecord
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from libs.common.bus import consumer_options
from libs.common.cancellation import RunningWork, record_cancellation
from libs.common.concurrent_consumer import subscribe_concurrently
from libs.common.db import Database
from libs.common.dead_letter import position, stage_dead_letter
from libs.common.errors import Cancelled, ProviderError, ReelforgeError
from libs.common.events import Envelope, Event, JobCancelled, JobFailed, Topics, parse_event
from libs.common.logs import job_context
from libs.common.metrics import EVENTS_CONSUMED, STAGE_SECONDS
from libs.common.outbox import OutboxRelay, claim, stage_event, was_processed
from libs.common.settings import BusSettings, RetrySettings
from libs.common.storage import ObjectStore
from libs.common.tracing import span
from libs.common.vocabulary import Stage

log = logging.getLogger(__name__)

Handler = Callable[[Any], Awaitable[None]]
"""Takes one of the event types its subscription names (`expected`, checked before every call); typed by the
handler itself, since a subscription to several topics takes a union that a type variable cannot infer."""


class AlreadyHandled(Exception):
    """Another delivery of the same event committed first; this one must change nothing."""


@dataclass
class Emitter:
    """Collects the events a transaction will publish."""

    session: AsyncSession

    def emit(self, *events: Envelope) -> None:
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
    running: RunningWork | None = None
    bus_lost: asyncio.Event = field(default_factory=asyncio.Event)

    async def emit(self, *events: Envelope) -> None:
        """Publish events on their own (progress): through the outbox, so they survive a broker outage."""
        async with self.db.transaction() as session:
            Emitter(session).emit(*events)
        self.wake_relay()

    @asynccontextmanager
    async def finish(self, consumer: str, cause: Envelope) -> AsyncIterator[Emitter]:
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
        expected: tuple[type[Envelope], ...],
        stage: Stage | None,
        handler: Handler,
        concurrency: int = 1,
    ) -> None:
        """Subscribe `handler` to `topics` in consumer group `group` with the platform's delivery rules.

        `stage` names the pipeline stage whose failure fails the job, and whose work a
        cancellation of the job stops; None for consumers (projections, the notifier) that
        must neither fail nor stop a job.

        Several topics in one subscription are consumed by one loop, in order; with the
        range assignor a job's partition of each topic lands on the same replica, which
        is what a join of two streams (render) needs.

        `concurrency` messages are in hand at once (1: one after another). Two events of one job
        (one key, on any of the topics) are never handled at the same time, and are handled in
        the order they arrived; an offset is committed only once its message and every earlier
        one of its partition are done.
        """
        assert self.broker is not None, "consume() needs a broker"
        settings: BusSettings = self.settings
        if stage is not None:
            self._listen_for_cancellations()

        async def deliver(record: ConsumerRecord) -> None:
            await self._deliver(record, group, expected, stage, handler)

        options = consumer_options(settings, group)
        if concurrency > 1:
            subscribe_concurrently(self.broker, topics, options, concurrency, deliver)
            return

        @self.broker.subscriber(*topics, **options)
        async def on_message(_decoded: Any, message: KafkaMessage) -> None:
            await deliver(message.raw_message)

    async def _deliver(
        self,
        record: ConsumerRecord,
        group: str,
        expected: tuple[type[Envelope], ...],
        stage: Stage | None,
        handler: Handler,
    ) -> None:
        """Decode, handle, count. Raises only what should make the message come again (its database is down)."""
        try:
            event = parse_event(record.value or b"")
            if not isinstance(event, expected):
                raise TypeError(f"{event.type} is not one of the events {group} handles")
        except (ValidationError, TypeError) as error:
            await self._dead_letter_undecodable(record, group, f"undecodable event: {error}")
            EVENTS_CONSUMED.labels(self.service, record.topic, "poison").inc()
            return
        started = time.perf_counter()
        with self._context(event, group, record.topic):
            outcome = await self._handle(event, group, stage, handler, record)
        EVENTS_CONSUMED.labels(self.service, record.topic, outcome).inc()
        if stage is not None and outcome == "ok":
            STAGE_SECONDS.labels(stage).observe(time.perf_counter() - started)

    @contextmanager
    def _context(self, event: Envelope, group: str, topic: str) -> Iterator[None]:
        """A job's event is handled in its job's log context and in a span of its trace (`group topic`)."""
        if not isinstance(event, Event):
            yield
            return
        with (
            job_context(event.job_id, event.traceparent),
            span(f"{group} {topic}", event.traceparent, job_id=str(event.job_id), service=self.service),
        ):
            yield

    async def _handle(
        self, event: Envelope, group: str, stage: Stage | None, handler: Handler, record: ConsumerRecord
    ) -> str:
        if await was_processed(self.db, group, event.event_id):
            return "duplicate"
        if stage is None or not isinstance(event, Event) or self.running is None:
            return await self._attempts(event, group, stage, handler, record)
        try:
            return await self.running.run(event.job_id, lambda: self._attempts(event, group, stage, handler, record))
        except Cancelled:
            log.info("stopped %s: the job was cancelled", event.type)
            return "cancelled"

    async def _attempts(
        self, event: Envelope, group: str, stage: Stage | None, handler: Handler, record: ConsumerRecord
    ) -> str:
        retry: RetrySettings = self.settings
        for attempt in range(1, retry.max_attempts + 1):
            try:
                await handler(event)
                return "ok"
            except AlreadyHandled:
                return "duplicate"
            except ProviderError as error:
                if error.retryable and attempt < retry.max_attempts:
                    await self._backoff(attempt, retry, error.message, error.retry_after_s)
                    continue
                await self._fail(event, group, stage, error.message, record, attempt, error.code)
                return "failed"
            except ReelforgeError as error:
                await self._fail(event, group, stage, error.message, record, attempt, error.code)
                return "failed"
            except Exception as error:
                log.exception("unexpected error in %s handler (attempt %d)", stage or group, attempt)
                if attempt < retry.max_attempts:
                    await self._backoff(attempt, retry, repr(error), None)
                    continue
                reason = f"the {stage or group} stage failed unexpectedly after {attempt} attempts"
                await self._fail(event, group, stage, reason, record, attempt)
                return "failed"
        raise AssertionError("unreachable: the last attempt always returns")

    @staticmethod
    async def _backoff(attempt: int, retry: RetrySettings, why: str, retry_after_s: float | None) -> None:
        """Exponential backoff with jitter; never sooner than a provider's own `Retry-After`."""
        delay = min(retry.retry_max_s, retry.retry_base_s * 2 ** (attempt - 1))
        delay = random.uniform(delay / 2, delay)
        if retry_after_s is not None:
            delay = max(delay, min(retry_after_s, retry.retry_max_s))
        log.warning("attempt %d failed (%s); retrying in %.2fs", attempt, why, delay)
        await asyncio.sleep(delay)

    async def _fail(
        self,
        event: Envelope,
        group: str,
        stage: Stage | None,
        reason: str,
        record: ConsumerRecord,
        attempts: int,
        code: str | None = None,
    ) -> None:
        log.error("giving up on %s after %d attempts: %s", event.type, attempts, reason)
        try:
            async with self.finish(group, event) as out:
                if stage is not None and isinstance(event, Event):
                    out.emit(JobFailed.after(event, stage=stage, reason=reason, code=code))
                stage_dead_letter(out.session, record, reason, attempts, str(event.event_id))
        except AlreadyHandled:
            return

    async def _dead_letter_undecodable(self, record: ConsumerRecord, group: str, reason: str) -> None:
        """Park a message that cannot even be decoded; its position stands in for the missing event id."""
        where = position(record)
        log.error("dead-lettering the message at %s: %s", where, reason)
        async with self.db.transaction() as session:
            if await claim(session, self.db, group, uuid5(NAMESPACE_URL, where)):
                stage_dead_letter(session, record, reason, 1, where)
        self.wake_relay()

    def _listen_for_cancellations(self) -> None:
        """Once per service: record `jobs.cancelled` and stop the job's work if it runs here."""
        if self.running is not None:
            return
        retry: RetrySettings = self.settings
        self.running = RunningWork(self.db, retry.cancel_poll_s)
        group = f"{self.service}-cancellations"

        async def on_cancelled(event: JobCancelled) -> None:
            async with self.finish(group, event) as out:
                await record_cancellation(out.session, self.db, event.job_id)
            assert self.running is not None
            self.running.stop(event.job_id)

        self.consume((Topics.JOBS_CANCELLED,), group, (JobCancelled,), None, on_cancelled)
