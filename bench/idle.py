"""Idle benchmark: what the embedded stack costs with no jobs, against how late its stages take up a job after that.

    .venv/bin/python -m bench.idle [--quick] [--doc-only]

For each fetch-wait setting (the default first, then the old fixed wait and a shorter idle wait) it
starts the embedded stack as `make run` does (`bench.stack.running_stack`) and runs one tiny job to
warm what a first job warms (imports, caches). Once every consumer is idle it sums the CPU time
(utime + stime, from /proc) of the supervisor, the broker and every service over a quiet spell,
then runs tiny jobs in pairs: the first of a pair finds every consumer idle (*quiet*), the second
finds them just used (*fresh*). Per job it times, from the POST, the story stage's first progress
as the gateway shows it (two hops: gateway → story → gateway) and the finished video. It writes
bench/results/idle.json and the Idle section of docs/benchmarks.md; no test runs it and none asserts
a time.
"""

import argparse
import asyncio
import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench import stack
from bench.doc import write_section
from libs.common.settings import BusSettings

TICKS = os.sysconf("SC_CLK_TCK")
IDLE_AFTER_S = 3.0
"""`kafka_idle_after_s` in the benchmark: consumers go idle this long after a job rather than after the
default's minute (the idle state is the same, it only comes sooner)."""
POLL_S = 0.005
JOB_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class Setting:
    busy_ms: int
    idle_ms: int

    @property
    def name(self) -> str:
        if self.busy_ms == self.idle_ms:
            return f"{self.busy_ms} ms always"
        return f"{self.busy_ms} ms, {self.idle_ms} ms when idle"

    @property
    def env(self) -> dict[str, str]:
        return {
            "REELFORGE_KAFKA_FETCH_MAX_WAIT_MS": str(self.busy_ms),
            "REELFORGE_KAFKA_IDLE_FETCH_MAX_WAIT_MS": str(self.idle_ms),
            "REELFORGE_KAFKA_IDLE_AFTER_S": str(IDLE_AFTER_S),
        }

    @property
    def settle_s(self) -> float:
        """Long enough after a job for every consumer to go idle and finish its last short fetch."""
        return IDLE_AFTER_S + self.idle_ms / 1000 + 2


def settings() -> list[Setting]:
    """The default first (measured longest), then the old fixed wait and a shorter idle wait."""
    defaults = BusSettings()
    busy, idle = defaults.kafka_fetch_max_wait_ms, defaults.kafka_idle_fetch_max_wait_ms
    alternatives = [Setting(busy, busy), Setting(busy, 1000)]
    return [Setting(busy, idle), *(choice for choice in alternatives if choice.idle_ms != idle)]


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


async def idle_cores(bench: stack.BenchStack, seconds: float) -> dict[str, float]:
    """Cores each process used over `seconds` of nothing happening (replicas together; `total`: everything)."""
    assert bench.stack.process is not None
    named = {"supervisor": [bench.stack.process.pid], **bench.processes()}
    before, started = {name: sum(map(cpu_s, pids)) for name, pids in named.items()}, time.monotonic()
    await asyncio.sleep(seconds)
    after, took = {name: sum(map(cpu_s, pids)) for name, pids in named.items()}, time.monotonic() - started
    cores = {name: round((after[name] - before[name]) / took, 4) for name in sorted(named)}
    return {"total": round(sum(cores.values()), 4), **cores}


async def timed_job(client: httpx.AsyncClient) -> dict[str, float]:
    """Seconds from the POST to the story stage's first progress (as the gateway shows it) and to the video."""
    started = time.monotonic()
    job_id, first_progress = (await stack.submit(client))["id"], None
    while time.monotonic() - started < JOB_TIMEOUT_S:
        job = (await client.get(f"/jobs/{job_id}")).json()
        if first_progress is None and job["status"] != "pending":
            first_progress = time.monotonic() - started
        if job["status"] in stack.FINAL:
            assert job["status"] == "completed" and first_progress is not None, job
            return {"first_progress_s": round(first_progress, 3), "video_s": round(time.monotonic() - started, 3)}
        await asyncio.sleep(POLL_S)
    raise TimeoutError(f"job {job_id} did not finish in {JOB_TIMEOUT_S:.0f} s")


