"""The auth service: internal HTTP API the gateway calls; it owns users, sessions and signing keys."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, FastAPI, Request
from sqlmodel import select

from libs.common.accounts import Credentials, RefreshRequest, TokenPair, UserCreate, UserPublic
from libs.common.db import Database
from libs.common.errors import Unauthorized
from libs.common.http_errors import install_error_handlers
from libs.common.runtime import Runtime
from libs.common.service import build_service
from services.auth import accounts
from services.auth.settings import AuthSettings
from services.auth.store import TABLES, SigningKey
from services.auth.tokens import Signer

router = APIRouter()


def database(request: Request) -> Database:
    return request.app.state.runtime.db


def signer(request: Request) -> Signer:
    return request.app.state.signer


def auth_settings(request: Request) -> AuthSettings:
    return request.app.state.settings


DatabaseDep = Annotated[Database, Depends(database)]
SignerDep = Annotated[Signer, Depends(signer)]
SettingsDep = Annotated[AuthSettings, Depends(auth_settings)]


@router.post("/register", status_code=201)
async def register(data: UserCreate, db: DatabaseDep) -> UserPublic:
    return accounts.public(await accounts.register(db, data))


@router.post("/login")
async def login(credentials: Credentials, db: DatabaseDep, sign: SignerDep, settings: SettingsDep) -> TokenPair:
    identifier = credentials.identifier
    if not identifier:
        raise Unauthorized(accounts.BAD_LOGIN)
    user = await accounts.authenticate(db, identifier, credentials.password)
    return await accounts.start_session(db, sign, user, settings.refresh_token_ttl_s)


@router.post("/refresh")
async def refresh(data: RefreshRequest, db: DatabaseDep, sign: SignerDep, settings: SettingsDep) -> TokenPair:
    return await accounts.rotate(db, sign, data.refresh_token, settings.refresh_token_ttl_s)


@router.post("/logout", status_code=204)
async def logout(data: RefreshRequest, db: DatabaseDep) -> None:
    await accounts.revoke_family(db, data.refresh_token)


@router.get("/users/{user_id}")
async def user(user_id: UUID, db: DatabaseDep) -> UserPublic:
    return accounts.public(await accounts.get_user(db, user_id))


@router.get("/.well-known/jwks.json")
async def jwks(sign: SignerDep) -> dict[str, list[dict[str, str]]]:
    return sign.jwks()


async def load_signer(db: Database, settings: AuthSettings) -> Signer:
    """The signing key, created on first start; a replica that loses the race reads the winner's key."""
    async with db.transaction() as session:
        existing = (await session.exec(select(SigningKey).order_by(SigningKey.created_at))).first()
        if existing is None:
            existing = SigningKey(kid="k1", private_pem=Signer.new_private_pem())
            session.add(existing)
    return Signer.from_pem(
        existing.kid, existing.private_pem, settings.jwt_issuer, settings.jwt_audience, settings.access_token_ttl_s
    )


def create_app(settings: AuthSettings) -> FastAPI:
    async def wire(runtime: Runtime) -> None:
        app.state.signer = await load_signer(runtime.db, settings)

    app = build_service("auth", settings, tables=TABLES, wire=wire, uses_bus=False, uses_store=False)
    app.state.settings = settings
    install_error_handlers(app)
    app.include_router(router)
    return app
