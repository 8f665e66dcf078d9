"""The auth service's tables: users, refresh-token families and signing keys."""

from datetime import datetime
from uuid import UUID, uuid4

from sqlmodel import Field, SQLModel

from libs.common.events import now


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    email: str = Field(unique=True, index=True)
    username: str = Field(unique=True, index=True)
    password_hash: str
    role: str = "user"
    tier: str = "FREE"
    is_active: bool = True
    created_at: datetime = Field(default_factory=now)


class RefreshToken(SQLModel, table=True):
    """One refresh token; tokens born from one login share a `family_id` and die together."""

    __tablename__ = "refresh_tokens"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    family_id: UUID = Field(index=True)
    user_id: UUID = Field(index=True)
    secret_hash: str
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None


class SigningKey(SQLModel, table=True):
    __tablename__ = "signing_keys"

    kid: str = Field(primary_key=True)
    private_pem: str
    created_at: datetime = Field(default_factory=now)


TABLES = [User.__table__, RefreshToken.__table__, SigningKey.__table__]  # type: ignore[attr-defined]
