"""Gateway benchmark: job status reads and job creation against a bare FastAPI route, in the same run.

    .venv/bin/python -m bench.gateway [--seconds 15] [--no-profile] [--quick] [--doc-only]

The embedded stack runs with authentication on (every request carries a Bearer JWT) and the request
budgets and the jobs-an-hour quota on, set so high that nothing is refused (`bench.stack.HIGH_LIMITS`).
The bare side is a FastAPI app of two routes under the same uvicorn (one process, as the gateway is
one process), answering the very bodies the gateway answered, with no auth, no database, no middleware.
wrk (Debian's `wrk`, installed with apt-get when missing) drives each side for the same time with the
same connections and threads: `GET /api/v1/jobs/{id}` of a completed job, then `POST /api/v1/jobs`
with a tiny job's body. While creating, the pipeline's stages are paused (SIGSTOP) so the thousands
of jobs created do not compete with the gateway for the CPUs; they are let go before the stack stops.
Then the read path is profiled once with py-spy (pip-installed into .venv/bench-tools when missing)
under the same load, and its top frames are quoted. It writes bench/results/gateway.json and the
Gateway section of docs/benchmarks.md.
"""

import argparse
import asyncio
import collections
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Response

from bench.doc import write_section
from bench.stack import ROOT, STAGES, TINY_JOB, BenchStack, machine_line, main, running_stack, submit, wait_job
from tests.servers import free_port

CONNECTIONS, THREADS = 50, 2
GOALS = {"read": 0.5, "create": 0.2}
BODIES_VARIABLE = "REELFORGE_BENCH_BARE_BODIES"
TOOLS = ROOT / ".venv" / "bench-tools"
REPORT = """
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "non_2xx": %d, "socket_errors": %d, '
    .. '"p50_us": %d, "p90_us": %d, "p99_us": %d}\\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99)))
end
"""


def bare_app() -> FastAPI:
    """The bare side (`uvicorn --factory bench.gateway:bare_app`): the gateway's answers, as fixed bytes."""
    bodies = json.loads(Path(os.environ[BODIES_VARIABLE]).read_text(encoding="utf-8"))
    app = FastAPI()

    @app.get("/api/v1/jobs/{job_id}")
    async def read(job_id: str) -> Response:
        return Response(bodies["read"], media_type="application/json")

    @app.post("/api/v1/jobs", status_code=202)
    async def create(body: dict[str, Any]) -> Response:
        return Response(bodies["create"], status_code=202, media_type="application/json")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found is None:
        print("installing wrk (apt-get install -y wrk)", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, stdout=subprocess.DEVNULL)
        found = shutil.which("wrk")
    if found is None:
        raise RuntimeError("wrk is not installed and apt-get could not install it")
    return found


def wrk(url: str, seconds: float, headers: dict[str, str], body: str | None, folder: Path) -> dict[str, Any]:
    """`seconds` of wrk at `url`: requests/s, p50/p90/p99 latency in ms, refused and failed requests."""
    script = folder / "wrk.lua"
    setup = [f'wrk.headers["{name}"] = {json.dumps(value)}' for name, value in headers.items()]
    if body is not None:
        setup += [
            'wrk.method = "POST"',
            f"wrk.body = {json.dumps(body)}",
            'wrk.headers["Content-Type"] = "application/json"',
        ]
    script.write_text("\n".join(setup) + "\n" + REPORT, encoding="utf-8")
    command = [wrk_binary(), f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds:g}s", "--timeout", "30s"]
    command += ["-s", str(script), url]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    report = json.loads(out.strip().splitlines()[-1])
    return {
        "requests_per_s": round(report["requests"] / (report["duration_us"] / 1e6), 1),
        "p50_ms": round(report["p50_us"] / 1000, 2),
        "p90_ms": round(report["p90_us"] / 1000, 2),
        "p99_ms": round(report["p99_us"] / 1000, 2),
        "requests": report["requests"],
        "non_2xx": report["non_2xx"],
        "socket_errors": report["socket_errors"],
    }


