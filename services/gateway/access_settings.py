"""The gateway's access settings: anonymous use, request budgets, tiers' quotas, signed URLs, CORS.

`0` turns a request budget off (the test stacks do that; production keeps the defaults).
"""

import ipaddress

from pydantic import Field, NonNegativeInt

from libs.common.settings import ReelforgeSettings

GIB = 1024**3


class AccessSettings(ReelforgeSettings):
    allow_anonymous: bool = Field(
        True,
        description="Serve requests without credentials as one fixed local user, but only while the gateway "
        "binds to a loopback address (the embedded default); ignored on any other address.",
    )
    rate_limit_per_minute: NonNegativeInt = Field(100, description="Requests one user may make per minute.")
    rate_limit_per_hour: NonNegativeInt = Field(1000, description="Requests one user may make per hour.")
    rate_limit_sync_s: float = Field(
        1.0,
        gt=0,
        description="How often a gateway writes the requests it counted in memory to the shared counters "
        "(sooner near a limit, so replicas together stay within a few requests of it).",
    )
    credential_cache_ttl_s: float = Field(
        5.0,
        ge=0,
        description="How long a gateway trusts its copy of the disabled accounts and of an API key's row: a user "
        "disabled or a key revoked on another replica is refused within this many seconds (at once on the replica "
        "that made the change). 0 reads the database on every request.",
    )
    jobs_per_hour: dict[str, NonNegativeInt] = Field(
        {"FREE": 0, "PRO": 0, "ENTERPRISE": 0},
        description="Jobs one user may create per hour, by tier (0: no cap). A deployment setting: none on one's "
        "own machine; docker-compose.yml and the Kubernetes setup cap FREE at 10 and PRO at 100.",
    )
    login_failures_per_account: NonNegativeInt = Field(
        5, description="Failed logins one account may see per `login_window_s` before logins to it are refused."
    )
    login_failures_per_address: NonNegativeInt = Field(
        20, description="Failed logins one client address may make per `login_window_s`."
    )
    login_window_s: int = Field(900, gt=0, description="The window failed logins are counted in.")
    refresh_token_ttl_s: int = Field(
        30 * 24 * 3600,
        gt=0,
        description="Lifetime of a refresh token, the auth service's setting of the same name: a login through "
        "the shorts dialect is forgotten this long after its tokens were issued.",
    )
    registrations_per_hour: NonNegativeInt = Field(20, description="Accounts one client address may register per hour.")
    trusted_proxies: list[str] = Field(
        [],
        description="Addresses or CIDR networks of reverse proxies whose X-Forwarded-For names the client "
        "(for per-address limits). JSON list; empty = the TCP peer is the client.",
    )
    storage_limit_bytes: dict[str, NonNegativeInt] = Field(
        {"FREE": GIB, "PRO": 50 * GIB, "ENTERPRISE": 500 * GIB},
        description="Bytes of videos and uploads one user may keep, by tier.",
    )
    max_job_duration_s: dict[str, NonNegativeInt] = Field(
        {"FREE": 180, "PRO": 600, "ENTERPRISE": 600}, description="Longest video one job may ask for, by tier."
    )
    url_signing_key: str = Field(
        "",
        description="HMAC key of signed download URLs for the local media folder; empty = a key made once and "
        "kept in the gateway's database (shared by its replicas).",
    )
    signed_url_ttl_s: int = Field(3600, gt=0, le=7 * 24 * 3600, description="Default lifetime of a signed URL.")
    cors_origins: list[str] | None = Field(
        None,
        description="Origins allowed by CORS (JSON list). Unset = any origin while the gateway binds to "
        "loopback (the embedded default), none otherwise.",
    )

    @property
    def loopback_only(self) -> bool:
        """True when the gateway listens on a loopback address only, so only this machine can reach it."""
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    @property
    def allowed_origins(self) -> list[str]:
        if self.cors_origins is not None:
            return self.cors_origins
        return ["*"] if self.loopback_only else []
