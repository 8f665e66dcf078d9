"""The studio dialect (seed 001) under /compat/studio/api/v1: projects and script jobs with integer ids.

A thin adapter: accounts go to the auth service, projects to `projects`, jobs to
`submission`/`jobs`, costs to `pricing`. What it adds is the seed's shape: integer ids
for users and jobs (see `numbering`), naive ISO timestamps, a `config` object, the
`{"detail": "..."}` error body and the documented status codes (400 for invalid input).
"""

from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from libs.common.errors import Forbidden, NotFound
from libs.common.events import CostBreakdown, JobInput
from libs.common.vocabulary import VOICES, Fps, Mood, Quality, Voice
from services.gateway.compat import numbering
from services.gateway.compat.common import Failure, call_auth, dialect_app, log_in, register_account
from services.gateway.core import admission, jobs, projects, submission
from services.gateway.core.projects import Project
from services.gateway.core.schemas import JobCreate
from services.gateway.core.security import Principal
from services.gateway.core.store import Job
from services.gateway.http.deps import CurrentUser, DownloadsDep, RuntimeDep

TABLES = numbering.TABLES
MAX_SKIP = 10_000
ESTIMATE_PROMPT = "a film"  # priced as a prompt, so num_images and video_duration decide (not a script's length)
DEFAULT_VOICE: Voice = "alloy"
# A studio film is landscape; `quality` picks its size (and the encoder's effort, through RenderOptions).
RESOLUTION_BY_QUALITY: dict[str, str] = {"draft": "854x480", "standard": "1280x720", "high": "1920x1080"}
ART_STYLE_BY_GENRE: dict[str, str] = {
    "cinematic": "cinematic",
    "documentary": "photorealistic",
    "realistic": "photorealistic",
    "photorealistic": "photorealistic",
    "anime": "anime",
    "comic": "comic-book",
    "comic-book": "comic-book",
    "animation": "pixar-art",
    "animated": "pixar-art",
    "pixar-art": "pixar-art",
}
STATUS_BY_NATIVE = {422: 400, 409: 400}  # the seed answers every invalid request with 400


# ---- bodies ------------------------------------------------------------------------


def naive_utc(moment: datetime) -> datetime:
    """The seed's timestamps are naive ISO 8601 in UTC ("2024-01-01T00:00:00")."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


StudioStatus = Literal[
    "pending", "queued", "moderating", "processing", "completed", "moderation_failed", "failed", "cancelled"
]
"""The document's eight job states; a story held for review (a native-API option) reads `processing`."""


def studio_status(job: Job) -> StudioStatus:
    return "processing" if job.status == "awaiting_review" else job.status  # type: ignore[return-value]


class Register(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    username: str = Field(min_length=3, max_length=32)
    password: str = Field(min_length=8, max_length=128)


class Login(BaseModel):
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(max_length=128)


class Refresh(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=512)


class UserOut(BaseModel):
    id: int
    email: str
    username: str
    is_active: bool
    created_at: datetime


class Tokens(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"


class ProjectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2000)


class ProjectUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2000)


class ProjectOut(BaseModel):
    id: int
    user_id: int
    name: str
    description: str | None
    created_at: datetime
    updated_at: datetime


class JobConfig(BaseModel):
    """The seed's `config`: what the film should be like. Unset fields keep Reelforge's defaults."""

    model_config = ConfigDict(extra="forbid")

    num_images: int | None = Field(None, ge=1, le=30, description="Scenes, one image each.")
    video_duration: int | None = Field(None, ge=5, le=600, description="Target length in seconds.")
    include_voice: bool = True
    include_music: bool = False
    fps: Fps = 30
    quality: Quality = "standard"
    voice: Literal["default", *VOICES] = "default"  # type: ignore[valid-type]
    genre: str | None = Field(None, min_length=1, max_length=40)
    mood: Mood | None = None


class JobIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    project_id: int | None = None
    script: str = Field(min_length=1, max_length=20000, description="One scene per line or paragraph.")
    config: JobConfig = Field(default_factory=JobConfig)


class JobPatch(BaseModel):
    """What a user may change: the project, the title and description, or `status: cancelled`."""

    model_config = ConfigDict(extra="forbid")

    status: StudioStatus | None = None
    progress: float | None = None
    project_id: int | None = None
    title: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=2000)


class JobOut(BaseModel):
    id: int
    project_id: int | None
    user_id: int
    script: str | None
    status: StudioStatus
    progress: float
    estimated_cost: float
    actual_cost: float
    moderation_status: str | None
    moderation_score: float | None
    error: str | None
    created_at: datetime
    updated_at: datetime


class EstimateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    num_images: int = Field(5, ge=1, le=30)
    video_duration: int = Field(30, ge=5, le=600)
    include_voice: bool = True
    include_music: bool = False


class EstimateOut(BaseModel):
    estimated_cost: float
    breakdown: dict[str, float]


class SignedUrlIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    job_id: int


class SignedUrlOut(BaseModel):
    url: str
    expires_at: datetime


