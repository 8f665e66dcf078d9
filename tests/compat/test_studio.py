"""Seed 001 (studio) under /compat/studio/api/v1, walked top to bottom with the document's own examples.

Authentication, projects, jobs (create, list, get, PATCH, cancel, estimate-cost, signed-url),
the eight job states, `{"detail": ...}` errors with the documented status codes, the rate limit
and the per-job cost limit. One job runs to the end; its film is downloaded through the signed
URL and probed.
"""

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from libs.common.vocabulary import JOB_STATUSES
from tests.media import probe
from tests.stack import EmbeddedStack

pytestmark = pytest.mark.e2e

PREFIX = "/compat/studio/api/v1"
PASSWORD = "securepassword123"
# The document's limits, set explicitly; rendering priced high enough that a script within the free
# tier's 180 s passes $100.
STACK_ENV = {
    "REELFORGE_RATE_LIMIT_PER_MINUTE": "100",
    "REELFORGE_RATE_LIMIT_PER_HOUR": "1000",
    "REELFORGE_COST_LIMIT_PER_JOB_USD": "100",
    "REELFORGE_PRICE_RENDER_PER_MINUTE": "40",
}
JOB_EXAMPLE: dict[str, Any] = {
    "project_id": 1,
    "script": "A beautiful sunrise over mountains\nBirds flying in the sky\nA peaceful lake",
    "config": {
        "num_images": 10,
        "video_duration": 30,
        "include_voice": True,
        "include_music": True,
        "fps": 30,
        "quality": "high",
        "voice": "default",
        "genre": "cinematic",
        "mood": "inspiring",
    },
}
JOB_FIELDS = {
    "id": int,
    "project_id": int,
    "user_id": int,
    "script": str,
    "status": str,
    "progress": float,
    "estimated_cost": float,
    "actual_cost": float,
    "moderation_status": (str, type(None)),
    "moderation_score": (float, type(None)),
    "created_at": str,
    "updated_at": str,
}


def naive_timestamp(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is None, f"{value} should be naive like 2024-01-01T00:00:00"
    return parsed


def client(stack: EmbeddedStack, token: str | None = None) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(base_url=stack.base_url + PREFIX, headers=headers, timeout=30)


async def account(stack: EmbeddedStack, name: str) -> tuple[str, str]:
    """A registered, logged-in user: (access token, refresh token)."""
    async with client(stack) as anonymous:
        created = await anonymous.post(
            "/auth/register", json={"email": f"{name}@example.com", "username": name, "password": PASSWORD}
        )
        assert created.status_code == 201, created.text
        login = await anonymous.post("/auth/login", json={"email": f"{name}@example.com", "password": PASSWORD})
        assert login.status_code == 200, login.text
        return login.json()["access_token"], login.json()["refresh_token"]


def assert_error(response: httpx.Response, status: int, *words: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert list(body) == ["detail"] and isinstance(body["detail"], str), body
    for word in words:
        assert word in body["detail"], body


async def test_register_login_and_refresh(stack: EmbeddedStack) -> None:
    async with client(stack) as api:
        example = {"email": "user@example.com", "username": "johndoe", "password": PASSWORD}
        created = await api.post("/auth/register", json=example)
        assert created.status_code == 201, created.text
        user = created.json()
        assert set(user) == {"id", "email", "username", "is_active", "created_at"}
        assert isinstance(user["id"], int) and user["id"] > 0
        assert (user["email"], user["username"], user["is_active"]) == ("user@example.com", "johndoe", True)
        naive_timestamp(user["created_at"])

        assert_error(await api.post("/auth/register", json=example), 400, "email")
        taken_name = {**example, "email": "other@example.com"}
        assert_error(await api.post("/auth/register", json=taken_name), 400, "username")
        assert_error(await api.post("/auth/register", json={**example, "email": "not-an-email"}), 400, "email")
        assert_error(await api.post("/auth/register", json={**example, "password": "short"}), 400, "password")

        login = await api.post("/auth/login", json={"email": "user@example.com", "password": PASSWORD})
        assert login.status_code == 200, login.text
        tokens = login.json()
        assert set(tokens) == {"access_token", "refresh_token", "token_type"} and tokens["token_type"] == "bearer"
        wrong = await api.post("/auth/login", json={"email": "user@example.com", "password": "wrong password"})
        assert_error(wrong, 401)

        renewed = await api.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert renewed.status_code == 200, renewed.text
        assert set(renewed.json()) == {"access_token", "refresh_token", "token_type"}
        assert renewed.json()["refresh_token"] != tokens["refresh_token"]
        assert_error(await api.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]}), 401)
        assert_error(await api.post("/auth/refresh", json={}), 400, "refresh_token")

    async with client(stack, renewed.json()["access_token"]) as api:
        assert (await api.get("/projects/")).status_code == 200
    async with client(stack) as api:
        assert_error(await api.get("/projects/"), 401)
    async with client(stack, "not-a-token") as api:
        assert_error(await api.get("/jobs/"), 401)


