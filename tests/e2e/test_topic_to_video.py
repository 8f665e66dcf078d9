"""A user's first video: register, log in, ask for a topic, watch progress, download the MP4."""

import json
import wave
from pathlib import Path

import httpx
import pytest
import websockets

from tests.media import probe
from tests.stack import EmbeddedStack, register_and_login

pytestmark = pytest.mark.e2e

ORDER = ["created", "queued", "progress", "completed"]


def wav_seconds(path: Path) -> float:
    with wave.open(str(path)) as audio:
        return audio.getnframes() / audio.getframerate()


async def test_topic_becomes_a_narrated_subtitled_video(stack: EmbeddedStack, tmp_path: Path) -> None:
    token = register_and_login(stack, "e2e_alice")
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=stack.api, headers=headers, timeout=30) as client:
        created = await client.post("/jobs", json={"topic": "fun facts", "resolution": "540x960", "fps": 24})
        assert created.status_code == 202, created.text
        job_id = created.json()["id"]

        messages = []
        async with websockets.connect(f"{stack.ws_api}/jobs/{job_id}/events?token={token}", open_timeout=30) as socket:
            async for raw in socket:
                messages.append(json.loads(raw))
        types = [message["type"] for message in messages]
        assert types[0] == "created" and types[-1] == "completed", types
        assert sorted(types, key=ORDER.index) == types, "events arrived out of order"
        progress = [message["progress"] for message in messages]
        assert progress == sorted(progress) and progress[-1] == 100
        assert {"story", "images", "audio", "render"} <= {message["stage"] for message in messages}

        job = (await client.get(f"/jobs/{job_id}")).json()
        assert job["status"] == "completed"
        scenes = job["storyboard"]["scenes"]
        assert len(scenes) >= 3 and all(scene["subtitle"].strip() for scene in scenes)
        assert job["title"] and job["story_text"]

        video = tmp_path / "video.mp4"
        async with client.stream("GET", f"/jobs/{job_id}/video") as response:
            assert response.status_code == 200
            assert response.headers["content-type"] == "video/mp4"
            with video.open("wb") as handle:
                async for chunk in response.aiter_bytes():
                    handle.write(chunk)

    info = probe(video)
    streams = {stream["codec_type"]: stream for stream in info["streams"]}
    assert streams["video"]["codec_name"] == "h264"
    assert streams["audio"]["codec_name"] == "aac"
    assert (streams["video"]["width"], streams["video"]["height"]) == (540, 960)
    narration = sum(wav_seconds(path) for path in (stack.var_dir / "media" / "jobs" / job_id / "audio").glob("*.wav"))
    length = float(info["format"]["duration"])
    assert abs(length - 45) <= 4.5, f"a short is about 45 s, this one {length:.1f} s"
    assert 0.8 * length <= narration <= length, "the story fills the video; pauses between scenes make up the rest"


async def test_another_users_job_is_invisible(stack: EmbeddedStack) -> None:
    owner = {"Authorization": f"Bearer {register_and_login(stack, 'e2e_owner')}"}
    stranger = {"Authorization": f"Bearer {register_and_login(stack, 'e2e_stranger')}"}
    async with httpx.AsyncClient(base_url=stack.api, timeout=30) as client:
        job_id = (await client.post("/jobs", json={"script": "One line.\nTwo lines."}, headers=owner)).json()["id"]
        for method, path in [
            ("GET", f"/jobs/{job_id}"),
            ("GET", f"/jobs/{job_id}/video"),
            ("POST", f"/jobs/{job_id}/cancel"),
        ]:
            response = await client.request(method, path, headers=stranger)
            assert response.status_code == 404, (method, path, response.text)
            assert response.json() == {"detail": "Job not found"}
        listed = (await client.get("/jobs", headers=stranger)).json()
        assert listed["total"] == 0 and listed["items"] == []


async def test_progress_is_also_served_as_server_sent_events(stack: EmbeddedStack) -> None:
    headers = {"Authorization": f"Bearer {register_and_login(stack, 'e2e_sse')}"}
    async with httpx.AsyncClient(base_url=stack.api, headers=headers, timeout=120) as client:
        body = {"script": "A quiet harbour at dawn.\nThe boats come home.", "resolution": "360x640"}
        job_id = (await client.post("/jobs", json=body)).json()["id"]
        events: list[tuple[str, dict]] = []
        async with client.stream("GET", f"/jobs/{job_id}/events") as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            kind = ""
            async for line in response.aiter_lines():
                if line.startswith("event: "):
                    kind = line.removeprefix("event: ")
                elif line.startswith("data: "):
                    events.append((kind, json.loads(line.removeprefix("data: "))))
        assert events[0][0] == "created" and events[-1][0] == "completed"
        assert [data["seq"] for _, data in events] == sorted(data["seq"] for _, data in events)
        resumed = await client.get(f"/jobs/{job_id}/events", headers={"Last-Event-ID": str(events[-2][1]["seq"])})
        assert [line for line in resumed.text.splitlines() if line.startswith("event: ")] == ["event: completed"]


def test_the_api_reference_is_served(stack: EmbeddedStack) -> None:
    schema = httpx.get(f"{stack.base_url}/openapi.json", timeout=30).json()
    assert {"/api/v1/jobs", "/api/v1/jobs/{job_id}/video", "/api/v1/auth/login"} <= set(schema["paths"])
    assert httpx.get(f"{stack.base_url}/docs", timeout=30).status_code == 200
