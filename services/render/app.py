from fastapi import FastAPI

from libs.common.events import AudioCompleted, ImagesCompleted, Topics
from libs.common.runtime import Runtime
from libs.common.service import build_service
from services.render import handlers
from services.render.settings import RenderSettings


def create_app(settings: RenderSettings) -> FastAPI:

    def wire(runtime: Runtime) -> None:
        runtime.consume(
            (Topics.IMAGES_COMPLETED, Topics.AUDIO_COMPLETED),
            handlers.CONSUMER,
            (ImagesCompleted, AudioCompleted),
            "render",
            lambda event: handlers.on_half(event, runtime, settings),
            settings.stage_concurrency,
        )

    return build_service("render", settings, wire=wire)
