"""The platform under fault: the embedded stack on a broker the test owns, so the test can stop it."""

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from libs.common.events import JobCompleted, Topics, parse_event
from libs.embedded.broker import LocalBroker
from tests.bus import BusProbe
from tests.fakes.openai_api import CHAT, FakeOpenAI, FakeOpenAIServer, answer_to_request, stalled
from tests.receiver import Receiver
from tests.servers import free_port
from tests.stack import EmbeddedStack, register_and_login

FAST_RECOVERY = {
    "REELFORGE_RECONCILE_EVERY_S": "2",
    "REELFORGE_STALL_STORY_S": "20",
    "REELFORGE_STALL_MEDIA_S": "30",
    "REELFORGE_STALL_RENDER_S": "60",
    "REELFORGE_MAX_REDRIVES": "5",
}
JOB_TIMEOUT_S = 300.0
ENDS = ("completed", "failed", "cancelled", "moderation_failed")


def finished(job: dict) -> bool:
    return job["status"] in ENDS


@dataclass
class Platform:
    stack: EmbeddedStack
    broker: LocalBroker
    headers: dict[str, str]
    webhooks: Receiver

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.stack.api, headers=self.headers, timeout=30)

    async def create_job(self, body: dict) -> str:
        async with self.client() as client:
            response = await client.post("/jobs", json=body)
        assert response.status_code == 202, response.text
        return response.json()["id"]

    async def job(self, job_id: str) -> dict:
        """The job as the API shows it; while the gateway restarts (after the broker lost its data), ask again."""
        while True:
            try:
                async with self.client() as client:
                    return (await client.get(f"/jobs/{job_id}")).json()
            except httpx.TransportError:
                await asyncio.sleep(0.5)

    async def wait_for(self, job_id: str, holds: Callable[[dict], bool], timeout_s: float = JOB_TIMEOUT_S) -> dict:
        """The job as the API shows it, once `holds(job)`; fails after `timeout_s`."""
        async with asyncio.timeout(timeout_s):
            while not holds(job := await self.job(job_id)):
                await asyncio.sleep(0.1)
        return job

    async def webhook_ids(self, job_id: str, timeout_s: float = 60.0) -> set[str]:
        """The `webhook-id`s the user's endpoint was sent for this job's end (waits for the first)."""

        def ids() -> set[str]:
            return {
                request.headers["webhook-id"]
                for request in self.webhooks.received
                if json.loads(request.body)["data"]["jobId"] == job_id
            }

        async with asyncio.timeout(timeout_s):
            while not ids():
                await asyncio.sleep(0.1)
        return ids()

    async def completions(self, job_id: str) -> int:
        """How many `jobs.completed` events the bus carries for the job."""
        async with BusProbe(self.broker.address) as bus:
            events = [parse_event(value) for value in await bus.everything(Topics.JOBS_COMPLETED)]
        return sum(1 for event in events if isinstance(event, JobCompleted) and str(event.job_id) == job_id)

    async def back(self, service: str, timeout_s: float = 120.0) -> int:
        """Wait until the supervisor has `service` running and ready again; its new process id."""
        async with asyncio.timeout(timeout_s):
            while not self.stack.healthy(service):
                await asyncio.sleep(0.2)
        return self.stack.pid_of(service)

    def files(self, job_id: str) -> list[Path]:
        return sorted((self.stack.var_dir / "media" / "jobs" / job_id).rglob("*"))


LOOPBACK_WEBHOOKS = {
    "REELFORGE_WEBHOOK_ALLOWED_HOSTS": '["127.0.0.1"]',
    "REELFORGE_WEBHOOK_RETRY_SCHEDULE_S": "[0, 1, 2]",
}
STORY_WRITING_S = 2.0
"""Each storyboard takes the (fake) OpenAI model this long, so the story stage can be caught mid-work."""


@pytest.fixture(scope="module")
async def platform(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Platform]:
    """The platform for one test module; a module sets `RECOVERY` to replace the fast recovery deadlines
    and `STORY_WRITING_S` to give the story model another pace."""
    recovery = getattr(request.module, "RECOVERY", FAST_RECOVERY)
    story_writing_s = getattr(request.module, "STORY_WRITING_S", STORY_WRITING_S)
    root = tmp_path_factory.mktemp("platform")
    broker = LocalBroker(free_port(), root / "broker.log")
    await broker.start()
    openai = FakeOpenAIServer(FakeOpenAI())
    openai.start()
    openai.fake.always(CHAT, stalled(story_writing_s, answer_to_request))
    story_provider = {
        "OPENAI_API_KEY": openai.fake.api_key,
        "OPENAI_BASE_URL": openai.fake.base_url,
        "REELFORGE_STORY_PROVIDER": "openai",
        "REELFORGE_MODERATION_PROVIDER": "offline",
    }
    stack = EmbeddedStack(
        var_dir=root / "var",
        extra_env={"KAFKA_BOOTSTRAP_SERVERS": broker.address, **recovery, **story_provider, **LOOPBACK_WEBHOOKS},
    ).start()
    receiver = Receiver()
    await receiver.__aenter__()
    try:
        token = register_and_login(stack, f"fault_{root.name[-6:]}")
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=stack.api, headers=headers, timeout=30) as client:
            assert (await client.post("/webhooks", json={"url": receiver.url})).status_code == 201
        yield Platform(stack=stack, broker=broker, headers=headers, webhooks=receiver)
    finally:
        await receiver.__aexit__(None, None, None)
        stack.stop()
        await broker.stop()
        openai.stop()
