"""The delivery scheduler: the background loop that makes every due attempt, whichever replica runs it.

It claims due messages (each claim is a lease on one attempt, see `store.claim_due`), makes each
attempt in a task of its own, up to `webhook_max_in_flight` at once, and records each result in
one transaction with its report. Between rounds it sleeps until the next message falls due, a
message is created or replayed here (`wake`), or `webhook_poll_s` passes (work from other replicas); a
look that finds nothing waiting is a read, not a claim.
A replica that dies mid-attempt leaves a lease that runs out, and the attempt is made again.
"""

import asyncio
import logging
import time
from datetime import timedelta

from libs.common.events import WebhookDeliveryRecorded, WebhookEndpointDisabled, now
from libs.common.metrics import WEBHOOK_ATTEMPTS, WEBHOOK_ENDPOINTS_DISABLED, WEBHOOK_FAILURES, WEBHOOK_SECONDS
from libs.common.outbox import stage_event
from libs.common.runtime import Runtime
from libs.common.settings import WebhookSettings
from libs.common.waiting import woken_within
from services.notifier.deliveries import GONE_REASON, record_attempt
from services.notifier.policy import AttemptResult, RetryPolicy
from services.notifier.sender import WebhookSender
from services.notifier.store import DueAttempt, claim_due, next_due_at

log = logging.getLogger(__name__)

LEASE_MARGIN_S = 30.0
SHORTEST_PAUSE_S = 0.05


class DeliveryScheduler:
    def __init__(self, runtime: Runtime, sender: WebhookSender, policy: RetryPolicy, settings: WebhookSettings) -> None:
        self.runtime = runtime
        self.sender = sender
        self.policy = policy
        self.max_in_flight = settings.webhook_max_in_flight
        self.poll_s = settings.webhook_poll_s
        self.lease = timedelta(seconds=settings.webhook_timeout_s + LEASE_MARGIN_S)
        self._wakeup = asyncio.Event()
        self._in_flight: set[asyncio.Task[None]] = set()

    def wake(self) -> None:
        self._wakeup.set()

    async def run(self) -> None:
        """Deliver until cancelled; attempts in flight are cancelled with it (their leases run out)."""
        try:
            while True:
                free = self.max_in_flight - len(self._in_flight)
                try:
                    started = await self._start_due(free) if free > 0 else 0
                    if free == 0 or started < free:
                        await self._pause()
                except Exception:
                    log.warning("could not look for due webhooks; will try again", exc_info=True)
                    await asyncio.sleep(self.poll_s)
        finally:
            in_flight = list(self._in_flight)
            for task in in_flight:
                task.cancel()
            await asyncio.gather(*in_flight, return_exceptions=True)

    async def _start_due(self, free: int) -> int:
        claimed = await claim_due(self.runtime.db, free, self.lease)
        for due in claimed:
            task = asyncio.create_task(self._attempt(due), name=f"webhook-{due.message_id}")
            self._in_flight.add(task)
            task.add_done_callback(self._finished)
        return len(claimed)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self.wake()

    async def _pause(self) -> None:
        """Sleep until the next message falls due, one is made or replayed here, or `poll_s` passes. A look
        after `poll_s` that finds nothing waiting anywhere is a read alone, and sleeps again."""
        while True:
            due = await next_due_at(self.runtime.db) if len(self._in_flight) < self.max_in_flight else None
            delay = self.poll_s
            if due is not None:
                delay = min(delay, max(SHORTEST_PAUSE_S, (due - now()).total_seconds()))
            woken = await woken_within(self._wakeup, delay)
            self._wakeup.clear()
            if woken or due is not None:
                return

    async def _attempt(self, due: DueAttempt) -> None:
        started = time.perf_counter()
        try:
            result = await self.sender.attempt(due)
        except Exception:  # a bug, not the receiver's doing: still one failed attempt, so retries stay bounded
            log.exception("attempt %d of %s failed unexpectedly", due.attempt_number, due.message_id)
            result = AttemptResult(error="the notifier failed to send this attempt", no_answer="notifier_error")
        WEBHOOK_SECONDS.observe(time.perf_counter() - started)
        try:
            async with self.runtime.db.transaction() as session:
                events = await record_attempt(session, due, result, self.policy)
                for event in events:
                    stage_event(session, event)
        except Exception:
            log.exception("attempt %d of %s not recorded; it will be made again", due.attempt_number, due.message_id)
            return
        self.runtime.wake_relay()
        reports = [event for event in events if isinstance(event, WebhookDeliveryRecorded)]
        outcome = reports[0].outcome if reports else "superseded"
        WEBHOOK_ATTEMPTS.labels(outcome).inc()
        if reports and result.failure is not None:
            WEBHOOK_FAILURES.labels(result.failure).inc()
        for disabled in (event for event in events if isinstance(event, WebhookEndpointDisabled)):
            WEBHOOK_ENDPOINTS_DISABLED.labels("gone" if disabled.reason == GONE_REASON else "failing").inc()
        log.info(
            "webhook %s to endpoint %s, attempt %d: %s (%s)",
            due.message_id,
            due.endpoint_id,
            due.attempt_number,
            outcome,
            result.http_status or result.error,
        )
