"""The Kafka bus: one broker factory and one set of consumer options for every service.

Delivery is at-least-once: producers wait for all in-sync replicas (`acks=all`);
consumers never auto-commit and use faststream's NACK_ON_ERROR policy, which commits
the offset only after the handler returned and seeks back to the message when it
raised (ACK and REJECT_ON_ERROR would commit a failed message and lose it).
"""

import asyncio
import logging
from typing import Any
from uuid import uuid4

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.coordinator.assignors.range import RangePartitionAssignor
from aiokafka.errors import TopicAlreadyExistsError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker

from libs.common.settings import BusSettings

log = logging.getLogger(__name__)

EPOCH_PREFIX = "reelforge.epoch."


def dead_letter_topic(topic: str) -> str:
    return f"{topic}.dlq"


class ReelforgeBroker(KafkaBroker):
    """faststream's Kafka broker, whose subscribers join their groups at once rather than one by one.

    A consumer's join waits out part of its session timeout for other members (3 s at our 6 s
    on Tansu), so a service with several subscriptions started them in that many rounds.
    """

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
        "max_poll_records": 1,
        "partition_assignment_strategy": (RangePartitionAssignor,),
    }


async def ensure_topics(settings: BusSettings, topics: list[str]) -> None:
    """Create `topics` and their dead-letter topics if missing, so consumers never wait on auto-creation.

    "Missing" is what the broker lists: a topic Tansu created implicitly, on a produce after
    it lost its data, is not listed, and offsets cannot be committed on it until it is
    created for real.
    """
    await _create_missing(settings, topics, await _listed(settings))


async def bus_epoch(settings: BusSettings) -> str:
    """The marker of the broker's current life: a topic `reelforge.epoch.<id>`, made by the first service to look.

    A broker that loses its data (Tansu's memory store, restarted) loses the marker with it.
    Two services starting at once may each make one; each keeps its own, and all go together.
    """
    markers = sorted(name for name in await _listed(settings) if name.startswith(EPOCH_PREFIX))
    if markers:
        return markers[0]
    marker = f"{EPOCH_PREFIX}{uuid4().hex}"
    await _create(settings, [NewTopic(marker, 1, 1)])
    return marker


async def epoch_markers(settings: BusSettings) -> set[str]:
    """The markers of the broker's current life (making one if it has none): see `bus_epoch`."""
    await bus_epoch(settings)
    return {name for name in await _listed(settings) if name.startswith(EPOCH_PREFIX)}


async def watch_bus(settings: BusSettings, topics: list[str], epoch: str, lost: asyncio.Event) -> None:
    """Every `kafka_topic_check_s`: set `lost` and stop if the broker forgot its data, else re-create missing topics.

    Kafka clients that outlive their broker's memory keep stale state (assignments on topics
    that are gone, offsets they cannot commit) and may stall; the cure is fresh clients, so
    the service restarts (see `service.serve`). A broker that was only unreachable keeps
    the marker, and its clients simply reconnect.
    """
    while True:
        await asyncio.sleep(settings.kafka_topic_check_s)
        try:
            listed = await _listed(settings)
            if epoch not in listed:
                log.error("the broker has lost its data (its topics are gone): restarting with fresh connections")
                lost.set()
                return
            await _create_missing(settings, topics, listed)
        except Exception:
            log.warning("could not check the bus; will try again", exc_info=True)


async def _listed(settings: BusSettings) -> set[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        return set(await admin.list_topics())
    finally:
        await admin.close()


async def _create_missing(settings: BusSettings, topics: list[str], listed: set[str]) -> None:
    wanted = [name for topic in topics for name in (topic, dead_letter_topic(topic))]
    missing = [name for name in dict.fromkeys(wanted) if name not in listed]
    if missing:
        await _create(settings, [NewTopic(name, settings.kafka_topic_partitions, 1) for name in missing])


async def _create(settings: BusSettings, topics: list[NewTopic]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        await admin.create_topics(topics)
    except TopicAlreadyExistsError:
        log.debug("topics created concurrently by another service")
    finally:
        await admin.close()
