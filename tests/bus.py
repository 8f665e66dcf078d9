"""Driving services through the real bus: publish events as the upstream stage would, read what they emit."""

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeVar
from uuid import UUID

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError
from fastapi import FastAPI
from pydantic_settings import BaseSettings
from sqlmodel import select

from libs.common.events import Envelope, parse_event
from libs.common.outbox import OutboxMessage, was_processed
from libs.common.settings import StorageSettings

E = TypeVar("E", bound=Envelope)


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[FastAPI]:
    """Run a service's start-up and shutdown exactly as uvicorn would (broker, relay, subscribers)."""
    async with app.router.lifespan_context(app):
        yield app


class BusProbe:
    """Publishes events keyed by job, and reads topics from the beginning without joining a consumer group."""

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self.producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=0)

    async def __aenter__(self) -> "BusProbe":
        await self.producer.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.producer.stop()

    async def publish(self, event: Envelope) -> None:
        await self.send(event.topic, event.model_dump_json().encode(), event.key)

    async def send(self, topic: str, value: bytes, key: bytes) -> None:
        await self.producer.send_and_wait(topic, value, key=key)

    @asynccontextmanager
    async def _from_the_beginning(
        self, topic: str, timeout_s: float
    ) -> AsyncIterator[tuple[AIOKafkaConsumer, list[TopicPartition]]]:
        """A consumer outside any group, assigned every partition of `topic` and placed at its start."""
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False, fetch_max_wait_ms=20)
        await consumer.start()
        try:
            partitions = await _partitions(self.producer, topic, timeout_s)
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            yield consumer, partitions
        finally:
            await consumer.stop()

    async def records(self, topic: str, until: Callable[[list[bytes]], bool], timeout_s: float = 60.0) -> list[bytes]:
        """Every record value on `topic`, read until `until(values)` holds; fails after `timeout_s`."""
        values: list[bytes] = []
        deadline = time.monotonic() + timeout_s
        async with self._from_the_beginning(topic, timeout_s) as (consumer, _):
            while not until(values):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{topic}: condition not met in {timeout_s:.0f} s; saw {len(values)} records")
                batch = await consumer.getmany(timeout_ms=int(min(left, 0.5) * 1000))
                values.extend(record.value for records in batch.values() for record in records)
        return values

    async def everything(self, topic: str, timeout_s: float = 60.0) -> list[bytes]:
        """Every record on `topic` right now: read up to the end offsets taken when the read starts."""
        values: list[bytes] = []
        async with self._from_the_beginning(topic, timeout_s) as (consumer, partitions):
            ends = await consumer.end_offsets(partitions)

            async def behind() -> bool:
                return any([await consumer.position(partition) < end for partition, end in ends.items()])

            async with asyncio.timeout(timeout_s):
                while await behind():
                    batch = await consumer.getmany(timeout_ms=500)
                    values.extend(record.value for records in batch.values() for record in records)
        return values

    async def events(
        self, kind: type[E], count: int, timeout_s: float = 60.0, where: Callable[[E], bool] = lambda _: True
    ) -> list[E]:
        """The first `count` events of type `kind` on its topic for which `where` holds (waits for them)."""
        found: list[E] = []

        def enough(values: list[bytes]) -> bool:
            found[:] = [event for event in map(parse_event, values) if isinstance(event, kind) and where(event)]
            return len(found) >= count

        await self.records(kind.topic, enough, timeout_s)
        return found[:count]


async def _partitions(producer: AIOKafkaProducer, topic: str, timeout_s: float) -> list[TopicPartition]:
    """The topic's partitions, asked for by name (Tansu leaves topics it created on demand out of a full listing)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            found = await asyncio.wait_for(
                producer.partitions_for(topic), timeout=max(deadline - time.monotonic(), 0.1)
            )
        except (TimeoutError, KafkaError):
            found = set()
        if found:
            return [TopicPartition(topic, partition) for partition in sorted(found)]
        if time.monotonic() > deadline:
            raise AssertionError(f"topic {topic} does not exist")
        await asyncio.sleep(0.1)


async def processed(app: FastAPI, consumer: str, event_id: UUID, timeout_s: float = 60.0) -> None:
    """Wait until the service's own ledger says `consumer` handled `event_id` (its effects are committed)."""
    async with asyncio.timeout(timeout_s):
        while not await was_processed(app.state.runtime.db, consumer, event_id):
            await asyncio.sleep(0.05)


async def staged(app: FastAPI, topic: str) -> list[str]:
    """Payloads the service has committed to its outbox for `topic` (published or not)."""
    async with app.state.runtime.db.sessions() as session:
        rows = await session.exec(select(OutboxMessage).where(OutboxMessage.topic == topic))
        return [row.payload for row in rows.all()]


S = TypeVar("S", bound=BaseSettings)


def service_settings(cls: type[S], kafka: str, database_url: str, storage: StorageSettings, var_dir: Path) -> S:
    """A service's settings pointing at the test's broker, database and object store."""
    shared = storage.model_dump(include={"media_dir", "s3_endpoint", "s3_access_key", "s3_secret_key", "s3_bucket"})
    return cls(kafka_bootstrap_servers=kafka, database_url=database_url, var_dir=var_dir, log_format="text", **shared)
