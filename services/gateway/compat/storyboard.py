"""Seed 004, the storyboard video API, under `/compat/storyboard` (its paths keep `/api/v1/...` and `/ws/...`).

A job's `user_prompt` is the story's prompt, `max_shots` the number of scenes (shots),
`model_id` the picture model from `/api/v1/models`, `style_preferences` the picture
preferences (a `mood` among Reelforge's moods also sets the music's and story's mood),
and `file_id` an image from `/api/v1/upload` (image-to-video). Errors are
`{"error", "detail", "timestamp"}`; input the document calls a bad request is a 400.
"""

import asyncio
import contextlib
from typing import Annotated, Any, Literal

from fastapi import FastAPI, File, Query, Request, UploadFile, WebSocket, WebSocketDisconnect
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, ValidationError

from libs.common.errors import InvalidInput, NotFound, ReelforgeError, Unauthorized
from libs.common.events import JobInput, RenderOptions, Storyboard, VideoOutput, now
from libs.common.models import (
    BY_ID,
    DEFAULT_PICTURE_MODEL,
    PICTURE_MODEL_IDS,
    Capabilities,
    MemoryRequirements,
    ModelSpec,
    configured_providers,
)
from libs.common.pacing import SECONDS_PER_SCENE
from libs.common.runtime import Runtime
from libs.common.settings import ProviderSettings
from libs.common.vocabulary import MOODS
from services.gateway.compat.common import Failure, dialect_app, iso_z, parse_job_id
from services.gateway.core import jobs, progress_stream, quotas, scenes, uploads
from services.gateway.core.schemas import MIN_SECONDS, JobCreate
from services.gateway.core.security import Principal
from services.gateway.core.store import Job, JobEvent
from services.gateway.core.submission import submit_job
from services.gateway.http.deps import (
    ANONYMOUS,
    NOT_AUTHENTICATED,
    PageNumber,
    RuntimeDep,
    StoreDep,
    UserOrAnonymous,
    anonymous_allowed,
    identify,
)
from services.gateway.http.media import serve_object
from services.gateway.http.sockets import answer_pings

API_VERSION = "1.0.0"
STATUS = {
    "pending": "queued",
    "queued": "queued",
    "moderating": "processing",
    "awaiting_review": "processing",
    "processing": "processing",
    "completed": "completed",
    "moderation_failed": "failed",
    "failed": "failed",
    "cancelled": "cancelled",
}
StatusFilter = Literal["queued", "processing", "completed", "failed", "cancelled"]
# The document's fields, and the native fields they become (so errors name what the client sent).
NATIVE_NAMES = {"prompt": "user_prompt", "num_scenes": "max_shots", "upload_id": "file_id"}


def shape(failure: Failure) -> Response:
    detail = "; ".join(f"{item['field']}: {item['message']}" for item in failure.fields) or failure.message
    status = 400 if failure.status == 422 else failure.status
    body = {"error": failure.message, "detail": detail, "timestamp": iso_z(now())}
    return JSONResponse(body, status_code=status, headers=failure.headers)


# ---- bodies ------------------------------------------------------------------------


class JobRequest(BaseModel):
    user_prompt: str = Field(min_length=1, max_length=2000, description="What the video shows.")
    model_id: str | None = Field(None, description="A picture model from /api/v1/models; unset = the default.")
    max_shots: int | None = Field(
        None, ge=1, le=30, description="How many shots (scenes); unset lets the story decide."
    )
    style_preferences: dict[str, str] = Field(default_factory=dict, description="e.g. mood, color_palette.")
    file_id: str | None = Field(None, description="A reference image from POST /api/v1/upload (image-to-video).")


class Shot(BaseModel):
    id: str
    shot_number: int
    description: str
    narration: str
    subtitle: str
    image_url: str | None


class StoryboardView(BaseModel):
    id: str
    title: str
    description: str
    shots: list[Shot]


class JobView(BaseModel):
    id: str
    status: str
    created_at: str
    updated_at: str
    user_prompt: str | None
    generation_mode: Literal["text_to_video", "image_to_video"]
    model_id: str
    current_step: str
    progress_percentage: float
    output_video_url: str | None
    storyboard: StoryboardView | None
    error_message: str | None


