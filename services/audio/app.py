from fastapi import FastAPI

from libs.common.events import StoryCompleted, Topics
from libs.common.runtime import Runtime
from libs.common.service import build_service
from services.audio import handlers
from services.audio.providers import build_providers
from services.audio.settings import AudioSettings


def create_app(settings: AudioSettings) -> FastAPI:
    def wire(runtime: Runtime) -> None:
        providers = build_providers(settings)
        runtime.closers.append(providers.close)
        runtime.consume(
            (Topics.STORY_COMPLETED,),
            handlers.CONSUMER,
            (StoryCompleted,),
            "audio",
            lambda event: handlers.narrate_storyboard(
                event, runtime, providers, settings.narration_concurrency, settings.music_dir
            ),
            settings.stage_concurrency,
        )

    return build_service("audio", settings, wire=wire)
