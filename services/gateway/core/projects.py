"""Projects: a user's named folders of jobs, the core every dialect's project routes adapt.

A project has two identities: an autoincrement integer `id` for clients that count
(seed 001) and a `public_id` UUID for clients that expect UUIDs (seed 003). Either finds
it. A job's `project_id` column holds the project's `public_id`. Another user's project
is not found, exactly like one that does not exist.
"""

import json
from datetime import datetime
from typing import Any, Literal, get_args
from uuid import UUID, uuid4

from sqlalchemy import func, update
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from libs.common.errors import InvalidInput, NotFound
from libs.common.events import now
from libs.common.runtime import Runtime
from services.gateway.core.security import Principal
from services.gateway.core.store import Job

ProjectStatus = Literal["draft", "active", "archived"]
PROJECT_STATUSES: tuple[str, ...] = get_args(ProjectStatus)
MAX_ID = 2**31 - 1  # the integer column's range; a larger id cannot exist
EDITABLE = frozenset({"name", "description", "status", "settings"})


class Project(SQLModel, table=True):
    __tablename__ = "projects"

    id: int | None = Field(default=None, primary_key=True)
    public_id: UUID = Field(default_factory=uuid4, unique=True, index=True)
    user_id: str = Field(index=True)
    name: str
    description: str | None = None
    status: str = Field(default="draft", index=True)
    settings: str = "{}"  # free-form JSON object kept for the client
    created_at: datetime = Field(default_factory=now, index=True)
    updated_at: datetime = Field(default_factory=now)


TABLES = [Project.__table__]  # type: ignore[attr-defined]


def project_reference(ref: int | UUID | str) -> int | UUID | None:
    """An integer id or a UUID from whatever a client sent; None when it is neither."""
    if isinstance(ref, UUID):
        return ref
    if isinstance(ref, int):
        return ref if 0 < ref <= MAX_ID else None
    text = ref.strip()
    if text.isdigit():
        return int(text) if int(text) <= MAX_ID else None
    try:
        return UUID(text)
    except ValueError:
        return None


async def create_project(
    runtime: Runtime,
    user: Principal,
    name: str,
    description: str | None = None,
    status: ProjectStatus = "draft",
    settings: dict[str, Any] | None = None,
) -> Project:
    project = Project(
        user_id=user.user_id,
        name=name,
        description=description,
        status=_checked_status(status),
        settings=json.dumps(settings or {}),
    )
    async with runtime.db.transaction() as session:
        session.add(project)
        await session.flush()
        await session.refresh(project)
    return project


async def list_projects(
    runtime: Runtime, user: Principal, page: int = 1, limit: int = 20, status: str | None = None
) -> tuple[list[Project], int]:
    """One page of the user's projects, newest first, and how many there are in all."""
    mine = select(Project).where(Project.user_id == user.user_id)
    if status is not None:
        mine = mine.where(Project.status == _checked_status(status))
    async with runtime.db.sessions() as session:
        total = (await session.exec(select(func.count()).select_from(mine.subquery()))).one()
        ordered = mine.order_by(col(Project.created_at).desc(), col(Project.id).desc())
        rows = await session.exec(ordered.offset((page - 1) * limit).limit(limit))
        return list(rows.all()), total


async def get_project(runtime: Runtime, user: Principal, ref: int | UUID | str) -> Project:
    """The project by integer id or UUID; NotFound when it is missing or someone else's."""
    key = project_reference(ref)
    async with runtime.db.sessions() as session:
        project = await _find(session, key)
    if project is None or project.user_id != user.user_id:
        raise NotFound("Project not found")
    return project


async def update_project(runtime: Runtime, user: Principal, ref: int | UUID | str, **changes: Any) -> Project:
    """Change any of name, description, status and settings; other keys are refused."""
    unknown = set(changes) - EDITABLE
    if unknown:
        field = sorted(unknown)[0]
        raise InvalidInput(f"{field} cannot be changed; editable: {', '.join(sorted(EDITABLE))}", field=field)
    if changes.get("status") is not None:
        _checked_status(changes["status"])
    if "name" in changes and not (changes["name"] or "").strip():
        raise InvalidInput("name must not be empty", field="name")
    key = project_reference(ref)
    async with runtime.db.transaction() as session:
        project = await _find(session, key)
        if project is None or project.user_id != user.user_id:
            raise NotFound("Project not found")
        for name, value in changes.items():
            if name == "settings":
                value = json.dumps(value or {})
            elif name == "status" and value is None:
                continue
            setattr(project, name, value)
        project.updated_at = now()
        session.add(project)
    return project


async def delete_project(runtime: Runtime, user: Principal, ref: int | UUID | str) -> None:
    """Delete the project; its jobs stay (with their videos) and simply belong to no project."""
    key = project_reference(ref)
    async with runtime.db.transaction() as session:
        project = await _find(session, key)
        if project is None or project.user_id != user.user_id:
            raise NotFound("Project not found")
        await session.exec(update(Job).where(col(Job.project_id) == project.public_id).values(project_id=None))
        await session.delete(project)


async def clip_count(runtime: Runtime, project: Project) -> int:
    """How many jobs the project holds."""
    counts = await clip_counts(runtime, [project])
    return counts[project.public_id]


async def clip_counts(runtime: Runtime, projects: list[Project]) -> dict[UUID, int]:
    """Jobs per project for a whole page at once, keyed by `public_id` (0 for an empty project)."""
    ids = [project.public_id for project in projects]
    counts = dict.fromkeys(ids, 0)
    if not ids:
        return counts
    query = select(Job.project_id, func.count()).where(col(Job.project_id).in_(ids)).group_by(col(Job.project_id))
    async with runtime.db.sessions() as session:
        for project_id, count in (await session.exec(query)).all():
            if project_id is not None:  # never, given the filter; the column itself is nullable
                counts[project_id] = count
    return counts


async def project_jobs(runtime: Runtime, user: Principal, project: Project) -> list[Job]:
    """The project's jobs, newest first."""
    query = select(Job).where(Job.user_id == user.user_id, Job.project_id == project.public_id)
    async with runtime.db.sessions() as session:
        return list((await session.exec(query.order_by(col(Job.created_at).desc()))).all())


def project_settings(project: Project) -> dict[str, Any]:
    return json.loads(project.settings or "{}")


async def _find(session: AsyncSession, key: int | UUID | None) -> Project | None:
    if key is None:
        return None
    if isinstance(key, int):
        return await session.get(Project, key)
    return (await session.exec(select(Project).where(Project.public_id == key))).first()


def _checked_status(status: str) -> str:
    if status not in PROJECT_STATUSES:
        allowed = ", ".join(f"'{value}'" for value in PROJECT_STATUSES)
        raise InvalidInput(f"status must be one of {allowed}", field="status")
    return status
