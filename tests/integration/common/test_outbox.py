"""The outbox relay against a real broker: order, keys, at-least-once with stable ids, replicas, and waking."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from uuid import uuid4

import pytest
from faststream.kafka import KafkaBroker
from sqlalchemy import update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from libs.common.bus import make_broker, one_off_admin
from libs.common.db import Database
from libs.common.events import JobCancelled, Topics, parse_event
from libs.common.outbox import LEDGER_TABLES, OutboxMessage, OutboxRelay, stage_event
from libs.common.settings import BusSettings, DatabaseSettings
from libs.embedded.broker import LocalBroker
from tests.bus import BusProbe
from tests.servers import PostgresCluster, free_port, unreachable

POLL_S = BusSettings().outbox_poll_s


@pytest.fixture
async def broker(kafka: str) -> AsyncIterator[KafkaBroker]:
    settings = BusSettings(kafka_bootstrap_servers=kafka)
    async with one_off_admin(settings) as admin:
        await admin.ensure_topics([Topics.JOBS_CANCELLED])
    broker = make_broker(settings, "outbox-test")
    await broker.connect()
    try:
        yield broker
    finally:
        await broker.stop()


async def open_database(url: str) -> Database:
    db = Database.for_service(DatabaseSettings(database_url=url), "gateway")
    await db.create_tables(LEDGER_TABLES)
    return db


async def stage(db: Database, events: list[JobCancelled]) -> None:
    async with db.transaction() as session:
        for event in events:
            stage_event(session, event)


async def test_the_relay_publishes_in_order_keyed_by_job_and_marks_rows_sent(
    database_url: str, broker: KafkaBroker, kafka: str
) -> None:
    db = await open_database(database_url)
    job = uuid4()
    events = [JobCancelled(job_id=job, user_id="u") for _ in range(5)]
    await stage(db, events)
    assert await OutboxRelay(db, broker, POLL_S).publish_pending() == 5
    assert await OutboxRelay(db, broker, POLL_S).publish_pending() == 0
    async with BusProbe(kafka) as bus:
        received = await bus.events(JobCancelled, 5)
    assert [event.event_id for event in received] == [event.event_id for event in events]
    await db.close()


async def test_a_row_published_but_not_marked_is_republished_with_the_same_event_id(
    database_url: str, broker: KafkaBroker, kafka: str
) -> None:
    """The state a relay crash between publish and mark-sent leaves behind."""
    db = await open_database(database_url)
    event = JobCancelled(job_id=uuid4(), user_id="u")
    await stage(db, [event])
    await OutboxRelay(db, broker, POLL_S).publish_pending()
    async with db.transaction() as session:
        await session.exec(update(OutboxMessage).values(published_at=None))  # type: ignore[call-overload]
    assert await OutboxRelay(db, broker, POLL_S).publish_pending() == 1
    async with BusProbe(kafka) as bus:
        received = await bus.events(JobCancelled, 2)
    assert {copy.event_id for copy in received} == {event.event_id}
    await db.close()


async def test_relays_in_several_replicas_publish_each_row_once(
    postgres: PostgresCluster, broker: KafkaBroker, kafka: str
) -> None:
    url = postgres.create_database()
    replicas = [await open_database(url) for _ in range(3)]
    events = [JobCancelled(job_id=uuid4(), user_id="u") for _ in range(300)]
    await stage(replicas[0], events)

    async def drain(db: Database) -> int:
        relay = OutboxRelay(db, broker, POLL_S, batch_size=20)
        total = 0
        while published := await relay.publish_pending():
            total += published
        return total

    counts = await asyncio.gather(*(drain(db) for db in replicas))
    assert sum(counts) == 300
    async with BusProbe(kafka) as bus:
        values = await bus.records(Topics.JOBS_CANCELLED, lambda seen: len(seen) >= 300)
    assert sorted(str(parse_event(value).event_id) for value in values) == sorted(str(e.event_id) for e in events)
    for db in replicas:
        await db.close()


async def test_writes_go_through_while_the_relay_waits_on_a_broker_that_is_down(
    database_url: str, tmp_path: Path
) -> None:
    local = LocalBroker(free_port(), tmp_path / "broker.log")
    settings = BusSettings(kafka_bootstrap_servers=await local.start())
    async with one_off_admin(settings) as admin:
        await admin.ensure_topics([Topics.JOBS_CANCELLED])
    broker = make_broker(settings, "outbox-outage")
    await broker.connect()
    db = await open_database(database_url)
    relay = asyncio.create_task(OutboxRelay(db, broker, POLL_S).run())
    first, second = (JobCancelled(job_id=uuid4(), user_id="u") for _ in range(2))
    try:
        with unreachable(local.process):
            await stage(db, [first])
            async with asyncio.timeout(30):  # the relay has claimed the row and is waiting on the broker
                while not await _claimed(db):
                    await asyncio.sleep(0.05)
            async with asyncio.timeout(2):
                await stage(db, [second])  # a job accepted meanwhile: must not wait for the broker
        async with BusProbe(local.address) as bus:
            delivered = await bus.events(JobCancelled, 2, timeout_s=90)
        assert [event.event_id for event in delivered] == [first.event_id, second.event_id]
    finally:
        relay.cancel()
        await asyncio.gather(relay, return_exceptions=True)
        await broker.stop()
        await local.stop()
        await db.close()


async def _claimed(db: Database) -> bool:
    async with db.sessions() as session:
        rows = (await session.exec(select(OutboxMessage))).all()
    return any(row.claimed_until is not None for row in rows)


@asynccontextmanager
async def running(relay: OutboxRelay) -> AsyncIterator[None]:
    task = asyncio.create_task(relay.run())
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_a_woken_relay_publishes_a_commit_at_once_without_waiting_for_its_poll(
    database_url: str, broker: KafkaBroker, kafka: str
) -> None:
    db = await open_database(database_url)
    first, second = (JobCancelled(job_id=uuid4(), user_id="u") for _ in range(2))
    await stage(db, [first])
    relay = OutboxRelay(db, broker, poll_s=3600)
    try:
        async with running(relay), BusProbe(kafka) as bus:
            await bus.events(JobCancelled, 1)  # its first look; now it sleeps for an hour unless woken
            await stage(db, [second])
            relay.wake()  # what Runtime.finish and Runtime.emit do after their commit
            delivered = await bus.events(JobCancelled, 2, timeout_s=30)
        assert [event.event_id for event in delivered] == [first.event_id, second.event_id]
    finally:
        await db.close()


async def test_a_row_nobody_woke_the_relay_for_is_published_within_its_poll(
    database_url: str, broker: KafkaBroker, kafka: str
) -> None:
    """Another replica's row (here another connection's, as another process's would be)."""
    db, other = await open_database(database_url), await open_database(database_url)
    event = JobCancelled(job_id=uuid4(), user_id="u")
    try:
        async with running(OutboxRelay(db, broker, poll_s=0.5)), BusProbe(kafka) as bus:
            await stage(other, [event])
            [delivered] = await bus.events(JobCancelled, 1, timeout_s=30)
        assert delivered.event_id == event.event_id
    finally:
        await db.close()
        await other.close()


async def test_an_idle_relay_looks_without_writing(database_url: str, broker: KafkaBroker) -> None:
    db = await open_database(database_url)
    looks = writes = 0
    sessions, transaction = db.sessions, db.transaction

    def read() -> AsyncSession:
        nonlocal looks
        looks += 1
        return sessions()

    def write() -> AbstractAsyncContextManager[AsyncSession]:
        nonlocal writes
        writes += 1
        return transaction()

    db.sessions, db.transaction = read, write  # type: ignore[assignment, method-assign]
    try:
        async with running(OutboxRelay(db, broker, poll_s=0.02)), asyncio.timeout(10):
            while looks < 10:
                await asyncio.sleep(0.02)
        assert writes == 0
    finally:
        await db.close()
