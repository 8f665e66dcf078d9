from fastapi import FastAPI

from libs.common.events import ImageRegenerationRequested, StoryCompleted, Topics
from libs.common.runtime import Runtime
from libs.common.service import build_service
from services.imaging import handlers
from services.imaging.providers import build_makers
from services.imaging.settings import ImagingSettings


def create_app(settings: ImagingSettings) -> FastAPI:
    def wire(runtime: Runtime) -> None:
        makers = build_makers(settings)
        runtime.closers.append(makers.close)

        async def handle(event: StoryCompleted | ImageRegenerationRequested) -> None:
            if isinstance(event, StoryCompleted):
                await handlers.paint_storyboard(event, runtime, makers, settings.image_concurrency)
            else:
                await handlers.regenerate_image(event, runtime, makers)

        # One subscription for both topics: with the range assignor a job's partitions of both land on the
        # same replica, and a job's events are handled one at a time, so a regeneration never races the first
        # painting (other jobs run beside it).
        runtime.consume(
            (Topics.STORY_COMPLETED, Topics.IMAGES_REGENERATE_REQUESTED),
            handlers.CONSUMER,
            (StoryCompleted, ImageRegenerationRequested),
            "images",
            handle,
            settings.stage_concurrency,
        )

    return build_service("imaging", settings, wire=wire)
