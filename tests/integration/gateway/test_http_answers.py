"""What the gateway answers over HTTP when something goes wrong, under a real uvicorn on loopback with the real bus:
an unexpected error is logged once with its traceback and answered in the API's own 500 shape, and a template used
with parameters POST /jobs does not offer is refused naming them."""

import asyncio
import json
import logging
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from sqlmodel import select
from starlette.routing import Mount

from libs.common.settings import StorageSettings
from services.gateway.app import API, create_app
from services.gateway.core import api_keys, templates
from services.gateway.core.schemas import JobCreate
from services.gateway.core.security import Principal
from services.gateway.core.store import Job
from services.gateway.core.templates import Template
from services.gateway.settings import GatewaySettings
from tests.bus import service_settings, serving

ADA = Principal(user_id="ada-1", role="user", username="ada")
SECRET = "the database password is hunter2"  # in the error, never in an answer


def settings_for(kafka: str, database_url: str, tmp_path: Path) -> GatewaySettings:
    return service_settings(
        GatewaySettings, kafka, database_url, StorageSettings(media_dir=tmp_path / "media"), tmp_path
    )


@asynccontextmanager
async def listening(app: FastAPI) -> AsyncIterator[str]:
    """`app` (its lifespan already running) under uvicorn as `serve` runs it (its log records go to the root
    logger), on a loopback port in this event loop; yields the base URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_config=None, access_log=False))
    serving_task = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        async with asyncio.timeout(30):
            while not server.started:
                await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        server.should_exit = True
        await serving_task
        listener.close()


class Recorded(logging.Handler):
    """Every record the root logger writes, as the service's own log handler sees them."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def dialect(app: FastAPI, prefix: str) -> FastAPI:
    mounted = next(route.app for route in app.routes if isinstance(route, Mount) and route.path == prefix)
    assert isinstance(mounted, FastAPI)
    return mounted


async def fail() -> None:
    raise RuntimeError(SECRET)


def is_platform_500(body: Any) -> bool:
    return body["success"] is False and body["error"]["code"] == "SYS_001" and body["data"] is None


# Where a failing route is added, and the 500 its document describes.
FIVE_HUNDREDS: dict[str, Callable[[Any], bool]] = {
    API: lambda body: body == {"detail": "Internal server error"},
    "/compat/shorts/v1": lambda body: body == {"detail": "Internal server error"},
    "/compat/studio/api/v1": lambda body: body == {"detail": "Internal server error"},
    "/compat/text2video/api/v1": lambda body: body == {"error": "Internal server error"},
    "/compat/storyboard": lambda body: body["error"] == "Internal server error" and "timestamp" in body,
    "/compat/platform/v1": is_platform_500,
}


async def test_an_unexpected_error_is_logged_once_with_its_traceback_and_answered_without_it(
    kafka: str, tmp_path: Path
) -> None:
    app = create_app(settings_for(kafka, f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}", tmp_path))
    app.add_api_route(f"{API}/test-failure", fail)
    for prefix in FIVE_HUNDREDS:
        if prefix != API:
            dialect(app, prefix).add_api_route("/test-failure", fail)
    async with serving(app), listening(app) as base:
        recorded = Recorded()
        logging.getLogger().addHandler(recorded)  # after start-up, which sets up the service's own handler
        try:
            async with httpx.AsyncClient(base_url=base, timeout=30) as client:
                for prefix, documented in FIVE_HUNDREDS.items():
                    recorded.records.clear()
                    answer = await client.get(f"{prefix}/test-failure")
                    assert answer.status_code == 500, (prefix, answer.text)
                    assert documented(answer.json()), (prefix, answer.text)
                    assert SECRET not in answer.text and "Traceback" not in answer.text, prefix
                    # The connection stays usable: the next request is answered on it.
                    assert (await client.get("/healthz")).status_code == 200
                    errors = [record for record in recorded.records if record.levelno >= logging.ERROR]
                    assert len(errors) == 1, (prefix, [record.getMessage() for record in errors])
                    [error] = errors
                    assert f"{prefix}/test-failure" in error.getMessage(), prefix
                    assert error.exc_info is not None and str(error.exc_info[1]) == SECRET, prefix
        finally:
            logging.getLogger().removeHandler(recorded)


async def test_a_template_used_with_parameters_post_jobs_does_not_offer_is_refused_naming_them(
    kafka: str, database_url: str, tmp_path: Path
) -> None:
    async with serving(create_app(settings_for(kafka, database_url, tmp_path))) as app, listening(app) as base:
        runtime = app.state.runtime
        _, key = await api_keys.create_key(runtime.db, ADA, "templates")
        stale = Template(
            id=templates.template_id("stale-test-template"),
            slug="stale-test-template",
            name="Stale",
            category="storytelling",
            description="A stored template naming a parameter POST /jobs does not offer.",
            parameters=json.dumps({"topic": "scary", "voice": "onyx", "speed": 2}),
        )
        async with runtime.db.transaction() as session:
            session.add(stale)
        allowed = ", ".join(JobCreate.model_fields)
        async with httpx.AsyncClient(base_url=f"{base}{API}", headers={"X-API-Key": key}, timeout=30) as client:
            mine = await client.post("/templates/fun-facts/use", json={"colour": "red", "voice": "echo", "pace": 1})
            assert mine.status_code == 422, mine.text
            assert mine.json()["errors"] == [
                {"field": "colour", "message": f"not a parameter of POST /jobs; the parameters are {allowed}"},
                {"field": "pace", "message": f"not a parameter of POST /jobs; the parameters are {allowed}"},
            ]
            assert mine.json()["detail"].startswith("Invalid request: colour: not a parameter of POST /jobs")

            theirs = await client.post("/templates/stale-test-template/use", json={"voice": "echo"})
            assert theirs.status_code == 422, theirs.text
            [speed] = theirs.json()["errors"]
            assert speed == {
                "field": "speed",
                "message": f"set by the template but not a parameter of POST /jobs; the parameters are {allowed}",
            }
        # Neither use made a job, nor counted.
        for slug in ("fun-facts", "stale-test-template"):
            assert (await templates.get_template(runtime, slug)).usage_count == 0
        async with runtime.db.sessions() as session:
            assert (await session.exec(select(Job))).all() == []
