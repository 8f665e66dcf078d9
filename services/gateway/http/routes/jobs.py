"""Jobs under /api/v1: create, list, read, edit, cancel, delete, download."""

import time
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import Response

from libs.common.errors import Conflict, InvalidInput
from libs.common.events import VideoOutput
from libs.common.vocabulary import JobStatus
from services.gateway.core import admission, jobs, review, submission, uploads
from services.gateway.core.idempotency import Idempotency
from services.gateway.core.schemas import (
    BatchPublic,
    CostEstimate,
    CostPublic,
    JobBatch,
    JobCreate,
    JobPage,
    JobPublic,
    JobUpdate,
    StoryApproval,
)
from services.gateway.http.deps import CurrentUser, IdempotencyKey, JobReadsDep, PageNumber, RuntimeDep, StoreDep
from services.gateway.http.media import serve_object

router = APIRouter(prefix="/jobs", tags=["jobs"])


@router.post("", status_code=202)
async def create_job(
    data: JobCreate, user: CurrentUser, runtime: RuntimeDep, idempotency_key: IdempotencyKey = None
) -> JobPublic:
    """Accept a job; it runs in the background. Follow it at /jobs/{id}/events.

    Sent again with the same `Idempotency-Key`, the request answers with the job it first created.
    """
    idempotency = Idempotency.of(idempotency_key, data) if idempotency_key else None
    return JobPublic.of(await submission.submit_job(runtime, user, data, idempotency=idempotency))


@router.post("/batch", status_code=202, responses={422: {"description": "Every body was refused"}})
async def create_jobs(
    batch: JobBatch, user: CurrentUser, runtime: RuntimeDep, idempotency_key: IdempotencyKey = None
) -> BatchPublic:
    """Accept up to 100 jobs at once, each body checked on its own: the answer says, per body and variant, which
    job was created or why it was refused. 422 only when every one was refused."""
    result = await submission.submit_batch(runtime, user, batch, idempotency_key)
    if result.accepted == 0:
        first = result.items[0]
        raise InvalidInput(f"No job was created: {first.error}", field=first.field)
    return result


@router.post("/estimate-cost")
async def estimate_cost(data: JobCreate, user: CurrentUser, runtime: RuntimeDep) -> CostEstimate:
    """What creating a job with this body would cost, priced exactly as creating it prices it; nothing is created."""
    source = data.source()
    if data.upload_id is not None:
        upload = await uploads.get_upload(runtime, user, data.upload_id)
        source = source.model_copy(update={"reference_image_key": upload.key})
    cost = admission.price_job(runtime.settings, runtime.settings, source, data.render_options())
    return CostEstimate(estimated_cost=cost.total, breakdown=CostPublic.of(cost))


@router.get("")
async def list_jobs(
    user: CurrentUser,
    runtime: RuntimeDep,
    page: PageNumber = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    status: JobStatus | None = None,
) -> JobPage:
    rows, total = await jobs.list_jobs(runtime, user, page, limit, status)
    return JobPage(items=[JobPublic.of(job) for job in rows], total=total, page=page, limit=limit)


@router.get("/{job_id}", response_model=JobPublic)
async def get_job(job_id: UUID, user: CurrentUser, runtime: RuntimeDep, reads: JobReadsDep) -> Response:
    """The job as it stands (served from the replica's memory for up to `REELFORGE_JOB_READ_CACHE_S`; a change
    made through this replica shows at once)."""
    body = reads.cached(user, job_id)
    if body is None:
        read_at = time.monotonic()
        job = await jobs.get_job(runtime, user, job_id)
        body = JobPublic.of(job).model_dump_json().encode()
        reads.remember(job, body, read_at)
    return Response(body, media_type="application/json")


@router.patch("/{job_id}")
async def update_job(job_id: UUID, data: JobUpdate, user: CurrentUser, runtime: RuntimeDep) -> JobPublic:
    """Change `title`, `description` or `project_id`; nothing else about a job can be edited."""
    return JobPublic.of(await submission.edit_job(runtime, user, job_id, **data.model_dump(exclude_unset=True)))


@router.post("/{job_id}/approve")
async def approve_job(
    job_id: UUID, user: CurrentUser, runtime: RuntimeDep, approval: Annotated[StoryApproval | None, Body()] = None
) -> JobPublic:
    """Approve a story that waits for review (a job created with `review: true`), as written or edited:
    `scenes` in their new order, each an existing scene by `index` with what changed or a new one; a scene left
    out is deleted. The job goes on to the pictures and the narration, its cost estimated again."""
    return JobPublic.of(await review.approve(runtime, user, job_id, approval or StoryApproval()))


@router.post("/{job_id}/cancel")
async def cancel_job(job_id: UUID, user: CurrentUser, runtime: RuntimeDep) -> JobPublic:
    return JobPublic.of(await jobs.cancel_job(runtime, user, job_id))


@router.delete("/{job_id}", status_code=204)
async def delete_job(job_id: UUID, user: CurrentUser, runtime: RuntimeDep) -> Response:
    await jobs.delete_job(runtime, user, job_id)
    return Response(status_code=204)


@router.get(
    "/{job_id}/video",
    response_class=Response,
    responses={200: {"content": {"video/mp4": {}}}, 206: {"description": "Partial content (Range)"}},
)
async def download_video(
    job_id: UUID, request: Request, user: CurrentUser, runtime: RuntimeDep, store: StoreDep
) -> Response:
    """The finished MP4; honours `Range` so players can seek."""
    job = await jobs.get_job(runtime, user, job_id)
    if job.output is None:
        raise Conflict(f"The video is not ready: the job is {job.status}", field="status")
    output = VideoOutput.model_validate_json(job.output)
    return await serve_object(request, store, output.video_key, "video/mp4", f"reelforge-{job_id}.mp4")
