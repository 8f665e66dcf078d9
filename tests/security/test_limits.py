"""Bursts past every budget get 429 with Retry-After and X-RateLimit-* (never a 500), with the real defaults."""

import asyncio
import io
import time

import httpx
from PIL import Image

from tests.security.conftest import PASSWORD, Platform, new_address


def in_one_window(window_s: int, need_s: float) -> None:
    """Budgets slide over clock-aligned windows: start a burst where the previous window's weight stays put."""
    left = window_s - time.time() % window_s
    if left < need_s:
        time.sleep(left + 0.05)


def assert_limited(answer: httpx.Response, limit: int) -> None:
    assert answer.status_code == 429, answer.text
    assert int(answer.headers["retry-after"]) >= 1
    assert answer.headers["x-ratelimit-limit"] == str(limit)
    assert answer.headers["x-ratelimit-remaining"] == "0"
    assert int(answer.headers["x-ratelimit-reset"]) > 0
    assert str(limit) in answer.json()["detail"]


def test_a_user_gets_100_requests_a_minute_then_429(platform: Platform) -> None:
    user = platform.account()
    in_one_window(60, 30)
    with platform.client(**user.headers) as client:
        answers = [client.get("/jobs") for _ in range(101)]
    assert [answer.status_code for answer in answers[:100]] == [200] * 100
    assert answers[0].headers["x-ratelimit-limit"] == "100"
    assert answers[0].headers["x-ratelimit-remaining"] == "99"
    assert answers[99].headers["x-ratelimit-remaining"] == "0"
    assert_limited(answers[100], 100)
    # Another user is not affected.
    other = platform.account()
    with platform.client(**other.headers) as client:
        assert client.get("/jobs").status_code == 200


def test_free_tier_creates_10_jobs_an_hour_and_no_longer_videos_than_its_limit(platform: Platform) -> None:
    user = platform.account()
    body = {"script": "A short one.", "resolution": "128x128", "fps": 24}
    in_one_window(3600, 30)
    with platform.client(**user.headers) as client:
        too_long = client.post("/jobs", json={**body, "duration": 300})
        created = [client.post("/jobs", json=body) for _ in range(10)]
        eleventh = client.post("/jobs", json=body)
    assert too_long.status_code == 403
    assert too_long.json()["errors"][0]["field"] == "duration" and "180 s" in too_long.json()["detail"]
    assert [answer.status_code for answer in created] == [202] * 10
    assert_limited(eleventh, 10)
    assert "FREE" in eleventh.json()["detail"]


def test_login_is_throttled_per_account_even_with_the_right_password(platform: Platform) -> None:
    victim = platform.account("victim")
    in_one_window(900, 30)
    with platform.client() as attacker:
        failures = [
            attacker.post("/auth/login", json={"login": victim.email, "password": f"guess {n}"}) for n in range(5)
        ]
        assert [answer.status_code for answer in failures] == [401] * 5
        assert_limited(attacker.post("/auth/login", json={"login": victim.email, "password": PASSWORD}), 5)
    with platform.client() as elsewhere:
        answer = elsewhere.post("/auth/login", data={"username": victim.email.upper(), "password": PASSWORD})
    assert answer.status_code == 429


def test_login_is_throttled_per_client_address(platform: Platform) -> None:
    in_one_window(900, 30)
    with platform.client() as sprayer:
        failures = [
            sprayer.post("/auth/login", json={"login": f"nobody{n}@example.com", "password": "password1"})
            for n in range(20)
        ]
        assert [answer.status_code for answer in failures] == [401] * 20
        assert_limited(sprayer.post("/auth/login", json={"login": "nobody99@example.com", "password": "x"}), 20)
    user = platform.account()
    with platform.client() as someone_else:
        assert someone_else.post("/auth/login", json={"login": user.email, "password": PASSWORD}).status_code == 200


def test_registrations_are_limited_per_client_address(platform: Platform) -> None:
    address = new_address()
    in_one_window(3600, 60)
    with platform.client(address) as client:
        answers = [
            client.post(
                "/auth/register",
                json={
                    "email": f"reg{n}_{address}@example.com".replace(".", "", 3),
                    "username": f"r{n}_{address}".replace(".", "_"),
                    "password": PASSWORD,
                },
            )
            for n in range(21)
        ]
    assert [answer.status_code for answer in answers[:20]] == [201] * 20, [
        a.text for a in answers if a.status_code != 201
    ][:2]
    assert_limited(answers[20], 20)


async def test_a_full_free_tier_storage_refuses_uploads_and_new_jobs_naming_storage(platform: Platform) -> None:
    user = platform.account()
    picture = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 80, 40)).save(picture, "PNG")
    with platform.client(**user.headers) as client:
        job_id = client.post("/jobs", json={"script": "A long one.", "resolution": "128x128"}).json()["id"]
        await platform.complete(job_id, reported_size=1024**3)  # a 1 GiB video: FREE's whole allowance
        for _ in range(300):
            if client.get("/users/me").json()["storage_used"] >= 1024**3:
                break
            await asyncio.sleep(0.1)
        upload = client.post("/uploads", files={"file": ("ref.png", picture.getvalue(), "image/png")})
        job = client.post("/jobs", json={"script": "One more.", "resolution": "128x128"})
    for refused in (upload, job):
        assert refused.status_code == 403, refused.text
        assert refused.json()["errors"][0]["field"] == "storage"
        assert "1 GiB used of 1 GiB on the FREE tier" in refused.json()["detail"]
