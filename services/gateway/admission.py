"""What is checked before a job starts: its picture model is usable here, and it fits the spending limits.

Every dialect creates jobs through `jobs.create_job`, which calls `admit`; the same estimate is
what `POST /jobs/estimate-cost` answers and what the job stores as `estimated_cost`.
"""

from datetime import UTC, datetime, time

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from libs.common.errors import InvalidInput
from libs.common.events import CostBreakdown, JobInput, RenderOptions
from libs.common.models import configured_providers, get_model, unavailable_reason
from libs.common.pacing import MAX_SPEED_UP, MAX_VIDEO_SECONDS, requested_seconds, shortest_fit, spoken_seconds
from libs.common.pricing import CostLimits, Prices, estimate
from libs.common.settings import ProviderSettings
from libs.common.vocabulary import FINAL_STATUSES
from services.gateway.store import Job


def price_job(keys: ProviderSettings, prices: Prices, source: JobInput, options: RenderOptions) -> CostBreakdown:
    """The job's estimated cost; a `model_id` whose provider has no key configured is refused (422), and so is
    a script that cannot be spoken within its requested length."""
    check_script_fits(source, options)
    configured = configured_providers(keys)
    if options.model_id is not None:
        model = get_model(options.model_id)
        reason = unavailable_reason(model, configured) if model is not None else f"unknown model {options.model_id}"
        if reason is not None:
            raise InvalidInput(f"{reason}; see GET /api/v1/models", field="model_id")
    return estimate(source, options, configured, prices)


def check_script_fits(source: JobInput, options: RenderOptions) -> None:
    """Refuse (422 naming `duration`) a script whose narration would not fit its requested length even spoken
    faster: the user's words are never cut, so the video would overrun what was asked."""
    if source.script is None:
        return
    requested = requested_seconds(source, options)
    spoken = spoken_seconds(source.script, options.language)
    limit = requested if requested is not None else MAX_VIDEO_SECONDS
    if shortest_fit(spoken) > limit:
        asked = f"the requested {requested} s" if requested is not None else f"the longest video, {limit} s,"
        raise InvalidInput(
            f"The script takes about {spoken:.0f} s to narrate in {options.language}, which does not fit {asked} "
            f"even spoken {round((MAX_SPEED_UP - 1) * 100)} % faster; ask for at least "
            f"{shortest_fit(spoken):.0f} s, or shorten the script",
            field="duration",
        )


async def spent_today(session: AsyncSession, user_id: str) -> float:
    """What the user's jobs of this UTC day cost: what ended jobs spent, the larger of estimate and spend
    for jobs still running."""
    midnight = datetime.combine(datetime.now(UTC).date(), time.min, tzinfo=UTC)
    rows = await session.exec(
        select(Job.status, Job.estimated_cost, Job.actual_cost).where(
            Job.user_id == user_id, col(Job.created_at) >= midnight
        )
    )
    total = 0.0
    for status, estimated, actual in rows.all():
        spent = CostBreakdown.model_validate_json(actual or "{}").total
        planned = CostBreakdown.model_validate_json(estimated).total if estimated else 0.0
        total += spent if status in FINAL_STATUSES else max(spent, planned)
    return total


async def check_limits(session: AsyncSession, limits: CostLimits, user_id: str, cost: CostBreakdown) -> None:
    """Refuse (422, naming the limit and its setting) a job over the per-job or the per-user daily limit."""
    per_job, per_day = limits.cost_limit_per_job_usd, limits.cost_limit_per_user_day_usd
    if per_job and cost.total > per_job:
        raise InvalidInput(
            f"This job would cost about ${cost.total:.2f}, over the limit of ${per_job:.2f} per job "
            "(REELFORGE_COST_LIMIT_PER_JOB_USD); ask for fewer scenes, a shorter video or an offline model",
            field="cost_limit_per_job_usd",
        )
    if per_day:
        spent = await spent_today(session, user_id)
        if spent + cost.total > per_day:
            raise InvalidInput(
                f"This job (about ${cost.total:.2f}) would take today's spending to ${spent + cost.total:.2f}, "
                f"over the limit of ${per_day:.2f} per user per day (REELFORGE_COST_LIMIT_PER_USER_DAY_USD); "
                "try again tomorrow (UTC) or ask for a cheaper job",
                field="cost_limit_per_user_day_usd",
            )
