"""Accounts and sessions: register, log in, rotate refresh tokens, revoke families."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from libs.common.accounts import TokenPair, UserCreate, UserPublic
from libs.common.db import Database
from libs.common.errors import Conflict, InvalidInput, NotFound, Unauthorized
from libs.common.events import now
from services.auth.store import RefreshToken, User
from services.auth.tokens import Signer, hash_secret, new_refresh_secret, parse_refresh_token, refresh_token_string

BAD_LOGIN = "Incorrect username or password"
BAD_REFRESH = "Could not validate credentials"
ROLES = ("user", "admin")
TIERS = ("FREE", "PRO", "ENTERPRISE")

hasher = PasswordHasher()  # argon2id with the library's recommended parameters
# Verified against when the account does not exist, so a miss costs as long as a hit.
_DUMMY_HASH = hasher.hash("not-a-real-password")


def public(user: User) -> UserPublic:
    return UserPublic(
        id=user.id,
        email=user.email,
        username=user.username,
        role=user.role,
        subscription_tier=user.tier,
        is_active=user.is_active,
        created_at=user.created_at,
    )


async def register(db: Database, data: UserCreate, admin_emails: frozenset[str] = frozenset()) -> User:
    email = data.email.lower()
    user = User(
        email=email,
        username=data.username,
        password_hash=hasher.hash(data.password),
        role="admin" if email in admin_emails else "user",
    )
    try:
        async with db.transaction() as session:
            await _refuse_clash(session, email, data.username)
            session.add(user)
    except IntegrityError:
        # Two registrations raced past the check: the database's unique index decided; say which field.
        async with db.sessions() as session:
            await _refuse_clash(session, email, data.username)
        raise Conflict("a user with this email or username already exists", field="email") from None
    return user


async def _refuse_clash(session: AsyncSession, email: str, username: str) -> None:
    for field, value in (("email", email), ("username", username)):
        clash = await session.exec(select(User).where(func.lower(getattr(User, field)) == value.lower()))
        if clash.first() is not None:
            raise Conflict(f"a user with this {field} already exists", field=field)


async def authenticate(
    db: Database, identifier: str, password: str, admin_emails: frozenset[str] = frozenset()
) -> User:
    async with db.sessions() as session:
        found = await session.exec(
            select(User).where(
                or_(func.lower(User.email) == identifier.lower(), func.lower(User.username) == identifier.lower())
            )
        )
        user = found.first()
    try:
        hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        raise Unauthorized(BAD_LOGIN) from None
    if user is None or not user.is_active:
        raise Unauthorized(BAD_LOGIN)
    if user.email in admin_emails and user.role != "admin":
        async with db.transaction() as session:
            user.role = "admin"
            session.add(user)
    return user


async def start_session(db: Database, signer: Signer, user: User, refresh_ttl_s: int) -> TokenPair:
    """A new refresh-token family for a fresh login."""
    return await _issue(db, signer, user, uuid4(), refresh_ttl_s)


async def _issue(db: Database, signer: Signer, user: User, family_id: UUID, refresh_ttl_s: int) -> TokenPair:
    secret = new_refresh_secret()
    token = RefreshToken(
        family_id=family_id,
        user_id=user.id,
        secret_hash=hash_secret(secret),
        expires_at=now() + timedelta(seconds=refresh_ttl_s),
    )
    async with db.transaction() as session:
        session.add(token)
    return TokenPair(
        access_token=signer.access_token(user),
        refresh_token=refresh_token_string(token.id, secret),
        expires_in=signer.ttl_s,
    )


async def rotate(db: Database, signer: Signer, presented: str, refresh_ttl_s: int) -> TokenPair:
    """Trade a refresh token for a new pair. Presenting a used token revokes its whole family."""
    parsed = parse_refresh_token(presented)
    if parsed is None:
        raise Unauthorized(BAD_REFRESH)
    token_id, secret = parsed
    async with db.transaction() as session:
        token = await session.get(RefreshToken, token_id)
        if token is None or token.secret_hash != hash_secret(secret):
            raise Unauthorized(BAD_REFRESH)
        if token.used_at is not None or token.revoked_at is not None:
            await session.exec(
                update(RefreshToken)
                .where(col(RefreshToken.family_id) == token.family_id, col(RefreshToken.revoked_at).is_(None))
                .values(revoked_at=now())
            )
            reused = True
        else:
            reused = False
            if _aware(token.expires_at) < now():
                raise Unauthorized(BAD_REFRESH)
            token.used_at = now()
            session.add(token)
        user = await session.get(User, token.user_id)
    if reused or user is None or not user.is_active:
        raise Unauthorized(BAD_REFRESH)
    return await _issue(db, signer, user, token.family_id, refresh_ttl_s)


async def revoke_family(db: Database, presented: str) -> None:
    parsed = parse_refresh_token(presented)
    if parsed is None:
        return
    token_id, secret = parsed
    async with db.transaction() as session:
        token = await session.get(RefreshToken, token_id)
        if token is None or token.secret_hash != hash_secret(secret):
            return
        await session.exec(
            update(RefreshToken).where(col(RefreshToken.family_id) == token.family_id).values(revoked_at=now())
        )


async def get_user(db: Database, user_id: UUID) -> User:
    async with db.sessions() as session:
        user = await session.get(User, user_id)
    if user is None:
        raise NotFound("user not found")
    return user


async def list_users(db: Database, page: int, limit: int) -> tuple[list[User], int]:
    async with db.sessions() as session:
        total = (await session.exec(select(func.count()).select_from(User))).one()
        rows = await session.exec(
            select(User).order_by(col(User.created_at), col(User.id)).offset((page - 1) * limit).limit(limit)
        )
        return list(rows.all()), total


async def update_user(
    db: Database, user_id: UUID, is_active: bool | None = None, tier: str | None = None, role: str | None = None
) -> User:
    """An admin's change to an account. Disabling also revokes every refresh token the user holds."""
    if tier is not None and tier not in TIERS:
        raise InvalidInput(f"tier must be one of {', '.join(TIERS)}", field="tier")
    if role is not None and role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}", field="role")
    async with db.transaction() as session:
        user = await session.get(User, user_id)
        if user is None:
            raise NotFound("user not found")
        for name, value in (("is_active", is_active), ("tier", tier), ("role", role)):
            if value is not None:
                setattr(user, name, value)
        session.add(user)
        if is_active is False:
            await session.exec(
                update(RefreshToken)
                .where(col(RefreshToken.user_id) == user_id, col(RefreshToken.revoked_at).is_(None))
                .values(revoked_at=now())
            )
    return user


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
