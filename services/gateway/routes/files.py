"""Signed download URLs: ask for one with credentials, then fetch the file with none until it expires."""

import mimetypes
import time
from datetime import UTC, datetime
from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from libs.common.errors import Conflict, Forbidden, InvalidInput
from libs.common.events import VideoOutput
from libs.common.runtime import Runtime
from libs.common.storage import ObjectStore, S3Store
from services.gateway import jobs, signed_urls
from services.gateway.deps import CurrentUser, RuntimeDep, StoreDep
from services.gateway.media import serve_object
from services.gateway.security import Principal

router = APIRouter(tags=["files"])

FileName = Literal["video", "thumbnail", "srt", "vtt", "words", "preview"]
MEDIA_TYPES = {
    ".mp4": "video/mp4",
    ".srt": "application/x-subrip",
    ".vtt": "text/vtt",
    ".json": "application/json",
    ".jpg": "image/jpeg",
}


class SignedUrlRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    file: FileName = Field("video", description="Which of the job's files the URL downloads.")
    expires_in: int | None = Field(
        None, ge=1, le=7 * 24 * 3600, description="Seconds the URL works; default REELFORGE_SIGNED_URL_TTL_S."
    )


class SignedUrlPublic(BaseModel):
    url: str
    expires_at: datetime


def _object_key(output: VideoOutput, file: FileName) -> str:
    chosen = {
        "video": output.video_key,
        "thumbnail": output.thumbnail_key,
        "srt": output.srt_key,
        "vtt": output.vtt_key,
        "words": output.words_key,
        "preview": output.preview_key,
    }[file]
    if chosen is None:
        raise InvalidInput(f"file: this job has no {file} file; ask for video, thumbnail, srt or vtt", field="file")
    return chosen


async def signed_download(
    request: Request,
    runtime: Runtime,
    store: ObjectStore,
    user: Principal,
    job_id: UUID,
    file: FileName = "video",
    ttl_s: int | None = None,
) -> signed_urls.SignedUrl:
    """A download URL for one of the user's finished job's files (another user's job is not found)."""
    job = await jobs.get_job(runtime, user, job_id)
    if job.output is None:
        raise Conflict(f"The video is not ready: the job is {job.status}", field="status")
    key = _object_key(VideoOutput.model_validate_json(job.output), file)
    ttl = ttl_s or runtime.settings.signed_url_ttl_s
    if isinstance(store, S3Store):
        url = await store.presigned_get(key, ttl)
        return signed_urls.SignedUrl(url=url, expires_at=datetime.fromtimestamp(int(time.time()) + ttl, UTC))
    return signed_urls.local_url(str(request.base_url), request.app.state.url_signing_key, key, ttl)


@router.post("/jobs/{job_id}/signed-url")
async def create_signed_url(
    job_id: UUID,
    request: Request,
    user: CurrentUser,
    runtime: RuntimeDep,
    store: StoreDep,
    data: SignedUrlRequest | None = None,
) -> SignedUrlPublic:
    """A URL that downloads the job's video (or `file`) without credentials until `expires_at`."""
    wanted = data or SignedUrlRequest()
    signed = await signed_download(request, runtime, store, user, job_id, wanted.file, wanted.expires_in)
    return SignedUrlPublic(url=signed.url, expires_at=signed.expires_at)


@router.get(
    "/files/{object_key:path}",
    response_class=Response,
    responses={403: {"description": "The link is expired or was altered"}},
)
async def signed_file(
    object_key: str, request: Request, store: StoreDep, expires: str = "", signature: str = ""
) -> Response:
    """A file from a signed URL (local media folder); honours `Range`. No credentials: the signature is the proof."""
    if not expires.isdigit() or not signature:
        raise Forbidden("This download link is not valid")
    signed_urls.check(request.app.state.url_signing_key, object_key, int(expires), signature)
    suffix = "." + object_key.rsplit(".", 1)[-1] if "." in object_key else ""
    media_type = MEDIA_TYPES.get(suffix) or mimetypes.guess_type(object_key)[0] or "application/octet-stream"
    return await serve_object(request, store, object_key, media_type, object_key.rsplit("/", 1)[-1])
