"""Webhook endpoints in the gateway: users register and manage them here, the notifier delivers.

The gateway keeps its own projection: the endpoints users registered, and the delivery log the
notifier reports on `webhooks.reports` (one row per message, with its latest outcome). It never
keeps a secret: the secret is shown once, in the registration answer, and travels only to the
notifier on its internal topic. Ownership is checked here, once: another user's endpoint is
simply not found.
"""

import base64
import json
import secrets
from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import func
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from libs.common.errors import NotFound
from libs.common.events import (
    Topics,
    WebhookDeliveryRecorded,
    WebhookEndpointDisabled,
    WebhookEndpointRegistered,
    WebhookEndpointRemoved,
    WebhookEventName,
    WebhookReplayRequested,
    now,
)
from libs.common.outbox import stage_event
from libs.common.runtime import Runtime
from libs.common.settings import WebhookSettings
from libs.common.ssrf import Allowlist, check_url
from services.gateway.core.security import Principal

CONSUMER = "gateway-webhooks"
TOPICS = (Topics.WEBHOOK_REPORTS,)
EVENTS = (WebhookDeliveryRecorded, WebhookEndpointDisabled)
DEFAULT_EVENTS: list[WebhookEventName] = ["generation.complete", "generation.failed"]


class WebhookEndpoint(SQLModel, table=True):
    __tablename__ = "webhook_registrations"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    user_id: str = Field(index=True)
    url: str
    events: str  # JSON list of webhook event names
    description: str | None = None
    status: str = "active"
    disabled_reason: str | None = None
    created_at: datetime = Field(default_factory=now)

    @property
    def event_names(self) -> list[WebhookEventName]:
        return json.loads(self.events)


class WebhookDelivery(SQLModel, table=True):
    """One message to one endpoint, as its latest reported attempt left it."""

    __tablename__ = "webhook_deliveries"

    message_id: str = Field(primary_key=True)
    endpoint_id: UUID = Field(index=True)
    event: str
    job_id: UUID | None = None
    status: str  # the latest outcome: delivered, retrying, failed or endpoint_disabled
    attempts: int
    http_status: int | None = None
    error: str | None = None
    next_attempt_at: datetime | None = None
    created_at: datetime = Field(default_factory=now, index=True)
    updated_at: datetime = Field(default_factory=now)


TABLES = [WebhookEndpoint.__table__, WebhookDelivery.__table__]  # type: ignore[attr-defined]


def new_secret() -> str:
    """A Standard Webhooks signing secret: `whsec_` and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


async def register_endpoint(
    runtime: Runtime, user: Principal, url: str, events: list[WebhookEventName], description: str | None
) -> tuple[WebhookEndpoint, str]:
    """Check the URL, store the endpoint and its `webhooks.endpoint.registered` in one transaction.

    Returns the endpoint and its secret, which nothing keeps here: the caller shows it once.
    """
    settings: WebhookSettings = runtime.settings
    await check_url(url, Allowlist.parse(settings.webhook_allowed_hosts))
    secret = new_secret()
    endpoint = WebhookEndpoint(user_id=user.user_id, url=url, events=json.dumps(events), description=description)
    registered = WebhookEndpointRegistered(
        endpoint_id=endpoint.id, user_id=user.user_id, url=url, secret=secret, events=events
    )
    async with runtime.db.transaction() as session:
        session.add(endpoint)
        stage_event(session, registered)
    runtime.wake_relay()
    return endpoint, secret


async def list_endpoints(runtime: Runtime, user: Principal) -> list[WebhookEndpoint]:
    query = select(WebhookEndpoint).where(WebhookEndpoint.user_id == user.user_id)
    async with runtime.db.sessions() as session:
        return list((await session.exec(query.order_by(col(WebhookEndpoint.created_at)))).all())


async def get_endpoint(runtime: Runtime, user: Principal, endpoint_id: UUID) -> WebhookEndpoint:
    async with runtime.db.sessions() as session:
        return await _owned(session, user, endpoint_id)


async def remove_endpoint(runtime: Runtime, user: Principal, endpoint_id: UUID) -> None:
    """Forget the endpoint and its delivery log, and tell the notifier to stop delivering to it."""
    async with runtime.db.transaction() as session:
        endpoint = await _owned(session, user, endpoint_id)
        for delivery in await _deliveries_of(session, endpoint_id):
            await session.delete(delivery)
        await session.delete(endpoint)
        stage_event(session, WebhookEndpointRemoved(endpoint_id=endpoint_id, user_id=user.user_id))
    runtime.wake_relay()


async def list_deliveries(
    runtime: Runtime, user: Principal, endpoint_id: UUID, page: int, limit: int
) -> tuple[list[WebhookDelivery], int]:
    """The endpoint's delivery log, newest message first."""
    mine = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
    async with runtime.db.sessions() as session:
        await _owned(session, user, endpoint_id)
        total = (await session.exec(select(func.count()).select_from(mine.subquery()))).one()
        newest_first = mine.order_by(col(WebhookDelivery.created_at).desc(), col(WebhookDelivery.message_id))
        rows = await session.exec(newest_first.offset((page - 1) * limit).limit(limit))
        return list(rows.all()), total


