"""The native API's core beyond jobs (projects, templates, scenes) on SQLite and PostgreSQL, with the real bus."""

import asyncio
from collections.abc import Callable
from pathlib import Path
from uuid import UUID

import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from libs.common.errors import Conflict, InvalidInput, NotFound
from libs.common.events import (
    AudioCompleted,
    ImageRegenerationRequested,
    JobCompleted,
    JobInput,
    JobProgress,
    JobRequested,
    RenderOptions,
    Scene,
    SceneImage,
    SceneImageCompleted,
    SceneNarration,
    Storyboard,
    VideoOutput,
)
from libs.common.settings import StorageSettings
from services.gateway.app import create_app
from services.gateway.core import jobs, projection, projects, scenes, submission, templates
from services.gateway.core.schemas import JobCreate
from services.gateway.core.security import Principal
from services.gateway.core.store import Job
from services.gateway.settings import GatewaySettings
from tests.bus import BusProbe, processed, service_settings, serving

ADA = Principal(user_id="ada-1", role="user", username="ada")
BOB = Principal(user_id="bob-2", role="user", username="bob")


def settings_for(kafka: str, database_url: str, tmp_path: Path) -> GatewaySettings:
    return service_settings(
        GatewaySettings, kafka, database_url, StorageSettings(media_dir=tmp_path / "media"), tmp_path
    )


async def job_when(app: FastAPI, job_id: UUID, holds: Callable[[Job], bool], timeout_s: float = 60.0) -> Job:
    async with asyncio.timeout(timeout_s):
        while not holds(job := await jobs.get_job(app.state.runtime, ADA, job_id)):
            await asyncio.sleep(0.05)
    return job


async def test_projects_crud_pagination_filter_and_ownership(kafka: str, database_url: str, tmp_path: Path) -> None:
    async with serving(create_app(settings_for(kafka, database_url, tmp_path))) as app:
        runtime = app.state.runtime
        made = [await projects.create_project(runtime, ADA, f"Film {n}", f"about {n}") for n in range(5)]
        archived = await projects.update_project(runtime, ADA, made[0].id, status="archived", name="Old film")
        await projects.create_project(runtime, BOB, "Bob's")

        first, total = await projects.list_projects(runtime, ADA, page=1, limit=2)
        last, _ = await projects.list_projects(runtime, ADA, page=3, limit=2)
        drafts, draft_total = await projects.list_projects(runtime, ADA, status="draft")
        old, old_total = await projects.list_projects(runtime, ADA, status="archived")
        assert total == 5 and [p.name for p in first] == ["Film 4", "Film 3"] and [p.name for p in last] == ["Old film"]
        assert (draft_total, old_total, [p.id for p in old]) == (4, 1, [archived.id])
        assert all(p.status == "draft" for p in drafts)
        with pytest.raises(InvalidInput) as bad:
            await projects.list_projects(runtime, ADA, status="finished")
        assert bad.value.field == "status" and "'draft', 'active', 'archived'" in bad.value.message

        # Found by integer id, by UUID and by either as text; never by another user.
        project = made[1]
        for ref in (project.id, project.public_id, str(project.id), str(project.public_id)):
            assert (await projects.get_project(runtime, ADA, ref)).public_id == project.public_id
        for ref in (project.id, project.public_id, "nonsense", 10**12):
            with pytest.raises(NotFound):
                await projects.get_project(runtime, BOB, ref)
        with pytest.raises(NotFound):
            await projects.update_project(runtime, BOB, project.id, name="mine now")
        with pytest.raises(NotFound):
            await projects.delete_project(runtime, BOB, project.public_id)

        # Jobs join a project by either id; the clip count follows; deleting the project keeps its jobs.
        by_int = await submission.submit_job(runtime, ADA, JobCreate(topic="love", project_id=project.id))
        by_uuid = await submission.submit_job(runtime, ADA, JobCreate(topic="love", project_id=project.public_id))
        assert by_int.project_id == by_uuid.project_id == project.public_id
        with pytest.raises(NotFound):
            await submission.submit_job(runtime, BOB, JobCreate(topic="love", project_id=project.id))
        assert await projects.clip_count(runtime, project) == 2
        moved = await submission.edit_job(runtime, ADA, by_int.id, project_id=None, title="My title")
        assert (moved.project_id, moved.title) == (None, "My title")
        assert await projects.clip_count(runtime, project) == 1
        with pytest.raises(InvalidInput) as refused:
            await submission.edit_job(runtime, ADA, by_int.id, status="completed")
        assert refused.value.field == "status"
        await projects.delete_project(runtime, ADA, project.id)
        with pytest.raises(NotFound):
            await projects.get_project(runtime, ADA, project.id)
        assert (await jobs.get_job(runtime, ADA, by_uuid.id)).project_id is None


