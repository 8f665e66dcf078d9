"""Which accounts are disabled, as the gateway enforces it: a table every replica reads on every request.

Access tokens are verified locally and live for minutes, and API keys are checked by the
gateway alone, so neither would notice an account disabled in the auth service. An admin
disables a user through the gateway, which writes this table first and then tells auth (which
refuses new logins and revokes the refresh tokens); the next request with any of that user's
tokens or keys, on any replica, is refused.
"""

from datetime import datetime

from sqlmodel import Field, SQLModel

from libs.common.db import Database
from libs.common.events import now


class DisabledUser(SQLModel, table=True):
    __tablename__ = "disabled_users"

    user_id: str = Field(primary_key=True)
    disabled_at: datetime = Field(default_factory=now)


TABLES = [DisabledUser.__table__]  # type: ignore[attr-defined]


async def is_disabled(db: Database, user_id: str) -> bool:
    async with db.sessions() as session:
        return await session.get(DisabledUser, user_id) is not None


async def set_disabled(db: Database, user_id: str, disabled: bool) -> None:
    async with db.transaction() as session:
        row = await session.get(DisabledUser, user_id)
        if disabled and row is None:
            session.add(DisabledUser(user_id=user_id))
        elif not disabled and row is not None:
            await session.delete(row)
