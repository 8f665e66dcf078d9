"""The one mapping from our errors to HTTP responses: `{"detail": "...", "errors": [...]}`.

`detail` is always a sentence a user can act on; `errors` (on validation failures)
names each offending field and, for choices, the allowed values. No stack trace
ever leaves the process: unexpected errors are logged and answered with a plain 500.
"""

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from libs.common.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    ProviderError,
    QuotaExceeded,
    RateLimited,
    ReelforgeError,
    TooLarge,
    Unauthorized,
)

log = logging.getLogger(__name__)

Respond = Callable[[Request, Exception], Awaitable[Response]]
"""How an app answers an unexpected error (its API's own 500 body)."""

STATUS_BY_ERROR: dict[type[ReelforgeError], int] = {
    InvalidInput: 422,
    NotFound: 404,
    Conflict: 409,
    Unauthorized: 401,
    TooLarge: 413,
    Forbidden: 403,
    QuotaExceeded: 403,
    RateLimited: 429,
    ProviderError: 503,
}


def field_errors(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Pydantic's errors as `{field, message}`, the field a dotted path without the `body` prefix."""
    described = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")]
        message = error.get("msg", "invalid value")
        if error.get("type") == "extra_forbidden":
            message = "unknown field"
        elif error.get("type") == "json_invalid":
            message = "the body is not valid JSON"
        described.append({"field": ".".join(location) or "body", "message": message})
    return described


def validation_response(errors: list[dict[str, str]], status_code: int = 422) -> JSONResponse:
    summary = "; ".join(f"{error['field']}: {error['message']}" for error in errors)
    return JSONResponse({"detail": f"Invalid request: {summary}", "errors": errors}, status_code=status_code)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def on_validation(_request: Request, error: RequestValidationError) -> JSONResponse:
        return validation_response(field_errors(list(error.errors())))

    @app.exception_handler(ValidationError)
    async def on_model_validation(_request: Request, error: ValidationError) -> JSONResponse:
        """A request body checked in the core (a template's parameters with the user's overrides)."""
        return validation_response(field_errors(list(error.errors())))

    @app.exception_handler(ReelforgeError)
    async def on_reelforge(_request: Request, error: ReelforgeError) -> JSONResponse:
        status = next((code for kind, code in STATUS_BY_ERROR.items() if isinstance(error, kind)), 400)
        body: dict[str, Any] = {"detail": error.message}
        field = getattr(error, "field", None)
        if field:
            body["errors"] = [{"field": field, "message": error.message}]
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else getattr(error, "headers", None)
        return JSONResponse(body, status_code=status, headers=headers)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"detail": str(error.detail)}, status_code=error.status_code, headers=error.headers)

    app.add_middleware(AnswerUnexpected, respond=internal_error)


async def internal_error(_request: Request, _error: Exception) -> Response:
    return JSONResponse({"detail": "Internal server error"}, status_code=500)


class AnswerUnexpected:
    """ASGI middleware: an error no exception handler took is logged once, with its traceback, and
    answered by `respond` (a 500 that shows nothing of it).

    Not Starlette's handler for `Exception`: that one re-raises after answering, so the error also
    reaches every app around (a dialect is mounted inside the gateway) and the server, each logging
    it again. Here it stops. Once the response has started nothing more can be answered: the error
    goes on, unlogged here, to the server, which logs it and closes the connection.
    """

    def __init__(self, app: ASGIApp, respond: Respond) -> None:
        self.app = app
        self.respond = respond

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as error:
            if started:
                raise
            request = Request(scope)
            log.exception("unhandled error on %s %s", request.method, request.url.path)
            response = await self.respond(request, error)
            await response(scope, receive, send)
