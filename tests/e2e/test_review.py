"""Review before render, as a creator uses it over HTTP: the story waits, is edited (reordered, one scene
deleted, one rewritten, one added), approved, and the video says exactly the approved story."""

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.stack import EmbeddedStack, register_and_login

pytestmark = pytest.mark.e2e

SCRIPT = "A lighthouse stands alone.\nA storm rolls in from the sea.\nThe keeper lights the lamp."


@pytest.fixture(scope="module")
def client(stack: EmbeddedStack) -> Iterator[httpx.Client]:
    token = register_and_login(stack, "review_ada")
    with httpx.Client(base_url=stack.api, headers={"Authorization": f"Bearer {token}"}, timeout=30) as api:
        yield api


def job_when(api: httpx.Client, job_id: str, statuses: set[str], timeout_s: float = 240) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while (job := api.get(f"/jobs/{job_id}").json())["status"] not in statuses:
        assert time.monotonic() < deadline, job
        assert job["status"] not in {"failed", "cancelled", "completed"} - statuses, job
        time.sleep(0.5)
    return job


def test_an_edited_story_is_approved_and_the_video_tells_it(stack: EmbeddedStack, client: httpx.Client) -> None:
    created = client.post("/jobs", json={"script": SCRIPT, "resolution": "256x448", "fps": 24, "review": True})
    assert created.status_code == 202, created.text
    job_id = created.json()["id"]

    waiting = job_when(client, job_id, {"awaiting_review"})
    assert waiting["progress"] < 100
    assert waiting["storyboard"]["scenes"][2]["narration"] == "The keeper lights the lamp."
    time.sleep(2)
    assert client.get(f"/jobs/{job_id}").json()["status"] == "awaiting_review", "the story must wait for its user"

    edits = {
        "title": "The Keeper's Night",
        "scenes": [
            {"index": 2},
            {"index": 0, "narration": "A white tower stands on the cliff.", "subjects": ["lighthouse", "cliff"]},
            {"narration": "At dawn the sea is calm again."},
        ],
    }
    assert client.post(f"/jobs/{job_id}/approve", json={"scenes": [{"index": 7}]}).status_code == 422
    approved = client.post(f"/jobs/{job_id}/approve", json=edits)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "processing" and approved.json()["title"] == "The Keeper's Night"
    assert approved.json()["options"]["num_scenes"] == 3, "priced and planned for the approved scenes"
    again = client.post(f"/jobs/{job_id}/approve", json={})
    assert again.status_code == 409 and "awaiting review" in again.json()["detail"]

    done = job_when(client, job_id, {"completed"})
    spoken = [
        "The keeper lights the lamp.",
        "A white tower stands on the cliff.",
        "At dawn the sea is calm again.",
    ]
    scenes = client.get(f"/jobs/{job_id}/scenes").json()["scenes"]
    assert [scene["narration"] for scene in scenes] == spoken
    assert scenes[1]["subjects"] == ["lighthouse", "cliff"]
    captions = client.get(f"/jobs/{job_id}/captions.srt").text
    assert all(line in " ".join(captions.split()) for line in spoken)
    assert "storm" not in captions, "the deleted scene is not narrated"
    assert done["output"]["duration_s"] == pytest.approx(sum(scene["duration_s"] for scene in scenes), abs=0.5)


def test_only_a_story_awaiting_review_can_be_approved(client: httpx.Client) -> None:
    plain = client.post("/jobs", json={"script": "One line.", "resolution": "128x128"}).json()
    refused = client.post(f"/jobs/{plain['id']}/approve", json={})
    assert refused.status_code == 409 and refused.json()["errors"][0]["field"] == "status"
    client.post(f"/jobs/{plain['id']}/cancel")
    missing = client.post("/jobs/00000000-0000-0000-0000-000000000000/approve", json={})
    assert missing.status_code == 404
