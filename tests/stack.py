"""The whole embedded stack, started exactly as `make run` starts it, on free ports in a temp folder.

The end-to-end tests drive it as a user would; the fault tests also reach inside: they kill
one service's process (the stack's supervisor restarts it) or run the broker themselves so
they can stop and restart it. `replicas` runs several processes of a service
(`REELFORGE_REPLICAS`); each is found by its number, 1 being the first.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from libs.embedded.replicas import REPLICAS_VARIABLE, replica_label, replica_port
from libs.embedded.supervisor import SERVICES
from tests.servers import free_port

REPO = Path(__file__).resolve().parents[1]
READY_TIMEOUT_S = 180
NO_REQUEST_LIMITS = {
    "REELFORGE_RATE_LIMIT_PER_MINUTE": "0",
    "REELFORGE_RATE_LIMIT_PER_HOUR": "0",
    "REELFORGE_JOBS_PER_HOUR": '{"FREE": 0, "PRO": 0, "ENTERPRISE": 0}',
    "REELFORGE_REGISTRATIONS_PER_HOUR": "0",
    "REELFORGE_LOGIN_FAILURES_PER_ADDRESS": "0",
}
"""Tests that drive many requests and jobs as one user turn the request budgets off; tests/security keeps them."""
STANDARD_NAMES = (
    "KAFKA_BOOTSTRAP_SERVERS",
    "DATABASE_URL",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "REPLICATE_API_TOKEN",
    "REPLICATE_BASE_URL",
    "PEXELS_API_KEY",
    "PEXELS_BASE_URL",
    "PIXABAY_API_KEY",
    "PIXABAY_BASE_URL",
)
"""Unprefixed settings a developer's shell may hold; the stack never inherits them (no test reaches a real API)."""


@dataclass
class EmbeddedStack:
    """A running `python -m libs.embedded`; `extra_env` is layered over a clean environment."""

    var_dir: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    request_limits: bool = False
    replicas: dict[str, int] = field(default_factory=dict)
    ports: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['REELFORGE_PORT']}"

    @property
    def api(self) -> str:
        return f"{self.base_url}/api/v1"

    @property
    def ws_api(self) -> str:
        return self.api.replace("http://", "ws://", 1)

    @property
    def console_log(self) -> Path:
        """What `make run` would print: the supervisor's starts, restarts and shutdown."""
        return self.var_dir / "stack.log"

    @property
    def tmp_dir(self) -> Path:
        """The services' TMPDIR: where their working files (render folders, phrase WAVs) live."""
        return self.var_dir / "tmp"

    def start(self) -> "EmbeddedStack":
        env = {key: value for key, value in os.environ.items() if not key.startswith("REELFORGE_")}
        for standard in STANDARD_NAMES:
            env.pop(standard, None)
        self.ports = self._free_ports()
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        env.update(
            self.ports,
            REELFORGE_VAR_DIR=str(self.var_dir),
            REELFORGE_AUTH_URL=f"http://127.0.0.1:{self.ports['REELFORGE_AUTH_PORT']}",
            TMPDIR=str(self.tmp_dir),
        )
        if not self.request_limits:
            env.update(NO_REQUEST_LIMITS)
        if self.replicas:
            env[REPLICAS_VARIABLE] = ",".join(f"{name}={count}" for name, count in self.replicas.items())
        env.update(self.extra_env)
        with self.console_log.open("w") as console:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "libs.embedded"], cwd=REPO, env=env, stdout=console, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the stack exited early:\n{self.console_log.read_text()}")
            try:
                if httpx.get(f"{self.base_url}/readyz", timeout=1).status_code == 200 and self._all_started():
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"the embedded stack did not become ready within {READY_TIMEOUT_S} s")

    def _all_started(self) -> bool:
        """The supervisor has every process up, further replicas included (they start after the first ones)."""
        return "Reelforge is ready" in self.console_log.read_text(errors="replace")

    def stop(self) -> None:
        """Ctrl-C, as a user stops it; a stack that does not stop in a minute is killed."""
        if self.process is None or self.process.poll() is not None:
            return
        services = [pid for service in SERVICES for pid in self._children(service)]
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            for pid in services:  # not left running, orphaned, on a shared machine
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    def _free_ports(self) -> dict[str, str]:
        """A free port for each service and the broker, with the ports of its further replicas free too."""
        ports: dict[str, str] = {}
        taken: set[int] = set()
        for name, variable in [*SERVICES.items(), ("broker", "REELFORGE_EMBEDDED_KAFKA_PORT")]:
            count = self.replicas.get(name, 1)
            while True:
                wanted = [replica_port(free_port(), replica) for replica in range(1, count + 1)]
                if not taken & set(wanted) and all(map(_bindable, wanted[1:])):
                    break
            taken.update(wanted)
            ports[variable] = str(wanted[0])
        return ports

    def port_of(self, service: str, replica: int = 1) -> int:
        return replica_port(int(self.ports[SERVICES[service]]), replica)

    def api_of(self, replica: int) -> str:
        """The API of one gateway replica."""
        return f"http://127.0.0.1:{self.port_of('gateway', replica)}/api/v1"

    def pids_of(self, service: str) -> dict[int, int]:
        """The process id of each running replica of `service`, by replica number, as children of the supervisor.

        A replica is told from another by the port the supervisor gave it (in its environment)."""
        found = self._children(service)
        by_port = {self.port_of(service, replica): replica for replica in range(1, self.replicas.get(service, 1) + 1)}
        pids: dict[int, int] = {}
        for pid in found:
            port = _environment(pid).get(SERVICES[service])
            replica = by_port.get(int(port)) if port else None
            if replica is None or replica in pids:
                raise LookupError(f"cannot tell which {service} replica pid {pid} is (port {port}); found {found}")
            pids[replica] = pid
        return pids

    def _children(self, service: str) -> list[int]:
        """The supervisor's processes of `service`, every replica."""
        assert self.process is not None
        found = subprocess.run(
            ["pgrep", "-P", str(self.process.pid), "-f", rf"services\.{service}$"],
            capture_output=True,
            text=True,
        ).stdout.split()
        return [int(pid) for pid in found]

    def pid_of(self, service: str, replica: int = 1) -> int:
        """The process id of one service (its replica `replica`), as a child of this stack's supervisor."""
        pids = self.pids_of(service)
        if replica not in pids:
            raise LookupError(f"expected {replica_label(service, replica)} under the stack, found {pids}")
        return pids[replica]

    def healthy(self, service: str, replica: int = 1) -> bool:
        port = self.port_of(service, replica)
        try:
            return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def log(self, service: str, replica: int = 1) -> str:
        return (self.var_dir / "logs" / f"{replica_label(service, replica)}.log").read_text(errors="replace")


def _bindable(port: int) -> bool:
    if port > 65535:
        return False
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _environment(pid: int) -> dict[str, str]:
    """A process's environment as it started (empty once it is gone)."""
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return {}
    return dict(item.split("=", 1) for item in raw.decode(errors="replace").split("\0") if "=" in item)


def register_and_login(stack: EmbeddedStack, name: str) -> str:
    """A new account for `name`, logged in with the OAuth2 form; its access token."""
    with httpx.Client(base_url=stack.api, timeout=30) as client:
        created = client.post(
            "/auth/register", json={"email": f"{name}@example.com", "username": name, "password": "correct horse 1"}
        )
        assert created.status_code == 201, created.text
        login = client.post("/auth/login", data={"username": name, "password": "correct horse 1"})
        assert login.status_code == 200, login.text
        return login.json()["access_token"]
