"""The gateway: the public REST and WebSocket API, the jobs projection, and the outbox to the pipeline."""

import asyncio

import httpx
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from libs.common.http_errors import install_error_handlers
from libs.common.runtime import Runtime
from libs.common.service import build_service
from services.gateway import projection, webhooks, ws
from services.gateway.auth_client import AuthClient
from services.gateway.reconciler import run_reconciler
from services.gateway.routes import auth, jobs
from services.gateway.routes import webhooks as webhook_routes
from services.gateway.security import TokenVerifier
from services.gateway.settings import GatewaySettings
from services.gateway.store import TABLES

API = "/api/v1"


def create_app(settings: GatewaySettings) -> FastAPI:
    signals = projection.JobSignals()

    def wire(runtime: Runtime) -> None:
        client = httpx.AsyncClient()
        runtime.closers.append(client.aclose)
        app.state.auth_client = AuthClient(settings.auth_url, client)
        app.state.verifier = TokenVerifier(
            f"{settings.auth_url.rstrip('/')}/.well-known/jwks.json", settings.jwt_issuer, settings.jwt_audience, client
        )
        runtime.consume(
            projection.TOPICS,
            projection.CONSUMER,
            projection.EVENTS,
            None,
            lambda event: projection.project(event, runtime, signals),
        )
        runtime.consume(
            webhooks.TOPICS, webhooks.CONSUMER, webhooks.EVENTS, None, lambda event: webhooks.project(event, runtime)
        )
        runtime.background.append(asyncio.create_task(run_reconciler(runtime, settings), name="reconciler"))

    app = build_service("gateway", settings, tables=[*TABLES, *webhooks.TABLES], wire=wire, title="Reelforge API")
    app.state.settings = settings
    app.state.signals = signals
    install_error_handlers(app)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["*"],
        allow_headers=["*"],
        allow_credentials="*" not in settings.cors_origins,
    )
    for router in (auth.router, jobs.router, ws.router, webhook_routes.router):
        app.include_router(router, prefix=API)
    return app
