"""The retry schedule: jitter within ±10 %, what each answer means, and `Retry-After` in both forms."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from services.notifier.policy import AttemptResult, RetryPolicy, parse_retry_after

AT = datetime(2025, 11, 7, 12, 0, tzinfo=UTC)
DEFAULT = (0, 5, 300, 1800, 7200, 18000, 36000, 36000)


def policy(schedule: tuple[float, ...] = DEFAULT, seed: int = 7) -> RetryPolicy:
    return RetryPolicy(schedule, random.Random(seed))


def test_each_failed_attempt_waits_the_next_delay_of_the_schedule_within_ten_percent() -> None:
    for seed in range(50):
        retry = policy(seed=seed)
        for step, delay in enumerate(DEFAULT[1:]):
            verdict = retry.judge(AttemptResult(http_status=500), step, AT)
            assert verdict.outcome == "retrying" and verdict.next_step == step + 1
            assert verdict.next_attempt_at is not None
            waited = (verdict.next_attempt_at - AT).total_seconds()
            assert 0.9 * delay <= waited <= 1.1 * delay


def test_the_first_attempt_is_immediate_and_jitter_never_goes_negative() -> None:
    assert policy().first_attempt_at(AT) == AT
    assert all(policy(seed=seed).jittered(0.0) == 0.0 for seed in range(20))


def test_after_the_last_attempt_the_message_has_failed() -> None:
    verdict = policy().judge(AttemptResult(error="connection refused"), len(DEFAULT) - 1, AT)
    assert (verdict.outcome, verdict.next_attempt_at) == ("failed", None)


@pytest.mark.parametrize("status", [200, 201, 204, 299])
def test_any_2xx_is_delivered(status: int) -> None:
    assert policy().judge(AttemptResult(http_status=status), 0, AT).outcome == "delivered"


@pytest.mark.parametrize("status", [301, 302, 400, 404, 409, 500, 502])
def test_other_answers_are_retried(status: int) -> None:
    assert policy().judge(AttemptResult(http_status=status), 0, AT).outcome == "retrying"


def test_410_gone_disables_the_endpoint_at_once() -> None:
    verdict = policy().judge(AttemptResult(http_status=410), 0, AT)
    assert (verdict.outcome, verdict.next_attempt_at) == ("endpoint_disabled", None)


def test_retry_after_is_the_earliest_next_attempt_but_never_shortens_the_schedule() -> None:
    later = policy().judge(AttemptResult(http_status=429, retry_after_s=120), 0, AT)
    assert later.next_attempt_at is not None and later.next_attempt_at - AT == timedelta(seconds=120)
    sooner = policy().judge(AttemptResult(http_status=503, retry_after_s=1), 1, AT)
    assert sooner.next_attempt_at is not None and sooner.next_attempt_at - AT >= timedelta(seconds=270)


def test_a_receiver_cannot_park_a_message_for_more_than_a_day() -> None:
    verdict = policy().judge(AttemptResult(http_status=429, retry_after_s=10**9), 0, AT)
    assert verdict.next_attempt_at == AT + timedelta(days=1)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("Fri, 07 Nov 2025 12:01:30 GMT", 90.0),
        ("Fri, 07 Nov 2025 11:00:00 GMT", 0.0),
        ("soon", None),
        ("-5", None),
        (None, None),
    ],
)
def test_retry_after_is_read_as_seconds_or_an_http_date(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header, AT) == seconds
