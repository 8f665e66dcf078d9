from pydantic import Field

from libs.common.settings import WorkerSettings, env


class AudioSettings(WorkerSettings):
    port: int = Field(8013, validation_alias=env("AUDIO_PORT"))
    narration_concurrency: int = Field(2, description="Scenes narrated at once.")
