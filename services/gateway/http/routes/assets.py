"""A finished job's files under /api/v1, all streamed with HTTP Range: thumbnail, captions, storyboard, preview."""

from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from libs.common.errors import Conflict, NotFound
from libs.common.events import VideoOutput
from libs.common.runtime import Runtime
from libs.common.storage import keys
from services.gateway.core import jobs
from services.gateway.core.security import Principal
from services.gateway.http.deps import CurrentUser, RuntimeDep, StoreDep
from services.gateway.http.media import serve_object

router = APIRouter(prefix="/jobs/{job_id}", tags=["assets"])
CAPTION_TYPES = {"srt": "application/x-subrip", "vtt": "text/vtt", "json": "application/json"}


async def _output(runtime: Runtime, user: Principal, job_id: UUID) -> VideoOutput:
    job = await jobs.get_job(runtime, user, job_id)
    if job.output is None:
        raise Conflict(f"The job's files are not ready: the job is {job.status}", field="status")
    return VideoOutput.model_validate_json(job.output)


@router.get("/thumbnail", response_class=Response, responses={200: {"content": {"image/jpeg": {}}}})
async def thumbnail(
    job_id: UUID, request: Request, user: CurrentUser, runtime: RuntimeDep, store: StoreDep
) -> Response:
    output = await _output(runtime, user, job_id)
    return await serve_object(request, store, output.thumbnail_key, "image/jpeg")


@router.get(
    "/captions.{kind}",
    response_class=Response,
    responses={200: {"content": {media_type: {} for media_type in CAPTION_TYPES.values()}}, 404: {}},
)
async def captions(
    job_id: UUID,
    kind: Literal["srt", "vtt", "json"],
    request: Request,
    user: CurrentUser,
    runtime: RuntimeDep,
    store: StoreDep,
) -> Response:
    """The subtitles as SubRip (`captions.srt`), WebVTT (`captions.vtt`), or every word's time as JSON
    (`captions.json`: `{"cues": [{"start_s", "end_s", "text", "words": [{"start_s", "end_s", "text"}]}]}`)."""
    output = await _output(runtime, user, job_id)
    key = {"srt": output.srt_key, "vtt": output.vtt_key, "json": output.words_key}[kind]
    if key is None:
        raise NotFound("This video was rendered before word timings were kept: regenerate a scene to render it again")
    return await serve_object(request, store, key, CAPTION_TYPES[kind], f"reelforge-{job_id}.{kind}")


@router.get("/storyboard", response_class=Response, responses={200: {"content": {"application/json": {}}}})
async def storyboard(
    job_id: UUID, request: Request, user: CurrentUser, runtime: RuntimeDep, store: StoreDep
) -> Response:
    """The storyboard as JSON: title, description, text and the scenes (ready once the story is written)."""
    job = await jobs.get_job(runtime, user, job_id)
    if await store.exists(keys.storyboard(job_id)):
        return await serve_object(request, store, keys.storyboard(job_id), "application/json")
    if job.storyboard is None:
        raise Conflict(f"The storyboard is not written yet: the job is {job.status}", field="status")
    return Response(job.storyboard, media_type="application/json")


@router.get("/preview", response_class=Response, responses={200: {"content": {"video/mp4": {}}}})
async def preview(job_id: UUID, request: Request, user: CurrentUser, runtime: RuntimeDep, store: StoreDep) -> Response:
    """The low-resolution draft, for jobs created with `preview: true`."""
    output = await _output(runtime, user, job_id)
    if output.preview_key is None:
        raise NotFound("This job has no preview: ask for one with preview: true")
    return await serve_object(request, store, output.preview_key, "video/mp4", f"reelforge-{job_id}-preview.mp4")
