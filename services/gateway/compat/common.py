"""What every seed dialect shares: error shaping scoped to its own routes, and small conversions.

Each seed document has its own error format (`{"error": ...}`, FastAPI's `{"detail": ...}`,
an envelope, ...), while the native API has another. FastAPI's exception handlers are
app-wide, so each dialect is a sub-application (`dialect_app`) mounted at its prefix: every
error raised under that prefix becomes a `Failure`, and the dialect's `shape` writes it down
(or the dialect answers them itself, `answer_errors`). An unexpected error is logged once,
where it is answered, and goes no further. `call_auth` turns the auth service's answers
into data or our errors.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from libs.common.errors import Conflict, InvalidInput, NotFound, ProviderError, ReelforgeError, Unauthorized
from libs.common.http_errors import STATUS_BY_ERROR, AnswerUnexpected, Respond, field_errors
from services.gateway.core import ratelimit, sign_in
from services.gateway.http import ratelimit_headers
from services.gateway.http.deps import database, gateway_settings


@dataclass(frozen=True)
class Failure:
    """One error, independent of how a dialect writes it down.

    `message` is a sentence safe to show a user; `fields` name the offending fields
    (`{field, message}`); `validation` keeps pydantic's own error list for dialects
    whose document is FastAPI's 422 `detail` list.
    """

    status: int
    message: str
    fields: list[dict[str, str]] = field(default_factory=list)
    validation: list[dict[str, Any]] | None = None
    headers: dict[str, str] | None = None


ErrorShape = Callable[[Failure], Response]


def failure_of(error: Exception, request: Request) -> Failure:
    """The `Failure` for anything a dialect raised; an unexpected error is a plain 500 that shows nothing
    of it (`AnswerUnexpected`, which passes it here, has logged it)."""
    if isinstance(error, RequestValidationError):
        raw = list(error.errors())
        fields = field_errors(raw)
        summary = "; ".join(f"{item['field']}: {item['message']}" for item in fields)
        return Failure(422, f"Invalid request: {summary}", fields, jsonable_encoder(raw))
    if isinstance(error, ValidationError):  # a core model checked what the dialect built from the request
        fields = field_errors(list(error.errors(include_url=False, include_context=False)))
        summary = "; ".join(f"{item['field']}: {item['message']}" for item in fields)
        return Failure(422, f"Invalid request: {summary}", fields)
    if isinstance(error, ReelforgeError):
        status = next((code for kind, code in STATUS_BY_ERROR.items() if isinstance(error, kind)), 400)
        name = getattr(error, "field", None)
        fields = [{"field": name, "message": error.message}] if name else []
        headers = getattr(error, "headers", None) or ({"WWW-Authenticate": "Bearer"} if status == 401 else None)
        return Failure(status, error.message, fields, headers=headers)
    if isinstance(error, HTTPException):
        return Failure(error.status_code, str(error.detail), headers=dict(error.headers or {}) or None)
    return Failure(500, "Internal server error")


def dialect_app(gateway: FastAPI, title: str, description: str = "", shape: ErrorShape | None = None) -> FastAPI:
    """A sub-application for one dialect, mounted under its prefix by `mount_dialects`.

    It shares the gateway's `state` (runtime, verifier, signals, settings), so the gateway's
    dependencies work unchanged. With `shape`, every error under its prefix (unknown paths
    included) is written in the dialect's own way; without, the dialect installs its handlers.
    """
    app = FastAPI(title=title, description=description)
    app.state = gateway.state
    if shape is not None:

        async def on_error(request: Request, error: Exception) -> Response:
            return shape(failure_of(error, request))

        answer_errors(app, on_error)
    return app


def answer_errors(app: FastAPI, respond: Respond) -> None:
    """Every error under `app` answered by `respond`: ours, validation and HTTP errors as exception
    handlers, and anything else by `AnswerUnexpected` (logged once, never re-raised to the gateway)."""
    for kind in (RequestValidationError, ValidationError, ReelforgeError, HTTPException):
        app.add_exception_handler(kind, respond)
    app.add_middleware(AnswerUnexpected, respond=respond)


def parse_job_id(raw: str) -> UUID:
    """A path's job id; one that is not even a UUID is simply not found (never a 422)."""
    try:
        return UUID(raw)
    except ValueError:
        raise NotFound("Job not found") from None


def epoch_seconds(moment: datetime) -> int:
    """Unix seconds; SQLite hands back naive datetimes, which are UTC here."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return int(aware.timestamp())


def iso_z(moment: datetime) -> str:
    """ISO 8601 in UTC with a `Z`, as the seeds write their timestamps."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def call_auth(request: Request, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """The auth service's JSON answer, for dialects that reshape it; its errors raised as ours."""
    answer = await request.app.state.auth_client.request(method, path, body)
    payload = answer.json() if answer.content else None
    if answer.status_code < 400:
        return payload
    raise auth_error(answer.status_code, payload if isinstance(payload, dict) else {})


def auth_error(status: int, payload: dict[str, Any]) -> ReelforgeError:
    """Our error for an auth service refusal (its body is the native `{detail, errors}` shape)."""
    detail = str(payload.get("detail") or "The auth service refused the request")
    errors = payload.get("errors") or [{}]
    name = errors[0].get("field") if isinstance(errors[0], dict) else None
    if status == 401:
        return Unauthorized(detail)
    if status == 404:
        return NotFound(detail)
    if status == 409:
        return Conflict(detail, field=name)
    if status >= 500:
        return ProviderError("The auth service is unavailable; try again shortly", retryable=True)
    return InvalidInput(detail, field=name)


async def register_account(request: Request, body: dict[str, Any]) -> Any:
    """Register through auth, counted against the native API's budget of registrations per client address."""
    settings = gateway_settings(request)
    await sign_in.count_registration(
        database(request), settings, ratelimit_headers.client_address(request, settings.trusted_proxies)
    )
    return await call_auth(request, "POST", "/register", body)


async def log_in(request: Request, identifier: str, password: str) -> Any:
    """Log in through auth (the token pair), guarded like the native login: failed logins are counted
    per account and per client address, and past either budget refused with 429."""
    db, settings = database(request), gateway_settings(request)
    budgets = sign_in.login_budgets(
        settings, ratelimit_headers.client_address(request, settings.trusted_proxies), identifier
    )
    await ratelimit.peek(db, budgets, "failed logins")
    try:
        return await call_auth(request, "POST", "/login", {"login": identifier, "password": password})
    except Unauthorized:
        await ratelimit.charge(db, budgets, "failed logins")
        raise
