"""Up to N messages of one subscription in hand at once, still at-least-once and in order per job.

`subscribe_concurrently` takes messages from faststream's consumer loop as fast as there are free
places (`limit`), runs each as a task, and commits offsets itself (faststream's MANUAL ack policy):
a partition's offset moves only past messages that are done, and every earlier message of that
partition is done too, so a crash or a shutdown never skips an unfinished message (redelivery
changes nothing thanks to the ledger). Messages with the same key (the job id, the same on every
topic of the subscription) run one after another, in the order they were taken, which is their
partition order; messages of other jobs run beside them.

faststream's own `max_workers` does not fit: with ACK_FIRST it turns on aiokafka's auto-commit, which
commits work that has not finished; its manual-commit variant takes a single topic (render and story
join two) and runs one consumer per partition, so two jobs on one partition still wait on each other.

From faststream's subscriber this relies on what its own graceful stop is made of: work holds the
subscriber's `lock`, which `stop()` waits on for the broker's `graceful_timeout` (the shutdown grace),
and the tasks it registered with `add_task` are cancelled after that, which abandons whatever is left
uncommitted, exactly as for the one message a sequential subscriber holds.
"""

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Hashable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol, cast

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import KafkaError
from aiokafka.structs import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

log = logging.getLogger(__name__)

Deliver = Callable[[ConsumerRecord], Awaitable[None]]
"""Handles one record completely; raises only when the record must be delivered again (its database is down)."""

REDELIVER_BASE_S = 0.5
REDELIVER_MAX_S = 30.0


class Subscription(Protocol):
    """What this module uses of a faststream subscriber (`faststream.kafka` `DefaultSubscriber`)."""

    running: bool
    lock: AbstractContextManager[Any]

    def add_task(
        self,
        func: Callable[..., Any],
        func_args: tuple[Any, ...] | None = None,
        func_kwargs: dict[str, Any] | None = None,
        *,
        restart_on_failure: bool = True,
    ) -> None: ...


@dataclass
class PartitionOffsets:
    """The offsets of one partition taken in hand and not yet done, since it was last assigned here."""

    in_hand: Counter[int] = field(default_factory=Counter)
    end: int = 0
    """One past the highest offset taken."""
    committed: int = -1
    revoked: bool = False
    committing: asyncio.Lock = field(default_factory=asyncio.Lock)

    def take(self, offset: int) -> None:
        self.in_hand[offset] += 1
        self.end = max(self.end, offset + 1)

    def finish(self, offset: int) -> None:
        self.in_hand[offset] -= 1
        if self.in_hand[offset] <= 0:
            del self.in_hand[offset]

    @property
    def safe(self) -> int:
        """The offset to commit: the lowest still in hand, or one past the last taken when all are done."""
        return min(self.in_hand) if self.in_hand else self.end


