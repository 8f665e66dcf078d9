"""Download URLs that work without credentials until they expire: for sharing a video or feeding a player.

With S3 the store presigns the URL itself. With the local media folder the gateway signs
`/api/v1/files/<key>?expires=<unix time>&signature=<HMAC-SHA256 of key and expiry>` with a key
from `REELFORGE_URL_SIGNING_KEY`, or, when that is empty, a random key made once and kept in
the gateway's database so every replica accepts every other's URLs. A URL that is expired or
altered in any way gets 403.
"""

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel

from libs.common.db import Database
from libs.common.errors import Forbidden

SECRET_NAME = "url-signing-key"


class GatewaySecret(SQLModel, table=True):
    __tablename__ = "gateway_secrets"

    name: str = Field(primary_key=True)
    value: str


TABLES = [GatewaySecret.__table__]  # type: ignore[attr-defined]


@dataclass(frozen=True)
class SignedUrl:
    url: str
    expires_at: datetime


async def load_signing_key(db: Database, configured: str) -> bytes:
    """The configured key, or the one kept in the database (made by whichever replica started first)."""
    if configured:
        return configured.encode()
    for _ in range(2):
        async with db.sessions() as session:
            row = await session.get(GatewaySecret, SECRET_NAME)
        if row is not None:
            return row.value.encode()
        try:
            async with db.transaction() as session:
                session.add(GatewaySecret(name=SECRET_NAME, value=secrets.token_urlsafe(32)))
        except IntegrityError:
            continue  # another replica made it first: read theirs
    raise RuntimeError("could not create or read the URL signing key")


def signature(key: bytes, object_key: str, expires: int) -> str:
    return hmac.new(key, f"{object_key}\n{expires}".encode(), hashlib.sha256).hexdigest()


def local_url(base_url: str, key: bytes, object_key: str, ttl_s: int) -> SignedUrl:
    expires = int(time.time()) + ttl_s
    path = f"{base_url.rstrip('/')}/api/v1/files/{quote(object_key)}"
    return SignedUrl(
        url=f"{path}?expires={expires}&signature={signature(key, object_key, expires)}",
        expires_at=datetime.fromtimestamp(expires, UTC),
    )


def check(key: bytes, object_key: str, expires: int, presented: str) -> None:
    """Forbidden unless `presented` signs exactly this key and expiry, and the expiry has not passed."""
    if not hmac.compare_digest(signature(key, object_key, expires), presented):
        raise Forbidden("This download link is not valid")
    if expires < time.time():
        raise Forbidden("This download link has expired; ask for a new one")
