"""Prometheus metrics shared by every process. Names follow `reelforge_<what>_<unit>`."""

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response

EVENTS_CONSUMED = Counter(
    "reelforge_events_consumed_total", "Events handled, by topic and outcome.", ["service", "topic", "outcome"]
)
EVENTS_PUBLISHED = Counter(
    "reelforge_events_published_total", "Events published from the outbox.", ["service", "topic"]
)
OUTBOX_PENDING = Gauge("reelforge_outbox_pending", "Outbox rows not yet published.", ["service"])
STAGE_SECONDS = Histogram(
    "reelforge_stage_duration_seconds",
    "Time a stage's handler spends on one event, retries included.",
    ["stage"],
    buckets=(0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600),
)
JOBS_BY_STATUS = Counter("reelforge_jobs_total", "Jobs reaching each status.", ["status"])
WEBHOOK_ATTEMPTS = Counter("reelforge_webhook_attempts_total", "Webhook delivery attempts, by outcome.", ["outcome"])
RENDER_SPEED = Gauge("reelforge_render_speed_ratio", "Seconds of video rendered per second of wall time.")


async def metrics_endpoint(_request: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
