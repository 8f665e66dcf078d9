"""The offline picture maker: procedural art per art style drawing the scene's subjects, or stylised
framings of a reference image."""

import asyncio
from dataclasses import dataclass

from libs.common.events import CostBreakdown
from libs.common.pricing import Prices
from services.imaging.pictures import Depiction, PictureKind, PictureRequest
from services.imaging.procedural import paint_scene, plan_cast_for
from services.imaging.reference import stylised_reference


@dataclass(frozen=True)
class OfflinePainter:
    kind: PictureKind = "image"

    def cost(self, prices: Prices, has_reference: bool) -> CostBreakdown:
        return CostBreakdown()

    async def make(self, request: PictureRequest) -> bytes:
        if request.reference is not None:
            return await asyncio.to_thread(
                stylised_reference, request.reference, request.art_style, request.width, request.height, request.seed
            )
        return await asyncio.to_thread(
            paint_scene,
            request.prompt,
            request.art_style,
            request.width,
            request.height,
            request.seed,
            request.subjects,
            request.look_seed,
        )

    def depiction(self, request: PictureRequest) -> Depiction:
        if request.reference is not None:
            return Depiction()
        cast = plan_cast_for(
            request.art_style, request.width, request.height, request.seed, request.subjects, request.look_seed
        )
        return Depiction(tuple(cast.depicts), cast.focus)
