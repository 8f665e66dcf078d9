"""Seed 003 (platform) under /compat/platform/v1, walked top to bottom with the document's own examples.

Every answer is the `{success, data, error, timestamp}` envelope with camelCase fields and
upper-case statuses; errors carry the documented codes. One generation runs to the end: its
status, its clip (links that download without credentials, probed with ffprobe), the project's
clips, and the `generation.complete` webhook the document describes.
"""

import asyncio
import json
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest

from tests.media import probe
from tests.receiver import Receiver
from tests.stack import EmbeddedStack

pytestmark = pytest.mark.e2e

PREFIX = "/compat/platform/v1"
PASSWORD = "password123"
# Webhooks reach the test's receiver on loopback only through the allowlist.
# The document's request budgets are per hour: 1000 for every user, with tighter ones per route.
STACK_ENV = {
    "REELFORGE_WEBHOOK_ALLOWED_HOSTS": '["127.0.0.1"]',
    "REELFORGE_WEBHOOK_RETRY_SCHEDULE_S": "[0, 0.5, 1]",
    "REELFORGE_RATE_LIMIT_PER_MINUTE": "0",
    "REELFORGE_RATE_LIMIT_PER_HOUR": "1000",
}
GENERATE_EXAMPLE: dict[str, Any] = {
    "projectId": "uuid",
    "prompt": "A beautiful sunset over mountains",
    "parameters": {"duration": 15, "resolution": "1920x1080", "style": "realistic"},
}
USER_FIELDS = {"id", "email", "username", "subscriptionTier", "storageUsed", "storageLimit"}


def timestamp(value: str) -> datetime:
    assert value.endswith("Z"), value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def data_of(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"success", "data", "error", "timestamp"}, body
    assert body["success"] is True and body["error"] is None
    timestamp(body["timestamp"])
    return body["data"]


def assert_error(response: httpx.Response, status: int, code: str, *words: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"success", "data", "error", "timestamp"}, body
    assert body["success"] is False and body["data"] is None
    error = body["error"]
    assert set(error) == {"code", "message", "details"} and error["code"] == code, error
    assert isinstance(error["message"], str) and isinstance(error["details"], dict)
    for word in words:
        assert word in error["message"], error
    return error


def client(stack: EmbeddedStack, token: str | None = None) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(base_url=stack.base_url + PREFIX, headers=headers, timeout=30)


async def account(stack: EmbeddedStack, name: str) -> str:
    async with client(stack) as api:
        registered = data_of(
            await api.post(
                "/auth/register", json={"email": f"{name}@example.com", "username": name, "password": PASSWORD}
            ),
            201,
        )
        return registered["token"]


async def test_register_login_and_profile(stack: EmbeddedStack) -> None:
    async with client(stack) as api:
        example = {"email": "user@example.com", "username": "username", "password": PASSWORD}
        registered = data_of(await api.post("/auth/register", json=example), 201)
        user = registered["user"]
        assert USER_FIELDS <= set(user)
        UUID(user["id"])
        assert (user["email"], user["username"], user["subscriptionTier"]) == ("user@example.com", "username", "FREE")
        assert (user["storageUsed"], user["storageLimit"]) == (0, 1073741824)
        assert isinstance(registered["token"], str)

        assert_error(await api.post("/auth/register", json=example), 409, "USER_002", "email")
        assert_error(await api.post("/auth/register", json={**example, "email": "other@example.com"}), 409, "USER_003")
        invalid = assert_error(
            await api.post("/auth/register", json={**example, "password": "short"}), 400, "VALIDATION_ERROR"
        )
        assert invalid["details"]["fields"][0]["field"] == "password"

        logged_in = data_of(await api.post("/auth/login", json={"email": "user@example.com", "password": PASSWORD}))
        assert logged_in["user"] == user and isinstance(logged_in["token"], str)
        wrong = await api.post("/auth/login", json={"email": "user@example.com", "password": "wrong password"})
        assert_error(wrong, 401, "AUTH_001")

        assert_error(await api.get("/users/profile"), 401, "AUTH_001")
    async with client(stack, "not.a.token") as api:
        assert_error(await api.get("/users/profile"), 401, "AUTH_001")
    async with client(stack, logged_in["token"]) as api:
        profile = data_of(await api.get("/users/profile"))
        assert set(profile) == USER_FIELDS | {"createdAt"}
        assert {name: profile[name] for name in USER_FIELDS} == user
        timestamp(profile["createdAt"])
        assert_error(await api.get("/no-such-route"), 404, "NOT_FOUND")


