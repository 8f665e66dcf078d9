"""Dead-letter records: an event that cannot be handled is parked on `<topic>.dlq`, never dropped.

The record carries where the message came from (topic, partition, offset), why it failed and
after how many attempts, and the original payload, so an operator can inspect and replay it.
"""

import json

from aiokafka.structs import ConsumerRecord
from sqlmodel.ext.asyncio.session import AsyncSession

from libs.common.bus import dead_letter_topic
from libs.common.events import now
from libs.common.outbox import stage_raw


def stage_dead_letter(
    session: AsyncSession, record: ConsumerRecord, reason: str, attempts: int, message_id: str
) -> None:
    """Queue the dead-letter record of `record` in the outbox, with the surrounding transaction."""
    body: bytes = record.value or b""
    dead = {
        "original_topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
        "error": reason,
        "attempts": attempts,
        "failed_at": now().isoformat(),
        "payload": body.decode("utf-8", errors="replace"),
    }
    key = record.key.decode("utf-8", errors="replace") if record.key else ""
    stage_raw(session, dead_letter_topic(record.topic), key, json.dumps(dead), {}, f"dlq:{message_id}")


def position(record: ConsumerRecord) -> str:
    """Where a message sits: stands in for the event id of a message too broken to have one."""
    return f"{record.topic}:{record.partition}:{record.offset}"
