"""Accounts under /api/v1: register, log in (JSON or OAuth2 form), refresh, log out.

Failed logins are counted per account and per client address; past either budget, logins are
refused with 429 until the window ends (guessing passwords gets slow). Registrations are
counted per client address.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from libs.common.accounts import Credentials, RefreshRequest, TokenPair, UserCreate, UserPublic
from libs.common.http_errors import field_errors, validation_response
from services.gateway.core import ratelimit, sign_in
from services.gateway.http import ratelimit_headers
from services.gateway.http.auth_client import AuthClient
from services.gateway.http.deps import DatabaseDep, SettingsDep

router = APIRouter(tags=["auth"])


def auth_client(request: Request) -> AuthClient:
    return request.app.state.auth_client


Auth = Annotated[AuthClient, Depends(auth_client)]


@router.post("/auth/register", status_code=201, response_model=UserPublic)
async def register(data: UserCreate, request: Request, auth: Auth, db: DatabaseDep, settings: SettingsDep) -> Response:
    await sign_in.count_registration(db, settings, ratelimit_headers.client_address(request, settings.trusted_proxies))
    return await auth.call("POST", "/register", data.model_dump(mode="json"))


@router.post(
    "/auth/login",
    response_model=TokenPair,
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": Credentials.model_json_schema()},
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "properties": {"username": {"type": "string"}, "password": {"type": "string"}},
                        "required": ["username", "password"],
                    }
                },
            },
            "required": True,
        }
    },
)
async def login(request: Request, auth: Auth, db: DatabaseDep, settings: SettingsDep) -> Response:
    """Log in by email or username, as JSON or as the OAuth2 password form (`username`, `password`)."""
    if request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded", "multipart/")):
        raw: object = dict(await request.form())
    else:
        try:
            raw = await request.json()
        except ValueError:
            return validation_response([{"field": "body", "message": "send JSON or a login form"}])
    try:
        credentials = Credentials.model_validate(raw)
    except ValidationError as error:
        return validation_response(field_errors(list(error.errors())))
    if not credentials.identifier:
        return validation_response([{"field": "login", "message": "give an email or username"}])
    address = ratelimit_headers.client_address(request, settings.trusted_proxies)
    budgets = sign_in.login_budgets(settings, address, credentials.identifier)
    await ratelimit.peek(db, budgets, "failed logins")
    answer = await auth.call("POST", "/login", credentials.model_dump())
    if answer.status_code == 401:
        await ratelimit.charge(db, budgets, "failed logins")
    return answer


@router.post("/auth/refresh", response_model=TokenPair)
async def refresh(data: RefreshRequest, auth: Auth) -> Response:
    return await auth.call("POST", "/refresh", data.model_dump())


@router.post("/auth/logout", status_code=204)
async def logout(data: RefreshRequest, auth: Auth) -> Response:
    return await auth.call("POST", "/logout", data.model_dump())
