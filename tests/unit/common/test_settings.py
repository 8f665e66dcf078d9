"""Settings: one prefix, the standard names honoured, defaults that serve the embedded stack."""

from pathlib import Path

import pytest
from faststream import AckPolicy

from libs.common.bus import consumer_options
from libs.common.db import database_url
from libs.common.settings import BusSettings, DatabaseSettings, StorageSettings


def test_without_a_database_url_each_service_gets_its_own_sqlite_file() -> None:
    settings = DatabaseSettings(var_dir=Path("/srv/var"))
    assert database_url(settings, "story") == "sqlite+aiosqlite:////srv/var/story.db"
    assert database_url(settings, "render") == "sqlite+aiosqlite:////srv/var/render.db"


@pytest.mark.parametrize("scheme", ["postgresql://", "postgres://"])
def test_plain_postgres_urls_use_asyncpg(scheme: str) -> None:
    settings = DatabaseSettings(database_url=f"{scheme}u:p@db:5432/reelforge")
    assert database_url(settings, "story") == "postgresql+asyncpg://u:p@db:5432/reelforge"


def test_standard_variable_names_are_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
    monkeypatch.setenv("DATABASE_URL", "postgresql://db/x")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "key")
    assert BusSettings().kafka_bootstrap_servers == "kafka:9092"
    assert DatabaseSettings().database_url == "postgresql://db/x"
    assert StorageSettings().s3_access_key == "key"


def test_the_reelforge_name_wins_over_the_standard_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "standard:9092")
    monkeypatch.setenv("REELFORGE_KAFKA_BOOTSTRAP_SERVERS", "ours:9092")
    assert BusSettings().kafka_bootstrap_servers == "ours:9092"


def test_consumers_commit_only_after_the_handler_and_fetch_with_low_latency() -> None:
    options = consumer_options(BusSettings(), "render")
    assert options["ack_policy"] is AckPolicy.NACK_ON_ERROR
    assert options["fetch_max_wait_ms"] <= 20, "a fetch waits tens of ms at most, not the 500 ms default"
    assert options["max_poll_records"] == 1
    assert options["group_id"] == "render"


def test_reelforge_port_moves_the_gateway_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """REELFORGE_PORT is the public gateway port; every other process has its own variable."""
    import importlib

    monkeypatch.setenv("REELFORGE_PORT", "9999")
    workers = {"auth": 8001, "story": 8011, "imaging": 8012, "audio": 8013, "render": 8014, "notifier": 8015}
    for service, default in workers.items():
        module = importlib.import_module(f"services.{service}.settings")
        cls = next(
            value
            for name, value in vars(module).items()
            if name.endswith("Settings") and name != "Settings" and getattr(value, "__module__", "") == module.__name__
        )
        assert cls().port == default, service
        monkeypatch.setenv(f"REELFORGE_{service.upper()}_PORT", "7001")
        assert cls().port == 7001, service
    from services.gateway.settings import GatewaySettings

    assert GatewaySettings().port == 9999
