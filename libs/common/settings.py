"""Settings pieces shared by the services. Each service composes the pieces it reads.

Every setting is an environment variable prefixed `REELFORGE_`; the standard names
(`DATABASE_URL`, `KAFKA_BOOTSTRAP_SERVERS`, `OPENAI_API_KEY`, ...) are honoured too.
Defaults serve the embedded stack (`make run`); production overrides by environment.
"""

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def env(name: str, *standard: str) -> AliasChoices:
    """Accept `REELFORGE_<NAME>` and any standard (unprefixed) names for one setting."""
    return AliasChoices(f"REELFORGE_{name}", *standard)


class ReelforgeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REELFORGE_", extra="ignore", populate_by_name=True)

    var_dir: Path = Field(Path("var"), description="Where the embedded stack keeps its databases and media.")
    host: str = Field("127.0.0.1", description="Address every HTTP endpoint binds to.")
    log_level: str = Field("INFO", description="Python log level name.")
    log_format: str = Field("json", description="`json` for structured logs, `text` for a console.")


class BusSettings(ReelforgeSettings):
    kafka_bootstrap_servers: str = Field(
        "127.0.0.1:9092", validation_alias=env("KAFKA_BOOTSTRAP_SERVERS", "KAFKA_BOOTSTRAP_SERVERS")
    )
    kafka_fetch_max_wait_ms: int = Field(5, description="How long a fetch waits for data; small = low latency.")
    kafka_max_poll_interval_ms: int = Field(
        15 * 60 * 1000, description="Longest a handler may work on one message before the group drops it."
    )
    kafka_session_timeout_ms: int = Field(
        6_000,
        description="A consumer silent this long leaves its group. A restarted service waits about this long "
        "to rejoin, so keep it low; 6000 is the lowest Apache Kafka accepts by default.",
    )
    kafka_heartbeat_interval_ms: int = 1_000
    kafka_enable_idempotence: bool = Field(
        False, description="Idempotent producer; on for Apache Kafka, off for brokers that lack it (Tansu)."
    )
    kafka_topic_partitions: int = 3


class DatabaseSettings(ReelforgeSettings):
    database_url: str = Field(
        "",
        validation_alias=env("DATABASE_URL", "DATABASE_URL"),
        description="SQLAlchemy URL; empty = one SQLite file per service under var/. "
        "With PostgreSQL each service keeps its tables in a schema named after it.",
    )


class StorageSettings(ReelforgeSettings):
    media_dir: Path | None = Field(None, description="Local media folder; default var/media.")
    s3_endpoint: str = Field("", description="host:port of MinIO/S3; empty = local folder.")
    s3_access_key: str = Field("", validation_alias=env("S3_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "MINIO_ROOT_USER"))
    s3_secret_key: str = Field(
        "", validation_alias=env("S3_SECRET_KEY", "AWS_SECRET_ACCESS_KEY", "MINIO_ROOT_PASSWORD")
    )
    s3_bucket: str = "reelforge"
    s3_secure: bool = False
    s3_region: str = "us-east-1"


class RetrySettings(ReelforgeSettings):
    max_attempts: int = Field(4, description="Attempts at one event before it goes to the dead-letter topic.")
    retry_base_s: float = Field(0.5, description="First backoff; doubles per attempt, with jitter.")
    retry_max_s: float = 30.0


class WorkerSettings(BusSettings, DatabaseSettings, StorageSettings, RetrySettings):
    """What every pipeline worker reads."""
