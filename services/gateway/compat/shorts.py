"""Seed 000, the shorts API, under `/compat/shorts/v1`.

Errors are FastAPI's own: `{"detail": "..."}`, and on a bad enum value the 422 `detail`
list naming the field and its allowed values. A video task and its image task are the
same job (`task_id` is the job id); an image id is `<task_id>_<scene index>`, so it always
leads back to its job and scene.

The document refreshes with the access token itself (`Authorization: Bearer`), while
Reelforge's auth rotates refresh tokens. So at login the gateway keeps the refresh token,
encrypted with a key derived from the access token it was issued with and found by that
token's hash: only the holder of the access token can refresh, the database alone
reveals nothing, and each refresh rotates both (the old access token cannot refresh again).
A session whose refresh token has expired is deleted when the next one is opened.
"""

import base64
import hashlib
from datetime import datetime, timedelta
from typing import Annotated
from uuid import UUID

from cryptography.fernet import Fernet, InvalidToken
from fastapi import Depends, FastAPI, Form, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel
from pydantic import Field as BodyField
from sqlalchemy import delete
from sqlmodel import Field, SQLModel, col

from libs.common.errors import InvalidInput, NotFound, Unauthorized
from libs.common.events import JobInput, RenderOptions, now
from libs.common.runtime import Runtime
from libs.common.vocabulary import ArtStyle, DurationPreset, Language, Topic, Voice
from services.gateway.compat.common import Failure, call_auth, dialect_app, iso_z, parse_job_id
from services.gateway.core import jobs, scenes
from services.gateway.core.security import Principal
from services.gateway.core.store import Job
from services.gateway.http.deps import CurrentUser, DownloadsDep, RuntimeDep, bearer

BAD_LOGIN = "Incorrect username or password"
BAD_TOKEN = "Could not validate credentials"


def shape(failure: Failure) -> Response:
    detail = failure.validation if failure.validation is not None else failure.message
    return JSONResponse({"detail": detail}, status_code=failure.status, headers=failure.headers)


# ---- sessions: refreshing with the access token ------------------------------------------


class ShortsSession(SQLModel, table=True):
    """A login through this dialect: its refresh token, sealed with a key only its access token gives."""

    __tablename__ = "compat_shorts_sessions"

    token_hash: str = Field(primary_key=True)
    sealed_refresh_token: str
    created_at: datetime = Field(default_factory=now)


TABLES = [ShortsSession.__table__]  # type: ignore[attr-defined]


def token_hash(access_token: str) -> str:
    return hashlib.sha256(f"shorts-session:{access_token}".encode()).hexdigest()


