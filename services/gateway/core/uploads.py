"""Reference images users upload for image-to-video jobs: checked by content, kept in the object store.

The file's name and declared type are ignored: Pillow must open and verify the bytes
as a JPEG, PNG or WEBP image, so a `.png` that is really text is refused. The upload's
id and key are derived from the user and the bytes, so sending the same picture twice
gives the same upload (and one stored object), never a second copy.
"""

import asyncio
import hashlib
import io
import warnings
from datetime import datetime
from typing import Protocol
from uuid import UUID, uuid5

from PIL import Image, UnidentifiedImageError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel

from libs.common.errors import InvalidInput, NotFound, TooLarge
from libs.common.events import now
from libs.common.runtime import Runtime
from services.gateway.core.security import Principal

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 50_000_000
READ_CHUNK = 1024 * 1024
FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
ALLOWED = "JPG, JPEG, PNG or WEBP"
NAMESPACE = UUID("6d1f3d1e-8a53-4c4e-9d2c-2b8f0f1c7a11")


class Upload(SQLModel, table=True):
    __tablename__ = "uploads"

    id: UUID = Field(primary_key=True)
    user_id: str = Field(index=True)
    key: str
    filename: str | None = None
    content_type: str
    size_bytes: int
    width: int
    height: int
    created_at: datetime = Field(default_factory=now)


TABLES = [Upload.__table__]  # type: ignore[attr-defined]


class ReadableFile(Protocol):
    """What an upload is read from: FastAPI's UploadFile, without this module knowing HTTP."""

    async def read(self, size: int = -1) -> bytes: ...


def upload_key(upload_id: UUID, extension: str) -> str:
    return f"uploads/{upload_id}/reference.{extension}"


async def read_limited(file: ReadableFile, field: str = "file") -> bytes:
    """The uploaded bytes, refusing (413) as soon as they pass MAX_BYTES, without reading the rest."""
    data = bytearray()
    while chunk := await file.read(READ_CHUNK):
        data.extend(chunk)
        if len(data) > MAX_BYTES:
            raise TooLarge(f"{field} is larger than the limit of 10 MB ({MAX_BYTES} bytes)", field=field)
    return bytes(data)


def inspect_image(data: bytes, field: str = "file") -> tuple[str, int, int]:
    """The image's format name, width and height; InvalidInput unless it is a whole JPEG, PNG or WEBP."""
    if not data:
        raise InvalidInput(f"{field} is empty: send a {ALLOWED} image", field=field)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind, (width, height) = image.format, image.size
                if kind not in FORMATS:
                    raise InvalidInput(
                        f"{field} is a {kind} image; allowed types are {ALLOWED} (checked by content)", field=field
                    )
                if width * height > MAX_PIXELS:
                    raise InvalidInput(f"{field} has {width}x{height} pixels; at most {MAX_PIXELS:,}", field=field)
                image.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError, Warning):
        raise InvalidInput(
            f"{field} is not a readable {ALLOWED} image (the content is checked, not the name)", field=field
        ) from None
    return kind, width, height


async def save_upload(runtime: Runtime, user: Principal, data: bytes, filename: str | None = None) -> Upload:
    """Check `data` and store it; the same user sending the same bytes again gets the same upload back."""
    if len(data) > MAX_BYTES:
        raise TooLarge(f"file is larger than the limit of 10 MB ({MAX_BYTES} bytes)", field="file")
    kind, width, height = await asyncio.to_thread(inspect_image, data)
    content_type, extension = FORMATS[kind]
    upload_id = uuid5(NAMESPACE, f"{user.user_id}:{hashlib.sha256(data).hexdigest()}")
    key = upload_key(upload_id, extension)
    assert runtime.store is not None
    await runtime.store.put_bytes(key, data, content_type)
    existing = await _stored(runtime, upload_id)
    if existing is not None:
        return existing
    upload = Upload(
        id=upload_id,
        user_id=user.user_id,
        key=key,
        filename=(filename or "")[:255] or None,
        content_type=content_type,
        size_bytes=len(data),
        width=width,
        height=height,
    )
    try:
        async with runtime.db.transaction() as session:
            session.add(upload)
    except IntegrityError:  # the same bytes sent twice at once: the other request stored it
        return await _stored(runtime, upload_id) or upload
    return upload


async def _stored(runtime: Runtime, upload_id: UUID) -> Upload | None:
    async with runtime.db.sessions() as session:
        return await session.get(Upload, upload_id)


async def get_upload(runtime: Runtime, user: Principal, upload_id: UUID | str) -> Upload:
    """The user's upload; NotFound when it is missing, malformed or someone else's."""
    try:
        wanted = upload_id if isinstance(upload_id, UUID) else UUID(str(upload_id))
    except ValueError:
        raise NotFound("Upload not found") from None
    async with runtime.db.sessions() as session:
        upload = await session.get(Upload, wanted)
    if upload is None or upload.user_id != user.user_id:
        raise NotFound("Upload not found")
    return upload
