"""A running service checks its bus over one admin connection, kept for its life, not one per check."""

import asyncio
from pathlib import Path

import pytest
from aiokafka.admin import client as admin_client

from libs.common import bus
from libs.common.settings import StorageSettings
from services.story.app import create_app
from services.story.settings import StorySettings
from tests.bus import service_settings, serving


async def test_a_service_keeps_one_admin_client_however_often_it_checks_the_bus(
    kafka: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[admin_client.AIOKafkaAdminClient] = []
    listings = 0

    class Counted(admin_client.AIOKafkaAdminClient):
        def __init__(self, **options: object) -> None:
            opened.append(self)
            super().__init__(**options)  # type: ignore[arg-type]

        async def list_topics(self) -> list[str]:
            nonlocal listings
            listings += 1
            return await super().list_topics()

    monkeypatch.setattr(admin_client, "AIOKafkaAdminClient", Counted)  # faststream's
    monkeypatch.setattr(bus, "AIOKafkaAdminClient", Counted)  # ours
    settings = service_settings(
        StorySettings, kafka, f"sqlite+aiosqlite:///{tmp_path}/s.db", StorageSettings(media_dir=tmp_path), tmp_path
    ).model_copy(update={"kafka_topic_check_s": 0.05})
    async with serving(create_app(settings)), asyncio.timeout(30):
        while listings < 20:  # the start-up's looks and many checks
            await asyncio.sleep(0.05)
    assert len(opened) == 1
