from pydantic import Field

from libs.common.settings import WorkerSettings, env


class NotifierSettings(WorkerSettings):
    port: int = Field(8015, validation_alias=env("NOTIFIER_PORT"))
