"""The whole embedded stack, started the way `make run` starts it, on free ports in a temp folder."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
SERVICE_PORTS = (
    "REELFORGE_PORT",
    "REELFORGE_AUTH_PORT",
    "REELFORGE_STORY_PORT",
    "REELFORGE_IMAGING_PORT",
    "REELFORGE_AUDIO_PORT",
    "REELFORGE_RENDER_PORT",
    "REELFORGE_NOTIFIER_PORT",
    "REELFORGE_EMBEDDED_KAFKA_PORT",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Stack:
    base_url: str
    var_dir: Path

    @property
    def api(self) -> str:
        return f"{self.base_url}/api/v1"

    @property
    def ws_api(self) -> str:
        return self.api.replace("http://", "ws://", 1)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    var_dir = tmp_path_factory.mktemp("stack-var")
    env = {key: value for key, value in os.environ.items() if not key.startswith("REELFORGE_")}
    env.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    env.pop("DATABASE_URL", None)
    ports = {name: str(_free_port()) for name in SERVICE_PORTS}
    env.update(
        ports, REELFORGE_VAR_DIR=str(var_dir), REELFORGE_AUTH_URL=f"http://127.0.0.1:{ports['REELFORGE_AUTH_PORT']}"
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "libs.embedded"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base_url = f"http://127.0.0.1:{ports['REELFORGE_PORT']}"
    deadline = time.monotonic() + 180
    try:
        while time.monotonic() < deadline:
            assert process.poll() is None, f"the stack exited early:\n{process.stdout.read() if process.stdout else ''}"
            try:
                if httpx.get(f"{base_url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail("the embedded stack did not become ready within 180 s")
        yield Stack(base_url=base_url, var_dir=var_dir)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
