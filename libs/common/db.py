"""Database access: SQLModel on SQLAlchemy's async engine, SQLite or PostgreSQL by URL.

Each service owns its tables. On SQLite every service has its own file; on
PostgreSQL every service has its own schema (set as the connection's search_path),
so table names stay short and no service can stumble into another's tables.
"""

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Table, event, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from libs.common.settings import DatabaseSettings

SQLITE_BUSY_S = 30
"""How long a SQLite connection waits for another holding the file before it fails."""


def database_url(settings: DatabaseSettings, service: str) -> str:
    """The async SQLAlchemy URL for `service`, normalising plain PostgreSQL URLs to asyncpg."""
    url = settings.database_url
    if not url:
        return f"sqlite+aiosqlite:///{settings.var_dir / f'{service}.db'}"
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+asyncpg://" + url[len(plain) :]
    return url


@dataclass(frozen=True)
class PoolSize:
    """PostgreSQL connections one process keeps (`size`), may open beyond them, and waits for (SQLite has no pool)."""

    size: int = 10
    overflow: int = 10
    timeout_s: float = 30.0


class Database:
    """One service's database: an engine, its sessions and its schema.

    Bound parameters are hidden from SQLAlchemy's error messages: they may hold secrets
    (a webhook's signing secret, a password hash) and errors end up in logs.
    """

    def __init__(self, url: str, service: str, pool: PoolSize = PoolSize()) -> None:
        self.service = service
        self.is_postgres = url.startswith("postgresql")
        if self.is_postgres:
            self.engine: AsyncEngine = create_async_engine(
                url,
                hide_parameters=True,
                pool_size=pool.size,
                max_overflow=pool.overflow,
                pool_timeout=pool.timeout_s,
                pool_pre_ping=True,
                connect_args={"server_settings": {"search_path": service}},
            )
        else:
            path = Path(url.split("///", 1)[1])
            path.parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_async_engine(url, hide_parameters=True, connect_args={"timeout": SQLITE_BUSY_S})
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)
        # SQLite has one writer per file and upgrades a reader to a writer without waiting,
        # so transactions in this process take turns; PostgreSQL needs no such gate.
        self._sqlite_writer = None if self.is_postgres else asyncio.Lock()

    @classmethod
    def for_service(cls, settings: DatabaseSettings, service: str) -> "Database":
        pool = PoolSize(settings.db_pool_size, settings.db_max_overflow, settings.db_pool_timeout_s)
        return cls(database_url(settings, service), service, pool)

    async def create_tables(self, tables: Sequence[Table]) -> None:
        """Create this service's schema and these tables if missing (idempotent, safe to race).

        For tests of a few tables; a service's tables come from its migrations (`libs.common.migrations`).
        """
        async with self.engine.begin() as conn:
            if self.is_postgres:
                await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{self.service}"'))
            await conn.run_sync(lambda sync: tables[0].metadata.create_all(sync, tables=list(tables)))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work commits together on exit, or rolls back on error."""
        if self._sqlite_writer is None:
            async with self.sessions() as session, session.begin():
                yield session
            return
        async with self._sqlite_writer, self.sessions() as session, session.begin():
            yield session

    async def ping(self) -> bool:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True

    async def close(self) -> None:
        await self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    """WAL lets readers run beside the one writer; the busy timeout waits instead of failing."""
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    _switch_to_wal(cursor)
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_S * 1000}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _switch_to_wal(cursor: Any) -> None:
    """Switching a new file to WAL answers "database is locked" at once, busy timeout or not, while another
    connection is switching it (two processes opening a new file): try again for a moment. That switch
    takes microseconds and runs in the other connection's own thread, so a short blocking wait is enough."""
    deadline = time.monotonic() + 2.0
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
