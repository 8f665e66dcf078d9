"""Waiting for a wake-up with a time limit: woken, timed out, and never deaf to a cancellation."""

import asyncio

import pytest

from libs.common.waiting import woken_within


async def test_a_set_event_wakes_the_waiter() -> None:
    event = asyncio.Event()
    asyncio.get_running_loop().call_later(0.01, event.set)

    assert await woken_within(event, 5.0) is True


async def test_an_unset_event_times_out() -> None:
    assert await woken_within(asyncio.Event(), 0.01) is False


async def test_a_cancellation_that_arrives_with_the_wake_up_still_cancels() -> None:
    """The race that made a background loop outlive its service: stopped and woken in the same instant."""
    event = asyncio.Event()
    waiter = asyncio.create_task(woken_within(event, 5.0))
    await asyncio.sleep(0)  # the waiter is now waiting
    event.set()
    waiter.cancel()

    with pytest.raises(asyncio.CancelledError):
        await waiter
