"""The account API's bodies, shared by the auth service and the gateway that fronts it (input and output kept apart)."""

import unicodedata
from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

USERNAME_PATTERN = r"^[\w.\-]{3,32}$"
Role = Literal["user", "admin"]
Tier = Literal["FREE", "PRO", "ENTERPRISE"]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr = Field(max_length=254)
    username: str = Field(pattern=USERNAME_PATTERN, description="3-32 letters, digits, '_', '.' or '-' (any script).")
    password: str = Field(min_length=8, max_length=128)

    @field_validator("username", mode="before")
    @classmethod
    def _one_spelling(cls, value: object) -> object:
        """NFKC, so a username typed with full-width or composed letters is the same account name."""
        return unicodedata.normalize("NFKC", value) if isinstance(value, str) else value


class Credentials(BaseModel):
    """Login by email or username: `login` (or `email` / `username`) plus `password`."""

    login: str | None = Field(None, max_length=254)
    email: str | None = Field(None, max_length=254)
    username: str | None = Field(None, max_length=254)
    password: str = Field(max_length=128)

    @property
    def identifier(self) -> str | None:
        return self.login or self.email or self.username


class RefreshRequest(BaseModel):
    refresh_token: str = Field(max_length=512)


class UserPublic(BaseModel):
    id: UUID
    email: str
    username: str
    role: str
    subscription_tier: str
    is_active: bool
    created_at: datetime


class UserPage(BaseModel):
    items: list[UserPublic]
    total: int
    page: int
    limit: int


class UserUpdate(BaseModel):
    """What an admin may change on an account; absent fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    is_active: bool | None = None
    tier: Tier | None = None
    role: Role | None = None


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int
