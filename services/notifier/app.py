"""The notifier: users' webhook endpoints, and signed, retried deliveries of their jobs' events."""

import asyncio

from fastapi import FastAPI

from libs.common.runtime import Runtime
from libs.common.service import build_service
from libs.common.ssrf import Allowlist
from services.notifier import handlers
from services.notifier.policy import RetryPolicy
from services.notifier.scheduler import DeliveryScheduler
from services.notifier.sender import WebhookSender, webhook_client
from services.notifier.settings import NotifierSettings


def create_app(settings: NotifierSettings) -> FastAPI:
    def wire(runtime: Runtime) -> None:
        client = webhook_client()
        runtime.closers.append(client.aclose)
        sender = WebhookSender(client, Allowlist.parse(settings.webhook_allowed_hosts), settings.webhook_timeout_s)
        policy = RetryPolicy(tuple(settings.webhook_retry_schedule_s))
        scheduler = DeliveryScheduler(runtime, sender, policy, settings)
        runtime.consume(
            handlers.REQUEST_TOPICS,
            handlers.REQUESTS_CONSUMER,
            handlers.REQUEST_EVENTS,
            None,
            lambda event: handlers.on_endpoint_request(event, runtime, policy, scheduler),
        )
        runtime.consume(
            handlers.JOB_TOPICS,
            handlers.JOBS_CONSUMER,
            handlers.JOB_EVENTS,
            None,
            lambda event: handlers.on_job_event(event, runtime, policy, scheduler),
        )
        runtime.background.append(asyncio.create_task(scheduler.run(), name="notifier-webhook-scheduler"))

    return build_service("notifier", settings, wire=wire, uses_store=False)