async def test_projects_crud(stack: EmbeddedStack) -> None:
    token, _ = await account(stack, "studio_projects")
    stranger, _ = await account(stack, "studio_projects_stranger")
    async with client(stack, token) as api:
        created = await api.post("/projects/", json={"name": "My First Film", "description": "A short film about AI"})
        assert created.status_code == 201, created.text
        project = created.json()
        assert isinstance(project["id"], int) and isinstance(project["user_id"], int)
        assert (project["name"], project["description"]) == ("My First Film", "A short film about AI")
        naive_timestamp(project["created_at"])

        listed = await api.get("/projects/")
        assert listed.status_code == 200 and [item["id"] for item in listed.json()] == [project["id"]]
        assert (await api.get(f"/projects/{project['id']}")).json() == project

        updated = await api.put(
            f"/projects/{project['id']}", json={"name": "Updated Film Name", "description": "Updated description"}
        )
        assert updated.status_code == 200, updated.text
        assert (updated.json()["name"], updated.json()["description"]) == ("Updated Film Name", "Updated description")

        assert_error(await api.post("/projects/", json={"description": "no name"}), 400, "name")
        assert_error(await api.get("/projects/999999"), 404)
        assert_error(await api.get("/projects/abc"), 400, "project_id")
        async with client(stack, stranger) as other:
            assert_error(await other.get(f"/projects/{project['id']}"), 404)
            assert_error(await other.put(f"/projects/{project['id']}", json={"name": "Mine"}), 404)
            assert_error(await other.delete(f"/projects/{project['id']}"), 404)

        deleted = await api.delete(f"/projects/{project['id']}")
        assert deleted.status_code == 204
        assert_error(await api.get(f"/projects/{project['id']}"), 404)
        assert_error(await api.get("/no-such-route"), 404)


async def test_estimate_cost_and_cost_limit(stack: EmbeddedStack) -> None:
    token, _ = await account(stack, "studio_costs")
    async with client(stack, token) as api:
        example = {"num_images": 10, "video_duration": 30, "include_voice": True, "include_music": True}
        estimate = await api.post("/jobs/estimate-cost", json=example)
        assert estimate.status_code == 200, estimate.text
        body = estimate.json()
        documented = {"image_generation", "video_generation", "voice_synthesis", "music_synthesis", "ffmpeg_processing"}
        assert documented <= set(body["breakdown"])
        assert all(isinstance(value, float) for value in body["breakdown"].values())
        # Offline providers cost nothing; rendering 30 s at $40 a minute is $20.
        assert body["breakdown"]["ffmpeg_processing"] == pytest.approx(20.0)
        assert body["estimated_cost"] == pytest.approx(sum(body["breakdown"].values()))
        longer = (await api.post("/jobs/estimate-cost", json={**example, "video_duration": 60})).json()
        assert longer["estimated_cost"] > body["estimated_cost"]
        assert_error(await api.post("/jobs/estimate-cost", json={**example, "num_images": 0}), 400, "num_images")

        # About 170 s of narration (within the free tier's 180 s), rendered at $40 a minute: over the $100
        # a job may cost.
        long_script = "The lighthouse keeper walked along the shore. " * 65
        too_dear = await api.post("/jobs/", json={"script": long_script, "config": {"quality": "draft"}})
        assert_error(too_dear, 400, "$100")
        assert (await api.get("/jobs/")).json() == []


