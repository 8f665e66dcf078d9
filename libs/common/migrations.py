"""Schema migrations (Alembic): one history per service, run by the service at start-up or by a one-shot command.

Each service owns its tables (no service reads another's), so each has its own history in
`services/<service>/migrations/versions/`, its own version table beside its tables (its SQLite
file, or its PostgreSQL schema) and its own pace: the gateway can gain a column without a release
of the render stage, and a database holds only the revisions of the service that uses it. The
runtime's tables that every service has (outbox, processed events, cancelled jobs) are part of
every history; a change to one of them is a revision in each.

No `alembic.ini` and no `env.py`: the configuration is built here and the upgrade runs on the
service's own async engine (`conn.run_sync`), so a service and the command upgrade alike.

A database made before migrations existed (tables made by `create_all`, no version table) is
adopted: it is stamped at its history's first revision and upgraded from there, rows kept.

    python -m libs.common.migrations upgrade [--service NAME]

upgrades every service's database (or one) to head, with the settings the services read.
"""

import argparse
import asyncio
import hashlib
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext, RevisionStep
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Table, func, inspect, select, text

from libs.common.cancellation import CANCELLATION_TABLES
from libs.common.db import Database
from libs.common.outbox import LEDGER_TABLES
from libs.common.settings import DatabaseSettings

log = logging.getLogger(__name__)

RUNTIME_TABLES: list[Table] = [*LEDGER_TABLES, *CANCELLATION_TABLES]
"""The tables every service has, whatever it does: its outbox, its processed events and its cancelled jobs."""
VERSION_TABLE = "alembic_version"
SERVICES_DIR = Path(__file__).resolve().parents[2] / "services"


def services() -> list[str]:
    """Every service that has a migration history, by name."""
    return sorted(path.parent.parent.name for path in SERVICES_DIR.glob("*/migrations/versions"))


def history(service: str) -> ScriptDirectory:
    """The revisions of `service`, from its `migrations/versions/` folder."""
    location = SERVICES_DIR / service / "migrations"
    if not (location / "versions").is_dir():
        raise LookupError(f"{service} has no migration history (no {location / 'versions'})")
    config = Config()
    config.set_main_option("script_location", str(location))
    return ScriptDirectory.from_config(config)


async def upgrade_to_head(database: Database, service: str) -> None:
    """Bring `service`'s tables to its newest revision (what a service does at start-up)."""
    await upgrade_to(database, service, "head")


async def upgrade_to(database: Database, service: str, revision: str) -> None:
    """Bring `service`'s tables up to `revision`, in one transaction, one upgrader at a time.

    On PostgreSQL an advisory lock, held to the end of the transaction, is taken before the service's
    schema is made, so replicas starting at once upgrade one after another (the later finds nothing
    to do). On SQLite the transaction takes the file's write lock at once (`BEGIN IMMEDIATE`), so a
    second upgrader (the one-shot command beside a starting service) waits for it likewise.
    """
    script = history(service)
    async with database.engine.begin() as conn:
        if database.is_postgres:
            await conn.execute(select(func.pg_advisory_xact_lock(_lock_key(service))))
            await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{service}"'))
        else:
            await conn.exec_driver_sql("BEGIN IMMEDIATE")
        await conn.run_sync(_upgrade, script, revision, service, service if database.is_postgres else None)


def _upgrade(connection: Connection, script: ScriptDirectory, revision: str, service: str, schema: str | None) -> None:
    def steps(current: tuple[str, ...], context: MigrationContext) -> list[RevisionStep]:
        # What `alembic upgrade <revision>` runs; alembic's own annotation says `str`, it takes the heads it reads.
        return script._upgrade_revs(revision, current)  # type: ignore[arg-type]

    with EnvironmentContext(Config(), script, fn=steps, destination_rev=revision) as environment:
        environment.configure(connection=connection, version_table=VERSION_TABLE, version_table_schema=schema)
        context = environment.get_context()
        if context.get_current_revision() is None and _has_tables(connection, schema):
            base = script.get_base()
            assert base is not None
            log.warning("%s: adopting tables made before migrations: stamped at %s, upgrading on", service, base)
            context.stamp(script, base)
        with environment.begin_transaction():
            environment.run_migrations()


def _has_tables(connection: Connection, schema: str | None) -> bool:
    return any(name != VERSION_TABLE for name in inspect(connection).get_table_names(schema=schema))


def _lock_key(service: str) -> int:
    """A stable 64-bit advisory lock key per service (the same in every replica and release)."""
    digest = hashlib.sha256(f"reelforge-migrations:{service}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def upgrade(settings: DatabaseSettings, names: Sequence[str]) -> None:
    for service in names:
        database = Database.for_service(settings, service)
        try:
            await upgrade_to_head(database, service)
        finally:
            await database.close()
        log.info("%s: database at its newest revision", service)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m libs.common.migrations", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("upgrade", help="upgrade every service's database (or one) to its newest revision")
    up.add_argument("--service", choices=services(), help="only this service (default: every service)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s", stream=sys.stderr)
    asyncio.run(upgrade(DatabaseSettings(), [args.service] if args.service else services()))


if __name__ == "__main__":
    main()
