"""The Kafka bus: one broker factory and one set of consumer options for every service.

Delivery is at-least-once: producers wait for all in-sync replicas (`acks=all`);
consumers never auto-commit and use faststream's NACK_ON_ERROR policy, which commits
the offset only after the handler returned and seeks back to the message when it
raised (ACK and REJECT_ON_ERROR would commit a failed message and lose it).
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import Any
from uuid import uuid4

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.coordinator.assignors.range import RangePartitionAssignor
from aiokafka.errors import TopicAlreadyExistsError
from aiokafka.structs import ConsumerRecord, TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker

from libs.common.settings import BusSettings

log = logging.getLogger(__name__)

EPOCH_PREFIX = "reelforge.epoch."
FETCHER_WAKE_MS = 1_000
"""How often aiokafka's fetch loop wakes with nothing to do (its default, 200 ms, is five wake-ups a second per
consumer). Records, rebalances and consumed batches wake it at once whatever this is."""


def dead_letter_topic(topic: str) -> str:
    return f"{topic}.dlq"


class PacedConsumer(AIOKafkaConsumer):
    """An aiokafka consumer that fetches with a long wait once it has had no record for `idle_after_s`,
    and with its own short wait again from its next record on. It starts idle, having had none.

    Tansu holds every fetch for its whole wait, records or not, so a consumer costs the broker
    and itself one round trip per wait: at 20 ms, fifty a second while nothing happens. The long
    wait makes the first record after a quiet spell late by part of it (docs/benchmarks.md, Idle);
    records that follow within `idle_after_s` come as fast as ever. The wait is switched as
    `getone` hands the record over, before the fetcher builds its next request, so the fetch
    after a record is already a short one.
    """

    def __init__(self, *topics: str, idle_fetch_max_wait_ms: int, idle_after_s: float, **options: Any) -> None:
        self.busy_wait_ms: int = options.pop("fetch_max_wait_ms", 500)
        self.idle_wait_ms = idle_fetch_max_wait_ms
        self.idle_after_s = idle_after_s
        self.idle = True
        super().__init__(*topics, fetch_max_wait_ms=idle_fetch_max_wait_ms, **options)

    async def getone(self, *partitions: TopicPartition) -> ConsumerRecord[Any, Any]:
        if not self.idle:
            try:
                async with asyncio.timeout(self.idle_after_s):
                    return await super().getone(*partitions)
            except TimeoutError:
                self.idle = True
                set_fetch_wait(self, self.idle_wait_ms)
        record = await super().getone(*partitions)
        self.idle = False
        set_fetch_wait(self, self.busy_wait_ms)
        return record


def set_fetch_wait(consumer: AIOKafkaConsumer, wait_ms: int) -> None:
    """Change the wait of a started consumer's next fetches. aiokafka has no public way: its fetcher reads a
    private attribute for every request it builds (tests/integration/common/test_fetch_pacing.py fails if
    that changes)."""
    consumer._fetcher._fetch_max_wait_ms = wait_ms


class ReelforgeBroker(KafkaBroker):
    """faststream's Kafka broker, whose subscribers join their groups at once and pace their fetches.

    A consumer's join waits out part of its session timeout for other members (3 s at our 6 s
    on Tansu), so a service with several subscriptions started them in that many rounds.
    Every consumer is a `PacedConsumer`.
    """

    def __init__(self, *args: Any, idle_fetch_max_wait_ms: int, idle_after_s: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._idle_fetch_max_wait_ms = idle_fetch_max_wait_ms
        self._idle_after_s = idle_after_s

    async def _connect(self) -> Callable[..., AIOKafkaConsumer]:
        """faststream builds its consumers with a `partial` of aiokafka's class; ours takes the same options."""
        plain = await super()._connect()
        assert isinstance(plain, partial), "faststream's consumer builder is no longer a partial"
        paced = partial(
            PacedConsumer,
            *plain.args,
            **plain.keywords,
            idle_fetch_max_wait_ms=self._idle_fetch_max_wait_ms,
            idle_after_s=self._idle_after_s,
        )
        self.config.broker_config.builder = paced
        return paced

    async def start(self) -> None:
        await self.connect()
        await asyncio.gather(*(subscriber.start() for subscriber in self.subscribers))
        for publisher in self.publishers:
            await publisher.start()
        self.running = True


def make_broker(settings: BusSettings, client_id: str) -> KafkaBroker:
    return ReelforgeBroker(
        settings.kafka_bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=settings.kafka_enable_idempotence,
        linger_ms=0,
        graceful_timeout=settings.shutdown_grace_s,
        logger=logging.getLogger(f"reelforge.bus.{client_id}"),
        log_level=logging.DEBUG,
        idle_fetch_max_wait_ms=settings.kafka_idle_fetch_max_wait_ms,
        idle_after_s=settings.kafka_idle_after_s,
    )


