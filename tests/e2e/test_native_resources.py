"""The native API beyond jobs, driven over HTTP as two users would: projects, uploads, templates,
scenes, a finished job's files (with Range), editing and deleting a job, SSE progress, one error shape."""

import io
import json
from collections.abc import Iterator

import httpx
import pytest
from PIL import Image

from tests.stack import EmbeddedStack, register_and_login

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def ada(stack: EmbeddedStack) -> Iterator[httpx.Client]:
    token = register_and_login(stack, "native_ada")
    with httpx.Client(base_url=stack.api, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def bob(stack: EmbeddedStack) -> Iterator[httpx.Client]:
    token = register_and_login(stack, "native_bob")
    with httpx.Client(base_url=stack.api, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        yield client


def image_bytes(kind: str, size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, kind)
    return buffer.getvalue()


def assert_error(response: httpx.Response, status: int, field: str | None, says: str) -> None:
    """The one error shape of the native API: a `detail` sentence, and `errors` naming the field."""
    assert response.status_code == status, response.text
    body = response.json()
    assert says in body["detail"], body
    if field is not None:
        assert any(error["field"] == field and says in error["message"] for error in body["errors"]), body
    assert "Traceback" not in response.text


def test_projects_crud_pagination_status_filter_and_clip_count(ada: httpx.Client, bob: httpx.Client) -> None:
    made = [ada.post("/projects", json={"name": f"Film {n}", "description": "A short film"}) for n in range(3)]
    assert all(response.status_code == 201 for response in made), made[0].text
    project = made[0].json()
    assert (project["status"], project["clip_count"], project["settings"]) == ("draft", 0, {})
    assert ada.get(f"/projects/{project['id']}").json() == ada.get(f"/projects/{project['public_id']}").json()

    changed = ada.patch(f"/projects/{project['id']}", json={"name": "Renamed", "status": "active"})
    assert (changed.status_code, changed.json()["name"], changed.json()["status"]) == (200, "Renamed", "active")
    page = ada.get("/projects", params={"page": 2, "limit": 2}).json()
    assert (page["total"], len(page["items"]), page["page"]) == (3, 1, 2)
    active = ada.get("/projects", params={"status": "active"}).json()
    assert [item["id"] for item in active["items"]] == [project["id"]]
    assert_error(ada.get("/projects", params={"status": "done"}), 422, "status", "'draft', 'active' or 'archived'")
    assert_error(ada.post("/projects", json={"name": ""}), 422, "name", "at least 1 character")
    assert_error(ada.patch(f"/projects/{project['id']}", json={"owner": "x"}), 422, "owner", "unknown field")

    job = ada.post("/jobs", json={"script": "One.", "project_id": project["id"], "resolution": "128x128"})
    assert job.status_code == 202, job.text
    assert job.json()["project_id"] == project["public_id"]
    ada.post(f"/jobs/{job.json()['id']}/cancel")
    assert ada.get(f"/projects/{project['public_id']}").json()["clip_count"] == 1
    assert [item["id"] for item in ada.get(f"/projects/{project['id']}/jobs").json()] == [job.json()["id"]]

    for method, path in [
        ("GET", f"/projects/{project['id']}"),
        ("GET", f"/projects/{project['public_id']}"),
        ("PATCH", f"/projects/{project['id']}"),
        ("DELETE", f"/projects/{project['id']}"),
    ]:
        response = bob.request(method, path, json={"name": "mine"} if method == "PATCH" else None)
        assert_error(response, 404, None, "Project not found")
    assert bob.get("/projects").json()["total"] == 0
    assert_error(bob.post("/jobs", json={"script": "x", "project_id": project["id"]}), 404, None, "Project not found")

    assert ada.delete(f"/projects/{project['id']}").status_code == 204
    assert ada.get(f"/projects/{project['id']}").status_code == 404
    assert ada.get(f"/jobs/{job.json()['id']}").json()["project_id"] is None


def test_uploads_are_checked_by_content_not_name(ada: httpx.Client, bob: httpx.Client) -> None:
    for kind, content_type in [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")]:
        data = image_bytes(kind)
        response = ada.post("/uploads", files={"file": ("picture.png", data, "application/octet-stream")})
        assert response.status_code == 201, response.text
        upload = response.json()
        assert (upload["content_type"], upload["size_bytes"], upload["width"], upload["height"]) == (
            content_type,
            len(data),
            64,
            48,
        )
        assert ada.get(upload["url"].removeprefix("/api/v1")).content == data
    part = ada.get(upload["url"].removeprefix("/api/v1"), headers={"Range": "bytes=0-9"})
    assert (part.status_code, part.content, part.headers["content-range"]) == (206, data[:10], f"bytes 0-9/{len(data)}")
    assert_error(bob.get(f"/uploads/{upload['id']}"), 404, None, "Upload not found")
    assert_error(bob.get(f"/uploads/{upload['id']}/content"), 404, None, "Upload not found")

    text = ada.post("/uploads", files={"file": ("photo.png", b"just some text, not a picture", "image/png")})
    assert_error(text, 422, "file", "not a readable JPG, JPEG, PNG or WEBP image")
    gif = ada.post("/uploads", files={"file": ("anim.jpg", image_bytes("GIF"), "image/jpeg")})
    assert_error(gif, 422, "file", "is a GIF image; allowed types are JPG, JPEG, PNG or WEBP")
    huge = ada.post("/uploads", files={"file": ("big.png", image_bytes("PNG") + bytes(10 * 1024 * 1024), "image/png")})
    assert_error(huge, 413, "file", "larger than the limit of 10 MB")
    assert_error(ada.post("/uploads"), 422, "file", "Field required")

    job = ada.post("/jobs", json={"prompt": "a red kite", "upload_id": upload["id"], "resolution": "128x128"})
    assert job.status_code == 202, job.text
    assert job.json()["input"]["reference_image_key"]
    ada.post(f"/jobs/{job.json()['id']}/cancel")
    assert_error(bob.post("/jobs", json={"prompt": "mine", "upload_id": upload["id"]}), 404, None, "Upload not found")


def test_templates_list_filter_and_use(ada: httpx.Client, bob: httpx.Client) -> None:
    catalogue = ada.get("/templates", params={"limit": 100}).json()
    assert catalogue["total"] == len(catalogue["items"]) >= 6
    education = ada.get("/templates", params={"category": "education", "limit": 1}).json()
    assert (education["total"], len(education["items"]), education["items"][0]["category"]) == (2, 1, "education")
    assert_error(ada.get("/templates", params={"category": "cooking"}), 422, "category", "'education'")
    template = next(item for item in catalogue["items"] if item["slug"] == "fun-facts")
    assert ada.get(f"/templates/{template['id']}").json()["slug"] == "fun-facts"

    used = ada.post(f"/templates/{template['id']}/use", json={"resolution": "128x128", "voice": "echo"})
    assert used.status_code == 202, used.text
    job = used.json()
    assert (job["input"]["topic"], job["options"]["art_style"], job["options"]["voice"]) == (
        "fun facts",
        "comic-book",
        "echo",
    )
    ada.post(f"/jobs/{job['id']}/cancel")
    assert ada.get("/templates/fun-facts").json()["usage_count"] == template["usage_count"] + 1
    assert_error(ada.post("/templates/fun-facts/use", json={"voice": "bob"}), 422, "voice", "'alloy'")
    assert_error(ada.post("/templates/no-such/use", json={}), 404, None, "Template not found")
    assert_error(bob.get(f"/jobs/{job['id']}"), 404, None, "Job not found")


def server_sent_events(client: httpx.Client, path: str) -> list[dict]:
    events = []
    with client.stream("GET", path, timeout=180) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line.removeprefix("data: ")))
    return events


def test_a_finished_job_scenes_files_edits_and_deletion(
    stack: EmbeddedStack, ada: httpx.Client, bob: httpx.Client
) -> None:
    script = "A lighthouse stands alone.\n\nThe keeper lights the lamp."
    created = ada.post("/jobs", json={"script": script, "resolution": "256x448", "fps": 24, "caption_style": "karaoke"})
    assert created.status_code == 202, created.text
    job_id = created.json()["id"]
    assert_error(ada.post(f"/jobs/{job_id}/scenes/0/regenerate"), 409, "status", "once the job is completed")

    events = server_sent_events(ada, f"/jobs/{job_id}/events/stream")
    assert events[0]["type"] == "created" and events[-1]["type"] == "completed", events
    progress = [event["progress"] for event in events]
    assert progress == sorted(progress) and progress[-1] == 100
    assert {"story", "images", "audio", "render"} <= {event["stage"] for event in events}

    scenes = ada.get(f"/jobs/{job_id}/scenes").json()["scenes"]
    assert [(scene["index"], scene["narration"]) for scene in scenes] == [
        (0, "A lighthouse stands alone."),
        (1, "The keeper lights the lamp."),
    ]
    assert scenes[1]["start_s"] == pytest.approx(scenes[0]["duration_s"], abs=0.01)
    for scene in scenes:
        assert scene["subtitle"] and scene["image"]["version"] == 1 and not scene["regenerating"]
        picture = ada.get(scene["image"]["url"].removeprefix("/api/v1"))
        assert picture.status_code == 200 and Image.open(io.BytesIO(picture.content)).size == (256, 448)

    thumbnail = ada.get(f"/jobs/{job_id}/thumbnail")
    assert thumbnail.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(thumbnail.content)).format == "JPEG"
    size = len(thumbnail.content)
    part = ada.get(f"/jobs/{job_id}/thumbnail", headers={"Range": "bytes=100-199"})
    assert (part.status_code, part.content) == (206, thumbnail.content[100:200])
    assert part.headers["content-range"] == f"bytes 100-199/{size}"
    assert_error(
        ada.get(f"/jobs/{job_id}/thumbnail", headers={"Range": f"bytes={size}-"}), 416, "range", "not satisfiable"
    )
    srt = ada.get(f"/jobs/{job_id}/captions.srt")
    vtt = ada.get(f"/jobs/{job_id}/captions.vtt")
    assert srt.text.startswith("1\n") and "-->" in srt.text and "lighthouse" in srt.text.lower()
    assert vtt.text.startswith("WEBVTT") and vtt.headers["content-type"].startswith("text/vtt")
    timings = ada.get(f"/jobs/{job_id}/captions.json").json()["cues"]
    spoken = [word for cue in timings for word in cue["words"]]
    assert " ".join(word["text"] for word in spoken) == script.replace("\n\n", " ")
    starts = [word["start_s"] for word in spoken]
    assert starts == sorted(starts) and all(word["end_s"] >= word["start_s"] for word in spoken)
    assert spoken[4]["start_s"] >= scenes[1]["start_s"], "the second scene's words start with the second scene"
    assert_error(ada.get(f"/jobs/{job_id}/captions.ass"), 422, "kind", "'srt', 'vtt' or 'json'")
    board = ada.get(f"/jobs/{job_id}/storyboard")
    assert board.headers["content-type"] == "application/json"
    assert [scene["narration"] for scene in board.json()["scenes"]] == [scene["narration"] for scene in scenes]
    assert_error(ada.get(f"/jobs/{job_id}/preview"), 404, None, "no preview")

    for path in ["/scenes", "/scenes/0/image", "/thumbnail", "/captions.srt", "/storyboard", "/events/stream"]:
        assert_error(bob.get(f"/jobs/{job_id}{path}"), 404, None, "Job not found")
    assert_error(bob.post(f"/jobs/{job_id}/scenes/0/regenerate", json={}), 404, None, "Job not found")
    assert_error(ada.post(f"/jobs/{job_id}/scenes/5/regenerate", json={}), 404, None, "numbered 0 to 1")

    edited = ada.patch(f"/jobs/{job_id}", json={"title": "The Keeper", "description": "A quiet night"})
    assert (edited.status_code, edited.json()["title"], edited.json()["description"]) == (
        200,
        "The Keeper",
        "A quiet night",
    )
    assert_error(ada.patch(f"/jobs/{job_id}", json={"status": "failed"}), 422, "status", "unknown field")
    assert_error(bob.patch(f"/jobs/{job_id}", json={"title": "mine"}), 404, None, "Job not found")
    assert ada.get(f"/jobs/{job_id}").json()["status"] == "completed"

    files = stack.var_dir / "media" / "jobs" / job_id
    assert (files / "output").is_dir()
    assert_error(bob.delete(f"/jobs/{job_id}"), 404, None, "Job not found")
    assert ada.delete(f"/jobs/{job_id}").status_code == 204
    assert not files.exists()
    assert_error(ada.get(f"/jobs/{job_id}/thumbnail"), 404, None, "Job not found")
    assert_error(ada.get(f"/jobs/{job_id}/scenes"), 404, None, "Job not found")


