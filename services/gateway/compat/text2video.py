"""Seed 002, the text-to-video API, under `/compat/text2video/api/v1`.

The posted `text` is narrated as written (a script: one scene per paragraph or line).
Errors are `{"error": "..."}`; a request that is not understood is a 400, as the document
says. Unlike the original, status lives in the database, so it survives a restart.
"""

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from libs.common.errors import InvalidInput
from libs.common.events import JobInput, RenderOptions, VideoOutput
from services.gateway import jobs
from services.gateway.compat.common import Failure, dialect_app, epoch_seconds, parse_job_id
from services.gateway.deps import RuntimeDep, StoreDep, UserOrAnonymous
from services.gateway.media import serve_object
from services.gateway.store import Job

PAGE = 100
MAX_TEXT = 20000
# The document's progress stages; a job reports the last one its real progress has reached.
STEPS = (0, 20, 40, 60, 80, 90, 100)
RENDERING = 90  # 100 means completed, so a job still rendering stays at 90
STATUS = {
    "pending": "queued",
    "queued": "queued",
    "moderating": "processing",
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


def status_of(job: Job) -> JobStatus:
    status = STATUS[job.status]
    reached = max(step for step in STEPS if step <= job.progress)
    progress = 100 if status == "completed" else min(reached, RENDERING)
    if status == "queued":
        message = "Job queued"
    elif status == "completed":
        message = "Video generation completed"
    elif status == "failed":
        message = job.error or job.message
    else:
        message = job.message
    return JobStatus(status=status, progress=progress, message=message, created_at=epoch_seconds(job.created_at))


def listed(job: Job) -> ListedJob:
    output_file = f"output/video_{job.id}.mp4" if job.output else None
    return ListedJob(**status_of(job).model_dump(), output_file=output_file)


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
        return status_of(await jobs.get_job(runtime, user, parse_job_id(job_id)))

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
            found.update((str(job.id), listed(job)) for job in rows)
            if not rows or page * PAGE >= total:
                return JobList(jobs=found)
            page += 1

    return app
