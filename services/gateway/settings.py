from pydantic import Field

from libs.common.pricing import CostLimits, Prices
from libs.common.settings import (
    BusSettings,
    DatabaseSettings,
    ProviderSettings,
    RetrySettings,
    StorageSettings,
    WebhookSettings,
    env,
)
from services.gateway.access_settings import AccessSettings


class GatewaySettings(
    BusSettings,
    DatabaseSettings,
    StorageSettings,
    RetrySettings,
    WebhookSettings,
    ProviderSettings,
    Prices,
    CostLimits,
    AccessSettings,
):
    port: int = Field(8000, validation_alias=env("PORT"))
    auth_url: str = Field("http://127.0.0.1:8001", description="Base URL of the auth service.")
    jwt_issuer: str = "reelforge-auth"
    jwt_audience: str = "reelforge"
    event_poll_s: float = Field(0.5, description="How often a progress stream looks for events from other replicas.")
    reconcile_every_s: float = Field(15.0, description="How often the reconciler looks for jobs that stopped moving.")
    stall_story_s: float = Field(300.0, description="No progress this long while queued or writing the story: stalled.")
    stall_media_s: float = Field(900.0, description="No progress this long while painting or narrating: stalled.")
    stall_render_s: float = Field(1800.0, description="No progress this long while rendering: stalled.")
    max_redrives: int = Field(3, description="Times a stalled job is sent through again before it is failed.")
