"""Signed download URLs: ask for one with credentials, then fetch the file with none until it expires."""

import mimetypes
from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from libs.common.errors import Forbidden
from services.gateway.core import signed_urls
from services.gateway.core.downloads import FileName
from services.gateway.http.deps import CurrentUser, DownloadsDep, StoreDep, UrlSigningKeyDep
from services.gateway.http.media import serve_object

router = APIRouter(tags=["files"])

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


@router.post("/jobs/{job_id}/signed-url")
async def create_signed_url(
    job_id: UUID,
    user: CurrentUser,
    downloads: DownloadsDep,
    data: SignedUrlRequest | None = None,
) -> SignedUrlPublic:
    """A URL that downloads the job's video (or `file`) without credentials until `expires_at`."""
    wanted = data or SignedUrlRequest()
    signed = await downloads.signed(user, job_id, wanted.file, wanted.expires_in)
    return SignedUrlPublic(url=signed.url, expires_at=signed.expires_at)


@router.get(
    "/files/{object_key:path}",
    response_class=Response,
    responses={403: {"description": "The link is expired or was altered"}},
)
async def signed_file(
    object_key: str,
    request: Request,
    store: StoreDep,
    signing_key: UrlSigningKeyDep,
    expires: str = "",
    signature: str = "",
) -> Response:
    """A file from a signed URL (local media folder); honours `Range`. No credentials: the signature is the proof."""
    if not expires.isdigit() or not signature:
        raise Forbidden("This download link is not valid")
    signed_urls.check(signing_key, object_key, int(expires), signature)
    suffix = "." + object_key.rsplit(".", 1)[-1] if "." in object_key else ""
    media_type = MEDIA_TYPES.get(suffix) or mimetypes.guess_type(object_key)[0] or "application/octet-stream"
    return await serve_object(request, store, object_key, media_type, object_key.rsplit("/", 1)[-1])