async def test_projects_with_pagination(stack: EmbeddedStack) -> None:
    token = await account(stack, "platform_projects")
    stranger = await account(stack, "platform_projects_stranger")
    async with client(stack, token) as api:
        example = {"title": "My Video Project", "description": "Project description", "settings": {}}
        project = data_of(await api.post("/projects", json=example), 201)
        assert set(project) == {"id", "title", "description", "status", "settings", "createdAt", "updatedAt"}
        UUID(project["id"])
        assert (project["title"], project["status"], project["settings"]) == ("My Video Project", "DRAFT", {})
        assert timestamp(project["updatedAt"]) >= timestamp(project["createdAt"])

        page = data_of(await api.get("/projects"))
        assert page["pagination"] == {"page": 1, "limit": 10, "total": 1, "totalPages": 1}
        [listed] = page["projects"]
        assert listed == {key: project[key] for key in listed if key != "clipCount"} | {"clipCount": 0}
        assert "settings" not in listed
        assert data_of(await api.get("/projects", params={"status": "DRAFT"}))["pagination"]["total"] == 1
        assert data_of(await api.get("/projects", params={"status": "ARCHIVED"}))["projects"] == []
        assert_error(await api.get("/projects", params={"status": "DONE"}), 400, "VALIDATION_ERROR", "DRAFT")
        assert_error(await api.get("/projects", params={"page": 0}), 400, "VALIDATION_ERROR", "page")
        for _ in range(2):
            data_of(await api.post("/projects", json={"title": "More"}), 201)
        second = data_of(await api.get("/projects", params={"page": 2, "limit": 2}))
        assert second["pagination"] == {"page": 2, "limit": 2, "total": 3, "totalPages": 2}
        assert [item["id"] for item in second["projects"]] == [project["id"]]

        details = data_of(await api.get(f"/projects/{project['id']}"))
        assert details == project | {"clips": []}
        assert_error(await api.post("/projects", json={"description": "no title"}), 400, "VALIDATION_ERROR", "title")
        assert_error(await api.get("/projects/00000000-0000-4000-8000-000000000000"), 404, "PROJ_001")
    async with client(stack, stranger) as other:
        assert_error(await other.get(f"/projects/{project['id']}"), 404, "PROJ_001")
        assert data_of(await other.get("/projects"))["pagination"]["total"] == 0


async def test_templates_and_their_use(stack: EmbeddedStack) -> None:
    token = await account(stack, "platform_templates")
    async with client(stack, token) as api, httpx.AsyncClient(base_url=stack.api, timeout=30) as native:
        page = data_of(await api.get("/templates"))
        assert page["pagination"]["page"] == 1 and page["pagination"]["limit"] == 10
        assert page["pagination"]["total"] == len(page["templates"]) >= 1
        fields = {"id", "name", "description", "category", "thumbnailUrl", "isPublic", "usageCount"}
        assert all(set(template) == fields for template in page["templates"])
        nature = data_of(await api.get("/templates", params={"category": "nature"}))["templates"]
        assert [template["name"] for template in nature] == ["Nature Scene"]
        assert_error(await api.get("/templates", params={"category": "nope"}), 400, "VALIDATION_ERROR", "nature")

        project = data_of(await api.post("/projects", json={"title": "From a template"}), 201)
        body = {"projectId": project["id"], "customizations": {"text": "Custom text", "color": "#FF0000"}}
        used = data_of(await api.post(f"/templates/{nature[0]['id']}/use", json=body), 202)
        assert set(used) == {"jobId", "status", "estimatedTime"} and used["status"] == "QUEUED"
        assert isinstance(used["estimatedTime"], int) and used["estimatedTime"] > 0
        cancelled = await native.post(f"/jobs/{used['jobId']}/cancel", headers={"Authorization": f"Bearer {token}"})
        assert cancelled.status_code == 200, cancelled.text
        job = (await native.get(f"/jobs/{used['jobId']}", headers={"Authorization": f"Bearer {token}"})).json()
        assert job["input"]["prompt"] == "Custom text" and job["input"]["style_preferences"] == {"color": "#FF0000"}
        assert UUID(job["project_id"]) == UUID(project["id"])

        again = data_of(await api.get("/templates", params={"category": "nature"}))["templates"]
        assert again[0]["usageCount"] == nature[0]["usageCount"] + 1
        status = data_of(await api.get(f"/generate/status/{used['jobId']}"))
        assert status["status"] == "CANCELLED"
        assert_error(await api.get(f"/generate/clip/{used['jobId']}"), 409, "GEN_001")

        unknown = "/templates/00000000-0000-4000-8000-000000000000/use"
        assert_error(await api.post(unknown, json=body), 404, "TEMP_001")
        missing_project = {**body, "projectId": "00000000-0000-4000-8000-000000000000"}
        assert_error(await api.post(f"/templates/{nature[0]['id']}/use", json=missing_project), 404, "PROJ_001")


