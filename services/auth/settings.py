from pydantic import Field

from libs.common.settings import DatabaseSettings, env


class AuthSettings(DatabaseSettings):
    auth_port: int = Field(8001, validation_alias=env("AUTH_PORT"), description="Where this service listens.")
    jwt_issuer: str = Field("reelforge-auth", description="`iss` of every access token.")
    jwt_audience: str = Field("reelforge", description="`aud` of every access token.")
    access_token_ttl_s: int = Field(15 * 60, description="Lifetime of an access token.")
    refresh_token_ttl_s: int = Field(30 * 24 * 3600, description="Lifetime of a refresh token.")
    admin_emails: list[str] = Field(
        [],
        description="Accounts with these emails are admins: made so when they register or next log in (JSON list). "
        "This is how the first admin is made; admins can then manage users through the API.",
    )

    @property
    def port(self) -> int:
        """Named for its service, so that REELFORGE_PORT (the public gateway port) never moves it."""
        return self.auth_port
