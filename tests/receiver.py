"""A real webhook receiver on loopback (uvicorn, in the test's event loop) that answers as a test scripts it.

Each request gets the next planned answer (then `then` for ever after) and is recorded with the
moment it arrived, so tests can check headers, signatures and the spacing of retries.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

import uvicorn

from tests.servers import free_port

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]


@dataclass(frozen=True)
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.monotonic() on arrival, to measure gaps
    wall: float  # time.time() on arrival, to compare with `webhook-timestamp`


class Receiver:
    def __init__(self, *answers: Answer, then: Answer = Answer(200), path: str = "/hook") -> None:
        self.planned = list(answers)
        self.then = then
        self.path = path
        self.port = free_port()
        self.received: list[Received] = []
        self._arrived = asyncio.Condition()
        self._server = uvicorn.Server(
            uvicorn.Config(self, host="127.0.0.1", port=self.port, lifespan="off", log_level="warning")
        )
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    async def __aenter__(self) -> "Receiver":
        self._task = asyncio.create_task(self._server.serve())
        async with asyncio.timeout(10):
            while not self._server.started:
                await asyncio.sleep(0.01)
        return self

    async def __aexit__(self, *_: object) -> None:
        self._server.should_exit = True
        if self._task is not None:
            await self._task

    async def requests(self, count: int, timeout_s: float = 60.0) -> list[Received]:
        """The first `count` requests, once they have arrived."""
        async with asyncio.timeout(timeout_s), self._arrived:
            await self._arrived.wait_for(lambda: len(self.received) >= count)
        return self.received[:count]

    async def __call__(
        self, scope: Scope, receive: Callable[[], Awaitable[Message]], send: Callable[[Message], Awaitable[None]]
    ) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {name.decode().lower(): value.decode() for name, value in scope["headers"]}
        answer = self.planned.pop(0) if self.planned else self.then
        async with self._arrived:
            self.received.append(Received(scope["path"], headers, body, time.monotonic(), time.time()))
            self._arrived.notify_all()
        raw_headers = [(name.encode(), value.encode()) for name, value in answer.headers.items()]
        await send({"type": "http.response.start", "status": answer.status, "headers": raw_headers})
        await send({"type": "http.response.body", "body": b""})
