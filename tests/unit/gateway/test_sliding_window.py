"""The sliding-window estimate: a budget cannot be spent twice across a window boundary."""

from services.gateway.core.ratelimit import sliding_usage

MINUTE = 60


def test_a_budget_spent_at_the_end_of_a_window_still_counts_at_the_start_of_the_next() -> None:
    at = 600.5  # half a second into a new minute, after 100 hits in the one before
    usage = sliding_usage(100, MINUTE, current=1, previous=100, at=at)
    assert usage.exceeded, "fixed windows would admit a second hundred here"
    assert 600 + 0.5 < usage.reset_at <= 601, "one more fits once a hundredth of the previous minute has slid out"


def test_half_way_through_a_window_half_the_previous_windows_hits_still_count() -> None:
    usage = sliding_usage(100, MINUTE, current=50, previous=100, at=630.0)
    assert usage.count == 100 and not usage.exceeded and usage.remaining == 0
    assert sliding_usage(100, MINUTE, current=51, previous=100, at=630.0).exceeded


def test_past_the_limit_in_this_window_alone_the_wait_runs_into_the_next() -> None:
    usage = sliding_usage(10, 3600, current=11, previous=0, at=7200.0)
    assert usage.exceeded and 10800 < usage.reset_at < 10800 + 3600
    assert usage.headers()["X-RateLimit-Remaining"] == "0" and "Retry-After" in usage.headers()


def test_with_room_left_the_reset_is_the_end_of_the_window() -> None:
    usage = sliding_usage(100, MINUTE, current=1, previous=0, at=601.0)
    assert usage.remaining == 99 and usage.reset_at == 660.0
