"""The notifier's tables: users' webhook endpoints and the delivery log (one row per message).

A message is due when `next_attempt_at <= now` and it is `pending`, or `sending` with an expired
lease (its replica died mid-attempt). Claiming sets the lease in the same short transaction, with
`FOR UPDATE SKIP LOCKED` on PostgreSQL, so two replicas never make the same attempt.
"""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID

from sqlalchemy import Index, func, update
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from libs.common.db import Database
from libs.common.events import now

EndpointStatus = Literal["active", "disabled"]
MessageStatus = Literal["pending", "sending", "delivered", "failed", "endpoint_disabled"]
DUE_STATUSES = ("pending", "sending")


class WebhookEndpoint(SQLModel, table=True):
    __tablename__ = "webhook_endpoints"

    id: UUID = Field(primary_key=True)
    user_id: str = Field(index=True)
    url: str
    secret: str  # whsec_...; never logged
    events: str  # JSON list of webhook event names
    status: str = "active"
    disabled_reason: str | None = None
    failures_since_success: int = 0
    last_success_at: datetime | None = None
    created_at: datetime = Field(default_factory=now)

    def subscribes_to(self, event: str) -> bool:
        return event in json.loads(self.events)


class WebhookMessage(SQLModel, table=True):
    """One webhook to one endpoint; its id is the `webhook-id` every attempt carries."""

    __tablename__ = "webhook_messages"
    __table_args__ = (Index("ix_webhook_messages_due", "status", "next_attempt_at"),)

    id: str = Field(primary_key=True)
    endpoint_id: UUID = Field(index=True)
    user_id: str
    event: str
    job_id: UUID | None = None
    payload: str  # the exact body every attempt sends
    traceparent: str
    status: str = "pending"
    attempts: int = 0
    schedule_step: int = 0  # index in the retry schedule of the next scheduled attempt
    next_attempt_at: datetime | None = None
    last_http_status: int | None = None
    last_error: str | None = None
    created_at: datetime = Field(default_factory=now)
    updated_at: datetime = Field(default_factory=now)


TABLES = [WebhookEndpoint.__table__, WebhookMessage.__table__]  # type: ignore[attr-defined]


@dataclass(frozen=True)
class DueAttempt:
    """A claimed attempt: everything the sender needs, detached from any session."""

    message_id: str
    attempt_number: int
    endpoint_id: UUID
    url: str
    secret: str
    payload: str
    traceparent: str | None = None
    """The job's trace, sent as the `traceparent` header so the receiver can join it."""


async def claim_due(db: Database, limit: int, lease: timedelta) -> list[DueAttempt]:
    """Claim up to `limit` due messages for one attempt each; the lease covers the attempt's duration.

    Replicas skip rows another one has locked, and each claim is a compare-and-set on the attempt
    count, so even where rows cannot be locked (SQLite) no attempt is handed out twice.
    """
    at = now()
    async with db.transaction() as session:
        query = (
            select(WebhookMessage)
            .where(col(WebhookMessage.status).in_(DUE_STATUSES), col(WebhookMessage.next_attempt_at) <= at)
            .order_by(col(WebhookMessage.next_attempt_at))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        messages = list((await session.exec(query)).all())
        endpoints = await endpoints_by_id(session, {message.endpoint_id for message in messages})
        claimed = []
        for message in messages:
            endpoint, attempt = endpoints.get(message.endpoint_id), message.attempts + 1
            if endpoint is None or not await _lease(session, message.id, attempt, at + lease):
                continue  # removed in the meantime, or claimed by another replica
            secret, payload, trace = endpoint.secret, message.payload, message.traceparent
            claimed.append(DueAttempt(message.id, attempt, endpoint.id, endpoint.url, secret, payload, trace))
    return claimed


async def _lease(session: AsyncSession, message_id: str, attempt: int, until: datetime) -> bool:
    """Take attempt number `attempt` of the message, unless another replica took it since we read it."""
    statement = (
        update(WebhookMessage)
        .where(col(WebhookMessage.id) == message_id, col(WebhookMessage.attempts) == attempt - 1)
        .values(status="sending", attempts=attempt, next_attempt_at=until)
    )
    taken = await session.exec(statement)
    return bool(taken.rowcount)


async def next_due_at(db: Database) -> datetime | None:
    """When the earliest waiting message falls due (None when nothing waits)."""
    async with db.sessions() as session:
        query = select(func.min(WebhookMessage.next_attempt_at)).where(col(WebhookMessage.status).in_(DUE_STATUSES))
        return (await session.exec(query)).one()


async def endpoints_by_id(session: AsyncSession, ids: set[UUID]) -> dict[UUID, WebhookEndpoint]:
    if not ids:
        return {}
    rows = await session.exec(select(WebhookEndpoint).where(col(WebhookEndpoint.id).in_(ids)))
    return {endpoint.id: endpoint for endpoint in rows.all()}


async def active_endpoints(session: AsyncSession, user_id: str) -> list[WebhookEndpoint]:
    query = select(WebhookEndpoint).where(WebhookEndpoint.user_id == user_id, WebhookEndpoint.status == "active")
    return list((await session.exec(query)).all())


async def pending_messages(session: AsyncSession, endpoint_id: UUID) -> list[WebhookMessage]:
    """The endpoint's messages still waiting for an attempt (not the ones being attempted right now)."""
    query = select(WebhookMessage).where(WebhookMessage.endpoint_id == endpoint_id, WebhookMessage.status == "pending")
    return list((await session.exec(query)).all())


async def all_messages(session: AsyncSession, endpoint_id: UUID) -> list[WebhookMessage]:
    query = select(WebhookMessage).where(WebhookMessage.endpoint_id == endpoint_id)
    return list((await session.exec(query)).all())
