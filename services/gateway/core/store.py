"""The gateway's tables: the jobs projection users read, each job's event history, and each user's spending days."""

from datetime import date, datetime
from uuid import UUID, uuid4

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from libs.common.events import now


class Job(SQLModel, table=True):
    __tablename__ = "jobs"
    __table_args__ = (UniqueConstraint("user_id", "idempotency_key", name="uq_jobs_user_idempotency_key"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    user_id: str = Field(index=True)
    status: str = Field(default="pending", index=True)
    progress: int = 0
    stage: str | None = None
    message: str = "Job created"
    source: str  # JobInput as JSON
    options: str  # RenderOptions as JSON
    title: str | None = None
    description: str | None = None
    story_text: str | None = None
    storyboard: str | None = None  # Storyboard as JSON
    output: str | None = None  # VideoOutput as JSON
    error: str | None = None
    error_code: str | None = None
    moderation_status: str | None = None
    moderation_score: float | None = None
    redrives: int = Field(default=0, description="How often the reconciler sent the job through the pipeline again.")
    project_id: UUID | None = Field(None, index=True)
    estimated_cost: str | None = None  # CostBreakdown as JSON, priced before the job started
    actual_cost: str = "{}"  # CostBreakdown as JSON, summed from the stages' completion events
    stage_costs: str = Field(
        default="{}",
        sa_column_kwargs={"server_default": "{}"},  # also for a gateway of the release before, inserting without it
        description="What each piece of the job's work reported costing, counted once each: a JSON object from "
        "`story/v1`, `images/v1`, `audio/v1`, `render/v1`, … (see `projection.count_cost`) to a CostBreakdown.",
    )
    created_at: datetime = Field(default_factory=now, index=True)
    updated_at: datetime = Field(default_factory=now, index=True)
    completed_at: datetime | None = None
    idempotency_key: str | None = Field(None, description="The `Idempotency-Key` the job was created with.")
    request_digest: str | None = Field(None, description="SHA-256 of the request that key was first used for.")


class JobEvent(SQLModel, table=True):
    """What happened to a job, in order; progress streams replay and follow this table."""

    __tablename__ = "job_events"

    id: int | None = Field(default=None, primary_key=True)
    job_id: UUID = Field(index=True)
    kind: str
    status: str
    progress: int
    stage: str | None = None
    message: str
    created_at: datetime = Field(default_factory=now)


class BusLife(SQLModel, table=True):
    """A life of the broker this gateway has known, by its epoch marker (see `libs.common.bus.bus_epoch`)."""

    __tablename__ = "bus_lives"

    marker: str = Field(primary_key=True)
    seen_at: datetime = Field(default_factory=now)


class SpendingDay(SQLModel, table=True):
    """One user's UTC day of job admissions: its row is locked while a job is checked against the daily cost
    limit and stored, so the gateways admit one job of the user's day at a time (see `admission.check_limits`)."""

    __tablename__ = "spending_days"

    user_id: str = Field(primary_key=True)
    day: date = Field(primary_key=True)
    jobs_admitted: int = 0


TABLES = [Job.__table__, JobEvent.__table__, BusLife.__table__, SpendingDay.__table__]  # type: ignore[attr-defined]
