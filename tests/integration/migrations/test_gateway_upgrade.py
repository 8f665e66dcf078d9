"""An existing gateway database keeps its rows through the upgrade that adds `jobs.error_code`,
`scene_images.source` and `scene_images.credit`: from the baseline revision, and from a database that
`create_all` made before those columns existed (no version table), on SQLite and PostgreSQL."""

from collections.abc import AsyncIterator
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa
from sqlmodel import select

from libs.common.db import Database
from libs.common.events import now
from libs.common.migrations import upgrade_to, upgrade_to_head
from libs.common.settings import DatabaseSettings
from services.gateway.core.scene_store import SceneImageVersion
from services.gateway.core.store import Job
from tests.integration.migrations.schema import count, differences, head, models, revision

BASELINE = "0001"
ADDED = {"jobs": ("error_code",), "scene_images": ("source", "credit")}

# The two tables as they were before the columns, with what their rows need.
OLD_JOBS = sa.table(
    "jobs",
    *(sa.column(name, sa.String()) for name in ("user_id", "status", "message", "source", "options", "actual_cost")),
    sa.column("id", sa.Uuid()),
    sa.column("progress", sa.Integer()),
    sa.column("redrives", sa.Integer()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
OLD_SCENE_IMAGES = sa.table(
    "scene_images",
    sa.column("job_id", sa.Uuid()),
    sa.column("scene_index", sa.Integer()),
    sa.column("version", sa.Integer()),
    sa.column("key", sa.String()),
    sa.column("kind", sa.String()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


@pytest.fixture
async def gateway(database_url: str) -> AsyncIterator[Database]:
    db = Database.for_service(DatabaseSettings(database_url=database_url), "gateway")
    try:
        yield db
    finally:
        await db.close()


async def add_old_rows(db: Database, jobs: int = 3) -> list[UUID]:
    """Jobs, each with two scene images, written as the gateway did before the new columns."""
    ids = [uuid4() for _ in range(jobs)]
    at = now()
    async with db.engine.begin() as conn:
        await conn.execute(
            sa.insert(OLD_JOBS),
            [
                {
                    "id": job_id,
                    "user_id": "u1",
                    "status": "failed",
                    "progress": 40,
                    "message": "It failed",
                    "source": '{"topic": "love"}',
                    "options": "{}",
                    "redrives": 0,
                    "actual_cost": "{}",
                    "created_at": at,
                    "updated_at": at,
                }
                for job_id in ids
            ],
        )
        await conn.execute(
            sa.insert(OLD_SCENE_IMAGES),
            [
                {
                    "job_id": job_id,
                    "scene_index": index,
                    "version": 1,
                    "key": f"{job_id}/scene-{index}.png",
                    "kind": "image",
                    "created_at": at,
                }
                for job_id in ids
                for index in range(2)
            ],
        )
    return ids


async def assert_kept_with_defaults(db: Database, ids: list[UUID]) -> None:
    assert await count(db, "jobs") == len(ids)
    assert await count(db, "scene_images") == 2 * len(ids)
    async with db.sessions() as session:
        jobs = (await session.exec(select(Job))).all()
        images = (await session.exec(select(SceneImageVersion))).all()
    assert sorted(job.id for job in jobs) == sorted(ids)
    assert {(job.status, job.message, job.error_code) for job in jobs} == {("failed", "It failed", None)}
    assert {(image.source, image.credit) for image in images} == {("", None)}
    assert {image.key for image in images} == {f"{job_id}/scene-{index}.png" for job_id in ids for index in range(2)}


async def test_a_gateway_at_the_baseline_keeps_its_rows_and_gains_the_columns(gateway: Database) -> None:
    await upgrade_to(gateway, "gateway", BASELINE)
    assert await revision(gateway) == BASELINE
    ids = await add_old_rows(gateway)

    await upgrade_to_head(gateway, "gateway")

    assert await revision(gateway) == head("gateway")
    await assert_kept_with_defaults(gateway, ids)
    assert await differences(gateway) == []
    async with gateway.transaction() as session:  # and the new columns take new values
        session.add(SceneImageVersion(job_id=ids[0], scene_index=0, version=2, key="k", source="pexels", credit="c"))
    async with gateway.sessions() as session:
        image = await session.get(SceneImageVersion, (ids[0], 0, 2))
    assert image is not None and (image.source, image.credit) == ("pexels", "c")


async def test_a_gateway_made_by_create_all_before_the_columns_is_adopted(gateway: Database) -> None:
    await gateway.create_tables(list(models("gateway").tables.values()))
    async with gateway.engine.begin() as conn:  # as create_all made them before the columns existed
        for table, columns in ADDED.items():
            for column in columns:
                await conn.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN {column}"))
    ids = await add_old_rows(gateway)
    assert await revision(gateway) is None

    await upgrade_to_head(gateway, "gateway")

    assert await revision(gateway) == head("gateway")
    await assert_kept_with_defaults(gateway, ids)
    assert await differences(gateway) == []
