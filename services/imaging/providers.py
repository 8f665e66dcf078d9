"""The picture makers this service can use, built once at start-up, and which one a job gets.

A job's `RenderOptions.model_id` names a model from `libs/common/models.py`; a job that names
none gets `REELFORGE_IMAGE_MODEL` (offline procedural art by default). Makers whose provider has
no key configured are not built, and a job that names one fails with what to set. The stock media
models (`stock:pexels`, `stock:pixabay`) search their own library first and every other stock
library with a key after it, for the scenes the first found nothing for.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx
from openai import AsyncOpenAI

from libs.common.errors import InvalidInput
from libs.common.models import (
    PICTURE_MODEL_IDS,
    STOCK_LIBRARIES,
    Provider,
    configured_providers,
    get_model,
    unavailable_reason,
)
from libs.common.pricing import Prices
from services.imaging.comfyui import ComfyUIStills, comfyui_server
from services.imaging.local_sd import Sampling
from services.imaging.offline import OfflinePainter
from services.imaging.openai_images import OpenAIImages
from services.imaging.pictures import PictureMaker
from services.imaging.replicate_api import ReplicateClient
from services.imaging.replicate_models import FLUX_SCHNELL, SDXL, ReplicateClips, ReplicateStills
from services.imaging.sd_webui import WebUIStills, web_ui
from services.imaging.settings import ImagingSettings
from services.imaging.stock_api import PexelsClient, PixabayClient, StockClient
from services.imaging.stock_media import StockMedia


@dataclass
class PictureMakers:
    makers: dict[str, PictureMaker | StockMedia]
    default_model: str
    configured: frozenset[Provider]
    prices: Prices
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def source_of(self, model_id: str | None) -> str:
        """What a scene this model paints records as its `source`: its provider, `procedural` for offline art
        (a stock model's scenes without footage get offline art too)."""
        model = get_model(model_id or self.default_model)
        if model is None or model.provider == "offline" or model.id in STOCK_LIBRARIES:
            return "procedural"
        return model.provider

    def provider_of(self, model_id: str | None) -> str:
        """Who makes this model's pictures, as the provider metrics name them (`offline` for procedural art)."""
        model = get_model(model_id or self.default_model)
        return model.provider if model is not None else "offline"

    def for_model(self, model_id: str | None) -> PictureMaker | StockMedia:
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
    """One client per configured provider (or self-hosted server); none retries on its own, since the
    runtime retries a failed event with backoff."""
    configured = configured_providers(settings)
    makers: dict[str, PictureMaker | StockMedia] = {"offline:procedural": OfflinePainter()}
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
    sampling = Sampling(settings.sd_steps, settings.sd_cfg_scale, settings.sd_negative_prompt, settings.sd_long_side)
    if "automatic1111" in configured:
        # The web UI answers when the picture is painted: the whole wait, its queue included, is one request.
        timeout = httpx.Timeout(settings.sd_max_wait_s, connect=settings.provider_timeout_s)
        webui = web_ui(settings.sd_webui_url, timeout)
        makers["local:automatic1111"] = WebUIStills(webui, sampling, settings.sd_webui_sampler)
        closers.append(webui.close)
    if "comfyui" in configured:
        comfyui = comfyui_server(settings.comfyui_url, httpx.Timeout(settings.provider_timeout_s))
        makers["local:comfyui"] = ComfyUIStills(
            comfyui, sampling, settings.comfyui_checkpoint, settings.comfyui_poll_s, settings.sd_max_wait_s
        )
        closers.append(comfyui.close)
    libraries: dict[Provider, StockClient] = {}
    if "pexels" in configured:
        libraries["pexels"] = PexelsClient(
            settings.pexels_api_key, settings.pexels_base_url, settings.provider_timeout_s
        )
    if "pixabay" in configured:
        libraries["pixabay"] = PixabayClient(
            settings.pixabay_api_key, settings.pixabay_base_url, settings.provider_timeout_s
        )
    for model_id, first in STOCK_LIBRARIES.items():
        if first in libraries:
            ordered = (libraries[first], *(library for name, library in libraries.items() if name != first))
            makers[model_id] = StockMedia(
                ordered,
                OfflinePainter(),
                per_page=settings.stock_results_per_search,
                min_relevance=settings.stock_min_relevance,
                attempts=settings.stock_search_attempts,
                retry_max_s=settings.stock_retry_max_s,
            )
    closers.extend(library.close for library in libraries.values())
    return PictureMakers(makers, settings.image_model, configured, settings, closers)
