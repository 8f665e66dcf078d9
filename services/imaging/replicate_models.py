"""Pictures from Replicate: FLUX schnell and SDXL stills, and SVD-XT clips animated from a still.

Each model's inputs are spelled as its page on Replicate documents them. A clip needs a picture
to animate: the user's reference image when the job has one, else a FLUX schnell still of the
scene's prompt (which is then billed as an image too).
"""

import base64
import io
from dataclasses import dataclass
from typing import Any

from libs.common.events import CostBreakdown
from libs.common.pricing import Prices
from services.imaging.clips import fit_clip
from services.imaging.pictures import (
    PictureKind,
    PictureRequest,
    closest_shape,
    fit_to_frame,
    open_image,
    png,
    provider_image,
)
from services.imaging.replicate_api import ReplicateClient, ReplicateModel, first_url

FLUX_SCHNELL = ReplicateModel("black-forest-labs/flux-schnell")
SDXL = ReplicateModel("stability-ai/sdxl", "7762fd07cf82c948538e41f63f77d685e02b063e37e496e96eefd46c929f9bdc")
SVD_XT = ReplicateModel(
    "stability-ai/stable-video-diffusion", "3f0457e4619daac51203dedb472816fd4af51f3149fa7a9e0b5ffcf1b8172438"
)

FLUX_ASPECT_RATIOS = ("1:1", "16:9", "21:9", "3:2", "2:3", "4:5", "5:4", "3:4", "4:3", "9:16", "9:21")
SDXL_LONG_SIDE = 1024
SDXL_STEPS = {"draft": 20, "standard": 30, "high": 50}
SVD_SOURCE_LONG_SIDE = 1024
CLIP_FPS = 6
DATA_URI_LIMIT = 256 * 1024
"""Replicate takes files inline as data URIs up to this size; sources are shrunk to fit."""


def _ratio(text: str) -> tuple[int, int]:
    width, height = text.split(":")
    return int(width), int(height)


@dataclass(frozen=True)
class ReplicateStills:
    """Text-to-image with FLUX schnell or SDXL (SDXL also paints over a reference image)."""

    client: ReplicateClient
    model: ReplicateModel
    kind: PictureKind = "image"

    def cost(self, prices: Prices, has_reference: bool) -> CostBreakdown:
        return CostBreakdown(image_generation=prices.price_replicate_image)

    async def make(self, request: PictureRequest) -> bytes:
        output = await self.client.run(self.model, self.inputs(request))
        image = provider_image(await self.client.download(first_url(output)), "Replicate")
        return png(fit_to_frame(image, request.width, request.height))

    def inputs(self, request: PictureRequest) -> dict[str, Any]:
        if self.model == FLUX_SCHNELL:
            shapes = tuple(_ratio(ratio) for ratio in FLUX_ASPECT_RATIOS)
            width, height = closest_shape(request.width, request.height, shapes)
            return {
                "prompt": request.prompt,
                "aspect_ratio": f"{width}:{height}",
                "num_outputs": 1,
                "output_format": "png",
                "megapixels": "0.25" if request.quality == "draft" else "1",
                "seed": request.seed_number,
            }
        scale = SDXL_LONG_SIDE / max(request.width, request.height)
        inputs: dict[str, Any] = {
            "prompt": request.prompt,
            "width": max(round(request.width * scale / 8) * 8, 128),
            "height": max(round(request.height * scale / 8) * 8, 128),
            "num_outputs": 1,
            "num_inference_steps": SDXL_STEPS[request.quality],
            "seed": request.seed_number,
        }
        if request.reference is not None:
            inputs |= {"image": data_uri(request.reference), "prompt_strength": 0.8}
        return inputs


@dataclass(frozen=True)
class ReplicateClips:
    """Image-to-video with SVD-XT: about four seconds of motion from one still."""

    client: ReplicateClient
    stills: ReplicateStills
    kind: PictureKind = "clip"

    def cost(self, prices: Prices, has_reference: bool) -> CostBreakdown:
        """A clip without a reference image first needs a still from FLUX schnell, billed as an image."""
        clip = CostBreakdown(video_generation=prices.price_replicate_clip)
        return clip if has_reference else clip + self.stills.cost(prices, has_reference)

    async def make(self, request: PictureRequest) -> bytes:
        source = request.reference if request.reference is not None else await self.stills.make(request)
        inputs = {
            "input_image": data_uri(source),
            "video_length": "25_frames_with_svd_xt",
            "sizing_strategy": "maintain_aspect_ratio",
            "frames_per_second": CLIP_FPS,
            "motion_bucket_id": 127,
            "cond_aug": 0.02,
            "seed": request.seed_number,
        }
        output = await self.client.run(SVD_XT, inputs)
        return await fit_clip(await self.client.download(first_url(output)), request.width, request.height)


def data_uri(picture: bytes) -> str:
    """The picture as an inline JPEG data URI, shrunk until it is within Replicate's inline limit."""
    image = open_image(picture, "reference_image")
    image.thumbnail((SVD_SOURCE_LONG_SIDE, SVD_SOURCE_LONG_SIDE))
    for quality in (90, 80, 70, 60, 50):
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality)
        if buffer.tell() <= DATA_URI_LIMIT:
            break
        image.thumbnail((image.width * 3 // 4, image.height * 3 // 4))
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()
