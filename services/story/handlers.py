"""Story stage: judge the request, then turn it into a storyboard."""

import logging

from libs.common.events import JobFailed, JobProgress, JobRequested, Moderation, StoryCompleted, overall_progress
from libs.common.runtime import Runtime
from libs.common.storage import keys
from services.story.moderation import moderate_request, rejection_reason
from services.story.providers import StoryProviders

log = logging.getLogger(__name__)

CONSUMER = "story"


async def write_story(event: JobRequested, runtime: Runtime, providers: StoryProviders) -> None:
    await runtime.emit(
        JobProgress.after(
            event,
            status="moderating",
            stage="story",
            progress=overall_progress("story", 0.1),
            message="Checking the request",
        )
    )
    verdict = await moderate_request(event.input, providers.moderator)
    if verdict.status == "rejected":
        await reject(event, verdict, runtime)
        return
    await runtime.emit(
        JobProgress.after(
            event,
            stage="story",
            progress=overall_progress("story", 0.2),
            message="Request approved; writing the story",
            moderation=verdict,
        )
    )
    storyboard = await providers.writer.write(event.input, event.options, event.job_id)
    for warning in storyboard.warnings:  # on the job for the native API; the dialects have no such field
        log.warning("job %s: %s", event.job_id, warning)
    storyboard_key = keys.storyboard(event.job_id)
    assert runtime.store is not None
    await runtime.store.put_bytes(storyboard_key, storyboard.model_dump_json(indent=2).encode(), "application/json")
    async with runtime.finish(CONSUMER, event) as out:
        out.emit(
            JobProgress.after(
                event,
                stage="story",
                progress=overall_progress("story", 1.0),
                message=f"Story written: {len(storyboard.scenes)} scenes",
                storyboard=storyboard,
            ),
            StoryCompleted.after(
                event,
                storyboard=storyboard,
                storyboard_key=storyboard_key,
                options=event.options,
                cost=providers.cost_of(event.input),
                reference_image_key=event.input.reference_image_key,
            ),
        )


async def reject(event: JobRequested, verdict: Moderation, runtime: Runtime) -> None:
    """End the job as moderated: an outcome the user reads, not a failure, so nothing is dead-lettered."""
    reason = rejection_reason(verdict)
    async with runtime.finish(CONSUMER, event) as out:
        out.emit(
            JobProgress.after(
                event,
                status="moderating",
                stage="story",
                progress=overall_progress("story", 0.2),
                message=reason,
                moderation=verdict,
            ),
            JobFailed.after(event, stage="story", reason=reason, moderation=True),
        )
