"""Memory benchmark: the peak resident memory of every service of the stack, idle and through a long job.

    .venv/bin/python -m bench.memory [--duration long] [--quick] [--doc-only]

The embedded stack (SQLite, as `make run` runs it) is sampled from /proc every 0.25 s, every process
of it: each service's own process, and with its children (the render's ffmpeg encoders, the audio's
narrators). Phases: the idle stack for a few seconds, then one long job as a user would ask for it
(a topic, `duration: long` — about three minutes of video — at the default 1080x1920, 30 fps,
standard quality, with music), sampled until it is completed. bench.throughput samples its own
stacks the same way under bursts of up to 200 tiny jobs; its peaks are shown here too when
bench/results/throughput.json exists. Goal: no service above 300 MB, except the render while it
encodes. It writes bench/results/memory.json and the Memory section of docs/benchmarks.md.
"""

import argparse
import asyncio
import json
import time
from typing import Any

from bench.doc import write_section
from bench.stack import RssSampler, load, machine_line, main, running_stack, submit, wait_job

GOAL_MB = 300.0
EXEMPT = "render"
"""The one service allowed above the goal, while it encodes (a phase with a render in it)."""
LONG_JOB: dict[str, Any] = {"topic": "scary", "duration": "long", "include_music": True}
QUICK_JOB: dict[str, Any] = {"topic": "scary", "duration": 20, "resolution": "540x960", "include_music": True}


def measure(body: dict[str, Any]) -> dict[str, Any]:
    with running_stack(name="bench-memory") as bench, RssSampler(bench) as memory:
        memory.mark("idle")
        time.sleep(5)
        memory.mark("long job")
        started = time.perf_counter()

        async def long_job() -> dict[str, Any]:
            async with bench.client() as client:
                return await wait_job(client, (await submit(client, body))["id"], timeout_s=900, poll_s=1)

        job = asyncio.run(long_job())
        job_s = time.perf_counter() - started
    if job["status"] != "completed":
        raise RuntimeError(f"the long job ended {job['status']}: {job['error']}")
    output = job["output"] or {}
    return {
        "job": body,
        "video": {
            "duration_s": output.get("duration_s"),
            "size": f"{output.get('width')}x{output.get('height')}",
            "scenes": len((job["storyboard"] or {}).get("scenes", [])),
        },
        "job_s": round(job_s, 1),
        "peaks": memory.report(),
    }


def over_goal(phases: dict[str, dict[str, dict[str, float]]], encoding: set[str]) -> list[str]:
    """Each service above the goal in a phase, the render aside in the phases where it encodes."""
    found = []
    for phase, services in phases.items():
        for name, peak in services.items():
            if peak["peak_with_children_mb"] > GOAL_MB and not (name == EXEMPT and phase in encoding):
                found.append(f"{name} {peak['peak_with_children_mb']} MB ({phase})")
    return found


def run(options: argparse.Namespace) -> dict[str, Any]:
    duration = options.duration and (int(options.duration) if options.duration.isdigit() else options.duration)
    body = QUICK_JOB if options.quick else LONG_JOB | ({"duration": duration} if duration else {})
    result = measure(body)
    result["over_goal"] = over_goal(result["peaks"], {"long job"})
    worst = max(
        (peak["peak_with_children_mb"], name)
        for phase, services in result["peaks"].items()
        for name, peak in services.items()
        if not (name == EXEMPT and phase == "long job")
    )
    result["largest_other"] = {"service": worst[1], "peak_mb": worst[0]}
    return result


def throughput_peaks() -> dict[str, dict[str, dict[str, float]]]:
    """The peaks bench.throughput measured, per configuration and burst, if it has run."""
    saved = load("throughput")
    if saved is None:
        return {}
    return {
        f"{phase} ({config['replicas']} {'replica' if config['replicas'] == 1 else 'replicas'})": services
        for config in saved["configs"]
        if "memory" in config
        for phase, services in config["memory"].items()
        if phase.endswith("jobs")
    }


def write_doc(result: dict[str, Any]) -> None:
    phases = result["peaks"]
    bursts = throughput_peaks()
    names = sorted({name for services in [*phases.values(), *bursts.values()] for name in services})
    columns = [*phases, *bursts]
    table = [
        "| service | " + " | ".join(columns) + " |",
        "|---|" + "---|" * len(columns),
    ]
    for name in names:
        cells = []
        for column in columns:
            peak = (phases.get(column) or bursts.get(column) or {}).get(name)
            cells.append(
                "-"
                if peak is None
                else f"{peak['peak_mb']} MB"
                + (
                    f" ({peak['peak_with_children_mb']} MB with children)"
                    if peak["peak_with_children_mb"] > peak["peak_mb"] + 1
                    else ""
                )
            )
        table.append(f"| {name} | " + " | ".join(cells) + " |")
    over = over_goal(phases, {"long job"}) + over_goal(bursts, set(bursts))
    verdict = "met" if not over else "missed: " + ", ".join(over)
    video = result["video"]
    write_section(
        "Memory",
        "`.venv/bin/python -m bench.memory` samples the resident memory of every process of the embedded stack\n"
        "(SQLite, as `make run` runs it) from /proc every 0.25 s: a few seconds idle, then one long job as a\n"
        f"user asks for it (`{json.dumps(result['job'])}`: {video['duration_s']} s of {video['size']} video in\n"
        f"{video['scenes']} scenes, done in {result['job_s']} s). A figure is a service's peak (of its largest\n"
        "replica, where it has several); with children adds the processes it started (the render's ffmpeg\n"
        "encoders). The columns after the long job are bench.throughput's stacks (PostgreSQL) under its\n"
        "bursts of tiny jobs, from `bench/results/throughput.json`. Results: `bench/results/memory.json`;\n"
        "`--doc-only` rewrites this section.\n\n"
        f"Measured {machine_line(result['machine'])}, in {result['seconds']} s.\n\n" + "\n".join(table) + "\n\n"
        f"Goal: no service above {GOAL_MB:g} MB except the render while it encodes: **{verdict}**.\n",
    )


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--duration", help="the long job's duration: `long` (default) or seconds, e.g. 240")


if __name__ == "__main__":
    main("memory", __doc__, run, write_doc, arguments)
