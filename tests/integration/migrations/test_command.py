"""`python -m libs.common.migrations upgrade` brings every service's database to head with the services'
own settings: one SQLite file each under the var folder, or one PostgreSQL database with a schema each."""

import asyncio
from pathlib import Path

import pytest

from libs.common.db import Database
from libs.common.migrations import main, services
from libs.common.settings import DatabaseSettings
from tests.integration.migrations.schema import head, revision


@pytest.fixture
def settings(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DatabaseSettings:
    """The command's environment: a var folder, and the PostgreSQL URL when the database is PostgreSQL."""
    for name in ("DATABASE_URL", "REELFORGE_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REELFORGE_VAR_DIR", str(tmp_path / "var"))
    if database_url.startswith("postgresql"):
        monkeypatch.setenv("REELFORGE_DATABASE_URL", database_url)
    return DatabaseSettings()


def revisions(settings: DatabaseSettings) -> dict[str, str | None]:
    async def read(service: str) -> str | None:
        db = Database.for_service(settings, service)
        try:
            return await revision(db)
        finally:
            await db.close()

    return {service: asyncio.run(read(service)) for service in services()}


def test_upgrade_brings_every_service_to_head(settings: DatabaseSettings) -> None:
    main(["upgrade"])
    assert revisions(settings) == {service: head(service) for service in services()}
    main(["upgrade"])  # again: nothing to do
    assert revisions(settings) == {service: head(service) for service in services()}


def test_upgrade_of_one_service_leaves_the_others_alone(settings: DatabaseSettings) -> None:
    main(["upgrade", "--service", "gateway"])
    assert revisions(settings) == {service: head(service) if service == "gateway" else None for service in services()}
