"""Throughput benchmark: N tiny jobs submitted at once, jobs per minute and end-to-end latency, none lost.

    .venv/bin/python -m bench.throughput [--sizes 10,50,200] [--replicated-sizes 10,50,200] [--quick] [--doc-only]

For each stage replica count (1, then 2 per stage: `REELFORGE_REPLICAS=story=2,imaging=2,audio=2,render=2`,
skipped with a note when the stack does not start the second replicas) one embedded stack is started
and, after one warm-up job, each size's jobs (`bench.stack.TINY_JOB`, offline providers) are posted all
at once (every request in flight together). A size is done when all its jobs are final. Jobs per minute
is completed jobs over the span from the first job's creation to the last completion, as the gateway
recorded them (`created_at`, `completed_at`); the latency of a job is its `completed_at - created_at`.
A job not final within the time limit counts as lost. The stack's resident memory is sampled every
0.25 s throughout (bench.memory reports the peaks). It writes bench/results/throughput.json and the
Throughput section of docs/benchmarks.md.
"""

import argparse
import asyncio
import time
from typing import Any

import httpx

from bench.doc import write_section
from bench.stack import (
    FINAL,
    STAGES,
    BenchStack,
    RssSampler,
    final_count,
    machine_line,
    main,
    parse_time,
    percentile,
    running_stack,
    submit,
    submit_all,
    wait_final,
    wait_job,
)
from tests.servers import PostgresCluster

REPLICAS_SETTING = "REELFORGE_REPLICAS"
SIZES = (10, 50, 200)
QUICK_SIZES = (3, 6)
SECONDS_PER_JOB_LIMIT = 6.0
"""A size's time limit: this many seconds per job (a tiny job costs about 2 CPU-seconds), plus a minute."""


async def burst(bench: BenchStack, size: int) -> dict[str, Any]:
    async with bench.client(limits=httpx.Limits(max_connections=100)) as client:
        before = await final_count(client)
        posted = time.perf_counter()
        job_ids = await submit_all(client, size)
        post_s = time.perf_counter() - posted
        jobs = await wait_final(client, job_ids, before, timeout_s=60 + SECONDS_PER_JOB_LIMIT * size)
    completed = [job for job in jobs.values() if job["status"] == "completed"]
    failed = [job for job in jobs.values() if job["status"] in FINAL and job["status"] != "completed"]
    latencies = [parse_time(job["completed_at"]) - parse_time(job["created_at"]) for job in completed]
    span_s = (
        max(parse_time(job["completed_at"]) for job in completed)
        - min(parse_time(job["created_at"]) for job in jobs.values())
        if completed
        else float("nan")
    )
    return {
        "jobs": size,
        "completed": len(completed),
        "failed": len(failed),
        "failures": sorted({f"{job['status']}: {job['error']}" for job in failed})[:5],
        "lost": size - len(completed) - len(failed),
        "post_all_s": round(post_s, 2),
        "span_s": round(span_s, 2),
        "jobs_per_minute": round(len(completed) / span_s * 60, 1) if completed else 0.0,
        "latency_s": {
            "p50": round(percentile(latencies, 50), 2),
            "p95": round(percentile(latencies, 95), 2),
            "max": round(max(latencies), 2) if latencies else float("nan"),
        },
    }


async def warm_up(bench: BenchStack) -> None:
    async with bench.client() as client:
        job = await wait_job(client, (await submit(client))["id"], timeout_s=120)
        if job["status"] != "completed":
            raise RuntimeError(f"the warm-up job ended {job['status']}: {job['error']}")


def measure(replicas: int, sizes: tuple[int, ...], database_url: str) -> dict[str, Any]:
    env = {"REELFORGE_DATABASE_URL": database_url}
    if replicas > 1:
        env[REPLICAS_SETTING] = ",".join(f"{stage}={replicas}" for stage in STAGES)
    with running_stack(env, name=f"bench-throughput-{replicas}") as bench:
        started = bench.replicas()
        short = {stage: started.get(stage, 0) for stage in STAGES if started.get(stage, 0) < replicas}
        if short:
            note = f"{REPLICAS_SETTING} was not honoured (processes per stage: {started}); skipped"
            print(note, flush=True)
            return {"replicas": replicas, "skipped": note}
        runs = []
        with RssSampler(bench) as memory:
            memory.mark("warm-up")
            asyncio.run(warm_up(bench))
            for size in sizes:
                memory.mark(f"{size} jobs")
                runs.append(asyncio.run(burst(bench, size)))
                print(f"{replicas} replica(s), {size} jobs: {runs[-1]}", flush=True)
        return {"replicas": replicas, "processes": started, "runs": runs, "memory": memory.report()}