async def test_a_generated_video_from_status_to_clip_and_webhook(stack: EmbeddedStack, tmp_path: Path) -> None:
    token = await account(stack, "platform_generate")
    stranger = await account(stack, "platform_generate_stranger")
    auth = {"Authorization": f"Bearer {token}"}
    async with (
        Receiver() as receiver,
        client(stack, token) as api,
        httpx.AsyncClient(base_url=stack.api, headers=auth, timeout=30) as native,
    ):
        hook = await native.post("/webhooks", json={"url": receiver.url})
        assert hook.status_code == 201, hook.text
        project = data_of(await api.post("/projects", json={"title": "Sunsets"}), 201)

        # The document's example as written: accepted with the documented answer, then cancelled.
        example = {**GENERATE_EXAMPLE, "projectId": project["id"]}
        accepted = data_of(await api.post("/generate/video", json=example), 202)
        assert set(accepted) == {"jobId", "status", "estimatedTime"}
        assert (accepted["status"], accepted["estimatedTime"]) == ("QUEUED", 30)
        assert (await native.post(f"/jobs/{accepted['jobId']}/cancel")).status_code == 200
        job = (await native.get(f"/jobs/{accepted['jobId']}")).json()
        assert (job["options"]["width"], job["options"]["height"], job["options"]["art_style"]) == (
            1920,
            1080,
            "photorealistic",
        )

        small = {**example, "parameters": {**GENERATE_EXAMPLE["parameters"], "resolution": "640x360"}}
        job_id = data_of(await api.post("/generate/video", json=small), 202)["jobId"]
        status = data_of(await api.get(f"/generate/status/{job_id}"))
        assert {"id", "status", "progress", "startedAt", "estimatedCompletion"} <= set(status)
        assert status["id"] == job_id and isinstance(status["progress"], int)
        assert timestamp(status["estimatedCompletion"]) > timestamp(status["startedAt"])
        seen = set()
        async with asyncio.timeout(240):
            while (status := data_of(await api.get(f"/generate/status/{job_id}")))["status"] not in {
                "COMPLETED",
                "FAILED",
            }:
                seen.add(status["status"])
                await asyncio.sleep(0.3)
        assert status["status"] == "COMPLETED" and status["progress"] == 100, status
        assert seen <= {"QUEUED", "MODERATING", "PROCESSING"}

        [delivery] = await receiver.requests(1, timeout_s=60)
        payload = json.loads(delivery.body)
        assert payload["event"] == "generation.complete"
        assert set(payload["data"]) == {"jobId", "clipId", "status", "timestamp"}
        assert (payload["data"]["jobId"], payload["data"]["status"]) == (job_id, "COMPLETED")
        timestamp(payload["data"]["timestamp"])

        clip = data_of(await api.get(f"/generate/clip/{payload['data']['clipId']}"))
        fields = {"id", "title", "duration", "fileUrl", "thumbnailUrl", "fileSize", "resolution", "format", "createdAt"}
        assert set(clip) == fields
        assert (clip["id"], clip["resolution"], clip["format"]) == (job_id, "640x360", "mp4")
        assert isinstance(clip["duration"], float) and isinstance(clip["fileSize"], int)
        assert isinstance(clip["title"], str) and clip["title"]
        timestamp(clip["createdAt"])

        details = data_of(await api.get(f"/projects/{project['id']}"))
        assert [item["id"] for item in details["clips"]] == [job_id]
        listed = data_of(await api.get("/projects"))["projects"]
        assert listed[0]["clipCount"] == 1  # the cancelled example made no clip
        profile = data_of(await api.get("/users/profile"))
        assert profile["storageUsed"] == clip["fileSize"]

        async with client(stack, stranger) as other:
            assert_error(await other.get(f"/generate/status/{job_id}"), 404, "NOT_FOUND")
            assert_error(await other.get(f"/generate/clip/{job_id}"), 404, "NOT_FOUND")
        assert_error(await api.get("/generate/status/not-a-job"), 404, "NOT_FOUND")
        bad_style = {**small, "parameters": {"style": "watercolour"}}
        assert_error(await api.post("/generate/video", json=bad_style), 400, "GEN_002", "realistic")
        assert_error(await api.post("/generate/video", json={"parameters": {}}), 400, "GEN_002", "prompt")
        bad_size = {**small, "parameters": {"resolution": "big"}}
        assert_error(await api.post("/generate/video", json=bad_size), 400, "GEN_002", "resolution")

    video, thumbnail = tmp_path / "clip.mp4", tmp_path / "thumb.jpg"
    async with httpx.AsyncClient(timeout=60) as anyone:
        download = await anyone.get(clip["fileUrl"])
        assert download.status_code == 200 and download.headers["content-type"] == "video/mp4"
        video.write_bytes(download.content)
        picture = await anyone.get(clip["thumbnailUrl"])
        assert picture.status_code == 200 and picture.headers["content-type"] == "image/jpeg"
        thumbnail.write_bytes(picture.content)
    assert len(download.content) == clip["fileSize"]
    info = probe(video)
    streams = {stream["codec_type"]: stream for stream in info["streams"]}
    assert (streams["video"]["width"], streams["video"]["height"]) == (640, 360)
    assert float(info["format"]["duration"]) == pytest.approx(clip["duration"], abs=0.2)
    assert probe(thumbnail)["streams"][0]["codec_name"] == "mjpeg"


