"""Fan-out benchmark: 100, 1,000 and 5,000 WebSocket subscribers on one job, each getting every message.

    .venv/bin/python -m bench.fanout [--subscribers 100,1000,5000] [--quick] [--doc-only]

For each count, a tiny job is created with `review: true`, so it waits (`awaiting_review`) after its
story; that many WebSocket clients, all in this process, subscribe to its progress
(`/api/v1/jobs/{id}/events?token=<JWT>`, at most 200 handshakes at a time) and each reads the job's
history. The gateway's resident memory is read before the first connects and once all have their
history: the difference over the subscribers is the memory per connection. Then the story is approved
and the job runs on through the pipeline: every client records when each message arrives, until the
gateway closes the stream after the completion. A subscriber received all when its messages equal what
one lone subscriber, connected after the end, gets. Publish -> arrival is from the moment the gateway
recorded the entry (a message's `at`, the projection's clock, just before it commits and wakes the
job's feed) to the moment a client read it; per message, the last arrival is the slowest subscriber's.
The clients share the 2 CPUs with the gateway, so their own lag is in the figures. It writes
bench/results/fanout.json and the Fan-out section of docs/benchmarks.md.
"""

import argparse
import asyncio
import json
import time
from typing import Any

import websockets

from bench.doc import write_section
from bench.stack import (
    TINY_JOB,
    BenchStack,
    distribution_ms,
    machine_line,
    main,
    parse_time,
    raise_fd_limit,
    rss_bytes,
    running_stack,
    submit,
)

COUNTS = (100, 1000, 5000)
QUICK_COUNTS = (20, 200)
HANDSHAKES_AT_ONCE = 200
GOAL_P99_MS = 250.0


class Subscriber:
    """One WebSocket client: every message it read, raw, with the time it read it; `connected` once it has
    the job's history (up to the entry that says the story awaits review)."""

    def __init__(self) -> None:
        self.messages: list[tuple[float, str | bytes]] = []
        self.connected = asyncio.Event()
        self.error: str | None = None

    async def follow(self, url: str, gate: asyncio.Semaphore) -> None:
        try:
            async with gate:
                client = await websockets.connect(url, open_timeout=300, max_size=None, close_timeout=5)
            async with client:
                async for raw in client:
                    self.messages.append((time.time(), raw))
                    if not self.connected.is_set() and json.loads(raw)["status"] == "awaiting_review":
                        self.connected.set()
        except Exception as error:  # a client that failed is counted, not raised
            self.error = f"{type(error).__name__}: {error}"
        finally:
            self.connected.set()


def content(raw: str | bytes) -> tuple[Any, ...]:
    """A message as a subscriber sees it (its `seq` aside: the projection may renumber a moved completion)."""
    message = json.loads(raw)
    return message["type"], message["status"], message["stage"], message["progress"], message["message"]


async def status(bench: BenchStack, job_id: str, wanted: str, timeout_s: float = 60) -> None:
    async with bench.client() as client:
        deadline = time.monotonic() + timeout_s
        while (job := (await client.get(f"/jobs/{job_id}")).json())["status"] != wanted:
            if time.monotonic() > deadline:
                raise RuntimeError(f"job {job_id} is {job['status']}, not {wanted}: {job['error']}")
            await asyncio.sleep(0.1)


async def fan_out(bench: BenchStack, count: int) -> dict[str, Any]:
    gateway = bench.processes()["gateway"][0]
    async with bench.client() as client:
        job_id = (await submit(client, TINY_JOB | {"review": True}))["id"]
    await status(bench, job_id, "awaiting_review")
    url = f"{bench.stack.ws_api}/jobs/{job_id}/events?token={bench.token}"
    memory_before = rss_bytes(gateway)
    subscribers = [Subscriber() for _ in range(count)]
    gate = asyncio.Semaphore(HANDSHAKES_AT_ONCE)
    started = time.perf_counter()
    tasks = [asyncio.create_task(subscriber.follow(url, gate)) for subscriber in subscribers]
    await asyncio.gather(*(subscriber.connected.wait() for subscriber in subscribers))
    connect_s = time.perf_counter() - started
    connected = [subscriber for subscriber in subscribers if subscriber.messages and not subscriber.error]
    memory_after = rss_bytes(gateway)
    approved = time.time()
    async with bench.client() as client:
        (await client.post(f"/jobs/{job_id}/approve")).raise_for_status()
    _, pending = await asyncio.wait(tasks, timeout=300)
    for task in pending:
        task.cancel()
    lone = Subscriber()
    await lone.follow(url, asyncio.Semaphore(1))
    expected = [content(raw) for _, raw in lone.messages]
    complete = [s for s in connected if [content(raw) for _, raw in s.messages] == expected]
    deliveries: list[float] = []
    last: dict[tuple[Any, ...], float] = {}
    for subscriber in connected:
        for arrived, raw in subscriber.messages:
            at = parse_time(json.loads(raw)["at"])
            if at < approved:
                continue  # the history, read on connecting
            delay = arrived - at
            deliveries.append(delay)
            key = content(raw)
            last[key] = max(last.get(key, 0.0), delay)
    errors = sorted({s.error for s in subscribers if s.error})
    differences: dict[str, int] = {}
    for subscriber in connected:
        got = [content(raw) for _, raw in subscriber.messages]
        if got != expected:
            missing = [item for item in expected if item not in got]
            extra = [item for item in got if item not in expected]
            key = json.dumps({"missing": missing, "unexpected": extra, "reordered": not missing and not extra})
            differences[key] = differences.get(key, 0) + 1
    return {
        "subscribers": count,
        "connected": len(connected),
        "received_all": len(complete),
        "messages_per_subscriber": len(expected),
        "live_messages": len(last),
        "connect_all_s": round(connect_s, 2),
        "delivery": distribution_ms(deliveries),
        "last_arrival": distribution_ms(list(last.values())),
        "gateway_rss_mb": {"before": round(memory_before / 2**20, 1), "connected": round(memory_after / 2**20, 1)},
        "kb_per_connection": round((memory_after - memory_before) / max(len(connected), 1) / 1024, 1),
        "errors": errors[:5],
        "differences": [
            json.loads(key) | {"subscribers": n} for key, n in sorted(differences.items(), key=lambda kv: -kv[1])[:3]
        ],
    }