class JobList(BaseModel):
    jobs: list[JobView]
    total: int
    page: int
    page_size: int


class Deleted(BaseModel):
    message: str


class UploadView(BaseModel):
    file_id: str
    filename: str | None
    file_path: str
    file_size_bytes: int
    uploaded_at: str


class KeyFlags(BaseModel):
    """The document's three flags, then the stock media libraries' (their models are picture models here too)."""

    anthropic: bool
    replicate: bool
    openai: bool
    pexels: bool
    pixabay: bool


class Health(BaseModel):
    status: str
    version: str
    timestamp: str
    api_keys_configured: KeyFlags
    models_available: int


class ModelView(BaseModel):
    id: str
    name: str
    description: str
    provider: str
    is_available: bool
    capabilities: Capabilities


class ModelInfo(ModelView):
    memory_requirements: MemoryRequirements


class ModelList(BaseModel):
    models: list[ModelView]
    total: int


# ---- mapping -----------------------------------------------------------------------


def video_url(job_id: object) -> str:
    return f"/compat/storyboard/api/v1/jobs/{job_id}/video"


def shot_id(scene_index: int) -> str:
    return f"shot_{scene_index + 1:03d}"


def current_step(job: Job) -> str:
    if job.status in ("pending", "queued"):
        return "initializing"
    if job.status == "completed":
        return "completed"
    return job.message


def storyboard_of(job: Job, images: dict[int, str]) -> StoryboardView | None:
    if job.storyboard is None:
        return None
    board = Storyboard.model_validate_json(job.storyboard)
    shots = [
        Shot(
            id=shot_id(scene.index),
            shot_number=scene.index + 1,
            description=scene.image_prompt,
            narration=scene.narration,
            subtitle=scene.subtitle,
            image_url=images.get(scene.index),
        )
        for scene in board.scenes
    ]
    return StoryboardView(id=f"storyboard_{job.id}", title=board.title, description=board.description, shots=shots)


def view(job: Job, images: dict[int, str] | None = None) -> JobView:
    source = JobInput.model_validate_json(job.source)
    options = RenderOptions.model_validate_json(job.options)
    return JobView(
        id=str(job.id),
        status=STATUS[job.status],
        created_at=iso_z(job.created_at),
        updated_at=iso_z(job.updated_at),
        user_prompt=source.prompt,
        generation_mode="image_to_video" if source.reference_image_key else "text_to_video",
        model_id=options.model_id or DEFAULT_PICTURE_MODEL,
        current_step=current_step(job),
        progress_percentage=float(job.progress),
        output_video_url=video_url(job.id) if job.output else None,
        storyboard=storyboard_of(job, images or {}),
        error_message=job.error,
    )


async def shot_images(runtime: Runtime, user: Principal, job: Job) -> dict[int, str]:
    """Each shot's newest picture, as a URL on the native API."""
    if job.storyboard is None:
        return {}
    found = await scenes.list_scenes(runtime, user, job.id)
    return {scene.index: scene.image.url for scene in found if scene.image is not None}


def shots_seconds(shots: int | None) -> int | str:
    """The video's length: each shot lasts about `SECONDS_PER_SCENE`, as a generated clip does (the document
    times a job by its shots); without `max_shots` the native default (short) applies."""
    if shots is None:
        return "short"
    return max(MIN_SECONDS, round(shots * SECONDS_PER_SCENE))


def job_create(data: JobRequest) -> JobCreate:
    """The native request for `data`; a value the core refuses is reported under the document's field name."""
    mood = data.style_preferences.get("mood")
    fields: dict[str, Any] = {
        "prompt": data.user_prompt,
        "model_id": data.model_id,
        "num_scenes": data.max_shots,
        "duration": shots_seconds(data.max_shots),
        "style_preferences": data.style_preferences,
        "mood": mood if mood in MOODS else None,
        "upload_id": data.file_id,
    }
    try:
        return JobCreate(**fields)
    except ValidationError as error:
        errors = []
        for item in error.errors():
            loc = [NATIVE_NAMES.get(str(part), part) for part in item["loc"]]
            errors.append({**item, "loc": ("body", *loc)})
        raise RequestValidationError(errors) from None


