"""The imaging stage through the real bus: one picture per scene, at the video's size, in the object store."""

import io
from pathlib import Path
from uuid import uuid4

from PIL import Image

from libs.common.events import (
    ImagesCompleted,
    JobProgress,
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


def story(scenes: int, width: int, height: int) -> StoryCompleted:
    board = Storyboard(
        title="T",
        description="D",
        text="X",
        scenes=[
            Scene(index=i, narration=f"n{i}", image_prompt=f"a forest at night {i}", subtitle=f"s{i}")
            for i in range(scenes)
        ],
    )
    options = RenderOptions(width=width, height=height, art_style="comic-book")
    return StoryCompleted(job_id=uuid4(), user_id="u1", storyboard=board, storyboard_key="k", options=options)


async def test_every_scene_gets_a_picture_of_the_video_size(
    kafka: str, storage_settings: StorageSettings, tmp_path: Path
) -> None:
    settings = service_settings(
        ImagingSettings, kafka, f"sqlite+aiosqlite:///{tmp_path}/i.db", storage_settings, tmp_path
    )
    event = story(3, 270, 480)
    async with serving(create_app(settings)), BusProbe(kafka) as bus:
        await bus.publish(event)
        [done] = await bus.events(ImagesCompleted, 1)
        per_scene = await bus.events(SceneImageCompleted, 3)
        progress = await bus.events(JobProgress, 3)
    assert sorted(image.scene_index for image in done.images) == [0, 1, 2]
    assert {item.image.key for item in per_scene} == {image.key for image in done.images}
    assert [p.progress for p in progress][-1] == 60 and all(p.stage == "images" for p in progress)
    store = await open_store(storage_settings)
    pictures = [Image.open(io.BytesIO(await store.get_bytes(image.key))) for image in done.images]
    assert all((picture.format, picture.size) == ("PNG", (270, 480)) for picture in pictures)
    assert len({picture.tobytes() for picture in pictures}) == 3, "scenes got identical pictures"
