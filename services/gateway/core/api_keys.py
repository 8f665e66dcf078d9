"""API keys for scripts and for the dialects that document no auth: `X-API-Key: rfk_...` or `Bearer rfk_...`.

A key is 32 random bytes, so a plain SHA-256 of it is as good as a slow password hash and
lets every request be checked with one indexed lookup in the gateway's own database. Only
the hash is kept; the key is shown once, when it is made. A key acts as the user who made it,
with that user's role and tier at that moment.
"""

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from sqlalchemy import update
from sqlmodel import Field, SQLModel, col, select

from libs.common.db import Database
from libs.common.errors import NotFound, Unauthorized
from libs.common.events import now
from services.gateway.core.security import Principal

PREFIX = "rfk_"
SHOWN_CHARS = 8
TOUCH_EVERY = timedelta(minutes=1)
MAX_KEYS_PER_USER = 50
MAX_KNOWN = 10_000
"""Keys a replica keeps in memory before it forgets those past their time to live."""


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


@dataclass
class KnownKey:
    principal: Principal
    key_id: UUID
    read_at: float
    touched_at: datetime | None


class KnownKeys:
    """Checks keys with a copy of each key's row kept for `ttl_s`, so a request with a key reads nothing.

    A key revoked on this replica stops working at once; on the others, within `ttl_s`.
    `last_used_at` is written at most once a minute per key and replica.
    """

    def __init__(self, db: Database, ttl_s: float) -> None:
        self.db = db
        self.ttl_s = ttl_s
        self._known: dict[str, KnownKey] = {}

    async def principal_for(self, key: str) -> Principal:
        """The user a key acts as; Unauthorized for an unknown or revoked key."""
        secret_hash = _hash(key)
        known = self._known.get(secret_hash)
        if known is None or time.monotonic() - known.read_at >= self.ttl_s:
            known = await self._read(secret_hash)
        if known.touched_at is None or now() - known.touched_at > TOUCH_EVERY:
            known.touched_at = now()
            await self._touch(known.key_id)
        return known.principal

    async def _read(self, secret_hash: str) -> KnownKey:
        self._forget_stale()
        started = time.monotonic()
        async with self.db.sessions() as session:
            row = (await session.exec(select(ApiKey).where(ApiKey.secret_hash == secret_hash))).first()
        if row is None or row.revoked_at is not None:
            self._known.pop(secret_hash, None)
            raise Unauthorized("Invalid or revoked API key")
        principal = Principal(user_id=row.user_id, role=row.role, username=row.username, tier=row.tier)
        last = row.last_used_at
        known = KnownKey(principal, row.id, started, last if last is None or last.tzinfo else last.replace(tzinfo=UTC))
        self._known[secret_hash] = known
        return known

    async def _touch(self, key_id: UUID) -> None:
        async with self.db.transaction() as session:
            await session.exec(update(ApiKey).where(col(ApiKey.id) == key_id).values(last_used_at=now()))

    def _forget_stale(self) -> None:
        if len(self._known) > MAX_KNOWN:
            moment = time.monotonic()
            for secret_hash in [h for h, known in self._known.items() if moment - known.read_at >= self.ttl_s]:
                del self._known[secret_hash]

    async def revoke(self, user: Principal, key_id: UUID) -> None:
        async with self.db.transaction() as session:
            row = await session.get(ApiKey, key_id)
            if row is None or row.user_id != user.user_id or row.revoked_at is not None:
                raise NotFound("API key not found")
            row.revoked_at = now()
            session.add(row)
        for secret_hash in [h for h, known in self._known.items() if known.key_id == key_id]:
            del self._known[secret_hash]