# ---- translation ------------------------------------------------------------------------


def native_request(data: JobIn) -> JobCreate:
    """The native job request a studio job is: its script, and the config mapped onto the options."""
    config = data.config
    genre = (config.genre or "").strip().lower()
    fields: dict[str, Any] = {
        "script": data.script,
        "project_id": data.project_id,
        "fps": config.fps,
        "quality": config.quality,
        "resolution": RESOLUTION_BY_QUALITY[config.quality],
        "voice": DEFAULT_VOICE if config.voice == "default" else config.voice,
        "include_voice": config.include_voice,
        "include_music": config.include_music,
        "mood": config.mood,
        "genre": config.genre,
        "art_style": ART_STYLE_BY_GENRE.get(genre, "cinematic"),
        "num_scenes": config.num_images,
    }
    if config.video_duration is not None:
        fields["duration"] = config.video_duration
    return JobCreate.model_validate(fields)


def cost_total(raw: str | None) -> float:
    return CostBreakdown.model_validate_json(raw).total if raw else 0.0


async def job_out(request: Request, user: Principal, job: Job) -> JobOut:
    return (await jobs_out(request, user, [job]))[0]


async def jobs_out(request: Request, user: Principal, rows: list[Job]) -> list[JobOut]:
    runtime = request.app.state.runtime
    numbers = await numbering.numbers_for(runtime, "job", [job.id for job in rows])
    user_number = await numbering.number_for(runtime, "user", user.user_id)
    project_numbers: dict[UUID, int] = {}
    for project_id in {job.project_id for job in rows if job.project_id is not None}:
        try:
            project = await projects.get_project(runtime, user, project_id)
        except NotFound:
            continue
        assert project.id is not None
        project_numbers[project_id] = project.id
    out = []
    for job in rows:
        source = script_of(job)
        out.append(
            JobOut(
                id=numbers[str(job.id)],
                project_id=project_numbers.get(job.project_id) if job.project_id else None,
                user_id=user_number,
                script=source,
                status=studio_status(job),
                progress=float(job.progress),
                estimated_cost=cost_total(job.estimated_cost),
                actual_cost=cost_total(job.actual_cost),
                moderation_status=job.moderation_status,
                moderation_score=job.moderation_score,
                error=job.error,
                created_at=naive_utc(job.created_at),
                updated_at=naive_utc(job.updated_at),
            )
        )
    return out


def script_of(job: Job) -> str | None:
    """The job's script; a job made elsewhere from a topic or prompt shows that text instead."""
    source = JobInput.model_validate_json(job.source)
    return source.script or source.prompt or source.topic_text or source.topic


async def project_out(request: Request, user: Principal, project: Project) -> ProjectOut:
    assert project.id is not None
    return ProjectOut(
        id=project.id,
        user_id=await numbering.number_for(request.app.state.runtime, "user", user.user_id),
        name=project.name,
        description=project.description,
        created_at=naive_utc(project.created_at),
        updated_at=naive_utc(project.updated_at),
    )


async def job_uuid(request: Request, user: Principal, number: int) -> UUID:
    """The UUID of the user's job numbered `number`; NotFound for a number that is not theirs."""
    ref = await numbering.ref_for(request.app.state.runtime, "job", number)
    if ref is None:
        raise NotFound("Job not found")
    job = await jobs.get_job(request.app.state.runtime, user, UUID(ref))
    return job.id


# ---- routes ------------------------------------------------------------------------------

router = APIRouter()


@router.post("/auth/register", status_code=201, tags=["auth"])
async def register(data: Register, request: Request) -> UserOut:
    user = await register_account(request, data.model_dump(mode="json"))
    return UserOut(
        id=await numbering.number_for(request.app.state.runtime, "user", user["id"]),
        email=user["email"],
        username=user["username"],
        is_active=user["is_active"],
        created_at=naive_utc(datetime.fromisoformat(user["created_at"])),
    )


@router.post("/auth/login", tags=["auth"])
async def login(data: Login, request: Request) -> Tokens:
    pair = await log_in(request, data.email, data.password)
    return Tokens(access_token=pair["access_token"], refresh_token=pair["refresh_token"])


@router.post("/auth/refresh", tags=["auth"])
async def refresh(data: Refresh, request: Request) -> Tokens:
    pair = await call_auth(request, "POST", "/refresh", {"refresh_token": data.refresh_token})
    return Tokens(access_token=pair["access_token"], refresh_token=pair["refresh_token"])


@router.post("/projects/", status_code=201, tags=["projects"])
async def create_project(data: ProjectIn, user: CurrentUser, runtime: RuntimeDep, request: Request) -> ProjectOut:
    project = await projects.create_project(runtime, user, data.name, data.description)
    return await project_out(request, user, project)


