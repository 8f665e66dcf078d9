"""What the migration tests ask of a database: its revision, its tables, and how it differs from the models."""

import importlib
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, MetaData, func, inspect, select

from libs.common.db import Database
from libs.common.migrations import VERSION_TABLE, history


def head(service: str) -> str:
    found = history(service).get_current_head()
    assert found is not None
    return found


def models(service: str) -> MetaData:
    """The service's tables as its models declare them (`services.<service>.migrations.TABLES`)."""
    metadata = MetaData()
    for table in importlib.import_module(f"services.{service}.migrations").TABLES:
        table.to_metadata(metadata)
    return metadata


async def revision(db: Database) -> str | None:
    schema = db.service if db.is_postgres else None

    def read(connection: Connection) -> str | None:
        context = MigrationContext.configure(connection, opts={"version_table_schema": schema})
        return context.get_current_revision()

    async with db.engine.connect() as conn:
        return await conn.run_sync(read)


async def tables(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda connection: inspect(connection).get_table_names()))


async def differences(db: Database) -> list[Any]:
    """What autogenerate would change to make the database match the models: nothing, if they agree."""
    metadata = models(db.service)

    def compare(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "compare_server_default": True, "version_table": VERSION_TABLE},
        )
        return compare_metadata(context, metadata)

    async with db.engine.connect() as conn:
        return await conn.run_sync(compare)


async def count(db: Database, table: str) -> int:
    async with db.engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(models(db.service).tables[table]))).scalar_one()
