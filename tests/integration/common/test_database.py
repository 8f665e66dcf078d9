"""The database layer against real SQLite and real PostgreSQL: transactions, the ledger, schema isolation."""

import asyncio
from uuid import uuid4

import pytest
from sqlmodel import Field, SQLModel, select

from libs.common.db import Database
from libs.common.events import JobCancelled
from libs.common.outbox import LEDGER_TABLES, OutboxMessage, claim, stage_event, was_processed
from libs.common.settings import DatabaseSettings
from tests.servers import PostgresCluster


class Note(SQLModel, table=True):
    __tablename__ = "notes"

    id: int | None = Field(default=None, primary_key=True)
    text: str


TABLES = [*LEDGER_TABLES, Note.__table__]  # type: ignore[attr-defined]


async def open_database(url: str, service: str = "story") -> Database:
    """Open `url` the way a service does: plain `postgresql://` URLs are normalised to asyncpg."""
    db = Database.for_service(DatabaseSettings(database_url=url), service)
    await db.create_tables(TABLES)
    return db


async def test_creating_tables_twice_is_harmless(database_url: str) -> None:
    db = await open_database(database_url)
    await db.create_tables(TABLES)
    assert await db.ping()
    await db.close()


async def test_a_transaction_commits_together_or_not_at_all(database_url: str) -> None:
    db = await open_database(database_url)
    async with db.transaction() as session:
        session.add(Note(text="kept"))
        stage_event(session, JobCancelled(job_id=uuid4(), user_id="u"))
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            session.add(Note(text="lost"))
            stage_event(session, JobCancelled(job_id=uuid4(), user_id="u"))
            raise RuntimeError("the handler failed half way")
    async with db.sessions() as session:
        assert [note.text for note in (await session.exec(select(Note))).all()] == ["kept"]
        assert len((await session.exec(select(OutboxMessage))).all()) == 1
    await db.close()


async def test_an_event_is_claimed_once_per_consumer(database_url: str) -> None:
    db = await open_database(database_url)
    event_id = uuid4()
    async with db.transaction() as session:
        assert await claim(session, db, "imaging", event_id)
    async with db.transaction() as session:
        assert not await claim(session, db, "imaging", event_id)
        assert await claim(session, db, "audio", event_id)
    assert await was_processed(db, "imaging", event_id)
    assert not await was_processed(db, "render", event_id)
    await db.close()


async def test_concurrent_claims_of_one_event_let_exactly_one_through(database_url: str) -> None:
    db = await open_database(database_url)
    event_id = uuid4()

    async def attempt() -> bool:
        try:
            async with db.transaction() as session:
                return await claim(session, db, "render", event_id)
        except Exception:  # PostgreSQL may refuse the loser with a unique violation instead
            return False

    results = await asyncio.gather(*(attempt() for _ in range(8)))
    assert results.count(True) == 1
    await db.close()


async def test_services_sharing_a_postgres_database_keep_their_tables_apart(postgres: PostgresCluster) -> None:
    """Each service works in a schema named after it (on SQLite each has its own file instead)."""
    url = postgres.create_database()
    story, render = await open_database(url, "story"), await open_database(url, "render")
    async with story.transaction() as session:
        session.add(Note(text="story's own"))
    async with render.sessions() as session:
        assert (await session.exec(select(Note))).all() == []
    await story.close()
    await render.close()
