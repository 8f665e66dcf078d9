"""Admin routes under /api/v1/admin: every user and every job, and disabling an account at once.

Account changes are made by auth, which checks the admin's access token itself (so these need
a token from a login, not an API key); the gateway records a disabled account first, so that
user's tokens and keys stop working on every replica with the very next request.
"""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import col, select

from libs.common.accounts import UserUpdate
from libs.common.errors import Forbidden, InvalidInput
from libs.common.vocabulary import JobStatus
from services.gateway.core import api_keys
from services.gateway.core.schemas import JobPublic
from services.gateway.core.store import Job
from services.gateway.http.deps import AdminUser, BearerToken, DatabaseDep, DisabledAccountsDep, PageNumber

router = APIRouter(prefix="/admin", tags=["admin"])


class AdminJob(JobPublic):
    user_id: str


class AdminJobPage(BaseModel):
    items: list[AdminJob]
    total: int
    page: int
    limit: int


def _token(token: str | None) -> str:
    if not token or api_keys.looks_like_key(token):
        raise Forbidden("Admin account changes need an access token from /auth/login, not an API key")
    return token


@router.get("/users")
async def list_users(
    request: Request,
    _admin: AdminUser,
    token: BearerToken,
    page: PageNumber = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Response:
    """Every account, oldest first."""
    return await request.app.state.auth_client.call(
        "GET", "/users", token=_token(token), params={"page": page, "limit": limit}
    )


@router.patch("/users/{user_id}")
async def update_user(
    user_id: UUID,
    data: UserUpdate,
    request: Request,
    admin: AdminUser,
    token: BearerToken,
    accounts: DisabledAccountsDep,
) -> Response:
    """Change a user's `tier`, `role` or `is_active`; `is_active: false` shuts the user out at once."""
    if data.is_active is False and str(user_id) == admin.user_id:
        raise InvalidInput("is_active: an admin cannot disable their own account", field="is_active")
    if data.is_active is False:
        await accounts.set_disabled(str(user_id), True)
    answer = await request.app.state.auth_client.request(
        "PATCH", f"/users/{user_id}", body=data.model_dump(exclude_none=True), token=_token(token)
    )
    if answer.status_code == 200 and data.is_active is True:
        await accounts.set_disabled(str(user_id), False)
    if answer.status_code == 404 and data.is_active is False:
        await accounts.set_disabled(str(user_id), False)
    return JSONResponse(answer.json(), status_code=answer.status_code)


@router.post("/users/{user_id}/disable")
async def disable_user(
    user_id: UUID, request: Request, admin: AdminUser, token: BearerToken, accounts: DisabledAccountsDep
) -> Response:
    """Shut the user out: their tokens and API keys stop working now, and they cannot log in."""
    return await update_user(user_id, UserUpdate(is_active=False), request, admin, token, accounts)


@router.post("/users/{user_id}/enable")
async def enable_user(
    user_id: UUID, request: Request, admin: AdminUser, token: BearerToken, accounts: DisabledAccountsDep
) -> Response:
    return await update_user(user_id, UserUpdate(is_active=True), request, admin, token, accounts)


@router.get("/jobs")
async def list_jobs(
    _admin: AdminUser,
    db: DatabaseDep,
    page: PageNumber = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    status: JobStatus | None = None,
    user_id: str | None = None,
) -> AdminJobPage:
    """Every user's jobs, newest first; narrow by `status` or `user_id`."""
    query = select(Job)
    if status is not None:
        query = query.where(Job.status == status)
    if user_id is not None:
        query = query.where(Job.user_id == user_id)
    async with db.sessions() as session:
        total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
        rows = await session.exec(query.order_by(col(Job.created_at).desc()).offset((page - 1) * limit).limit(limit))
        items = [AdminJob(**JobPublic.of(job).model_dump(), user_id=job.user_id) for job in rows.all()]
    return AdminJobPage(items=items, total=total, page=page, limit=limit)
