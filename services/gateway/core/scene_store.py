"""The gateway's scenes view: each scene's image versions, its narration's length, and pending regenerations.

Filled from `scene.image.completed` and `audio.completed` by the projection; the
storyboard itself (narration, subtitle, prompt) stays on the job row.
"""

from datetime import datetime
from uuid import UUID

from sqlalchemy import delete
from sqlmodel import Field, SQLModel, col
from sqlmodel.ext.asyncio.session import AsyncSession

from libs.common.events import now


class SceneImageVersion(SQLModel, table=True):
    __tablename__ = "scene_images"

    job_id: UUID = Field(primary_key=True)
    scene_index: int = Field(primary_key=True)
    version: int = Field(primary_key=True)
    key: str
    kind: str = "image"
    source: str = Field("", description="Where the picture came from: pexels, pixabay, procedural, openai...")
    credit: str | None = Field(None, description="The attribution a stock library asks for.")
    created_at: datetime = Field(default_factory=now)


class SceneTiming(SQLModel, table=True):
    __tablename__ = "scene_timings"

    job_id: UUID = Field(primary_key=True)
    scene_index: int = Field(primary_key=True)
    duration_s: float


class SceneRegeneration(SQLModel, table=True):
    """A user's request for a new image of one scene; pending until a newer version arrives."""

    __tablename__ = "scene_regenerations"

    id: int | None = Field(default=None, primary_key=True)
    job_id: UUID = Field(index=True)
    scene_index: int
    prompt: str | None = None
    base_version: int = Field(0, description="The scene's newest image version when asked; a newer one answers it.")
    event_id: UUID
    requested_at: datetime = Field(default_factory=now)


TABLES = [SceneImageVersion.__table__, SceneTiming.__table__, SceneRegeneration.__table__]  # type: ignore[attr-defined]


async def forget(session: AsyncSession, job_id: UUID) -> None:
    """Remove everything the scenes view holds about a job (it is being deleted)."""
    for table in (SceneImageVersion, SceneTiming, SceneRegeneration):
        await session.exec(delete(table).where(col(table.job_id) == job_id))
