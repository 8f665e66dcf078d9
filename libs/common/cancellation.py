"""Stopping a job's stage work when its user cancels it, in whichever replica the work runs.

Every worker service records `jobs.cancelled` in its own `cancelled_jobs` table (through a
consumer group of its own) and runs each stage's work as a task that a cancellation stops:
at once when the event reaches the replica doing the work, or within `cancel_poll_s` when it
reaches another replica (the working one then sees the row). Work for a job already cancelled
never starts. Stopping raises CancelledError inside the work, so whatever it owns (an ffmpeg
process, a temp folder) is cleaned up by the code that owns it.
"""

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar
from uuid import UUID

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from libs.common.db import Database
from libs.common.errors import Cancelled
from libs.common.events import now

T = TypeVar("T")


class CancelledJob(SQLModel, table=True):
    __tablename__ = "cancelled_jobs"

    job_id: UUID = Field(primary_key=True)
    cancelled_at: datetime = Field(default_factory=now)


CANCELLATION_TABLES = [CancelledJob.__table__]  # type: ignore[attr-defined]


async def record_cancellation(session: AsyncSession, db: Database, job_id: UUID) -> None:
    dialect = postgresql if db.is_postgres else sqlite
    statement = dialect.insert(CancelledJob).values(job_id=job_id, cancelled_at=now()).on_conflict_do_nothing()
    await session.exec(statement)


async def is_cancelled(db: Database, job_id: UUID) -> bool:
    async with db.sessions() as session:
        return await session.get(CancelledJob, job_id) is not None


class RunningWork:
    """The stage work this replica is doing, by job, so that a cancellation can stop it."""

    def __init__(self, db: Database, poll_s: float) -> None:
        self.db = db
        self.poll_s = poll_s
        self._tasks: dict[UUID, set[asyncio.Task[object]]] = defaultdict(set)
        self._stopped: set[UUID] = set()

    async def run(self, job_id: UUID, work: Callable[[], Awaitable[T]]) -> T:
        """Run `work` for `job_id`; raise `Cancelled` if the job is (or gets) cancelled.

        A CancelledError that comes from outside (the service shutting down) passes through
        unchanged, so the message is left uncommitted and redelivered after the restart.
        """
        if await is_cancelled(self.db, job_id):
            raise Cancelled("the job was cancelled")
        task: asyncio.Task[T] = asyncio.ensure_future(work())
        self._tasks[job_id].add(task)
        watcher = asyncio.create_task(self._watch(job_id))
        try:
            return await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if job_id in self._stopped and (current is None or not current.cancelling()):
                raise Cancelled("the job was cancelled") from None
            raise
        finally:
            watcher.cancel()
            self._tasks[job_id].discard(task)
            if not self._tasks[job_id]:
                del self._tasks[job_id]
                self._stopped.discard(job_id)

    def stop(self, job_id: UUID) -> None:
        """Stop whatever this replica is doing for `job_id` (nothing, if it is doing nothing)."""
        if job_id in self._tasks:
            self._stopped.add(job_id)
            for task in self._tasks[job_id]:
                task.cancel()

    async def _watch(self, job_id: UUID) -> None:
        while True:
            await asyncio.sleep(self.poll_s)
            if await is_cancelled(self.db, job_id):
                self.stop(job_id)
                return
