"""Seed 000 (shorts) under /compat/shorts/v1, walked top to bottom with the document's own requests.

Form login and refresh with the Bearer token, `POST /video` with every enum (422 `detail`
lists on bad values), the video task with its story and images (subtitles, urls), the image
task, regenerating one image by its id, and `{"detail": ...}` errors with the documented
401/404/422. One video is made; it is fetched through the task's `url` and probed.
"""

import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from libs.common.vocabulary import ART_STYLES, DURATION_PRESETS, LANGUAGES, TOPICS, VOICES
from tests.media import probe
from tests.stack import EmbeddedStack, register_and_login

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

PREFIX = "/compat/shorts/v1"
STACK_ENV = {"REELFORGE_RATE_LIMIT_PER_MINUTE": "1000"}
PASSWORD = "correct horse 1"
VIDEO = {
    "story_topic": "fun facts",
    "art_style": "comic-book",
    "duration": "short",
    "language": "english",
    "voice_name": "nova",
}
IMAGE_FIELDS = {"id": str, "status": str, "urls": list, "subtitles": str, "created_at": str, "updated_at": str}
VIDEO_TASK_FIELDS = {
    "task_id",
    "status",
    "progress",
    "url",
    "story_title",
    "story_description",
    "story_text",
    "error_message",
    "images",
    "created_at",
    "updated_at",
}
COMPLETE_WITHIN_S = 600


def base(stack: EmbeddedStack) -> str:
    return f"{stack.base_url}{PREFIX}"


def login(stack: EmbeddedStack, username: str, password: str = PASSWORD) -> httpx.Response:
    return httpx.post(f"{base(stack)}/auth/token", data={"username": username, "password": password}, timeout=30)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_images(images: list[dict[str, Any]], task_id: str) -> None:
    assert images, "a finished task has images"
    for index, image in enumerate(images):
        assert set(image) == set(IMAGE_FIELDS)
        for name, kind in IMAGE_FIELDS.items():
            assert isinstance(image[name], kind), (name, image)
        assert image["id"] == f"{task_id}_{index}"
        assert all(isinstance(url, str) for url in image["urls"])
        datetime.fromisoformat(image["created_at"].replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def token(stack: EmbeddedStack) -> str:
    register_and_login(stack, "shorts_ada")
    response = login(stack, "shorts_ada")
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


@pytest.fixture(scope="module")
def finished(stack: EmbeddedStack, token: str) -> dict[str, Any]:
    """The document's example request, followed on the video task until it is completed."""
    with httpx.Client(base_url=base(stack), headers=bearer(token), timeout=30) as client:
        created = client.post("/video", json=VIDEO)
        task_id = created.json()["task_id"]
        deadline = time.monotonic() + COMPLETE_WITHIN_S
        seen = []
        while time.monotonic() < deadline:
            task = client.get(f"/video/tasks/{task_id}").json()
            seen.append(task)
            if task["status"] in ("completed", "failed", "moderation_failed", "cancelled"):
                break
            time.sleep(1)
    return {"created": created, "task_id": task_id, "task": seen[-1], "seen": seen}


def test_login_answers_an_access_token(stack: EmbeddedStack, token: str) -> None:
    response = login(stack, "shorts_ada")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"access_token", "token_type"} and body["token_type"] == "bearer"
    assert isinstance(body["access_token"], str) and body["access_token"]


@pytest.mark.parametrize(("username", "password"), [("shorts_ada", "wrong password"), ("nobody_here", PASSWORD)])
def test_bad_login_is_401(stack: EmbeddedStack, token: str, username: str, password: str) -> None:
    response = login(stack, username, password)
    assert response.status_code == 401
    assert response.json() == {"detail": "Incorrect username or password"}


def test_login_form_missing_a_field_is_422(stack: EmbeddedStack) -> None:
    response = httpx.post(f"{base(stack)}/auth/token", data={"username": "shorts_ada"}, timeout=30)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert [item["loc"] for item in detail] == [["body", "password"]]


def test_refresh_with_the_bearer_token_rotates_it(stack: EmbeddedStack, token: str) -> None:
    first = login(stack, "shorts_ada").json()["access_token"]
    response = httpx.post(f"{base(stack)}/auth/refresh", headers=bearer(first), timeout=30)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "token_type"} and body["token_type"] == "bearer"
    fresh = body["access_token"]
    assert fresh != first
    assert httpx.get(f"{base(stack)}/video/tasks/unknown", headers=bearer(fresh), timeout=30).status_code == 404
    again = httpx.post(f"{base(stack)}/auth/refresh", headers=bearer(first), timeout=30)
    assert (again.status_code, again.json()) == (401, {"detail": "Could not validate credentials"})
    assert httpx.post(f"{base(stack)}/auth/refresh", headers=bearer(fresh), timeout=30).status_code == 200


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic eDp5"}])
def test_refresh_without_a_known_token_is_401(stack: EmbeddedStack, headers: dict[str, str]) -> None:
    response = httpx.post(f"{base(stack)}/auth/refresh", headers=headers, timeout=30)
    assert (response.status_code, response.json()) == (401, {"detail": "Could not validate credentials"})


def test_video_needs_the_bearer_token(stack: EmbeddedStack) -> None:
    response = httpx.post(f"{base(stack)}/video", json=VIDEO, timeout=30)
    assert response.status_code == 401
    assert set(response.json()) == {"detail"}


