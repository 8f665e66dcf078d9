"""The platform's consumer loop against a real broker: retries, dead letters, cancellation, slow work, shutdown.

Each test runs a small service built with `build_service`, exactly like the real ones,
around a handler that misbehaves in a controlled way.
"""

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from uuid import UUID, uuid4

from fastapi import FastAPI

from libs.common.bus import dead_letter_topic
from libs.common.cancellation import record_cancellation
from libs.common.errors import InvalidInput, ProviderError
from libs.common.events import JobCancelled, JobFailed, JobInput, JobProgress, JobRequested, RenderOptions, Topics
from libs.common.runtime import Runtime
from libs.common.service import build_service
from libs.common.settings import WorkerSettings
from tests.bus import BusProbe, processed, serving, staged

GROUP = "story"


@dataclass
class Calls:
    """What the handler saw: the time of every attempt, per job."""

    at: dict[UUID, list[float]] = field(default_factory=dict)

    def record(self, job_id: UUID) -> int:
        self.at.setdefault(job_id, []).append(time.monotonic())
        return len(self.at[job_id])

    def gaps(self, job_id: UUID) -> list[float]:
        times = self.at[job_id]
        return [later - earlier for earlier, later in pairwise(times)]


Handler = Callable[[JobRequested, Runtime, int], Awaitable[None]]


def service(kafka: str, tmp_path: Path, handler: Handler, calls: Calls, **settings: object) -> FastAPI:
    """A stage service on the `jobs.requested` topic whose work is `handler(event, runtime, attempt)`."""
    config = WorkerSettings(
        kafka_bootstrap_servers=kafka,
        var_dir=tmp_path,
        log_format="text",
        retry_base_s=0.2,
        cancel_poll_s=0.2,
        **settings,  # type: ignore[arg-type]
    )

    def wire(runtime: Runtime) -> None:
        async def handle(event: JobRequested) -> None:
            await handler(event, runtime, calls.record(event.job_id))

        runtime.consume((Topics.JOBS_REQUESTED,), GROUP, (JobRequested,), "story", handle)

    return build_service("story", config, wire=wire)


async def succeed(event: JobRequested, runtime: Runtime) -> None:
    async with runtime.finish(GROUP, event) as out:
        out.emit(JobProgress.after(event, stage="story", progress=20, message="done"))


def request(job_id: UUID | None = None) -> JobRequested:
    return JobRequested(job_id=job_id or uuid4(), user_id="u", input=JobInput(topic="love"), options=RenderOptions())


async def test_a_transient_failure_is_retried_with_growing_backoff(kafka: str, tmp_path: Path) -> None:
    calls = Calls()

    async def flaky(event: JobRequested, runtime: Runtime, attempt: int) -> None:
        if attempt <= 2:
            raise ProviderError("the provider answered 503", retryable=True)
        await succeed(event, runtime)

    job = request()
    async with serving(service(kafka, tmp_path, flaky, calls)), BusProbe(kafka) as bus:
        await bus.publish(job)
        [done] = await bus.events(JobProgress, 1)
    assert done.job_id == job.job_id
    first, second = calls.gaps(job.job_id)
    assert first >= 0.1 and second >= 0.2, "backoff doubles (with jitter down to half)"


async def test_a_providers_retry_after_is_honoured(kafka: str, tmp_path: Path) -> None:
    calls = Calls()

    async def rate_limited(event: JobRequested, runtime: Runtime, attempt: int) -> None:
        if attempt == 1:
            raise ProviderError("429 Too Many Requests", retryable=True, retry_after_s=1.5)
        await succeed(event, runtime)

    job = request()
    async with serving(service(kafka, tmp_path, rate_limited, calls)), BusProbe(kafka) as bus:
        await bus.publish(job)
        await bus.events(JobProgress, 1)
    assert calls.gaps(job.job_id)[0] >= 1.5


async def test_a_failure_that_will_not_heal_fails_the_job_and_is_dead_lettered(kafka: str, tmp_path: Path) -> None:
    calls = Calls()

    async def always_down(_event: JobRequested, _runtime: Runtime, _attempt: int) -> None:
        raise ProviderError("OpenAI answered 500 Internal Server Error", retryable=True)

    job = request()
    async with serving(service(kafka, tmp_path, always_down, calls, max_attempts=3)), BusProbe(kafka) as bus:
        await bus.publish(job)
        [failed] = await bus.events(JobFailed, 1)
        [dead] = await bus.records(dead_letter_topic(Topics.JOBS_REQUESTED), lambda values: len(values) >= 1)
    assert (failed.job_id, failed.stage, failed.reason) == (
        job.job_id,
        "story",
        "OpenAI answered 500 Internal Server Error",
    )
    assert len(calls.at[job.job_id]) == 3
    record = json.loads(dead)
    assert record["original_topic"] == Topics.JOBS_REQUESTED and record["attempts"] == 3
    assert record["error"] == failed.reason and isinstance(record["offset"], int) and record["partition"] >= 0
    assert json.loads(record["payload"])["event_id"] == str(job.event_id)


async def test_invalid_content_fails_at_once_without_retrying(kafka: str, tmp_path: Path) -> None:
    calls = Calls()

    async def refuses(_event: JobRequested, _runtime: Runtime, _attempt: int) -> None:
        raise InvalidInput("scene 3's image is not a readable image")

    job = request()
    async with serving(service(kafka, tmp_path, refuses, calls)), BusProbe(kafka) as bus:
        await bus.publish(job)
        [failed] = await bus.events(JobFailed, 1)
    assert failed.reason == "scene 3's image is not a readable image"
    assert len(calls.at[job.job_id]) == 1


