"""Scene stills from OpenAI images (`POST /v1/images/generations`, answered as base64 PNG).

Each model offers a few fixed sizes and its own quality words; the size nearest the video's shape
is asked for and the answer is cropped to the frame. A reference image is not sent: OpenAI's
generations endpoint takes none (the offline and Replicate makers use it).
"""

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from openai import AsyncOpenAI

from libs.common.errors import ProviderError
from libs.common.events import CostBreakdown
from libs.common.pricing import Prices
from libs.common.provider_errors import openai_errors
from libs.common.vocabulary import Quality
from services.imaging.pictures import PictureKind, PictureRequest, closest_shape, fit_to_frame, png, provider_image

SIZES: dict[str, tuple[tuple[int, int], ...]] = {
    "gpt-image-1": ((1024, 1024), (1536, 1024), (1024, 1536)),
    "dall-e-3": ((1024, 1024), (1792, 1024), (1024, 1792)),
    "dall-e-2": ((256, 256), (512, 512), (1024, 1024)),
}
QUALITIES: dict[str, dict[Quality, str]] = {
    "gpt-image-1": {"draft": "low", "standard": "medium", "high": "high"},
    "dall-e-3": {"draft": "standard", "standard": "standard", "high": "hd"},
    "dall-e-2": {"draft": "standard", "standard": "standard", "high": "standard"},
}
RETURNS_BASE64_ONLY = frozenset({"gpt-image-1"})
"""gpt-image-1 always answers with `b64_json` and rejects `response_format`; the DALL·E models need it asked for."""


@dataclass(frozen=True)
class OpenAIImages:
    client: AsyncOpenAI
    model: str
    kind: PictureKind = "image"

    def cost(self, prices: Prices, has_reference: bool) -> CostBreakdown:
        return CostBreakdown(image_generation=prices.price_openai_image)

    async def make(self, request: PictureRequest) -> bytes:
        width, height = closest_shape(request.width, request.height, SIZES[self.model])
        arguments: dict[str, Any] = {
            "model": self.model,
            "prompt": request.prompt,
            "n": 1,
            "size": f"{width}x{height}",
            "quality": QUALITIES[self.model][request.quality],
        }
        if self.model not in RETURNS_BASE64_ONLY:
            arguments["response_format"] = "b64_json"
        with openai_errors():
            answer = await self.client.images.generate(**arguments)
        encoded = answer.data[0].b64_json if answer.data else None
        if not encoded:
            raise ProviderError("OpenAI answered without an image; trying again", retryable=True)
        try:
            data = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise ProviderError("OpenAI sent an image that is not valid base64; trying again", retryable=True) from None
        image = provider_image(data, "OpenAI")
        return png(fit_to_frame(image, request.width, request.height))
