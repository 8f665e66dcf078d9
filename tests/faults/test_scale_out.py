"""Scale-out: two replicas of every stage and two gateways, on PostgreSQL, share the work and survive losing one each.

Jobs go in through both gateways. Once each stage has work in hand and both its replicas have done some, its
busier replica is killed (SIGKILL: no drain, the message in hand left uncommitted, so it is delivered again).
Every job still completes exactly once: one `jobs.completed` and one video each, one completion entry in its
history, each stage's work recorded once; its `actual_cost` is the sum of what its stages reported, each counted
once, even when the stages report their work again under new event ids. And each replica of each stage did some
of the work.
"""

import asyncio
import json
import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from uuid import uuid4

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import col, select

from libs.common.db import Database
from libs.common.events import (
    AudioCompleted,
    CostBreakdown,
    ImagesCompleted,
    JobCompleted,
    StoryCompleted,
    Topics,
    parse_event,
)
from libs.common.outbox import ProcessedEvent
from libs.common.settings import DatabaseSettings
from libs.embedded.broker import LocalBroker
from services.gateway.core.projection import work_of
from services.gateway.core.store import Job, JobEvent
from tests.bus import BusProbe
from tests.fakes.openai_api import CHAT, FakeOpenAI, FakeOpenAIServer, answer_to_request, stalled
from tests.servers import PostgresCluster, free_port
from tests.stack import EmbeddedStack, register_and_login

STAGES = ("story", "imaging", "audio", "render")
REPLICAS = {**dict.fromkeys(STAGES, 2), "gateway": 2}
JOBS = 12
JOB = {
    "topic": "fun facts",
    "num_scenes": 2,
    "duration": 12,
    "resolution": "128x128",
    "fps": 24,
    "quality": "draft",
    "include_music": False,
    "model_id": "openai:gpt-image-1",  # the fake OpenAI paints and narrates: every stage reports a cost
}
KILL_WHEN = {
    "story": lambda job: job["stage"] == "story" and job["status"] == "processing",  # the model is writing
    "imaging": lambda job: job["stage"] == "images",
    "audio": lambda job: job["stage"] == "audio",
    "render": lambda job: job["stage"] == "render",
}
INPUTS = {
    "story": {Topics.JOBS_REQUESTED},
    "imaging": {Topics.STORY_COMPLETED},
    "audio": {Topics.STORY_COMPLETED},
    "render": {Topics.IMAGES_COMPLETED, Topics.AUDIO_COMPLETED},
    "gateway": {Topics.JOBS_PROGRESS, Topics.JOBS_COMPLETED},
}
"""What each service's work arrives on: its replicas' handled events of these topics show they shared it."""
Report = StoryCompleted | ImagesCompleted | AudioCompleted | JobCompleted
E = TypeVar("E", StoryCompleted, ImagesCompleted, AudioCompleted, JobCompleted)
ENDS = ("completed", "failed", "cancelled", "moderation_failed")


@dataclass
class Scaled:
    stack: EmbeddedStack
    broker: LocalBroker
    gateway_db: Database
    headers: dict[str, str]
    handled_before_kill: Counter[tuple[str, int]] = field(default_factory=Counter)

    def client(self, replica: int) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.stack.api_of(replica), headers=self.headers, timeout=30)

    async def jobs(self, replica: int) -> list[dict]:
        async with self.client(replica) as client:
            return (await client.get("/jobs", params={"limit": 100})).json()["items"]

    async def handled(self, service: str, replica: int) -> int:
        """Events of the service's work the replica has handled since it (last) started, from its metrics."""
        async with httpx.AsyncClient(timeout=10) as client:
            text = (await client.get(f"http://127.0.0.1:{self.stack.port_of(service, replica)}/metrics")).text
        return sum(
            int(sample.value)
            for family in text_string_to_metric_families(text)
            if family.name == "reelforge_events_consumed"
            for sample in family.samples
            if sample.name.endswith("_total")
            and sample.labels.get("outcome") == "ok"
            and sample.labels.get("topic") in INPUTS[service]
        )

    async def kill_busier(self, service: str) -> int:
        """SIGKILL the replica of `service` doing more (children such as ffmpeg, then CPU); its old pid."""
        pids = self.stack.pids_of(service)
        before = {replica: cpu_ticks(pid) for replica, pid in pids.items()}
        await asyncio.sleep(0.3)
        busy = {replica: 1000 * len(children(pid)) + cpu_ticks(pid) - before[replica] for replica, pid in pids.items()}
        victim = max(sorted(busy), key=busy.__getitem__)
        self.handled_before_kill[service, victim] += await self.handled(service, victim)
        os.kill(pids[victim], signal.SIGKILL)
        return pids[victim]


def cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime, stime


def children(pid: int) -> list[str]:
    return subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()


@pytest.fixture(scope="module")
async def scaled(postgres: PostgresCluster, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Scaled]:
    root = tmp_path_factory.mktemp("scaled")
    broker = LocalBroker(free_port(), root / "broker.log")
    await broker.start()
    openai = FakeOpenAIServer(FakeOpenAI())
    openai.start()
    openai.fake.always(CHAT, stalled(1.0, answer_to_request))  # each story takes a second: the stage is caught
    database_url = postgres.create_database()
    stack = EmbeddedStack(
        var_dir=root / "var",
        replicas=REPLICAS,
        extra_env={
            "KAFKA_BOOTSTRAP_SERVERS": broker.address,
            "DATABASE_URL": database_url,
            "REELFORGE_KAFKA_TOPIC_PARTITIONS": "4",  # two each: both replicas of a stage get some jobs
            "OPENAI_API_KEY": openai.fake.api_key,
            "OPENAI_BASE_URL": openai.fake.base_url,
            "REELFORGE_STORY_PROVIDER": "openai",
            "REELFORGE_MODERATION_PROVIDER": "offline",
            "REELFORGE_SPEECH_PROVIDER": "openai",
            "REELFORGE_DB_POOL_SIZE": "4",
        },
    ).start()
    gateway_db = Database.for_service(DatabaseSettings(database_url=database_url), "gateway")
    try:
        token = register_and_login(stack, "scaled_out")
        yield Scaled(stack, broker, gateway_db, {"Authorization": f"Bearer {token}"})
    finally:
        await gateway_db.close()
        stack.stop()
        await broker.stop()
        openai.stop()


@pytest.mark.timeout(420)  # start-up and shutdown of eleven processes on two cores included
async def test_two_replicas_of_each_stage_share_the_jobs_and_lose_one_each_without_loss_or_double_counting(
    scaled: Scaled,
) -> None:
    stack = scaled.stack
    assert {service: len(stack.pids_of(service)) for service in REPLICAS} == REPLICAS

    async def create(n: int) -> str:
        async with scaled.client(1 + n % 2) as client:
            response = await client.post("/jobs", json=JOB)
        assert response.status_code == 202, response.text
        return str(response.json()["id"])

    created = await asyncio.gather(*(create(n) for n in range(JOBS)))
    killed: dict[str, int] = {}
    async with asyncio.timeout(180):
        while True:
            listed = await scaled.jobs(1 + len(killed) % 2)
            mine = [job for job in listed if job["id"] in created]
            for stage in STAGES:
                if stage in killed or not any(KILL_WHEN[stage](job) for job in mine if job["status"] not in ENDS):
                    continue
                if all([await scaled.handled(stage, replica) for replica in (1, 2)]):  # each seen working first
                    killed[stage] = await scaled.kill_busier(stage)
            if len(mine) == JOBS and all(job["status"] in ENDS for job in mine):
                break
            await asyncio.sleep(0.2)
    assert sorted(killed) == sorted(STAGES), f"a stage was never caught with work in hand: {killed}"
    assert Counter(job["status"] for job in mine) == {"completed": JOBS}, [job["error"] for job in mine]

    # Every stage's work reported again under new event ids: the costs do not move.
    async with BusProbe(scaled.broker.address) as bus:
        stories = [event for event in await events(bus, StoryCompleted) if str(event.job_id) in created]
        before = await answers_per_job(bus, created)
        for story in {str(story.job_id): story for story in stories}.values():
            await bus.publish(story.model_copy(update={"event_id": uuid4()}))
        await stages_reported_again(scaled, bus, created, before)
        reports: list[Report] = [
            *(await events(bus, StoryCompleted)),
            *(await events(bus, ImagesCompleted)),
            *(await events(bus, AudioCompleted)),
            *(await events(bus, JobCompleted)),
        ]
        reports = [event for event in reports if str(event.job_id) in created]
        completions = Counter(str(event.job_id) for event in reports if isinstance(event, JobCompleted))
    assert completions == dict.fromkeys(created, 1)
    await gateway_applied(scaled, reports)

    videos = sorted((stack.var_dir / "media" / "jobs").glob("*/output/video.mp4"))
    assert sorted(path.parent.parent.name for path in videos) == sorted(created)
    assert not list((stack.var_dir / "media" / "jobs").rglob("*.partial*"))
    async with asyncio.timeout(60):  # the killed replicas are back, under new pids
        while not all(stack.healthy(stage, replica) for stage in STAGES for replica in (1, 2)):
            await asyncio.sleep(0.2)
    for stage, old in killed.items():
        assert old not in stack.pids_of(stage).values()
    shares = {
        (service, replica): scaled.handled_before_kill[service, replica] + await scaled.handled(service, replica)
        for service in INPUTS
        for replica in (1, 2)
    }
    assert all(shares.values()), f"a replica did none of its service's work: {shares}"


