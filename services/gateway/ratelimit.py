"""Request budgets per user, per route and per client address, kept in the gateway's database so
every replica counts against the same numbers.

Fixed windows: one counter row per (bucket, window start), bumped by one atomic
`INSERT ... ON CONFLICT DO UPDATE ... RETURNING` (SQLite 3.35+ and PostgreSQL both speak it),
so two replicas counting at the same moment never lose a hit. Rows of past windows are swept.
"""

import asyncio
import ipaddress
import logging
import math
import time
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, SQLModel
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from libs.common.db import Database
from libs.common.errors import RateLimited

log = logging.getLogger(__name__)

MINUTE, HOUR = 60, 3600
SWEEP_EVERY_S = 60.0
STATE_KEY = "rate_limit_headers"
HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After")


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


def _window(window_s: int, at: float) -> tuple[int, int]:
    start = int(at // window_s) * window_s
    return start, start + window_s


async def charge(db: Database, budgets: list[Budget], what: str) -> Usage | None:
    """Count one hit against each budget; RateLimited (429) when any is spent, else the tightest usage."""
    active = [budget for budget in budgets if budget.limit > 0]
    if not active:
        return None
    now = time.time()
    insert = postgres_insert if db.is_postgres else sqlite_insert
    usages = []
    async with db.transaction() as session:
        for budget in active:
            start, end = _window(budget.window_s, now)
            statement = (
                insert(COUNTERS)
                .values(bucket=budget.bucket, window_start=start, count=1, expires_at=end)
                .on_conflict_do_update(index_elements=["bucket", "window_start"], set_={"count": COUNTERS.c.count + 1})
                .returning(COUNTERS.c.count)
            )
            count = (await session.exec(statement)).scalar_one()
            usages.append(Usage(budget.limit, count, end))
    return _verdict(usages, what)


async def peek(db: Database, budgets: list[Budget], what: str) -> None:
    """RateLimited when any budget is already spent, without counting this request."""
    now = time.time()
    usages = []
    async with db.sessions() as session:
        for budget in budgets:
            if budget.limit <= 0:
                continue
            start, end = _window(budget.window_s, now)
            query = select(COUNTERS.c.count).where(COUNTERS.c.bucket == budget.bucket, COUNTERS.c.window_start == start)
            count = (await session.exec(query)).scalar_one_or_none() or 0  # type: ignore[call-overload]
            usages.append(Usage(budget.limit, count + 1, end))
    _verdict(usages, what)


def _verdict(usages: list[Usage], what: str) -> Usage | None:
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


def remember(request: Request, usage: Usage | None) -> None:
    """Keep the usage for RateLimitHeaders to put on the response, whatever the route returns."""
    if usage is not None:
        request.state.rate_limit_headers = usage.headers()


class RateLimitHeaders:
    """ASGI middleware: adds the X-RateLimit-* headers a dependency recorded for this request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})

        async def send_with_headers(message: Message) -> None:
            headers = state.get(STATE_KEY)
            if message["type"] == "http.response.start" and headers:
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [
                    (k.lower().encode(), v.encode()) for k, v in headers.items() if k.lower().encode() not in present
                ]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def client_address(request: Request, trusted_proxies: list[str]) -> str:
    """The client's address: the TCP peer, or, behind a trusted proxy, the nearest untrusted X-Forwarded-For hop."""
    peer = request.client.host if request.client else "unknown"
    if not trusted_proxies:
        return peer
    networks = [ipaddress.ip_network(item, strict=False) for item in trusted_proxies]

    def trusted(address: str) -> bool:
        try:
            return any(ipaddress.ip_address(address) in network for network in networks)
        except ValueError:
            return False

    if not trusted(peer):
        return peer
    hops = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not trusted(hop):
            return hop
    return hops[0] if hops else peer


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
