"""Safe retries and batches through the gateway's core, the real bus and each database: a repeated
`Idempotency-Key` gives back the first job (even when the two requests race), and a batch creates
each acceptable body `variants` times while refusing only the bodies that are wrong."""

import asyncio
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlmodel import func, select

from libs.common.errors import InvalidInput
from libs.common.events import JobRequested
from services.gateway.app import create_app
from services.gateway.core import submission
from services.gateway.core.idempotency import Idempotency
from services.gateway.core.schemas import JobBatch, JobCreate
from services.gateway.core.security import Principal
from services.gateway.core.store import Job
from tests.bus import BusProbe, serving
from tests.integration.gateway.test_job_options import gateway_settings

ADA = Principal(user_id="retry-ada", role="user", username="ada")
BOB = Principal(user_id="retry-bob", role="user", username="bob")
LIGHTHOUSE = JobCreate(prompt="a lighthouse keeper's cat", resolution="256x448")


async def jobs_of(app: object, user: Principal) -> int:
    async with app.state.runtime.db.sessions() as session:  # type: ignore[attr-defined]
        return (await session.exec(select(func.count()).select_from(Job).where(Job.user_id == user.user_id))).one()


async def test_a_repeated_key_returns_the_first_job_and_creates_nothing(
    kafka: str, database_url: str, tmp_path: Path
) -> None:
    async with serving(create_app(gateway_settings(kafka, database_url, tmp_path))) as app, BusProbe(kafka) as bus:
        runtime = app.state.runtime
        key = Idempotency.of("order-17", LIGHTHOUSE)
        first = await submission.submit_job(runtime, ADA, LIGHTHOUSE, idempotency=key)
        again = await submission.submit_job(runtime, ADA, LIGHTHOUSE, idempotency=key)
        retry = Idempotency.of("order-18", LIGHTHOUSE)
        racing = await asyncio.gather(
            *(submission.submit_job(runtime, ADA, LIGHTHOUSE, idempotency=retry) for _ in range(4))
        )
        bobs = await submission.submit_job(runtime, BOB, LIGHTHOUSE, idempotency=key)
        with pytest.raises(InvalidInput) as refused:
            other = JobCreate(prompt="a dragon", resolution="256x448")
            await submission.submit_job(runtime, ADA, other, idempotency=Idempotency.of("order-17", other))

        assert again.id == first.id
        assert len({job.id for job in racing}) == 1, "racing requests with one key made more than one job"
        assert bobs.id != first.id, "keys are each user's own"
        assert refused.value.field == "Idempotency-Key" and "different request" in refused.value.message
        assert await jobs_of(app, ADA) == 2
        requested = await bus.events(JobRequested, 3)
        assert sorted(str(event.job_id) for event in requested) == sorted(map(str, (first.id, racing[0].id, bobs.id)))


async def test_a_batch_makes_each_good_body_its_variants_and_refuses_only_the_bad_one(
    kafka: str, database_url: str, tmp_path: Path
) -> None:
    bodies = [
        {"topic": "fun facts", "resolution": "256x448"},
        {"prompt": "a red kite", "voice": "bob"},
        {"script": "One line.", "resolution": "256x448"},
    ]
    batch = JobBatch(jobs=bodies, variants=2)
    async with serving(create_app(gateway_settings(kafka, database_url, tmp_path))) as app, BusProbe(kafka) as bus:
        runtime = app.state.runtime
        made = await submission.submit_batch(runtime, ADA, batch, key="batch-1")
        again = await submission.submit_batch(runtime, ADA, batch, key="batch-1")

        assert (made.accepted, made.refused) == (4, 2)
        assert [(item.index, item.variant, item.job is not None) for item in made.items] == [
            (0, 0, True),
            (0, 1, True),
            (1, 0, False),
            (1, 1, False),
            (2, 0, True),
            (2, 1, True),
        ]
        refused = made.items[2]
        assert refused.field == "jobs[1].voice" and "'alloy'" in (refused.error or "")
        created = [item.job.id for item in made.items if item.job]
        assert len(set(created)) == 4
        assert [item.job.id for item in again.items if item.job] == created, "the same batch and key made new jobs"
        assert await jobs_of(app, ADA) == 4
        assert len(await bus.events(JobRequested, 4)) == 4


def test_a_batch_holds_at_most_a_hundred_jobs() -> None:
    JobBatch(jobs=[{"topic": "love"}] * 10, variants=10)
    with pytest.raises(ValidationError, match="variants: 11 bodies x 10 variants is over 100"):
        JobBatch(jobs=[{"topic": "love"}] * 11, variants=10)
    with pytest.raises(ValidationError, match="jobs"):
        JobBatch(jobs=[])
