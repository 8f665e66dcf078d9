"""The HTTP shell every process shares: lifespan wiring, /healthz, /readyz, /metrics, and `serve`.

A worker is this shell around its broker subscriptions; the gateway and auth add
their routes to the same shell, so every process starts, reports and stops alike.
"""

import asyncio
import logging
import os
import resource
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Protocol, TypeVar

import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from libs.common import tracing
from libs.common.bus import BusAdmin, make_broker, watch_bus
from libs.common.db import Database
from libs.common.events import Topics
from libs.common.logs import configure_logging
from libs.common.metrics import HttpMetrics, metrics_endpoint
from libs.common.migrations import upgrade_to_head
from libs.common.outbox import OutboxRelay
from libs.common.runtime import Runtime
from libs.common.settings import BusSettings, DatabaseSettings, StorageSettings
from libs.common.storage import open_store
from libs.common.tools import sweep_orphaned_work_dirs

log = logging.getLogger(__name__)

Wiring = Callable[[Runtime], Awaitable[None] | None]
BACKGROUND_STOP_S = 10.0
"""How long cancelled background loops (relay, reconciler, sweepers) get to finish their current step."""


def build_service(
    service: str,
    settings: DatabaseSettings,
    wire: Wiring | None = None,
    uses_bus: bool = True,
    uses_store: bool = True,
    title: str | None = None,
) -> FastAPI:
    """A FastAPI app whose lifespan opens the service's database (upgraded to its newest revision), store and broker.

    `wire(runtime)` registers subscribers (and anything else needing the runtime)
    before the broker starts; the runtime is kept on `app.state.runtime`. A service that uses the bus
    has bus settings, and one that uses the store has storage settings (checked at start-up).
    """
    bus = settings if isinstance(settings, BusSettings) else None
    storage = settings if isinstance(settings, StorageSettings) else None
    if (uses_bus and bus is None) or (uses_store and storage is None):
        raise TypeError(f"{service}'s settings lack the bus or storage settings it uses")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(service, settings.log_level, settings.log_format)
        tracing.install(service)
        sweep_orphaned_work_dirs(service)
        db = Database.for_service(settings, service)
        await upgrade_to_head(db, service)
        runtime = Runtime(service=service, settings=settings, db=db, bus_lost=app.state.bus_lost)
        if uses_store and storage is not None:
            runtime.store = await open_store(storage)
        if uses_bus and bus is not None:
            runtime.broker = make_broker(bus, service)
            runtime.relay = OutboxRelay(db, runtime.broker, bus.outbox_poll_s)
        app.state.runtime = runtime
        if wire is not None:
            wired = wire(runtime)
            if wired is not None:
                await wired
        if bus is not None and runtime.broker is not None and runtime.relay is not None:
            admin = await BusAdmin.of_broker(runtime.broker, bus)
            await admin.ensure_topics(list(Topics.ALL))
            await runtime.broker.start()
            runtime.background.append(asyncio.create_task(runtime.relay.run(), name=f"{service}-outbox-relay"))
            epoch = await admin.epoch()
            runtime.background.append(
                asyncio.create_task(
                    watch_bus(admin, list(Topics.ALL), epoch, runtime.bus_lost),
                    name=f"{service}-bus-watch",
                )
            )
        log.info("%s started", service)
        try:
            yield
        finally:
            log.info("%s stopping", service)
            await _stop_background(runtime.background)
            if bus is not None and runtime.broker is not None:
                await _stop_broker(runtime, bus.shutdown_grace_s + BACKGROUND_STOP_S)
            for close in runtime.closers:
                await close()
            await db.close()

    app = FastAPI(title=title or f"Reelforge {service}", lifespan=lifespan)
    app.add_middleware(tracing.ContinueTrace)
    app.add_middleware(HttpMetrics, service=service)  # outside the trace, so its time counts too
    app.state.bus_lost = asyncio.Event()

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": service}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        runtime: Runtime = app.state.runtime
        checks = {"database": await _safe(runtime.db.ping())}
        if runtime.store is not None:
            checks["storage"] = await _safe(runtime.store.ping())
        if runtime.broker is not None:
            checks["bus"] = await _safe(runtime.broker.ping(timeout=2.0))
        ready = all(checks.values())
        return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)

    app.add_route("/metrics", metrics_endpoint, include_in_schema=False)
    return app


async def _safe(check: Awaitable[bool]) -> bool:
    try:
        return bool(await asyncio.wait_for(check, timeout=3.0))
    except Exception:
        log.warning("readiness check failed", exc_info=True)
        return False


