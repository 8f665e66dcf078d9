"""Signed download links to a job's files: presigned by S3, or signed by the gateway for the local media folder."""

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal
from uuid import UUID

from libs.common.errors import Conflict, InvalidInput
from libs.common.events import VideoOutput
from libs.common.runtime import Runtime
from libs.common.storage import ObjectStore, S3Store
from services.gateway.core import jobs, signed_urls
from services.gateway.core.security import Principal

FileName = Literal["video", "thumbnail", "srt", "vtt", "words", "preview"]


def object_key_of(output: VideoOutput, file: FileName) -> str:
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


@dataclass(frozen=True)
class Downloads:
    """What signing a link needs: the store, the gateway's signing key, and the address the client called."""

    runtime: Runtime
    store: ObjectStore
    signing_key: bytes
    base_url: str

    async def signed(
        self, user: Principal, job_id: UUID, file: FileName = "video", ttl_s: int | None = None
    ) -> signed_urls.SignedUrl:
        """A download URL for one of the user's finished job's files (another user's job is not found)."""
        job = await jobs.get_job(self.runtime, user, job_id)
        if job.output is None:
            raise Conflict(f"The video is not ready: the job is {job.status}", field="status")
        key = object_key_of(VideoOutput.model_validate_json(job.output), file)
        ttl = ttl_s or self.runtime.settings.signed_url_ttl_s
        if isinstance(self.store, S3Store):
            url = await self.store.presigned_get(key, ttl)
            return signed_urls.SignedUrl(url=url, expires_at=datetime.fromtimestamp(int(time.time()) + ttl, UTC))
        return signed_urls.local_url(self.base_url, self.signing_key, key, ttl)
