"""The event envelope: identity and trace carried from cause to effect, and every type round-trips."""

from typing import get_args
from uuid import uuid4

import pytest

from libs.common.events import (
    AnyEvent,
    JobCancelled,
    JobFailed,
    JobInput,
    JobRequested,
    RenderOptions,
    Topics,
    overall_progress,
    parse_event,
)


def test_an_effect_carries_its_causes_job_user_and_trace_with_a_new_id() -> None:
    cause = JobRequested(job_id=uuid4(), user_id="u7", input=JobInput(topic="love"), options=RenderOptions())
    effect = JobFailed.after(cause, stage="story", reason="r")
    assert (effect.job_id, effect.user_id, effect.traceparent) == (cause.job_id, cause.user_id, cause.traceparent)
    assert effect.event_id != cause.event_id
    assert effect.key == str(cause.job_id).encode()


def test_traceparent_is_w3c_shaped() -> None:
    version, trace, span, flags = JobCancelled(job_id=uuid4(), user_id="u").traceparent.split("-")
    assert (version, len(trace), len(span), flags) == ("00", 32, 16, "01")


def test_events_round_trip_through_json_as_their_own_type() -> None:
    event = JobRequested(job_id=uuid4(), user_id="u", input=JobInput(script="a\nb"), options=RenderOptions(fps=60))
    assert parse_event(event.model_dump_json()) == event


def test_every_event_type_has_a_known_topic() -> None:
    union, _discriminator = get_args(AnyEvent)
    kinds = get_args(union)
    assert len(kinds) >= 9
    for kind in kinds:
        assert kind.topic in Topics.ALL, kind


def test_an_unknown_type_is_rejected() -> None:
    with pytest.raises(ValueError):
        parse_event('{"type": "jobs.exploded", "job_id": "00000000-0000-0000-0000-000000000000", "user_id": "u"}')


@pytest.mark.parametrize(
    ("stage", "fraction", "expected"),
    [("story", 0, 0), ("story", 1, 20), ("images", 0.5, 40), ("audio", 1, 60), ("render", 1, 100), ("render", 2, 100)],
)
def test_stage_progress_maps_into_its_band(stage: str, fraction: float, expected: int) -> None:
    assert overall_progress(stage, fraction) == expected  # type: ignore[arg-type]
