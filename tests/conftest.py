"""Fixtures that start real servers: PostgreSQL and S3 once per session, a broker per test.

`make test` spreads the suite over two pytest-xdist workers (most of its time is waiting on
joins, retries and stages, not the CPU). Each worker has its own PostgreSQL, S3 server and
brokers; `PlatformsTogether` keeps the tests that start whole platforms on one worker.
"""

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path, PurePosixPath

import pytest
from xdist.scheduler import LoadScopeScheduling
from xdist.workermanage import Producer

from libs.common.settings import StorageSettings
from libs.common.storage import ObjectStore, open_store
from libs.embedded.broker import LocalBroker
from tests.servers import MotoS3, PostgresCluster, free_port

PLATFORM_PACKAGES = {"api", "compat", "e2e", "security", "faults"}
"""Packages that start whole platforms (seven processes and a broker each): they run one after another on one
worker, since two platforms at once starve each other on two cores. The other worker takes the unit and
integration modules, each module whole so its fixtures are made once."""


class PlatformsTogether(LoadScopeScheduling):
    """xdist's per-module scheduling, with every module of the platform packages in one unit of work."""

    def _split_scope(self, nodeid: str) -> str:
        module = nodeid.split("::", 1)[0]
        return "platform" if PurePosixPath(module).parts[1] in PLATFORM_PACKAGES else module


def pytest_xdist_make_scheduler(config: pytest.Config, log: Producer) -> PlatformsTogether:
    """Used by `make test` (pytest -n 2); xdist's own `loadgroup` marks do not survive pytest 9's node ids."""
    return PlatformsTogether(config, log)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    cluster = PostgresCluster()
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def moto_s3() -> Iterator[MotoS3]:
    server = MotoS3()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each kind the platform supports, as a user would configure it."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    return request.getfixturevalue("postgres").create_database()


@pytest.fixture(params=["folder", "s3"])
def storage_settings(request: pytest.FixtureRequest, tmp_path: Path) -> StorageSettings:
    """Settings for each kind of object store: the local media folder, and a fresh bucket on S3."""
    if request.param == "folder":
        return StorageSettings(media_dir=tmp_path / "media")
    server: MotoS3 = request.getfixturevalue("moto_s3")
    return StorageSettings(
        s3_endpoint=server.endpoint,
        s3_access_key=server.access_key,
        s3_secret_key=server.secret_key,
        s3_bucket=f"reelforge-{uuid.uuid4().hex[:10]}",
    )


@pytest.fixture
async def object_store(storage_settings: StorageSettings) -> ObjectStore:
    return await open_store(storage_settings)


@pytest.fixture
async def kafka(tmp_path: Path) -> AsyncIterator[str]:
    """A Tansu broker of this test's own (it starts in milliseconds), so groups and topics never leak between tests."""
    broker = LocalBroker(free_port(), tmp_path / "broker.log")
    address = await broker.start()
    try:
        yield address
    finally:
        await broker.stop()
