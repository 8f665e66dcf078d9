"""One upstream feed per job per gateway replica, shared by every progress stream of that job.

The first subscriber of a job starts the job's feed: one task that reads the job's history from
`job_events` once, then reads only what is new, each time the projection signals a change in this
replica (`notify`) and at least every `event_poll_s` (for changes projected by another replica).
A subscriber gets the history from the feed's memory, then each new entry through its own queue of
at most `progress_send_queue` entries; one that falls further behind is dropped, so a slow client
never slows the feed or the job's other clients. The last subscriber leaving stops the feed. The
database thus sees one reader per job, however many sockets follow it, and no socket holds a
database session.
"""

import asyncio
import json
import logging
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC
from typing import NamedTuple
from uuid import UUID

from libs.common.events import now
from libs.common.runtime import Runtime
from libs.common.waiting import woken_within
from services.gateway.core import jobs
from services.gateway.core.progress_stream import message
from services.gateway.core.store import JobEvent
from services.gateway.settings import GatewaySettings

log = logging.getLogger(__name__)

ENDING_KINDS = frozenset({"jobs.completed", "jobs.failed", "jobs.cancelled"})
"""History entries after which a job changes no more (a re-render aside: see `Subscription`)."""


COMPLETION_HOLD_S = 10.0
"""How long a completion waits, at most, for progress it overtook (see `_held`)."""


class Outgoing(NamedTuple):
    """A history entry as the feed gives it out: with its message's JSON, encoded once for every subscriber."""

    entry: JobEvent
    text: str


def encode(entry: JobEvent) -> Outgoing:
    return Outgoing(entry, json.dumps(message(entry), separators=(",", ":"), ensure_ascii=False))


class SubscriberDropped(Exception):
    """The subscriber fell more than `progress_send_queue` entries behind its job's feed."""


def ends_stream(entry: JobEvent, rerenders: bool) -> bool:
    """Whether a stream stops after `entry`: at the job's first end, or, following re-renders, only at a
    failure or cancellation (a completed job may be rendered again; a failed or cancelled one never changes)."""
    if entry.kind not in ENDING_KINDS:
        return False
    return not rerenders or entry.kind != "jobs.completed"


class Subscription:
    """One client's view of its job's feed: the history after `after_id`, then each new entry, in order.

    Iterate it (entries), or call `next_message` (each entry with its JSON text, encoded once per feed
    for all its subscribers); iteration stops after the entry that `ends_stream`, and raises
    `SubscriberDropped` once the client has fallen too far behind (`dropped` is set at that moment, for a
    sender blocked in a write to notice).
    """

    def __init__(self, after_id: int, rerenders: bool, limit: int) -> None:
        self.rerenders = rerenders
        self.dropped = asyncio.Event()
        self._last_id = after_id
        self._limit = limit
        self._replay: deque[Outgoing] = deque()
        self._pending: deque[Outgoing] = deque()
        self._ready = asyncio.Event()
        self._joined = False
        self._ended = False

    def _join(self, history: list[Outgoing]) -> None:
        """Take the history the feed has given out so far; called without yielding to the loop, so no entry
        is missed or seen twice between the history and the live entries."""
        self._replay.extend(item for item in history if (item.entry.id or 0) > self._last_id)
        if history:
            self._last_id = max(self._last_id, history[-1].entry.id or 0)
        self._joined = True
        self._ready.set()

    def _offer(self, item: Outgoing) -> None:
        if not self._joined or self.dropped.is_set() or (item.entry.id or 0) <= self._last_id:
            return
        if len(self._pending) >= self._limit:
            self._pending.clear()
            self.dropped.set()
        else:
            self._pending.append(item)
            self._last_id = item.entry.id or self._last_id
        self._ready.set()

    async def next_message(self, idle_s: float | None = None) -> Outgoing | None:
        """The next entry and its text; None when none came within `idle_s` (a heartbeat is due)."""
        while True:
            if self.dropped.is_set():
                raise SubscriberDropped
            if self._ended:
                raise StopAsyncIteration
            queued = self._replay or self._pending
            if queued:
                item = queued.popleft()
                self._ended = ends_stream(item.entry, self.rerenders)
                return item
            self._ready.clear()
            if idle_s is None:
                await self._ready.wait()
            elif not await woken_within(self._ready, idle_s):
                return None

    async def next(self, idle_s: float | None = None) -> JobEvent | None:
        """The next entry; None when none came within `idle_s` (a heartbeat is due)."""
        item = await self.next_message(idle_s)
        return item.entry if item is not None else None

    def __aiter__(self) -> "Subscription":
        return self

    async def __anext__(self) -> JobEvent:
        entry = await self.next()
        assert entry is not None  # no idle limit: only an entry, the end or a drop comes back
        return entry