async def replay_delivery(runtime: Runtime, user: Principal, endpoint_id: UUID, message_id: str) -> WebhookDelivery:
    """Ask the notifier to send one message again (same `webhook-id`, fresh timestamp and signature)."""
    async with runtime.db.transaction() as session:
        await _owned(session, user, endpoint_id)
        delivery = await session.get(WebhookDelivery, message_id)
        if delivery is None or delivery.endpoint_id != endpoint_id:
            raise NotFound("Delivery not found")
        stage_event(
            session, WebhookReplayRequested(endpoint_id=endpoint_id, user_id=user.user_id, message_id=message_id)
        )
    runtime.wake_relay()
    return delivery


async def project(event: WebhookDeliveryRecorded | WebhookEndpointDisabled, runtime: Runtime) -> None:
    """Keep the delivery log and the endpoint's status as the notifier reports them."""
    async with runtime.finish(CONSUMER, event) as out:
        endpoint = await out.session.get(WebhookEndpoint, event.endpoint_id)
        if endpoint is None:  # removed since: its reports no longer matter
            return
        if isinstance(event, WebhookDeliveryRecorded):
            await _record_delivery(out.session, event)
        else:
            await _disable(out.session, endpoint, event.reason)


async def _record_delivery(session: AsyncSession, event: WebhookDeliveryRecorded) -> None:
    delivery = await session.get(WebhookDelivery, event.message_id)
    if delivery is None:
        delivery = WebhookDelivery(
            message_id=event.message_id,
            endpoint_id=event.endpoint_id,
            event=event.event,
            job_id=event.job_id,
            status=event.outcome,
            attempts=0,
            created_at=event.occurred_at,
        )
    elif event.attempt_number < delivery.attempts:  # an older attempt's report: the log already shows a later one
        return
    delivery.status = event.outcome
    delivery.attempts = event.attempt_number
    delivery.http_status = event.http_status
    delivery.error = event.error
    delivery.next_attempt_at = event.next_attempt_at
    delivery.updated_at = event.occurred_at
    session.add(delivery)


async def _disable(session: AsyncSession, endpoint: WebhookEndpoint, reason: str) -> None:
    """The notifier stopped delivering: no message of this endpoint is waiting for a retry any more."""
    endpoint.status = "disabled"
    endpoint.disabled_reason = reason
    session.add(endpoint)
    for delivery in await _deliveries_of(session, endpoint.id):
        if delivery.status == "retrying":
            delivery.status = "endpoint_disabled"
            delivery.next_attempt_at = None
            session.add(delivery)


async def _owned(session: AsyncSession, user: Principal, endpoint_id: UUID) -> WebhookEndpoint:
    endpoint = await session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.user_id != user.user_id:
        raise NotFound("Webhook not found")
    return endpoint


async def _deliveries_of(session: AsyncSession, endpoint_id: UUID) -> list[WebhookDelivery]:
    rows = await session.exec(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id))
    return list(rows.all())
