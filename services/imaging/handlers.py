"""Imaging stage: one picture per scene, made concurrently within a bound; one scene again on request.

Object keys are fixed per job, scene and version, so a redelivered event (or a job sent through
again) finds a picture already stored and reuses it instead of paying for it twice. With a stock
media model every scene is searched and its footage chosen first (reported as the steps
`SEARCHING_FOOTAGE` and `FETCHING_FOOTAGE`), then the chosen files are fetched concurrently; a
scene without footage, or whose file could not be fetched, gets the procedural picture.
"""

import logging
from collections.abc import Iterable
from uuid import UUID

from libs.common.errors import InvalidInput, ProviderError
from libs.common.events import (
    CostBreakdown,
    Event,
    ImageRegenerationRequested,
    ImagesCompleted,
    JobProgress,
    RenderOptions,
    Scene,
    SceneImage,
    SceneImageCompleted,
    StoryCompleted,
    overall_progress,
)
from libs.common.metrics import count_spend, provider_call
from libs.common.runtime import Runtime
from libs.common.scene_work import FETCHING_FOOTAGE, SEARCHING_FOOTAGE, each_scene, scene_progress
from libs.common.storage import ObjectStore, keys
from libs.common.subjects import find_subjects
from services.imaging.pictures import CONTENT_TYPES, PictureKind, PictureMaker, PictureRequest, depiction
from services.imaging.providers import PictureMakers
from services.imaging.stock_media import Footage, StockMedia
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
    painter = maker.fallback if isinstance(maker, StockMedia) else maker
    source = makers.source_of(event.options.model_id)
    provider = makers.provider_of(event.options.model_id)
    painting = "offline" if isinstance(maker, StockMedia) else provider  # a stock model paints offline
    footage: dict[int, Footage] = {}
    if isinstance(maker, StockMedia) and (unpainted := [scene for scene in scenes if scene.index not in kept]):
        await runtime.emit(_step(event, 0.0, SEARCHING_FOOTAGE))
        with provider_call("images", provider, "footage"):
            footage = await maker.plan(unpainted, event.options, used=_shown(kept.values()))
        await runtime.emit(_step(event, 0.05, FETCHING_FOOTAGE))

    async def paint(scene: Scene) -> SceneImage:
        if scene.index in kept:  # the job went through again after a regeneration: keep the newest version
            return kept[scene.index]
        if isinstance(maker, StockMedia) and scene.index in footage:
            found = await make_footage(
                store, maker, event.job_id, scene, FIRST_VERSION, footage[scene.index], event.options, provider
            )
            if found is not None:
                return found
        image = await make_picture(
            store, painter, event.job_id, scene, FIRST_VERSION, scene.image_prompt, event.options, reference, painting
        )
        return image.model_copy(update={"source": source})

    async def reported(scene: Scene, image: SceneImage, count: int) -> None:
        verb = "Fetched" if image.source_ids else "Painted"
        await runtime.emit(
            SceneImageCompleted.after(event, image=image),
            scene_progress(event, "images", scene, count, len(scenes), verb),
        )

    images = await each_scene(scenes, concurrency, paint, reported)
    cost = _each(maker.cost(makers.prices, reference is not None), sum(scene.shots for scene in scenes))
    async with runtime.finish(CONSUMER, event) as out:
        await save_pictures(out.session, JobPictures.of(event, images, prompts))
        out.emit(ImagesCompleted.after(event, images=images, options=event.options, cost=cost))
    count_spend("images", cost)


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
    image: SceneImage | None = None
    provider = makers.provider_of(story.options.model_id)
    if isinstance(maker, StockMedia):  # different footage: nothing the job shows now, this scene's included
        asked = {scene.index: prompts[scene.index]} if scene.index in prompts else None
        with provider_call("images", provider, "footage"):
            plan = await maker.plan([scene], story.options, used=_shown(latest.values()), prompts=asked)
        if scene.index in plan:
            chosen = plan[scene.index]
            image = await make_footage(store, maker, event.job_id, scene, version, chosen, story.options, provider)
    if image is None:
        painter = maker.fallback if isinstance(maker, StockMedia) else maker
        painting = "offline" if isinstance(maker, StockMedia) else provider
        image = await make_picture(
            store, painter, event.job_id, scene, version, prompt, story.options, reference, painting
        )
        image = image.model_copy(update={"source": makers.source_of(story.options.model_id)})
    latest[scene.index] = image
    images = [latest[index] for index in sorted(latest)]
    cost = _each(maker.cost(makers.prices, reference is not None), scene.shots)
    async with runtime.finish(CONSUMER, event) as out:
        await save_pictures(out.session, JobPictures.of(story, images, prompts))
        out.emit(
            SceneImageCompleted.after(event, image=image),
            ImagesCompleted.after(event, images=images, options=story.options, cost=cost),
        )
    count_spend("images", cost)


