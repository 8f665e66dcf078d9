from pydantic import Field

from libs.common.settings import WebhookSettings, WorkerSettings, env


class NotifierSettings(WorkerSettings, WebhookSettings):
    notifier_port: int = Field(8015, validation_alias=env("NOTIFIER_PORT"), description="Where this service listens.")

    @property
    def port(self) -> int:
        """Named for its service, so that REELFORGE_PORT (the public gateway port) never moves it."""
        return self.notifier_port
