import os

from pydantic import Field

from libs.common.pricing import Prices
from libs.common.settings import WorkerSettings, env


class RenderSettings(WorkerSettings, Prices):
    render_port: int = Field(8014, validation_alias=env("RENDER_PORT"), description="Where this service listens.")
    scene_padding_s: float = Field(0.0, ge=0, description="Silence added after each scene's narration.")
    transition_s: float = Field(
        0.5, ge=0, description="Length of the transition between two scenes (shortened for very short scenes)."
    )
    render_parallel: int = Field(
        2, ge=1, description="Segments one render encodes at once; each segment is one ffmpeg process."
    )
    stage_concurrency: int = Field(
        default_factory=lambda: max(1, (os.cpu_count() or 1) // 2),
        ge=1,
        description="Jobs one replica renders at once; default half the cores. Rendering is CPU bound and each "
        "render runs `render_parallel` (2) ffmpeg processes, so this keeps about one encoder per core.",
    )

    @property
    def port(self) -> int:
        """Named for its service, so that REELFORGE_PORT (the public gateway port) never moves it."""
        return self.render_port