async def measure(setting: Setting, idle_s: float, pairs: int) -> dict[str, Any]:
    with stack.running_stack(setting.env, name="idle") as bench:
        async with bench.client() as client:
            await timed_job(client)  # warms what a first job warms
            await asyncio.sleep(setting.settle_s)
            load = os.getloadavg()[0]
            cores = await idle_cores(bench, idle_s)
            quiet, fresh = [], []
            for pair in range(pairs):
                if pair:
                    await asyncio.sleep(setting.settle_s)
                quiet.append(await timed_job(client))
                fresh.append(await timed_job(client))
    result = {"setting": setting.name, "busy_ms": setting.busy_ms, "idle_ms": setting.idle_ms, "idle_s": idle_s}
    result |= {"load_1min": round(load, 2), "cores": cores, "quiet_jobs": quiet, "fresh_jobs": fresh}
    print(result, flush=True)
    return result


def run(options: argparse.Namespace) -> dict[str, Any]:
    """Every setting, the default longest (about four minutes in all); `--quick`: the default alone, briefly."""
    chosen, *others = settings()

    async def measured() -> list[dict[str, Any]]:
        if options.quick:
            return [await measure(chosen, 10.0, 1)]
        return [await measure(chosen, 60.0, 2), *[await measure(other, 10.0, 1) for other in others]]

    return {"idle_after_s": BusSettings().kafka_idle_after_s, "settings": asyncio.run(measured())}


def _mean(jobs: list[dict[str, float]], key: str) -> float:
    return statistics.mean(job[key] for job in jobs)


def write_doc(result: dict[str, Any]) -> None:
    chosen = result["settings"][0]
    table = [
        "| fetch wait | idle, cores | of which the broker | first progress, quiet / fresh | video, quiet / fresh |",
        "|---|---|---|---|---|",
    ]
    for row in sorted(result["settings"], key=lambda row: row["idle_ms"]):
        quiet, fresh = row["quiet_jobs"], row["fresh_jobs"]
        name = f"**{row['setting']}** (default)" if row is chosen else row["setting"]
        table.append(
            f"| {name} | {row['cores']['total']:.3f} | {row['cores']['broker']:.3f} "
            f"| {_mean(quiet, 'first_progress_s'):.2f} s / {_mean(fresh, 'first_progress_s'):.2f} s "
            f"| {_mean(quiet, 'video_s'):.2f} s / {_mean(fresh, 'video_s'):.2f} s |"
        )
    processes = ", ".join(f"{name} {cores:.4f}" for name, cores in chosen["cores"].items() if name != "total")
    write_section(
        "Idle",
        "`.venv/bin/python -m bench.idle` starts the embedded stack once per fetch-wait setting, runs one tiny\n"
        "job to warm it, and once every consumer is idle sums the CPU time of the supervisor, the broker and\n"
        "every service (utime + stime, from /proc) over a quiet spell "
        f"({chosen['idle_s']:.0f} s for the default, less for the others).\n"
        "Then pairs of tiny jobs (two for the default, one for the others): the first of a pair finds every\n"
        "consumer idle (*quiet*), the second finds them just used (*fresh*); the table gives the means.\n"
        "*First progress* is the time from the POST to the story stage's first progress as the gateway\n"
        "shows it (two hops, gateway → story → gateway); *video*, to the finished video.\n"
        "Results: `bench/results/idle.json`; `--doc-only` rewrites this section.\n\n"
        f"Measured {stack.machine_line(result['machine'])}, in {result['seconds']:.0f} s;\n"
        f"the one-minute load average as the default's quiet spell began: {chosen['load_1min']}.\n\n"
        + "\n".join(table)
        + "\n\n"
        f"Per process at the default, in cores: {processes}.\n\n"
        "Tansu holds every fetch for its whole wait, data or not, so an idle consumer costs one round trip\n"
        "per wait and a record comes part of a wait late. A consumer fetches with the short wait from its\n"
        f"first record until {result['idle_after_s']:.0f} s pass without one (`kafka_idle_after_s`; "
        f"{IDLE_AFTER_S:.0f} s here), so a job that follows\n"
        "another within that time is as fast as before; after a quiet spell, each stage takes up its first\n"
        "record of a job with the idle wait, which makes a quiet job later by a fraction of a second per\n"
        "stage. The default idle wait is the shortest measured that leaves a margin under 0.05 of a core\n"
        "(the machine's other load moves these figures by several thousandths). Apache Kafka answers a\n"
        "fetch as soon as a record comes, so there the idle wait costs a job nothing.\n",
    )


if __name__ == "__main__":
    stack.main("idle", __doc__ or "", run, write_doc)
