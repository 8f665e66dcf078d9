"""The auth service: internal HTTP API the gateway calls; it owns users, sessions and signing keys."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from sqlmodel import col, select

from libs.common.accounts import Credentials, RefreshRequest, TokenPair, UserCreate, UserPage, UserPublic, UserUpdate
from libs.common.db import Database
from libs.common.errors import Forbidden, Unauthorized
from libs.common.http_errors import install_error_handlers
from libs.common.runtime import Runtime
from libs.common.service import build_service
from services.auth import accounts
from services.auth.settings import AuthSettings
from services.auth.store import SigningKey
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


def caller(request: Request, sign: SignerDep) -> dict[str, object]:
    """The claims of the access token the gateway forwards for user-scoped calls (auth checks its own tokens)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    claims = sign.verify(token) if scheme.lower() == "bearer" else None
    if claims is None:
        raise Unauthorized("Could not validate credentials")
    return claims


def admin(claims: Annotated[dict[str, object], Depends(caller)]) -> dict[str, object]:
    if claims.get("role") != "admin":
        raise Forbidden("This needs the admin role")
    return claims


Admin = Annotated[dict[str, object], Depends(admin)]


def admin_emails(settings: AuthSettings) -> frozenset[str]:
    return frozenset(email.strip().lower() for email in settings.admin_emails)


@router.post("/register", status_code=201)
async def register(data: UserCreate, db: DatabaseDep, settings: SettingsDep) -> UserPublic:
    return accounts.public(await accounts.register(db, data, admin_emails(settings)))


@router.post("/login")
async def login(credentials: Credentials, db: DatabaseDep, sign: SignerDep, settings: SettingsDep) -> TokenPair:
    identifier = credentials.identifier
    if not identifier:
        raise Unauthorized(accounts.BAD_LOGIN)
    user = await accounts.authenticate(db, identifier, credentials.password, admin_emails(settings))
    return await accounts.start_session(db, sign, user, settings.refresh_token_ttl_s)


@router.post("/refresh")
async def refresh(data: RefreshRequest, db: DatabaseDep, sign: SignerDep, settings: SettingsDep) -> TokenPair:
    return await accounts.rotate(db, sign, data.refresh_token, settings.refresh_token_ttl_s)


@router.post("/logout", status_code=204)
async def logout(data: RefreshRequest, db: DatabaseDep) -> None:
    await accounts.revoke_family(db, data.refresh_token)


@router.get("/users")
async def users(
    db: DatabaseDep,
    _admin: Admin,
    page: Annotated[int, Query(ge=1)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> UserPage:
    rows, total = await accounts.list_users(db, page, limit)
    return UserPage(items=[accounts.public(row) for row in rows], total=total, page=page, limit=limit)


@router.get("/users/{user_id}")
async def user(user_id: UUID, db: DatabaseDep) -> UserPublic:
    """One account, for the gateway (which asks only for the caller's own; it may hold an API key, not a token)."""
    return accounts.public(await accounts.get_user(db, user_id))


@router.patch("/users/{user_id}")
async def update_user(user_id: UUID, data: UserUpdate, db: DatabaseDep, _admin: Admin) -> UserPublic:
    changed = await accounts.update_user(db, user_id, is_active=data.is_active, tier=data.tier, role=data.role)
    return accounts.public(changed)


@router.get("/.well-known/jwks.json")
async def jwks(sign: SignerDep) -> dict[str, list[dict[str, str]]]:
    return sign.jwks()


async def load_signer(db: Database, settings: AuthSettings) -> Signer:
    """The signing key, created on first start; a replica that loses the race reads the winner's key."""
    async with db.transaction() as session:
        existing = (await session.exec(select(SigningKey).order_by(col(SigningKey.created_at)))).first()
        if existing is None:
            existing = SigningKey(kid="k1", private_pem=Signer.new_private_pem())
            session.add(existing)
    return Signer.from_pem(
        existing.kid, existing.private_pem, settings.jwt_issuer, settings.jwt_audience, settings.access_token_ttl_s
    )


def create_app(settings: AuthSettings) -> FastAPI:
    async def wire(runtime: Runtime) -> None:
        app.state.signer = await load_signer(runtime.db, settings)

    app = build_service("auth", settings, wire=wire, uses_bus=False, uses_store=False)
    app.state.settings = settings
    install_error_handlers(app)
    app.include_router(router)
    return app
