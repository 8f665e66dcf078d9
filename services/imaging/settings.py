from typing import Self
from urllib.parse import urlsplit

from pydantic import Field, PositiveFloat, ValidationInfo, field_validator, model_validator

from libs.common.models import (
    DEFAULT_PICTURE_MODEL,
    PICTURE_MODEL_IDS,
    configured_providers,
    get_model,
    unavailable_reason,
)
from libs.common.pricing import Prices
from libs.common.settings import ProviderSettings, WorkerSettings, env


class ImagingSettings(WorkerSettings, ProviderSettings, Prices):
    imaging_port: int = Field(8012, validation_alias=env("IMAGING_PORT"), description="Where this service listens.")
    image_concurrency: int = Field(2, ge=1, description="Scenes painted at once.")
    stage_concurrency: int = Field(
        4,
        ge=1,
        description="Jobs one replica paints at once (each `image_concurrency` scenes at a time). The work is "
        "mostly waiting on picture providers and stock libraries (I/O), so several jobs share a core.",
    )
    image_model: str = Field(
        DEFAULT_PICTURE_MODEL, description="The picture model (an id from /models) for jobs that name none."
    )
    replicate_base_url: str = Field(
        "https://api.replicate.com/v1", validation_alias=env("REPLICATE_BASE_URL", "REPLICATE_BASE_URL")
    )
    replicate_poll_s: PositiveFloat = Field(1.0, description="How often a running Replicate prediction is polled.")
    replicate_max_wait_s: PositiveFloat = Field(
        600.0, description="Longest one Replicate prediction may run before the attempt is given up."
    )
    pexels_base_url: str = Field("https://api.pexels.com", validation_alias=env("PEXELS_BASE_URL", "PEXELS_BASE_URL"))
    pixabay_base_url: str = Field(
        "https://pixabay.com/api", validation_alias=env("PIXABAY_BASE_URL", "PIXABAY_BASE_URL")
    )
    stock_results_per_search: int = Field(
        15, ge=3, le=80, description="Photos (and videos) asked of a stock library per scene search."
    )
    stock_min_relevance: float = Field(
        0.3,
        ge=0,
        le=1,
        description="Share of a scene's subjects and query words a stock result's description must name; "
        "a scene with no result this relevant gets procedural art.",
    )
    stock_search_attempts: int = Field(
        3, ge=1, description="Tries at one stock search that is rate limited or failing before the scene falls back."
    )
    stock_retry_max_s: PositiveFloat = Field(
        10.0, description="Longest wait between two tries of a stock search (a longer Retry-After is cut to this)."
    )
    sd_steps: int = Field(
        25,
        ge=1,
        le=150,
        description="Sampling steps at standard quality on a self-hosted Stable Diffusion server "
        "(draft takes half as many, high 1.6 times).",
    )
    sd_cfg_scale: float = Field(7.0, ge=1, le=30, description="How closely a self-hosted server follows the prompt.")
    sd_negative_prompt: str = Field(
        "blurry, low quality, watermark, text, signature, deformed",
        description="What a self-hosted server's pictures should not show.",
    )
    sd_long_side: int = Field(
        1024,
        ge=256,
        le=2048,
        multiple_of=8,
        description="The long side a self-hosted server paints (1024 suits SDXL checkpoints, 512-768 SD 1.5); "
        "the picture is then cropped to the frame.",
    )
    sd_max_wait_s: PositiveFloat = Field(
        300.0, description="Longest one picture may take on a self-hosted server, its queue included."
    )
    sd_webui_sampler: str = Field("Euler a", description="The web UI's sampler (a name from /sdapi/v1/samplers).")
    comfyui_checkpoint: str = Field(
        "sd_xl_base_1.0.safetensors", description="The checkpoint ComfyUI paints with (a file in models/checkpoints)."
    )
    comfyui_poll_s: PositiveFloat = Field(0.5, description="How often ComfyUI's history is asked for a queued graph.")

    @property
    def port(self) -> int:
        """Named for its service, so that REELFORGE_PORT (the public gateway port) never moves it."""
        return self.imaging_port

    @model_validator(mode="after")
    def _default_model_is_usable(self) -> Self:
        """Fail at start-up, not on the first job, when the default model is unknown or lacks its key."""
        model = get_model(self.image_model)
        if model is None or not model.makes_pictures:
            raise ValueError(f"REELFORGE_IMAGE_MODEL must be one of {', '.join(PICTURE_MODEL_IDS)}")
        reason = unavailable_reason(model, configured_providers(self))
        if reason is not None:
            raise ValueError(f"REELFORGE_IMAGE_MODEL: {reason}")
        return self

    @field_validator("sd_webui_url", "comfyui_url")
    @classmethod
    def _server_url(cls, url: str, info: ValidationInfo) -> str:
        """A self-hosted server's address is checked at start-up, not on the first job that needs it."""
        parts = urlsplit(url)
        if url and (parts.scheme not in ("http", "https") or not parts.hostname):
            name = f"REELFORGE_{(info.field_name or '').upper()}"
            raise ValueError(f"{name} must be an http:// or https:// URL such as http://127.0.0.1:8188")
        return url
