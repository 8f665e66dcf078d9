"""A service stops even when one of its background loops will not: the loop is named and left behind."""

import asyncio
import time
from pathlib import Path

import pytest

from libs.common.runtime import Runtime
from libs.common.service import BACKGROUND_STOP_S, build_service
from libs.common.settings import DatabaseSettings
from tests.bus import serving


async def test_a_background_loop_that_ignores_cancellation_does_not_hold_up_shutdown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    released = asyncio.Event()

    async def stubborn() -> None:
        while not released.is_set():
            try:
                await released.wait()
            except asyncio.CancelledError:
                continue  # the bug being guarded against: a loop that swallows its cancellation

    def wire(runtime: Runtime) -> None:
        runtime.background.append(asyncio.create_task(stubborn(), name="stubborn-loop"))

    settings = DatabaseSettings(var_dir=tmp_path, log_format="text")
    app = build_service("story", settings, wire=wire, uses_bus=False, uses_store=False)
    async with serving(app):
        await asyncio.sleep(0.1)  # the loop is running when the service is told to stop
        started = time.monotonic()
    took = time.monotonic() - started
    released.set()
    assert BACKGROUND_STOP_S <= took < BACKGROUND_STOP_S + 5
    assert "background task stubborn-loop did not stop" in capsys.readouterr().err
