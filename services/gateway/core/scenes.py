"""Scenes of a job and regenerating one scene's image: the core the scene routes of every dialect adapt.

A regeneration is staged as `images.regenerate.requested` through the outbox; imaging
paints the next version of that scene (reported as `scene.image.completed`) and render
makes the video again, announced as a later `jobs.completed` with a higher
`VideoOutput.version`, which the projection accepts on a job that is already completed.
"""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from libs.common.errors import Conflict, NotFound
from libs.common.events import (
    AudioCompleted,
    Event,
    ImageRegenerationRequested,
    JobCompleted,
    Scene,
    SceneImageCompleted,
    Storyboard,
    VideoOutput,
    now,
)
from libs.common.outbox import stage_event
from libs.common.runtime import Runtime
from services.gateway.core import jobs
from services.gateway.core.lifecycle import record
from services.gateway.core.scene_store import SceneImageVersion, SceneRegeneration, SceneTiming
from services.gateway.core.security import Principal
from services.gateway.core.store import Job, JobEvent


class ImageVersion(BaseModel):
    version: int
    kind: str
    url: str
    source: str
    """Where the picture came from: `pexels`, `pixabay` (stock media), `procedural`, `openai`, `replicate`…"""
    credit: str | None
    """The attribution a stock library asks for (`Video by … on Pexels: <page>`); None for generated pictures."""
    created_at: datetime


class SceneView(BaseModel):
    index: int
    narration: str
    subtitle: str
    image_prompt: str
    subjects: list[str]
    """What the picture shows, as English nouns, main subject first."""
    search_query: str
    """A short English stock-media query for the scene ('' when the story named none)."""
    mood: str | None
    start_s: float | None
    duration_s: float | None
    image: ImageVersion | None
    images: list[ImageVersion]
    regenerating: bool


class Regeneration(BaseModel):
    job_id: UUID
    scene_index: int
    prompt: str | None
    event_id: UUID
    requested_at: datetime


def image_url(job_id: UUID, scene_index: int, version: int) -> str:
    return f"/api/v1/jobs/{job_id}/scenes/{scene_index}/image?version={version}"


async def list_scenes(runtime: Runtime, user: Principal, job_id: UUID) -> list[SceneView]:
    """The job's scenes in order with their image versions and timing; empty until the story is written."""
    job = await jobs.get_job(runtime, user, job_id)
    if job.storyboard is None:
        return []
    board = Storyboard.model_validate_json(job.storyboard)
    async with runtime.db.sessions() as session:
        versions = (
            await session.exec(
                select(SceneImageVersion)
                .where(SceneImageVersion.job_id == job_id)
                .order_by(col(SceneImageVersion.scene_index), col(SceneImageVersion.version))
            )
        ).all()
        timings = (await session.exec(select(SceneTiming).where(SceneTiming.job_id == job_id))).all()
        requests = (
            await session.exec(
                select(SceneRegeneration).where(SceneRegeneration.job_id == job_id).order_by(col(SceneRegeneration.id))
            )
        ).all()
    durations = {timing.scene_index: timing.duration_s for timing in timings}
    latest_request = {request.scene_index: request for request in requests}
    starts = _starts(board.scenes, durations)
    views = []
    for scene in board.scenes:
        images = [
            ImageVersion(
                version=row.version,
                kind=row.kind,
                url=image_url(job_id, scene.index, row.version),
                source=row.source,
                credit=row.credit,
                created_at=row.created_at,
            )
            for row in versions
            if row.scene_index == scene.index
        ]
        request = latest_request.get(scene.index)
        newest = images[-1] if images else None
        views.append(
            SceneView(
                index=scene.index,
                narration=scene.narration,
                subtitle=scene.subtitle,
                image_prompt=(request.prompt if request and request.prompt else scene.image_prompt),
                subjects=scene.subjects,
                search_query=scene.search_query,
                mood=scene.mood,
                start_s=starts.get(scene.index),
                duration_s=durations.get(scene.index),
                image=newest,
                images=images,
                regenerating=request is not None and (newest.version if newest else 0) <= request.base_version,
            )
        )
    return views