async def test_a_script_job_from_project_to_signed_download(stack: EmbeddedStack, tmp_path: Path) -> None:
    token, _ = await account(stack, "studio_jobs")
    stranger, _ = await account(stack, "studio_jobs_stranger")
    async with client(stack, token) as api:
        project = (await api.post("/projects/", json={"name": "My First Film"})).json()
        other_project = (await api.post("/projects/", json={"name": "Second"})).json()

        # The document's example as written (high quality, ten images): accepted, then cancelled.
        example = await api.post("/jobs/", json={**JOB_EXAMPLE, "project_id": project["id"]})
        assert example.status_code == 201, example.text
        job = example.json()
        for name, kind in JOB_FIELDS.items():
            assert isinstance(job[name], kind), (name, job)
        assert (job["project_id"], job["script"], job["status"]) == (project["id"], JOB_EXAMPLE["script"], "pending")
        assert job["progress"] == 0.0 and job["actual_cost"] == 0.0 and job["estimated_cost"] > 0
        cancelled = await api.post(f"/jobs/{job['id']}/cancel")
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
        assert_error(await api.post(f"/jobs/{job['id']}/cancel"), 400, "cancelled")

        # The same film at draft quality runs to the end.
        draft = {**JOB_EXAMPLE, "project_id": project["id"]}
        draft["config"] = {**JOB_EXAMPLE["config"], "quality": "draft", "num_images": 3, "include_music": False}
        created = await api.post("/jobs/", json=draft)
        assert created.status_code == 201, created.text
        job_id = created.json()["id"]
        assert job_id != job["id"]
        assert_error(await api.post("/jobs/signed-url", json={"job_id": job_id}), 400, "not ready")

        seen = {created.json()["status"]}
        async with asyncio.timeout(240):
            while (current := (await api.get(f"/jobs/{job_id}")).json())["status"] not in {"completed", "failed"}:
                seen.add(current["status"])
                await asyncio.sleep(0.3)
        assert current["status"] == "completed", current
        assert seen <= set(JOB_STATUSES) and current["progress"] == 100.0
        assert current["moderation_status"] == "approved" and isinstance(current["moderation_score"], float)

        listed = (await api.get("/jobs/")).json()
        assert [item["id"] for item in listed] == [job_id, job["id"]]
        assert [item["id"] for item in (await api.get("/jobs/", params={"status": "cancelled"})).json()] == [job["id"]]

        # PATCH: the pipeline owns status and progress (the document's example); a user moves or cancels.
        assert_error(await api.patch(f"/jobs/{job_id}", json={"status": "processing", "progress": 50.0}), 403, "status")
        moved = await api.patch(f"/jobs/{job_id}", json={"project_id": other_project["id"]})
        assert moved.status_code == 200 and moved.json()["project_id"] == other_project["id"]
        assert_error(await api.patch(f"/jobs/{job_id}", json={"status": "cancelled"}), 400, "completed")
        assert_error(await api.patch(f"/jobs/{job_id}", json={"project_id": 999999}), 404)

        signed = await api.post("/jobs/signed-url", json={"job_id": job_id})
        assert signed.status_code == 200, signed.text
        link = signed.json()
        assert set(link) == {"url", "expires_at"}
        assert naive_timestamp(link["expires_at"]) > datetime.now(UTC).replace(tzinfo=None)
        async with client(stack, stranger) as other:
            assert_error(await other.get(f"/jobs/{job_id}"), 404)
            assert_error(await other.post("/jobs/signed-url", json={"job_id": job_id}), 404)
            assert_error(await other.post(f"/jobs/{job_id}/cancel"), 404)
            assert (await other.get("/jobs/")).json() == []

    video = tmp_path / "film.mp4"
    async with httpx.AsyncClient(timeout=60) as anyone:
        download = await anyone.get(link["url"])
    assert download.status_code == 200 and download.headers["content-type"] == "video/mp4"
    video.write_bytes(download.content)
    streams = {stream["codec_type"]: stream for stream in probe(video)["streams"]}
    assert (streams["video"]["width"], streams["video"]["height"]) == (854, 480)
    assert streams["video"]["r_frame_rate"] == "30/1"
    assert streams["audio"]["codec_name"] == "aac"


async def test_rate_limit_of_100_requests_a_minute(stack: EmbeddedStack) -> None:
    token, _ = await account(stack, "studio_rates")
    async with client(stack, token) as api:
        answers = [await api.get("/projects/") for _ in range(100)]
        ok = sum(answer.status_code == 200 for answer in answers)
        # A minute window may end during the burst; then a few more requests fit before the next 429.
        for _ in range(100):
            answer = await api.get("/projects/")
            if answer.status_code == 429:
                break
            ok += 1
        assert_error(answer, 429, "100")
        assert ok >= 100
        assert 1 <= int(answer.headers["Retry-After"]) <= 60
        assert answer.headers["X-RateLimit-Limit"] == "100"
