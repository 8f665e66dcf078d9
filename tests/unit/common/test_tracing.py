"""The trace a request or an event belongs to: read from the `traceparent` header, continued by spans."""

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from libs.common.events import JobCancelled, JobRequested
from libs.common.tracing import ContinueTrace, current_traceparent, install, span, trace_id, traced

PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


async def test_a_request_is_handled_in_the_trace_its_header_names() -> None:
    async def echo(_request: Request) -> PlainTextResponse:
        return PlainTextResponse(current_traceparent() or "none")

    app = ContinueTrace(Starlette(routes=[Route("/", echo)]))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        assert (await client.get("/", headers={"traceparent": PARENT})).text == PARENT
        assert (await client.get("/", headers={"traceparent": "garbage"})).text == "none"
        assert (await client.get("/")).text == "none"
    assert current_traceparent() is None


def test_a_span_continues_its_parents_trace_and_events_after_it_carry_the_span() -> None:
    install("tests")  # as every service does at start-up: spans are recorded, exported only with an endpoint
    with span("story jobs.requested", PARENT) as own:
        assert own is not None and trace_id(own) == trace_id(PARENT)
        assert own != PARENT, "the span has an id of its own"
        cause = JobRequested.model_validate(
            {"job_id": "00000000-0000-0000-0000-000000000001", "user_id": "u", "input": {}, "options": {}}
        )
        assert JobCancelled.after(cause).traceparent == own
    assert current_traceparent() is None


def test_outside_a_span_an_event_keeps_its_causes_trace() -> None:
    with traced(None):
        cause = JobRequested.model_validate(
            {
                "job_id": "00000000-0000-0000-0000-000000000001",
                "user_id": "u",
                "input": {},
                "options": {},
                "traceparent": PARENT,
            }
        )
        assert JobCancelled.after(cause).traceparent == PARENT
