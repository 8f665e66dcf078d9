"""One job, one trace: every service of the pipeline in this process on the real broker, spans kept by an
in-memory exporter. The request's `traceparent` starts the trace, and each stage's span is a child of the
stage before it."""

import asyncio
from contextlib import AsyncExitStack
from pathlib import Path

from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from libs.common.events import JobInput, RenderOptions
from libs.common.settings import StorageSettings
from libs.common.tracing import traced
from services.audio.app import create_app as create_audio
from services.audio.settings import AudioSettings
from services.gateway.app import create_app as create_gateway
from services.gateway.core import jobs
from services.gateway.core.security import Principal
from services.gateway.settings import GatewaySettings
from services.imaging.app import create_app as create_imaging
from services.imaging.settings import ImagingSettings
from services.render.app import create_app as create_render
from services.render.settings import RenderSettings
from services.story.app import create_app as create_story
from services.story.settings import StorySettings
from tests.bus import service_settings, serving

OWNER = Principal(user_id="trace-owner", role="user", username="owner")
REQUEST_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
REQUEST = f"00-{REQUEST_TRACE}-00f067aa0ba902b7-01"
SERVICES = [
    (create_gateway, GatewaySettings, "gateway"),
    (create_story, StorySettings, "story"),
    (create_imaging, ImagingSettings, "imaging"),
    (create_audio, AudioSettings, "audio"),
    (create_render, RenderSettings, "render"),
]


def exporter() -> InMemorySpanExporter:
    """Spans of this process kept in memory: on the provider a service already installed, or on a new one."""
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    kept = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(kept))
    return kept


def named(spans: list[ReadableSpan], name: str) -> ReadableSpan:
    matching = [span for span in spans if span.name == name]
    assert matching, f"no span {name!r} among {sorted({span.name for span in spans})}"
    return matching[0]


async def test_one_job_is_one_trace_with_a_span_per_stage(kafka: str, tmp_path: Path) -> None:
    kept = exporter()
    storage = StorageSettings(media_dir=tmp_path / "media")
    async with AsyncExitStack() as stack:
        apps = {}
        for create, settings_class, name in SERVICES:
            settings = service_settings(
                settings_class, kafka, f"sqlite+aiosqlite:///{tmp_path}/{name}.db", storage, tmp_path
            )
            apps[name] = await stack.enter_async_context(serving(create(settings)))
        runtime = apps["gateway"].state.runtime
        with traced(REQUEST):
            job = await jobs.create_job(
                runtime,
                OWNER,
                JobInput(script="A lighthouse keeper lights the lamp."),
                RenderOptions(width=128, height=128),
            )
        async with asyncio.timeout(120):
            while (await jobs.get_job(runtime, OWNER, job.id)).status != "completed":
                await asyncio.sleep(0.2)

    spans = [span for span in kept.get_finished_spans() if span.attributes.get("job_id") == str(job.id)]
    assert {span.context.trace_id for span in spans} == {int(REQUEST_TRACE, 16)}, "one job, one trace"
    gateway = named(spans, "gateway jobs.requested")
    story = named(spans, "story jobs.requested")
    imaging, audio = named(spans, "imaging story.completed"), named(spans, "audio story.completed")
    render = [span for span in spans if span.name.startswith("render ")]
    assert gateway.parent is not None and gateway.parent.span_id == int("00f067aa0ba902b7", 16)
    assert story.parent is not None and story.parent.span_id == gateway.context.span_id
    assert imaging.parent.span_id == audio.parent.span_id == story.context.span_id  # type: ignore[union-attr]
    assert {span.parent.span_id for span in render} <= {  # type: ignore[union-attr]
        *(span.context.span_id for span in spans if span.name.startswith(("imaging ", "audio ")))
    }
    assert render, "the render stage has no span"
