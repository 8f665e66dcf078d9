"""Creating and editing jobs on behalf of a request: resolving the project and upload a request names.

The dialects and the native routes all submit through here, so a project or an upload
is always checked against its owner in one place: someone else's is simply not found.
"""

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from libs.common.errors import InvalidInput, NotFound, ReelforgeError
from libs.common.events import now
from libs.common.http_errors import field_errors
from libs.common.runtime import Runtime
from services.gateway.core import jobs, projects, uploads
from services.gateway.core.idempotency import Idempotency, first_job
from services.gateway.core.schemas import BatchItem, BatchPublic, JobBatch, JobCreate, JobPublic
from services.gateway.core.security import Principal
from services.gateway.core.store import Job

EDITABLE = frozenset({"title", "description", "project_id"})


async def submit_job(
    runtime: Runtime,
    user: Principal,
    data: JobCreate,
    also: Callable[[AsyncSession], Awaitable[None]] | None = None,
    idempotency: Idempotency | None = None,
) -> Job:
    """Create the job `data` describes; `also(session)` runs in the same transaction (e.g. counting a template use).

    With `idempotency`, the job its key already created is returned instead (see `idempotency`).
    """
    if idempotency is not None and (first := await first_job(runtime, user, idempotency)) is not None:
        return first
    source = data.source()
    if data.upload_id is not None:
        upload = await uploads.get_upload(runtime, user, data.upload_id)
        source = source.model_copy(update={"reference_image_key": upload.key})
    project_id = await project_public_id(runtime, user, data.project_id)
    return await jobs.create_job(
        runtime, user, source, data.render_options(), project_id=project_id, also=also, idempotency=idempotency
    )


async def submit_batch(runtime: Runtime, user: Principal, batch: JobBatch, key: str | None = None) -> BatchPublic:
    """Create every job of `batch`, `variants` of each body; a body refused (invalid, over a limit) refuses itself only.

    With an `Idempotency-Key`, each job gets `key/index/variant`, so the same batch sent again creates nothing new.
    """
    items: list[BatchItem] = []
    for index, body in enumerate(batch.jobs):
        try:
            data = JobCreate.model_validate(body)
        except ValidationError as error:
            first = field_errors(error.errors())[0]
            field = f"jobs[{index}].{first['field']}"
            refused = f"{field}: {first['message']}"
            items += [_refused(index, variant, refused, field) for variant in range(batch.variants)]
            continue
        for variant in range(batch.variants):
            idempotency = Idempotency.of(f"{key}/{index}/{variant}", data) if key else None
            try:
                job = await submit_job(runtime, user, data, idempotency=idempotency)
            except ReelforgeError as error:
                named = getattr(error, "field", None)
                where = f"jobs[{index}].{named}" if named else None
                items.append(_refused(index, variant, f"{where}: {error.message}" if where else error.message, where))
                continue
            items.append(BatchItem(index=index, variant=variant, job=JobPublic.of(job), error=None, field=None))
    accepted = sum(item.job is not None for item in items)
    return BatchPublic(accepted=accepted, refused=len(items) - accepted, items=items)


def _refused(index: int, variant: int, error: str, field: str | None) -> BatchItem:
    return BatchItem(index=index, variant=variant, job=None, error=error, field=field)


async def project_public_id(runtime: Runtime, user: Principal, ref: int | UUID | str | None) -> UUID | None:
    """The `public_id` of the user's project `ref` (integer id or UUID); None for no project."""
    if ref is None:
        return None
    return (await projects.get_project(runtime, user, ref)).public_id


async def edit_job(runtime: Runtime, user: Principal, job_id: UUID, **changes: Any) -> Job:
    """Change the user-editable fields of a job: `title`, `description`, `project_id` (None leaves the project)."""
    unknown = set(changes) - EDITABLE
    if unknown:
        field = sorted(unknown)[0]
        raise InvalidInput(f"{field} cannot be changed; editable: {', '.join(sorted(EDITABLE))}", field=field)
    await jobs.get_job(runtime, user, job_id)
    if "project_id" in changes:
        changes["project_id"] = await project_public_id(runtime, user, changes["project_id"])
    async with runtime.db.transaction() as session:
        job = await session.get(Job, job_id)
        if job is None:
            raise NotFound("Job not found")
        for name, value in changes.items():
            setattr(job, name, value)
        job.updated_at = now()
        session.add(job)
    return job