class _Feed:
    """The one reader of a job's history in this replica.

    `rows` are the table's rows as last read; `history` is the part of them given to subscribers, which
    stops short of a completion held back (`_held`) until the progress it may have overtaken is in."""

    def __init__(self, hub: "ProgressHub", runtime: Runtime, job_id: UUID, poll_s: float) -> None:
        self.hub, self.runtime, self.job_id, self.poll_s = hub, runtime, job_id, poll_s
        self.rows: list[JobEvent] = []
        self.history: list[Outgoing] = []
        self.subscribers: set[Subscription] = set()
        self.read_once = asyncio.Event()
        self.changed = asyncio.Event()
        self.task = asyncio.create_task(self._run(), name=f"progress-feed-{job_id}")

    async def _run(self) -> None:
        while True:
            self.changed.clear()
            try:
                await self._read()
            except Exception:
                log.warning("reading the progress of job %s failed; trying again", self.job_id, exc_info=True)
                await asyncio.sleep(self.poll_s)
                continue
            hold_s = self._deliver()
            if not self.read_once.is_set():
                self.read_once.set()
                for subscriber in self.subscribers:
                    subscriber._join(self.history)
            await woken_within(self.changed, self.poll_s if hold_s is None else min(self.poll_s, hold_s))

    async def _read(self) -> None:
        """Bring `rows` up to the table.

        The projection moves a completion behind progress read after it (see `projection`), which
        deletes a row this feed already read: a batch bringing a completion, when the rows already
        hold one, reloads them (one more query, once per render)."""
        last_id = (self.rows[-1].id or 0) if self.rows else 0
        fresh = await jobs.events_after(self.runtime, self.job_id, last_id)
        self.hub.reads += 1
        completes = any(entry.kind == "jobs.completed" for entry in fresh)
        if completes and any(entry.kind == "jobs.completed" for entry in self.rows):
            self.rows = await jobs.events_after(self.runtime, self.job_id, 0)
            self.hub.reads += 1
            kept = {_identity(row) for row in self.rows}
            self.history = [item for item in self.history if _identity(item.entry) in kept]
        else:
            self.rows.extend(fresh)

    def _deliver(self) -> float | None:
        """Give subscribers the rows they have not had, in order, up to a completion held back; returns how
        long that one is still held (None: none is)."""
        given = (self.history[-1].entry.id or 0) if self.history else 0
        rendered = False
        for entry in self.rows:
            rendered = rendered or (entry.kind == "jobs.progress" and entry.progress >= 100)
            if (entry.id or 0) <= given:
                continue
            hold_s = 0.0 if rendered else _held(entry)
            if hold_s > 0:
                return hold_s
            item = encode(entry)
            self.history.append(item)
            for subscriber in list(self.subscribers):
                subscriber._offer(item)
        return None


def _identity(entry: JobEvent) -> tuple[int | None, str, int, str]:
    """A row as the feed tells rows apart (SQLite may give a moved row's id to the row after it)."""
    return entry.id, entry.kind, entry.progress, entry.message


def _held(entry: JobEvent) -> float:
    """How much longer a completion with no 100 % progress before it waits for that progress (0: none).

    A job's progress events share one partition, in order, and the render reports 100 % after every
    other stage's progress and before its completion; but the completion travels on another topic and
    can be read first (the projection then records the late progress before it, `projection`). Once
    the 100 % is in, nothing the stages reported before the completion can still be on its way. A
    completion announced again without a render (a redrive that reused the video) has no 100 %: it is
    given out `COMPLETION_HOLD_S` after it was recorded."""
    if entry.kind != "jobs.completed":
        return 0.0
    recorded = entry.created_at if entry.created_at.tzinfo else entry.created_at.replace(tzinfo=UTC)
    return max(0.0, COMPLETION_HOLD_S - (now() - recorded).total_seconds())


class ProgressHub:
    """The replica's job feeds, and the projection's wake-ups for them (`notify`)."""

    def __init__(self) -> None:
        self._feeds: dict[UUID, _Feed] = {}
        self.feeds_started = 0
        """Feeds started since this hub was made (one per job while it has subscribers)."""
        self.reads = 0
        """Queries the feeds made to `job_events`."""

    def notify(self, job_id: UUID) -> None:
        """The projection changed `job_id`'s history: its feed, if any, reads now."""
        feed = self._feeds.get(job_id)
        if feed is not None:
            feed.changed.set()

    def subscribers(self, job_id: UUID) -> int:
        feed = self._feeds.get(job_id)
        return len(feed.subscribers) if feed is not None else 0

    @asynccontextmanager
    async def subscribe(
        self, runtime: Runtime, job_id: UUID, after_id: int = 0, rerenders: bool = False
    ) -> AsyncIterator[Subscription]:
        """Follow `job_id` from after history entry `after_id`; leaving the block unsubscribes."""
        settings: GatewaySettings = runtime.settings
        feed = self._feeds.get(job_id)
        if feed is None:
            feed = self._feeds[job_id] = _Feed(self, runtime, job_id, settings.event_poll_s)
            self.feeds_started += 1
        subscription = Subscription(after_id, rerenders, settings.progress_send_queue)
        feed.subscribers.add(subscription)
        if feed.read_once.is_set():
            subscription._join(feed.history)
        try:
            yield subscription
        finally:
            feed.subscribers.discard(subscription)
            if not feed.subscribers and self._feeds.get(job_id) is feed:
                del self._feeds[job_id]
                feed.task.cancel()
