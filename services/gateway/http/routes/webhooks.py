"""Webhooks under /api/v1: register an endpoint, list and remove them, read and replay deliveries.

Inputs forbid unknown fields; the secret appears in one answer only, the registration's.
"""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from libs.common.events import DeliveryOutcome, WebhookEventName
from services.gateway.core import webhooks
from services.gateway.core.webhooks import WebhookDelivery, WebhookEndpoint
from services.gateway.http.deps import CurrentUser, PageNumber, RuntimeDep

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(
        min_length=1, max_length=2000, description="A public http(s) URL; deliveries are POSTed to it, signed."
    )
    events: list[WebhookEventName] = Field(
        default_factory=lambda: list(webhooks.DEFAULT_EVENTS), min_length=1, description="What to be told about."
    )
    description: str | None = Field(None, max_length=500)

    @field_validator("events")
    @classmethod
    def _once_each(cls, events: list[WebhookEventName]) -> list[WebhookEventName]:
        return list(dict.fromkeys(events))


class WebhookPublic(BaseModel):
    id: UUID
    url: str
    events: list[WebhookEventName]
    status: str = Field(description="`active`, or `disabled` (see `disabled_reason`): nothing is delivered then.")
    disabled_reason: str | None
    description: str | None
    created_at: datetime

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> "WebhookPublic":
        return cls(
            id=endpoint.id,
            url=endpoint.url,
            events=endpoint.event_names,
            status=endpoint.status,
            disabled_reason=endpoint.disabled_reason,
            description=endpoint.description,
            created_at=endpoint.created_at,
        )


class WebhookCreated(WebhookPublic):
    secret: str = Field(description="The signing secret (`whsec_...`). Shown only now: keep it.")


class DeliveryPublic(BaseModel):
    id: str = Field(description="The message id, sent as the `webhook-id` header of every attempt.")
    event: WebhookEventName
    job_id: UUID | None
    status: DeliveryOutcome
    attempts: int
    http_status: int | None = Field(description="The receiver's answer to the latest attempt, if it answered.")
    error: str | None
    next_attempt_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, delivery: WebhookDelivery) -> "DeliveryPublic":
        return cls(
            id=delivery.message_id,
            event=delivery.event,
            job_id=delivery.job_id,
            status=delivery.status,
            attempts=delivery.attempts,
            http_status=delivery.http_status,
            error=delivery.error,
            next_attempt_at=delivery.next_attempt_at,
            created_at=delivery.created_at,
            updated_at=delivery.updated_at,
        )


class DeliveryPage(BaseModel):
    items: list[DeliveryPublic]
    total: int
    page: int
    limit: int


@router.post("", status_code=201)
async def create_webhook(data: WebhookCreate, user: CurrentUser, runtime: RuntimeDep) -> WebhookCreated:
    """Register an endpoint; the answer carries its signing secret, shown this once."""
    endpoint, secret = await webhooks.register_endpoint(runtime, user, data.url, data.events, data.description)
    return WebhookCreated(**WebhookPublic.of(endpoint).model_dump(), secret=secret)


@router.get("")
async def list_webhooks(user: CurrentUser, runtime: RuntimeDep) -> list[WebhookPublic]:
    return [WebhookPublic.of(endpoint) for endpoint in await webhooks.list_endpoints(runtime, user)]


@router.get("/{endpoint_id}")
async def get_webhook(endpoint_id: UUID, user: CurrentUser, runtime: RuntimeDep) -> WebhookPublic:
    return WebhookPublic.of(await webhooks.get_endpoint(runtime, user, endpoint_id))


@router.delete("/{endpoint_id}", status_code=204)
async def delete_webhook(endpoint_id: UUID, user: CurrentUser, runtime: RuntimeDep) -> Response:
    await webhooks.remove_endpoint(runtime, user, endpoint_id)
    return Response(status_code=204)


@router.get("/{endpoint_id}/deliveries")
async def list_deliveries(
    endpoint_id: UUID,
    user: CurrentUser,
    runtime: RuntimeDep,
    page: PageNumber = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> DeliveryPage:
    """The delivery log: one row per message with its latest attempt, newest first."""
    rows, total = await webhooks.list_deliveries(runtime, user, endpoint_id, page, limit)
    return DeliveryPage(items=[DeliveryPublic.of(row) for row in rows], total=total, page=page, limit=limit)


@router.post("/{endpoint_id}/deliveries/{message_id}/replay", status_code=202)
async def replay_delivery(endpoint_id: UUID, message_id: str, user: CurrentUser, runtime: RuntimeDep) -> DeliveryPublic:
    """Send the message again, with the same `webhook-id`; the log shows the new attempt when it is made."""
    return DeliveryPublic.of(await webhooks.replay_delivery(runtime, user, endpoint_id, message_id))
