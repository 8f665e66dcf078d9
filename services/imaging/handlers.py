"""Imaging stage: one image per scene, painted concurrently within a bound."""

import asyncio

from libs.common.events import (
    ImagesCompleted,
    JobProgress,
    Scene,
    SceneImage,
    SceneImageCompleted,
    StoryCompleted,
    overall_progress,
)
from libs.common.runtime import Runtime
from libs.common.storage import keys
from services.imaging.procedural import paint_scene

CONSUMER = "imaging"
FIRST_VERSION = 1


async def paint_storyboard(event: StoryCompleted, runtime: Runtime, concurrency: int) -> None:
    scenes = event.storyboard.scenes
    bound = asyncio.Semaphore(concurrency)
    done = 0

    async def paint(scene: Scene) -> SceneImage:
        nonlocal done
        async with bound:
            image = await paint_one(event, scene, runtime)
        done += 1
        await runtime.emit(
            SceneImageCompleted.after(event, image=image),
            JobProgress.after(
                event,
                stage="images",
                progress=overall_progress("images", done / len(scenes)),
                message=f"Painted scene {done} of {len(scenes)}",
                scene_index=scene.index,
            ),
        )
        return image

    images = await asyncio.gather(*(paint(scene) for scene in scenes))
    async with runtime.finish(CONSUMER, event) as out:
        out.emit(ImagesCompleted.after(event, images=list(images), options=event.options))


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
