"""Two users: every native route that names an object answers user B with 404 for user A's object, and no
route but the public ones answers without credentials. The routes come from the gateway's own OpenAPI
document, so a route added later is swept too."""

import asyncio
import io
import re

import httpx
import pytest
from PIL import Image

from tests.security.conftest import Account, Platform

PUBLIC = {
    ("POST", "/api/v1/auth/register"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/refresh"),
    ("POST", "/api/v1/auth/logout"),
}
"""Reachable without credentials (a signed file URL is checked separately: its signature is the credential)."""
SHARED = {"template_id", "model_id"}
"""Catalogue objects every user may read: not owned, so not part of the ownership sweep."""


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 40, 40)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="package")
async def owned(platform: Platform) -> tuple[Account, dict[str, str]]:
    """User A with one of everything: a finished job, a webhook, a project, an upload, an API key."""
    alice = platform.account("alice")
    with platform.client(**alice.headers) as client:
        job = client.post("/jobs", json={"script": "One scene.", "resolution": "128x128", "fps": 24})
        assert job.status_code == 202, job.text
        job_id = job.json()["id"]
        webhook = client.post("/webhooks", json={"url": "http://127.0.0.1:9/hook"})
        assert webhook.status_code == 201, webhook.text
        project = client.post("/projects", json={"name": "Alice's"})
        assert project.status_code == 201, project.text
        upload = client.post("/uploads", files={"file": ("a.png", png(), "image/png")})
        assert upload.status_code == 201, upload.text
        key = client.post("/api-keys", json={"name": "ci"})
        assert key.status_code == 201, key.text
    await platform.complete(job_id)
    with platform.client(**alice.headers) as client:
        for _ in range(300):
            if client.get(f"/jobs/{job_id}").json()["status"] == "completed":
                break
            await asyncio.sleep(0.1)
    ids = {
        "job_id": job_id,
        "endpoint_id": webhook.json()["id"],
        "message_id": "msg_0",
        "project_id": str(project.json()["id"]),
        "upload_id": upload.json()["id"],
        "key_id": key.json()["id"],
        "index": "0",
        "kind": "srt",
    }
    return alice, ids


def native_routes(platform: Platform) -> list[tuple[str, str]]:
    document = httpx.get(f"{platform.base_url}/openapi.json", timeout=60).json()
    return [
        (method.upper(), path)
        for path, operations in document["paths"].items()
        if path.startswith("/api/v1/")
        for method in operations
    ]


def test_no_route_answers_without_credentials(platform: Platform) -> None:
    with platform.client() as client:
        for method, path in native_routes(platform):
            if (method, path) in PUBLIC:
                continue
            answer = client.request(method, path.replace("/api/v1", "", 1).replace("{", "").replace("}", ""))
            expected = 403 if path == "/api/v1/files/{object_key}" else 401
            assert answer.status_code == expected, f"{method} {path}: {answer.status_code} {answer.text[:200]}"


def test_another_users_objects_are_not_found_on_every_route(
    platform: Platform, owned: tuple[Account, dict[str, str]]
) -> None:
    alice, ids = owned
    bob = platform.account("bob")
    swept = 0
    with platform.client(**bob.headers) as client:
        for method, path in native_routes(platform):
            params = re.findall(r"{(\w+)}", path)
            if not params or SHARED & set(params) or path.startswith(("/api/v1/admin/", "/api/v1/files/")):
                continue
            url = path.replace("/api/v1", "", 1)
            for name in params:
                url = url.replace(f"{{{name}}}", ids[name])
            answer = client.request(method, url, json={} if method in {"POST", "PATCH", "PUT"} else None)
            # A body the route cannot read is refused before any lookup (422); anything else must be 404.
            allowed = {404, 422} if method in {"POST", "PATCH", "PUT"} else {404}
            assert answer.status_code in allowed, f"{method} {path}: {answer.status_code} {answer.text[:200]}"
            for value in (ids["job_id"], ids["endpoint_id"], ids["upload_id"]):
                assert value not in answer.text or answer.status_code == 422, f"{method} {path} leaks {value}"
            swept += 1
    assert swept >= 20
    with platform.client(**alice.headers) as client:
        assert client.get(f"/jobs/{ids['job_id']}").json()["status"] == "completed"
        assert client.get(f"/webhooks/{ids['endpoint_id']}").status_code == 200
        assert client.get(f"/projects/{ids['project_id']}").status_code == 200
        assert client.get(f"/uploads/{ids['upload_id']}").status_code == 200
        assert [key["id"] for key in client.get("/api-keys").json()] == [ids["key_id"]]
        assert client.get(f"/jobs/{ids['job_id']}/video").status_code == 200


def test_b_cannot_read_cancel_delete_or_download_as_job_of_a(
    platform: Platform, owned: tuple[Account, dict[str, str]]
) -> None:
    _, ids = owned
    bob = platform.account("bob")
    job = ids["job_id"]
    with platform.client(**bob.headers) as client:
        assert client.get(f"/jobs/{job}").status_code == 404
        assert client.post(f"/jobs/{job}/cancel").status_code == 404
        assert client.delete(f"/jobs/{job}").status_code == 404
        assert client.get(f"/jobs/{job}/video").status_code == 404
        assert client.post(f"/jobs/{job}/signed-url").status_code == 404
        assert client.get(f"/webhooks/{ids['endpoint_id']}/deliveries").status_code == 404
        assert client.delete(f"/webhooks/{ids['endpoint_id']}").status_code == 404
        assert client.get("/jobs").json()["total"] == 0
        assert client.get("/webhooks").json() == []
