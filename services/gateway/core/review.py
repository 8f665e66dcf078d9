"""Review before render: a story written for a job created with `review: true` waits (`awaiting_review`)
until its user approves it, edited or as written; then the pipeline goes on from the story.

The gateway checks the edits, re-prices the job for its new scene count and sends `jobs.approved`;
the story stage, which owns `story.completed`, hands the approved story on to imaging and audio.
"""

from uuid import UUID

from libs.common.errors import Conflict, InvalidInput, NotFound
from libs.common.events import JobApproved, JobInput, RenderOptions, Scene, Storyboard
from libs.common.outbox import stage_event
from libs.common.runtime import Runtime
from services.gateway.core import admission
from services.gateway.core.lifecycle import record
from services.gateway.core.schemas import SceneEdit, StoryApproval
from services.gateway.core.security import Principal
from services.gateway.core.store import Job


async def approve(runtime: Runtime, user: Principal, job_id: UUID, approval: StoryApproval) -> Job:
    """Apply `approval` to the job's story and send it on; 409 unless the job is awaiting review."""
    async with runtime.db.transaction() as session:
        job = await session.get(Job, job_id, with_for_update=True)
        if job is None or job.user_id != user.user_id:
            raise NotFound("Job not found")
        if job.status != "awaiting_review" or job.storyboard is None:
            raise Conflict(f"Only a story awaiting review can be approved: the job is {job.status}", field="status")
        storyboard = approved_storyboard(Storyboard.model_validate_json(job.storyboard), approval)
        source = JobInput.model_validate_json(job.source)
        options = RenderOptions.model_validate_json(job.options).model_copy(
            update={"num_scenes": len(storyboard.scenes)}
        )
        cost = admission.price_job(runtime.settings, runtime.settings, source, options)
        job.options, job.estimated_cost = options.model_dump_json(), cost.model_dump_json()
        job.storyboard, job.title, job.story_text = storyboard.model_dump_json(), storyboard.title, storyboard.text
        job.status, job.message = "processing", "Story approved; painting the pictures and recording the narration"
        session.add(job)
        session.add(record(job, "jobs.approved"))
        stage_event(
            session,
            JobApproved(job_id=job.id, user_id=job.user_id, storyboard=storyboard, input=source, options=options),
        )
    runtime.wake_relay()
    return job


def approved_storyboard(written: Storyboard, approval: StoryApproval) -> Storyboard:
    """The story with the approval's title and scenes, renumbered in their new order."""
    edits = approval.scenes
    if edits is None:
        edits = [SceneEdit(index=scene.index) for scene in written.scenes]
    scenes = [edited_scene(written, edit, number) for number, edit in enumerate(edits)]
    return written.model_copy(
        update={
            "title": approval.title or written.title,
            "scenes": scenes,
            "text": "\n\n".join(scene.narration for scene in scenes),
        }
    )


def edited_scene(written: Storyboard, edit: SceneEdit, number: int) -> Scene:
    """Scene `number` of the approved story; a field of the edit that is unset keeps the written scene's."""
    field = f"scenes[{number}]"
    if edit.index is None:
        if edit.narration is None:
            raise InvalidInput(f"{field}.narration: a new scene needs its narration", field=f"{field}.narration")
        scene = Scene(index=number, narration=edit.narration, image_prompt=edit.narration, subtitle=edit.narration)
    elif edit.index >= len(written.scenes):
        raise InvalidInput(
            f"{field}.index: the story has scenes 0 to {len(written.scenes) - 1}", field=f"{field}.index"
        )
    else:
        scene = written.scenes[edit.index].model_copy(update={"index": number})
    if edit.narration is not None and edit.narration != scene.narration:
        scene = scene.model_copy(update={"narration": edit.narration, "subtitle": edit.narration, "shots": 1})
    if edit.image_prompt is not None:
        scene = scene.model_copy(update={"image_prompt": edit.image_prompt})
    if edit.subjects is not None:
        scene = scene.model_copy(update={"subjects": edit.subjects, "search_query": " ".join(edit.subjects[:3])})
    return scene
