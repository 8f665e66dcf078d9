"""The broker goes away: jobs accepted meanwhile wait in the outbox; jobs it forgets are driven again."""

import asyncio

from libs.common.events import JobRequested, Topics, parse_event
from tests.bus import BusProbe
from tests.faults.conftest import Platform, finished
from tests.servers import unreachable

SMALL = {"resolution": "360x640"}


async def test_jobs_created_while_the_broker_is_down_publish_once_when_it_returns(platform: Platform) -> None:
    with unreachable(platform.broker.process):
        created = [await platform.create_job({"script": f"Line {n} of a short story.", **SMALL}) for n in range(3)]
        await asyncio.sleep(3)  # long enough for the outbox relay to have tried, and failed, to publish
        assert [(await platform.job(job_id))["status"] for job_id in created] == ["pending"] * 3
        async with platform.client() as client:
            assert (await client.get(f"{platform.stack.base_url}/readyz")).status_code == 503

    jobs = [await platform.wait_for(job_id, finished) for job_id in created]
    assert [job["status"] for job in jobs] == ["completed"] * 3
    async with BusProbe(platform.broker.address) as bus:
        requests = [parse_event(value) for value in await bus.everything(Topics.JOBS_REQUESTED)]
    published = [str(event.job_id) for event in requests if isinstance(event, JobRequested)]
    assert sorted(published) == sorted(created), "each waiting job is published exactly once"


async def test_jobs_in_flight_when_the_broker_loses_its_data_all_end(platform: Platform) -> None:
    created = [await platform.create_job({"topic": topic, **SMALL}) for topic in ("scary", "love", "philosophy")]
    await platform.wait_for(created[0], lambda job: job["stage"] in ("images", "audio", "render") or finished(job))
    await platform.broker.stop()  # the memory store goes with it: topics, offsets, events in flight
    await platform.broker.start()

    jobs = [await platform.wait_for(job_id, finished) for job_id in created]
    assert [job["status"] for job in jobs] == ["completed"] * 3, [job["message"] for job in jobs]
    for job_id in created:
        assert [path.name for path in platform.files(job_id) if path.suffix == ".mp4"] == ["video.mp4"]
