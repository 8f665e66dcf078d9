"""The notifier's delivery log: one row per final job event."""

from datetime import datetime
from uuid import UUID, uuid4

from sqlmodel import Field, SQLModel

from libs.common.events import now


class Notification(SQLModel, table=True):
    __tablename__ = "notifications"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    event_id: UUID = Field(unique=True)
    job_id: UUID = Field(index=True)
    user_id: str = Field(index=True)
    event: str
    status: str
    created_at: datetime = Field(default_factory=now)


TABLES = [Notification.__table__]  # type: ignore[attr-defined]
