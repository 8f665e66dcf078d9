"""Regenerating one scene's picture, and a provider failure, through the real bus and the real service."""

from pathlib import Path
from uuid import uuid4

import pytest

from libs.common.events import (
    ImageRegenerationRequested,
    ImagesCompleted,
    JobFailed,
    RenderOptions,
    Scene,
    SceneImageCompleted,
    Storyboard,
    StoryCompleted,
)
from libs.common.settings import StorageSettings
from libs.common.storage import open_store
from services.imaging.app import create_app
from services.imaging.settings import ImagingSettings
from tests.bus import BusProbe, service_settings, serving
from tests.fakes.openai_api import FakeOpenAI

ON_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
"""The failure tests do not depend on the database; the regeneration test (imaging's own table) runs on both."""


def story(**options: object) -> StoryCompleted:
    board = Storyboard(
        title="T",
        description="D",
        text="X",
        scenes=[
            Scene(index=i, narration=f"n{i}", image_prompt=f"a valley at noon {i}", subtitle="s") for i in range(2)
        ],
    )
    return StoryCompleted(
        job_id=uuid4(), user_id="u1", storyboard=board, storyboard_key="k",
        options=RenderOptions(width=160, height=284, **options),  # type: ignore[arg-type]
    )  # fmt: skip


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
async def test_regenerating_a_scene_makes_a_new_version_and_sends_every_latest_picture_again(
    kafka: str, database_url: str, tmp_path: Path
) -> None:
    storage = StorageSettings(media_dir=tmp_path / "media")
    settings = service_settings(ImagingSettings, kafka, database_url, storage, tmp_path)
    painted = story()
    again = ImageRegenerationRequested.after(painted, scene_index=1, prompt="a scary night in the valley")
    async with serving(create_app(settings)), BusProbe(kafka) as bus:
        await bus.publish(painted)
        [first] = await bus.events(ImagesCompleted, 1)
        await bus.publish(again)
        await bus.publish(again)  # a redelivery changes nothing
        [_, second] = await bus.events(ImagesCompleted, 2)
        regenerated = await bus.events(SceneImageCompleted, 3)
        await bus.publish(ImageRegenerationRequested.after(painted, scene_index=1))
        [*_, third] = await bus.events(ImagesCompleted, 3)
    assert [(image.scene_index, image.version) for image in first.images] == [(0, 1), (1, 1)]
    assert [(image.scene_index, image.version) for image in second.images] == [(0, 1), (1, 2)]
    assert [(image.scene_index, image.version) for image in third.images] == [(0, 1), (1, 3)]
    assert second.images[0].key == first.images[0].key and second.images[1].key.endswith("scene-001-v2.png")
    assert regenerated[-1].image == second.images[1]
    assert second.options == painted.options and second.cost.total == 0
    store = await open_store(storage)
    old, new = await store.get_bytes(first.images[1].key), await store.get_bytes(second.images[1].key)
    assert old != new
    assert await store.get_bytes(third.images[1].key) != new


@ON_SQLITE
async def test_a_rejected_openai_key_fails_the_job_saying_so(
    kafka: str, database_url: str, tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    settings = service_settings(
        ImagingSettings, kafka, database_url, StorageSettings(media_dir=tmp_path / "media"), tmp_path
    ).model_copy(update={"openai_api_key": "sk-revoked-0123456789", "openai_base_url": fake_openai.base_url})
    event = story(model_id="openai:gpt-image-1")
    async with serving(create_app(settings)), BusProbe(kafka) as bus:
        await bus.publish(event)
        [failed] = await bus.events(JobFailed, 1)
    assert failed.job_id == event.job_id and failed.stage == "images"
    assert failed.reason == "OpenAI rejected the API key (check OPENAI_API_KEY)"


@ON_SQLITE
async def test_a_model_without_its_key_fails_the_job_naming_the_key(
    kafka: str, database_url: str, tmp_path: Path
) -> None:
    settings = service_settings(
        ImagingSettings, kafka, database_url, StorageSettings(media_dir=tmp_path / "media"), tmp_path
    )
    async with serving(create_app(settings)), BusProbe(kafka) as bus:
        await bus.publish(story(model_id="replicate:svd-xt"))
        [failed] = await bus.events(JobFailed, 1)
    assert failed.reason == "model replicate:svd-xt is not available: its provider needs REPLICATE_API_TOKEN to be set"
