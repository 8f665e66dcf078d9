"""What one delivery attempt's answer means, and when the next attempt is due.

The schedule lists the delay before each attempt, counted from the attempt before it (the first
from the event), as Standard Webhooks receivers expect: 0 s, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
10 h by default. Only a 2xx is a delivery; 410 Gone means the receiver wants no more; a 429 or
503 may say how long to wait (`Retry-After`), and the next attempt is never sooner than that.
"""

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Literal

from libs.common.events import DeliveryOutcome

RETRY_AFTER_STATUSES = frozenset({429, 503})
JITTER = 0.10
NoAnswer = Literal["refused_address", "timeout", "unreachable", "notifier_error"]
"""Why an attempt got no status: its address did not pass the check, the receiver did not answer in time or
could not be reached, or the notifier itself failed."""
LONGEST_RETRY_AFTER_S = 24 * 3600.0  # a receiver cannot park a message for longer than a day


@dataclass(frozen=True)
class AttemptResult:
    """How one attempt ended: the receiver's status, or why there was none."""

    http_status: int | None = None
    error: str | None = None
    retry_after_s: float | None = None
    no_answer: NoAnswer | None = None

    @property
    def delivered(self) -> bool:
        return self.http_status is not None and 200 <= self.http_status < 300

    @property
    def failure(self) -> str | None:
        """Why this attempt was no delivery, in a word of a few (the metrics' `reason`); None when it was one."""
        status = self.http_status
        if status is None:
            return self.no_answer or "no_answer"
        if 200 <= status < 300:
            return None
        if status in (410, 429):
            return "gone" if status == 410 else "rate_limited"
        return {3: "redirect", 4: "client_error", 5: "server_error"}.get(status // 100, "other_status")

    @property
    def gone(self) -> bool:
        return self.http_status == 410


@dataclass(frozen=True)
class Verdict:
    outcome: DeliveryOutcome
    next_step: int
    next_attempt_at: datetime | None


@dataclass(frozen=True)
class RetryPolicy:
    """The retry schedule (seconds before each attempt) and the randomness its jitter draws on."""

    schedule: tuple[float, ...]
    rng: random.Random = field(default_factory=random.Random)

    def jittered(self, delay_s: float) -> float:
        """`delay_s` ± 10 %, never negative."""
        return max(0.0, delay_s * self.rng.uniform(1 - JITTER, 1 + JITTER))

    def first_attempt_at(self, at: datetime) -> datetime:
        return at + timedelta(seconds=self.jittered(self.schedule[0]))

    @property
    def last_step(self) -> int:
        """The position of the last attempt: a replay of a finished message is one last attempt."""
        return len(self.schedule) - 1

    def judge(self, result: AttemptResult, step: int, at: datetime) -> Verdict:
        """The outcome of the attempt made at schedule position `step`, which finished at `at`."""
        if result.delivered:
            return Verdict("delivered", step + 1, None)
        if result.gone:
            return Verdict("endpoint_disabled", step + 1, None)
        following = step + 1
        if following >= len(self.schedule):
            return Verdict("failed", following, None)
        delay = self.jittered(self.schedule[following])
        if result.retry_after_s is not None:
            delay = max(delay, min(result.retry_after_s, LONGEST_RETRY_AFTER_S))
        return Verdict("retrying", following, at + timedelta(seconds=delay))


def parse_retry_after(value: str | None, at: datetime) -> float | None:
    """Seconds to wait from a `Retry-After` header: delay-seconds or an HTTP date; None if absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        until = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if until.tzinfo is None:  # "-0000": UTC with no claim about local time
        until = until.replace(tzinfo=UTC)
    return max(0.0, (until - at).total_seconds())
