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
            copy.images = _newest_images(self.images, event).model_dump_json()
        elif isinstance(event, AudioCompleted):
            copy.audio = event.model_dump_json()
        return copy

    def is_regenerated_by(self, event: Event) -> bool:
        """Whether `event` brings a newer version of some scene's image than this join holds."""
        if not isinstance(event, ImagesCompleted) or self.images is None:
            return False
        held = {image.scene_index: image.version for image in ImagesCompleted.model_validate_json(self.images).images}
        return any(image.version > held.get(image.scene_index, 0) for image in event.images)

    @property
    def halves(self) -> tuple[ImagesCompleted, AudioCompleted] | None:
        if self.images is None or self.audio is None:
            return None
        return ImagesCompleted.model_validate_json(self.images), AudioCompleted.model_validate_json(self.audio)


def _newest_images(held: str | None, event: ImagesCompleted) -> ImagesCompleted:
    """`event` with, per scene, the newest image of the held ones and its own: a late, older event never
    replaces a regenerated image, and an event naming only the regenerated scene keeps the others."""
    if held is None:
        return event
    newest = {image.scene_index: image for image in ImagesCompleted.model_validate_json(held).images}
    for image in event.images:
        if image.version >= newest.get(image.scene_index, image).version:
            newest[image.scene_index] = image
    return event.model_copy(update={"images": [newest[index] for index in sorted(newest)]})


TABLES = [RenderJoin.__table__]  # type: ignore[attr-defined]


async def load_join(db: Database, job_id: UUID) -> RenderJoin:
    async with db.sessions() as session:
        return await session.get(RenderJoin, job_id) or RenderJoin(job_id=job_id)


async def save_join(session: AsyncSession, join: RenderJoin) -> None:
    join.updated_at = now()
    await session.merge(join)