EXIT_BUS_LOST = 75
"""EX_TEMPFAIL: the service stopped itself because its broker lost its data; start it again."""
HARD_EXIT_AFTER_S = 10.0


def raise_open_file_limit() -> tuple[int, int]:
    """Raise the soft limit on open files to the hard one and log both: every WebSocket subscriber and
    every database or broker connection is a file, and the usual soft limit of 1024 caps a gateway at
    about a thousand subscribers. Returns (soft, hard) as they are afterwards."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    if soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError) as error:
            log.warning("could not raise the open-file limit from %d to %d: %s", soft, wanted, error)
    log.info("open-file limit: %d (hard %d)", soft, hard)
    return soft, hard


def serve(app: FastAPI, host: str, port: int, ws_ping_s: float = 20.0) -> None:
    """Run `app` until SIGINT/SIGTERM; uvicorn then runs the lifespan shutdown (broker stop, drain).

    If the broker forgets its data, the service shuts down the same way and exits with
    EXIT_BUS_LOST, for its supervisor (make run, compose, Kubernetes) to start it afresh;
    every message it held was left uncommitted, and its outbox waits in the database.
    WebSockets get a protocol ping every `ws_ping_s`, which keeps idle ones open behind proxies.
    """
    raise_open_file_limit()
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=30,
        ws_ping_interval=ws_ping_s,
    )
    if asyncio.run(_serve(app, CalmServer(config))):
        sys.exit(EXIT_BUS_LOST)


class CalmServer(uvicorn.Server):
    """uvicorn's server, whose idle tick comes once a second instead of ten times.

    The tick only refreshes the Date header (once a second either way) and notices that the
    server should stop, so a shutdown starts up to a second after its signal.
    """

    async def main_loop(self) -> None:
        counter = 0
        while not await self.on_tick(counter):
            counter += 10  # on_tick does its once-a-second work when the counter is a multiple of ten
            await asyncio.sleep(1.0)


async def _serve(app: FastAPI, server: uvicorn.Server) -> bool:
    """Serve until stopped; True if the service stopped because its bus was lost."""
    watcher = asyncio.create_task(_stop_when_bus_lost(app.state.bus_lost, server))
    try:
        await server.serve()
    finally:
        watcher.cancel()
    return app.state.bus_lost.is_set()


async def _stop_background(tasks: list[asyncio.Task[None]]) -> None:
    """Cancel the background loops and wait for them, but never forever: one that does not stop is
    named in the log and left behind, so a stuck loop cannot keep the process from exiting."""
    for task in tasks:
        task.cancel()
    if not tasks:
        return
    _, stuck = await asyncio.wait(tasks, timeout=BACKGROUND_STOP_S)
    for task in stuck:
        log.error("background task %s did not stop within %.0f s; leaving it", task.get_name(), BACKGROUND_STOP_S)


async def _stop_broker(runtime: Runtime, timeout_s: float) -> None:
    """Close the subscriptions (the message in hand gets the shutdown grace) and the producer, within `timeout_s`."""
    assert runtime.broker is not None
    try:
        async with asyncio.timeout(timeout_s):  # not wait_for: it can swallow a cancellation (see libs.common.waiting)
            await runtime.broker.stop()
    except TimeoutError:
        log.error("%s: the broker connections did not close within %.0f s; leaving them", runtime.service, timeout_s)


async def _stop_when_bus_lost(bus_lost: asyncio.Event, server: uvicorn.Server) -> None:
    """Stop quickly: nothing in hand is worth waiting for (it was never committed), so open
    connections are not drained, and a shutdown that hangs on a confused client is cut short."""
    await bus_lost.wait()
    server.should_exit = server.force_exit = True
    await asyncio.sleep(HARD_EXIT_AFTER_S)
    log.error("shutdown did not finish in %.0f s after the bus was lost; exiting now", HARD_EXIT_AFTER_S)
    os._exit(EXIT_BUS_LOST)


class ServedSettings(Protocol):
    """What `run` needs of a service's settings: where it listens."""

    host: str

    @property
    def port(self) -> int: ...


S = TypeVar("S", bound=ServedSettings)


def run(create_app: Callable[[S], FastAPI], settings: S) -> None:
    """The body of every `python -m services.<name>`."""
    ping_s = getattr(settings, "progress_heartbeat_s", 20.0)  # the gateway's WebSockets: a protocol ping this often
    serve(create_app(settings), settings.host, settings.port, ping_s)
