"""Token security as an attacker would probe it: the real auth service signs, the gateway's verifier checks."""

import base64
import hashlib
import hmac
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from libs.common.errors import Unauthorized
from services.gateway.core.security import TokenVerifier
from tests.servers import free_port, wait_until

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def auth_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The real auth service process, with its SQLite database (the test reads the signing key from it)."""
    var_dir = tmp_path_factory.mktemp("auth-var")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("REELFORGE_") and k != "DATABASE_URL"}
    env.update(REELFORGE_VAR_DIR=str(var_dir), REELFORGE_AUTH_PORT=str(port), REELFORGE_LOG_FORMAT="text")
    process = subprocess.Popen([sys.executable, "-m", "services.auth"], cwd=REPO, env=env)
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_until(healthy, "the auth service")
        yield url, var_dir / "auth.db"
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
async def verifier(auth_service: tuple[str, Path]) -> AsyncIterator[TokenVerifier]:
    url, _ = auth_service
    async with httpx.AsyncClient() as client:
        yield TokenVerifier(f"{url}/.well-known/jwks.json", "reelforge-auth", "reelforge", client)


@pytest.fixture(scope="module")
def session(auth_service: tuple[str, Path]) -> dict[str, str]:
    url, _ = auth_service
    body = {"email": "tok@example.com", "username": "tok_user", "password": "a good password"}
    assert httpx.post(f"{url}/register", json=body, timeout=30).status_code == 201
    login = httpx.post(f"{url}/login", json={"login": "tok@example.com", "password": "a good password"}, timeout=30)
    assert login.status_code == 200
    return login.json()


def signing_key(db_path: Path) -> tuple[str, object]:
    with sqlite3.connect(db_path) as conn:
        kid, pem = conn.execute("SELECT kid, private_pem FROM signing_keys").fetchone()
    return kid, serialization.load_pem_private_key(pem.encode(), password=None)


def claims(**overrides: object) -> dict[str, object]:
    now = datetime.now(UTC)
    base = {
        "iss": "reelforge-auth",
        "aud": "reelforge",
        "sub": "someone",
        "iat": now,
        "exp": now + timedelta(minutes=5),
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


async def test_a_real_access_token_verifies(verifier: TokenVerifier, session: dict[str, str]) -> None:
    principal = await verifier.verify(session["access_token"])
    assert principal.role == "user" and principal.username == "tok_user"


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"exp": datetime.now(UTC) - timedelta(seconds=5)}, "Token expired"),
        ({"iss": "someone-else"}, "Could not validate credentials"),
        ({"aud": "another-api"}, "Could not validate credentials"),
        ({"sub": None}, "Could not validate credentials"),
        ({"iat": None}, "Could not validate credentials"),
    ],
)
async def test_tokens_with_bad_claims_are_refused(
    verifier: TokenVerifier, auth_service: tuple[str, Path], overrides: dict[str, object], reason: str
) -> None:
    kid, key = signing_key(auth_service[1])
    token = jwt.encode(claims(**overrides), key, algorithm="EdDSA", headers={"kid": kid})
    with pytest.raises(Unauthorized, match=reason):
        await verifier.verify(token)


async def test_tampered_payload_is_refused(verifier: TokenVerifier, session: dict[str, str]) -> None:
    header, payload, signature = session["access_token"].split(".")
    decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    decoded["role"] = "admin"
    forged = base64.urlsafe_b64encode(json.dumps(decoded).encode()).decode().rstrip("=")
    with pytest.raises(Unauthorized):
        await verifier.verify(f"{header}.{forged}.{signature}")


async def test_alg_none_is_refused(verifier: TokenVerifier, auth_service: tuple[str, Path]) -> None:
    kid, _ = signing_key(auth_service[1])
    token = jwt.encode(claims(), None, algorithm="none", headers={"kid": kid})
    with pytest.raises(Unauthorized):
        await verifier.verify(token)


async def test_hs256_keyed_with_the_public_key_is_refused(
    verifier: TokenVerifier, auth_service: tuple[str, Path]
) -> None:
    kid, key = signing_key(auth_service[1])
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    header = base64.urlsafe_b64encode(json.dumps({"alg": "HS256", "kid": kid}).encode()).decode().rstrip("=")
    body = base64.urlsafe_b64encode(json.dumps({"sub": "x"}).encode()).decode().rstrip("=")
    signature = base64.urlsafe_b64encode(hmac.new(public, f"{header}.{body}".encode(), hashlib.sha256).digest())
    with pytest.raises(Unauthorized):
        await verifier.verify(f"{header}.{body}.{signature.decode().rstrip('=')}")


async def test_unknown_key_id_is_refused(verifier: TokenVerifier, auth_service: tuple[str, Path]) -> None:
    _, key = signing_key(auth_service[1])
    token = jwt.encode(claims(), key, algorithm="EdDSA", headers={"kid": "not-ours"})
    with pytest.raises(Unauthorized):
        await verifier.verify(token)


def test_reusing_a_refresh_token_revokes_the_whole_family(auth_service: tuple[str, Path]) -> None:
    url, _ = auth_service
    body = {"email": "fam@example.com", "username": "fam_user", "password": "a good password"}
    assert httpx.post(f"{url}/register", json=body, timeout=30).status_code == 201
    first = httpx.post(f"{url}/login", json={"login": "fam_user", "password": "a good password"}, timeout=30).json()
    second = httpx.post(f"{url}/refresh", json={"refresh_token": first["refresh_token"]}, timeout=30)
    assert second.status_code == 200
    replay = httpx.post(f"{url}/refresh", json={"refresh_token": first["refresh_token"]}, timeout=30)
    assert replay.status_code == 401
    # The thief's replay also kills the legitimate user's newer token from the same login.
    newer = httpx.post(f"{url}/refresh", json={"refresh_token": second.json()["refresh_token"]}, timeout=30)
    assert newer.status_code == 401


def test_logout_revokes_the_session(auth_service: tuple[str, Path]) -> None:
    url, _ = auth_service
    body = {"email": "out@example.com", "username": "out_user", "password": "a good password"}
    assert httpx.post(f"{url}/register", json=body, timeout=30).status_code == 201
    tokens = httpx.post(f"{url}/login", json={"login": "out_user", "password": "a good password"}, timeout=30).json()
    assert httpx.post(f"{url}/logout", json={"refresh_token": tokens["refresh_token"]}, timeout=30).status_code == 204
    assert httpx.post(f"{url}/refresh", json={"refresh_token": tokens["refresh_token"]}, timeout=30).status_code == 401