def model_view(model: ModelSpec, configured: frozenset[str]) -> dict[str, Any]:
    return {
        "id": model.id,
        "name": model.name,
        "description": model.description,
        "provider": model.provider,
        "is_available": model.is_available(configured),  # type: ignore[arg-type]
        "capabilities": model.capabilities,
    }


# ---- the WebSocket -------------------------------------------------------------------


def event_message(entry: JobEvent, job_id: str, newest_shot: str | None) -> dict[str, Any] | None:
    """The document's message for one history entry; None for entries it has no message for."""
    if entry.kind == "jobs.completed":
        return {
            "type": "job_complete",
            "job_id": job_id,
            "output_path": video_url(job_id),
            "message": "Video generation complete!",
        }
    if entry.kind in ("jobs.failed", "jobs.cancelled"):
        return {"type": "error", "job_id": job_id, "error": entry.message}
    step = "initializing" if entry.kind in ("jobs.created", "jobs.requested") else entry.message
    return {
        "type": "progress",
        "job_id": job_id,
        "step": step,
        "progress": float(entry.progress),
        "message": entry.message,
        "shot_id": newest_shot if entry.stage == "images" else None,
    }


async def socket_user(websocket: WebSocket, token: str | None) -> Principal:
    """The token's (or API key's) user; without one, the anonymous local user where that is allowed."""
    app = websocket.app
    user = await identify(app, token, websocket.headers.get("x-api-key"))
    if user is not None:
        return user
    if not anonymous_allowed(app.state.settings):
        raise Unauthorized(NOT_AUTHENTICATED)
    return ANONYMOUS


async def stream_job(websocket: WebSocket, user: Principal, job: Job) -> None:
    """Send the job's history and then its live progress; `shot_complete` as each shot's picture lands."""
    app, job_id = websocket.app, str(job.id)
    runtime = app.state.runtime
    sent_shots: set[int] = set()
    newest: str | None = None
    async for entry in progress_stream.follow(runtime, app.state.signals, job.id, 0):
        if entry.stage in ("images", "render") or entry.kind == "jobs.completed":
            for scene in await scenes.list_scenes(runtime, user, job.id):
                if scene.image is not None and scene.index not in sent_shots:
                    sent_shots.add(scene.index)
                    newest = shot_id(scene.index)
                    await websocket.send_json(
                        {"type": "shot_complete", "job_id": job_id, "shot_id": newest, "video_path": scene.image.url}
                    )
        message = event_message(entry, job_id, newest)
        if message is not None:
            await websocket.send_json(message)


# ---- the application ---------------------------------------------------------------------


