"""Access tokens (EdDSA JWTs, published as JWKS) and opaque refresh tokens."""

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

from libs.common.events import now
from services.auth.store import User


@dataclass(frozen=True)
class Signer:
    kid: str
    private_key: Ed25519PrivateKey
    issuer: str
    audience: str
    ttl_s: int

    @staticmethod
    def new_private_pem() -> str:
        key = Ed25519PrivateKey.generate()
        return key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()

    @classmethod
    def from_pem(cls, kid: str, pem: str, issuer: str, audience: str, ttl_s: int) -> "Signer":
        key = serialization.load_pem_private_key(pem.encode(), password=None)
        assert isinstance(key, Ed25519PrivateKey)
        return cls(kid, key, issuer, audience, ttl_s)

    def access_token(self, user: User) -> str:
        issued = now()
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": str(user.id),
            "iat": issued,
            "nbf": issued,
            "exp": issued + timedelta(seconds=self.ttl_s),
            "jti": str(uuid4()),
            "role": user.role,
            "tier": user.tier,
            "username": user.username,
        }
        return jwt.encode(claims, self.private_key, algorithm="EdDSA", headers={"kid": self.kid})

    def verify(self, token: str) -> dict[str, Any] | None:
        """The claims of an access token this signer issued and that is still valid; None otherwise."""
        try:
            return jwt.decode(
                token,
                self.private_key.public_key(),
                algorithms=["EdDSA"],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError:
            return None

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        public = json.loads(OKPAlgorithm.to_jwk(self.private_key.public_key()))
        return {"keys": [{**public, "kid": self.kid, "alg": "EdDSA", "use": "sig"}]}


def new_refresh_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def refresh_token_string(token_id: UUID, secret: str) -> str:
    """`<id>.<secret>`: the id finds the row, the secret proves possession (only its hash is stored)."""
    return f"{base64.urlsafe_b64encode(token_id.bytes).decode().rstrip('=')}.{secret}"


def parse_refresh_token(token: str) -> tuple[UUID, str] | None:
    head, _, secret = token.partition(".")
    if not secret:
        return None
    try:
        return UUID(bytes=base64.urlsafe_b64decode(head + "=" * (-len(head) % 4))), secret
    except ValueError:
        return None
