"""The notifier records each final job event once, consuming from the real bus, on SQLite and PostgreSQL."""

import asyncio
from pathlib import Path
from uuid import UUID, uuid4

from fastapi import FastAPI
from sqlmodel import select

from libs.common.events import JobCompleted, JobFailed, VideoOutput
from services.notifier.app import create_app
from services.notifier.settings import NotifierSettings
from services.notifier.store import Notification
from tests.bus import BusProbe, serving


def completion(job_id: UUID) -> JobCompleted:
    output = VideoOutput(
        video_key="v", thumbnail_key="t", srt_key="s", vtt_key="w", duration_s=1, width=2, height=2, size_bytes=3
    )
    return JobCompleted(job_id=job_id, user_id="u1", output=output)


async def recorded_once(app: FastAPI, event_id: UUID, timeout_s: float = 60.0) -> list[Notification]:
    """All notifications, once the one for `event_id` exists."""
    db = app.state.runtime.db
    async with asyncio.timeout(timeout_s):
        while True:
            async with db.sessions() as session:
                rows = list((await session.exec(select(Notification))).all())
            if any(row.event_id == event_id for row in rows):
                return rows
            await asyncio.sleep(0.05)


async def test_each_outcome_is_recorded_once_even_when_delivered_twice(
    kafka: str, database_url: str, tmp_path: Path
) -> None:
    settings = NotifierSettings(
        kafka_bootstrap_servers=kafka, database_url=database_url, var_dir=tmp_path, log_format="text"
    )
    job = uuid4()
    first = completion(job)
    sentinel = completion(job)  # same job, so same partition: consumed strictly after the duplicate
    failed = JobFailed(job_id=uuid4(), user_id="u2", stage="audio", reason="espeak-ng is not installed")
    async with serving(create_app(settings)) as app, BusProbe(kafka) as bus:
        for event in (first, first, sentinel, failed):
            await bus.publish(event)
        await recorded_once(app, failed.event_id)
        rows = await recorded_once(app, sentinel.event_id)
    assert sorted(str(row.event_id) for row in rows if row.job_id == job) == sorted(
        [str(first.event_id), str(sentinel.event_id)]
    )
    assert [(row.event, row.user_id) for row in rows if row.job_id == failed.job_id] == [("generation.failed", "u2")]