@pytest.mark.parametrize(
    ("field", "allowed"),
    [
        ("story_topic", TOPICS),
        ("art_style", ART_STYLES),
        ("duration", DURATION_PRESETS),
        ("language", LANGUAGES),
        ("voice_name", VOICES),
    ],
)
def test_bad_enum_value_is_a_422_detail_list(stack: EmbeddedStack, token: str, field: str, allowed: tuple) -> None:
    response = httpx.post(f"{base(stack)}/video", json={**VIDEO, field: "klingon"}, headers=bearer(token), timeout=30)
    assert response.status_code == 422
    (item,) = response.json()["detail"]
    assert item["loc"] == ["body", field] and item["input"] == "klingon"
    assert all(f"'{value}'" in item["msg"] for value in allowed), item["msg"]


def test_missing_fields_are_named(stack: EmbeddedStack, token: str) -> None:
    response = httpx.post(f"{base(stack)}/video", json={"story_topic": "scary"}, headers=bearer(token), timeout=30)
    assert response.status_code == 422
    missing = {item["loc"][-1] for item in response.json()["detail"] if item["type"] == "missing"}
    assert missing == {"art_style", "duration", "language", "voice_name"}
    custom = httpx.post(
        f"{base(stack)}/video", json={**VIDEO, "story_topic": "custom topic"}, headers=bearer(token), timeout=30
    )
    assert custom.status_code == 422
    assert custom.json()["detail"][0]["loc"] == ["body", "topic_text"]


def test_video_answers_a_task_id_and_completes(finished: dict[str, Any], tmp_path: Path) -> None:
    created = finished["created"]
    assert created.status_code == 200
    assert set(created.json()) == {"task_id", "status"}
    task = finished["task"]
    assert task["status"] == "completed", task
    assert set(task) == VIDEO_TASK_FIELDS
    assert task["task_id"] == finished["task_id"] and task["progress"] == 100
    assert task["story_title"] and task["story_description"] and task["story_text"]
    assert task["error_message"] is None
    assert_images(task["images"], task["task_id"])
    assert all(image["status"] == "completed" and image["urls"] for image in task["images"])
    assert all(image["subtitles"].strip() for image in task["images"])
    progress = [seen["progress"] for seen in finished["seen"]]
    assert progress == sorted(progress)
    video = httpx.get(task["url"], timeout=60)
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
    (tmp_path / "short.mp4").write_bytes(video.content)
    info = probe(tmp_path / "short.mp4")
    sizes = {(stream["width"], stream["height"]) for stream in info["streams"] if stream["codec_type"] == "video"}
    assert sizes == {(1080, 1920)}


def test_image_urls_serve_the_pictures(stack: EmbeddedStack, token: str, finished: dict[str, Any]) -> None:
    image = finished["task"]["images"][0]
    picture = httpx.get(f"{stack.base_url}{image['urls'][-1]}", headers=bearer(token), timeout=30)
    assert picture.status_code == 200 and picture.headers["content-type"].startswith("image/")


def test_image_task_lists_the_same_images(stack: EmbeddedStack, token: str, finished: dict[str, Any]) -> None:
    response = httpx.get(f"{base(stack)}/images/tasks/{finished['task_id']}", headers=bearer(token), timeout=30)
    assert response.status_code == 200
    task = response.json()
    assert set(task) == {"task_id", "status", "created_at", "updated_at", "story_text", "images"}
    assert task["status"] == "completed" and task["story_text"] == finished["task"]["story_text"]
    assert [image["id"] for image in task["images"]] == [image["id"] for image in finished["task"]["images"]]


def test_regenerating_an_image_adds_a_version(stack: EmbeddedStack, token: str, finished: dict[str, Any]) -> None:
    image_id = finished["task"]["images"][1]["id"]
    with httpx.Client(base_url=base(stack), headers=bearer(token), timeout=30) as client:
        response = client.post(f"/images/{image_id}")
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"task_id", "status", "urls", "created_at", "updated_at"}
        assert body["task_id"] == finished["task_id"] and len(body["urls"]) == 1
        deadline = time.monotonic() + COMPLETE_WITHIN_S
        while time.monotonic() < deadline:
            task = client.get(f"/images/tasks/{finished['task_id']}").json()
            image = next(image for image in task["images"] if image["id"] == image_id)
            if len(image["urls"]) == 2 and image["status"] == "completed":
                break
            assert image["status"] == "processing"
            time.sleep(1)
        assert image["urls"][0] == body["urls"][0] and image["urls"][1] != image["urls"][0]


@pytest.mark.parametrize("task_id", ["00000000-0000-4000-8000-000000000000", "abc"])
@pytest.mark.parametrize("kind", ["video", "images"])
def test_unknown_task_is_404(stack: EmbeddedStack, token: str, kind: str, task_id: str) -> None:
    response = httpx.get(f"{base(stack)}/{kind}/tasks/{task_id}", headers=bearer(token), timeout=30)
    assert (response.status_code, response.json()) == (404, {"detail": "Task not found"})


@pytest.mark.parametrize("image_id", ["abc", "00000000-0000-4000-8000-000000000000_0", "x_1"])
def test_unknown_image_is_404(stack: EmbeddedStack, token: str, image_id: str) -> None:
    response = httpx.post(f"{base(stack)}/images/{image_id}", headers=bearer(token), timeout=30)
    assert (response.status_code, response.json()) == (404, {"detail": "Image not found"})


def test_another_users_task_and_images_are_not_found(stack: EmbeddedStack, finished: dict[str, Any]) -> None:
    other = bearer(register_and_login(stack, "shorts_bob"))
    task_id = finished["task_id"]
    for method, path, detail in [
        ("GET", f"/video/tasks/{task_id}", "Task not found"),
        ("GET", f"/images/tasks/{task_id}", "Task not found"),
        ("POST", f"/images/{task_id}_0", "Image not found"),
    ]:
        response = httpx.request(method, f"{base(stack)}{path}", headers=other, timeout=30)
        assert (response.status_code, response.json()) == (404, {"detail": detail}), path