@router.get("/projects/", tags=["projects"])
async def list_projects(
    user: CurrentUser,
    runtime: RuntimeDep,
    request: Request,
    skip: Annotated[int, Query(ge=0, le=MAX_SKIP)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 100,
) -> list[ProjectOut]:
    rows, _total = await projects.list_projects(runtime, user, page=1, limit=skip + limit)
    return [await project_out(request, user, project) for project in rows[skip:]]


@router.get("/projects/{project_id}", tags=["projects"])
async def get_project(project_id: int, user: CurrentUser, runtime: RuntimeDep, request: Request) -> ProjectOut:
    return await project_out(request, user, await projects.get_project(runtime, user, project_id))


@router.put("/projects/{project_id}", tags=["projects"])
async def update_project(
    project_id: int, data: ProjectUpdate, user: CurrentUser, runtime: RuntimeDep, request: Request
) -> ProjectOut:
    changes = data.model_dump(exclude_unset=True)
    project = await projects.update_project(runtime, user, project_id, **changes)
    return await project_out(request, user, project)


@router.delete("/projects/{project_id}", status_code=204, tags=["projects"])
async def delete_project(project_id: int, user: CurrentUser, runtime: RuntimeDep) -> Response:
    await projects.delete_project(runtime, user, project_id)
    return Response(status_code=204)


@router.post("/jobs/", status_code=201, tags=["jobs"])
async def create_job(data: JobIn, user: CurrentUser, runtime: RuntimeDep, request: Request) -> JobOut:
    job = await submission.submit_job(runtime, user, native_request(data))
    return await job_out(request, user, job)


@router.get("/jobs/", tags=["jobs"])
async def list_jobs(
    user: CurrentUser,
    runtime: RuntimeDep,
    request: Request,
    skip: Annotated[int, Query(ge=0, le=MAX_SKIP)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 100,
    status: StudioStatus | None = None,
) -> list[JobOut]:
    rows, _total = await jobs.list_jobs(runtime, user, 1, skip + limit, status)
    return await jobs_out(request, user, rows[skip:])


@router.post("/jobs/estimate-cost", tags=["jobs"])
async def estimate_cost(data: EstimateIn, user: CurrentUser, request: Request) -> EstimateOut:
    """What a film of this shape would cost: the same estimate a job stores and the cost limits check."""
    config = JobConfig(
        num_images=data.num_images,
        video_duration=data.video_duration,
        include_voice=data.include_voice,
        include_music=data.include_music,
    )
    native = native_request(JobIn(script=ESTIMATE_PROMPT, config=config))
    source = native.source().model_copy(update={"script": None, "prompt": ESTIMATE_PROMPT})
    settings = request.app.state.settings
    cost = admission.price_job(settings, settings, source, native.render_options())
    return EstimateOut(estimated_cost=cost.total, breakdown=cost.model_dump())


@router.post("/jobs/signed-url", tags=["jobs"])
async def signed_url(data: SignedUrlIn, user: CurrentUser, downloads: DownloadsDep, request: Request) -> SignedUrlOut:
    """A link that downloads the finished film without credentials until `expires_at`."""
    signed = await downloads.signed(user, await job_uuid(request, user, data.job_id))
    return SignedUrlOut(url=signed.url, expires_at=naive_utc(signed.expires_at))


@router.get("/jobs/{job_id}", tags=["jobs"])
async def get_job(job_id: int, user: CurrentUser, runtime: RuntimeDep, request: Request) -> JobOut:
    return await job_out(request, user, await jobs.get_job(runtime, user, await job_uuid(request, user, job_id)))


@router.patch("/jobs/{job_id}", tags=["jobs"])
async def update_job(job_id: int, data: JobPatch, user: CurrentUser, runtime: RuntimeDep, request: Request) -> JobOut:
    """Users may move a job between projects, retitle it, or cancel it; status and progress belong to the pipeline."""
    uuid = await job_uuid(request, user, job_id)
    changes = data.model_dump(exclude_unset=True)
    status = changes.pop("status", None)
    if "progress" in changes or (status is not None and status != "cancelled"):
        raise Forbidden("status and progress are set by the pipeline; a user may only set status to 'cancelled'")
    if changes:
        await submission.edit_job(runtime, user, uuid, **changes)
    if status == "cancelled":
        await jobs.cancel_job(runtime, user, uuid)
    return await job_out(request, user, await jobs.get_job(runtime, user, uuid))


@router.post("/jobs/{job_id}/cancel", tags=["jobs"])
async def cancel_job(job_id: int, user: CurrentUser, runtime: RuntimeDep, request: Request) -> JobOut:
    return await job_out(request, user, await jobs.cancel_job(runtime, user, await job_uuid(request, user, job_id)))


# ---- the application ----------------------------------------------------------------------


def shape(failure: Failure) -> JSONResponse:
    """`{"detail": "..."}`; invalid input and clashes are the seed's 400, not 422/409."""
    status = STATUS_BY_NATIVE.get(failure.status, failure.status)
    return JSONResponse({"detail": failure.message}, status_code=status, headers=failure.headers)


def create_app(parent: FastAPI) -> FastAPI:
    app = dialect_app(
        parent, "Reelforge studio API (seed 001)", "Projects and script jobs with integer ids.", shape=shape
    )
    app.include_router(router)
    return app
