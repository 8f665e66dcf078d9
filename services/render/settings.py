from pydantic import Field

from libs.common.settings import WorkerSettings, env


class RenderSettings(WorkerSettings):
    port: int = Field(8014, validation_alias=env("RENDER_PORT"))
    scene_padding_s: float = Field(0.0, description="Silence added after each scene's narration.")