@contextmanager
def bare_server(bodies: dict[str, str], folder: Path) -> Iterator[str]:
    """The bare app under uvicorn on a loopback port; yields its base URL."""
    path = folder / "bodies.json"
    path.write_text(json.dumps(bodies), encoding="utf-8")
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "--factory", "bench.gateway:bare_app", "--port", str(port)]
    command += ["--no-access-log", "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=ROOT, env=os.environ | {BODIES_VARIABLE: str(path)})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def paused(bench: BenchStack) -> Iterator[None]:
    """The pipeline's stages stopped (SIGSTOP) for the block, continued after it."""
    pids = [pid for stage, found in bench.processes().items() if stage in STAGES for pid in found]
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)


def py_spy() -> str | None:
    found = shutil.which("py-spy") or (str(TOOLS / "bin" / "py-spy") if (TOOLS / "bin" / "py-spy").exists() else None)
    if found is None:
        print("installing py-spy (pip install --target .venv/bench-tools py-spy)", flush=True)
        install = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        if subprocess.run([*install, "--target", str(TOOLS), "py-spy"]).returncode == 0:
            found = str(TOOLS / "bin" / "py-spy")
    return found


def profile(pid: int, load: Any, seconds: float, folder: Path) -> dict[str, Any]:
    """py-spy samples `pid` while `load()` runs; the heaviest frames, by own time and by time inside."""
    binary = py_spy()
    if binary is None:
        return {"skipped": "py-spy could not be installed"}
    output = folder / "profile.txt"
    command = [binary, "record", "--pid", str(pid), "--duration", f"{seconds:g}", "--rate", "250"]
    command += ["--format", "raw", "--nonblocking", "--output", str(output)]
    recorder = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1)
    load()
    _, error = recorder.communicate(timeout=seconds + 30)
    if recorder.returncode != 0 or not output.exists():
        return {"skipped": f"py-spy failed: {error.decode(errors='replace').strip()[-300:]}"}
    own: collections.Counter[str] = collections.Counter()
    inside: collections.Counter[str] = collections.Counter()
    total = 0
    for line in output.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        frames, samples = stack.split(";"), int(count)
        total += samples
        own[_frame(frames[-1])] += samples
        for frame in {_frame(frame) for frame in frames}:
            if frame.split(" (", 1)[1].startswith(("services/", "libs/")):
                inside[frame] += samples
    return {
        "samples": total,
        "own_time": [{"frame": frame, "share": round(n / total, 3)} for frame, n in own.most_common(10)],
        "reelforge_inclusive": [{"frame": frame, "share": round(n / total, 3)} for frame, n in inside.most_common(10)],
    }


def _frame(frame: str) -> str:
    """py-spy's `function (file:line)` as `function (file)`: py-spy already shortens the file to its package path."""
    name, _, where = frame.partition(" (")
    return f"{name} ({where.rstrip(')').rsplit(':', 1)[0]})"


def compare(
    bare: str, gateway: str, headers: dict[str, str], body: str | None, seconds: float, folder: Path
) -> dict[str, Any]:
    """The bare route, then the gateway's, each after a 1 s warm-up; the ratio of their requests per second."""
    sides = {}
    for side, url, auth in (("bare", bare, {}), ("gateway", gateway, headers)):
        wrk(url, 1, auth, body, folder)  # connections opened, caches warm
        sides[side] = wrk(url, seconds, auth, body, folder)
        print("create" if body else "read", side, sides[side], flush=True)
    ratio = sides["gateway"]["requests_per_s"] / sides["bare"]["requests_per_s"]
    goal = GOALS["create" if body else "read"]
    return sides | {"ratio": round(ratio, 4), "goal": {"ratio": f">= {goal}", "met": ratio >= goal}}


