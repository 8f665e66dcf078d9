"""Jobs under /api/v1: create, list, read, edit, cancel, delete, download."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from libs.common.errors import Conflict
from libs.common.events import VideoOutput
from libs.common.vocabulary import JobStatus
from services.gateway import admission, jobs, submission, uploads
from services.gateway.deps import CurrentUser, PageNumber, RuntimeDep, StoreDep
from services.gateway.media import serve_object
from services.gateway.schemas import CostEstimate, CostPublic, JobCreate, JobPage, JobPublic, JobUpdate

router = APIRouter(prefix="/jobs", tags=["jobs"])


@router.post("", status_code=202)
async def create_job(data: JobCreate, user: CurrentUser, runtime: RuntimeDep) -> JobPublic:
    """Accept a job; it runs in the background. Follow it at /jobs/{id}/events."""
    return JobPublic.of(await submission.submit_job(runtime, user, data))


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


@router.get("/{job_id}")
async def get_job(job_id: UUID, user: CurrentUser, runtime: RuntimeDep) -> JobPublic:
    return JobPublic.of(await jobs.get_job(runtime, user, job_id))


@router.patch("/{job_id}")
async def update_job(job_id: UUID, data: JobUpdate, user: CurrentUser, runtime: RuntimeDep) -> JobPublic:
    """Change `title`, `description` or `project_id`; nothing else about a job can be edited."""
    return JobPublic.of(await submission.edit_job(runtime, user, job_id, **data.model_dump(exclude_unset=True)))


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
