"""Two gateway replicas on one database: request budgets hold across both, and a user disabled or a key
revoked through one is refused by the other within `credential_cache_ttl_s`."""

import time
from collections.abc import Iterator

import pytest

from services.gateway.app import create_app
from tests.security.conftest import Account, Platform
from tests.security.test_keys_and_admin import key_headers
from tests.servers import ServedApp

TOLERANCE = 5
"""What two replicas together may admit past a budget of 100 (request_budgets.py: about a tenth of the last stretch)."""


@pytest.fixture(scope="module")
def second_gateway(platform: Platform) -> Iterator[str]:
    """Another replica of the gateway, configured as the first: its own memory, the same database and broker."""
    second = ServedApp(create_app(platform.gateway_settings), "the second gateway", lifespan="on", start_timeout_s=120)
    with second:
        yield f"{second.url}/api/v1"


def refused_within(platform: Platform, api: str, headers: dict[str, str], seconds: float) -> float:
    """How long until `api` refuses a request with these credentials (401); fails after `seconds`."""
    started = time.monotonic()
    with platform.client(api=api, **headers) as client:
        while time.monotonic() - started < seconds:
            if client.get("/users/me").status_code == 401:
                return time.monotonic() - started
            time.sleep(0.1)
    raise AssertionError(f"still served after {seconds} s")


def test_two_replicas_together_admit_a_users_100_requests_a_minute_within_a_few(
    platform: Platform, second_gateway: str
) -> None:
    user = platform.account()
    answers: dict[str, list[int]] = {platform.api: [], second_gateway: []}
    with platform.client(**user.headers) as first, platform.client(api=second_gateway, **user.headers) as second:
        for _ in range(70):
            for client in (first, second):
                answers[str(client.base_url).rstrip("/")].append(client.get("/jobs").status_code)
    admitted = [status for statuses in answers.values() for status in statuses if status == 200]
    assert 100 <= len(admitted) <= 100 + TOLERANCE, {api: statuses.count(200) for api, statuses in answers.items()}
    assert all(statuses.count(200) >= 40 for statuses in answers.values()), "both replicas served the user"
    assert {status for statuses in answers.values() for status in statuses} == {200, 429}


def test_a_user_disabled_through_one_replica_is_refused_by_the_other_within_the_ttl(
    platform: Platform, second_gateway: str, admin: Account
) -> None:
    user = platform.account()
    with platform.client(api=second_gateway, **user.headers) as client:
        assert client.get("/users/me").status_code == 200  # the second replica knows the user as enabled
    with platform.client(**admin.headers) as client:
        assert client.post(f"/admin/users/{user.id}/disable").status_code == 200
    with platform.client(**user.headers) as client:
        assert client.get("/users/me").status_code == 401, "the replica that disabled the user refuses at once"
    ttl = platform.gateway_settings.credential_cache_ttl_s
    assert refused_within(platform, second_gateway, user.headers, ttl + 2) <= ttl + 1


def test_a_key_revoked_through_one_replica_is_refused_by_the_other_within_the_ttl(
    platform: Platform, second_gateway: str
) -> None:
    user = platform.account()
    key_id, key = key_headers(platform, user)
    with platform.client(api=second_gateway, **{"X-API-Key": key}) as client:
        assert client.get("/users/me").json()["id"] == user.id
    with platform.client(**{"X-API-Key": key}) as client:
        assert client.delete(f"/api-keys/{key_id}").status_code == 204
        assert client.get("/users/me").status_code == 401
    ttl = platform.gateway_settings.credential_cache_ttl_s
    assert refused_within(platform, second_gateway, {"X-API-Key": key}, ttl + 2) <= ttl + 1