def create_app(gateway: FastAPI) -> FastAPI:
    app = dialect_app(gateway, "Reelforge: storyboard video API (seed 004)", shape=shape)
    providers: ProviderSettings = gateway.state.settings

    def configured() -> frozenset[str]:
        return configured_providers(providers)

    @app.get("/api/v1/health")
    async def health() -> Health:
        keys = configured()
        return Health(
            status="healthy",
            version=API_VERSION,
            timestamp=iso_z(now()),
            api_keys_configured=KeyFlags(
                anthropic=False,
                replicate="replicate" in keys,
                openai="openai" in keys,
                pexels="pexels" in keys,
                pixabay="pixabay" in keys,
            ),
            models_available=sum(BY_ID[model].is_available(keys) for model in PICTURE_MODEL_IDS),  # type: ignore[arg-type]
        )

    @app.get("/api/v1/models")
    async def list_models(available_only: bool = False) -> ModelList:
        """The models a job's `model_id` may name (they paint or animate the shots)."""
        keys = configured()
        found = [model_view(BY_ID[model], keys) for model in PICTURE_MODEL_IDS]
        if available_only:
            found = [model for model in found if model["is_available"]]
        return ModelList(models=[ModelView(**model) for model in found], total=len(found))

    @app.get("/api/v1/models/{model_id}")
    async def model_info(model_id: str) -> ModelInfo:
        model = BY_ID.get(model_id)
        if model is None or model_id not in PICTURE_MODEL_IDS:
            raise NotFound(f"Model {model_id} not found; see /api/v1/models")
        return ModelInfo(**model_view(model, configured()), memory_requirements=model.memory)

    @app.post("/api/v1/jobs", status_code=201)
    async def create_job(data: JobRequest, user: UserOrAnonymous, runtime: RuntimeDep) -> JobView:
        job = await submit_job(runtime, user, job_create(data))
        return view(job)

    @app.get("/api/v1/jobs")
    async def list_jobs(
        user: UserOrAnonymous,
        runtime: RuntimeDep,
        page: PageNumber = 1,
        page_size: Annotated[int, Query(ge=1, le=100)] = 20,
        status: StatusFilter | None = None,
    ) -> JobList:
        rows, total = await jobs.list_jobs(runtime, user, page, page_size, status)
        found = [view(job, await shot_images(runtime, user, job)) for job in rows]
        return JobList(jobs=found, total=total, page=page, page_size=page_size)

    @app.get("/api/v1/jobs/{job_id}")
    async def get_job(job_id: str, user: UserOrAnonymous, runtime: RuntimeDep) -> JobView:
        job = await jobs.get_job(runtime, user, parse_job_id(job_id))
        return view(job, await shot_images(runtime, user, job))

    @app.delete("/api/v1/jobs/{job_id}")
    async def delete_job(job_id: str, user: UserOrAnonymous, runtime: RuntimeDep) -> Deleted:
        await jobs.delete_job(runtime, user, parse_job_id(job_id))
        return Deleted(message=f"Job {job_id} deleted successfully")

    @app.get("/api/v1/jobs/{job_id}/video", response_class=Response, responses={200: {"content": {"video/mp4": {}}}})
    async def download_video(
        job_id: str, request: Request, user: UserOrAnonymous, runtime: RuntimeDep, store: StoreDep
    ) -> Response:
        job = await jobs.get_job(runtime, user, parse_job_id(job_id))
        if job.output is None:
            raise InvalidInput(f"Video not ready: the job is {STATUS[job.status]}", field="status")
        output = VideoOutput.model_validate_json(job.output)
        return await serve_object(request, store, output.video_key, "video/mp4", f"{job.id}.mp4")

    @app.post("/api/v1/upload")
    async def upload(file: Annotated[UploadFile, File()], user: UserOrAnonymous, runtime: RuntimeDep) -> UploadView:
        """A JPG, JPEG, PNG or WEBP reference image up to 10 MB, checked by its content."""
        saved = await quotas.store_upload(runtime, user, await uploads.read_limited(file), file.filename)
        return UploadView(
            file_id=str(saved.id),
            filename=saved.filename,
            file_path=saved.key,
            file_size_bytes=saved.size_bytes,
            uploaded_at=iso_z(saved.created_at),
        )

    @app.websocket("/ws/jobs/{job_id}")
    async def job_socket(websocket: WebSocket, job_id: str, token: str | None = None) -> None:
        """`connected`, then `progress`, `shot_complete`, and `job_complete` or `error`; `ping` is answered."""
        await websocket.accept()
        try:
            user = await socket_user(websocket, token)
            job = await jobs.get_job(websocket.app.state.runtime, user, parse_job_id(job_id))
        except ReelforgeError as error:
            await websocket.send_json({"type": "error", "job_id": job_id, "error": error.message})
            await websocket.close(code=4401 if isinstance(error, Unauthorized) else 4404)
            return
        await websocket.send_json({"type": "connected", "job_id": job_id, "message": f"Connected to job {job_id}"})
        streaming = asyncio.create_task(stream_job(websocket, user, job))
        pings = asyncio.create_task(answer_pings(websocket))
        try:
            # The pings task ends when the client goes away: then the stream stops too.
            done, _ = await asyncio.wait({streaming, pings}, return_when=asyncio.FIRST_COMPLETED)
            if streaming in done and streaming.exception() is None:
                await websocket.close(code=1000)
        except (WebSocketDisconnect, RuntimeError):
            return
        finally:
            for task in (streaming, pings):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
                    await task

    return app
