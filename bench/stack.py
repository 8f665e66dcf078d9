"""What the stack benchmarks share: the embedded stack with a logged-in user, tiny jobs, distributions,
the stack's processes sampled from /proc, machine facts, results files and the command line.

The stack is `tests/stack.py`'s `EmbeddedStack` (started exactly as `make run` starts it, on free ports
in a temp folder); nothing here launches a service another way.
"""

import argparse
import asyncio
import json
import os
import platform
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.processes import children_of, process_table, tree_bytes
from tests.stack import EmbeddedStack, register_and_login

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
STAGES = ("story", "imaging", "audio", "render")
TINY_JOB: dict[str, Any] = {
    "script": "A paper boat sails.",
    "duration": 5,
    "num_scenes": 1,
    "resolution": "128x128",
    "fps": 24,
    "quality": "draft",
    "motion": False,
    "transition": "none",
    "subtitles": False,
}
"""The smallest job the API takes: one line of script, one scene, five seconds at 128x128, draft quality."""
HIGH = 1_000_000_000
HIGH_LIMITS = {
    "REELFORGE_RATE_LIMIT_PER_MINUTE": str(HIGH),
    "REELFORGE_RATE_LIMIT_PER_HOUR": str(HIGH),
    "REELFORGE_JOBS_PER_HOUR": json.dumps({"FREE": HIGH, "PRO": HIGH, "ENTERPRISE": HIGH}),
    "REELFORGE_REGISTRATIONS_PER_HOUR": str(HIGH),
    "REELFORGE_COST_LIMIT_PER_USER_DAY_USD": str(HIGH),
}
"""Request budgets, the jobs-an-hour quota and the daily spending limit on, so every request pays for
counting, but set so high that nothing is refused (a bench creates thousands of priced jobs)."""
FINAL = frozenset({"completed", "moderation_failed", "failed", "cancelled"})


# ---- figures -----------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """Where a result was measured; the load average is read when the result is written."""
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "day": datetime.now(UTC).date().isoformat(),
    }


def machine_line(facts: dict[str, Any]) -> str:
    one, five, fifteen = facts["load_average"]
    return (
        f"{facts['day']} on {facts['platform']}, {facts['cpus']} CPUs, Python {facts['python']}, "
        f"load average {one} / {five} / {fifteen} at the end"
    )


def percentile(values: list[float], q: float) -> float:
    """The `q`-th percentile (0..100), linear between the two nearest ranks."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def distribution_ms(seconds: list[float]) -> dict[str, float | int]:
    """n, p50, p95, p99 and max of durations given in seconds, in milliseconds."""
    return {
        "n": len(seconds),
        "p50_ms": round(percentile(seconds, 50) * 1000, 1),
        "p95_ms": round(percentile(seconds, 95) * 1000, 1),
        "p99_ms": round(percentile(seconds, 99) * 1000, 1),
        "max_ms": round(max(seconds) * 1000, 1) if seconds else float("nan"),
    }


def parse_time(value: str) -> float:
    """A timestamp as the API or a service's SQLite database writes it (UTC, naive or not), as Unix seconds."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


# ---- results and the command line --------------------------------------------------------------


def results_path(name: str) -> Path:
    return RESULTS_DIR / f"{name}.json"


def load(name: str) -> dict[str, Any] | None:
    path = results_path(name)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def save(name: str, result: dict[str, Any]) -> None:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    results_path(name).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


def main(
    name: str,
    doc: str,
    run: Callable[[argparse.Namespace], dict[str, Any]],
    write_doc: Callable[[dict[str, Any]], None],
    arguments: Callable[[argparse.ArgumentParser], None] | None = None,
) -> None:
    """A benchmark's command line: `--quick` (tiny sizes, for development; results not saved unless
    `--save`), `--doc-only` (rewrite its section of docs/benchmarks.md from the saved results)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, to try the benchmark out")
    parser.add_argument("--save", action="store_true", help="with --quick: save the results and rewrite the doc")
    parser.add_argument("--doc-only", action="store_true", help="rewrite its section of docs/benchmarks.md")
    if arguments is not None:
        arguments(parser)
    options = parser.parse_args()
    if options.doc_only:
        saved = load(name)
        if saved is None:
            raise SystemExit(f"no {results_path(name)} yet: run the benchmark first")
        write_doc(saved)
        return
    started = time.perf_counter()
    result = run(options)
    result["seconds"] = round(time.perf_counter() - started, 1)
    result["quick"] = bool(options.quick)
    result["machine"] = machine()
    print(json.dumps(result, indent=2), flush=True)
    if options.quick and not options.save:
        print(f"(--quick: {results_path(name)} and docs/benchmarks.md left as they were)")
        return
    save(name, result)
    write_doc(result)


# ---- the stack ---------------------------------------------------------------------------------


@dataclass
class BenchStack:
    """A running embedded stack and one logged-in user of it."""

    stack: EmbeddedStack
    token: str

    @property
    def api(self) -> str:
        return self.stack.api

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def var_dir(self) -> Path:
        return self.stack.var_dir

    def client(self, **options: Any) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.api, headers=self.headers, timeout=60, **options)

    def processes(self) -> dict[str, list[int]]:
        """The stack's processes by service (`broker` for Tansu): the supervisor's children, replicas together."""
        assert self.stack.process is not None
        found: dict[str, list[int]] = {}
        for pid, (ppid, _) in process_table().items():
            if ppid == self.stack.process.pid:
                found.setdefault(_service_of(pid), []).append(pid)
        return found

    def replicas(self) -> dict[str, int]:
        return {name: len(pids) for name, pids in self.processes().items()}


@contextmanager
def running_stack(extra_env: dict[str, str] | None = None, name: str = "bench") -> Iterator[BenchStack]:
    """The embedded stack with request budgets on (`HIGH_LIMITS`, layered under `extra_env`) and one user."""
    raise_fd_limit()
    var_dir = Path(tempfile.mkdtemp(prefix=f"reelforge-{name}-"))
    stack = EmbeddedStack(var_dir=var_dir, extra_env=HIGH_LIMITS | (extra_env or {}), request_limits=True)
    try:
        stack.start()
        yield BenchStack(stack, register_and_login(stack, name.replace("-", "")))
    finally:
        stack.stop()
        shutil.rmtree(var_dir, ignore_errors=True)


def raise_fd_limit() -> int:
    """This process's soft limit on open files raised to the hard one (the stack inherits it); the new soft limit."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1 << 20
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


