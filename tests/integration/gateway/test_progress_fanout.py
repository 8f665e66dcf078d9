"""Progress streams of one job share one feed: many WebSocket clients each get every message in order
while the database sees one reader; a client that stops reading is closed with 1013 and slows no one;
Server-Sent Events get the same messages and a `: ping` while idle; progress read after the completion
still lands before it; a re-render is streamed to the clients that follow re-renders. A real gateway
under uvicorn on loopback, with the real bus, on SQLite and PostgreSQL."""

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import httpx
import uvicorn
import websockets
from fastapi import FastAPI
from sqlalchemy import event as sql_event

from libs.common.events import (
    JobCompleted,
    JobInput,
    JobProgress,
    JobRequested,
    RenderOptions,
    Scene,
    Storyboard,
    VideoOutput,
)
from libs.common.settings import StorageSettings
from services.gateway.app import create_app
from services.gateway.core import api_keys, jobs, scenes
from services.gateway.core.progress_hub import ProgressHub
from services.gateway.core.progress_stream import message
from services.gateway.core.security import Principal
from services.gateway.core.store import Job
from services.gateway.settings import GatewaySettings
from tests.bus import BusProbe, service_settings, serving

OWNER = Principal(user_id="owner-1", role="user", username="owner")
BOARD = Storyboard(
    title="T", description="D", text="X", scenes=[Scene(index=0, narration="n", image_prompt="p", subtitle="s")]
)
OUTPUT = VideoOutput(
    video_key="v", thumbnail_key="t", srt_key="s", vtt_key="w", duration_s=9, width=8, height=8, size_bytes=7
)


def settings_for(kafka: str, database_url: str, tmp_path: Path, **changes: Any) -> GatewaySettings:
    settings = service_settings(
        GatewaySettings, kafka, database_url, StorageSettings(media_dir=tmp_path / "media"), tmp_path
    )
    return settings.model_copy(update=changes)


@asynccontextmanager
async def listening(app: FastAPI, send_buffer: int | None = None) -> AsyncIterator[str]:
    """`app` (its lifespan already running) under a real uvicorn on a loopback port, in this event loop;
    yields the API's ws:// base. `send_buffer` shrinks the kernel's send buffer of every connection."""
    listener = socket.socket()
    if send_buffer is not None:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer)  # accepted sockets inherit it
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False))
    serving_task = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        await until(lambda: server.started)
        yield f"ws://127.0.0.1:{listener.getsockname()[1]}/api/v1"
    finally:
        server.should_exit = True
        await serving_task
        listener.close()


