"""Hops benchmark: the orchestration overhead between one stage committing an event and the next handling it.

    .venv/bin/python -m bench.hops [--jobs 20] [--quick] [--doc-only]

Tiny jobs (`bench.stack.TINY_JOB`, offline providers) run one at a time through the real embedded
stack, so no hop waits behind another job's work. For every hop of every job it takes two clocks of
the one machine: when the producing stage staged the event in its closing transaction (the outbox
row's `created_at` in that service's own database; the commit follows in the same transaction) and
when the next stage's consumer loop took it up (the start of its handler span, `"{group} {topic}"`,
received over OTLP/HTTP by a small collector in this process; the services export spans only when
`OTEL_EXPORTER_OTLP_ENDPOINT` is set). The outbox's `published_at` splits each hop into the relay's
share (committed -> published, an upper bound: a batch is marked sent once all its rows are) and the
broker's and consumer's share (published -> handled). The stages' own work is not counted: a hop
starts when a stage is done. It writes bench/results/hops.json and the Hops section of docs/benchmarks.md.
"""

import argparse
import asyncio
import gzip
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from bench.doc import write_section
from bench.stack import (
    BenchStack,
    distribution_ms,
    machine_line,
    main,
    parse_time,
    running_stack,
    submit,
    wait_job,
)
from libs.common.events import Topics


@dataclass(frozen=True)
class Hop:
    name: str
    producer: str
    topic: str
    consumer: str
    """The consumer group (each stage's group is named after it; the gateway's projection is `gateway`)."""


HOPS = (
    Hop("gateway publish → story start", "gateway", Topics.JOBS_REQUESTED, "story"),
    Hop("story done → imaging start", "story", Topics.STORY_COMPLETED, "imaging"),
    Hop("story done → audio start", "story", Topics.STORY_COMPLETED, "audio"),
    Hop("images done → render start", "imaging", Topics.IMAGES_COMPLETED, "render"),
    Hop("audio done → render start", "audio", Topics.AUDIO_COMPLETED, "render"),
    Hop("render done → job completed in the gateway", "render", Topics.JOBS_COMPLETED, "gateway"),
)
GOAL_P50_MS = 20.0


@dataclass(frozen=True)
class Span:
    group: str
    topic: str
    job_id: str
    start_s: float
    end_s: float


class Collector:
    """An OTLP/HTTP trace receiver on loopback: keeps every consumer span (`"{group} {topic}"` with a job id)."""

    def __init__(self) -> None:
        self.spans: list[Span] = []
        self._lock = threading.Lock()
        collector = self

        class Receive(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                collector._take(ExportTraceServiceRequest.FromString(body))
                answer = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Receive)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"

    def _take(self, request: ExportTraceServiceRequest) -> None:
        found = []
        for resource in request.resource_spans:
            for scope in resource.scope_spans:
                for span in scope.spans:
                    parts = span.name.split(" ")
                    attributes = {item.key: item.value.string_value for item in span.attributes}
                    if len(parts) == 2 and "job_id" in attributes:
                        found.append(
                            Span(
                                parts[0],
                                parts[1],
                                attributes["job_id"],
                                span.start_time_unix_nano / 1e9,
                                span.end_time_unix_nano / 1e9,
                            )
                        )
        with self._lock:
            self.spans.extend(found)

    def handled(self, group: str, topic: str, job_id: str) -> Span | None:
        with self._lock:
            matching = [s for s in self.spans if (s.group, s.topic, s.job_id) == (group, topic, job_id)]
        return min(matching, key=lambda s: s.start_s) if matching else None

    @contextmanager
    def serving(self) -> Iterator["Collector"]:
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()


def outbox(bench: BenchStack, service: str) -> dict[tuple[str, str], tuple[float, float | None]]:
    """(topic, job id) -> (staged, published) of every event `service` emitted, from its SQLite database."""
    path = bench.var_dir / f"{service}.db"
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT topic, key, created_at, published_at FROM outbox ORDER BY id").fetchall()
    found: dict[tuple[str, str], tuple[float, float | None]] = {}
    for topic, key, created, published in rows:
        found.setdefault((topic, key), (parse_time(created), parse_time(published) if published else None))
    return found