async def submit(client: httpx.AsyncClient, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """Create one job (`TINY_JOB` unless `body`); the job as the API answers it."""
    answer = await client.post("/jobs", json=body or TINY_JOB)
    answer.raise_for_status()
    job: dict[str, Any] = answer.json()
    return job


async def submit_all(client: httpx.AsyncClient, count: int, body: dict[str, Any] | None = None) -> list[str]:
    """`count` jobs posted at once (all requests in flight together); their ids."""
    return [job["id"] for job in await asyncio.gather(*(submit(client, body) for _ in range(count)))]


async def final_count(client: httpx.AsyncClient) -> int:
    """How many of the user's jobs are final: the list endpoint's `total` per final status."""
    count = 0
    for status in sorted(FINAL):
        answer = await client.get("/jobs", params={"status": status, "limit": 1})
        answer.raise_for_status()
        count += answer.json()["total"]
    return count


async def wait_final(
    client: httpx.AsyncClient, job_ids: list[str], before: int, timeout_s: float, poll_s: float = 1.0
) -> dict[str, dict[str, Any]]:
    """Every job of `job_ids` as the API shows it once all are final (`before` final jobs of the user's
    came first) or `timeout_s` has passed. Polls final counts, so a thousand jobs cost four requests a poll."""
    wanted = set(job_ids)
    deadline = time.monotonic() + timeout_s
    while True:
        if time.monotonic() > deadline or await final_count(client) >= before + len(wanted):
            break
        await asyncio.sleep(poll_s)
    jobs: dict[str, dict[str, Any]] = {}
    page = 1
    while True:
        answer = await client.get("/jobs", params={"page": page, "limit": 100})
        answer.raise_for_status()
        items = answer.json()["items"]
        jobs.update({job["id"]: job for job in items if job["id"] in wanted})
        if len(items) < 100 or len(jobs) == len(wanted):
            return jobs
        page += 1


async def wait_job(client: httpx.AsyncClient, job_id: str, timeout_s: float, poll_s: float = 0.1) -> dict[str, Any]:
    """One job once it is final (or as it stands after `timeout_s`)."""
    deadline = time.monotonic() + timeout_s
    while True:
        answer = await client.get(f"/jobs/{job_id}")
        answer.raise_for_status()
        job: dict[str, Any] = answer.json()
        if job["status"] in FINAL or time.monotonic() > deadline:
            return job
        await asyncio.sleep(poll_s)


# ---- processes ---------------------------------------------------------------------------------


def _service_of(pid: int) -> str:
    try:
        words = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "gone"
    for word in words:
        if word.startswith(b"services."):
            return word.decode().removeprefix("services.")
    return "broker" if any(b"broker" in word for word in words) else Path(words[0].decode() or "?").name


@dataclass
class Peak:
    """One service's peak resident memory (its largest replica): the process alone, and with its children."""

    own_bytes: int = 0
    tree_bytes: int = 0
    samples: int = 0


@dataclass
class RssSampler:
    """Samples the resident memory of every process of the stack every `every_s` seconds, in a thread.

    A service's figure is its largest replica's (each replica is a process of its own); `tree` adds a
    replica's descendants (the render's ffmpeg encoders). `mark(name)` names the phase of the samples
    from then on.
    """

    bench: BenchStack
    every_s: float = 0.25
    peaks: dict[str, dict[str, Peak]] = field(default_factory=dict)
    phase: str = "run"
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> "RssSampler":
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def mark(self, phase: str) -> None:
        self.phase = phase

    def _run(self) -> None:
        assert self.bench.stack.process is not None
        root = self.bench.stack.process.pid
        names: dict[int, str] = {}
        while not self._stop.wait(self.every_s):
            table = process_table()
            children = children_of(table)
            phase = self.peaks.setdefault(self.phase, {})
            largest: dict[str, list[int]] = {}
            for pid in children.get(root, []):
                name = names.get(pid) or names.setdefault(pid, _service_of(pid))
                own, tree = table[pid][1], tree_bytes(pid, table, children)
                replica = largest.setdefault(name, [0, 0])
                replica[0], replica[1] = max(replica[0], own), max(replica[1], tree)
            for name, (own, tree) in largest.items():
                peak = phase.setdefault(name, Peak())
                peak.own_bytes, peak.tree_bytes = max(peak.own_bytes, own), max(peak.tree_bytes, tree)
                peak.samples += 1

    def report(self) -> dict[str, dict[str, dict[str, float]]]:
        """Per phase, per service: peak MB of its own processes and with their children."""
        return {
            phase: {
                name: {
                    "peak_mb": round(peak.own_bytes / 2**20, 1),
                    "peak_with_children_mb": round(peak.tree_bytes / 2**20, 1),
                    "samples": peak.samples,
                }
                for name, peak in sorted(services.items())
            }
            for phase, services in self.peaks.items()
        }


def rss_bytes(pid: int) -> int:
    """One process's resident memory now."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0
