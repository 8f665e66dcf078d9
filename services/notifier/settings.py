from pydantic import Field

from libs.common.settings import WebhookSettings, WorkerSettings, env


class NotifierSettings(WorkerSettings, WebhookSettings):
    port: int = Field(8015, validation_alias=env("NOTIFIER_PORT"))
