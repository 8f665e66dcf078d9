"""Waiting for an `asyncio.Event` with a time limit, without ever losing a cancellation.

Python 3.11's `asyncio.wait_for` returns the inner result when it is cancelled at the moment the
inner wait completes (CPython gh-86296, fixed in 3.12). A background loop that sleeps that way
until it is woken can swallow the cancellation meant to stop it, and run on: a service's shutdown
then waits for it forever. `asyncio.timeout` counts cancellations and has no such race.
"""

import asyncio


async def woken_within(event: asyncio.Event, timeout_s: float) -> bool:
    """Wait until `event` is set or `timeout_s` passes; True if it was set."""
    try:
        async with asyncio.timeout(timeout_s):
            await event.wait()
    except TimeoutError:
        return False
    return True
