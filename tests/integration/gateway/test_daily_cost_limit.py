"""The daily cost limit holds when many jobs of one user are created at once through two gateway replicas
(two runtimes on one database), on SQLite and PostgreSQL: exactly as many are accepted as fit, the rest are
refused naming the limit, and a user's day never holds the other users."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlmodel import select

from libs.common.db import Database
from libs.common.errors import InvalidInput
from libs.common.events import JobInput, RenderOptions
from libs.common.migrations import upgrade_to_head
from libs.common.runtime import Runtime
from services.gateway.core import admission, jobs
from services.gateway.core.security import Principal
from services.gateway.core.store import Job, SpendingDay
from services.gateway.settings import GatewaySettings

ATTEMPTS = 12
FITTING = 5
SOURCE, OPTIONS = JobInput(topic="love"), RenderOptions()
USERS = [Principal(user_id=f"spender-{n}", role="user", username=f"spender{n}") for n in range(2)]


@pytest.fixture
async def replicas(database_url: str, tmp_path: Path) -> AsyncIterator[list[Runtime]]:
    """Two gateway runtimes on one database, with a daily limit that fits `FITTING` jobs."""
    base = GatewaySettings(database_url=database_url, var_dir=tmp_path, openai_api_key="", replicate_api_token="")
    estimate = admission.price_job(base, base, SOURCE, OPTIONS).total
    assert estimate > 0
    settings = base.model_copy(update={"cost_limit_per_user_day_usd": round(estimate * (FITTING + 0.5), 6)})
    dbs = [Database.for_service(settings, "gateway") for _ in range(2)]
    await upgrade_to_head(dbs[0], "gateway")
    try:
        yield [Runtime(service="gateway", settings=settings, db=db) for db in dbs]
    finally:
        for db in dbs:
            await db.close()


async def test_jobs_created_at_once_through_two_replicas_never_pass_the_daily_limit(replicas: list[Runtime]) -> None:
    async def create(n: int, user: Principal) -> Job:
        return await jobs.create_job(replicas[n % 2], user, SOURCE, OPTIONS)

    outcomes = await asyncio.gather(
        *(create(n, user) for n in range(ATTEMPTS) for user in USERS), return_exceptions=True
    )

    for user in USERS:
        mine = outcomes[USERS.index(user) :: len(USERS)]
        accepted = [outcome for outcome in mine if isinstance(outcome, Job)]
        refused = [outcome for outcome in mine if not isinstance(outcome, Job)]
        assert len(accepted) == FITTING, refused
        assert all(isinstance(error, InvalidInput) for error in refused), refused
        assert {error.field for error in refused if isinstance(error, InvalidInput)} == {"cost_limit_per_user_day_usd"}
    async with replicas[1].db.sessions() as session:
        for user in USERS:
            spent = await admission.spent_today(session, user.user_id)
            assert spent <= replicas[0].settings.cost_limit_per_user_day_usd
            stored = (await session.exec(select(Job).where(Job.user_id == user.user_id))).all()
            assert len(stored) == FITTING
        days = (await session.exec(select(SpendingDay))).all()
    assert sorted((day.user_id, day.jobs_admitted) for day in days) == [(user.user_id, FITTING) for user in USERS]