async def test_templates_are_seeded_paged_and_counted_with_the_job(
    kafka: str, database_url: str, tmp_path: Path
) -> None:
    async with serving(create_app(settings_for(kafka, database_url, tmp_path))) as app, BusProbe(kafka) as bus:
        runtime = app.state.runtime
        everything, total = await templates.list_templates(runtime, limit=100)
        assert total == len(templates.CATALOGUE) == len(everything)
        page, _ = await templates.list_templates(runtime, page=2, limit=3)
        assert len(page) == 3 and {t.id for t in page}.isdisjoint({t.id for t in everything[:3]})
        storytelling, count = await templates.list_templates(runtime, category="storytelling")
        assert count == 2 and {t.category for t in storytelling} == {"storytelling"}
        with pytest.raises(InvalidInput) as bad:
            await templates.list_templates(runtime, category="cooking")
        assert bad.value.field == "category" and "'storytelling'" in bad.value.message

        job = await templates.use_template(runtime, ADA, "bedtime-story", {"voice": "nova", "resolution": "256x448"})
        again = await templates.use_template(runtime, ADA, str(templates.template_id("bedtime-story")), {})
        [requested] = await bus.events(JobRequested, 1, where=lambda event: event.job_id == job.id)
        assert requested.input.topic == "bedtime"
        assert (requested.options.art_style, requested.options.voice, requested.options.width) == (
            "pixar-art",
            "nova",
            256,
        )
        assert (await jobs.get_job(runtime, ADA, again.id)).user_id == ADA.user_id
        with pytest.raises(NotFound):
            await jobs.get_job(runtime, BOB, job.id)
        assert (await templates.get_template(runtime, "bedtime-story")).usage_count == 2
        # A prompt in the overrides replaces the template's topic; a bad value is refused and not counted.
        own = await templates.use_template(runtime, ADA, "campfire-horror", {"prompt": "a lighthouse keeper"})
        assert JobInput.model_validate_json(own.source) == JobInput(prompt="a lighthouse keeper")
        with pytest.raises(ValidationError):
            await templates.use_template(runtime, ADA, "campfire-horror", {"voice": "bob"})
        with pytest.raises(NotFound):
            await templates.use_template(runtime, ADA, "no-such-template", {})
        assert (await templates.get_template(runtime, "campfire-horror")).usage_count == 1


