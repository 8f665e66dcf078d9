from fastapi import FastAPI

from libs.common.events import JobRequested, Topics
from libs.common.runtime import Runtime
from libs.common.service import build_service
from services.story import handlers
from services.story.providers import build_providers
from services.story.settings import StorySettings


def create_app(settings: StorySettings) -> FastAPI:
    def wire(runtime: Runtime) -> None:
        providers = build_providers(settings)
        runtime.closers.append(providers.close)
        runtime.consume(
            (Topics.JOBS_REQUESTED,),
            handlers.CONSUMER,
            (JobRequested,),
            "story",
            lambda event: handlers.write_story(event, runtime, providers),
        )

    return build_service("story", settings, wire=wire)
