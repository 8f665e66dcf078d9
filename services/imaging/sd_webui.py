"""Scene stills from a self-hosted AUTOMATIC1111 or Forge web UI, started with `--api`.

`POST /sdapi/v1/txt2img` paints the prompt; with a reference image, `POST /sdapi/v1/img2img` paints
over it (cropped to the canvas first). Either answers `{"images": [base64 PNG], "parameters", "info"}`.
The web UI paints with whichever checkpoint it has loaded, so REELFORGE_SD_LONG_SIDE should suit that
checkpoint (1024 for SDXL, 512 to 768 for SD 1.5). The seed comes from the picture's seed string, so
a redelivered scene is painted the same.
"""

import base64
import binascii
from dataclasses import dataclass
from typing import Any

import httpx

from libs.common.errors import ProviderError
from libs.common.events import CostBreakdown
from libs.common.pricing import Prices
from services.imaging.local_sd import LocalServer, Sampling, canvas
from services.imaging.pictures import PictureKind, PictureRequest, fit_to_frame, open_image, png, provider_image

NAME = "AUTOMATIC1111"
URL_SETTING = "REELFORGE_SD_WEBUI_URL"
REFERENCE_STRENGTH = 0.75
"""img2img's `denoising_strength`: how far the picture may move from the reference (the web UI's default)."""


def web_ui(url: str, timeout: httpx.Timeout) -> LocalServer:
    return LocalServer(
        NAME,
        url,
        URL_SETTING,
        timeout,
        explain=_said,
        not_found_hint=f"check {URL_SETTING}, that the web UI runs with --api, and REELFORGE_SD_WEBUI_SAMPLER",
    )


@dataclass(frozen=True)
class WebUIStills:
    server: LocalServer
    sampling: Sampling
    sampler: str
    kind: PictureKind = "image"

    def cost(self, prices: Prices, has_reference: bool) -> CostBreakdown:
        """Nothing: the user's own GPU paints."""
        return CostBreakdown()

    async def make(self, request: PictureRequest) -> bytes:
        path, body = self.payload(request)
        answer = await self.server.call_json("POST", path, json=body)
        images = answer.get("images") if isinstance(answer, dict) else None
        if not isinstance(images, list) or not images or not isinstance(images[0], str):
            raise ProviderError(f"{self.server.at} answered without an image; trying again", retryable=True)
        try:
            data = base64.b64decode(images[0].rpartition(",")[2], validate=True)
        except (binascii.Error, ValueError):
            raise ProviderError(
                f"{self.server.at} sent an image that is not valid base64; trying again", retryable=True
            ) from None
        image = provider_image(data, self.server.at)
        return png(fit_to_frame(image, request.width, request.height))

    def payload(self, request: PictureRequest) -> tuple[str, dict[str, Any]]:
        """The endpoint and its JSON: txt2img, or img2img over the reference."""
        width, height = canvas(request.width, request.height, self.sampling.long_side)
        body: dict[str, Any] = {
            "prompt": request.prompt,
            "negative_prompt": self.sampling.negative_prompt,
            "width": width,
            "height": height,
            "steps": self.sampling.steps_for(request.quality),
            "cfg_scale": self.sampling.cfg_scale,
            "seed": request.seed_number,
            "sampler_name": self.sampler,
            "batch_size": 1,
        }
        if request.reference is None:
            return "/sdapi/v1/txt2img", body
        start = fit_to_frame(open_image(request.reference, "reference_image"), width, height)
        encoded = base64.b64encode(png(start)).decode()
        return "/sdapi/v1/img2img", body | {"init_images": [encoded], "denoising_strength": REFERENCE_STRENGTH}


def _said(body: Any) -> str:
    """The web UI's words: `{"error", "detail", "errors"}` from its API, or FastAPI's 422 `detail` list."""
    if not isinstance(body, dict):
        return str(body or "")
    detail = body.get("detail")
    if isinstance(detail, list):
        return "; ".join(
            f"{'.'.join(str(part) for part in item.get('loc', [])[1:])}: {item.get('msg', '')}"
            for item in detail
            if isinstance(item, dict)
        )
    return str(detail or body.get("errors") or body.get("error") or "")
