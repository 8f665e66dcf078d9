"""Every service's migration history on SQLite and on PostgreSQL: an empty database, replicas starting at once,
a database made before migrations existed, and the models agreeing with what the migrations build."""

import asyncio
from collections.abc import AsyncIterator
from uuid import uuid4

import pytest
from sqlmodel import select

from libs.common.cancellation import CancelledJob
from libs.common.db import Database
from libs.common.migrations import RUNTIME_TABLES, VERSION_TABLE, services, upgrade_to_head
from libs.common.settings import DatabaseSettings
from tests.integration.migrations.schema import differences, head, models, revision, tables


@pytest.fixture(params=services())
def service(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def database(database_url: str, service: str) -> AsyncIterator[Database]:
    db = Database.for_service(DatabaseSettings(database_url=database_url), service)
    try:
        yield db
    finally:
        await db.close()


def test_every_service_has_a_history() -> None:
    assert services() == ["audio", "auth", "gateway", "imaging", "notifier", "render", "story"]


async def test_an_empty_database_is_upgraded_to_head(database: Database, service: str) -> None:
    await upgrade_to_head(database, service)
    assert await revision(database) == head(service)
    assert await tables(database) == {*models(service).tables, VERSION_TABLE}
    await upgrade_to_head(database, service)  # at head already: nothing to do
    assert await revision(database) == head(service)


async def test_the_models_agree_with_the_migrations(database: Database, service: str) -> None:
    await upgrade_to_head(database, service)
    assert await differences(database) == []


async def test_replicas_starting_at_once_upgrade_one_after_another(database_url: str, service: str) -> None:
    replicas = [Database.for_service(DatabaseSettings(database_url=database_url), service) for _ in range(3)]
    try:
        await asyncio.gather(*(upgrade_to_head(replica, service) for replica in replicas))
        assert await revision(replicas[0]) == head(service)
        assert await differences(replicas[0]) == []
    finally:
        for replica in replicas:
            await replica.close()


async def test_a_database_made_by_create_all_is_adopted_with_its_rows(database: Database, service: str) -> None:
    await database.create_tables(list(models(service).tables.values()))
    job_id = uuid4()
    async with database.transaction() as session:
        session.add(CancelledJob(job_id=job_id))
    assert await revision(database) is None

    await upgrade_to_head(database, service)

    assert await revision(database) == head(service)
    assert await differences(database) == []
    async with database.sessions() as session:
        assert [row.job_id for row in (await session.exec(select(CancelledJob))).all()] == [job_id]


def test_every_history_builds_the_runtime_tables() -> None:
    for service in services():
        assert {table.name for table in RUNTIME_TABLES} <= set(models(service).tables)