def test_every_error_has_one_shape(stack: EmbeddedStack, ada: httpx.Client) -> None:
    assert_error(ada.get("/no/such/route"), 404, None, "Not Found")
    assert_error(ada.put("/projects"), 405, None, "Method Not Allowed")
    assert_error(ada.get("/projects", params={"limit": 0}), 422, "limit", "greater than or equal to 1")
    assert_error(ada.get("/jobs/not-a-uuid/scenes"), 422, "job_id", "valid UUID")
    assert_error(httpx.get(f"{stack.api}/projects", timeout=10), 401, None, "Not authenticated")


def test_readyz_reports_each_dependency(stack: EmbeddedStack) -> None:
    response = httpx.get(f"{stack.base_url}/readyz", timeout=10)
    assert response.status_code == 200
    assert response.json() == {"ready": True, "checks": {"database": True, "storage": True, "bus": True}}


def test_a_retried_request_with_its_idempotency_key_gets_the_first_job(ada: httpx.Client, bob: httpx.Client) -> None:
    body = {"script": "A paper boat sails.", "resolution": "128x128"}
    first = ada.post("/jobs", json=body, headers={"Idempotency-Key": "boat-1"})
    again = ada.post("/jobs", json=body, headers={"Idempotency-Key": "boat-1"})
    bobs = bob.post("/jobs", json=body, headers={"Idempotency-Key": "boat-1"})

    assert first.status_code == again.status_code == bobs.status_code == 202, first.text
    assert again.json()["id"] == first.json()["id"] != bobs.json()["id"]
    changed = ada.post("/jobs", json={**body, "voice": "nova"}, headers={"Idempotency-Key": "boat-1"})
    assert_error(changed, 422, "Idempotency-Key", "already used for a different request")
    ids = [job["id"] for job in ada.get("/jobs", params={"limit": 100}).json()["items"]]
    assert ids.count(first.json()["id"]) == 1
    for job_id in {first.json()["id"], bobs.json()["id"]}:
        (ada if job_id == first.json()["id"] else bob).post(f"/jobs/{job_id}/cancel")


def test_a_batch_creates_each_good_body_its_variants_and_names_what_it_refused(ada: httpx.Client) -> None:
    good = {"script": "One small line.", "resolution": "128x128"}
    made = ada.post("/jobs/batch", json={"jobs": [good, {"script": "x", "fps": 7}], "variants": 2})

    assert made.status_code == 202, made.text
    result = made.json()
    assert (result["accepted"], result["refused"]) == (2, 2)
    created = [item["job"]["id"] for item in result["items"] if item["job"]]
    assert len(set(created)) == 2
    assert [item["field"] for item in result["items"] if not item["job"]] == ["jobs[1].fps", "jobs[1].fps"]
    for job_id in created:
        assert ada.get(f"/jobs/{job_id}").json()["input"]["script"] == "One small line."
        ada.post(f"/jobs/{job_id}/cancel")
    assert_error(ada.post("/jobs/batch", json={"jobs": [{"script": "x", "fps": 7}]}), 422, "jobs[0].fps", "fps")
    too_many = ada.post("/jobs/batch", json={"jobs": [good] * 11, "variants": 10})
    assert_error(too_many, 422, None, "over 100 jobs in one batch")
