from pydantic import Field

from libs.common.settings import WorkerSettings, env


class RenderSettings(WorkerSettings):
    port: int = Field(8014, validation_alias=env("RENDER_PORT"))
    scene_padding_s: float = Field(0.0, ge=0, description="Silence added after each scene's narration.")
    transition_s: float = Field(
        0.5, ge=0, description="Length of the transition between two scenes (shortened for very short scenes)."
    )
    render_parallel: int = Field(
        2, ge=1, description="Segments one render encodes at once; each segment is one ffmpeg process."
    )