def sealer(access_token: str) -> Fernet:
    key = hashlib.sha256(f"shorts-refresh:{access_token}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


async def open_session(runtime: Runtime, pair: dict[str, str], replaces: str | None = None) -> None:
    """Keep the pair's refresh token for its access token, in place of the session of the access token it
    `replaces`; sessions older than a refresh token lives (`refresh_token_ttl_s`) can never refresh, and go."""
    sealed = sealer(pair["access_token"]).encrypt(pair["refresh_token"].encode()).decode()
    expired = now() - timedelta(seconds=runtime.settings.refresh_token_ttl_s)
    async with runtime.db.transaction() as session:
        await session.exec(delete(ShortsSession).where(col(ShortsSession.created_at) < expired))
        if replaces is not None:
            old = await session.get(ShortsSession, token_hash(replaces))
            if old is not None:
                await session.delete(old)
        session.add(ShortsSession(token_hash=token_hash(pair["access_token"]), sealed_refresh_token=sealed))


async def refresh_token_for(runtime: Runtime, access_token: str) -> str:
    async with runtime.db.sessions() as session:
        found = await session.get(ShortsSession, token_hash(access_token))
    if found is None:
        raise Unauthorized(BAD_TOKEN)
    try:
        return sealer(access_token).decrypt(found.sealed_refresh_token.encode()).decode()
    except InvalidToken:
        raise Unauthorized(BAD_TOKEN) from None


async def token_pair(request: Request, path: str, body: dict[str, str], refused: str) -> dict[str, str]:
    """Tokens from the auth service; a refusal of the credentials is worded as the document words it."""
    try:
        return await call_auth(request, "POST", path, body)
    except (Unauthorized, InvalidInput, NotFound) as error:
        raise Unauthorized(refused) from error


# ---- bodies ------------------------------------------------------------------------------


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"


class VideoRequest(BaseModel):
    story_topic: Topic
    art_style: ArtStyle
    duration: DurationPreset
    language: Language
    voice_name: Voice
    topic_text: str | None = BodyField(
        None,
        min_length=1,
        max_length=500,
        description="Reelforge's addition: the topic when story_topic is 'custom topic'.",
    )


class TaskCreated(BaseModel):
    task_id: str
    status: str


class Image(BaseModel):
    id: str
    status: str
    urls: list[str]
    subtitles: str
    created_at: str
    updated_at: str


class VideoTask(BaseModel):
    task_id: str
    status: str
    progress: float
    url: str | None
    story_title: str | None
    story_description: str | None
    story_text: str | None
    error_message: str | None
    images: list[Image]
    created_at: str
    updated_at: str


class ImageTask(BaseModel):
    task_id: str
    status: str
    created_at: str
    updated_at: str
    story_text: str | None
    images: list[Image]


class Regenerated(BaseModel):
    task_id: str
    status: str
    urls: list[str]
    created_at: str
    updated_at: str


# ---- mapping -----------------------------------------------------------------------------


def image_id(job_id: UUID, scene_index: int) -> str:
    return f"{job_id}_{scene_index}"


def parse_image_id(raw: str) -> tuple[UUID, int]:
    job, _, index = raw.rpartition("_")
    try:
        return UUID(job), int(index)
    except ValueError:
        raise NotFound("Image not found") from None


async def images_of(runtime: Runtime, user: Principal, job: Job) -> list[Image]:
    found = []
    for scene in await scenes.list_scenes(runtime, user, job.id):
        if scene.regenerating:
            status = "processing"
        elif scene.image is not None:
            status = "completed"
        else:
            status = "failed" if job.status in ("failed", "moderation_failed", "cancelled") else "pending"
        first = scene.images[0].created_at if scene.images else job.created_at
        last = scene.image.created_at if scene.image is not None else job.updated_at
        found.append(
            Image(
                id=image_id(job.id, scene.index),
                status=status,
                urls=[image.url for image in scene.images],
                subtitles=scene.subtitle,
                created_at=iso_z(first),
                updated_at=iso_z(last),
            )
        )
    return found


def video_task(job: Job, images: list[Image], url: str | None) -> VideoTask:
    return VideoTask(
        task_id=str(job.id),
        status=job.status,
        progress=job.progress,
        url=url,
        story_title=job.title,
        story_description=job.description,
        story_text=job.story_text,
        error_message=job.error,
        images=images,
        created_at=iso_z(job.created_at),
        updated_at=iso_z(job.updated_at),
    )


async def task_job(runtime: Runtime, user: Principal, task_id: str) -> Job:
    """The caller's job behind a task id; anything else is the document's "Task not found"."""
    try:
        return await jobs.get_job(runtime, user, parse_job_id(task_id))
    except NotFound:
        raise NotFound("Task not found") from None


def images_status(job: Job, images: list[Image]) -> str:
    """The image task's status: completed once every scene has its picture, else the job's."""
    if images and all(image.status == "completed" for image in images):
        return "completed"
    return job.status


def source_of(data: VideoRequest) -> JobInput:
    if data.story_topic == "custom topic" and not (data.topic_text or "").strip():
        raise RequestValidationError(
            [
                {
                    "type": "missing",
                    "loc": ("body", "topic_text"),
                    "msg": "Field required when story_topic is 'custom topic'",
                    "input": None,
                }
            ]
        )
    topic_text = data.topic_text if data.story_topic == "custom topic" else None
    return JobInput(topic=data.story_topic, topic_text=topic_text)


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


# ---- the application ---------------------------------------------------------------------


def create_app(gateway: FastAPI) -> FastAPI:
    app = dialect_app(gateway, "Reelforge: shorts API (seed 000)", shape=shape)

    @app.post("/auth/token")
    async def login(
        username: Annotated[str, Form()], password: Annotated[str, Form()], request: Request, runtime: RuntimeDep
    ) -> Token:
        """The OAuth2 password form (`username` may also be the email)."""
        pair = await token_pair(request, "/login", {"login": username, "password": password}, BAD_LOGIN)
        await open_session(runtime, pair)
        return Token(access_token=pair["access_token"])

    @app.post("/auth/refresh")
    async def refresh(credentials: Credentials, request: Request, runtime: RuntimeDep) -> Token:
        """A new access token for the one in `Authorization: Bearer`, which stops refreshing."""
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise Unauthorized(BAD_TOKEN)
        presented = credentials.credentials
        refresh_token = await refresh_token_for(runtime, presented)
        pair = await token_pair(request, "/refresh", {"refresh_token": refresh_token}, BAD_TOKEN)
        await open_session(runtime, pair, replaces=presented)
        return Token(access_token=pair["access_token"])

    @app.post("/video")
    async def create_video(data: VideoRequest, user: CurrentUser, runtime: RuntimeDep) -> TaskCreated:
        options = RenderOptions(
            art_style=data.art_style, duration=data.duration, language=data.language, voice=data.voice_name
        )
        job = await jobs.create_job(runtime, user, source_of(data), options)
        return TaskCreated(task_id=str(job.id), status=job.status)

    @app.get("/video/tasks/{task_id}")
    async def video_status(task_id: str, user: CurrentUser, runtime: RuntimeDep, downloads: DownloadsDep) -> VideoTask:
        """The task; once the video is ready, `url` downloads it without credentials until it expires."""
        job = await task_job(runtime, user, task_id)
        url = (await downloads.signed(user, job.id)).url if job.output else None
        return video_task(job, await images_of(runtime, user, job), url)

    @app.get("/images/tasks/{task_id}")
    async def image_status(task_id: str, user: CurrentUser, runtime: RuntimeDep) -> ImageTask:
        job = await task_job(runtime, user, task_id)
        images = await images_of(runtime, user, job)
        return ImageTask(
            task_id=str(job.id),
            status=images_status(job, images),
            created_at=iso_z(job.created_at),
            updated_at=iso_z(job.updated_at),
            story_text=job.story_text,
            images=images,
        )

    @app.post("/images/{image_id}")
    async def regenerate(image_id: str, user: CurrentUser, runtime: RuntimeDep) -> Regenerated:
        """A new version of one image; the video is rendered again with it."""
        job_id, index = parse_image_id(image_id)
        try:
            job = await jobs.get_job(runtime, user, job_id)
            asked = await scenes.regenerate_scene(runtime, user, job_id, index)
        except NotFound:
            raise NotFound("Image not found") from None
        image = next(image for image in await images_of(runtime, user, job) if image.id == image_id)
        return Regenerated(
            task_id=str(job.id),
            status="processing",
            urls=image.urls,
            created_at=image.created_at,
            updated_at=iso_z(asked.requested_at),
        )

    return app
