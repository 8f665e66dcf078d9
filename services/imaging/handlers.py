"""Imaging stage: one image per scene, painted concurrently within a bound."""

import asyncio

from libs.common.events import (
    ImagesCompleted,
    Scene,
    SceneImage,
    SceneImageCompleted,
    StoryCompleted,
)
from libs.common.runtime import Runtime
from libs.common.scene_work import each_scene, scene_progress
from libs.common.storage import keys
from services.imaging.procedural import paint_scene

CONSUMER = "imaging"
FIRST_VERSION = 1


async def paint_storyboard(event: StoryCompleted, runtime: Runtime, concurrency: int) -> None:
    scenes = event.storyboard.scenes

    async def reported(scene: Scene, image: SceneImage, count: int) -> None:
        await runtime.emit(
            SceneImageCompleted.after(event, image=image),
            scene_progress(event, "images", scene, count, len(scenes), "Painted"),
        )

    images = await each_scene(scenes, concurrency, lambda scene: paint_one(event, scene, runtime), reported)
    async with runtime.finish(CONSUMER, event) as out:
        out.emit(ImagesCompleted.after(event, images=images, options=event.options))


async def paint_one(event: StoryCompleted, scene: Scene, runtime: Runtime) -> SceneImage:
    """Paint a scene's first version; a redelivery finds the object already there and reuses it."""
    assert runtime.store is not None
    key = keys.scene_image(event.job_id, scene.index, FIRST_VERSION)
    if not await runtime.store.exists(key):
        options = event.options
        png = await asyncio.to_thread(
            paint_scene,
            scene.image_prompt,
            options.art_style,
            options.width,
            options.height,
            f"{event.job_id}:{scene.index}:{FIRST_VERSION}",
        )
        await runtime.store.put_bytes(key, png, "image/png")
    return SceneImage(scene_index=scene.index, key=key, version=FIRST_VERSION)
