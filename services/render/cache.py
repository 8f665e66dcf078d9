"""Encoded segments kept in the object store between renders of one job, so a re-render reuses them.

They live under the job's prefix, so deleting the job deletes them with everything else. They are
video-only MP4 files, stored as `.m4v` so that the job's one `.mp4` stays its finished video.
"""

from pathlib import Path
from uuid import UUID

from libs.common.storage import ObjectStore, keys


class StoredSegments:
    """A `SegmentCache` over the object store, for one job."""

    def __init__(self, store: ObjectStore, job_id: UUID) -> None:
        self.store = store
        self.prefix = f"{keys.job_prefix(job_id)}render/segments/"

    async def fetch(self, key: str, path: Path) -> bool:
        object_key = f"{self.prefix}{key}.m4v"
        if not await self.store.exists(object_key):
            return False
        await self.store.download(object_key, path)
        return True

    async def keep(self, key: str, path: Path) -> None:
        await self.store.put_file(f"{self.prefix}{key}.m4v", path, "video/x-m4v")
