"""One notifier per database kind for this package's tests, on a broker of its own.

Starting a service costs seconds (each consumer group's first join), so the notifier tests share
one per database kind and stay apart by their data instead: every test registers its own
endpoints for a user of its own and reads only the reports about them.
"""

from collections.abc import AsyncIterator

import pytest

from libs.embedded.broker import LocalBroker
from services.notifier.app import create_app
from tests.bus import BusProbe, serving
from tests.integration.notifier.webhooks import SCHEDULE, RunningNotifier, notifier_settings
from tests.servers import free_port


@pytest.fixture(scope="package", params=["sqlite", "postgresql"])
async def notifier(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[RunningNotifier]:
    var_dir = tmp_path_factory.mktemp(f"notifier-{request.param}")
    if request.param == "sqlite":
        database_url = f"sqlite+aiosqlite:///{var_dir / 'notifier.db'}"
    else:
        database_url = request.getfixturevalue("postgres").create_database()
    broker = LocalBroker(free_port(), var_dir / "broker.log")
    kafka = await broker.start()
    try:
        settings = notifier_settings(kafka, database_url, var_dir, SCHEDULE)
        async with serving(create_app(settings)) as app, BusProbe(kafka) as bus:
            yield RunningNotifier(app, bus)
    finally:
        await broker.stop()
