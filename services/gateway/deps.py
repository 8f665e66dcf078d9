"""FastAPI dependencies of the gateway: the runtime's parts and the calling user."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from libs.common.db import Database
from libs.common.errors import Unauthorized
from libs.common.runtime import Runtime
from libs.common.storage import ObjectStore
from services.gateway.security import Principal, TokenVerifier

bearer = HTTPBearer(auto_error=False, description="An access token from /api/v1/auth/login.")


def runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def database(request: Request) -> Database:
    return request.app.state.runtime.db


def object_store(request: Request) -> ObjectStore:
    return request.app.state.runtime.store


def verifier(request: Request) -> TokenVerifier:
    return request.app.state.verifier


async def current_user(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("Not authenticated: send 'Authorization: Bearer <access token>'")
    return await verifier(request).verify(credentials.credentials)


RuntimeDep = Annotated[Runtime, Depends(runtime)]
DatabaseDep = Annotated[Database, Depends(database)]
StoreDep = Annotated[ObjectStore, Depends(object_store)]
CurrentUser = Annotated[Principal, Depends(current_user)]
