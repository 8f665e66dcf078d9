"""The picture makers this service can use, built once at start-up, and which one a job gets.

A job's `RenderOptions.model_id` names a model from `libs/common/models.py`; a job that names
none gets `REELFORGE_IMAGE_MODEL` (offline procedural art by default). Makers whose provider has
no key configured are not built, and a job that names one fails with what to set.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from openai import AsyncOpenAI

from libs.common.errors import InvalidInput
from libs.common.models import PICTURE_MODEL_IDS, Provider, configured_providers, get_model, unavailable_reason
from libs.common.pricing import Prices
from services.imaging.offline import OfflinePainter
from services.imaging.openai_images import OpenAIImages
from services.imaging.pictures import PictureMaker
from services.imaging.replicate_api import ReplicateClient
from services.imaging.replicate_models import FLUX_SCHNELL, SDXL, ReplicateClips, ReplicateStills
from services.imaging.settings import ImagingSettings


@dataclass
class PictureMakers:
    makers: dict[str, PictureMaker]
    default_model: str
    configured: frozenset[Provider]
    prices: Prices
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def for_model(self, model_id: str | None) -> PictureMaker:
        """The maker for a job's `model_id` (None: the default); an unusable id fails the job saying why."""
        chosen = model_id or self.default_model
        model = get_model(chosen)
        if model is None or not model.makes_pictures:
            raise InvalidInput(
                f"model_id {chosen!r} is not a picture model; use one of {', '.join(PICTURE_MODEL_IDS)}",
                field="model_id",
            )
        maker = self.makers.get(chosen)
        if maker is None:
            reason = unavailable_reason(model, self.configured) or f"model {chosen} is not available here"
            raise InvalidInput(reason, field="model_id")
        return maker

    async def close(self) -> None:
        for close in self.closers:
            await close()


def build_makers(settings: ImagingSettings) -> PictureMakers:
    """One client per configured provider; the OpenAI and Replicate clients never retry on their own,
    since the runtime retries a failed event with backoff."""
    configured = configured_providers(settings)
    makers: dict[str, PictureMaker] = {"offline:procedural": OfflinePainter()}
    closers: list[Callable[[], Awaitable[None]]] = []
    if "openai" in configured:
        client = AsyncOpenAI(
            api_key=settings.openai_api_key,
            base_url=settings.openai_base_url,
            timeout=settings.provider_timeout_s,
            max_retries=0,
        )
        makers["openai:gpt-image-1"] = OpenAIImages(client, "gpt-image-1")
        closers.append(client.close)
    if "replicate" in configured:
        replicate = ReplicateClient(
            settings.replicate_api_token,
            settings.replicate_base_url,
            settings.provider_timeout_s,
            settings.replicate_poll_s,
            settings.replicate_max_wait_s,
        )
        flux = ReplicateStills(replicate, FLUX_SCHNELL)
        makers |= {
            "replicate:flux-schnell": flux,
            "replicate:sdxl": ReplicateStills(replicate, SDXL),
            "replicate:svd-xt": ReplicateClips(replicate, flux),
        }
        closers.append(replicate.close)
    return PictureMakers(makers, settings.image_model, configured, Prices(), closers)