def run(options: argparse.Namespace) -> dict[str, Any]:
    sizes: dict[int, tuple[int, ...]] = {1: QUICK_SIZES, 2: QUICK_SIZES}
    if not options.quick:
        sizes[1] = tuple(int(size) for size in options.sizes.split(","))
        sizes[2] = tuple(int(size) for size in (options.replicated_sizes or options.sizes).split(","))
    postgres = PostgresCluster()  # replicas share their stage's database, which must be PostgreSQL
    postgres.start()
    try:
        configs = [measure(replicas, sizes[replicas], postgres.create_database()) for replicas in (1, 2)]
    finally:
        postgres.stop()
    most = max(size for config in sizes.values() for size in config)
    largest = [run for config in configs for run in config.get("runs", []) if run["jobs"] == most]
    return {
        "job": "one line of script, one scene, 5 s at 128x128, draft quality (bench.stack.TINY_JOB)",
        "sizes": {str(replicas): list(config) for replicas, config in sizes.items()},
        "configs": configs,
        "largest": {
            "jobs": most,
            "none_lost": bool(largest) and all(run["completed"] == run["jobs"] for run in largest),
            "completed": [run["completed"] for run in largest],
            "replicas": [
                config["replicas"] for config in configs for run in config.get("runs", []) if run["jobs"] == most
            ],
        },
    }


def write_doc(result: dict[str, Any]) -> None:
    table = [
        "| replicas per stage | jobs at once | completed | failed | lost | jobs/min | latency p50 | p95 | max |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    notes = []
    for config in result["configs"]:
        if "skipped" in config:
            notes.append(f"- {config['replicas']} replicas per stage: {config['skipped']}.")
            continue
        for run in config["runs"]:
            latency = run["latency_s"]
            table.append(
                f"| {config['replicas']} | {run['jobs']} | {run['completed']} | {run['failed']} | {run['lost']}"
                f" | **{run['jobs_per_minute']}** | {latency['p50']} s | {latency['p95']} s | {latency['max']} s |"
            )
    largest = result["largest"]
    verdict = "met" if largest["none_lost"] else "missed"
    spans = [
        f"{run['span_s']:.0f} s with {config['replicas']} {'replica' if config['replicas'] == 1 else 'replicas'}"
        for config in result["configs"]
        for run in config.get("runs", [])
        if run["jobs"] == largest["jobs"]
    ]
    rates = {
        (config["replicas"], run["jobs"]): run["jobs_per_minute"]
        for config in result["configs"]
        for run in config.get("runs", [])
    }
    ratios = [
        f"{size} jobs: **{rates[(2, size)] / rates[(1, size)]:.2f}**"
        for (replicas, size) in rates
        if replicas == 1 and rates.get((2, size)) and rates[(1, size)]
    ]
    if ratios:
        notes.append("- Jobs per minute, 2 replicas per stage ÷ 1: " + ", ".join(ratios) + ".")
    sizes = "; ".join(
        f"{replicas} {'replica' if replicas == '1' else 'replicas'} per stage: {', '.join(map(str, runs))}"
        for replicas, runs in result["sizes"].items()
    )
    write_section(
        "Throughput",
        "`.venv/bin/python -m bench.throughput` starts the embedded stack once per replica count (1, then 2 per\n"
        "stage through `REELFORGE_REPLICAS`; both on one PostgreSQL cluster, since replicas of a stage share its\n"
        "database and SQLite takes one writing process), runs one warm-up job, then posts each size's tiny jobs\n"
        f"({result['job']}) all at once and waits until every one is final. Jobs per minute is the completed\n"
        "jobs over the span from the first creation to the last completion, as the gateway recorded them;\n"
        "latency is each job's `completed_at - created_at`. A job not final within its size's time limit is\n"
        f"lost. A tiny job costs about 2 CPU-seconds across the stack, so on a small machine the cores, not\n"
        f"the pipeline, set the pace: the {largest['jobs']}-job run took {' and '.join(spans)} per stage.\n"
        f"Sizes run: {sizes}.\n"
        "Results: `bench/results/throughput.json`; `--doc-only` rewrites this section.\n\n"
        f"Measured {machine_line(result['machine'])}, in {result['seconds']} s.\n\n"
        + "\n".join(table)
        + ("\n\n" + "\n".join(notes) if notes else "")
        + f"\n\nGoal: {largest['jobs']} concurrent jobs, none lost: **{verdict}** "
        f"(completed {' and '.join(str(n) for n in largest['completed'])} of {largest['jobs']}).\n",
    )


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="jobs posted at once, one run each")
    parser.add_argument("--replicated-sizes", help="the same with 2 replicas per stage (default: --sizes)")


if __name__ == "__main__":
    main("throughput", __doc__, run, write_doc, arguments)
