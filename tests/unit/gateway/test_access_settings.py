"""CORS is permissive and anonymous use allowed only while the gateway is reachable from this machine alone."""

import pytest

from services.gateway.http.deps import anonymous_allowed
from services.gateway.settings import GatewaySettings


@pytest.mark.parametrize(
    ("host", "origins", "anonymous"),
    [("127.0.0.1", ["*"], True), ("localhost", ["*"], True), ("::1", ["*"], True), ("0.0.0.0", [], False)],
)
def test_defaults_depend_on_where_the_gateway_listens(host: str, origins: list[str], anonymous: bool) -> None:
    settings = GatewaySettings(host=host)
    assert settings.allowed_origins == origins
    assert anonymous_allowed(settings) is anonymous


def test_explicit_origins_and_the_anonymous_switch_win() -> None:
    settings = GatewaySettings(host="0.0.0.0", cors_origins=["https://app.example.com"], allow_anonymous=True)
    assert settings.allowed_origins == ["https://app.example.com"]
    assert anonymous_allowed(settings) is False
    assert anonymous_allowed(GatewaySettings(host="127.0.0.1", allow_anonymous=False)) is False
