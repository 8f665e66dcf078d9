"""The shorts dialect's refresh sessions on SQLite and PostgreSQL: opening one forgets those whose refresh token
has expired (auth keeps a refresh token `refresh_token_ttl_s`), and keeps the rest."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from libs.common.errors import Unauthorized
from libs.common.events import now
from libs.common.settings import StorageSettings
from services.gateway.app import create_app
from services.gateway.compat import shorts
from services.gateway.settings import GatewaySettings
from tests.bus import service_settings, serving


def settings_for(kafka: str, database_url: str, tmp_path: Path) -> GatewaySettings:
    return service_settings(
        GatewaySettings, kafka, database_url, StorageSettings(media_dir=tmp_path / "media"), tmp_path
    )


async def test_opening_a_session_deletes_the_expired_ones(kafka: str, database_url: str, tmp_path: Path) -> None:
    settings = settings_for(kafka, database_url, tmp_path)
    ttl = timedelta(seconds=settings.refresh_token_ttl_s)
    async with serving(create_app(settings)) as app:
        runtime = app.state.runtime
        await shorts.open_session(runtime, {"access_token": "old-access", "refresh_token": "old-refresh"})
        await shorts.open_session(runtime, {"access_token": "recent-access", "refresh_token": "recent-refresh"})
        async with runtime.db.transaction() as session:
            for access, age in (
                ("old-access", ttl + timedelta(minutes=1)),
                ("recent-access", ttl - timedelta(hours=1)),
            ):
                row = await session.get(shorts.ShortsSession, shorts.token_hash(access))
                assert row is not None
                row.created_at = now() - age
                session.add(row)

        await shorts.open_session(runtime, {"access_token": "new-access", "refresh_token": "new-refresh"})

        async with runtime.db.sessions() as session:
            kept = {row.token_hash for row in (await session.exec(select(shorts.ShortsSession))).all()}
        assert kept == {shorts.token_hash("recent-access"), shorts.token_hash("new-access")}
        with pytest.raises(Unauthorized):
            await shorts.refresh_token_for(runtime, "old-access")
        assert await shorts.refresh_token_for(runtime, "recent-access") == "recent-refresh"
