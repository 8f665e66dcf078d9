"""A broker that restarts and forgets everything (Tansu's memory store): services notice and start afresh.

Kafka clients that outlive their broker's memory keep stale state and may stall, so a service
that finds the broker's epoch marker gone stops with EXIT_BUS_LOST for its supervisor to
start it again; the fresh process re-creates the topics and consumes as before.
"""

import asyncio
import os
import sys
from pathlib import Path
from uuid import uuid4

from libs.common.events import JobInput, JobRequested, RenderOptions, StoryCompleted
from libs.common.service import EXIT_BUS_LOST
from libs.common.settings import StorageSettings
from libs.embedded.broker import LocalBroker
from services.story.app import create_app
from services.story.settings import StorySettings
from tests.bus import BusProbe, service_settings, serving
from tests.servers import free_port
from tests.stack import REPO


def request(script: str) -> JobRequested:
    return JobRequested(job_id=uuid4(), user_id="u", input=JobInput(script=script), options=RenderOptions())


async def test_a_service_whose_broker_forgot_everything_asks_for_a_restart_and_then_works(tmp_path: Path) -> None:
    broker = LocalBroker(free_port(), tmp_path / "broker.log")
    address = await broker.start()
    settings = service_settings(
        StorySettings, address, f"sqlite+aiosqlite:///{tmp_path}/s.db", StorageSettings(media_dir=tmp_path), tmp_path
    ).model_copy(update={"kafka_topic_check_s": 0.5})
    try:
        async with BusProbe(address) as relay:  # a long-lived producer, as a running relay is
            async with serving(create_app(settings)) as app:
                await relay.publish(request("Before the restart."))
                async with BusProbe(address) as bus:
                    await bus.events(StoryCompleted, 1)
                await broker.stop()
                await broker.start()
                await asyncio.wait_for(app.state.bus_lost.wait(), 30)
            async with serving(create_app(settings)):  # what the supervisor starts next
                await relay.publish(request("After the restart."))
                async with BusProbe(address) as bus:
                    [story] = await bus.events(StoryCompleted, 1, timeout_s=60)
        assert story.storyboard.scenes[0].narration == "After the restart."
    finally:
        await broker.stop()


async def test_a_service_process_exits_for_a_restart_when_its_broker_forgot_everything(tmp_path: Path) -> None:
    broker = LocalBroker(free_port(), tmp_path / "broker.log")
    address = await broker.start()
    env = {key: value for key, value in os.environ.items() if not key.startswith("REELFORGE_")}
    env.update(
        KAFKA_BOOTSTRAP_SERVERS=address,
        REELFORGE_VAR_DIR=str(tmp_path),
        REELFORGE_STORY_PORT=str(free_port()),
        REELFORGE_KAFKA_TOPIC_CHECK_S="0.5",
        REELFORGE_LOG_FORMAT="text",
    )
    with (tmp_path / "story.log").open("wb") as log:
        story = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "services.story", cwd=REPO, env=env, stdout=log, stderr=log
        )
    try:
        async with asyncio.timeout(60):
            while "story started" not in (tmp_path / "story.log").read_text():
                assert story.returncode is None, (tmp_path / "story.log").read_text()
                await asyncio.sleep(0.1)
        await broker.stop()
        await broker.start()
        code = await asyncio.wait_for(story.wait(), 90)
        assert code == EXIT_BUS_LOST, (tmp_path / "story.log").read_text()[-2000:]
    finally:
        if story.returncode is None:
            story.kill()
            await story.wait()
        await broker.stop()