async def test_templates_rate_limit_of_100_an_hour(stack: EmbeddedStack) -> None:
    token = await account(stack, "platform_rates")
    async with client(stack, token) as api:
        ok = 0
        # An hour's window may end during the burst; then a few more requests fit before the next 429.
        for _ in range(200):
            answer = await api.get("/templates", params={"limit": 1})
            if answer.status_code != 200:
                break
            ok += 1
        assert_error(answer, 429, "RATE_LIMITED", "100")
        assert ok >= 100
        assert int(answer.headers["Retry-After"]) >= 1 and answer.headers["X-RateLimit-Limit"] == "100"
        assert data_of(await api.get("/projects")) is not None  # other endpoints have their own budget


async def test_generate_rate_limit_of_10_requests_an_hour(stack: EmbeddedStack) -> None:
    token = await account(stack, "platform_generate_rates")
    async with client(stack, token) as api:
        # Requests count, whatever their fate: ten refused ones spend the hour's budget.
        for _ in range(10):
            assert_error(await api.post("/generate/video", json={"prompt": ""}), 400, "GEN_002", "prompt")
        limited = await api.post("/generate/video", json=GENERATE_EXAMPLE | {"projectId": None})
        assert_error(limited, 429, "RATE_LIMITED", "10")
        assert int(limited.headers["Retry-After"]) >= 1 and limited.headers["X-RateLimit-Limit"] == "10"
        assert data_of(await api.get("/templates")) is not None
    async with httpx.AsyncClient(base_url=stack.api, timeout=30) as native:
        mine = await native.get("/jobs", headers={"Authorization": f"Bearer {token}"})
        assert mine.json()["total"] == 0
