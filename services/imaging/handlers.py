"""Imaging stage: one picture per scene, made concurrently within a bound; one scene again on request.

Object keys are fixed per job, scene and version, so a redelivered event (or a job sent through
again) finds a picture already stored and reuses it instead of paying for it twice.
"""

import logging
from uuid import UUID

from libs.common.errors import InvalidInput
from libs.common.events import (
    CostBreakdown,
    ImageRegenerationRequested,
    ImagesCompleted,
    RenderOptions,
    Scene,
    SceneImage,
    SceneImageCompleted,
    StoryCompleted,
)
from libs.common.runtime import Runtime
from libs.common.scene_work import each_scene, scene_progress
from libs.common.storage import ObjectStore, keys
from services.imaging.pictures import CONTENT_TYPES, PictureKind, PictureMaker, PictureRequest
from services.imaging.providers import PictureMakers
from services.imaging.store import JobPictures, load_pictures, save_pictures

log = logging.getLogger(__name__)

CONSUMER = "imaging"
FIRST_VERSION = 1


def picture_key(job_id: UUID, scene_index: int, version: int, kind: PictureKind) -> str:
    """`…/images/scene-007-v2.png` for a still, `….mp4` for a clip."""
    still = keys.scene_image(job_id, scene_index, version)
    return still if kind == "image" else still.removesuffix(".png") + ".mp4"


async def paint_storyboard(event: StoryCompleted, runtime: Runtime, makers: PictureMakers, concurrency: int) -> None:
    store = _store(runtime)
    maker = makers.for_model(event.options.model_id)
    reference = await _reference(store, event.reference_image_key)
    scenes = event.storyboard.scenes
    earlier = await load_pictures(runtime.db, event.job_id)
    kept = {image.scene_index: image for image in earlier.latest} if earlier else {}
    prompts = earlier.prompt_overrides if earlier else {}

    async def paint(scene: Scene) -> SceneImage:
        if scene.index in kept:  # the job went through again after a regeneration: keep the newest version
            return kept[scene.index]
        return await make_picture(
            store, maker, event.job_id, scene, FIRST_VERSION, scene.image_prompt, event.options, reference
        )

    async def reported(scene: Scene, image: SceneImage, count: int) -> None:
        await runtime.emit(
            SceneImageCompleted.after(event, image=image),
            scene_progress(event, "images", scene, count, len(scenes), "Painted"),
        )

    images = await each_scene(scenes, concurrency, paint, reported)
    cost = _each(maker.cost(makers.prices, reference is not None), sum(scene.shots for scene in scenes))
    async with runtime.finish(CONSUMER, event) as out:
        await save_pictures(out.session, JobPictures.of(event, images, prompts))
        out.emit(ImagesCompleted.after(event, images=images, options=event.options, cost=cost))


async def regenerate_image(event: ImageRegenerationRequested, runtime: Runtime, makers: PictureMakers) -> None:
    """Make the scene's next version and send every scene's latest picture again, so the job is re-rendered.

    The `cost` on the new `images.completed` is this one picture's: costs add up per event. A request for
    a job whose scenes this service never painted (the gateway offers regeneration only once they exist)
    is dropped with a warning rather than failing a job over it.
    """
    store = _store(runtime)
    pictures = await load_pictures(runtime.db, event.job_id)
    if pictures is None:
        log.warning("ignoring a regeneration of scene %d: this job's scenes were never painted", event.scene_index)
        async with runtime.finish(CONSUMER, event):
            return
    story = pictures.story_event
    scene = next((scene for scene in story.storyboard.scenes if scene.index == event.scene_index), None)
    if scene is None:
        indexes = [scene.index for scene in story.storyboard.scenes]
        raise InvalidInput(
            f"scene_index {event.scene_index} is not a scene of this job; it has scenes {indexes}", field="scene_index"
        )
    maker = makers.for_model(story.options.model_id)
    reference = await _reference(store, story.reference_image_key)
    latest = {image.scene_index: image for image in pictures.latest}
    prompts = pictures.prompt_overrides
    if event.prompt:
        prompts[scene.index] = event.prompt
    version = latest[scene.index].version + 1 if scene.index in latest else FIRST_VERSION
    prompt = prompts.get(scene.index, scene.image_prompt)
    image = await make_picture(store, maker, event.job_id, scene, version, prompt, story.options, reference)
    latest[scene.index] = image
    images = [latest[index] for index in sorted(latest)]
    async with runtime.finish(CONSUMER, event) as out:
        await save_pictures(out.session, JobPictures.of(story, images, prompts))
        out.emit(
            SceneImageCompleted.after(event, image=image),
            ImagesCompleted.after(
                event,
                images=images,
                options=story.options,
                cost=_each(maker.cost(makers.prices, reference is not None), scene.shots),
            ),
        )


async def make_picture(
    store: ObjectStore,
    maker: PictureMaker,
    job_id: UUID,
    scene: Scene,
    version: int,
    prompt: str,
    options: RenderOptions,
    reference: bytes | None,
) -> SceneImage:
    """Make one version of a scene's picture (one per shot), or reuse what an earlier delivery already stored."""
    first = picture_key(job_id, scene.index, version, maker.kind)
    shot_keys = [first] + [_shot_key(first, shot) for shot in range(2, scene.shots + 1)]
    for shot, key in enumerate(shot_keys, start=1):
        if await store.exists(key):
            continue
        request = PictureRequest(
            prompt=prompt if shot == 1 else f"{SHOT_FRAMINGS[(shot - 2) % len(SHOT_FRAMINGS)]}, {prompt}",
            art_style=options.art_style,
            width=options.width,
            height=options.height,
            quality=options.quality,
            seed=f"{job_id}:{scene.index}:{version}" + (f":{shot}" if shot > 1 else ""),
            reference=reference,
        )
        await store.put_bytes(key, await maker.make(request), CONTENT_TYPES[maker.kind])
    return SceneImage(scene_index=scene.index, key=first, version=version, kind=maker.kind, shot_keys=shot_keys[1:])


SHOT_FRAMINGS = ("a closer view", "a wider view", "another angle")
"""How a scene's further shots are framed, so pictures held over one line differ."""


def _shot_key(first: str, shot: int) -> str:
    """`…/scene-007-v2-shot2.png` beside the scene's first picture."""
    stem, dot, suffix = first.rpartition(".")
    return f"{stem}-shot{shot}{dot}{suffix}"


async def _reference(store: ObjectStore, key: str | None) -> bytes | None:
    if key is None:
        return None
    if not await store.exists(key):
        raise InvalidInput(f"the reference image {key} is no longer stored; upload it again", field="reference_image")
    return await store.get_bytes(key)


def _each(cost: CostBreakdown, count: int) -> CostBreakdown:
    return CostBreakdown(**{name: round(value * count, 6) for name, value in cost.model_dump().items()})


def _store(runtime: Runtime) -> ObjectStore:
    assert runtime.store is not None
    return runtime.store