async def test_a_poison_message_is_parked_and_the_partition_keeps_flowing(kafka: str, tmp_path: Path) -> None:
    calls = Calls()

    async def works(event: JobRequested, runtime: Runtime, _attempt: int) -> None:
        await succeed(event, runtime)

    job = request()
    async with serving(service(kafka, tmp_path, works, calls)), BusProbe(kafka) as bus:
        await bus.send(Topics.JOBS_REQUESTED, b"{not an event", job.key)  # same key: same partition, first in line
        await bus.publish(job)
        [done] = await bus.events(JobProgress, 1)
        [dead] = await bus.records(dead_letter_topic(Topics.JOBS_REQUESTED), lambda values: len(values) >= 1)
    assert done.job_id == job.job_id
    assert json.loads(dead)["payload"] == "{not an event" and "undecodable" in json.loads(dead)["error"]


async def test_cancelling_a_job_stops_its_running_work_at_once(kafka: str, tmp_path: Path) -> None:
    calls = Calls()
    started = asyncio.Event()

    async def endless(event: JobRequested, runtime: Runtime, _attempt: int) -> None:
        if event.input.topic == "love":
            started.set()
            await asyncio.sleep(3600)
        await succeed(event, runtime)

    job, later = (
        request(),
        JobRequested(job_id=uuid4(), user_id="u", input=JobInput(topic="scary"), options=RenderOptions()),
    )
    async with serving(service(kafka, tmp_path, endless, calls)) as app, BusProbe(kafka) as bus:
        await bus.publish(job)
        await asyncio.wait_for(started.wait(), 60)
        stopped_at = time.monotonic()
        await bus.publish(JobCancelled(job_id=job.job_id, user_id="u"))
        await bus.publish(later)
        [done] = await bus.events(JobProgress, 1)
        assert done.job_id == later.job_id, "the cancelled job's work must not complete"
        assert time.monotonic() - stopped_at < 30
        staged = await _progress_staged_for(app, job.job_id)
    assert staged == []


async def test_work_for_a_job_cancelled_elsewhere_stops_within_the_poll_interval(kafka: str, tmp_path: Path) -> None:
    """Another replica recorded the cancellation; this one sees the row and stops its own work."""
    calls = Calls()
    started = asyncio.Event()
    stopped = asyncio.Event()

    async def endless(_event: JobRequested, _runtime: Runtime, _attempt: int) -> None:
        started.set()
        try:
            await asyncio.sleep(3600)
        finally:
            stopped.set()

    job = request()
    async with serving(service(kafka, tmp_path, endless, calls)) as app, BusProbe(kafka) as bus:
        await bus.publish(job)
        await asyncio.wait_for(started.wait(), 60)
        db = app.state.runtime.db
        async with db.transaction() as session:
            await record_cancellation(session, db, job.job_id)
        await asyncio.wait_for(stopped.wait(), 5)


async def test_work_for_an_already_cancelled_job_never_starts(kafka: str, tmp_path: Path) -> None:
    calls = Calls()

    async def works(event: JobRequested, runtime: Runtime, _attempt: int) -> None:
        await succeed(event, runtime)

    job, sentinel = request(), request()
    async with serving(service(kafka, tmp_path, works, calls)) as app, BusProbe(kafka) as bus:
        await bus.publish(JobCancelled(job_id=job.job_id, user_id="u"))
        await processed(app, f"{GROUP}-cancellations", (await bus.events(JobCancelled, 1))[0].event_id)
        await bus.publish(job)
        await bus.publish(sentinel)
        [done] = await bus.events(JobProgress, 1)
    assert done.job_id == sentinel.job_id
    assert job.job_id not in calls.at


async def test_work_longer_than_the_session_timeout_stays_in_the_group(kafka: str, tmp_path: Path) -> None:
    """The heartbeat runs beside the handler, so slow work is neither dropped nor handed to another consumer."""
    calls = Calls()

    async def slow(event: JobRequested, runtime: Runtime, _attempt: int) -> None:
        if event.input.topic == "love":
            await asyncio.sleep(8)  # longer than the 6 s session timeout
        await succeed(event, runtime)

    job = request()
    sentinel = JobRequested(job_id=job.job_id, user_id="u", input=JobInput(topic="scary"), options=RenderOptions())
    async with serving(service(kafka, tmp_path, slow, calls)), BusProbe(kafka) as bus:
        await bus.publish(job)
        await bus.publish(sentinel)
        await bus.events(JobProgress, 2)
    assert len(calls.at[job.job_id]) == 2, "each of the two events handled exactly once"


async def test_a_message_abandoned_at_shutdown_is_delivered_again_after_restart(kafka: str, tmp_path: Path) -> None:
    calls = Calls()
    started = asyncio.Event()

    async def slow_first_time(event: JobRequested, runtime: Runtime, attempt: int) -> None:
        if len(calls.at[event.job_id]) == 1:
            started.set()
            await asyncio.sleep(3600)
        await succeed(event, runtime)

    job = request()
    async with BusProbe(kafka) as bus:
        async with serving(service(kafka, tmp_path, slow_first_time, calls, shutdown_grace_s=0.5)):
            await bus.publish(job)
            await asyncio.wait_for(started.wait(), 60)
        async with serving(service(kafka, tmp_path, slow_first_time, calls, shutdown_grace_s=0.5)):
            [done] = await bus.events(JobProgress, 1)
    assert done.job_id == job.job_id
    assert len(calls.at[job.job_id]) == 2


async def _progress_staged_for(app: FastAPI, job_id: UUID) -> list[str]:
    return [payload for payload in await staged(app, Topics.JOBS_PROGRESS) if str(job_id) in payload]
