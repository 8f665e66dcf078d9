"""Seed 002 (text-to-video) under /compat/text2video/api/v1, walked top to bottom with the document's examples.

Generate (202; 400 without text), status (the documented statuses and progress stages; 404),
download (`video/mp4` named `generated_video_<job_id>.mp4`; 400 before it is ready; 404),
the jobs dict keyed by id, `{"error": ...}` bodies, the document's Python polling client run
as written, credentials keeping users apart, and status surviving a restart of the platform.
"""

import time
import uuid
from pathlib import Path

import httpx
import pytest
import requests

from tests.media import probe
from tests.stack import EmbeddedStack, register_and_login

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

PREFIX = "/compat/text2video/api/v1"
STACK_ENV = {"REELFORGE_RATE_LIMIT_PER_MINUTE": "1000"}
EXAMPLE_TEXT = "Once upon a time, in a faraway land..."
STATUSES = {"queued", "processing", "completed", "failed"}
PROGRESS_STAGES = {0, 20, 40, 60, 80, 90, 100}
NO_TEXT = {"error": "No text provided in request body"}
NOT_FOUND = {"error": "Job not found"}


def base(stack: EmbeddedStack) -> str:
    return f"{stack.base_url}{PREFIX}"


@pytest.fixture(scope="module")
def finished(stack: EmbeddedStack, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The document's Python client, run as written with only the base URL changed."""
    api = base(stack)
    seen: list[dict] = []
    workdir = tmp_path_factory.mktemp("client")

    # Start video generation
    response = requests.post(f"{api}/generate", json={"text": EXAMPLE_TEXT}, timeout=30)
    job_id = response.json()["job_id"]
    not_ready = requests.get(f"{api}/download/{job_id}", timeout=30)

    # Poll for status
    while True:
        status_response = requests.get(f"{api}/status/{job_id}", timeout=30)
        status_data = status_response.json()
        seen.append(status_data)

        if status_data["status"] in ["completed", "failed"]:
            break

        print(f"Progress: {status_data['progress']}% - {status_data['message']}")
        time.sleep(2)

    # Download video if completed
    if status_data["status"] == "completed":
        video_response = requests.get(f"{api}/download/{job_id}", timeout=60)
        with open(workdir / "output_video.mp4", "wb") as f:
            f.write(video_response.content)
    return {
        "created": response,
        "job_id": job_id,
        "not_ready": not_ready,
        "seen": seen,
        "video": workdir / "output_video.mp4",
        "download": video_response,
    }


def test_generate_answers_202_with_job_id_status_and_message(finished: dict) -> None:
    created = finished["created"]
    assert created.status_code == 202
    assert created.headers["content-type"] == "application/json"
    body = created.json()
    assert body == {"job_id": body["job_id"], "status": "queued", "message": "Video generation started"}
    assert str(uuid.UUID(body["job_id"])) == body["job_id"]


@pytest.mark.parametrize(
    "body",
    [{}, {"text": ""}, {"text": "   \n"}, {"text": 42}, {"story": EXAMPLE_TEXT}, [EXAMPLE_TEXT], "not json"],
    ids=["empty", "blank", "whitespace", "number", "other-field", "list", "not-json"],
)
def test_generate_without_text_is_400(stack: EmbeddedStack, body: object) -> None:
    if body == "not json":
        response = httpx.post(f"{base(stack)}/generate", content=b"text=hello", timeout=30)
    else:
        response = httpx.post(f"{base(stack)}/generate", json=body, timeout=30)
    assert response.status_code == 400
    assert response.json() == NO_TEXT


def test_polling_sees_documented_statuses_and_stages_to_completion(finished: dict) -> None:
    seen = finished["seen"]
    assert seen[-1]["status"] == "completed", seen[-1]
    assert seen[-1]["progress"] == 100 and seen[-1]["message"] == "Video generation completed"
    for status in seen:
        assert set(status) == {"status", "progress", "message", "created_at"}
        assert status["status"] in STATUSES
        assert status["progress"] in PROGRESS_STAGES
        assert isinstance(status["message"], str) and status["message"]
        assert isinstance(status["created_at"], int)
        assert abs(status["created_at"] - time.time()) < 3600
        if status["status"] == "queued":
            assert (status["progress"], status["message"]) == (0, "Job queued")
    progress = [status["progress"] for status in seen]
    assert progress == sorted(progress), "progress went backwards"


def test_download_is_the_mp4_named_after_the_job(finished: dict) -> None:
    download = finished["download"]
    assert download.status_code == 200
    assert download.headers["content-type"] == "video/mp4"
    disposition = download.headers["content-disposition"]
    assert disposition == f'attachment; filename="generated_video_{finished["job_id"]}.mp4"'
    info = probe(finished["video"])
    streams = {stream["codec_type"]: stream["codec_name"] for stream in info["streams"]}
    assert streams == {"video": "h264", "audio": "aac"}
    assert float(info["format"]["duration"]) > 1


def test_download_before_the_video_is_ready_is_400(finished: dict) -> None:
    assert finished["not_ready"].status_code == 400
    assert finished["not_ready"].json() == {"error": "Video not ready for download"}


@pytest.mark.parametrize("job_id", ["550e8400-e29b-41d4-a716-446655440000", "not-a-uuid"])
@pytest.mark.parametrize("endpoint", ["status", "download"])
def test_unknown_job_is_404(stack: EmbeddedStack, endpoint: str, job_id: str) -> None:
    response = httpx.get(f"{base(stack)}/{endpoint}/{job_id}", timeout=30)
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_jobs_is_a_dict_keyed_by_id(stack: EmbeddedStack, finished: dict) -> None:
    response = httpx.get(f"{base(stack)}/jobs", timeout=30)
    assert response.status_code == 200
    jobs = response.json()["jobs"]
    assert isinstance(jobs, dict) and finished["job_id"] in jobs
    assert jobs[finished["job_id"]] == {
        "status": "completed",
        "progress": 100,
        "message": "Video generation completed",
        "created_at": finished["seen"][0]["created_at"],
        "output_file": f"output/video_{finished['job_id']}.mp4",
    }


def test_credentials_keep_users_apart(stack: EmbeddedStack, finished: dict) -> None:
    """Anonymous use is for loopback; a token (or API key) makes the calls the user's own."""
    headers = {"Authorization": f"Bearer {register_and_login(stack, 't2v_user')}"}
    api = base(stack)
    mine = httpx.post(f"{api}/generate", json={"text": EXAMPLE_TEXT}, headers=headers, timeout=30).json()["job_id"]
    listed = httpx.get(f"{api}/jobs", headers=headers, timeout=30).json()["jobs"]
    assert list(listed) == [mine] and "output_file" not in listed[mine]
    for endpoint in ("status", "download"):
        response = httpx.get(f"{api}/{endpoint}/{finished['job_id']}", headers=headers, timeout=30)
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert mine not in httpx.get(f"{api}/jobs", timeout=30).json()["jobs"]
    bad = httpx.get(f"{api}/jobs", headers={"Authorization": "Bearer not-a-token"}, timeout=30)
    assert bad.status_code == 401
    assert set(bad.json()) == {"error"}

    cancelled = httpx.post(f"{stack.api}/jobs/{mine}/cancel", headers=headers, timeout=30)
    assert cancelled.status_code == 200
    status = httpx.get(f"{api}/status/{mine}", headers=headers, timeout=30).json()
    assert status["status"] == "failed" and status["message"]
    listed = httpx.get(f"{api}/jobs", headers=headers, timeout=30).json()["jobs"]
    assert listed[mine]["status"] == "failed" and "output_file" not in listed[mine]


def test_status_survives_a_restart(stack: EmbeddedStack, finished: dict, tmp_path: Path) -> None:
    """The document keeps jobs in memory and loses them on a restart; Reelforge keeps them."""
    stack.stop()
    stack.start()
    status = httpx.get(f"{base(stack)}/status/{finished['job_id']}", timeout=30)
    assert status.status_code == 200
    assert status.json()["status"] == "completed" and status.json()["progress"] == 100
    download = httpx.get(f"{base(stack)}/download/{finished['job_id']}", timeout=60)
    assert download.status_code == 200
    (tmp_path / "again.mp4").write_bytes(download.content)
    assert probe(tmp_path / "again.mp4")["format"]["format_name"].startswith("mov,mp4")
