"""Projects under /api/v1: folders of jobs with a status, found by integer id or UUID."""

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from services.gateway.core import projects
from services.gateway.core.projects import Project, ProjectStatus
from services.gateway.core.schemas import JobPublic
from services.gateway.http.deps import CurrentUser, PageNumber, RuntimeDep

router = APIRouter(prefix="/projects", tags=["projects"])
ProjectRef = Annotated[str, "the project's integer id or its UUID"]


class ProjectCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2000)
    status: ProjectStatus = "draft"
    settings: dict[str, Any] = Field(default_factory=dict, description="Anything your client wants kept.")


class ProjectUpdate(BaseModel):
    """Only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2000)
    status: ProjectStatus | None = None
    settings: dict[str, Any] | None = None


class ProjectPublic(BaseModel):
    id: int
    public_id: UUID
    name: str
    description: str | None
    status: ProjectStatus
    settings: dict[str, Any]
    clip_count: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, project: Project, clip_count: int) -> "ProjectPublic":
        assert project.id is not None
        return cls(
            id=project.id,
            public_id=project.public_id,
            name=project.name,
            description=project.description,
            status=project.status,
            settings=projects.project_settings(project),
            clip_count=clip_count,
            created_at=project.created_at,
            updated_at=project.updated_at,
        )


class ProjectPage(BaseModel):
    items: list[ProjectPublic]
    total: int
    page: int
    limit: int


@router.post("", status_code=201)
async def create_project(data: ProjectCreate, user: CurrentUser, runtime: RuntimeDep) -> ProjectPublic:
    project = await projects.create_project(runtime, user, data.name, data.description, data.status, data.settings)
    return ProjectPublic.of(project, 0)


@router.get("")
async def list_projects(
    user: CurrentUser,
    runtime: RuntimeDep,
    page: PageNumber = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    status: ProjectStatus | None = None,
) -> ProjectPage:
    """Your projects, newest first, each with how many jobs it holds."""
    rows, total = await projects.list_projects(runtime, user, page, limit, status)
    counts = await projects.clip_counts(runtime, rows)
    items = [ProjectPublic.of(project, counts[project.public_id]) for project in rows]
    return ProjectPage(items=items, total=total, page=page, limit=limit)


@router.get("/{project_id}")
async def get_project(project_id: ProjectRef, user: CurrentUser, runtime: RuntimeDep) -> ProjectPublic:
    project = await projects.get_project(runtime, user, project_id)
    return ProjectPublic.of(project, await projects.clip_count(runtime, project))


@router.patch("/{project_id}")
async def update_project(
    project_id: ProjectRef, data: ProjectUpdate, user: CurrentUser, runtime: RuntimeDep
) -> ProjectPublic:
    project = await projects.update_project(runtime, user, project_id, **data.model_dump(exclude_unset=True))
    return ProjectPublic.of(project, await projects.clip_count(runtime, project))


@router.delete("/{project_id}", status_code=204)
async def delete_project(project_id: ProjectRef, user: CurrentUser, runtime: RuntimeDep) -> Response:
    """Delete the project; its jobs stay, in no project."""
    await projects.delete_project(runtime, user, project_id)
    return Response(status_code=204)


@router.get("/{project_id}/jobs")
async def project_jobs(project_id: ProjectRef, user: CurrentUser, runtime: RuntimeDep) -> list[JobPublic]:
    """The project's jobs, newest first."""
    project = await projects.get_project(runtime, user, project_id)
    return [JobPublic.of(job) for job in await projects.project_jobs(runtime, user, project)]
