"""The gateway: the public REST and WebSocket API, the jobs projection, and the outbox to the pipeline."""

import asyncio

import httpx
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from libs.common.http_errors import install_error_handlers
from libs.common.runtime import Runtime
from libs.common.service import build_service
from services.gateway import compat
from services.gateway.core import projection, ratelimit, signed_urls, templates, webhooks
from services.gateway.core.access import DisabledAccounts
from services.gateway.core.api_keys import KnownKeys
from services.gateway.core.job_reads import JobReads
from services.gateway.core.progress_hub import ProgressHub
from services.gateway.core.reconciler import run_reconciler
from services.gateway.core.request_budgets import RequestBudgets
from services.gateway.core.security import TokenVerifier
from services.gateway.http import ratelimit_headers
from services.gateway.http.auth_client import AuthClient
from services.gateway.http.routes import admin, assets, auth, files, jobs, models, users
from services.gateway.http.routes import api_keys as api_key_routes
from services.gateway.http.routes import progress as ws
from services.gateway.http.routes import projects as project_routes
from services.gateway.http.routes import scenes as scene_routes
from services.gateway.http.routes import studio as studio_routes
from services.gateway.http.routes import templates as template_routes
from services.gateway.http.routes import uploads as upload_routes
from services.gateway.http.routes import webhooks as webhook_routes
from services.gateway.settings import GatewaySettings

API = "/api/v1"


def create_app(settings: GatewaySettings) -> FastAPI:
    signals = ProgressHub()  # the replica's progress feeds, woken by the projection

    async def wire(runtime: Runtime) -> None:
        await templates.seed(runtime)
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
        app.state.url_signing_key = await signed_urls.load_signing_key(runtime.db, settings.url_signing_key)
        runtime.background.append(asyncio.create_task(ratelimit.run_sweeper(runtime.db), name="rate-limit-sweeper"))
        app.state.disabled_accounts = DisabledAccounts(runtime.db, settings.credential_cache_ttl_s)
        app.state.known_keys = KnownKeys(runtime.db, settings.credential_cache_ttl_s)
        budgets = app.state.request_budgets = RequestBudgets(runtime.db, settings.rate_limit_sync_s)
        runtime.background.append(asyncio.create_task(budgets.run(), name="request-budgets"))
        runtime.closers.append(budgets.write)

    app = build_service("gateway", settings, wire=wire, title="Reelforge API")
    app.state.settings = settings
    app.state.signals = signals
    app.state.job_reads = JobReads(settings.job_read_cache_s)
    install_error_handlers(app)
    app.add_middleware(ratelimit_headers.RateLimitHeaders)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.allowed_origins,
        allow_methods=["*"],
        allow_headers=["*"],
        allow_credentials="*" not in settings.allowed_origins,
        expose_headers=[*ratelimit_headers.HEADERS],
    )
    for router in (
        auth.router,
        jobs.router,
        ws.router,
        webhook_routes.router,
        project_routes.router,
        template_routes.router,
        upload_routes.router,
        scene_routes.router,
        assets.router,
        models.router,
        users.router,
        api_key_routes.router,
        admin.router,
        files.router,
    ):
        app.include_router(router, prefix=API)
    compat.mount_dialects(app)
    app.include_router(studio_routes.router)  # the web studio at / and /studio, kept out of the OpenAPI schema
    return app