async def events(bus: BusProbe, kind: type[E]) -> list[E]:
    return [event for event in map(parse_event, await bus.everything(kind.topic)) if isinstance(event, kind)]


async def answers_per_job(bus: BusProbe, created: list[str]) -> Counter[tuple[str, str]]:
    """How many times imaging and audio have answered each job so far (a re-drive after a kill may add one)."""
    answers: list[Report] = [*(await events(bus, ImagesCompleted)), *(await events(bus, AudioCompleted))]
    return Counter((str(event.job_id), event.type) for event in answers if str(event.job_id) in created)


async def stages_reported_again(
    scaled: Scaled, bus: BusProbe, created: list[str], before: Counter[tuple[str, str]]
) -> None:
    """Wait until imaging and audio have answered every story sent again, and the gateway has read the answers."""
    wanted = [(job, kind) for job in created for kind in ("images.completed", "audio.completed")]
    deadline = time.monotonic() + 240  # every job's pictures and narration checked again, on a busy machine
    while True:
        now = await answers_per_job(bus, created)
        missing = [key for key in wanted if now[key] <= before[key]]
        if not missing:
            break
        assert time.monotonic() < deadline, f"not answered again: {missing}"
        await asyncio.sleep(0.5)
    again: list[Report] = [*(await events(bus, ImagesCompleted)), *(await events(bus, AudioCompleted))]
    ids = {event.event_id for event in again if str(event.job_id) in created}  # a relay killed mid-send sends twice
    while True:
        async with scaled.gateway_db.sessions() as session:
            query = select(ProcessedEvent.event_id).where(
                ProcessedEvent.consumer == "gateway", col(ProcessedEvent.event_id).in_(ids)
            )
            read = (await session.exec(query)).all()
        if len(read) == len(ids):
            return
        assert time.monotonic() < deadline, f"the gateway read {len(read)} of {len(ids)} answers"
        await asyncio.sleep(0.5)


async def gateway_applied(scaled: Scaled, reports: list[Report]) -> None:
    """Each job's completion is in its history once, each stage's work is recorded once with the cost the stage
    reported (every report of the same work reports the same), and `actual_cost` is their sum."""
    reported: dict[tuple[str, str], set[str]] = {}
    for event in reports:
        work = work_of(event)
        assert work is not None
        reported.setdefault((str(event.job_id), work), set()).add(event.cost.model_dump_json())
    assert all(len(costs) == 1 for costs in reported.values()), reported
    async with scaled.gateway_db.sessions() as session:
        jobs = (await session.exec(select(Job))).all()
        entries = Counter(
            str(job_id)
            for job_id in (await session.exec(select(JobEvent.job_id).where(JobEvent.kind == "jobs.completed"))).all()
        )
    assert len(jobs) == JOBS
    for job in jobs:
        assert entries[str(job.id)] == 1, f"job {job.id} completed {entries[str(job.id)]} times in its history"
        recorded = {work: CostBreakdown(**cost) for work, cost in json.loads(job.stage_costs).items()}
        assert sorted(recorded) == ["audio/v1", "images/v1", "render/v1", "story/v1"]
        for work, cost in recorded.items():
            assert {cost.model_dump_json()} == reported[str(job.id), work], (job.id, work)
            assert cost.total > 0, (job.id, work)
        expected = sum(recorded.values(), CostBreakdown()).model_dump()
        assert CostBreakdown.model_validate_json(job.actual_cost).model_dump() == pytest.approx(expected), job.id
