"""API keys under /api/v1/api-keys: make one (shown once), list yours, revoke one."""

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from libs.common.errors import Conflict
from services.gateway.core import api_keys
from services.gateway.core.api_keys import ApiKey
from services.gateway.http.deps import CurrentUser, DatabaseDep, KnownKeysDep

router = APIRouter(prefix="/api-keys", tags=["api keys"])


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field("default", min_length=1, max_length=100, description="What the key is for.")


class ApiKeyPublic(BaseModel):
    id: UUID
    name: str
    hint: str = Field(description="The key's first characters.")
    created_at: datetime
    last_used_at: datetime | None

    @classmethod
    def of(cls, row: ApiKey) -> "ApiKeyPublic":
        return cls(id=row.id, name=row.name, hint=row.hint, created_at=row.created_at, last_used_at=row.last_used_at)


class ApiKeyCreated(ApiKeyPublic):
    key: str = Field(description="The key: send it as `X-API-Key` or `Authorization: Bearer`. Shown only now.")


@router.post("", status_code=201)
async def create_api_key(user: CurrentUser, db: DatabaseDep, data: ApiKeyCreate | None = None) -> ApiKeyCreated:
    """A new key acting as you; the answer is the only time the key is shown."""
    if await api_keys.count_keys(db, user) >= api_keys.MAX_KEYS_PER_USER:
        raise Conflict(f"You have {api_keys.MAX_KEYS_PER_USER} keys, the most allowed: revoke one first")
    row, key = await api_keys.create_key(db, user, (data or ApiKeyCreate()).name)
    return ApiKeyCreated(**ApiKeyPublic.of(row).model_dump(), key=key)


@router.get("")
async def list_api_keys(user: CurrentUser, db: DatabaseDep) -> list[ApiKeyPublic]:
    return [ApiKeyPublic.of(row) for row in await api_keys.list_keys(db, user)]


@router.delete("/{key_id}", status_code=204)
async def revoke_api_key(key_id: UUID, user: CurrentUser, keys: KnownKeysDep) -> Response:
    """Revoke a key: the next request with it is refused (on other gateway replicas within
    `credential_cache_ttl_s`)."""
    await keys.revoke(user, key_id)
    return Response(status_code=204)
