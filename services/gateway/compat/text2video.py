"""Seed 002, the text-to-video API, under `/compat/text2video/api/v1`.

The posted `text` is narrated as written (a script: one scene per paragraph or line).
Errors are `{"error": "..."}`; a request that is not understood is a 400, as the document
says. Unlike the original, status lives in the database, so it survives a restart. With a
stock media picture model (`REELFORGE_IMAGE_MODEL=stock:pexels`), imaging reports the search and
the fetching of background videos, which are the document's 60 % and 80 % stages.
"""

import json
from collections.abc import Collection, Iterable
from typing import Any
from uuid import UUID

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from libs.common.errors import InvalidInput
from libs.common.events import JobInput, RenderOptions, VideoOutput
from libs.common.runtime import Runtime
from libs.common.scene_work import FETCHING_FOOTAGE, SEARCHING_FOOTAGE
from services.gateway.compat.common import Failure, dialect_app, epoch_seconds, parse_job_id
from services.gateway.core import jobs
from services.gateway.core.store import Job
from services.gateway.http.deps import RuntimeDep, StoreDep, UserOrAnonymous
from services.gateway.http.media import serve_object

PAGE = 100
MAX_TEXT = 20000
# The document's progress stages; a job reports the last one its real progress has reached.
STEPS = (0, 20, 40, 60, 80, 90, 100)
RENDERING = 90  # 100 means completed, so a job still rendering stays at 90
REPORTED_STEPS: dict[str, tuple[int, str]] = {
    SEARCHING_FOOTAGE: (60, "Generating video search queries..."),
    FETCHING_FOOTAGE: (80, "Fetching background videos..."),
}
"""Steps imaging reports with stock media: the document's stage each one is, and its wording there."""
STATUS = {
    "pending": "queued",
    "queued": "queued",
    "moderating": "processing",
    "awaiting_review": "processing",
    "processing": "processing",
    "completed": "completed",
    "moderation_failed": "failed",
    "failed": "failed",
    "cancelled": "failed",
}


def shape(failure: Failure) -> Response:
    """`{"error": ...}`; input the document calls a bad request (422 elsewhere) is a 400."""
    status = 400 if failure.status == 422 else failure.status
    return JSONResponse({"error": failure.message}, status_code=status, headers=failure.headers)


class Accepted(BaseModel):
    job_id: str
    status: str = "queued"
    message: str = "Video generation started"


class JobStatus(BaseModel):
    status: str
    progress: int
    message: str
    created_at: int


class ListedJob(JobStatus):
    output_file: str | None = None


class JobList(BaseModel):
    jobs: dict[str, ListedJob]


def status_of(job: Job, steps: Collection[str] = ()) -> JobStatus:
    """The document's status; `steps` are the `REPORTED_STEPS` the job's history holds (each keeps its stage
    reached, so progress never goes back while narration and pictures report in turn)."""
    status = STATUS[job.status]
    reached = max([step for step in STEPS if step <= job.progress] + [REPORTED_STEPS[step][0] for step in steps])
    progress = 100 if status == "completed" else min(reached, RENDERING)
    if status == "queued":
        message = "Job queued"
    elif status == "completed":
        message = "Video generation completed"
    elif status == "failed":
        message = job.error or job.message
    else:
        message = REPORTED_STEPS[job.message][1] if job.message in REPORTED_STEPS else job.message
    return JobStatus(status=status, progress=progress, message=message, created_at=epoch_seconds(job.created_at))


def listed(job: Job, steps: Collection[str] = ()) -> ListedJob:
    output_file = f"output/video_{job.id}.mp4" if job.output else None
    return ListedJob(**status_of(job, steps).model_dump(), output_file=output_file)


async def reported_steps(runtime: Runtime, found: Iterable[Job]) -> dict[UUID, set[str]]:
    """The `REPORTED_STEPS` in the history of each job still processing (the others' progress is fixed)."""
    running = [job.id for job in found if STATUS[job.status] == "processing"]
    return await jobs.steps_reported(runtime, running, REPORTED_STEPS)


async def text_of(request: Request) -> str:
    """The body's `text`; anything else (no JSON, no text, blank text) is the document's 400."""
    try:
        body: Any = json.loads(await request.body() or b"null")
    except ValueError:
        body = None
    text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("No text provided in request body", field="text")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"Text is too long: at most {MAX_TEXT} characters", field="text")
    return text


def create_app(gateway: FastAPI) -> FastAPI:
    app = dialect_app(gateway, "Reelforge: text-to-video API (seed 002)", shape=shape)

    @app.post("/generate", status_code=202, response_model=Accepted)
    async def generate(request: Request, user: UserOrAnonymous, runtime: RuntimeDep) -> Accepted:
        """Start narrating `text` into a video; poll `/status/{job_id}`."""
        job = await jobs.create_job(runtime, user, JobInput(script=await text_of(request)), RenderOptions())
        return Accepted(job_id=str(job.id))

    @app.get("/status/{job_id}")
    async def status(job_id: str, user: UserOrAnonymous, runtime: RuntimeDep) -> JobStatus:
        job = await jobs.get_job(runtime, user, parse_job_id(job_id))
        return status_of(job, (await reported_steps(runtime, [job])).get(job.id, ()))

    @app.get("/download/{job_id}", response_class=Response, responses={200: {"content": {"video/mp4": {}}}})
    async def download(
        job_id: str, request: Request, user: UserOrAnonymous, runtime: RuntimeDep, store: StoreDep
    ) -> Response:
        job = await jobs.get_job(runtime, user, parse_job_id(job_id))
        if job.output is None:
            raise InvalidInput("Video not ready for download")
        output = VideoOutput.model_validate_json(job.output)
        return await serve_object(request, store, output.video_key, "video/mp4", f"generated_video_{job.id}.mp4")

    @app.get("/jobs", response_model_exclude_none=True)
    async def list_all(user: UserOrAnonymous, runtime: RuntimeDep) -> JobList:
        """Every job of the caller, keyed by id, newest first."""
        found: dict[str, ListedJob] = {}
        page = 1
        while True:
            rows, total = await jobs.list_jobs(runtime, user, page, PAGE, None)
            steps = await reported_steps(runtime, rows)
            found.update((str(job.id), listed(job, steps.get(job.id, ()))) for job in rows)
            if not rows or page * PAGE >= total:
                return JobList(jobs=found)
            page += 1

    return app
