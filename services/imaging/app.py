from fastapi import FastAPI

from libs.common.events import StoryCompleted, Topics
from libs.common.runtime import Runtime
from libs.common.service import build_service
from services.imaging import handlers
from services.imaging.settings import ImagingSettings


def create_app(settings: ImagingSettings) -> FastAPI:
    def wire(runtime: Runtime) -> None:
        runtime.consume(
            (Topics.STORY_COMPLETED,),
            handlers.CONSUMER,
            (StoryCompleted,),
            "images",
            lambda event: handlers.paint_storyboard(event, runtime, settings.image_concurrency),
        )

    return build_service("imaging", settings, tables=[], wire=wire)
