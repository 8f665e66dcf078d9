"""The interface every storyboard writer offers, and the offline writer behind it."""

from typing import Protocol
from uuid import UUID

from libs.common.events import JobInput, RenderOptions, Storyboard
from services.story.offline_writer import write_storyboard


class StoryWriter(Protocol):
    """Writes a job's storyboard. Raises `InvalidInput` for a request it cannot tell, `ProviderError` when it fails."""

    async def write(self, source: JobInput, options: RenderOptions, job_id: UUID) -> Storyboard: ...


class OfflineWriter:
    """The hand-written material and the script splitter: no account, no network, the same story per job."""

    async def write(self, source: JobInput, options: RenderOptions, job_id: UUID) -> Storyboard:
        return write_storyboard(source, options, job_id)
