"""Object storage: a local folder by default, MinIO/S3 through the `minio` client when configured.

Keys are deterministic per job, scene and version (see `keys`), so writing the
same object twice after a redelivered event leaves one object, not two.
"""

import asyncio
import io
import os
import shutil
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path, PurePosixPath
from typing import Protocol
from uuid import UUID

from minio import Minio
from minio.error import S3Error

from libs.common.errors import NotFound
from libs.common.settings import StorageSettings

CHUNK = 256 * 1024


class keys:  # noqa: N801 - a namespace of key builders, read as `keys.video(job_id)`
    @staticmethod
    def job_prefix(job_id: UUID) -> str:
        """Everything stored for one job lives under this prefix (the slash keeps job ids from matching others)."""
        return f"jobs/{job_id}/"

    @staticmethod
    def storyboard(job_id: UUID) -> str:
        return f"{keys.job_prefix(job_id)}storyboard.json"

    @staticmethod
    def scene_image(job_id: UUID, scene_index: int, version: int) -> str:
        return f"{keys.job_prefix(job_id)}images/scene-{scene_index:03d}-v{version}.png"

    @staticmethod
    def narration(job_id: UUID, scene_index: int) -> str:
        return f"{keys.job_prefix(job_id)}audio/scene-{scene_index:03d}.wav"

    @staticmethod
    def narration_timing(job_id: UUID, scene_index: int) -> str:
        """The scene's duration and cues, written after its audio, so its presence means both are whole."""
        return f"{keys.job_prefix(job_id)}audio/scene-{scene_index:03d}.json"

    @staticmethod
    def output(job_id: UUID, name: str) -> str:
        return f"{keys.job_prefix(job_id)}output/{name}"


def _checked(key: str) -> str:
    parts = PurePosixPath(key).parts
    if not key or key.startswith("/") or ".." in parts:
        raise ValueError(f"invalid object key: {key!r}")
    return key


class ObjectStore(Protocol):
    async def put_file(self, key: str, path: Path, content_type: str) -> None: ...
    async def put_bytes(self, key: str, data: bytes, content_type: str) -> None: ...
    async def download(self, key: str, path: Path) -> None: ...
    async def get_bytes(self, key: str) -> bytes: ...
    async def size(self, key: str) -> int: ...
    async def exists(self, key: str) -> bool: ...
    def stream(self, key: str, start: int, end: int) -> AsyncIterator[bytes]: ...
    async def delete_prefix(self, prefix: str) -> None: ...
    async def ping(self) -> bool: ...


class LocalStore:
    """Objects as files under one folder; writes go through a temp file and an atomic rename."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root / _checked(key)

    async def put_file(self, key: str, path: Path, content_type: str) -> None:
        await asyncio.to_thread(self._atomic_copy, path, self._path(key))

    async def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(self._atomic_write, data, self._path(key))

    @staticmethod
    def _atomic_copy(source: Path, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
        shutil.copyfile(source, partial)
        os.replace(partial, target)

    @staticmethod
    def _atomic_write(data: bytes, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
        partial.write_bytes(data)
        os.replace(partial, target)

    async def download(self, key: str, path: Path) -> None:
        source = self._path(key)
        if not source.is_file():
            raise NotFound(f"object {key} does not exist")
        await asyncio.to_thread(shutil.copyfile, source, path)

    async def get_bytes(self, key: str) -> bytes:
        source = self._path(key)
        if not source.is_file():
            raise NotFound(f"object {key} does not exist")
        return await asyncio.to_thread(source.read_bytes)

    async def size(self, key: str) -> int:
        source = self._path(key)
        if not source.is_file():
            raise NotFound(f"object {key} does not exist")
        return source.stat().st_size

    async def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    async def stream(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        """Bytes `start..end` inclusive, in chunks."""
        with self._path(key).open("rb") as handle:
            handle.seek(start)
            remaining = end - start + 1
            while remaining > 0:
                chunk = await asyncio.to_thread(handle.read, min(CHUNK, remaining))
                if not chunk:
                    return
                remaining -= len(chunk)
                yield chunk

    async def delete_prefix(self, prefix: str) -> None:
        await asyncio.to_thread(shutil.rmtree, self._path(prefix), True)

    async def ping(self) -> bool:
        return self.root.is_dir()


class S3Store:
    """Objects in a MinIO/S3 bucket. The minio client is synchronous, so calls run in threads."""

    def __init__(self, client: Minio, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    @classmethod
    def from_settings(cls, settings: StorageSettings) -> "S3Store":
        client = Minio(
            settings.s3_endpoint,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key,
            secure=settings.s3_secure,
            region=settings.s3_region,
        )
        return cls(client, settings.s3_bucket)

    async def ensure_bucket(self) -> None:
        if not await asyncio.to_thread(self.client.bucket_exists, self.bucket):
            try:
                await asyncio.to_thread(self.client.make_bucket, self.bucket)
            except S3Error as error:
                if error.code not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                    raise

    async def put_file(self, key: str, path: Path, content_type: str) -> None:
        await asyncio.to_thread(self.client.fput_object, self.bucket, _checked(key), str(path), content_type)

    async def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(
            self.client.put_object, self.bucket, _checked(key), io.BytesIO(data), len(data), content_type
        )

    async def download(self, key: str, path: Path) -> None:
        try:
            await asyncio.to_thread(self.client.fget_object, self.bucket, _checked(key), str(path))
        except S3Error as error:
            raise _translated(error, key) from error

    async def get_bytes(self, key: str) -> bytes:
        def read() -> bytes:
            response = self.client.get_object(self.bucket, _checked(key))
            try:
                return response.read()
            finally:
                response.close()
                response.release_conn()

        try:
            return await asyncio.to_thread(read)
        except S3Error as error:
            raise _translated(error, key) from error

    async def size(self, key: str) -> int:
        try:
            stat = await asyncio.to_thread(self.client.stat_object, self.bucket, _checked(key))
        except S3Error as error:
            raise _translated(error, key) from error
        return int(stat.size or 0)

    async def exists(self, key: str) -> bool:
        try:
            await self.size(key)
        except NotFound:
            return False
        return True

    async def stream(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        response = await asyncio.to_thread(self.client.get_object, self.bucket, _checked(key), start, end - start + 1)
        try:
            while chunk := await asyncio.to_thread(response.read, CHUNK):
                yield chunk
        finally:
            response.close()
            response.release_conn()

    async def presigned_get(self, key: str, ttl_s: int) -> str:
        """A URL that downloads the object without credentials for `ttl_s` seconds (S3's own signature)."""
        return await asyncio.to_thread(
            self.client.presigned_get_object, self.bucket, _checked(key), expires=timedelta(seconds=ttl_s)
        )

    async def delete_prefix(self, prefix: str) -> None:
        def remove_all() -> None:
            for item in self.client.list_objects(self.bucket, prefix=_checked(prefix), recursive=True):
                self.client.remove_object(self.bucket, item.object_name)

        await asyncio.to_thread(remove_all)

    async def ping(self) -> bool:
        return await asyncio.to_thread(self.client.bucket_exists, self.bucket)


def _translated(error: S3Error, key: str) -> Exception:
    if error.code in {"NoSuchKey", "NoSuchObject", "NotFound"}:
        return NotFound(f"object {key} does not exist")
    return error


async def open_store(settings: StorageSettings) -> ObjectStore:
    """The configured store: S3 when an endpoint is set, else the local media folder."""
    if settings.s3_endpoint:
        store = S3Store.from_settings(settings)
        await store.ensure_bucket()
        return store
    return LocalStore(settings.media_dir or settings.var_dir / "media")
