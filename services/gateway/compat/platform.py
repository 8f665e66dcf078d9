"""The platform dialect (seed 003) under /compat/platform/v1: camelCase, upper-case statuses, one envelope.

Every answer is `{success, data, error, timestamp}`; an error carries a documented code
(AUTH_001 ... SYS_002). The seed's table has no code for a malformed request, an unknown
job or route, or a spent rate limit, so those say `VALIDATION_ERROR`, `NOT_FOUND` and
`RATE_LIMITED`. A thin adapter: accounts go to the auth service, projects, templates and
jobs to the gateway's core; one clip per job, so a clip's id is its job's id (as the
`generation.complete` webhook says).
"""

import math
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from libs.common.errors import InvalidInput, NotFound, ReelforgeError
from libs.common.events import RenderOptions, VideoOutput
from libs.common.pacing import target_seconds
from libs.common.runtime import Runtime
from libs.common.vocabulary import FINAL_STATUSES
from services.gateway.compat.common import (
    Failure,
    answer_errors,
    call_auth,
    dialect_app,
    failure_of,
    iso_z,
    log_in,
    register_account,
)
from services.gateway.core import jobs, projects, quotas, ratelimit, submission, templates
from services.gateway.core.projects import Project
from services.gateway.core.schemas import JobCreate
from services.gateway.core.security import Principal
from services.gateway.core.store import Job
from services.gateway.core.templates import Template
from services.gateway.http import ratelimit_headers
from services.gateway.http.deps import CurrentUser, PageNumber, RequestBudgetsDep, RuntimeDep, downloads

STYLES: dict[str, str] = {
    "realistic": "photorealistic",
    "photorealistic": "photorealistic",
    "cinematic": "cinematic",
    "anime": "anime",
    "cartoon": "pixar-art",
    "animated": "pixar-art",
    "3d": "pixar-art",
    "comic": "comic-book",
    "comic-book": "comic-book",
}
PROJECT_STATUSES = tuple(status.upper() for status in projects.PROJECT_STATUSES)
# The seed's own budgets, per user and hour, on top of the gateway's per-user request budgets.
GENERATE_PER_HOUR = 10
TEMPLATES_PER_HOUR = 100
SECONDS_OF_WORK_PER_SECOND = 2  # the seed's example: a 15 s clip is estimated at 30 s


