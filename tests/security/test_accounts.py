"""Accounts and tokens as an attacker would probe them, through the gateway, on SQLite and PostgreSQL."""

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from tests.security.conftest import PASSWORD, Account, Platform, new_address


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def claims(account: Account, **overrides: object) -> dict[str, object]:
    now = datetime.now(UTC)
    base: dict[str, object] = {
        "iss": "reelforge-auth",
        "aud": "reelforge",
        "sub": account.id,
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "role": "user",
        "tier": "FREE",
    }
    base.update(overrides)
    return {name: value for name, value in base.items() if value is not None}


def test_register_then_log_in_by_email_json_or_username_form(platform: Platform) -> None:
    user = platform.account()
    with platform.client() as client:
        by_form = client.post("/auth/login", data={"username": user.username, "password": PASSWORD})
        by_email = client.post("/auth/login", json={"email": user.email.upper(), "password": PASSWORD})
    assert by_form.status_code == 200 and by_email.status_code == 200
    assert by_form.json()["token_type"] == "bearer"
    with platform.client(Authorization=f"Bearer {by_form.json()['access_token']}") as client:
        me = client.get("/users/me")
    assert me.status_code == 200
    profile = me.json()
    assert (profile["id"], profile["email"], profile["username"]) == (user.id, user.email, user.username)
    assert profile["subscription_tier"] == "FREE" and profile["role"] == "user"
    assert profile["storage_used"] == 0 and profile["storage_limit"] == 1024**3
    assert "password" not in me.text and "hash" not in me.text


def test_duplicates_are_409_naming_the_field_that_clashes(platform: Platform) -> None:
    user = platform.account()
    with platform.client() as client:
        same_email = client.post(
            "/auth/register", json={"email": user.email.upper(), "username": "someone_new", "password": PASSWORD}
        )
        same_name = client.post(
            "/auth/register",
            json={"email": "other@example.com", "username": user.username.upper(), "password": PASSWORD},
        )
    assert same_email.status_code == 409 and same_email.json()["errors"][0]["field"] == "email"
    assert same_name.status_code == 409 and same_name.json()["errors"][0]["field"] == "username"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-email", "username": "mal_1", "password": PASSWORD}, "email"),
        ({"email": "a@b", "username": "mal_2", "password": PASSWORD}, "email"),
        ({"email": "x@example.com\r\nBcc: y@example.com", "username": "mal_3", "password": PASSWORD}, "email"),
        ({"email": "mal4@example.com", "username": "mal_4", "password": "p" * 10_240}, "password"),
        ({"email": "mal5@example.com", "username": "mal_5", "password": "short"}, "password"),
        ({"email": "mal6@example.com", "username": "no spaces!", "password": PASSWORD}, "username"),
        ({"email": "mal7@example.com", "username": "x" * 200, "password": PASSWORD}, "username"),
    ],
)
def test_malformed_registrations_are_422_naming_the_field(platform: Platform, body: dict, field: str) -> None:
    with platform.client() as client:
        answer = client.post("/auth/register", json=body)
    assert answer.status_code == 422, answer.text
    assert field in {error["field"] for error in answer.json()["errors"]}


def test_a_ten_kilobyte_password_at_login_is_refused_plainly(platform: Platform) -> None:
    user = platform.account()
    with platform.client() as client:
        answer = client.post("/auth/login", json={"login": user.email, "password": "p" * 10_240})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "password"


def test_unicode_usernames_are_kept_and_one_spelling_is_one_name(platform: Platform) -> None:
    name = f"Zoë_日本_{new_address().replace('.', '')}"
    with platform.client() as client:
        created = client.post(
            "/auth/register", json={"email": f"{name[-6:]}@example.com", "username": name, "password": PASSWORD}
        )
        assert created.status_code == 201, created.text
        assert created.json()["username"] == name
        # The same name with the diaeresis typed as a combining mark is the same name (NFKC).
        decomposed = name.replace("ë", "e\u0308")
        again = client.post(
            "/auth/register", json={"email": f"b{name[-6:]}@example.com", "username": decomposed, "password": PASSWORD}
        )
        login = client.post("/auth/login", data={"username": name, "password": PASSWORD})
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "username"
    assert login.status_code == 200


async def test_forged_and_expired_tokens_are_401(platform: Platform) -> None:
    user = platform.account()
    kid, key = await platform.signing_key()
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    header, payload, signature = user.access_token.split(".")
    decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    as_admin = b64(json.dumps({**decoded, "role": "admin"}).encode())
    hs_header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
    hs_body = b64(json.dumps({**decoded, "exp": decoded["exp"] + 3600}).encode())
    hs_signature = b64(hmac.new(public, f"{hs_header}.{hs_body}".encode(), hashlib.sha256).digest())
    forged = {
        "expired": jwt.encode(
            claims(user, exp=datetime.now(UTC) - timedelta(seconds=1)), key, algorithm="EdDSA", headers={"kid": kid}
        ),
        "tampered": f"{header}.{as_admin}.{signature}",
        "wrong issuer": jwt.encode(claims(user, iss="evil"), key, algorithm="EdDSA", headers={"kid": kid}),
        "wrong audience": jwt.encode(claims(user, aud="other-api"), key, algorithm="EdDSA", headers={"kid": kid}),
        "no expiry": jwt.encode(claims(user, exp=None), key, algorithm="EdDSA", headers={"kid": kid}),
        "alg none": jwt.encode(claims(user), None, algorithm="none", headers={"kid": kid}),
        "HS256 keyed with the public key": f"{hs_header}.{hs_body}.{hs_signature}",
        "garbage": "not.a.token",
    }
    with platform.client() as client:
        assert client.get("/jobs", headers={"Authorization": f"Bearer {user.access_token}"}).status_code == 200
        for what, token in forged.items():
            answer = client.get("/jobs", headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == 401, what
            assert answer.headers["www-authenticate"] == "Bearer"
        expired = client.get("/jobs", headers={"Authorization": f"Bearer {forged['expired']}"})
    assert expired.json()["detail"] == "Token expired"


def test_a_refresh_token_used_twice_revokes_the_whole_login(platform: Platform) -> None:
    user = platform.account()
    with platform.client() as client:
        rotated = client.post("/auth/refresh", json={"refresh_token": user.refresh_token})
        assert rotated.status_code == 200
        newer = rotated.json()["refresh_token"]
        assert newer != user.refresh_token
        assert client.post("/auth/refresh", json={"refresh_token": user.refresh_token}).status_code == 401
        # The replay killed the newer token of the same login too; another login is untouched.
        assert client.post("/auth/refresh", json={"refresh_token": newer}).status_code == 401
        other = client.post("/auth/login", json={"login": user.username, "password": PASSWORD}).json()
        assert client.post("/auth/refresh", json={"refresh_token": other["refresh_token"]}).status_code == 200


def test_logout_ends_the_login(platform: Platform) -> None:
    user = platform.account()
    with platform.client() as client:
        assert client.post("/auth/logout", json={"refresh_token": user.refresh_token}).status_code == 204
        assert client.post("/auth/refresh", json={"refresh_token": user.refresh_token}).status_code == 401
        assert client.post("/auth/refresh", json={"refresh_token": "x" * 600}).status_code == 422
