"""Prometheus metrics shared by every process. Names follow `reelforge_<what>_<unit>`.

Labels stay few-valued so that every series is worth keeping: service, topic, stage, provider, task, kind,
a route's template (never its raw path), a status or an outcome; never a job, user or endpoint id. Each
dashboard in deploy/grafana/dashboards charts only these (tests/deploy/test_dashboards.py checks it).
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from libs.common.errors import ProviderError, ReelforgeError
from libs.common.events import CostBreakdown

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
WEBHOOK_FAILURES = Counter(
    "reelforge_webhook_failures_total",
    "Webhook attempts that got no 2xx, by why (AttemptResult.failure: timeout, unreachable, server_error…).",
    ["reason"],
)
WEBHOOK_SECONDS = Histogram(
    "reelforge_webhook_attempt_duration_seconds",
    "Time one webhook attempt takes, from the address check to the receiver's status (or giving up).",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
WEBHOOK_ENDPOINTS_DISABLED = Counter(
    "reelforge_webhook_endpoints_disabled_total",
    "Webhook endpoints the notifier stopped delivering to: gone (it answered 410) or failing (no 2xx all schedule).",
    ["reason"],
)
RENDER_SPEED = Gauge("reelforge_render_speed_ratio", "Seconds of video rendered per second of wall time.")

PROVIDER_CALLS = Counter(
    "reelforge_provider_calls_total",
    "Calls a stage makes to its provider (a paid API, a self-hosted model, or the offline one), by outcome: "
    "ok, retryable (the runtime tries the event again), failed, error (unexpected), cancelled.",
    ["stage", "provider", "task", "outcome"],
)
PROVIDER_SECONDS = Histogram(
    "reelforge_provider_call_duration_seconds",
    "Time one provider call takes, whatever its outcome.",
    ["stage", "provider", "task"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
SPEND = Counter(
    "reelforge_spend_usd_total",
    "US dollars the stages report spending on jobs (the `cost` of their completion events), by stage and kind.",
    ["stage", "kind"],
)

HTTP_REQUESTS = Counter(
    "reelforge_http_requests_total",
    "HTTP requests answered, by route template (`unmatched` for no route), method and status.",
    ["service", "route", "method", "status"],
)
HTTP_SECONDS = Histogram(
    "reelforge_http_request_duration_seconds",
    "Time from a request's arrival to the end of its response body, by route template and method.",
    ["service", "route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
WEBSOCKETS_OPEN = Gauge(
    "reelforge_websocket_connections",
    "WebSocket connections accepted and not yet closed, by route.",
    ["service", "route"],
)

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"


@contextmanager
def provider_call(stage: str, provider: str, task: str) -> Iterator[None]:
    """Count and time one call to a provider (`provider` as `libs.common.models` names it, or `offline`);
    `task` says what it was asked for: moderation, story, image, video, speech or footage."""
    started, outcome = time.perf_counter(), "cancelled"
    try:
        yield
        outcome = "ok"
    except ProviderError as error:
        outcome = "retryable" if error.retryable else "failed"
        raise
    except ReelforgeError:
        outcome = "failed"
        raise
    except Exception:
        outcome = "error"
        raise
    finally:
        PROVIDER_CALLS.labels(stage, provider, task, outcome).inc()
        PROVIDER_SECONDS.labels(stage, provider, task).observe(time.perf_counter() - started)


def count_spend(stage: str, cost: CostBreakdown) -> None:
    """Add what a stage reported spending (once its completion event is committed) to `reelforge_spend_usd_total`."""
    for kind, usd in cost.model_dump().items():
        if usd:
            SPEND.labels(stage, kind).inc(usd)


def route_template(scope: Scope, root_path: str) -> str:
    """The template of the route that handled `scope` (`/api/v1/jobs/{job_id}`), with the prefixes of the
    applications it is mounted in; `root_path` is the scope's root path before routing. Never the raw path."""
    route = scope.get("route")
    prefix = str(scope.get("root_path", ""))[len(root_path) :]
    if isinstance(route, Mount):  # an application without routes of its own (static files): its prefix is all
        return f"{prefix}/{{path}}"
    path = _declared_path(scope)
    return UNMATCHED if path is None else prefix + path


def _declared_path(scope: Scope) -> str | None:
    # FastAPI keeps an included router's routes as declared, without the prefix it was included under; the
    # route it ran, prefix and all, is in its scope (a private key: without it the template lacks the prefix).
    # A WebSocket route's context has no path, and its route the whole of it.
    effective = (scope.get("fastapi") or {}).get("effective_route_context")
    if isinstance(path := getattr(effective, "path", None), str) and path:
        return path
    if isinstance(path := getattr(scope.get("route"), "path", None), str):
        return path
    endpoint = scope.get("endpoint")  # a plain Starlette route (`add_route`, as /metrics is) leaves only this
    for candidate in getattr(scope.get("router"), "routes", ()) if endpoint is not None else ():
        path = getattr(candidate, "path", None)
        if getattr(candidate, "endpoint", None) is endpoint and isinstance(path, str):
            return path
    return None


class HttpMetrics:
    """ASGI middleware: counts and times every HTTP request by route template, method and status, and keeps
    the number of open WebSocket connections. Plain ASGI (not BaseHTTPMiddleware, which costs a task a request)."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started, root_path = time.perf_counter(), str(scope.get("root_path", ""))
        status = 500  # what the client gets when the app fails before answering

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = route_template(scope, root_path)
            method = scope["method"] if scope["method"] in METHODS else "other"
            HTTP_REQUESTS.labels(self.service, route, method, str(status)).inc()
            HTTP_SECONDS.labels(self.service, route, method).observe(time.perf_counter() - started)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        root_path = str(scope.get("root_path", ""))
        opened: Gauge | None = None

        async def sending(message: Message) -> None:
            nonlocal opened
            if message["type"] == "websocket.accept" and opened is None:
                opened = WEBSOCKETS_OPEN.labels(self.service, route_template(scope, root_path))
                opened.inc()
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            if opened is not None:
                opened.dec()


async def metrics_endpoint(_request: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
