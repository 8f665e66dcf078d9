"""FastAPI dependencies of the gateway: the runtime's parts and the calling user.

A caller proves who they are with an access token (`Authorization: Bearer <jwt>`) or an
API key (`X-API-Key: rfk_...`, or `Bearer rfk_...`). Either way the account must not be
disabled, and every authenticated request is counted against the user's request budgets.
"""

from typing import Annotated

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from libs.common.db import Database
from libs.common.errors import Forbidden, Unauthorized
from libs.common.runtime import Runtime
from libs.common.storage import ObjectStore
from services.gateway.core import api_keys, idempotency, ratelimit
from services.gateway.core.access import DisabledAccounts
from services.gateway.core.api_keys import KnownKeys
from services.gateway.core.downloads import Downloads
from services.gateway.core.job_reads import JobReads
from services.gateway.core.request_budgets import RequestBudgets
from services.gateway.core.security import Principal, TokenVerifier
from services.gateway.http import ratelimit_headers
from services.gateway.settings import GatewaySettings

bearer = HTTPBearer(auto_error=False, description="An access token from /api/v1/auth/login, or an API key.")
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key from /api/v1/api-keys.")

NOT_AUTHENTICATED = "Not authenticated: send 'Authorization: Bearer <access token>' or 'X-API-Key: <API key>'"
ANONYMOUS = Principal(
    user_id="00000000-0000-4000-8000-000000000000", role="user", username="anonymous", tier="ENTERPRISE"
)
"""The one local user anonymous requests act as (loopback only): the machine's owner, so no job quota."""

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=idempotency.HEADER,
        min_length=1,
        max_length=200,
        description="Any string unique to this request, e.g. a UUID: sending it again returns the first job.",
    ),
]


def runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def database(request: Request) -> Database:
    return request.app.state.runtime.db


def object_store(request: Request) -> ObjectStore:
    return request.app.state.runtime.store


def verifier(request: Request) -> TokenVerifier:
    return request.app.state.verifier


def gateway_settings(request: Request) -> GatewaySettings:
    return request.app.state.settings


def url_signing_key(request: Request) -> bytes:
    return request.app.state.url_signing_key


def downloads(request: Request) -> Downloads:
    """Signed links for this request: local ones point at the address the client called."""
    return Downloads(runtime(request), object_store(request), url_signing_key(request), str(request.base_url))


def job_reads(request: Request) -> JobReads:
    return request.app.state.job_reads


def disabled_accounts(request: Request) -> DisabledAccounts:
    return request.app.state.disabled_accounts


def known_keys(request: Request) -> KnownKeys:
    return request.app.state.known_keys


def request_budgets(request: Request) -> RequestBudgets:
    return request.app.state.request_budgets


async def identify(app: FastAPI, token: str | None, api_key: str | None = None) -> Principal | None:
    """The user a bearer token or API key belongs to; None when neither was sent.

    Shared with the WebSocket, which takes its token from the query or a first message.
    """
    if api_key or (token and api_keys.looks_like_key(token)):
        principal = await app.state.known_keys.principal_for(api_key or token or "")
    elif token:
        principal = await app.state.verifier.verify(token)
    else:
        return None
    if await app.state.disabled_accounts.is_disabled(principal.user_id):
        raise Unauthorized("This account is disabled")
    return principal


async def _credentials(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None,
    api_key: str | None,
) -> Principal | None:
    token = credentials.credentials if credentials is not None and credentials.scheme.lower() == "bearer" else None
    return await identify(request.app, token, api_key)


async def charge_requests(request: Request, user: Principal) -> None:
    """Count the request against the user's per-minute and per-hour budgets (429 when spent)."""
    settings: GatewaySettings = request.app.state.settings
    budgets = [
        ratelimit.Budget(f"user:{user.user_id}:minute", settings.rate_limit_per_minute, ratelimit.MINUTE),
        ratelimit.Budget(f"user:{user.user_id}:hour", settings.rate_limit_per_hour, ratelimit.HOUR),
    ]
    ratelimit_headers.remember(request, await request.app.state.request_budgets.charge(budgets, "requests"))


async def current_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    api_key: Annotated[str | None, Depends(api_key_header)],
) -> Principal:
    principal = await _credentials(request, credentials, api_key)
    if principal is None:
        raise Unauthorized(NOT_AUTHENTICATED)
    await charge_requests(request, principal)
    return principal


def anonymous_allowed(settings: GatewaySettings) -> bool:
    """Anonymous use needs both the setting and a gateway that only this machine can reach."""
    return settings.allow_anonymous and settings.loopback_only


async def user_or_anonymous(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    api_key: Annotated[str | None, Depends(api_key_header)],
) -> Principal:
    """For the dialects that document no auth: credentials when sent, else the anonymous local user
    (only when `REELFORGE_ALLOW_ANONYMOUS` is on and the gateway binds to loopback)."""
    principal = await _credentials(request, credentials, api_key)
    if principal is None:
        if not anonymous_allowed(request.app.state.settings):
            raise Unauthorized(NOT_AUTHENTICATED)
        principal = ANONYMOUS
    await charge_requests(request, principal)
    return principal


async def admin_user(user: Annotated[Principal, Depends(current_user)]) -> Principal:
    if not user.is_admin:
        raise Forbidden("This needs the admin role")
    return user


def bearer_token(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> str | None:
    """The raw bearer credential (forwarded to auth for the calls auth checks itself)."""
    return credentials.credentials if credentials is not None else None


MAX_PAGE = 1_000_000
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE, description="1-based page number.")]
"""A list's page: bounded, so an absurd page is a 422 naming `page`, never an overflow in the database."""

RuntimeDep = Annotated[Runtime, Depends(runtime)]
DatabaseDep = Annotated[Database, Depends(database)]
StoreDep = Annotated[ObjectStore, Depends(object_store)]
SettingsDep = Annotated[GatewaySettings, Depends(gateway_settings)]
UrlSigningKeyDep = Annotated[bytes, Depends(url_signing_key)]
DownloadsDep = Annotated[Downloads, Depends(downloads)]
JobReadsDep = Annotated[JobReads, Depends(job_reads)]
DisabledAccountsDep = Annotated[DisabledAccounts, Depends(disabled_accounts)]
KnownKeysDep = Annotated[KnownKeys, Depends(known_keys)]
RequestBudgetsDep = Annotated[RequestBudgets, Depends(request_budgets)]
CurrentUser = Annotated[Principal, Depends(current_user)]
UserOrAnonymous = Annotated[Principal, Depends(user_or_anonymous)]
AdminUser = Annotated[Principal, Depends(admin_user)]
BearerToken = Annotated[str | None, Depends(bearer_token)]
