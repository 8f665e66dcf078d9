"""Workers killed mid-stage, and a job cancelled mid-render: nothing lost, nothing doubled, nothing left behind."""

import asyncio
import os
import signal
import subprocess
from collections.abc import Callable

import pytest

from tests.faults.conftest import Platform, finished

KILL_WHEN: dict[str, Callable[[dict], bool]] = {
    "story": lambda job: job["stage"] == "story" and job["status"] == "processing",  # the model is writing
    "imaging": lambda job: job["stage"] == "images",
    "audio": lambda job: job["stage"] == "audio",
    "render": lambda job: job["stage"] == "render" and job["progress"] >= 62,
}

RESOLUTION = {"story": "360x640", "imaging": "360x640", "audio": "360x640", "render": "720x1280"}
"""Small frames where the kill comes before render; enough frames that render can be caught mid-encode."""


def ffmpeg_under(pid: int) -> list[str]:
    return subprocess.run(["pgrep", "-P", str(pid), "ffmpeg"], capture_output=True, text=True).stdout.split()


@pytest.mark.parametrize("service", list(KILL_WHEN))
async def test_a_worker_killed_mid_stage_is_restarted_and_the_job_completes_once(
    platform: Platform, service: str
) -> None:
    job_id = await platform.create_job({"topic": "fun facts", "resolution": RESOLUTION[service]})
    await platform.wait_for(job_id, lambda job: KILL_WHEN[service](job) or finished(job), timeout_s=120)
    victim = platform.stack.pid_of(service)
    os.kill(victim, signal.SIGKILL)

    job = await platform.wait_for(job_id, finished)
    assert job["status"] == "completed", job
    assert await platform.back(service) != victim, "the supervisor did not restart the service"
    assert await platform.completions(job_id) == 1
    assert len(await platform.webhook_ids(job_id)) == 1, "the user was told of the job's end under one webhook-id"
    files = platform.files(job_id)
    assert [path.name for path in files if path.suffix == ".mp4"] == ["video.mp4"]
    assert not [path for path in files if ".partial" in path.name]


async def test_cancelling_a_rendering_job_stops_ffmpeg_and_leaves_nothing(platform: Platform) -> None:
    job_id = await platform.create_job({"topic": "mystery", "duration": "long", "resolution": "720x1280"})
    await platform.wait_for(job_id, lambda job: job["stage"] == "render" and job["progress"] >= 62, timeout_s=180)
    render = platform.stack.pid_of("render")
    assert ffmpeg_under(render), "expected ffmpeg to be rendering"

    async with platform.client() as client:
        cancelled = await client.post(f"/jobs/{job_id}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    async with asyncio.timeout(10):
        while ffmpeg_under(render) or list(platform.stack.tmp_dir.glob("reelforge-render-*")):
            await asyncio.sleep(0.1)

    # Render works one message at a time: once a later job is done, the cancelled one is behind it.
    later = await platform.create_job({"script": "A short line.", "resolution": "128x128"})
    assert (await platform.wait_for(later, finished))["status"] == "completed"
    assert await platform.completions(job_id) == 0
    assert (await platform.job(job_id))["status"] == "cancelled"
    assert not [path for path in platform.files(job_id) if path.suffix == ".mp4"]
