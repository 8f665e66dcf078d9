"""The budgets that guard signing in, the same for the native API and every dialect: registrations per
client address, failed logins per account and per client address (guessing passwords gets slow)."""

from libs.common.db import Database
from services.gateway.core import ratelimit
from services.gateway.settings import GatewaySettings


def login_budgets(settings: GatewaySettings, address: str, identifier: str) -> list[ratelimit.Budget]:
    window = settings.login_window_s
    return [
        ratelimit.Budget(f"login-account:{identifier.strip().lower()}", settings.login_failures_per_account, window),
        ratelimit.Budget(f"login-address:{address}", settings.login_failures_per_address, window),
    ]


async def count_registration(db: Database, settings: GatewaySettings, address: str) -> None:
    """Count a registration from `address` (429 past `registrations_per_hour`)."""
    budget = ratelimit.Budget(f"register:{address}", settings.registrations_per_hour, ratelimit.HOUR)
    await ratelimit.charge(db, [budget], "registrations from this address")
