from typing import Self

from pydantic import Field, PositiveFloat, model_validator

from libs.common.models import (
    DEFAULT_PICTURE_MODEL,
    PICTURE_MODEL_IDS,
    configured_providers,
    get_model,
    unavailable_reason,
)
from libs.common.settings import ProviderSettings, WorkerSettings, env


class ImagingSettings(WorkerSettings, ProviderSettings):
    imaging_port: int = Field(8012, validation_alias=env("IMAGING_PORT"), description="Where this service listens.")
    image_concurrency: int = Field(2, ge=1, description="Scenes painted at once.")
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
