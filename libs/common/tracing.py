"""Traces across the pipeline: one trace per job, from the HTTP request through every stage to the webhook.

The W3C `traceparent` travels on every event (and in its Kafka headers); each handler runs in a
span that is a child of the event's `traceparent`, and the events it emits carry that span's own
`traceparent` (`Event.after` reads `current_traceparent`), so the stages line up in one trace.
The OpenTelemetry SDK records the spans; with `OTEL_EXPORTER_OTLP_ENDPOINT` set they are exported
over OTLP/HTTP (the SDK reads the usual `OTEL_*` variables), and without it nothing leaves the process.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from opentelemetry import context, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from starlette.types import ASGIApp, Receive, Scope, Send

PROPAGATOR = TraceContextTextMapPropagator()
TRACER = "reelforge"
_traceparent: ContextVar[str | None] = ContextVar("traceparent", default=None)


def install(service: str) -> None:
    """Give the process a tracer provider, once (a test may have set its own first)."""
    if isinstance(trace.get_tracer_provider(), TracerProvider):
        return
    provider = TracerProvider(resource=Resource.create({"service.name": f"reelforge-{service}"}))
    if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)


def current_traceparent() -> str | None:
    """The `traceparent` of the span this code runs in (set by `span` or `traced`), if any."""
    return _traceparent.get()


def trace_id(traceparent: str | None) -> str | None:
    """The trace id inside a `traceparent` (`00-<trace id>-<span id>-<flags>`), for log lines."""
    parts = (traceparent or "").split("-")
    return parts[1] if len(parts) == 4 and len(parts[1]) == 32 else None


@contextmanager
def traced(traceparent: str | None) -> Iterator[None]:
    """Run as part of the trace `traceparent` (an HTTP request's header) without a span of our own."""
    token = _traceparent.set(traceparent if trace_id(traceparent) else None)
    try:
        yield
    finally:
        _traceparent.reset(token)


class ContinueTrace:
    """ASGI middleware: an HTTP request with a `traceparent` header is handled as part of that trace.

    Plain ASGI rather than Starlette's BaseHTTPMiddleware, which costs a task per request.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        header = dict(scope.get("headers") or []).get(b"traceparent") if scope["type"] == "http" else None
        with traced(header.decode("latin-1") if header else None):
            await self.app(scope, receive, send)


@contextmanager
def span(name: str, parent: str | None, **attributes: str) -> Iterator[str | None]:
    """A span named `name`, child of the `parent` traceparent (a new trace without one); yields its traceparent.

    Without a recording tracer provider the span is not recorded and the parent's traceparent is kept.
    """
    parent_context = PROPAGATOR.extract({"traceparent": parent}) if trace_id(parent) else context.Context()
    tracer = trace.get_tracer(TRACER)
    with tracer.start_as_current_span(name, context=parent_context, attributes=attributes):
        carrier: dict[str, str] = {}
        PROPAGATOR.inject(carrier)
        own = carrier.get("traceparent") or parent
        token = _traceparent.set(own)
        try:
            yield own
        finally:
            _traceparent.reset(token)
