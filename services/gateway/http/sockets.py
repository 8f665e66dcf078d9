"""What every progress socket does alongside sending events: answer a client's pings."""

import contextlib

from fastapi import WebSocket, WebSocketDisconnect

PONG = '{"type":"pong"}'


async def answer_pings(websocket: WebSocket) -> None:
    """Answer `ping` with `pong`; returns when the client goes away."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            if (await websocket.receive_text()).strip().lower() in ("ping", '"ping"', '{"type":"ping"}'):
                await websocket.send_text(PONG)
