"""Webhook bodies are exactly the shapes the platform API documents (seed 003, "Webhooks")."""

import json
from datetime import UTC, datetime, timedelta, timezone
from uuid import uuid4

from libs.common.events import JobCompleted, JobFailed, JobProgress, VideoOutput
from services.notifier.deliveries import message_id
from services.notifier.payloads import body, payload

AT = datetime(2025, 11, 7, 1, 2, 3, 456789, tzinfo=timezone(timedelta(hours=1)))
JOB = uuid4()
OUTPUT = VideoOutput(
    video_key="v", thumbnail_key="t", srt_key="s", vtt_key="w", duration_s=1, width=2, height=2, size_bytes=3
)


def test_generation_complete_names_the_job_as_its_clip() -> None:
    event = JobCompleted(job_id=JOB, user_id="u", output=OUTPUT, occurred_at=AT)
    assert payload(event) == {
        "event": "generation.complete",
        "data": {"jobId": str(JOB), "clipId": str(JOB), "status": "COMPLETED", "timestamp": "2025-11-07T00:02:03Z"},
    }


def test_generation_failed_carries_the_reason() -> None:
    event = JobFailed(job_id=JOB, user_id="u", stage="story", reason="Generation failed due to invalid prompt")
    data = payload(event)["data"]
    assert payload(event)["event"] == "generation.failed"
    assert data == {
        "jobId": str(JOB),
        "error": "Generation failed due to invalid prompt",
        "timestamp": data["timestamp"],
    }
    assert datetime.strptime(data["timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) <= datetime.now(UTC)


def test_generation_progress_carries_stage_and_message() -> None:
    event = JobProgress(job_id=JOB, user_id="u", stage="render", progress=80, message="Rendering", occurred_at=AT)
    assert json.loads(body(event)) == {
        "event": "generation.progress",
        "data": {
            "jobId": str(JOB),
            "progress": 80,
            "stage": "render",
            "message": "Rendering",
            "timestamp": "2025-11-07T00:02:03Z",
        },
    }


def test_a_jobs_end_is_one_message_per_endpoint_however_often_it_is_announced() -> None:
    job, endpoint = uuid4(), uuid4()
    output = VideoOutput(
        video_key="v", thumbnail_key="t", srt_key="s", vtt_key="w", duration_s=1, width=2, height=2, size_bytes=3
    )
    first, again = (JobCompleted(job_id=job, user_id="u", output=output) for _ in range(2))
    failed = JobFailed(job_id=job, user_id="u", stage="render", reason="r")
    assert message_id(first, endpoint) == message_id(again, endpoint) and message_id(first, endpoint).startswith("msg_")
    assert len({message_id(first, endpoint), message_id(first, uuid4()), message_id(failed, endpoint)}) == 3


def test_each_progress_event_is_its_own_message() -> None:
    job, endpoint = uuid4(), uuid4()
    moving = [JobProgress(job_id=job, user_id="u", stage="images", progress=p, message="m") for p in (30, 40)]
    assert message_id(moving[0], endpoint) != message_id(moving[1], endpoint)
