"""Access-token verification against the auth service's published keys (JWKS), cached locally.

Only EdDSA is accepted, so neither `alg: none` nor an HS256 token keyed with the
public key can pass; `exp`, `iat`, `iss`, `aud` and `sub` are all required.

A signature check costs about 0.2 ms of CPU, more than the rest of a status read, and a
client sends the same token with every request until it expires; so a verified token's
principal is remembered until its `exp` (a token cannot change; revocation is the disabled
accounts' check, made on every request).
"""

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
from jwt import PyJWK

from libs.common.errors import Unauthorized

ALGORITHMS = ["EdDSA"]
REFETCH_AFTER_S = 30.0
MAX_REMEMBERED = 10_000
"""Verified tokens a replica remembers; past that, the expired ones are forgotten, then all."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: from an access token's claims, an API key's row, or the anonymous local user."""

    user_id: str
    role: str
    username: str
    tier: str = "FREE"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class TokenVerifier:
    def __init__(self, jwks_url: str, issuer: str, audience: str, client: httpx.AsyncClient) -> None:
        self.jwks_url = jwks_url
        self.issuer = issuer
        self.audience = audience
        self.client = client
        self._keys: dict[str, PyJWK] = {}
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()
        self._verified: dict[str, tuple[Principal, float]] = {}

    async def _key(self, kid: str) -> PyJWK:
        if kid not in self._keys and time.monotonic() - self._fetched_at > REFETCH_AFTER_S / 10:
            async with self._lock:
                if kid not in self._keys:
                    await self._refresh()
        key = self._keys.get(kid)
        if key is None:
            raise Unauthorized("Could not validate credentials")
        return key

    async def _refresh(self) -> None:
        try:
            response = await self.client.get(self.jwks_url, timeout=5.0)
            response.raise_for_status()
        except httpx.HTTPError as error:
            raise Unauthorized("Could not validate credentials: the auth service is unavailable") from error
        self._keys = {item["kid"]: PyJWK(item) for item in response.json()["keys"]}
        self._fetched_at = time.monotonic()

    async def verify(self, token: str) -> Principal:
        remembered = self._verified.get(token)
        if remembered is not None and remembered[1] > time.time():
            return remembered[0]
        principal, expires_at = await self._check(token)
        self._remember(token, principal, expires_at)
        return principal

    def _remember(self, token: str, principal: Principal, expires_at: float) -> None:
        if len(self._verified) >= MAX_REMEMBERED:
            moment = time.time()
            self._verified = {t: kept for t, kept in self._verified.items() if kept[1] > moment}
            if len(self._verified) >= MAX_REMEMBERED:
                self._verified.clear()
        self._verified[token] = (principal, expires_at)

    async def _check(self, token: str) -> tuple[Principal, float]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthorized("Could not validate credentials") from None
        if header.get("alg") not in ALGORITHMS or not isinstance(header.get("kid"), str):
            raise Unauthorized("Could not validate credentials")
        key = await self._key(header["kid"])
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=ALGORITHMS,
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("Token expired") from None
        except jwt.PyJWTError:
            raise Unauthorized("Could not validate credentials") from None
        principal = Principal(
            user_id=claims["sub"],
            role=claims.get("role", "user"),
            username=claims.get("username", ""),
            tier=claims.get("tier", "FREE"),
        )
        return principal, float(claims["exp"])
