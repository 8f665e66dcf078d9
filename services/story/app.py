from fastapi import FastAPI

from libs.common.events import JobApproved, JobRequested, Topics
from libs.common.runtime import Runtime
from libs.common.service import build_service
from services.story import handlers
from services.story.providers import build_providers
from services.story.settings import StorySettings


def create_app(settings: StorySettings) -> FastAPI:
    def wire(runtime: Runtime) -> None:
        providers = build_providers(settings)
        runtime.closers.append(providers.close)

        async def handle(event: JobRequested | JobApproved) -> None:
            if isinstance(event, JobApproved):
                await handlers.continue_story(event, runtime, providers)
            else:
                await handlers.write_story(event, runtime, providers)

        runtime.consume(
            (Topics.JOBS_REQUESTED, Topics.JOBS_APPROVED),
            handlers.CONSUMER,
            (JobRequested, JobApproved),
            "story",
            handle,
            settings.stage_concurrency,
        )

    return build_service("story", settings, wire=wire)
