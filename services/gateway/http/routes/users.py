"""The caller's profile: the account from auth, storage from the gateway's own records."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import Field

from libs.common.accounts import UserPublic
from services.gateway.core import quotas
from services.gateway.http.deps import CurrentUser, RuntimeDep

router = APIRouter(tags=["users"])


class UserProfile(UserPublic):
    storage_used: int = Field(description="Bytes of your finished videos and uploaded images.")
    storage_limit: int = Field(description="Bytes your tier lets you keep.")


@router.get("/users/me", response_model=UserProfile)
async def me(request: Request, user: CurrentUser, runtime: RuntimeDep) -> Response:
    upstream = await request.app.state.auth_client.request("GET", f"/users/{user.user_id}")
    if upstream.status_code != 200:
        return JSONResponse(upstream.json(), status_code=upstream.status_code)
    account = UserPublic.model_validate(upstream.json())
    profile = UserProfile(
        **account.model_dump(),
        storage_used=await quotas.storage_used(runtime, user),
        storage_limit=quotas.storage_limit(runtime, user),
    )
    return JSONResponse(profile.model_dump(mode="json"))