async def run_jobs(bench: BenchStack, count: int) -> list[str]:
    """One warm-up job, then `count` jobs one after the other; the ids of those that completed (warm-up aside)."""
    done = []
    async with bench.client() as client:
        for number in range(count + 1):
            job = await wait_job(client, (await submit(client))["id"], timeout_s=120, poll_s=0.05)
            if job["status"] != "completed":
                raise RuntimeError(f"job {job['id']} ended {job['status']}: {job['error']}")
            if number:
                done.append(job["id"])
    return done


def measure(count: int) -> dict[str, Any]:
    collector = Collector()
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint, "OTEL_BSP_SCHEDULE_DELAY": "200"}
    with collector.serving(), running_stack(env, name="bench-hops") as bench:
        job_ids = asyncio.run(run_jobs(bench, count))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not all(
            collector.handled("gateway", Topics.JOBS_COMPLETED, job) for job in job_ids
        ):
            time.sleep(0.2)
        events = {service: outbox(bench, service) for service in {hop.producer for hop in HOPS}}
    hops = []
    for hop in HOPS:
        total, relay, delivery = [], [], []
        for job in job_ids:
            staged, published = events[hop.producer].get((hop.topic, job), (None, None))
            handled = collector.handled(hop.consumer, hop.topic, job)
            if staged is None or handled is None:
                continue
            total.append(handled.start_s - staged)
            if published is not None:
                relay.append(published - staged)
                delivery.append(handled.start_s - published)
        hops.append(
            {
                "hop": hop.name,
                "topic": hop.topic,
                "committed_to_handled": distribution_ms(total),
                "committed_to_published": distribution_ms(relay),
                "published_to_handled": distribution_ms(delivery),
            }
        )
    return {"jobs": len(job_ids), "job": "bench.stack.TINY_JOB, one at a time", "hops": hops}


def run(options: argparse.Namespace) -> dict[str, Any]:
    result = measure(3 if options.quick else options.jobs)
    p50s = [hop["committed_to_handled"]["p50_ms"] for hop in result["hops"]]
    result["worst_p50_ms"] = max(p50s)
    result["goal"] = {"p50_ms_per_hop": f"<= {GOAL_P50_MS:g}", "met": max(p50s) <= GOAL_P50_MS}
    return result


def write_doc(result: dict[str, Any]) -> None:
    table = [
        "| hop | committed → handled p50 | p95 | max | relay (committed → published) p50"
        " | bus (published → handled) p50 |",
        "|---|---|---|---|---|---|",
    ]
    for hop in result["hops"]:
        total, relay, bus = hop["committed_to_handled"], hop["committed_to_published"], hop["published_to_handled"]
        table.append(
            f"| {hop['hop']} (`{hop['topic']}`) | **{total['p50_ms']} ms** | {total['p95_ms']} ms"
            f" | {total['max_ms']} ms | {relay['p50_ms']} ms | {bus['p50_ms']} ms |"
        )
    verdict = "met" if result["goal"]["met"] else "missed"
    write_section(
        "Hops",
        "`.venv/bin/python -m bench.hops` runs tiny jobs (one line of script, one scene, 5 s at 128x128,\n"
        "draft quality, offline providers) one at a time through the embedded stack and measures, for each\n"
        "hop between stages, the time from the producing stage committing its event (the outbox row's\n"
        "`created_at`, staged in the closing transaction) to the next stage's consumer taking it up (the\n"
        "start of its handler span, collected over OTLP/HTTP by the benchmark). The stages' own work is not\n"
        "in these figures. The relay column is committed → published (the outbox's `published_at`, set once\n"
        "the broker acknowledged the row, `acks=all`, and its batch was marked sent: an upper bound); the bus\n"
        "column published → handled (the consumer's fetch and decoding). The services export their spans\n"
        "only in this benchmark (`OTEL_EXPORTER_OTLP_ENDPOINT`), on a background thread. Results:\n"
        "`bench/results/hops.json`; `--doc-only` rewrites this section.\n\n"
        f"Measured {machine_line(result['machine'])}; {result['jobs']} jobs after one warm-up, in "
        f"{result['seconds']} s.\n\n" + "\n".join(table) + "\n\n"
        f"Goal: p50 ≤ {GOAL_P50_MS:g} ms per hop; worst p50 {result['worst_p50_ms']} ms: **{verdict}**.\n",
    )


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--jobs", type=int, default=20, help="jobs measured, one after the other (default 20)")


if __name__ == "__main__":
    main("hops", __doc__, run, write_doc, arguments)
