"""Settings pieces shared by the services. Each service composes the pieces it reads.

Every setting is an environment variable prefixed `REELFORGE_`; the standard names
(`DATABASE_URL`, `KAFKA_BOOTSTRAP_SERVERS`, `OPENAI_API_KEY`, ...) are honoured too.
Defaults serve the embedded stack (`make run`); production overrides by environment.
"""

from pathlib import Path

from pydantic import AliasChoices, Field, NonNegativeFloat
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
    kafka_fetch_max_wait_ms: int = Field(
        20,
        description="How long a fetch waits for data while records flow (a consumer that had one within "
        "`kafka_idle_after_s`). Tansu holds every fetch for its whole wait, so small = low latency: a record "
        "comes about half a wait late, and a consumer fetches this often.",
    )
    kafka_idle_fetch_max_wait_ms: int = Field(
        1_500,
        description="How long a fetch waits once its consumer has had no record for `kafka_idle_after_s` (and "
        "before its first). Chosen with `python -m bench.idle` (docs/benchmarks.md, Idle) on 2 shared cores: "
        "the idle stack used 0.035-0.042 of a core at 1500 ms, 0.039-0.054 at 1000 ms (at the 0.05 goal) and "
        "0.5-0.68 at a fixed 20 ms; in exchange a stage takes up its first record after a quiet spell a few "
        "tenths of a second late (a tiny job's video about 0.5 s later). Apache Kafka answers a fetch as soon "
        "as a record comes, so there a long wait costs nothing.",
    )
    kafka_idle_after_s: float = Field(
        60.0,
        gt=0,
        description="How long a consumer goes without a record before it fetches with the idle wait: long "
        "enough that a user's next job finds the stages still fast.",
    )
    kafka_max_poll_interval_ms: int = Field(
        15 * 60 * 1000, description="Longest a handler may work on one message before the group drops it."
    )
    kafka_session_timeout_ms: int = Field(
        6_000,
        description="A consumer silent this long leaves its group. A restarted service waits about this long "
        "to rejoin, so keep it low; 6000 is the lowest Apache Kafka accepts by default.",
    )
    kafka_heartbeat_interval_ms: int = Field(
        2_000, description="How often a consumer tells its group it lives: a third of the session timeout."
    )
    kafka_enable_idempotence: bool = Field(
        False, description="Idempotent producer; on for Apache Kafka, off for brokers that lack it (Tansu)."
    )
    kafka_topic_partitions: int = 3
    kafka_topic_check_s: float = Field(
        5.0,
        description="How often a service checks that the broker still knows the platform's topics; one that "
        "lost its data makes the service restart with fresh connections.",
    )
    outbox_poll_s: float = Field(
        5.0,
        gt=0,
        description="How often the outbox relay looks for rows nobody woke it for (another replica's, a lease "
        "that ran out); a commit in this process wakes it at once.",
    )
    shutdown_grace_s: float = Field(
        30.0,
        description="On SIGTERM, how long the message in hand may take to finish; after that it is abandoned "
        "uncommitted and delivered again after the restart.",
    )


class DatabaseSettings(ReelforgeSettings):
    database_url: str = Field(
        "",
        validation_alias=env("DATABASE_URL", "DATABASE_URL"),
        description="SQLAlchemy URL; empty = one SQLite file per service under var/. "
        "With PostgreSQL each service keeps its tables in a schema named after it.",
    )
    db_pool_size: int = Field(10, ge=1, description="PostgreSQL connections each process keeps open.")
    db_max_overflow: int = Field(10, ge=0, description="Connections each process may open beyond the pool at a peak.")
    db_pool_timeout_s: float = Field(30.0, gt=0, description="How long a query waits for a free connection.")


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
    cancel_poll_s: float = Field(
        1.0, description="How often running stage work checks whether its job was cancelled (from any replica)."
    )


class ProviderSettings(ReelforgeSettings):
    """Keys and endpoints of the paid providers; empty keys mean the offline providers are used."""

    openai_api_key: str = Field("", validation_alias=env("OPENAI_API_KEY", "OPENAI_API_KEY"))
    openai_base_url: str = Field(
        "https://api.openai.com/v1",
        validation_alias=env("OPENAI_BASE_URL", "OPENAI_BASE_URL"),
        description="Any OpenAI-compatible server (a local LLM server works).",
    )
    replicate_api_token: str = Field("", validation_alias=env("REPLICATE_API_TOKEN", "REPLICATE_API_TOKEN"))
    pexels_api_key: str = Field(
        "", validation_alias=env("PEXELS_API_KEY", "PEXELS_API_KEY"), description="Pexels stock photos and videos."
    )
    pixabay_api_key: str = Field(
        "", validation_alias=env("PIXABAY_API_KEY", "PIXABAY_API_KEY"), description="Pixabay stock photos and videos."
    )
    sd_webui_url: str = Field(
        "", description="A self-hosted AUTOMATIC1111 or Forge web UI started with --api (http://host:7860)."
    )
    comfyui_url: str = Field("", description="A self-hosted ComfyUI server (http://host:8188).")
    provider_timeout_s: float = Field(60.0, description="Longest one provider call may take.")


class WorkerSettings(BusSettings, DatabaseSettings, StorageSettings, RetrySettings):
    """What every pipeline worker reads."""


class WebhookSettings(ReelforgeSettings):
    """How webhooks are delivered (notifier) and which receivers may be registered (gateway and notifier)."""

    webhook_retry_schedule_s: list[NonNegativeFloat] = Field(
        [0, 5, 300, 1800, 7200, 18000, 36000, 36000],
        min_length=1,
        description="Delay before each delivery attempt, counted from the attempt before it (the first from "
        "the event); one attempt per entry, each jittered by ±10 %. JSON list of seconds.",
    )
    webhook_timeout_s: float = Field(15.0, gt=0, description="Longest one delivery attempt may take.")
    webhook_allowed_hosts: list[str] = Field(
        [],
        description="Hostnames, IP addresses or CIDR networks trusted as webhook receivers although they are "
        "not public (an internal service). JSON list; empty = only public addresses.",
    )
    webhook_max_in_flight: int = Field(32, ge=1, description="Delivery attempts one notifier replica makes at once.")
    webhook_poll_s: float = Field(
        1.0, gt=0, description="How often the delivery scheduler looks for due deliveries made by other replicas."
    )