async def scene_image(runtime: Runtime, user: Principal, job_id: UUID, index: int, version: int | None) -> str:
    """The object key of one version of a scene's image (the newest when `version` is None)."""
    await jobs.get_job(runtime, user, job_id)
    query = select(SceneImageVersion).where(SceneImageVersion.job_id == job_id, SceneImageVersion.scene_index == index)
    if version is not None:
        query = query.where(SceneImageVersion.version == version)
    async with runtime.db.sessions() as session:
        row = (await session.exec(query.order_by(col(SceneImageVersion.version).desc()))).first()
    if row is None:
        raise NotFound(f"Scene {index} has no image" + (f" version {version}" if version is not None else ""))
    return row.key


async def regenerate_scene(
    runtime: Runtime, user: Principal, job_id: UUID, index: int, prompt: str | None = None
) -> Regeneration:
    """Ask for a new version of one scene's image (optionally from a new prompt); the video is rendered again."""
    job = await jobs.get_job(runtime, user, job_id)
    if job.status != "completed" or job.storyboard is None:
        raise Conflict(f"Images can be regenerated once the job is completed; it is {job.status}", field="status")
    count = len(Storyboard.model_validate_json(job.storyboard).scenes)
    if not 0 <= index < count:
        raise NotFound(f"Scene {index} not found: the job has {count} scenes, numbered 0 to {count - 1}")
    wanted = (prompt or "").strip() or None
    event = ImageRegenerationRequested(job_id=job.id, user_id=job.user_id, scene_index=index, prompt=wanted)
    async with runtime.db.transaction() as session:
        newest = (
            await session.exec(
                select(SceneImageVersion.version)
                .where(SceneImageVersion.job_id == job.id, SceneImageVersion.scene_index == index)
                .order_by(col(SceneImageVersion.version).desc())
            )
        ).first()
        request = SceneRegeneration(
            job_id=job.id, scene_index=index, prompt=wanted, base_version=newest or 0, event_id=event.event_id
        )
        session.add(request)
        stage_event(session, event)
    runtime.wake_relay()
    return Regeneration(
        job_id=job.id, scene_index=index, prompt=wanted, event_id=event.event_id, requested_at=request.requested_at
    )


async def project_scene_event(session: AsyncSession, job: Job, event: Event) -> JobEvent | None:
    """Record what the scenes view needs from `event`, inside the projection's transaction.

    Returns a history entry when a re-rendered video replaced the job's output.
    """
    if isinstance(event, SceneImageCompleted):
        image = event.image
        if await session.get(SceneImageVersion, (job.id, image.scene_index, image.version)) is None:
            session.add(
                SceneImageVersion(
                    job_id=job.id,
                    scene_index=image.scene_index,
                    version=image.version,
                    key=image.key,
                    kind=image.kind,
                    source=image.source,
                    credit=image.credit,
                )
            )
    elif isinstance(event, AudioCompleted):
        for narration in event.narrations:
            timing = await session.get(SceneTiming, (job.id, narration.scene_index))
            if timing is None:
                session.add(
                    SceneTiming(job_id=job.id, scene_index=narration.scene_index, duration_s=narration.duration_s)
                )
    elif isinstance(event, JobCompleted):
        return rerendered(job, event)
    return None


def rerendered(job: Job, event: JobCompleted) -> JobEvent | None:
    """Accept a newer render of a completed job (after a regenerated image); older or equal versions change nothing."""
    if job.status != "completed" or job.output is None:
        return None
    if event.output.version <= VideoOutput.model_validate_json(job.output).version:
        return None
    job.output = event.output.model_dump_json()
    job.message = f"Video ready (version {event.output.version})"
    job.completed_at = now()
    return record(job, event.type)


def _starts(scenes: list[Scene], durations: dict[int, float]) -> dict[int, float]:
    """Each scene's start in the video, once every scene's narration length is known."""
    if any(scene.index not in durations for scene in scenes):
        return {}
    starts, clock = {}, 0.0
    for scene in sorted(scenes, key=lambda scene: scene.index):
        starts[scene.index] = round(clock, 3)
        clock += durations[scene.index]
    return starts