class PlatformError(ReelforgeError):
    code: str

    def __init__(self, code: str, status: int, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code, self.status, self.details = code, status, details or {}


# ---- the envelope --------------------------------------------------------------------


def envelope(data: Any, status: int = 200) -> JSONResponse:
    body = {"success": True, "data": data, "error": None, "timestamp": iso_z(datetime.now(UTC))}
    return JSONResponse(body, status_code=status)


def failure_body(
    status: int, code: str, message: str, details: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    error = {"code": code, "message": message, "details": details or {}}
    body = {"success": False, "data": None, "error": error, "timestamp": iso_z(datetime.now(UTC))}
    return JSONResponse(body, status_code=status, headers=headers)


def pagination(page: int, limit: int, total: int) -> dict[str, int]:
    return {"page": page, "limit": limit, "total": total, "totalPages": math.ceil(total / limit) if total else 0}


# ---- bodies ----------------------------------------------------------------------------


class Register(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=254)
    username: str = Field(min_length=3, max_length=32)
    password: str = Field(min_length=8, max_length=128)


class Login(BaseModel):
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(max_length=128)


class ProjectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2000)
    settings: dict[str, Any] = Field(default_factory=dict)


class Parameters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    duration: int | None = Field(None, ge=5, le=600, description="Seconds of video.")
    resolution: str | None = Field(None, description="WIDTHxHEIGHT, e.g. 1920x1080.")
    style: str | None = Field(None, description=f"One of {', '.join(STYLES)}.")


class GenerateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    projectId: str | None = None  # noqa: N815 - the seed's field name
    prompt: str = Field(min_length=1, max_length=2000)
    parameters: Parameters = Field(default_factory=Parameters)


class UseTemplateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    projectId: str | None = None  # noqa: N815 - the seed's field name
    customizations: dict[str, Any] = Field(default_factory=dict)


# ---- translation -------------------------------------------------------------------------


def job_status(job: Job) -> str:
    """Upper case; a stored job waits in the queue, so `pending` reads QUEUED as the seed answers, and a
    story held for review (a native-API option) is still PROCESSING to a client that knows no review."""
    return {"pending": "QUEUED", "awaiting_review": "PROCESSING"}.get(job.status, job.status.upper())


def estimated_seconds(options: RenderOptions) -> int:
    return target_seconds(options) * SECONDS_OF_WORK_PER_SECOND


def accepted(job: Job) -> dict[str, Any]:
    options = RenderOptions.model_validate_json(job.options)
    return {"jobId": str(job.id), "status": job_status(job), "estimatedTime": estimated_seconds(options)}


def native_request(data: GenerateIn) -> JobCreate:
    fields: dict[str, Any] = {"prompt": data.prompt, "project_id": data.projectId}
    parameters = data.parameters
    if parameters.duration is not None:
        fields["duration"] = parameters.duration
    if parameters.resolution is not None:
        fields["resolution"] = parameters.resolution.strip().lower()
    if parameters.style is not None:
        style = STYLES.get(parameters.style.strip().lower())
        if style is None:
            allowed = ", ".join(f"'{name}'" for name in STYLES)
            raise InvalidInput(f"parameters.style must be one of {allowed}", field="parameters.style")
        fields["art_style"] = style
    return JobCreate.model_validate(fields)


def template_overrides(data: UseTemplateIn) -> dict[str, Any]:
    """`text` becomes the story's prompt; native options pass through; anything else is a style preference."""
    overrides: dict[str, Any] = {"project_id": data.projectId}
    preferences: dict[str, str] = {}
    for name, value in data.customizations.items():
        if name == "text":
            overrides["prompt"] = value
        elif name in JobCreate.model_fields and name not in ("project_id", "upload_id", "style_preferences"):
            overrides[name] = value
        else:
            preferences[name] = str(value)
    if preferences:
        overrides["style_preferences"] = preferences
    return overrides


def project_data(project: Project, **extra: Any) -> dict[str, Any]:
    return {
        "id": str(project.public_id),
        "title": project.name,
        "description": project.description,
        "status": project.status.upper(),
        "settings": projects.project_settings(project),
        "createdAt": iso_z(project.created_at),
        "updatedAt": iso_z(project.updated_at),
        **extra,
    }


async def clip_data(request: Request, user: Principal, job: Job) -> dict[str, Any]:
    """The job's clip, with links that work without credentials (a player or an <img> can use them)."""
    assert job.output is not None
    output = VideoOutput.model_validate_json(job.output)
    video = await downloads(request).signed(user, job.id, "video")
    thumbnail = await downloads(request).signed(user, job.id, "thumbnail")
    return {
        "id": str(job.id),
        "title": job.title or "Generated Clip",
        "duration": output.duration_s,
        "fileUrl": video.url,
        "thumbnailUrl": thumbnail.url,
        "fileSize": output.size_bytes,
        "resolution": f"{output.width}x{output.height}",
        "format": "mp4",
        "createdAt": iso_z(job.completed_at or job.updated_at),
    }


async def finished_jobs(runtime: Runtime, user: Principal, project: Project) -> list[Job]:
    """The project's jobs that made a clip; a clip exists once its video does."""
    return [job for job in await projects.project_jobs(runtime, user, project) if job.output]


def template_data(template: Template) -> dict[str, Any]:
    return {
        "id": str(template.id),
        "name": template.name,
        "description": template.description,
        "category": template.category,
        "thumbnailUrl": template.thumbnail_url,
        "isPublic": template.is_public,
        "usageCount": template.usage_count,
    }


async def account_data(request: Request, user: Principal, account: dict[str, Any]) -> dict[str, Any]:
    """The seed's user object: the account plus the storage its tier allows and its files use."""
    runtime = request.app.state.runtime
    return {
        "id": account["id"],
        "email": account["email"],
        "username": account["username"],
        "subscriptionTier": account.get("subscription_tier", user.tier),
        "storageUsed": await quotas.storage_used(runtime, user),
        "storageLimit": quotas.storage_limit(runtime, user),
    }


async def signed_in(request: Request, email: str, password: str) -> dict[str, Any]:
    """Log in and answer as the seed does: the user and a token (plus the refresh token to renew it)."""
    pair = await log_in(request, email, password)
    user: Principal = await request.app.state.verifier.verify(pair["access_token"])
    account = await call_auth(request, "GET", f"/users/{user.user_id}")
    return {
        "user": await account_data(request, user, account),
        "token": pair["access_token"],
        "refreshToken": pair["refresh_token"],
    }


async def job_of(request: Request, user: Principal, job_id: str) -> Job:
    try:
        wanted = UUID(job_id)
    except ValueError:
        raise NotFound("Job not found") from None
    return await jobs.get_job(request.app.state.runtime, user, wanted)


def charged(what: str, limit: int) -> Callable[..., Awaitable[Principal]]:
    """A dependency: the caller, with the request counted against one of the seed's per-route hourly budgets."""

    async def charge(request: Request, user: CurrentUser, budgets: RequestBudgetsDep) -> Principal:
        budget = ratelimit.Budget(f"user:{user.user_id}:platform:{what}", limit, ratelimit.HOUR)
        ratelimit_headers.remember(request, await budgets.charge([budget], f"{what} requests"))
        return user

    return charge


GeneratingUser = Annotated[Principal, Depends(charged("generate", GENERATE_PER_HOUR))]
BrowsingUser = Annotated[Principal, Depends(charged("templates", TEMPLATES_PER_HOUR))]


# ---- routes --------------------------------------------------------------------------------

router = APIRouter()
Limit = Annotated[int, Query(ge=1, le=100)]


@router.post("/auth/register", tags=["auth"])
async def register(data: Register, request: Request) -> JSONResponse:
    await register_account(request, data.model_dump())
    return envelope(await signed_in(request, data.email, data.password), 201)


@router.post("/auth/login", tags=["auth"])
async def login(data: Login, request: Request) -> JSONResponse:
    return envelope(await signed_in(request, data.email, data.password))


@router.get("/users/profile", tags=["users"])
async def profile(user: CurrentUser, request: Request) -> JSONResponse:
    account = await call_auth(request, "GET", f"/users/{user.user_id}")
    created = iso_z(datetime.fromisoformat(account["created_at"]))
    return envelope({**await account_data(request, user, account), "createdAt": created})


@router.post("/projects", tags=["projects"])
async def create_project(data: ProjectIn, user: CurrentUser, runtime: RuntimeDep) -> JSONResponse:
    project = await projects.create_project(runtime, user, data.title, data.description, settings=data.settings)
    return envelope(project_data(project), 201)


@router.get("/projects", tags=["projects"])
async def list_projects(
    user: CurrentUser, runtime: RuntimeDep, page: PageNumber = 1, limit: Limit = 10, status: str | None = None
) -> JSONResponse:
    wanted = None
    if status is not None:
        if status.upper() not in PROJECT_STATUSES:
            allowed = ", ".join(f"'{name}'" for name in PROJECT_STATUSES)
            raise InvalidInput(f"status must be one of {allowed}", field="status")
        wanted = status.lower()
    rows, total = await projects.list_projects(runtime, user, page, limit, wanted)
    listed = []
    for project in rows:
        entry = project_data(project, clipCount=len(await finished_jobs(runtime, user, project)))
        entry.pop("settings")
        listed.append(entry)
    return envelope({"projects": listed, "pagination": pagination(page, limit, total)})


@router.get("/projects/{projectId}", tags=["projects"])
async def get_project(projectId: str, user: CurrentUser, runtime: RuntimeDep, request: Request) -> JSONResponse:  # noqa: N803
    project = await projects.get_project(runtime, user, projectId)
    finished = await finished_jobs(runtime, user, project)
    return envelope(project_data(project, clips=[await clip_data(request, user, job) for job in finished]))


@router.post("/generate/video", tags=["generation"])
async def generate_video(data: GenerateIn, runtime: RuntimeDep, user: GeneratingUser) -> JSONResponse:
    job = await submission.submit_job(runtime, user, native_request(data))
    return envelope(accepted(job), 202)


@router.get("/generate/status/{jobId}", tags=["generation"])
async def generation_status(jobId: str, user: CurrentUser, request: Request) -> JSONResponse:  # noqa: N803
    job = await job_of(request, user, jobId)
    options = RenderOptions.model_validate_json(job.options)
    expected = job.created_at + timedelta(seconds=estimated_seconds(options))
    if job.status in FINAL_STATUSES and job.completed_at:
        expected = job.completed_at
    data: dict[str, Any] = {
        "id": str(job.id),
        "status": job_status(job),
        "progress": job.progress,
        "startedAt": iso_z(job.created_at),
        "estimatedCompletion": iso_z(expected),
        "stage": job.stage,
        "message": job.message,
        "error": job.error,
        "clipId": str(job.id) if job.output else None,
    }
    return envelope(data)


@router.get("/generate/clip/{clipId}", tags=["generation"])
async def clip(clipId: str, user: CurrentUser, request: Request) -> JSONResponse:  # noqa: N803
    job = await job_of(request, user, clipId)
    if job.output is None:
        if job.status in FINAL_STATUSES:
            raise PlatformError("GEN_001", 409, f"Generation failed: {job.error or job.status}")
        raise PlatformError("NOT_FOUND", 404, f"The clip is not ready: the job is {job_status(job)}")
    return envelope(await clip_data(request, user, job))


@router.get("/templates", tags=["templates"])
async def list_templates(
    runtime: RuntimeDep,
    _user: BrowsingUser,
    page: PageNumber = 1,
    limit: Limit = 10,
    category: str | None = None,
) -> JSONResponse:
    rows, total = await templates.list_templates(runtime, category, page, limit)
    return envelope({"templates": [template_data(row) for row in rows], "pagination": pagination(page, limit, total)})


@router.post("/templates/{templateId}/use", tags=["templates"])
async def use_template(templateId: str, data: UseTemplateIn, user: CurrentUser, runtime: RuntimeDep) -> JSONResponse:  # noqa: N803
    job = await templates.use_template(runtime, user, templateId, template_overrides(data))
    return envelope(accepted(job), 202)


# ---- errors -------------------------------------------------------------------------------


def generation_route(request: Request) -> bool:
    path = request.scope.get("path", "")
    return request.method == "POST" and ("/generate/" in path or path.endswith("/use"))


def code_for(request: Request, failure: Failure) -> tuple[int, str]:
    """The documented code for an error, by its status and, where a status is shared, by what it says."""
    status, message = failure.status, failure.message.lower()
    named = {item.get("field") for item in failure.fields}
    if status == 401:
        return 401, "AUTH_002" if "expired" in message else "AUTH_001"
    if status == 403:
        return 403, "PROJ_002" if "storage" in message or any("storage" in str(name) for name in named) else "AUTH_003"
    if status == 404:
        for word, code in (("project", "PROJ_001"), ("template", "TEMP_001"), ("user", "USER_001")):
            if word in message:
                return 404, code
        return 404, "NOT_FOUND"
    if status == 409:
        return 409, "USER_003" if "username" in named else "USER_002"
    if status in (400, 422):
        return 400, "GEN_002" if generation_route(request) else "VALIDATION_ERROR"
    return status, {429: "RATE_LIMITED", 503: "SYS_002"}.get(status, "SYS_001" if status >= 500 else "VALIDATION_ERROR")


def shape(request: Request, failure: Failure) -> JSONResponse:
    status, code = code_for(request, failure)
    details = {"fields": failure.fields} if failure.fields else {}
    return failure_body(status, code, failure.message, details, failure.headers)


def create_app(parent: FastAPI) -> FastAPI:
    app = dialect_app(
        parent, "Reelforge platform API (seed 003)", "Every answer in the {success, data, error, timestamp} envelope."
    )
    app.include_router(router)

    async def on_error(request: Request, error: Exception) -> JSONResponse:
        if isinstance(error, PlatformError):
            return failure_body(error.status, error.code, error.message, error.details)
        return shape(request, failure_of(error, request))

    answer_errors(app, on_error)
    return app
