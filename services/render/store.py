"""Render's own table: the join of a job's images and audio, waiting until both have arrived."""

from datetime import datetime
from uuid import UUID

from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from libs.common.db import Database
from libs.common.events import AudioCompleted, Event, ImagesCompleted, now


class RenderJoin(SQLModel, table=True):
    __tablename__ = "render_joins"

    job_id: UUID = Field(primary_key=True)
    images: str | None = None
    audio: str | None = None
    rendered_at: datetime | None = None
    output: str | None = None  # VideoOutput as JSON, once rendered
    updated_at: datetime = Field(default_factory=now)

    def merged(self, event: Event) -> "RenderJoin":
        """This join with `event`'s half filled in (a copy; the row changes only on commit)."""
        copy = self.model_copy()
        if isinstance(event, ImagesCompleted):
            copy.images = event.model_dump_json()
        elif isinstance(event, AudioCompleted):
            copy.audio = event.model_dump_json()
        return copy

    @property
    def halves(self) -> tuple[ImagesCompleted, AudioCompleted] | None:
        if self.images is None or self.audio is None:
            return None
        return ImagesCompleted.model_validate_json(self.images), AudioCompleted.model_validate_json(self.audio)


TABLES = [RenderJoin.__table__]  # type: ignore[attr-defined]


async def load_join(db: Database, job_id: UUID) -> RenderJoin:
    async with db.sessions() as session:
        return await session.get(RenderJoin, job_id) or RenderJoin(job_id=job_id)


async def save_join(session: AsyncSession, join: RenderJoin) -> None:
    join.updated_at = now()
    await session.merge(join)
