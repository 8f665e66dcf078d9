"""Imaging's own table: what each job's scenes were painted from, and each scene's latest picture.

A regeneration request carries only the job and the scene, so this is where the stage finds the
storyboard, the options and the reference image to paint the new version with, and every other
scene's latest picture to send along in the fresh `images.completed`.
"""

import json
from datetime import datetime
from uuid import UUID

from pydantic import TypeAdapter
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from libs.common.db import Database
from libs.common.events import SceneImage, StoryCompleted, now

_IMAGES = TypeAdapter(list[SceneImage])


class JobPictures(SQLModel, table=True):
    __tablename__ = "job_pictures"

    job_id: UUID = Field(primary_key=True)
    story: str
    """The `story.completed` the scenes were painted from (storyboard, options, reference image), as JSON."""
    images: str
    """Every scene's latest `SceneImage`, as a JSON list in scene order."""
    prompts: str = "{}"
    """Prompts users gave when regenerating, by scene index: later versions keep them."""
    updated_at: datetime = Field(default_factory=now)

    @property
    def story_event(self) -> StoryCompleted:
        return StoryCompleted.model_validate_json(self.story)

    @property
    def latest(self) -> list[SceneImage]:
        return _IMAGES.validate_json(self.images)

    @property
    def prompt_overrides(self) -> dict[int, str]:
        return {int(index): prompt for index, prompt in json.loads(self.prompts).items()}

    @classmethod
    def of(cls, story: StoryCompleted, images: list[SceneImage], prompts: dict[int, str]) -> "JobPictures":
        return cls(
            job_id=story.job_id,
            story=story.model_dump_json(),
            images=_IMAGES.dump_json(sorted(images, key=lambda image: image.scene_index)).decode(),
            prompts=json.dumps({str(index): prompt for index, prompt in prompts.items()}),
        )


TABLES = [JobPictures.__table__]  # type: ignore[attr-defined]


async def load_pictures(db: Database, job_id: UUID) -> JobPictures | None:
    async with db.sessions() as session:
        return await session.get(JobPictures, job_id)


async def save_pictures(session: AsyncSession, pictures: JobPictures) -> None:
    pictures.updated_at = now()
    await session.merge(pictures)