def measure(counts: tuple[int, ...]) -> dict[str, Any]:
    limit = raise_fd_limit()
    runs = []
    with running_stack(name="bench-fanout") as bench:
        for count in counts:
            runs.append(asyncio.run(fan_out(bench, count)))
            print(json.dumps(runs[-1]), flush=True)
    return {"open_file_limit": limit, "runs": runs}


def run(options: argparse.Namespace) -> dict[str, Any]:
    counts = QUICK_COUNTS if options.quick else tuple(int(n) for n in options.subscribers.split(","))
    result = measure(counts)
    goals: dict[str, Any] = {}
    for run_ in result["runs"]:
        everyone = run_["received_all"] == run_["subscribers"]
        if run_["subscribers"] == 1000:
            p99 = run_["last_arrival"]["p99_ms"]
            goals["1000"] = {"all_received": everyone, "p99_ms": p99, "met": everyone and p99 <= GOAL_P99_MS}
        if run_["subscribers"] == 5000:
            goals["5000"] = {"connected": run_["connected"], "received_all": run_["received_all"], "met": everyone}
    result["goals"] = goals
    return result


def write_doc(result: dict[str, Any]) -> None:
    table = [
        "| subscribers | connected | received all | connect all | publish → last arrival p50 | p99"
        " | publish → each arrival p50 | p99 | gateway memory per connection |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for run_ in result["runs"]:
        last, each = run_["last_arrival"], run_["delivery"]
        table.append(
            f"| {run_['subscribers']:,} | {run_['connected']:,} | {run_['received_all']:,} | {run_['connect_all_s']} s"
            f" | {last['p50_ms']} ms | **{last['p99_ms']} ms** | {each['p50_ms']} ms | {each['p99_ms']} ms"
            f" | {run_['kb_per_connection']} KB |"
        )
    goals = []
    if "1000" in result["goals"]:
        goal = result["goals"]["1000"]
        goals.append(
            f"1,000 subscribers all receive every event with p99 ≤ {GOAL_P99_MS:g} ms: "
            f"**{'met' if goal['met'] else 'missed'}** (all received: {goal['all_received']}, p99 {goal['p99_ms']} ms)."
        )
    if "5000" in result["goals"]:
        goal = result["goals"]["5000"]
        goals.append(
            f"5,000 connect and receive: **{'met' if goal['met'] else 'missed'}** "
            f"({goal['connected']:,} connected, {goal['received_all']:,} received all)."
        )
    for run_ in result["runs"]:
        for difference in run_.get("differences", []):
            missed = "; ".join(f"{item[2]} {item[3]}% “{item[4]}”" for item in difference["missing"]) or "none"
            extra = len(difference["unexpected"])
            goals.append(
                f"At {run_['subscribers']:,} subscribers, {difference['subscribers']:,} missed: {missed}"
                + (f" (and got {extra} the lone one did not)" if extra else "")
                + (" (all there, out of order)" if difference.get("reordered") else "")
                + "."
            )
    messages = ", ".join(str(run_["messages_per_subscriber"]) for run_ in result["runs"])
    write_section(
        "Fan-out",
        "`.venv/bin/python -m bench.fanout` creates a tiny job that waits for review after its story, connects\n"
        "the subscribers to its WebSocket progress stream (Bearer JWT in `?token=`, 200 handshakes at a time,\n"
        "all clients in the benchmark's one process), reads the gateway's resident memory before and once\n"
        "every client has the job's history, then approves the story and records when each client reads\n"
        "each message until the gateway closes the stream after the completion. Received all: a client's\n"
        "messages equal what one lone subscriber, connected after the end, gets "
        f"({messages} messages per run). Publish → arrival runs from the gateway recording the entry (a\n"
        "message's `at`) to a client reading it; the last arrival of a message is its slowest subscriber's.\n"
        "The clients share the CPUs with the gateway, so their own lag is included. Results:\n"
        "`bench/results/fanout.json`; `--doc-only` rewrites this section.\n\n"
        f"Measured {machine_line(result['machine'])}, in {result['seconds']} s; open-file limit "
        f"{result['open_file_limit']:,}.\n\n" + "\n".join(table) + "\n\n" + "\n".join(f"- {g}" for g in goals) + "\n",
    )


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--subscribers", default=",".join(map(str, COUNTS)), help="subscriber counts, one run each")


if __name__ == "__main__":
    main("fanout", __doc__, run, write_doc, arguments)