async def test_scenes_view_and_regeneration_rerender(kafka: str, database_url: str, tmp_path: Path) -> None:
    board = Storyboard(
        title="T",
        description="D",
        text="one two",
        scenes=[
            Scene(
                index=0,
                narration="One.",
                image_prompt="a red door",
                subtitle="One.",
                subjects=["door"],
                search_query="red door",
            ),
            Scene(index=1, narration="Two.", image_prompt="a blue sea", subtitle="Two."),
        ],
    )
    async with serving(create_app(settings_for(kafka, database_url, tmp_path))) as app, BusProbe(kafka) as bus:
        runtime = app.state.runtime
        job = await jobs.create_job(runtime, ADA, JobInput(topic="love"), RenderOptions())
        [requested] = await bus.events(JobRequested, 1)
        assert await scenes.list_scenes(runtime, ADA, job.id) == []
        await bus.publish(JobProgress.after(requested, stage="story", progress=20, message="m", storyboard=board))
        for index in (0, 1):
            image = SceneImage(scene_index=index, key=f"jobs/{job.id}/images/scene-{index:03d}-v1.png")
            await bus.publish(SceneImageCompleted.after(requested, image=image))
        narrations = [SceneNarration(scene_index=i, key=f"a{i}", duration_s=2.5 + i, cues=[]) for i in (0, 1)]
        await bus.publish(AudioCompleted.after(requested, narrations=narrations, options=RenderOptions()))
        await job_when(app, job.id, lambda job: job.storyboard is not None)
        with pytest.raises(Conflict):
            await scenes.regenerate_scene(runtime, ADA, job.id, 0)
        output = VideoOutput(
            video_key="v1", thumbnail_key="t", srt_key="s", vtt_key="w", duration_s=6, width=8, height=8, size_bytes=7
        )
        await bus.publish(JobCompleted.after(requested, output=output))
        await job_when(app, job.id, lambda job: job.status == "completed")

        async def settled() -> list[scenes.SceneView]:
            async with asyncio.timeout(30):
                while True:
                    views = await scenes.list_scenes(runtime, ADA, job.id)
                    if all(view.image and view.duration_s for view in views):
                        return views
                    await asyncio.sleep(0.05)

        views = await settled()
        assert [(v.index, v.subtitle, v.start_s, v.duration_s) for v in views] == [
            (0, "One.", 0.0, 2.5),
            (1, "Two.", 2.5, 3.5),
        ]
        assert views[1].image is not None and views[1].image.url.endswith("/scenes/1/image?version=1")
        assert [(v.subjects, v.search_query) for v in views] == [(["door"], "red door"), ([], "")]
        with pytest.raises(NotFound):
            await scenes.list_scenes(runtime, BOB, job.id)
        with pytest.raises(NotFound):
            await scenes.regenerate_scene(runtime, BOB, job.id, 1)
        with pytest.raises(NotFound) as missing:
            await scenes.regenerate_scene(runtime, ADA, job.id, 2)
        assert "0 to 1" in missing.value.message

        asked = await scenes.regenerate_scene(runtime, ADA, job.id, 1, "a green sea")
        [regenerate] = await bus.events(ImageRegenerationRequested, 1)
        assert (regenerate.event_id, regenerate.scene_index, regenerate.prompt) == (asked.event_id, 1, "a green sea")
        pending = (await scenes.list_scenes(runtime, ADA, job.id))[1]
        assert (pending.regenerating, pending.image_prompt) == (True, "a green sea")

        # Imaging paints version 2 and render makes video version 2; an older announcement changes nothing.
        image = SceneImage(scene_index=1, key=f"jobs/{job.id}/images/scene-001-v2.png", version=2)
        await bus.publish(SceneImageCompleted.after(regenerate, image=image))
        await bus.publish(
            JobCompleted.after(regenerate, output=output.model_copy(update={"video_key": "v2", "version": 2}))
        )
        stale = JobCompleted.after(regenerate, output=output.model_copy(update={"video_key": "v0"}))
        await bus.publish(stale)
        rerendered = await job_when(app, job.id, lambda job: VideoOutput.model_validate_json(job.output).version == 2)
        assert VideoOutput.model_validate_json(rerendered.output).video_key == "v2"
        async with asyncio.timeout(30):
            while (scene := (await scenes.list_scenes(runtime, ADA, job.id))[1]).regenerating:
                await asyncio.sleep(0.05)
        assert [image.version for image in scene.images] == [1, 2] and scene.image and scene.image.version == 2
        assert await scenes.scene_image(runtime, ADA, job.id, 1, None) == image.key
        await processed(app, projection.CONSUMER, stale.event_id)
        assert VideoOutput.model_validate_json((await jobs.get_job(runtime, ADA, job.id)).output).video_key == "v2"
