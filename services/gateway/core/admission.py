"""What is checked before a job starts: its picture model is usable here, and it fits the spending limits.

Every dialect creates jobs through `jobs.create_job`, which calls `check_limits` in the transaction that
stores the job; the same estimate is what `POST /jobs/estimate-cost` answers and what the job stores as
`estimated_cost`.
"""

from datetime import UTC, date, datetime, time

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from libs.common.errors import InvalidInput
from libs.common.events import CostBreakdown, JobInput, RenderOptions
from libs.common.models import configured_providers, get_model, unavailable_reason
from libs.common.pacing import MAX_SPEED_UP, MAX_VIDEO_SECONDS, requested_seconds, shortest_fit, spoken_seconds
from libs.common.pricing import CostLimits, Prices, estimate
from libs.common.settings import ProviderSettings
from libs.common.vocabulary import FINAL_STATUSES
from services.gateway.core.store import Job, SpendingDay


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


async def spent_today(session: AsyncSession, user_id: str, today: date | None = None) -> float:
    """What the user's jobs of this UTC day cost: what ended jobs spent, the larger of estimate and spend
    for jobs still running."""
    midnight = datetime.combine(today or datetime.now(UTC).date(), time.min, tzinfo=UTC)
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


async def hold_the_day(session: AsyncSession, user_id: str, today: date) -> None:
    """Lock the user's day until `session` commits: count one more job admitted on its `SpendingDay` row, made
    if missing. A second admission for the same user and day, in any gateway replica, waits here for the
    first to commit (PostgreSQL's row lock; on SQLite the write takes the file's one write lock), then reads
    the day's spending with the first job in it."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(SpendingDay).values(user_id=user_id, day=today, jobs_admitted=1)
    await session.exec(
        statement.on_conflict_do_update(
            index_elements=[SpendingDay.user_id, SpendingDay.day],
            set_={"jobs_admitted": SpendingDay.jobs_admitted + 1},
        )
    )


async def check_limits(session: AsyncSession, limits: CostLimits, user_id: str, cost: CostBreakdown) -> None:
    """Refuse (422, naming the limit and its setting) a job over the per-job or the per-user daily limit.

    Called in the transaction that stores the job: the daily check holds the user's day (`hold_the_day`)
    until that transaction ends, so jobs admitted at once, through any replica, never together pass the limit.
    """
    per_job, per_day = limits.cost_limit_per_job_usd, limits.cost_limit_per_user_day_usd
    if per_job and cost.total > per_job:
        raise InvalidInput(
            f"This job would cost about ${cost.total:.2f}, over the limit of ${per_job:.2f} per job "
            "(REELFORGE_COST_LIMIT_PER_JOB_USD); ask for fewer scenes, a shorter video or an offline model",
            field="cost_limit_per_job_usd",
        )
    if per_day:
        today = datetime.now(UTC).date()
        await hold_the_day(session, user_id, today)
        spent = await spent_today(session, user_id, today)
        if spent + cost.total > per_day:
            raise InvalidInput(
                f"This job (about ${cost.total:.2f}) would take today's spending to ${spent + cost.total:.2f}, "
                f"over the limit of ${per_day:.2f} per user per day (REELFORGE_COST_LIMIT_PER_USER_DAY_USD); "
                "try again tomorrow (UTC) or ask for a cheaper job",
                field="cost_limit_per_user_day_usd",
            )
