"""Runs the whole platform on one machine: a local broker (unless one is configured) and every service.

Each service is its own process (`python -m services.<name>`), restarted with
backoff if it dies, so one crash never stalls the platform. SIGINT/SIGTERM stop
the services first (they drain), then the broker. `REELFORGE_REPLICAS` runs several
processes of a service, each supervised alike (see `libs.embedded.replicas`).
"""

import asyncio
import logging
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from libs.common.service import EXIT_BUS_LOST
from libs.common.waiting import woken_within
from libs.embedded.broker import LocalBroker
from libs.embedded.replicas import replica_counts, replica_env, replica_label, replica_port

log = logging.getLogger("reelforge.stack")

# Start order: auth before the gateway (which fetches its keys), workers before the gateway opens.
SERVICES: dict[str, str] = {
    "auth": "REELFORGE_AUTH_PORT",
    "story": "REELFORGE_STORY_PORT",
    "imaging": "REELFORGE_IMAGING_PORT",
    "audio": "REELFORGE_AUDIO_PORT",
    "render": "REELFORGE_RENDER_PORT",
    "notifier": "REELFORGE_NOTIFIER_PORT",
    "gateway": "REELFORGE_PORT",
}
DEFAULT_PORTS = {
    "auth": 8001,
    "story": 8011,
    "imaging": 8012,
    "audio": 8013,
    "render": 8014,
    "notifier": 8015,
    "gateway": 8000,
}
STOP_GRACE_S = 30.0
MAX_BACKOFF_S = 30.0
HEALTHY_RESET_S = 60.0


@dataclass
class Supervised:
    name: str
    port: int
    replica: int = 1
    process: asyncio.subprocess.Process | None = None
    restarts: int = 0
    started_at: float = field(default=0.0)

    @property
    def label(self) -> str:
        """`story`, or `story-2` for its second replica (see `libs.embedded.replicas`)."""
        return replica_label(self.name, self.replica)

    @property
    def health_url(self) -> str:
        return f"http://{os.environ.get('REELFORGE_HOST', '127.0.0.1')}:{self.port}/healthz"


class Stack:
    def __init__(self, env: dict[str, str], log_dir: Path, replicas: dict[str, int] | None = None) -> None:
        self.env = env
        self.log_dir = log_dir
        self.services = [
            Supervised(name, replica_port(int(env.get(variable, DEFAULT_PORTS[name])), replica), replica)
            for name, variable in SERVICES.items()
            for replica in range(1, (replicas or {}).get(name, 1) + 1)
        ]
        self.stopping = asyncio.Event()

    async def _spawn(self, service: Supervised) -> None:
        log_file = (self.log_dir / f"{service.label}.log").open("ab")
        env = replica_env(self.env, SERVICES[service.name], service.port)
        service.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", f"services.{service.name}", env=env, stdout=log_file, stderr=log_file
        )
        log_file.close()
        service.started_at = time.monotonic()
        log.info("started %s (pid %d, port %d)", service.label, service.process.pid, service.port)

    async def _watch(self, service: Supervised) -> None:
        """Restart `service` whenever it exits, waiting longer after each quick crash."""
        while not self.stopping.is_set():
            assert service.process is not None
            code = await service.process.wait()
            if self.stopping.is_set():
                return
            if time.monotonic() - service.started_at > HEALTHY_RESET_S:
                service.restarts = 0
            service.restarts += 1
            delay = min(MAX_BACKOFF_S, 0.5 * 2 ** (service.restarts - 1))
            why = "its broker lost its data" if code == EXIT_BUS_LOST else f"it exited with code {code}"
            log.error(
                "%s stopped (%s); restarting in %.1fs (see %s)",
                service.label,
                why,
                delay,
                self.log_dir / f"{service.label}.log",
            )
            if await woken_within(self.stopping, delay):
                return
            await self._spawn(service)

    async def _wait_healthy(self, service: Supervised, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        async with httpx.AsyncClient() as client:
            while time.monotonic() < deadline:
                assert service.process is not None
                if service.process.returncode is not None:
                    log_path = self.log_dir / f"{service.label}.log"
                    raise RuntimeError(f"{service.label} exited during start-up; see {log_path}")
                try:
                    if (await client.get(service.health_url, timeout=1.0)).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2)
        raise RuntimeError(f"{service.label} did not become healthy in {timeout_s:.0f}s")

    async def run(self, ready_timeout_s: float) -> None:
        watchers = []
        try:
            firsts = [service for service in self.services if service.replica == 1]
            further = [service for service in self.services if service.replica > 1]
            for service in firsts:
                await self._spawn(service)
                if service.name == "auth":
                    await self._wait_healthy(service, ready_timeout_s)
            for service in firsts:
                await self._wait_healthy(service, ready_timeout_s)
                # Its further replicas start on the tables it has made and filled (migrations, seeds).
                for replica in (other for other in further if other.name == service.name):
                    await self._spawn(replica)
            for service in further:
                await self._wait_healthy(service, ready_timeout_s)
            watchers = [asyncio.create_task(self._watch(service)) for service in self.services]
            gateway = next(service for service in self.services if service.name == "gateway")
            print(
                f"Reelforge is ready: http://{self.env.get('REELFORGE_HOST', '127.0.0.1')}:{gateway.port}/docs "
                f"(logs in {self.log_dir}; Ctrl-C stops)",
                flush=True,
            )
            await self.stopping.wait()
        finally:
            self.stopping.set()
            for watcher in watchers:
                watcher.cancel()
            await self._stop_all()

    async def _stop_all(self) -> None:
        running = [s for s in reversed(self.services) if s.process and s.process.returncode is None]
        for service in running:
            assert service.process is not None
            service.process.send_signal(signal.SIGTERM)
        for service in running:
            assert service.process is not None
            try:
                await asyncio.wait_for(service.process.wait(), STOP_GRACE_S)
            except TimeoutError:
                log.warning("%s did not stop in %.0fs; killing it", service.label, STOP_GRACE_S)
                service.process.kill()
                await service.process.wait()
        log.info("all services stopped")


async def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s stack %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # health probes are not news
    env = dict(os.environ)
    var_dir = Path(env.setdefault("REELFORGE_VAR_DIR", "var")).resolve()
    env["REELFORGE_VAR_DIR"] = str(var_dir)
    log_dir = var_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    env.setdefault("REELFORGE_LOG_FORMAT", "json")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path.cwd()), env.get("PYTHONPATH")]))
    try:
        replicas = replica_counts(env, SERVICES)
    except ValueError as error:
        raise SystemExit(f"REELFORGE_REPLICAS: {error}") from None

    broker: LocalBroker | None = None
    if not env.get("KAFKA_BOOTSTRAP_SERVERS") and not env.get("REELFORGE_KAFKA_BOOTSTRAP_SERVERS"):
        broker = LocalBroker(int(env.get("REELFORGE_EMBEDDED_KAFKA_PORT", "9092")), log_dir / "broker.log")
        env["KAFKA_BOOTSTRAP_SERVERS"] = await broker.start()
        log.info("local broker on %s", env["KAFKA_BOOTSTRAP_SERVERS"])

    stack = Stack(env, log_dir, replicas)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stack.stopping.set)
    try:
        await stack.run(ready_timeout_s=float(env.get("REELFORGE_READY_TIMEOUT_S", "120")))
    finally:
        if broker is not None:
            await broker.stop()
