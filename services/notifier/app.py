from fastapi import FastAPI

from libs.common.events import JobCompleted, JobFailed, Topics
from libs.common.runtime import Runtime
from libs.common.service import build_service
from services.notifier import handlers
from services.notifier.settings import NotifierSettings
from services.notifier.store import TABLES


def create_app(settings: NotifierSettings) -> FastAPI:
    def wire(runtime: Runtime) -> None:
        runtime.consume(
            (Topics.JOBS_COMPLETED, Topics.JOBS_FAILED),
            handlers.CONSUMER,
            (JobCompleted, JobFailed),
            None,
            lambda event: handlers.record_outcome(event, runtime),
        )

    return build_service("notifier", settings, tables=TABLES, wire=wire, uses_store=False)
