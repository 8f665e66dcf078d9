from pydantic import Field

from libs.common.settings import WorkerSettings, env


class ImagingSettings(WorkerSettings):
    port: int = Field(8012, validation_alias=env("IMAGING_PORT"))
    image_concurrency: int = Field(2, description="Scenes painted at once.")
