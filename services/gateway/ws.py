"""Live job progress: a WebSocket and the same stream as Server-Sent Events.

Both replay the job's history from the gateway's `job_events` table and then follow
it, so a client that connects late still sees every step in order, and a stream
served by one replica sees changes projected by another (it polls between wake-ups).
The stream ends after the job's final event.
"""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import StreamingResponse

from libs.common.errors import NotFound, Unauthorized
from libs.common.runtime import Runtime
from libs.common.vocabulary import FINAL_STATUSES
from services.gateway import jobs
from services.gateway.deps import CurrentUser, RuntimeDep, identify
from services.gateway.projection import JobSignals
from services.gateway.security import Principal, TokenVerifier
from services.gateway.store import JobEvent

router = APIRouter(tags=["progress"])

TOKEN_WAIT_S = 10.0
KIND_TO_TYPE = {
    "jobs.created": "created",
    "jobs.requested": "queued",
    "jobs.progress": "progress",
    "jobs.redriven": "retrying",
    "jobs.completed": "completed",
    "jobs.failed": "failed",
    "jobs.cancelled": "cancelled",
}


def message(entry: JobEvent) -> dict[str, Any]:
    return {
        "type": KIND_TO_TYPE.get(entry.kind, entry.kind),
        "seq": entry.id,
        "job_id": str(entry.job_id),
        "status": entry.status,
        "progress": entry.progress,
        "stage": entry.stage,
        "message": entry.message,
        "at": entry.created_at.isoformat(),
    }


async def follow(
    runtime: Runtime, signals: JobSignals, job_id: UUID, after_id: int, poll_s: float
) -> AsyncIterator[JobEvent]:
    """The job's events after `after_id`, live, ending with its final event."""
    while True:
        for entry in await jobs.events_after(runtime, job_id, after_id):
            after_id = entry.id or after_id
            yield entry
            if entry.status in FINAL_STATUSES:
                return
        await signals.wait(job_id, poll_s)


@router.websocket("/jobs/{job_id}/events")
async def job_events_socket(websocket: WebSocket, job_id: UUID, token: str | None = None) -> None:
    """Progress as JSON messages. Authenticate with `?token=` or a first message `{"token": "..."}`."""
    await websocket.accept()
    app = websocket.app
    try:
        user = await _socket_user(websocket, app.state.verifier, token)
        await jobs.get_job(app.state.runtime, user, job_id)
    except Unauthorized as error:
        await websocket.close(code=4401, reason=error.message)
        return
    except NotFound as error:
        await websocket.close(code=4404, reason=error.message)
        return
    reader = asyncio.create_task(_answer_pings(websocket))
    try:
        stream = follow(app.state.runtime, app.state.signals, job_id, 0, app.state.settings.event_poll_s)
        async for entry in stream:
            if reader.done():
                return
            await websocket.send_json(message(entry))
        await websocket.close(code=1000)
    except (WebSocketDisconnect, RuntimeError):
        return
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader


async def _socket_user(websocket: WebSocket, verifier: TokenVerifier, token: str | None) -> Principal:
    if token is None:
        try:
            first = await asyncio.wait_for(websocket.receive_text(), TOKEN_WAIT_S)
        except (TimeoutError, WebSocketDisconnect):
            raise Unauthorized("Not authenticated: send ?token= or a first message with the token") from None
        try:
            token = json.loads(first).get("token")
        except (ValueError, AttributeError):
            token = first.strip()
    if not token:
        raise Unauthorized("Not authenticated: send ?token= or a first message with the token")
    user = await identify(websocket.app, token)  # API keys too; a disabled account is refused
    if user is None:
        raise Unauthorized("Not authenticated: send ?token= or a first message with the token")
    return user


async def _answer_pings(websocket: WebSocket) -> None:
    """Answer `ping` with `pong`; returns when the client goes away."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            if (await websocket.receive_text()).strip().lower() in ("ping", '"ping"', '{"type":"ping"}'):
                await websocket.send_json({"type": "pong"})


@router.get("/jobs/{job_id}/events", response_class=StreamingResponse)
@router.get("/jobs/{job_id}/events/stream", response_class=StreamingResponse)
async def job_events_stream(
    job_id: UUID,
    request: Request,
    user: CurrentUser,
    runtime: RuntimeDep,
    last_event_id: Annotated[int, Query(ge=0, alias="after")] = 0,
) -> StreamingResponse:
    """The same progress as Server-Sent Events (`text/event-stream`); resumes after `Last-Event-ID`."""
    await jobs.get_job(runtime, user, job_id)
    header = request.headers.get("last-event-id", "")
    after = int(header) if header.isdigit() else last_event_id
    app = request.app

    async def lines() -> AsyncIterator[str]:
        async for entry in follow(runtime, app.state.signals, job_id, after, app.state.settings.event_poll_s):
            body = message(entry)
            yield f"id: {entry.id}\nevent: {body['type']}\ndata: {json.dumps(body)}\n\n"

    return StreamingResponse(lines(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
