from pydantic import Field

from libs.common.settings import WorkerSettings, env


class RenderSettings(WorkerSettings):
    render_port: int = Field(8014, validation_alias=env("RENDER_PORT"), description="Where this service listens.")
    scene_padding_s: float = Field(0.0, ge=0, description="Silence added after each scene's narration.")
    transition_s: float = Field(
        0.5, ge=0, description="Length of the transition between two scenes (shortened for very short scenes)."
    )
    render_parallel: int = Field(
        2, ge=1, description="Segments one render encodes at once; each segment is one ffmpeg process."
    )

    @property
    def port(self) -> int:
        """Named for its service, so that REELFORGE_PORT (the public gateway port) never moves it."""
        return self.render_port
