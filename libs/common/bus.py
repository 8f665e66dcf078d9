"""The Kafka bus: one broker factory and one set of consumer options for every service.

Delivery is at-least-once: producers wait for all in-sync replicas (`acks=all`);
consumers never auto-commit and use faststream's NACK_ON_ERROR policy, which commits
the offset only after the handler returned and seeks back to the message when it
raised (ACK and REJECT_ON_ERROR would commit a failed message and lose it).
"""

import logging
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.coordinator.assignors.range import RangePartitionAssignor
from aiokafka.errors import TopicAlreadyExistsError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker

from libs.common.settings import BusSettings

log = logging.getLogger(__name__)


def dead_letter_topic(topic: str) -> str:
    return f"{topic}.dlq"


def make_broker(settings: BusSettings, client_id: str) -> KafkaBroker:
    return KafkaBroker(
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
    """Create `topics` and their dead-letter topics if missing, so consumers never wait on auto-creation."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [name for topic in topics for name in (topic, dead_letter_topic(topic))]
        missing = [name for name in dict.fromkeys(wanted) if name not in existing]
        if missing:
            new = [NewTopic(name, settings.kafka_topic_partitions, 1) for name in missing]
            try:
                await admin.create_topics(new)
            except TopicAlreadyExistsError:
                log.debug("topics created concurrently by another service")
    finally:
        await admin.close()
