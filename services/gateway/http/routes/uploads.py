"""Uploads under /api/v1: reference images (JPG, JPEG, PNG or WEBP up to 10 MB), checked by content."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel

from services.gateway.core import quotas, uploads
from services.gateway.core.uploads import Upload
from services.gateway.http.deps import CurrentUser, RuntimeDep, StoreDep
from services.gateway.http.media import serve_object

router = APIRouter(prefix="/uploads", tags=["uploads"])


class UploadPublic(BaseModel):
    id: UUID
    filename: str | None
    content_type: str
    size_bytes: int
    width: int
    height: int
    url: str
    created_at: datetime

    @classmethod
    def of(cls, upload: Upload) -> "UploadPublic":
        return cls(
            id=upload.id,
            filename=upload.filename,
            content_type=upload.content_type,
            size_bytes=upload.size_bytes,
            width=upload.width,
            height=upload.height,
            url=f"/api/v1/uploads/{upload.id}/content",
            created_at=upload.created_at,
        )


@router.post("", status_code=201, responses={413: {"description": "Larger than 10 MB"}})
async def upload_image(
    file: Annotated[UploadFile, File(description="A JPG, JPEG, PNG or WEBP image of at most 10 MB.")],
    user: CurrentUser,
    runtime: RuntimeDep,
) -> UploadPublic:
    """Store a reference image; use its `id` as `upload_id` in POST /jobs. The same image again gives the same id."""
    data = await uploads.read_limited(file)
    return UploadPublic.of(await quotas.store_upload(runtime, user, data, file.filename))


@router.get("/{upload_id}")
async def get_upload(upload_id: UUID, user: CurrentUser, runtime: RuntimeDep) -> UploadPublic:
    return UploadPublic.of(await uploads.get_upload(runtime, user, upload_id))


@router.get("/{upload_id}/content", response_class=Response, responses={200: {"content": {"image/*": {}}}})
async def upload_content(
    upload_id: UUID, request: Request, user: CurrentUser, runtime: RuntimeDep, store: StoreDep
) -> Response:
    upload = await uploads.get_upload(runtime, user, upload_id)
    return await serve_object(request, store, upload.key, upload.content_type)