async def until(holds: Callable[[], bool], timeout_s: float = 30.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not holds():
            await asyncio.sleep(0.02)


async def job_when(app: FastAPI, job_id: UUID, holds: Callable[[Job], bool], timeout_s: float = 30.0) -> Job:
    async with asyncio.timeout(timeout_s):
        while not holds(job := await jobs.get_job(app.state.runtime, OWNER, job_id)):
            await asyncio.sleep(0.05)
    return job


async def started_job(app: FastAPI, bus: BusProbe) -> tuple[JobRequested, str]:
    """A queued job of OWNER's, its `jobs.requested` (to publish the stages' events after) and an API key."""
    job = await jobs.create_job(app.state.runtime, OWNER, JobInput(topic="love"), RenderOptions())
    [requested] = await bus.events(JobRequested, 1, where=lambda event: event.job_id == job.id)
    await job_when(app, job.id, lambda job: job.status == "queued")
    _, key = await api_keys.create_key(app.state.runtime.db, OWNER, "progress")
    return requested, key


async def run_the_job(app: FastAPI, bus: BusProbe, requested: JobRequested, steps: int, text: str = "") -> None:
    """Publish `steps` progress events as the stages would, the last being the render's 100 %, then the
    completion once they are projected."""
    for step in range(steps):
        progress = 100 if step == steps - 1 else 20 + step * 79 // steps
        stage = "render" if step == steps - 1 else "images"
        await bus.publish(JobProgress.after(requested, stage=stage, progress=progress, message=f"step {step}{text}"))
    await job_when(app, requested.job_id, lambda job: job.message.startswith(f"step {steps - 1}"))
    await bus.publish(JobCompleted.after(requested, output=OUTPUT))


async def history(app: FastAPI, job_id: UUID) -> list[dict[str, Any]]:
    return [message(entry) for entry in await jobs.events_after(app.state.runtime, job_id, 0)]


async def received(url: str, **options: Any) -> list[dict[str, Any]]:
    """Every message of a WebSocket until the server closes it normally."""
    async with websockets.connect(url, open_timeout=30, max_size=None, **options) as client:
        return [json.loads(raw) async for raw in client]


async def test_two_hundred_sockets_each_get_every_progress_message_from_one_feed(
    kafka: str, database_url: str, tmp_path: Path
) -> None:
    subscribers, steps = 200, 60
    async with serving(create_app(settings_for(kafka, database_url, tmp_path))) as app, BusProbe(kafka) as bus:
        hub: ProgressHub = app.state.signals
        requested, key = await started_job(app, bus)
        job_reads = 0

        def count_reads(_conn: object, _cursor: object, statement: str, *_: object) -> None:
            nonlocal job_reads
            job_reads += statement.lstrip().upper().startswith("SELECT") and "job_events" in statement

        sql_event.listen(app.state.runtime.db.engine.sync_engine, "before_cursor_execute", count_reads)
        async with listening(app) as api, asyncio.timeout(60):
            url = f"{api}/jobs/{requested.job_id}/events?token={key}"
            clients = [asyncio.create_task(received(url)) for _ in range(subscribers)]
            await until(lambda: hub.subscribers(requested.job_id) == subscribers)
            await run_the_job(app, bus, requested, steps)
            seen = await asyncio.gather(*clients)
        expected = await history(app, requested.job_id)
    assert [entry["type"] for entry in expected] == ["created", "queued"] + ["progress"] * steps + ["completed"]
    assert all(messages == expected for messages in seen), "every socket gets every message, in order"
    assert hub.feeds_started == 1 and hub.subscribers(requested.job_id) == 0
    assert job_reads < subscribers, f"{job_reads} reads of job_events for {subscribers} sockets: one feed"


async def test_a_socket_that_stops_reading_is_closed_with_1013_and_slows_no_one(
    kafka: str, database_url: str, tmp_path: Path
) -> None:
    steps, text = 40, " " + "x" * 16_000  # 640 kB uncompressed: far more than the socket buffers hold
    settings = settings_for(kafka, database_url, tmp_path, progress_send_queue=4)
    async with serving(create_app(settings)) as app, BusProbe(kafka) as bus:
        hub: ProgressHub = app.state.signals
        requested, key = await started_job(app, bus)
        async with listening(app, send_buffer=4096) as api, asyncio.timeout(60):
            url = f"{api}/jobs/{requested.job_id}/events?token={key}"
            readers = [asyncio.create_task(received(url)) for _ in range(5)]
            small = socket.socket()
            small.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            small.connect(("127.0.0.1", urlsplit(api).port))
            async with websockets.connect(
                url, sock=small, open_timeout=30, max_size=None, max_queue=1, compression=None
            ) as slow:
                await until(lambda: hub.subscribers(requested.job_id) == 6)
                running = asyncio.create_task(run_the_job(app, bus, requested, steps, text))
                await until(lambda: hub.subscribers(requested.job_id) == 5)  # the slow one is dropped
                got = []
                try:
                    async for raw in slow:  # only now does the slow client read what reached it
                        got.append(json.loads(raw))
                except websockets.ConnectionClosed:
                    pass
                await running
                seen = await asyncio.gather(*readers)
                expected = await history(app, requested.job_id)
                assert slow.close_code == 1013, (slow.close_code, slow.close_reason)
    assert all(messages == expected for messages in seen), "the others get everything"
    assert len(got) < len(expected) and got == expected[: len(got)], "the slow one a beginning, in order"


async def test_server_sent_events_get_the_same_messages_and_a_ping_while_idle(
    kafka: str, database_url: str, tmp_path: Path
) -> None:
    settings = settings_for(kafka, database_url, tmp_path, progress_heartbeat_s=0.2)
    async with serving(create_app(settings)) as app, BusProbe(kafka) as bus:
        hub: ProgressHub = app.state.signals
        requested, key = await started_job(app, bus)
        async with listening(app) as api, asyncio.timeout(60):
            base = api.replace("ws://", "http://")
            socket_messages = asyncio.create_task(received(f"{api}/jobs/{requested.job_id}/events?token={key}"))
            lines: list[str] = []
            pinged = asyncio.Event()

            async def read_stream() -> None:
                async with httpx.AsyncClient(base_url=base, headers={"X-API-Key": key}, timeout=30) as client:
                    async with client.stream("GET", f"/jobs/{requested.job_id}/events") as response:
                        assert response.headers["content-type"].startswith("text/event-stream")
                        async for line in response.aiter_lines():
                            lines.append(line)
                            if line == ": ping":
                                pinged.set()

            stream = asyncio.create_task(read_stream())
            await until(lambda: hub.subscribers(requested.job_id) == 2)
            await pinged.wait()  # nothing happens to the job: the stream says it is alive
            await run_the_job(app, bus, requested, 10)
            await stream
            expected = await history(app, requested.job_id)
            assert await socket_messages == expected
    data = [json.loads(line.removeprefix("data: ")) for line in lines if line.startswith("data: ")]
    assert data == expected
    assert [line for line in lines if line.startswith("id: ")] == [f"id: {entry['seq']}" for entry in expected]
    assert hub.feeds_started == 1


async def test_progress_read_after_the_completion_is_streamed_before_it(
    kafka: str, database_url: str, tmp_path: Path
) -> None:
    async with serving(create_app(settings_for(kafka, database_url, tmp_path))) as app, BusProbe(kafka) as bus:
        requested, key = await started_job(app, bus)
        await run_the_job(app, bus, requested, 3)
        await job_when(app, requested.job_id, lambda job: job.status == "completed")
        # The render's last progress, reported before its completion, overtaken by it on the way.
        last = JobProgress.after(requested, stage="render", progress=100, message="Rendering video: 100%")
        await bus.publish(last.model_copy(update={"occurred_at": last.occurred_at - timedelta(seconds=1)}))
        async with asyncio.timeout(30):
            while "Rendering video: 100%" not in [entry["message"] for entry in await history(app, requested.job_id)]:
                await asyncio.sleep(0.05)
        async with listening(app) as api, asyncio.timeout(30):
            seen = await received(f"{api}/jobs/{requested.job_id}/events?token={key}")
        job = await jobs.get_job(app.state.runtime, OWNER, requested.job_id)
    assert [(entry["type"], entry["message"]) for entry in seen[-2:]] == [
        ("progress", "Rendering video: 100%"),
        ("completed", "Video ready"),
    ]
    assert [entry["seq"] for entry in seen] == sorted(entry["seq"] for entry in seen)
    assert [entry["progress"] for entry in seen] == sorted(entry["progress"] for entry in seen)
    assert (job.status, job.message) == ("completed", "Video ready"), "the job itself does not change"


async def test_a_completion_that_overtakes_progress_does_not_cut_it_off_a_live_stream(
    kafka: str, database_url: str, tmp_path: Path
) -> None:
    """Under load the completion (its own topic) is read before the job's last progress: a socket following
    the job still gets that progress, then the completion, exactly what a socket connecting afterwards gets."""
    async with serving(create_app(settings_for(kafka, database_url, tmp_path))) as app, BusProbe(kafka) as bus:
        hub: ProgressHub = app.state.signals
        requested, key = await started_job(app, bus)
        await bus.publish(JobProgress.after(requested, stage="images", progress=40, message="Painted scene 1 of 2"))
        await job_when(app, requested.job_id, lambda job: job.progress == 40)
        late = [
            JobProgress.after(requested, stage="images", progress=60, message="Painted scene 2 of 2"),
            JobProgress.after(requested, stage="render", progress=60, message="Rendering video: 0%"),
            JobProgress.after(requested, stage="render", progress=100, message="Rendering video: 100%"),
        ]
        async with listening(app) as api, asyncio.timeout(30):
            url = f"{api}/jobs/{requested.job_id}/events?token={key}"
            live = asyncio.create_task(received(url))
            await until(lambda: hub.subscribers(requested.job_id) == 1)
            await bus.publish(JobCompleted.after(requested, output=OUTPUT))
            await job_when(app, requested.job_id, lambda job: job.status == "completed")
            reads = hub.reads
            await until(lambda: hub.reads > reads)  # the feed has read the completion since, and holds it back
            assert not live.done(), "the stream waits for the render's 100 % before it ends"
            for event in late:
                await bus.publish(event)
            seen = await live
            afterwards = await received(url)
        job = await jobs.get_job(app.state.runtime, OWNER, requested.job_id)
    assert [(entry["type"], entry["message"]) for entry in seen[-5:]] == [
        ("progress", "Painted scene 1 of 2"),
        ("progress", "Painted scene 2 of 2"),
        ("progress", "Rendering video: 0%"),
        ("progress", "Rendering video: 100%"),
        ("completed", "Video ready"),
    ]
    assert seen == afterwards, "the live socket sees what a lone one connecting afterwards sees"
    assert (job.status, job.progress, job.message) == ("completed", 100, "Video ready"), "a final job never changes"


async def test_a_rerender_is_streamed_to_sockets_that_follow_rerenders(
    kafka: str, database_url: str, tmp_path: Path
) -> None:
    async with serving(create_app(settings_for(kafka, database_url, tmp_path))) as app, BusProbe(kafka) as bus:
        requested, key = await started_job(app, bus)
        await bus.publish(JobProgress.after(requested, stage="story", progress=20, message="story", storyboard=BOARD))
        await run_the_job(app, bus, requested, 2)
        await job_when(app, requested.job_id, lambda job: job.status == "completed")
        async with listening(app) as api, asyncio.timeout(30):
            url = f"{api}/jobs/{requested.job_id}/events?token={key}"
            followed: list[dict[str, Any]] = []

            async def follow_rerenders() -> None:
                async with websockets.connect(f"{url}&follow=rerenders", open_timeout=30) as client:
                    async for raw in client:
                        followed.append(json.loads(raw))

            following = asyncio.create_task(follow_rerenders())
            ended = await received(url)  # without the parameter: the stream ends at the completion, as ever
            await until(lambda: len(followed) == len(ended))
            await scenes.regenerate_scene(app.state.runtime, OWNER, requested.job_id, 0)
            rerender = JobProgress.after(requested, stage="render", progress=80, message="Rendering video: 50%")
            await bus.publish(rerender)
            # Two topics keep no order between them: the completion goes out once the progress has arrived,
            # as a render's does (overtaking is the subject of the test above).
            await until(lambda: len(followed) == len(ended) + 1)
            await bus.publish(JobCompleted.after(requested, output=OUTPUT.model_copy(update={"version": 2})))
            await until(lambda: len(followed) == len(ended) + 2)
            still_open = not following.done()
            following.cancel()
    assert ended[-1]["type"] == "completed" and followed[: len(ended)] == ended
    assert [(entry["type"], entry["status"], entry["message"]) for entry in followed[len(ended) :]] == [
        ("progress", "completed", "Rendering video: 50%"),
        ("completed", "completed", "Video ready (version 2)"),
    ]
    assert still_open, "a completed job's stream stays open for clients that follow re-renders"
