"""Story stage: judge the request, then turn it into a storyboard (held for review when the user asked)."""

import logging
from typing import Literal

from libs.common.events import (
    Event,
    JobApproved,
    JobFailed,
    JobInput,
    JobProgress,
    JobRequested,
    Moderation,
    RenderOptions,
    Storyboard,
    StoryCompleted,
    overall_progress,
)
from libs.common.metrics import count_spend, provider_call
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
    with provider_call("story", providers.moderation_provider, "moderation"):
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
    writer = providers.writing_provider if event.input.script is None else "offline"  # a script is never sent
    with provider_call("story", writer, "story"):
        storyboard = await providers.writer.write(event.input, event.options, event.job_id)
    for warning in storyboard.warnings:  # on the job for the native API; the dialects have no such field
        log.warning("job %s: %s", event.job_id, warning)
    storyboard_key = await keep_storyboard(event, storyboard, runtime)
    written = f"Story written: {len(storyboard.scenes)} scenes"
    async with runtime.finish(CONSUMER, event) as out:
        if event.options.review:  # the user edits and approves it first (`continue_story`)
            waiting = f"{written}; waiting for your review"
            out.emit(progress_after(event, waiting, storyboard, status="awaiting_review"))
            return
        completed = story_completed(event, storyboard, storyboard_key, event.input, event.options, providers)
        out.emit(progress_after(event, written, storyboard), completed)
    count_spend("story", completed.cost)


async def continue_story(event: JobApproved, runtime: Runtime, providers: StoryProviders) -> None:
    """The story its user approved (and perhaps edited) goes on to the pictures and the narration."""
    storyboard_key = await keep_storyboard(event, event.storyboard, runtime)
    approved = f"Story approved: {len(event.storyboard.scenes)} scenes"
    async with runtime.finish(CONSUMER, event) as out:
        completed = story_completed(event, event.storyboard, storyboard_key, event.input, event.options, providers)
        out.emit(progress_after(event, approved, event.storyboard), completed)
    count_spend("story", completed.cost)


async def keep_storyboard(event: Event, storyboard: Storyboard, runtime: Runtime) -> str:
    storyboard_key = keys.storyboard(event.job_id)
    assert runtime.store is not None
    await runtime.store.put_bytes(storyboard_key, storyboard.model_dump_json(indent=2).encode(), "application/json")
    return storyboard_key


def progress_after(
    event: Event, message: str, storyboard: Storyboard, status: Literal["awaiting_review", "processing"] = "processing"
) -> JobProgress:
    return JobProgress.after(
        event,
        status=status,
        stage="story",
        progress=overall_progress("story", 1.0),
        message=message,
        storyboard=storyboard,
    )


def story_completed(
    event: Event,
    storyboard: Storyboard,
    storyboard_key: str,
    source: JobInput,
    options: RenderOptions,
    providers: StoryProviders,
) -> StoryCompleted:
    return StoryCompleted.after(
        event,
        storyboard=storyboard,
        storyboard_key=storyboard_key,
        options=options,
        cost=providers.cost_of(source),
        reference_image_key=source.reference_image_key,
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
