"""Auth and the gateway once per database (SQLite, then PostgreSQL), with the real request budgets, shared by
the security tests of this package. The gateway trusts loopback as a proxy, so each test speaks from its own
client address (X-Forwarded-For) and one test's login or registration budget never throttles another's.
No pipeline workers run: a job is finished as the render stage would finish it (a file and an event)."""

import asyncio
import itertools
import subprocess
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text

from libs.common.db import Database
from libs.common.events import JobCompleted, JobRequested, VideoOutput
from libs.common.settings import DatabaseSettings, StorageSettings
from libs.common.storage import keys, open_store
from libs.embedded.broker import LocalBroker
from services.auth.app import create_app as create_auth_app
from services.auth.settings import AuthSettings
from services.gateway.app import create_app as create_gateway_app
from services.gateway.settings import GatewaySettings
from tests.bus import BusProbe
from tests.servers import ServedApp, free_port

ADMIN_EMAIL = "root-admin@example.com"
HOSTED_JOBS_PER_HOUR = {"FREE": 10, "PRO": 100, "ENTERPRISE": 0}
"""The hourly job caps a shared deployment sets (docker-compose.yml); the embedded default has none."""
PASSWORD = "correct horse battery"
_addresses = itertools.count(1)


def new_address() -> str:
    """A client address of its own (198.18.0.0/15 is set aside for tests)."""
    n = next(_addresses)
    return f"198.18.{n // 250}.{n % 250 + 1}"


@dataclass
class Account:
    id: str
    username: str
    email: str
    access_token: str
    refresh_token: str
    address: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}", "X-Forwarded-For": self.address}


@dataclass
class Platform:
    base_url: str
    database: str
    database_url: str
    var_dir: Path
    bootstrap: str
    gateway_settings: GatewaySettings

    @property
    def api(self) -> str:
        return f"{self.base_url}/api/v1"

    async def complete(self, job_id: str, reported_size: int | None = None) -> bytes:
        """Finish the job as the render stage would: a real MP4 in the store, then `jobs.completed` on the bus.

        `reported_size` stands in for a long video's size in the render's report, to fill a storage quota."""
        video = self.var_dir / f"{job_id}.mp4"
        await asyncio.to_thread(
            subprocess.run,
            [
                "ffmpeg",
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                "testsrc=size=128x128:rate=24:duration=1",
                "-pix_fmt",
                "yuv420p",
                "-c:v",
                "libx264",
                str(video),
            ],
            check=True,
        )
        store = await open_store(StorageSettings(media_dir=self.var_dir / "media"))
        names = {"video": "video.mp4", "thumbnail": "thumbnail.jpg", "srt": "captions.srt", "vtt": "captions.vtt"}
        for name in names.values():
            await store.put_file(keys.output(UUID(job_id), name), video, "video/mp4")
        async with BusProbe(self.bootstrap) as bus:
            [requested] = await bus.events(JobRequested, 1, where=lambda event: str(event.job_id) == job_id)
            output = VideoOutput(
                video_key=keys.output(UUID(job_id), names["video"]),
                thumbnail_key=keys.output(UUID(job_id), names["thumbnail"]),
                srt_key=keys.output(UUID(job_id), names["srt"]),
                vtt_key=keys.output(UUID(job_id), names["vtt"]),
                duration_s=1.0,
                width=128,
                height=128,
                size_bytes=reported_size or video.stat().st_size,
                fps=24,
            )
            await bus.publish(JobCompleted.after(requested, output=output))
        return video.read_bytes()

    async def signing_key(self) -> tuple[str, Ed25519PrivateKey]:
        """The auth service's signing key, read from its own table (to forge tokens a thief could not)."""
        settings = DatabaseSettings(database_url=self.database_url, var_dir=self.var_dir)
        db = Database.for_service(settings, "auth")
        try:
            async with db.sessions() as session:
                kid, pem = (await session.exec(text("SELECT kid, private_pem FROM signing_keys"))).one()  # type: ignore[call-overload]
        finally:
            await db.close()
        key = serialization.load_pem_private_key(pem.encode(), password=None)
        assert isinstance(key, Ed25519PrivateKey)
        return kid, key

    def client(self, address: str | None = None, api: str | None = None, **headers: str) -> httpx.Client:
        return httpx.Client(
            base_url=api or self.api, timeout=60, headers={"X-Forwarded-For": address or new_address(), **headers}
        )

    def account(self, prefix: str = "user", email: str | None = None) -> Account:
        """A newly registered and logged-in user."""
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        email = email or f"{name}@example.com"
        address = new_address()
        with self.client(address) as client:
            created = client.post("/auth/register", json={"email": email, "username": name, "password": PASSWORD})
            assert created.status_code == 201, created.text
            tokens = client.post("/auth/login", json={"login": email, "password": PASSWORD})
            assert tokens.status_code == 200, tokens.text
        body = tokens.json()
        return Account(created.json()["id"], name, email, body["access_token"], body["refresh_token"], address)


@pytest.fixture(scope="package", params=["sqlite", "postgresql"])
async def platform(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Platform]:
    """Auth and the gateway, as configured in production but for the database, on a broker of their own."""
    var_dir: Path = tmp_path_factory.mktemp(f"security-{request.param}")
    database_url = request.getfixturevalue("postgres").create_database() if request.param == "postgresql" else ""
    broker = LocalBroker(free_port(), var_dir / "broker.log")
    await broker.start()
    shared = {"database_url": database_url, "var_dir": var_dir, "log_format": "text", "log_level": "WARNING"}
    auth = AuthSettings(**shared, admin_emails=[ADMIN_EMAIL])
    try:
        with ServedApp(create_auth_app(auth), "auth", lifespan="on", start_timeout_s=120) as auth_server:
            gateway = GatewaySettings(
                **shared,
                kafka_bootstrap_servers=broker.address,
                auth_url=auth_server.url,
                trusted_proxies=["127.0.0.1"],
                webhook_allowed_hosts=["127.0.0.1"],
                jobs_per_hour=HOSTED_JOBS_PER_HOUR,
            )
            gateway_app = create_gateway_app(gateway)
            with ServedApp(gateway_app, "the gateway", lifespan="on", start_timeout_s=120) as gateway_server:
                yield Platform(gateway_server.url, request.param, database_url, var_dir, broker.address, gateway)
    finally:
        await broker.stop()


@pytest.fixture(scope="package")
def admin(platform: Platform) -> Account:
    return platform.account("admin", email=ADMIN_EMAIL)
