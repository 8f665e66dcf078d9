"""What the stages report spending is counted once per piece of work, on SQLite and PostgreSQL: a job sent
through again reports its stages again under new event ids and adds nothing, while a regenerated picture and
the re-render it brings are new spending and add theirs."""

import json
from pathlib import Path
from uuid import uuid4

import pytest

from libs.common.events import (
    AudioCompleted,
    CostBreakdown,
    Event,
    ImagesCompleted,
    JobCompleted,
    JobInput,
    JobRequested,
    RenderOptions,
    Scene,
    SceneImage,
    Storyboard,
    StoryCompleted,
    VideoOutput,
)
from libs.common.settings import StorageSettings
from services.gateway.app import create_app
from services.gateway.core import jobs
from services.gateway.core.projection import work_of
from services.gateway.core.security import Principal
from services.gateway.settings import GatewaySettings
from tests.bus import BusProbe, processed, service_settings, serving

OWNER = Principal(user_id="cost-owner", role="user", username="owner")
BOARD = Storyboard(
    title="T",
    description="D",
    text="n",
    scenes=[Scene(index=index, narration="n", image_prompt="p", subtitle="s") for index in range(2)],
)
OPTIONS = RenderOptions()


def pictures(*versions: int) -> list[SceneImage]:
    return [SceneImage(scene_index=index, key=f"s{index}v{v}", version=v) for index, v in enumerate(versions)]


def video(version: int) -> VideoOutput:
    return VideoOutput(
        video_key="v", thumbnail_key="t", srt_key="s", vtt_key="w", duration_s=48, width=9, height=16, size_bytes=1
    ).model_copy(update={"version": version})


def reports(cause: Event) -> list[Event]:
    """What the stages report for one run of the job through the pipeline, `cause` being its request."""
    return [
        StoryCompleted.after(
            cause, storyboard=BOARD, storyboard_key="k", options=OPTIONS, cost=CostBreakdown(story_generation=0.002)
        ),
        ImagesCompleted.after(cause, images=pictures(1, 1), options=OPTIONS, cost=CostBreakdown(image_generation=0.08)),
        AudioCompleted.after(cause, narrations=[], options=OPTIONS, cost=CostBreakdown(voice_synthesis=0.01)),
        JobCompleted.after(cause, output=video(1), cost=CostBreakdown(ffmpeg_processing=0.008)),
    ]


async def test_a_stage_reported_again_counts_once_and_a_re_render_counts_anew(
    kafka: str, database_url: str, tmp_path: Path
) -> None:
    settings = service_settings(GatewaySettings, kafka, database_url, StorageSettings(media_dir=tmp_path), tmp_path)
    async with serving(create_app(settings)) as app, BusProbe(kafka) as bus:
        runtime = app.state.runtime
        job = await jobs.create_job(runtime, OWNER, JobInput(topic="love"), OPTIONS)
        [requested] = await bus.events(JobRequested, 1)
        first = reports(requested)
        again = reports(requested.model_copy(update={"attempt": 2}))  # sent through again: new event ids
        regenerated = [  # scene 1's picture made again, and the video rendered again with it
            ImagesCompleted.after(
                requested, images=pictures(1, 2), options=OPTIONS, cost=CostBreakdown(image_generation=0.04)
            ),
            JobCompleted.after(requested, output=video(2), cost=CostBreakdown(ffmpeg_processing=0.008)),
        ]
        resent = ImagesCompleted.after(  # then sent through again: every picture kept, all reported
            requested.model_copy(update={"attempt": 3}),
            images=pictures(1, 2),
            options=OPTIONS,
            cost=CostBreakdown(image_generation=0.08),
        )
        published = [*first, first[0], *again, *regenerated, resent]  # first[0] is redelivered as it was
        for event in published:
            await bus.publish(event)
        for event in published:
            await processed(app, "gateway", event.event_id)
        stored = await jobs.get_job(runtime, OWNER, job.id)

    recorded = json.loads(stored.stage_costs)
    assert sorted(recorded) == ["audio/v1", "images/v1", "images/v2", "render/v1", "render/v2", "story/v1"]
    assert recorded["images/v2"] == CostBreakdown(image_generation=0.04).model_dump()
    actual = CostBreakdown.model_validate_json(stored.actual_cost)
    assert actual == CostBreakdown(
        story_generation=0.002, image_generation=0.12, voice_synthesis=0.01, ffmpeg_processing=0.016
    )
    assert actual.total == pytest.approx(sum(CostBreakdown(**cost).total for cost in recorded.values()))


def test_each_report_names_its_work() -> None:
    requested = JobRequested(job_id=uuid4(), user_id="u", input=JobInput(topic="love"), options=OPTIONS)
    assert [work_of(event) for event in reports(requested)] == ["story/v1", "images/v1", "audio/v1", "render/v1"]
    second_regeneration = ImagesCompleted.after(requested, images=pictures(2, 2), options=OPTIONS)
    assert work_of(second_regeneration) == "images/v3"  # each regenerated picture raises one scene's version
    assert work_of(JobCompleted.after(requested, output=video(3))) == "render/v3"
    assert work_of(requested) is None