class ConcurrentDelivery:
    """One subscription's messages in hand: their places, their order per key, their offsets per partition."""

    def __init__(self, limit: int, deliver: Deliver, name: str) -> None:
        self.deliver = deliver
        self.name = name
        self.subscriber: Subscription | None = None
        self._places = asyncio.Semaphore(limit)
        self._partitions: dict[TopicPartition, PartitionOffsets] = {}
        self._last_of_key: dict[Hashable, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._guarded = False

    async def admit(self, record: ConsumerRecord, consumer: AIOKafkaConsumer) -> None:
        """Take `record` in hand once a place is free (until then faststream's loop fetches nothing more)."""
        subscriber = self.subscriber
        assert subscriber is not None, "admit() before the subscription was made"
        await self._places.acquire()
        if not subscriber.running:  # stopping: leave the record uncommitted for the next owner
            self._places.release()
            return
        self._cancel_at_stop(subscriber)
        where = TopicPartition(record.topic, record.partition)
        offsets = self._partitions.setdefault(where, PartitionOffsets())
        offsets.take(record.offset)
        key: Hashable = record.key if record.key is not None else where
        before = self._last_of_key.get(key)
        lock = subscriber.lock  # held from now on, so a stop that begins now waits for this record too
        lock.__enter__()
        task = asyncio.create_task(
            self._work(record, consumer, where, offsets, before), name=f"{self.name} {_position(record)}"
        )
        self._tasks.add(task)
        self._last_of_key[key] = task
        task.add_done_callback(partial(self._done, key, lock))

    def _done(self, key: Hashable, lock: AbstractContextManager[Any], task: asyncio.Task[None]) -> None:
        """Whatever the end (done, or cancelled even before it started): free the place and the lock."""
        self._tasks.discard(task)
        if self._last_of_key.get(key) is task:
            del self._last_of_key[key]
        lock.__exit__(None, None, None)
        self._places.release()

    async def _work(
        self,
        record: ConsumerRecord,
        consumer: AIOKafkaConsumer,
        where: TopicPartition,
        offsets: PartitionOffsets,
        before: asyncio.Task[None] | None,
    ) -> None:
        """Deliver after the key's previous record is done, then commit what that makes safe to commit.

        A cancellation (the grace of a stop ran out) leaves the offset in hand, so nothing past it is committed.
        """
        if before is not None:
            await asyncio.wait([before])
        await self._deliver_until_done(record)
        offsets.finish(record.offset)
        await self._commit(consumer, where, offsets)

    async def _deliver_until_done(self, record: ConsumerRecord) -> None:
        """What a sequential subscriber does by seeking back to a record whose handling raised."""
        attempt = 0
        while True:
            try:
                await self.deliver(record)
                return
            except Exception:
                attempt += 1
                delay = min(REDELIVER_MAX_S, REDELIVER_BASE_S * 2 ** (attempt - 1))
                log.exception("%s: delivering %s failed; again in %.1f s", self.name, _position(record), delay)
                await asyncio.sleep(delay)

    async def _commit(self, consumer: AIOKafkaConsumer, where: TopicPartition, offsets: PartitionOffsets) -> None:
        async with offsets.committing:  # one commit at a time per partition, so offsets never go back
            offset = offsets.safe
            if offsets.revoked or offset <= offsets.committed:
                return
            try:
                await consumer.commit({where: offset})
            except KafkaError as error:  # a rebalance or the broker away: the next commit covers it, or a redelivery
                log.warning("%s: could not commit %s at %d: %r", self.name, where, offset, error)
                return
            offsets.committed = offset

    def _cancel_at_stop(self, subscriber: Subscription) -> None:
        """Once per start: a task of the subscriber's own, which its `stop()` cancels after the grace."""
        if self._guarded:
            return
        self._guarded = True
        subscriber.add_task(self._abandon_when_cancelled, restart_on_failure=False)

    async def _abandon_when_cancelled(self) -> None:
        try:
            await asyncio.Event().wait()
        finally:
            self._guarded = False
            for task in list(self._tasks):
                task.cancel()

    def partitions_changed(self, partitions: Sequence[TopicPartition]) -> None:
        """A rebalance: what is in hand for these partitions may be delivered again, here or elsewhere, and
        their offsets start again from the committed one; the work in hand runs on but commits nothing."""
        for where in partitions:
            offsets = self._partitions.pop(where, None)
            if offsets is not None:
                offsets.revoked = True


class _Rebalances(ConsumerRebalanceListener):
    def __init__(self, delivery: ConcurrentDelivery) -> None:
        self.delivery = delivery

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        self.delivery.partitions_changed(list(revoked))

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        self.delivery.partitions_changed(list(assigned))  # a fresh consumer is assigned without a revocation


def subscribe_concurrently(
    broker: KafkaBroker, topics: tuple[str, ...], options: dict[str, Any], limit: int, deliver: Deliver
) -> ConcurrentDelivery:
    """Subscribe `deliver` to `topics` with `options` (`bus.consumer_options`), up to `limit` records in hand."""
    delivery = ConcurrentDelivery(limit, deliver, str(options.get("group_id", ",".join(topics))))
    subscriber = broker.subscriber(
        *topics, **{**options, "ack_policy": AckPolicy.MANUAL, "listener": _Rebalances(delivery)}
    )
    delivery.subscriber = cast(Subscription, subscriber)

    @subscriber
    async def on_message(_decoded: Any, message: KafkaMessage) -> None:
        await delivery.admit(message.raw_message, cast(AIOKafkaConsumer, message.consumer))

    return delivery


def _position(record: ConsumerRecord) -> str:
    return f"{record.topic}[{record.partition}]@{record.offset}"
