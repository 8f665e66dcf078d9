"""A stage handling several jobs at once (`Runtime.consume(..., concurrency)`) against a real broker and database.

Jobs run side by side, a job's own events one after another in order, and an offset is never committed
past a message that is not done: a restart delivers it again, and the ledger keeps the later, finished
ones from being applied twice.
"""

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from uuid import UUID, uuid4

from aiokafka import AIOKafkaConsumer, TopicPartition
from fastapi import FastAPI

from libs.common.events import JobCancelled, JobInput, JobProgress, JobRequested, RenderOptions, Topics
from libs.common.runtime import Runtime
from libs.common.service import build_service
from libs.common.settings import WorkerSettings
from tests.bus import BusProbe, processed, serving, staged

GROUP = "story"
WAIT_S = 20.0
"""Longest a handler waits for the others it means to overlap; the assertions tell whether they did."""


@dataclass
class Timeline:
    """When the handler started and ended each event (by its prompt), and how often it was called per job."""

    started: dict[str, float] = field(default_factory=dict)
    ended: dict[str, float] = field(default_factory=dict)
    calls: dict[UUID, int] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)

    def overlap(self, first: str, second: str) -> bool:
        return self.started[first] < self.ended[second] and self.started[second] < self.ended[first]


Handler = Callable[[JobRequested, Runtime, int], Awaitable[None]]


def service(
    kafka: str,
    database_url: str,
    tmp_path: Path,
    handler: Handler,
    timeline: Timeline,
    concurrency: int,
    topics: tuple[str, ...] = (Topics.JOBS_REQUESTED,),
    **settings: object,
) -> FastAPI:
    """A stage on `topics` whose work is `handler(event, runtime, call)`, `concurrency` messages at once."""
    config = WorkerSettings(
        kafka_bootstrap_servers=kafka,
        database_url=database_url,
        var_dir=tmp_path,
        log_format="text",
        cancel_poll_s=0.2,
        **settings,  # type: ignore[arg-type]
    )

    def wire(runtime: Runtime) -> None:
        async def handle(event: JobRequested) -> None:
            name = name_of(event)
            timeline.calls[event.job_id] = call = timeline.calls.get(event.job_id, 0) + 1
            timeline.started[name] = time.monotonic()
            timeline.order.append(name)
            try:
                await handler(event, runtime, call)
            finally:
                timeline.ended[name] = time.monotonic()

        runtime.consume(topics, GROUP, (JobRequested,), "story", handle, concurrency)

    return build_service("story", config, wire=wire)


def request(name: str, job_id: UUID | None = None) -> JobRequested:
    """A request whose prompt names it in the timeline."""
    return JobRequested(job_id=job_id or uuid4(), user_id="u", input=JobInput(prompt=name), options=RenderOptions())


def name_of(event: JobRequested) -> str:
    return event.input.prompt or ""


async def succeed(event: JobRequested, runtime: Runtime) -> None:
    async with runtime.finish(GROUP, event) as out:
        out.emit(JobProgress.after(event, stage="story", progress=20, message=name_of(event)))


async def until(condition: Callable[[], bool]) -> None:
    """Wait up to WAIT_S for `condition`; the caller's assertions tell whether it came."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(WAIT_S):
            while not condition():
                await asyncio.sleep(0.01)


async def committed(kafka: str, partition: TopicPartition) -> int | None:
    """The group's committed offset on `partition` (the next message it will be given), without joining it."""
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka, group_id=GROUP, enable_auto_commit=False)
    await consumer.start()
    try:
        offset: int | None = await consumer.committed(partition)
        return offset
    finally:
        await consumer.stop()


async def test_messages_of_different_jobs_are_handled_at_the_same_time(
    kafka: str, database_url: str, tmp_path: Path
) -> None:
    timeline = Timeline()
    names = ["one", "two", "three"]

    async def slow(event: JobRequested, runtime: Runtime, _call: int) -> None:
        await until(lambda: all(name in timeline.started for name in names))  # a sequential stage waits in vain
        await succeed(event, runtime)

    async with serving(service(kafka, database_url, tmp_path, slow, timeline, 3)), BusProbe(kafka) as bus:
        for name in names:
            await bus.publish(request(name))
        await bus.events(JobProgress, 3)
    assert max(timeline.started.values()) < min(timeline.ended.values()), "all three were in hand at once"


