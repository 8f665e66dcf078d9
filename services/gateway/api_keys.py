"""API keys for scripts and for the dialects that document no auth: `X-API-Key: rfk_...` or `Bearer rfk_...`.

A key is 32 random bytes, so a plain SHA-256 of it is as good as a slow password hash and
lets every request be checked with one indexed lookup in the gateway's own database. Only
the hash is kept; the key is shown once, when it is made. A key acts as the user who made it,
with that user's role and tier at that moment.
"""

import hashlib
import secrets
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from sqlmodel import Field, SQLModel, col, select

from libs.common.db import Database
from libs.common.errors import NotFound, Unauthorized
from libs.common.events import now
from services.gateway.security import Principal

PREFIX = "rfk_"
SHOWN_CHARS = 8
TOUCH_EVERY = timedelta(minutes=1)
MAX_KEYS_PER_USER = 50


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_keys"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    user_id: str = Field(index=True)
    name: str
    hint: str = Field(description="The key's first characters, to tell keys apart in a listing.")
    secret_hash: str = Field(unique=True, index=True)
    username: str
    role: str
    tier: str
    created_at: datetime = Field(default_factory=now)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


TABLES = [ApiKey.__table__]  # type: ignore[attr-defined]


def looks_like_key(credential: str) -> bool:
    return credential.startswith(PREFIX)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def create_key(db: Database, user: Principal, name: str) -> tuple[ApiKey, str]:
    """A new key for `user`; the key itself is returned here and never again."""
    key = f"{PREFIX}{secrets.token_urlsafe(32)}"
    row = ApiKey(
        user_id=user.user_id,
        name=name,
        hint=key[: len(PREFIX) + SHOWN_CHARS],
        secret_hash=_hash(key),
        username=user.username,
        role=user.role,
        tier=user.tier,
    )
    async with db.transaction() as session:
        session.add(row)
    return row, key


async def list_keys(db: Database, user: Principal) -> list[ApiKey]:
    query = select(ApiKey).where(ApiKey.user_id == user.user_id, col(ApiKey.revoked_at).is_(None))
    async with db.sessions() as session:
        return list((await session.exec(query.order_by(col(ApiKey.created_at).desc()))).all())


async def count_keys(db: Database, user: Principal) -> int:
    return len(await list_keys(db, user))


async def revoke_key(db: Database, user: Principal, key_id: UUID) -> None:
    async with db.transaction() as session:
        row = await session.get(ApiKey, key_id)
        if row is None or row.user_id != user.user_id or row.revoked_at is not None:
            raise NotFound("API key not found")
        row.revoked_at = now()
        session.add(row)


async def principal_for(db: Database, key: str) -> Principal:
    """The user a key acts as; Unauthorized for an unknown or revoked key."""
    async with db.sessions() as session:
        row = (await session.exec(select(ApiKey).where(ApiKey.secret_hash == _hash(key)))).first()
    if row is None or row.revoked_at is not None:
        raise Unauthorized("Invalid or revoked API key")
    last = row.last_used_at
    if last is None or now() - (last if last.tzinfo else last.replace(tzinfo=now().tzinfo)) > TOUCH_EVERY:
        async with db.transaction() as session:
            fresh = await session.get(ApiKey, row.id)
            if fresh is not None:
                fresh.last_used_at = now()
                session.add(fresh)
    return Principal(user_id=row.user_id, role=row.role, username=row.username, tier=row.tier)
