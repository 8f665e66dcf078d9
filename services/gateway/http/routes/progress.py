"""Live job progress: a WebSocket and the same stream as Server-Sent Events.

Both replay the job's history from the gateway's `job_events` table and then follow it, so a
client that connects late still sees every step in order. Every stream of a job in one replica
shares that job's one feed (`progress_hub`): no stream reads the database or holds a session
of its own, and one that falls `progress_send_queue` messages behind is dropped (WebSocket close
code 1013, try again later; an SSE response just ends, to be resumed with `Last-Event-ID`).

A stream ends after the job's final event. With `?follow=rerenders` a completed job's stream
stays open instead: a regenerated scene's re-render is streamed on it (its progress, with the
job still `completed`, then a `completed` with the new `output.version`) until the client leaves;
a failed or cancelled job's stream still ends.
"""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import StreamingResponse

from libs.common.errors import NotFound, Unauthorized
from services.gateway.core import jobs
from services.gateway.core.progress_hub import ProgressHub, SubscriberDropped, Subscription
from services.gateway.core.progress_stream import KIND_TO_TYPE
from services.gateway.core.security import Principal, TokenVerifier
from services.gateway.http.deps import CurrentUser, RuntimeDep, identify
from services.gateway.http.sockets import answer_pings

router = APIRouter(tags=["progress"])

TOKEN_WAIT_S = 10.0
CLOSE_WAIT_S = 10.0
"""How long closing a dropped client may wait for room in its connection (it is not reading)."""
TOO_SLOW = 1013
Follow = Annotated[
    Literal["rerenders"] | None,
    Query(description="`rerenders`: keep a completed job's stream open and stream its re-renders too"),
]


@router.websocket("/jobs/{job_id}/events")
async def job_events_socket(
    websocket: WebSocket, job_id: UUID, token: str | None = None, follow: Follow = None
) -> None:
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
    hub: ProgressHub = app.state.signals
    reader = asyncio.create_task(answer_pings(websocket))
    try:
        async with hub.subscribe(app.state.runtime, job_id, rerenders=follow == "rerenders") as feed:
            outcome = await _stream(websocket, feed, reader)
        if outcome == "dropped":
            await _close_slow(websocket)
        elif outcome == "ended":
            await websocket.close(code=1000)
    except (WebSocketDisconnect, RuntimeError):
        return
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader


async def _stream(
    websocket: WebSocket, feed: Subscription, reader: asyncio.Task[None]
) -> Literal["ended", "dropped", "gone"]:
    """Send the feed until it ends, the client falls behind (noticed even while a send waits for room in
    a connection the client does not read) or the client leaves (`reader` returns)."""

    async def send() -> None:
        while True:
            try:
                item = await feed.next_message()
            except StopAsyncIteration:
                return
            assert item is not None  # no idle limit
            await websocket.send_text(item.text)  # encoded once by the feed, for all its sockets

    sender = asyncio.create_task(send())
    dropped = asyncio.create_task(feed.dropped.wait())
    try:
        await asyncio.wait({reader, sender, dropped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (sender, dropped):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, SubscriberDropped, WebSocketDisconnect, RuntimeError):
                await task
    if feed.dropped.is_set():
        return "dropped"
    if sender.done() and not sender.cancelled() and sender.exception() is None:
        return "ended"
    return "gone"


async def _close_slow(websocket: WebSocket) -> None:
    """Close a client that fell behind with 1013 (try again later): it resumes by connecting again. Its
    connection may be full; then the server's keepalive pings, unanswered, end it."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(CLOSE_WAIT_S):
            await websocket.close(code=TOO_SLOW, reason="Too slow to keep up: connect again to resume")


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


@router.get("/jobs/{job_id}/events", response_class=StreamingResponse)
@router.get("/jobs/{job_id}/events/stream", response_class=StreamingResponse)
async def job_events_stream(
    job_id: UUID,
    request: Request,
    user: CurrentUser,
    runtime: RuntimeDep,
    last_event_id: Annotated[int, Query(ge=0, alias="after")] = 0,
    follow: Follow = None,
) -> StreamingResponse:
    """The same progress as Server-Sent Events (`text/event-stream`); resumes after `Last-Event-ID`.

    While nothing happens, a `: ping` comment every `progress_heartbeat_s` keeps proxies from closing it."""
    await jobs.get_job(runtime, user, job_id)
    header = request.headers.get("last-event-id", "")
    after = int(header) if header.isdigit() else last_event_id
    hub: ProgressHub = request.app.state.signals
    heartbeat_s = request.app.state.settings.progress_heartbeat_s

    async def lines() -> AsyncIterator[str]:
        async with hub.subscribe(runtime, job_id, after, rerenders=follow == "rerenders") as feed:
            while True:
                try:
                    item = await feed.next_message(heartbeat_s)
                except (StopAsyncIteration, SubscriberDropped):
                    return
                if item is None:
                    yield ": ping\n\n"
                    continue
                kind = KIND_TO_TYPE.get(item.entry.kind, item.entry.kind)
                yield f"id: {item.entry.id}\nevent: {kind}\ndata: {item.text}\n\n"

    return StreamingResponse(lines(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
