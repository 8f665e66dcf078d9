"""Request budgets per user, per route and per client address, shared by every gateway replica.

Sliding windows, approximated as most production limiters do: a budget of L per W seconds
admits a hit when the hits of the current fixed window plus the previous window's hits,
weighted by how much of the previous window still lies within the last W seconds, stay
within L. Unlike plain fixed windows, a client cannot spend twice the budget across a
window boundary. Counts live in one row per (bucket, window start), bumped by an atomic
`INSERT ... ON CONFLICT DO UPDATE ... RETURNING` (SQLite 3.35+ and PostgreSQL both speak it).

`charge` counts in the database on every call: for the rare, security-minded budgets (jobs an
hour, registrations, failed logins). The per-request budgets count in memory and write to
the same rows in batches (`request_budgets.py`). Rows are swept a window after they end.
"""

import asyncio
import logging
import math
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from libs.common.db import Database
from libs.common.errors import RateLimited

log = logging.getLogger(__name__)

MINUTE, HOUR = 60, 3600
SWEEP_EVERY_S = 60.0


class RateCounter(SQLModel, table=True):
    __tablename__ = "rate_counters"

    bucket: str = Field(primary_key=True, max_length=300)
    window_start: int = Field(primary_key=True)
    count: int = 0
    expires_at: int = Field(index=True)


TABLES = [RateCounter.__table__]  # type: ignore[attr-defined]
COUNTERS = RateCounter.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Budget:
    """At most `limit` hits per `window_s` seconds in `bucket` (`limit` 0: no budget)."""

    bucket: str
    limit: int
    window_s: int


@dataclass(frozen=True)
class Usage:
    limit: int
    count: int
    reset_at: float

    @property
    def remaining(self) -> int:
        return max(self.limit - self.count, 0)

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit

    def headers(self) -> dict[str, str]:
        """`X-RateLimit-Reset` is the Unix time the window ends; `Retry-After` (on 429) the seconds until then."""
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(math.ceil(self.reset_at)),
        }
        if self.exceeded:
            headers["Retry-After"] = str(max(1, math.ceil(self.reset_at - time.time())))
        return headers


def window_start(window_s: int, at: float) -> int:
    return int(at // window_s) * window_s


def sliding_usage(limit: int, window_s: int, current: int, previous: int, at: float) -> Usage:
    """The usage of a budget at `at`, given the hits of the current and the previous fixed window.

    `reset_at` is when the next hit will fit again: the end of the window while there is room,
    else the moment the previous window's weight (or, past the limit, this window's) has
    decayed enough.
    """
    start = window_start(window_s, at)
    end = start + window_s
    count = current + math.ceil(previous * (1.0 - (at - start) / window_s) - 1e-9)
    if count <= limit:
        reset_at = float(end)
    elif current <= limit and previous > 0:
        reset_at = start + window_s * (1.0 - (limit - current) / previous)
    else:
        reset_at = end + window_s * (1.0 - limit / current)
    return Usage(limit, count, reset_at)


def _upsert(db: Database, bucket: str, start: int, window_s: int, hits: int) -> Any:
    """Add `hits` to a counter row (made if missing), returning its new count; kept a window past its end."""
    insert = postgres_insert if db.is_postgres else sqlite_insert
    return (
        insert(COUNTERS)
        .values(bucket=bucket, window_start=start, count=hits, expires_at=start + 2 * window_s)
        .on_conflict_do_update(index_elements=["bucket", "window_start"], set_={"count": COUNTERS.c.count + hits})
        .returning(COUNTERS.c.count)
    )


async def _count(session: AsyncSession, bucket: str, start: int) -> int:
    query = select(COUNTERS.c.count).where(COUNTERS.c.bucket == bucket, COUNTERS.c.window_start == start)
    return (await session.exec(query)).scalar_one_or_none() or 0  # type: ignore[call-overload]


async def charge(db: Database, budgets: list[Budget], what: str) -> Usage | None:
    """Count one hit against each budget; RateLimited (429, and the hit not counted) when any is spent."""
    active = [budget for budget in budgets if budget.limit > 0]
    if not active:
        return None
    now = time.time()
    async with db.transaction() as session:
        usages = []
        for budget in active:
            start = window_start(budget.window_s, now)
            current = (await session.exec(_upsert(db, budget.bucket, start, budget.window_s, 1))).scalar_one()
            previous = await _count(session, budget.bucket, start - budget.window_s)
            usages.append(sliding_usage(budget.limit, budget.window_s, current, previous, now))
        return verdict(usages, what)  # a refusal rolls the counting back


@dataclass(frozen=True)
class Hits:
    bucket: str
    window_start: int
    window_s: int
    hits: int


async def write_hits(db: Database, written: list[Hits]) -> dict[tuple[str, int], int]:
    """Add hits to counter rows in one transaction (0 hits: only read the row); the rows' new counts."""
    counts = {}
    async with db.transaction() as session:
        for row in written:
            if row.hits:
                statement = _upsert(db, row.bucket, row.window_start, row.window_s, row.hits)
                counts[(row.bucket, row.window_start)] = (await session.exec(statement)).scalar_one()
            else:
                counts[(row.bucket, row.window_start)] = await _count(session, row.bucket, row.window_start)
    return counts


async def peek(db: Database, budgets: list[Budget], what: str) -> None:
    """RateLimited when any budget is already spent, without counting this request."""
    now = time.time()
    usages = []
    async with db.sessions() as session:
        for budget in budgets:
            if budget.limit <= 0:
                continue
            start = window_start(budget.window_s, now)
            current = await _count(session, budget.bucket, start) + 1
            previous = await _count(session, budget.bucket, start - budget.window_s)
            usages.append(sliding_usage(budget.limit, budget.window_s, current, previous, now))
    verdict(usages, what)


def verdict(usages: list[Usage], what: str) -> Usage | None:
    if not usages:
        return None
    spent = [usage for usage in usages if usage.exceeded]
    if spent:
        worst = max(spent, key=lambda usage: usage.reset_at)
        raise RateLimited(
            f"Too many {what}: the limit is {worst.limit}; try again in {worst.headers()['Retry-After']} s",
            worst.headers(),
        )
    return min(usages, key=lambda usage: usage.remaining)


async def sweep(db: Database) -> None:
    async with db.transaction() as session:
        await session.exec(delete(COUNTERS).where(COUNTERS.c.expires_at < int(time.time())))


async def run_sweeper(db: Database) -> None:
    """Delete the counters of windows that have ended, once a minute, for as long as the gateway runs."""
    while True:
        await asyncio.sleep(SWEEP_EVERY_S)
        try:
            await sweep(db)
        except Exception:
            log.warning("sweeping old rate-limit counters failed; trying again in a minute", exc_info=True)
