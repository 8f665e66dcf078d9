"""API keys (shown once, stored hashed, revocable) and admins (all users and jobs; disabling works at once)."""

from tests.security.conftest import PASSWORD, Account, Platform


def key_headers(platform: Platform, user: Account) -> tuple[str, str]:
    with platform.client(**user.headers) as client:
        created = client.post("/api-keys", json={"name": "nightly script"})
    assert created.status_code == 201, created.text
    return created.json()["id"], created.json()["key"]


def test_an_api_key_works_as_x_api_key_or_bearer_until_revoked(platform: Platform) -> None:
    user = platform.account()
    key_id, key = key_headers(platform, user)
    with (
        platform.client(**{"X-API-Key": key}) as by_header,
        platform.client(Authorization=f"Bearer {key}") as by_bearer,
    ):
        assert by_header.get("/users/me").json()["id"] == user.id
        assert by_bearer.post("/jobs", json={"script": "By key.", "resolution": "128x128"}).status_code == 202
        listed = by_header.get("/api-keys").json()
        assert [item["id"] for item in listed] == [key_id] and key not in str(listed)
        assert listed[0]["hint"] == key[:12] and listed[0]["last_used_at"] is not None
        assert by_header.delete(f"/api-keys/{key_id}").status_code == 204
        revoked = by_bearer.get("/jobs")
        assert revoked.status_code == 401 and "revoked" in revoked.json()["detail"]
        assert by_header.get("/jobs").status_code == 401
    with platform.client(**{"X-API-Key": "rfk_" + "A" * 43}) as guesser:
        assert guesser.get("/jobs").status_code == 401


def test_another_users_key_cannot_be_seen_or_revoked(platform: Platform) -> None:
    alice, bob = platform.account("alice"), platform.account("bob")
    key_id, key = key_headers(platform, alice)
    with platform.client(**bob.headers) as client:
        assert client.get("/api-keys").json() == []
        assert client.delete(f"/api-keys/{key_id}").status_code == 404
    with platform.client(**{"X-API-Key": key}) as client:
        assert client.get("/users/me").json()["id"] == alice.id


def test_admin_routes_need_the_admin_role(platform: Platform, admin: Account) -> None:
    user = platform.account()
    with platform.client(**user.headers) as client:
        for path in ("/admin/users", "/admin/jobs"):
            answer = client.get(path)
            assert answer.status_code == 403 and "admin" in answer.json()["detail"]
        assert client.post(f"/admin/users/{admin.id}/disable").status_code == 403
    with platform.client(**admin.headers) as client:
        assert client.get("/users/me").json()["role"] == "admin"


def test_admin_lists_every_user_and_job(platform: Platform, admin: Account) -> None:
    user = platform.account()
    with platform.client(**user.headers) as client:
        job_id = client.post("/jobs", json={"script": "Seen by admin.", "resolution": "128x128"}).json()["id"]
    with platform.client(**admin.headers) as client:
        users, page = [], 1
        while True:
            batch = client.get("/admin/users", params={"page": page, "limit": 100}).json()
            users += batch["items"]
            if len(users) >= batch["total"]:
                break
            page += 1
        jobs = client.get("/admin/jobs", params={"user_id": user.id}).json()
    assert user.id in {item["id"] for item in users} and admin.id in {item["id"] for item in users}
    assert [(item["id"], item["user_id"]) for item in jobs["items"]] == [(job_id, user.id)]


def test_a_disabled_users_tokens_and_keys_stop_at_once(platform: Platform, admin: Account) -> None:
    user = platform.account("disabled")
    _, key = key_headers(platform, user)
    with platform.client(**admin.headers) as client:
        disabled = client.post(f"/admin/users/{user.id}/disable")
        assert disabled.status_code == 200 and disabled.json()["is_active"] is False
    with platform.client(**user.headers) as by_token, platform.client(**{"X-API-Key": key}) as by_key:
        for client in (by_token, by_key):
            answer = client.get("/jobs")
            assert answer.status_code == 401 and "disabled" in answer.json()["detail"]
        assert by_token.post("/auth/refresh", json={"refresh_token": user.refresh_token}).status_code == 401
        assert by_token.post("/auth/login", json={"login": user.email, "password": PASSWORD}).status_code == 401
    with platform.client(**admin.headers) as client:
        assert client.post(f"/admin/users/{user.id}/enable").json()["is_active"] is True
        promoted = client.patch(f"/admin/users/{user.id}", json={"tier": "PRO"})
        assert promoted.status_code == 200 and promoted.json()["subscription_tier"] == "PRO"
        assert client.patch(f"/admin/users/{user.id}", json={"tier": "GOLD"}).status_code == 422
        assert client.post(f"/admin/users/{admin.id}/disable").status_code == 422
    with platform.client() as client:
        tokens = client.post("/auth/login", json={"login": user.email, "password": PASSWORD}).json()
        me = client.get("/users/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}).json()
    assert me["subscription_tier"] == "PRO" and me["storage_limit"] == 50 * 1024**3


def test_admin_account_changes_need_a_login_token_not_an_api_key(platform: Platform, admin: Account) -> None:
    _, key = key_headers(platform, admin)
    with platform.client(**{"X-API-Key": key}) as client:
        assert client.get("/admin/jobs").status_code == 200
        answer = client.get("/admin/users")
    assert answer.status_code == 403 and "access token" in answer.json()["detail"]