def consumer_options(settings: BusSettings, group_id: str) -> dict[str, Any]:
    """Options for `broker.subscriber`: committed only after the handler's effects are durable."""
    return {
        "group_id": group_id,
        "auto_offset_reset": "earliest",
        "ack_policy": AckPolicy.NACK_ON_ERROR,
        "fetch_max_wait_ms": settings.kafka_fetch_max_wait_ms,
        "max_poll_interval_ms": settings.kafka_max_poll_interval_ms,
        "session_timeout_ms": settings.kafka_session_timeout_ms,
        "heartbeat_interval_ms": settings.kafka_heartbeat_interval_ms,
        "consumer_timeout_ms": FETCHER_WAKE_MS,
        "max_poll_records": 1,
        "partition_assignment_strategy": (RangePartitionAssignor,),
    }


class BusAdmin:
    """Topics and epoch markers, over one admin connection that a service keeps for its life (`of_broker`).

    Opening a client per look (every `kafka_topic_check_s`) cost a connection, a metadata
    bootstrap and a background task each time.
    """

    def __init__(self, client: AIOKafkaAdminClient, settings: BusSettings) -> None:
        self.client = client
        self.settings = settings

    @classmethod
    async def of_broker(cls, broker: KafkaBroker, settings: BusSettings) -> "BusAdmin":
        """The broker's own admin connection, which faststream opens as it connects (and closes as it stops)."""
        await broker.connect()
        return cls(broker.config.broker_config.admin_client, settings)

    async def listed(self) -> set[str]:
        return set(await self.client.list_topics())

    async def ensure_topics(self, topics: list[str], listed: set[str] | None = None) -> None:
        """Create `topics` and their dead-letter topics if missing, so consumers never wait on auto-creation.

        "Missing" is what the broker lists: a topic Tansu created implicitly, on a produce after
        it lost its data, is not listed, and offsets cannot be committed on it until it is
        created for real.
        """
        listed = await self.listed() if listed is None else listed
        wanted = [name for topic in topics for name in (topic, dead_letter_topic(topic))]
        missing = [name for name in dict.fromkeys(wanted) if name not in listed]
        if missing:
            await self._create([NewTopic(name, self.settings.kafka_topic_partitions, 1) for name in missing])

    async def epoch(self) -> str:
        """The marker of the broker's current life: a topic `reelforge.epoch.<id>`, made by the first service to look.

        A broker that loses its data (Tansu's memory store, restarted) loses the marker with it.
        Two services starting at once may each make one; each keeps its own, and all go together.
        """
        markers = sorted(name for name in await self.listed() if name.startswith(EPOCH_PREFIX))
        if markers:
            return markers[0]
        marker = f"{EPOCH_PREFIX}{uuid4().hex}"
        await self._create([NewTopic(marker, 1, 1)])
        return marker

    async def _create(self, topics: list[NewTopic]) -> None:
        try:
            await self.client.create_topics(topics)
        except TopicAlreadyExistsError:
            log.debug("topics created concurrently by another service")


@asynccontextmanager
async def one_off_admin(settings: BusSettings) -> AsyncIterator[BusAdmin]:
    """A `BusAdmin` on a connection of its own, for a caller that holds no broker."""
    client = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await client.start()
    try:
        yield BusAdmin(client, settings)
    finally:
        await client.close()


async def epoch_markers(settings: BusSettings) -> set[str]:
    """The markers of the broker's current life (making one if it has none): see `BusAdmin.epoch`."""
    async with one_off_admin(settings) as admin:
        await admin.epoch()
        return {name for name in await admin.listed() if name.startswith(EPOCH_PREFIX)}


async def watch_bus(admin: BusAdmin, topics: list[str], epoch: str, lost: asyncio.Event) -> None:
    """Every `kafka_topic_check_s`: set `lost` and stop if the broker forgot its data, else re-create missing topics.

    Kafka clients that outlive their broker's memory keep stale state (assignments on topics
    that are gone, offsets they cannot commit) and may stall; the cure is fresh clients, so
    the service restarts (see `service.serve`). A broker that was only unreachable keeps
    the marker, and its clients simply reconnect.
    """
    while True:
        await asyncio.sleep(admin.settings.kafka_topic_check_s)
        try:
            listed = await admin.listed()
            if epoch not in listed:
                log.error("the broker has lost its data (its topics are gone): restarting with fresh connections")
                lost.set()
                return
            await admin.ensure_topics(topics, listed)
        except Exception:
            log.warning("could not check the bus; will try again", exc_info=True)
