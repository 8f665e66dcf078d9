"""Consumers pace their fetches: the long wait while idle (from the start), the short one from a record on.

The wait is read from what aiokafka actually sends: every fetch request it builds is recorded,
so the test fails if aiokafka stops taking the wait from where `set_fetch_wait` puts it.
"""

import asyncio
from collections.abc import Callable

import pytest
from aiokafka.consumer import fetcher

from libs.common.bus import consumer_options, make_broker, one_off_admin
from libs.common.settings import BusSettings

SHORT_MS, LONG_MS = 20, 300


@pytest.fixture
def fetch_waits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The wait of every fetch request built from now on, in order."""
    waits: list[int] = []

    class Recorded(fetcher.FetchRequest):
        def __init__(self, max_wait_time: int, *args: object, **kwargs: object) -> None:
            waits.append(max_wait_time)
            super().__init__(max_wait_time, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(fetcher, "FetchRequest", Recorded)
    return waits


async def until(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not condition():
            await asyncio.sleep(0.02)


async def test_an_idle_consumer_fetches_slowly_and_fast_again_from_its_first_record(
    kafka: str, fetch_waits: list[int]
) -> None:
    settings = BusSettings(
        kafka_bootstrap_servers=kafka,
        kafka_fetch_max_wait_ms=SHORT_MS,
        kafka_idle_fetch_max_wait_ms=LONG_MS,
        kafka_idle_after_s=1.0,
    )
    async with one_off_admin(settings) as admin:
        await admin.ensure_topics(["pacing"])
    broker = make_broker(settings, "pacing-test")
    handed_over_at: list[int] = []

    @broker.subscriber("pacing", **consumer_options(settings, "pacing"))
    async def on_message(_body: bytes) -> None:
        handed_over_at.append(len(fetch_waits))

    await broker.start()
    try:
        await until(lambda: len(fetch_waits) >= 3)
        assert set(fetch_waits) == {LONG_MS}, "a consumer that has had no record yet fetches with the idle wait"

        await broker.publish(b"one", topic="pacing")
        await until(lambda: bool(handed_over_at))
        after_record = handed_over_at[0]
        await until(lambda: len(fetch_waits) >= after_record + 3)
        assert fetch_waits[after_record : after_record + 3] == [SHORT_MS] * 3

        await until(lambda: fetch_waits[-1] == LONG_MS)  # a second without records: idle again
    finally:
        await broker.stop()
