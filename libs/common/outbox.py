"""Transactional outbox and processed-events ledger, one pair of tables per service.

A handler's state changes, the marker that it handled an event, and the events it
emits commit in one transaction. The relay publishes outbox rows in order and marks
them sent; after a crash between publish and mark it publishes the same row again
with the same `event_id`, which consumers drop through their ledger.
"""

import asyncio
import json
import logging
from datetime import datetime, timedelta
from uuid import UUID

from faststream.kafka import KafkaBroker
from sqlalchemy import ColumnElement, Index, func, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from libs.common.db import Database
from libs.common.events import Envelope, now
from libs.common.metrics import EVENTS_PUBLISHED, OUTBOX_PENDING
from libs.common.waiting import woken_within

log = logging.getLogger(__name__)


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_unpublished", "published_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(unique=True)
    topic: str
    key: str
    payload: str
    headers: str = "{}"
    created_at: datetime = Field(default_factory=now)
    claimed_until: datetime | None = None
    published_at: datetime | None = None


class ProcessedEvent(SQLModel, table=True):
    __tablename__ = "processed_events"

    consumer: str = Field(primary_key=True)
    event_id: UUID = Field(primary_key=True)
    processed_at: datetime = Field(default_factory=now)


LEDGER_TABLES = [OutboxMessage.__table__, ProcessedEvent.__table__]  # type: ignore[attr-defined]


def stage_event(session: AsyncSession, event: Envelope) -> None:
    """Queue `event` for publishing when the surrounding transaction commits."""
    headers = {"traceparent": event.traceparent, "type": event.type}
    stage_raw(session, event.topic, event.key.decode(), event.model_dump_json(), headers, str(event.event_id))


def stage_raw(
    session: AsyncSession, topic: str, key: str, payload: str, headers: dict[str, str], message_id: str
) -> None:
    session.add(
        OutboxMessage(message_id=message_id, topic=topic, key=key, payload=payload, headers=json.dumps(headers))
    )


async def claim(session: AsyncSession, db: Database, consumer: str, event_id: UUID) -> bool:
    """Record that `consumer` handled `event_id`; False if it already had (the caller must not apply again)."""
    dialect = postgresql if db.is_postgres else sqlite
    statement = (
        dialect.insert(ProcessedEvent)
        .values(consumer=consumer, event_id=event_id, processed_at=now())
        .on_conflict_do_nothing()
    )
    result = await session.exec(statement)
    return bool(result.rowcount)


async def was_processed(db: Database, consumer: str, event_id: UUID) -> bool:
    async with db.sessions() as session:
        found = await session.get(ProcessedEvent, (consumer, event_id))
        return found is not None


RETRY_FIRST_S = 0.5
RETRY_MAX_S = 10.0
"""The relay's backoff while it cannot publish (the broker is down), doubling from the first to the most."""


def _unclaimed(moment: datetime) -> tuple[ColumnElement[bool], ...]:
    """Rows not yet published that no relay holds a live lease on."""
    return (
        col(OutboxMessage.published_at).is_(None),
        or_(col(OutboxMessage.claimed_until).is_(None), col(OutboxMessage.claimed_until) < moment),
    )


class OutboxRelay:
    """Publishes outbox rows in id order, several replicas at once if need be.

    Rows are claimed for `lease_s` in a short transaction (SKIP LOCKED on PostgreSQL, so
    replicas claim different rows), published with no transaction open, then marked sent.
    No database lock is ever held while waiting on the broker: with the broker down, the
    service still writes (jobs are still accepted) and rows simply wait. A relay that dies
    after publishing leaves a lease that runs out, and the row is published again with the
    same event id, which consumers drop.

    A commit in this process wakes the relay (`wake`); it also looks every `poll_s` for rows
    nobody woke it for (another replica's, an expired lease), with a read that takes no write
    lock, so an idle relay writes nothing.
    """

    def __init__(
        self, db: Database, broker: KafkaBroker, poll_s: float, batch_size: int = 100, lease_s: float = 30.0
    ) -> None:
        self.db = db
        self.broker = broker
        self.batch_size = batch_size
        self.poll_s = poll_s
        self.lease = timedelta(seconds=lease_s)
        self._wakeup = asyncio.Event()

    def wake(self) -> None:
        self._wakeup.set()

    async def run(self) -> None:
        """Publish forever; a broker outage leaves rows waiting and retries with backoff from RETRY_FIRST_S."""
        retry_s: float | None = None
        while True:
            try:
                published = await self.publish_pending()
                retry_s = None
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("outbox relay could not publish; will retry", exc_info=True)
                published = 0
                retry_s = RETRY_FIRST_S if retry_s is None else min(retry_s * 2, RETRY_MAX_S)
            if published < self.batch_size:
                await woken_within(self._wakeup, self.poll_s if retry_s is None else retry_s)
                self._wakeup.clear()

    async def publish_pending(self) -> int:
        """Publish one batch; stops at the first failure (keeping order) and raises it."""
        rows = await self._claim() if await self._claimable(now()) else []
        sent: list[int] = []
        try:
            for row in rows:
                await self.broker.publish(
                    row.payload.encode(), topic=row.topic, key=row.key.encode(), headers=json.loads(row.headers)
                )
                sent.append(row.id)  # type: ignore[arg-type]
                EVENTS_PUBLISHED.labels(self.db.service, row.topic).inc()
        finally:
            await self._settle(sent, [row.id for row in rows if row.id not in sent])  # type: ignore[misc]
        if rows:
            await self._report_pending()
        return len(sent)

    async def _claimable(self, moment: datetime) -> bool:
        """Whether any row waits to be claimed: a plain read, so looking costs no write lock."""
        async with self.db.sessions() as session:
            found = await session.exec(select(OutboxMessage.id).where(*_unclaimed(moment)).limit(1))
            return found.first() is not None

    async def _claim(self) -> list[OutboxMessage]:
        moment = now()
        async with self.db.transaction() as session:
            query = (
                select(OutboxMessage)
                .where(*_unclaimed(moment))
                .order_by(col(OutboxMessage.id))
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            )
            rows = list((await session.exec(query)).all())
            for row in rows:
                row.claimed_until = moment + self.lease
                session.add(row)
        return rows

    async def _settle(self, sent: list[int], unsent: list[int]) -> None:
        """Mark what went out as sent; give back the claim on what did not, so it is retried soon."""
        if not sent and not unsent:
            return
        async with self.db.transaction() as session:
            if sent:
                await session.exec(
                    update(OutboxMessage)
                    .where(col(OutboxMessage.id).in_(sent))
                    .values(published_at=now(), claimed_until=None)
                )
            if unsent:
                await session.exec(
                    update(OutboxMessage).where(col(OutboxMessage.id).in_(unsent)).values(claimed_until=None)
                )

    async def _report_pending(self) -> None:
        async with self.db.sessions() as session:
            count = await session.exec(
                select(func.count()).select_from(OutboxMessage).where(col(OutboxMessage.published_at).is_(None))
            )
            OUTBOX_PENDING.labels(self.db.service).set(count.one())
