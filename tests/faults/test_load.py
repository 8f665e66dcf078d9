"""Many jobs at once: every one reaches an end, and there is exactly one video per completed job."""

import asyncio
from collections import Counter

import pytest

from libs.common.events import JobCompleted, Topics, parse_event
from tests.bus import BusProbe
from tests.faults.conftest import Platform, finished

JOBS = 200
RECOVERY: dict[str, str] = {}
"""The default stall deadlines: a job waiting its turn behind 199 others is queued, not stalled, and the fast
deadlines the crash tests use would send queued jobs through again and multiply the work."""
STORY_WRITING_S = 0.0
"""The model answers at once: the story stage takes one job at a time per replica, and a two-second model
would make this a test of 200 sequential stories rather than of the platform under load."""


@pytest.mark.timeout(900)  # two cores carry the broker, seven services, ffmpeg and espeak-ng: about 5 min
async def test_two_hundred_jobs_submitted_at_once_all_end_with_one_video_each(platform: Platform) -> None:
    bodies = [{"script": f"Clip number {n}.", "resolution": "128x128", "fps": 24} for n in range(JOBS)]
    created = await asyncio.gather(*(platform.create_job(body) for body in bodies))
    assert len(set(created)) == JOBS

    ended = await asyncio.gather(*(platform.wait_for(job_id, finished, timeout_s=900) for job_id in created))
    statuses = Counter(job["status"] for job in ended)
    assert statuses == {"completed": JOBS}, statuses

    videos = sorted((platform.stack.var_dir / "media" / "jobs").glob("*/output/video.mp4"))
    assert len(videos) == JOBS
    async with BusProbe(platform.broker.address) as bus:
        events = [parse_event(value) for value in await bus.everything(Topics.JOBS_COMPLETED)]
    completions = Counter(str(event.job_id) for event in events if isinstance(event, JobCompleted))
    assert completions == dict.fromkeys(created, 1)
