"""A job's status read from the replica's memory: what this process commits shows at once (the projection's
updates, the API's own writes, a bulk update), another user's job is still not found, and a change made by
another replica shows within `job_read_cache_s`."""

import asyncio
import json
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi import FastAPI
from sqlalchemy import text

from libs.common.errors import NotFound
from libs.common.events import JobInput, JobProgress, JobRequested, RenderOptions
from libs.common.settings import StorageSettings
from services.gateway.app import create_app
from services.gateway.core import jobs, submission
from services.gateway.core.security import Principal
from services.gateway.http.routes.jobs import get_job
from services.gateway.settings import GatewaySettings
from tests.bus import BusProbe, processed, service_settings, serving

OWNER = Principal(user_id="reads-owner", role="user", username="owner")
STRANGER = Principal(user_id="reads-stranger", role="user", username="stranger")


async def read(app: FastAPI, user: Principal, job_id: UUID) -> dict[str, Any]:
    answer = await get_job(job_id, user, app.state.runtime, app.state.job_reads)
    return json.loads(answer.body)


async def test_what_this_replica_commits_shows_at_once_and_another_replicas_change_within_the_ttl(
    kafka: str, database_url: str, tmp_path: Path
) -> None:
    settings = service_settings(GatewaySettings, kafka, database_url, StorageSettings(media_dir=tmp_path), tmp_path)
    settings = settings.model_copy(update={"job_read_cache_s": 3.0})
    async with serving(create_app(settings)) as app, BusProbe(kafka) as bus:
        runtime = app.state.runtime
        job = await jobs.create_job(runtime, OWNER, JobInput(topic="love"), RenderOptions())
        assert (await read(app, OWNER, job.id))["progress"] == 0
        with pytest.raises(NotFound):
            await read(app, STRANGER, job.id)

        [requested] = await bus.events(JobRequested, 1)
        progress = JobProgress.after(requested, stage="story", progress=12, message="Writing")
        await bus.publish(progress)
        await processed(app, "gateway", progress.event_id)
        assert (await read(app, OWNER, job.id))["progress"] == 12, "the projection's commit drops the answer"

        await submission.edit_job(runtime, OWNER, job.id, title="Renamed")
        assert (await read(app, OWNER, job.id))["title"] == "Renamed", "the API's own write drops it too"

        async with runtime.db.transaction() as session:  # as another replica would: this process's ORM never sees it
            await session.exec(text("UPDATE jobs SET title = 'Elsewhere'"))  # type: ignore[call-overload]
        assert (await read(app, OWNER, job.id))["title"] == "Renamed", "within the TTL, the remembered answer"
        await asyncio.sleep(3.1)
        assert (await read(app, OWNER, job.id))["title"] == "Elsewhere", "after it, the database's"
