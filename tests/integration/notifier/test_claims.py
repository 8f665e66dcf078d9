"""Replicas share the delivery log: a due attempt is claimed once, and a stale attempt cannot record over a newer one.

Several `Database` objects on one database stand in for notifier replicas, on SQLite and PostgreSQL
(where the claim uses `FOR UPDATE SKIP LOCKED`).
"""

import asyncio
import json
import random
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from uuid import uuid4

import pytest

from libs.common.db import Database
from libs.common.events import now
from libs.common.settings import DatabaseSettings
from services.notifier.deliveries import record_attempt
from services.notifier.policy import AttemptResult, RetryPolicy
from services.notifier.store import TABLES, WebhookEndpoint, WebhookMessage, claim_due
from tests.integration.notifier.webhooks import SECRET

MESSAGES = 20
LEASE = timedelta(minutes=1)


@pytest.fixture
async def replicas(database_url: str, tmp_path: Path) -> AsyncIterator[list[Database]]:
    settings = DatabaseSettings(database_url=database_url, var_dir=tmp_path)
    opened = [Database.for_service(settings, "notifier") for _ in range(3)]
    await opened[0].create_tables(TABLES)
    try:
        yield opened
    finally:
        for db in opened:
            await db.close()


async def seed(db: Database, count: int) -> None:
    endpoint = WebhookEndpoint(
        id=uuid4(), user_id="u", url="http://127.0.0.1:9/hook", secret=SECRET, events=json.dumps(["x"])
    )
    async with db.transaction() as session:
        session.add(endpoint)
        for index in range(count):
            session.add(
                WebhookMessage(
                    id=f"msg_{index}",
                    endpoint_id=endpoint.id,
                    user_id="u",
                    event="generation.complete",
                    payload="{}",
                    traceparent="00-" + "1" * 32 + "-" + "2" * 16 + "-01",
                    next_attempt_at=now(),
                )
            )


async def test_concurrent_claims_never_hand_out_the_same_attempt(replicas: list[Database]) -> None:
    await seed(replicas[0], MESSAGES)
    claimed: list[str] = []
    for _ in range(MESSAGES):  # rounds of six claims at once, until one hands out nothing
        rounds = await asyncio.gather(*(claim_due(db, 8, LEASE) for db in replicas for _ in range(2)))
        handed_out = [due.message_id for batch in rounds for due in batch]
        if not handed_out:
            break
        claimed.extend(handed_out)
    # On SQLite concurrent claims may read the same rows and all but one lose them (no row locks):
    # what matters is that no message is handed out twice and none is left unclaimed.
    assert sorted(claimed) == sorted(f"msg_{index}" for index in range(MESSAGES))
    assert await claim_due(replicas[0], MESSAGES, LEASE) == [], "a claimed attempt is leased, not due"


async def test_an_attempt_whose_lease_ran_out_cannot_record_over_the_next_one(replicas: list[Database]) -> None:
    await seed(replicas[0], 1)
    [stale] = await claim_due(replicas[0], 1, timedelta(0))  # its replica stalls past the lease
    [fresh] = await claim_due(replicas[1], 1, LEASE)
    assert (stale.attempt_number, fresh.attempt_number) == (1, 2)
    policy = RetryPolicy((0, 60), random.Random(1))
    async with replicas[0].transaction() as session:
        assert await record_attempt(session, stale, AttemptResult(http_status=200), policy) == []
    async with replicas[1].transaction() as session:
        [report] = await record_attempt(session, fresh, AttemptResult(http_status=500), policy)
    assert (report.attempt_number, report.outcome) == (2, "retrying")  # type: ignore[attr-defined]