async def make_picture(
    store: ObjectStore,
    maker: PictureMaker,
    job_id: UUID,
    scene: Scene,
    version: int,
    prompt: str,
    options: RenderOptions,
    reference: bytes | None,
    provider: str = "offline",
) -> SceneImage:
    """Make one version of a scene's picture (one per shot) with `provider`'s maker, or reuse what an earlier
    delivery already stored.

    The pictures show the scene's subjects (those a user's new prompt names, when it replaces the scene's);
    what the first one depicts, and where, is recorded for the render to move toward.
    """
    first = picture_key(job_id, scene.index, version, maker.kind)
    shot_keys = [first] + [_shot_key(first, shot) for shot in range(2, scene.shots + 1)]
    subjects = scene.subjects if prompt == scene.image_prompt else find_subjects(prompt)
    requests = [
        PictureRequest(
            prompt=prompt if shot == 1 else f"{SHOT_FRAMINGS[(shot - 2) % len(SHOT_FRAMINGS)]}, {prompt}",
            art_style=options.art_style,
            width=options.width,
            height=options.height,
            quality=options.quality,
            seed=f"{job_id}:{scene.index}:{version}" + (f":{shot}" if shot > 1 else ""),
            reference=reference,
            subjects=tuple(subjects),
            look_seed=str(job_id),
        )
        for shot in range(1, len(shot_keys) + 1)
    ]
    for key, request in zip(shot_keys, requests, strict=True):
        if not await store.exists(key):
            with provider_call("images", provider, "video" if maker.kind == "clip" else "image"):
                picture = await maker.make(request)
            await store.put_bytes(key, picture, CONTENT_TYPES[maker.kind])
    shown = depiction(maker, requests[0])
    return SceneImage(
        scene_index=scene.index,
        key=first,
        version=version,
        kind=maker.kind,
        shot_keys=shot_keys[1:],
        depicts=list(shown.depicts),
        focus=shown.focus,
    )


async def make_footage(
    store: ObjectStore,
    stock: StockMedia,
    job_id: UUID,
    scene: Scene,
    version: int,
    footage: Footage,
    options: RenderOptions,
    provider: str,
) -> SceneImage | None:
    """One version of a scene's picture from its chosen stock files (one per shot), reusing what an earlier
    delivery stored; None when a file could not be fetched or read (the scene is then painted instead)."""
    first = picture_key(job_id, scene.index, version, footage.kind)
    shot_keys = [first] + [_shot_key(first, shot) for shot in range(2, scene.shots + 1)]
    for key, shot in zip(shot_keys, footage.shots, strict=True):
        if await store.exists(key):
            continue
        try:
            with provider_call("images", provider, "footage"):
                data = await stock.fetch(shot, options, footage.shot_s)
        except ProviderError as error:
            log.warning("scene %d gets a painted picture: %s", scene.index, error.message)
            return None
        await store.put_bytes(key, data, CONTENT_TYPES[footage.kind])
    return SceneImage(
        scene_index=scene.index,
        key=first,
        version=version,
        kind=footage.kind,
        shot_keys=shot_keys[1:],
        source=footage.source,
        credit=footage.credit,
        source_ids=footage.ids,
    )


def _shown(images: Iterable[SceneImage]) -> list[str]:
    """The stock files these pictures show: a job shows each at most once."""
    return [shown for image in images for shown in image.source_ids]


def _step(cause: Event, fraction: float, message: str) -> JobProgress:
    return JobProgress.after(cause, stage="images", progress=overall_progress("images", fraction), message=message)


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