def measure(seconds: float, with_profile: bool) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="reelforge-bench-gateway-"))
    try:
        with running_stack(name="bench-gateway") as bench:
            headers = bench.headers

            async def prepare() -> tuple[str, str, str]:
                async with bench.client() as client:
                    job = await wait_job(client, (await submit(client))["id"], timeout_s=120)
                    created = await client.post("/jobs", json=TINY_JOB)
                    read = await client.get(f"/jobs/{job['id']}")
                    return job["id"], read.text, created.text

            job_id, read_body, create_body = asyncio.run(prepare())
            gateway = {"read": f"{bench.api}/jobs/{job_id}", "create": f"{bench.api}/jobs"}
            results: dict[str, dict[str, Any]] = {}
            with paused(bench), bare_server({"read": read_body, "create": create_body}, folder) as base:
                bare = {"read": f"{base}/api/v1/jobs/{job_id}", "create": f"{base}/api/v1/jobs"}
                results["read"] = compare(bare["read"], gateway["read"], headers, None, seconds, folder)
                read_profile = (  # before any job is created: the gateway has nothing else to do
                    profile(
                        bench.processes()["gateway"][0],
                        lambda: wrk(gateway["read"], seconds, headers, None, folder),
                        seconds,
                        folder,
                    )
                    if with_profile
                    else {"skipped": "--no-profile"}
                )
                body = json.dumps(TINY_JOB)
                results["create"] = compare(bare["create"], gateway["create"], headers, body, seconds, folder)
        return {
            "connections": CONNECTIONS,
            "threads": THREADS,
            "seconds_per_run": seconds,
            "wrk": subprocess.run([wrk_binary(), "-v"], capture_output=True, text=True).stdout.split(" Copyright")[0],
            "routes": results,
            "read_profile": read_profile,
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(options: argparse.Namespace) -> dict[str, Any]:
    return measure(3 if options.quick else options.seconds, not options.no_profile)


def write_doc(result: dict[str, Any]) -> None:
    names = {"read": "`GET /api/v1/jobs/{id}` (status read)", "create": "`POST /api/v1/jobs` (job creation)"}
    table = [
        "| route | side | requests/s | p50 | p99 | refused or failed | gateway ÷ bare |",
        "|---|---|---|---|---|---|---|",
    ]
    for route, runs in result["routes"].items():
        for side in ("bare", "gateway"):
            figures = runs[side]
            ratio = (
                f"**{runs['ratio']:.3g}** (goal ≥ {GOALS[route]}: {'met' if runs['goal']['met'] else 'missed'})"
                if side == "gateway"
                else "-"
            )
            table.append(
                f"| {names[route]} | {side} | {figures['requests_per_s']} | {figures['p50_ms']} ms"
                f" | {figures['p99_ms']} ms | {figures['non_2xx'] + figures['socket_errors']} | {ratio} |"
            )
    profile = result["read_profile"]
    if "skipped" in profile:
        profiled = f"The read path was not profiled: {profile['skipped']}.\n"
    else:
        own = "\n".join(f"| {item['share']:.1%} | `{item['frame']}` |" for item in profile["own_time"])
        inside = "\n".join(f"| {item['share']:.1%} | `{item['frame']}` |" for item in profile["reelforge_inclusive"])
        profiled = (
            f"The read path under the same load, sampled by py-spy ({profile['samples']} samples of the gateway"
            " process):\n\n| own time | frame |\n|---|---|\n" + own + "\n\n"
            "| time inside (Reelforge code) | frame |\n|---|---|\n" + inside + "\n"
        )
    write_section(
        "Gateway",
        "`.venv/bin/python -m bench.gateway` drives the embedded stack's gateway and, in the same run, a bare\n"
        "FastAPI app (two routes answering the same bodies, no auth, no database, no middleware) under the\n"
        f"same uvicorn with one process each, with {result['wrk']}: {result['connections']} connections,\n"
        f"{result['threads']} threads, {result['seconds_per_run']:g} s per side and route after a 1 s warm-up.\n"
        "Authentication is on (a Bearer JWT on every request) and so are the request budgets and the\n"
        "jobs-an-hour quota, set so high that nothing is refused. The status read is of a completed job;\n"
        "creation posts a tiny job, with the pipeline's stages paused (SIGSTOP) so the jobs created do not\n"
        "compete for the CPUs (the gateway's own relay and projection still run). Results:\n"
        "`bench/results/gateway.json`; `--doc-only` rewrites this section.\n\n"
        f"Measured {machine_line(result['machine'])}, in {result['seconds']} s.\n\n"
        + "\n".join(table)
        + "\n\n"
        + profiled,
    )


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seconds", type=float, default=15, help="wrk's time per side and route (default 15)")
    parser.add_argument("--no-profile", action="store_true", help="leave out the py-spy profile of the read path")


if __name__ == "__main__":
    main("gateway", __doc__, run, write_doc, arguments)
