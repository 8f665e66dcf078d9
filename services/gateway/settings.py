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
    job_read_cache_s: float = Field(
        1.0,
        ge=0,
        description="How long a gateway serves a job's status read from memory: a change this replica commits "
        "shows at once, one another replica made within this many seconds. 0 reads the database every time.",
    )
    event_poll_s: float = Field(
        0.5, description="How often a job's progress feed looks for events projected by other replicas."
    )
    progress_send_queue: int = Field(
        256,
        ge=1,
        description="Progress messages one WebSocket or SSE client may fall behind its job's feed; a client "
        "further behind is dropped (WebSocket close code 1013, try again later) so it never slows the others.",
    )
    progress_heartbeat_s: float = Field(
        15.0,
        gt=0,
        description="An idle Server-Sent Events stream sends a `: ping` comment this often, to keep proxies "
        "from closing it (WebSockets are kept alive by the server's own protocol pings).",
    )
    reconcile_every_s: float = Field(15.0, description="How often the reconciler looks for jobs that stopped moving.")
    stall_story_s: float = Field(300.0, description="No progress this long while queued or writing the story: stalled.")
    stall_media_s: float = Field(900.0, description="No progress this long while painting or narrating: stalled.")
    stall_render_s: float = Field(1800.0, description="No progress this long while rendering: stalled.")
    max_redrives: int = Field(3, description="Times a stalled job is sent through again before it is failed.")
