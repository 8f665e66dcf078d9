"""Job state transitions as events arrive, in any order the bus may deliver them."""

from libs.common.events import (
    JobCompleted,
    JobFailed,
    JobInput,
    JobProgress,
    JobRequested,
    RenderOptions,
    Scene,
    Storyboard,
    VideoOutput,
)
from services.gateway.core.lifecycle import apply_event, cancel
from services.gateway.core.store import Job

USER = "user-1"


def new_job() -> Job:
    return Job(
        user_id=USER, source=JobInput(topic="scary").model_dump_json(), options=RenderOptions().model_dump_json()
    )


def requested(job: Job) -> JobRequested:
    return JobRequested(job_id=job.id, user_id=USER, input=JobInput(topic="scary"), options=RenderOptions())


def progress(job: Job, stage: str, value: int, status: str = "processing", **extra: object) -> JobProgress:
    return JobProgress(job_id=job.id, user_id=USER, stage=stage, progress=value, message="m", status=status, **extra)


def completed(job: Job) -> JobCompleted:
    output = VideoOutput(
        video_key="v", thumbnail_key="t", srt_key="s", vtt_key="w", duration_s=3, width=2, height=2, size_bytes=1
    )
    return JobCompleted(job_id=job.id, user_id=USER, output=output)


def test_a_job_walks_pending_queued_moderating_processing_completed() -> None:
    job = new_job()
    seen = [job.status]
    for event in (
        requested(job),
        progress(job, "story", 2, status="moderating"),
        progress(job, "images", 30),
        completed(job),
    ):
        assert apply_event(job, event) is not None
        seen.append(job.status)
    assert seen == ["pending", "queued", "moderating", "processing", "completed"]
    assert job.progress == 100 and job.output is not None and job.completed_at is not None


def test_progress_never_goes_backwards_when_parallel_stages_interleave() -> None:
    job = new_job()
    apply_event(job, progress(job, "images", 50))
    apply_event(job, progress(job, "audio", 30))
    assert job.progress == 50
    assert job.stage == "audio"


def test_story_progress_fills_in_the_storyboard() -> None:
    job = new_job()
    board = Storyboard(
        title="T", description="D", text="X", scenes=[Scene(index=0, narration="n", image_prompt="p", subtitle="s")]
    )
    apply_event(job, progress(job, "story", 20, storyboard=board))
    assert (job.title, job.description, job.story_text) == ("T", "D", "X")
    assert Storyboard.model_validate_json(job.storyboard or "") == board


def test_a_final_state_never_changes() -> None:
    job = new_job()
    apply_event(job, completed(job))
    assert apply_event(job, progress(job, "render", 80)) is None
    assert apply_event(job, JobFailed(job_id=job.id, user_id=USER, stage="render", reason="late")) is None
    assert cancel(job) is None
    assert job.status == "completed" and job.progress == 100


def test_late_queued_event_does_not_rewind_a_running_job() -> None:
    job = new_job()
    apply_event(job, progress(job, "story", 5, status="moderating"))
    assert apply_event(job, requested(job)) is None
    assert job.status == "moderating"


def test_failure_keeps_the_reason_and_moderation_has_its_own_end() -> None:
    job = new_job()
    apply_event(job, JobFailed(job_id=job.id, user_id=USER, stage="audio", reason="espeak-ng is missing"))
    assert job.status == "failed" and job.error == "espeak-ng is missing"
    other = new_job()
    apply_event(other, JobFailed(job_id=other.id, user_id=USER, stage="story", reason="violence", moderation=True))
    assert other.status == "moderation_failed"


def test_cancel_ends_a_running_job_once() -> None:
    job = new_job()
    apply_event(job, requested(job))
    entry = cancel(job)
    assert entry is not None and entry.status == "cancelled"
    assert cancel(job) is None