async def test_a_jobs_events_are_handled_one_at_a_time_and_in_order(
    kafka: str, database_url: str, tmp_path: Path
) -> None:
    """On one topic in their order; across the two topics of a subscription (render's join) never at once."""
    timeline = Timeline()
    job = uuid4()
    in_order = ["first", "second", "third"]
    other_topic = request("other topic", job)

    async def work(event: JobRequested, runtime: Runtime, _call: int) -> None:
        if name_of(event) == "another job":  # is in hand beside the job's events, which take their turns
            await until(lambda: "second" in timeline.started)
        else:
            await asyncio.sleep(0.3)
        await succeed(event, runtime)

    topics = (Topics.JOBS_REQUESTED, Topics.JOBS_APPROVED)
    async with serving(service(kafka, database_url, tmp_path, work, timeline, 3, topics)), BusProbe(kafka) as bus:
        await bus.publish(request("another job"))
        for name in in_order:
            await bus.publish(request(name, job))
        await until(lambda: "first" in timeline.started)
        # the same job's event on the subscription's other topic (the consumer reads any event it expects there)
        await bus.send(Topics.JOBS_APPROVED, other_topic.model_dump_json().encode(), other_topic.key)
        await bus.events(JobProgress, 5)
    mine = [name for name in timeline.order if name != "another job"]
    assert [name for name in mine if name in in_order] == in_order
    for first, second in combinations(mine, 2):
        assert not timeline.overlap(first, second), f"{first} and {second} of one job ran at the same time"
    assert timeline.overlap("another job", "second"), "another job's event waited for this job's"


async def test_an_unfinished_message_keeps_its_partitions_offset_back_until_it_is_done(
    kafka: str, database_url: str, tmp_path: Path
) -> None:
    """A message still in hand at a shutdown is delivered again; the later one, done, is not applied twice."""
    timeline = Timeline()
    stuck, done = request("stuck"), request("done")

    async def stuck_the_first_time(event: JobRequested, runtime: Runtime, call: int) -> None:
        if event.job_id == stuck.job_id and call == 1:
            await asyncio.sleep(3600)
        await succeed(event, runtime)

    def stage() -> FastAPI:
        return service(kafka, database_url, tmp_path, stuck_the_first_time, timeline, 3, shutdown_grace_s=0.5)

    partition = TopicPartition(Topics.JOBS_REQUESTED, 0)
    async with BusProbe(kafka) as bus:
        async with serving(stage()) as app:
            at: dict[str, int] = {}
            for event in (stuck, done):  # one partition, the stuck message first
                sent = await bus.producer.send_and_wait(
                    partition.topic, event.model_dump_json().encode(), key=event.key, partition=partition.partition
                )
                at[name_of(event)] = sent.offset
            await processed(app, GROUP, done.event_id)
            assert "stuck" in timeline.started and "stuck" not in timeline.ended
        assert await committed(kafka, partition) in (None, at["stuck"]), "committed past an unfinished message"

        async with serving(stage()) as app:
            await processed(app, GROUP, stuck.event_id)
            async with asyncio.timeout(WAIT_S):  # the later message comes again too, and changes nothing
                while await committed(kafka, partition) != at["done"] + 1:
                    await asyncio.sleep(0.1)
            progress = await staged(app, Topics.JOBS_PROGRESS)
    assert timeline.calls == {stuck.job_id: 2, done.job_id: 1}
    assert len([payload for payload in progress if str(done.job_id) in payload]) == 1


async def test_work_that_ends_within_the_shutdown_grace_is_waited_for_and_committed(
    kafka: str, database_url: str, tmp_path: Path
) -> None:
    timeline = Timeline()
    job = request("slow")
    partition = TopicPartition(Topics.JOBS_REQUESTED, 0)

    async def slow(event: JobRequested, runtime: Runtime, _call: int) -> None:
        await asyncio.sleep(1.5)
        await succeed(event, runtime)

    async with BusProbe(kafka) as bus:
        app = service(kafka, database_url, tmp_path, slow, timeline, 3, shutdown_grace_s=20)
        async with serving(app):
            sent = await bus.producer.send_and_wait(
                partition.topic, job.model_dump_json().encode(), key=job.key, partition=partition.partition
            )
            await until(lambda: "slow" in timeline.started)
        assert "slow" in timeline.ended, "the stop did not wait for the work in hand"
        assert await committed(kafka, partition) == sent.offset + 1


async def test_cancelling_a_job_stops_its_work_while_other_jobs_go_on(
    kafka: str, database_url: str, tmp_path: Path
) -> None:
    timeline = Timeline()
    endless, other = request("endless"), request("other")
    stopped = asyncio.Event()

    async def work(event: JobRequested, runtime: Runtime, _call: int) -> None:
        if event.job_id == endless.job_id:
            try:
                await asyncio.sleep(3600)
            finally:
                stopped.set()
        await until(lambda: stopped.is_set())
        await succeed(event, runtime)

    async with serving(service(kafka, database_url, tmp_path, work, timeline, 3)), BusProbe(kafka) as bus:
        await bus.publish(endless)
        await bus.publish(other)
        await until(lambda: "endless" in timeline.started and "other" in timeline.started)
        await bus.publish(JobCancelled(job_id=endless.job_id, user_id="u"))
        await asyncio.wait_for(stopped.wait(), WAIT_S)
        [done] = await bus.events(JobProgress, 1)
    assert done.job_id == other.job_id
    assert timeline.overlap("endless", "other")
