"""Story stage: turn a job request into a storyboard."""

from libs.common.events import JobProgress, JobRequested, StoryCompleted, overall_progress
from libs.common.runtime import Runtime
from libs.common.storage import keys
from services.story.offline_writer import write_storyboard

CONSUMER = "story"


async def write_story(event: JobRequested, runtime: Runtime) -> None:
    await runtime.emit(
        JobProgress.after(
            event,
            status="moderating",
            stage="story",
            progress=overall_progress("story", 0.1),
            message="Checking the request",
        )
    )
    storyboard = write_storyboard(event.input, event.options, event.job_id)
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
            StoryCompleted.after(event, storyboard=storyboard, storyboard_key=storyboard_key, options=event.options),
        )
