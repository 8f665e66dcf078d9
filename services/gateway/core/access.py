"""Which accounts are disabled, as the gateway enforces it: a table every replica keeps in memory.

Access tokens are verified locally and live for minutes, and API keys are checked by the
gateway alone, so neither would notice an account disabled in the auth service. An admin
disables a user through the gateway, which writes this table first and then tells auth (which
refuses new logins and revokes the refresh tokens). The replica that took the admin's request
refuses the user's next request at once; every other replica re-reads the table when its copy
is older than `credential_cache_ttl_s`, so within that many seconds the user is refused
everywhere. The table holds only disabled accounts, so a copy is small.
"""

import asyncio
import time
from datetime import datetime

from sqlmodel import Field, SQLModel, select

from libs.common.db import Database
from libs.common.events import now


class DisabledUser(SQLModel, table=True):
    __tablename__ = "disabled_users"

    user_id: str = Field(primary_key=True)
    disabled_at: datetime = Field(default_factory=now)


TABLES = [DisabledUser.__table__]  # type: ignore[attr-defined]


class DisabledAccounts:
    """This replica's copy of the disabled accounts, re-read (once, however many requests wait) when stale."""

    def __init__(self, db: Database, ttl_s: float) -> None:
        self.db = db
        self.ttl_s = ttl_s
        self._users: frozenset[str] = frozenset()
        self._read_at = float("-inf")
        self._reading = asyncio.Lock()

    async def is_disabled(self, user_id: str) -> bool:
        if time.monotonic() - self._read_at >= self.ttl_s:
            async with self._reading:
                if time.monotonic() - self._read_at >= self.ttl_s:
                    await self._read()
        return user_id in self._users

    async def _read(self) -> None:
        started = time.monotonic()
        async with self.db.sessions() as session:
            self._users = frozenset((await session.exec(select(DisabledUser.user_id))).all())
        self._read_at = started

    async def set_disabled(self, user_id: str, disabled: bool) -> None:
        """Write the change, then apply it to this replica's copy at once."""
        async with self.db.transaction() as session:
            row = await session.get(DisabledUser, user_id)
            if disabled and row is None:
                session.add(DisabledUser(user_id=user_id))
            elif not disabled and row is not None:
                await session.delete(row)
        self._users = self._users | {user_id} if disabled else self._users - {user_id}
