"""What a user's tier allows, checked before a job is accepted: video length, storage, jobs per hour.

Storage used is the sum of the user's finished videos and uploaded images, both of which the
gateway records with their sizes. Spending limits (per job, per user per day) are checked by the
cost estimate's own code (`libs/common/pricing.py`, `CostLimits`).
"""

from sqlalchemy import func
from sqlmodel import col, select

from libs.common.errors import QuotaExceeded
from libs.common.events import JobInput, RenderOptions, VideoOutput
from libs.common.pacing import planned_seconds
from libs.common.runtime import Runtime
from services.gateway.core import ratelimit, uploads
from services.gateway.core.security import Principal
from services.gateway.core.store import Job

GIB = 1024**3


def storage_limit(runtime: Runtime, user: Principal) -> int:
    return int(runtime.settings.storage_limit_bytes.get(user.tier, runtime.settings.storage_limit_bytes["FREE"]))


async def storage_used(runtime: Runtime, user: Principal) -> int:
    """Bytes of the user's finished videos plus uploaded images."""
    async with runtime.db.sessions() as session:
        outputs = await session.exec(
            select(Job.output).where(Job.user_id == user.user_id, col(Job.output).is_not(None))
        )
        videos = sum(VideoOutput.model_validate_json(output).size_bytes for output in outputs.all() if output)
        images = await session.exec(
            select(func.coalesce(func.sum(uploads.Upload.size_bytes), 0)).where(uploads.Upload.user_id == user.user_id)
        )
        return videos + int(images.one())


def describe(size: int) -> str:
    return f"{size / GIB:g} GiB" if size >= GIB else f"{size / 1024**2:g} MiB"


async def ensure_storage_left(runtime: Runtime, user: Principal, adding: int = 0) -> None:
    """QuotaExceeded (403, field `storage`) when the user's files already fill, or `adding` would pass, the limit."""
    limit = storage_limit(runtime, user)
    used = await storage_used(runtime, user)
    if used + adding > limit or used >= limit:
        raise QuotaExceeded(
            f"Storage limit reached: {describe(used)} used of {describe(limit)} on the {user.tier} tier; "
            "delete jobs or uploads to make room",
            field="storage",
        )


async def admit_job(runtime: Runtime, user: Principal, source: JobInput, options: RenderOptions) -> None:
    """Refuse a job the user's tier does not allow (403 naming the limit), then count it (429 past the hourly cap)."""
    settings = runtime.settings
    longest = int(settings.max_job_duration_s.get(user.tier, settings.max_job_duration_s["FREE"]))
    wanted = planned_seconds(source, options)
    if longest and wanted > longest:
        raise QuotaExceeded(
            f"duration: a {wanted:.0f} s video is longer than the {user.tier} tier's limit of {longest} s",
            field="duration",
        )
    await ensure_storage_left(runtime, user)
    per_hour = int(settings.jobs_per_hour.get(user.tier, settings.jobs_per_hour["FREE"]))
    budget = ratelimit.Budget(f"jobs:{user.user_id}:hour", per_hour, ratelimit.HOUR)
    await ratelimit.charge(runtime.db, [budget], f"jobs created this hour on the {user.tier} tier")


async def store_upload(runtime: Runtime, user: Principal, data: bytes, filename: str | None) -> uploads.Upload:
    """Save an upload if it fits in what is left of the user's storage (403 naming `storage` if not)."""
    await ensure_storage_left(runtime, user, len(data))
    return await uploads.save_upload(runtime, user, data, filename)
