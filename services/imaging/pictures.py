"""What every picture maker takes and gives, whichever provider it calls.

A maker turns one scene's prompt into one picture of exactly the video's size: a PNG still
(`kind="image"`) or an H.264 MP4 clip (`kind="clip"`). Makers are built once at start-up
(see `providers.py`) and chosen per job by `RenderOptions.model_id`.
"""

import hashlib
import io
import math
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from PIL import Image, ImageOps, UnidentifiedImageError

from libs.common.errors import InvalidInput, ProviderError
from libs.common.events import CostBreakdown
from libs.common.pricing import Prices
from libs.common.vocabulary import ArtStyle, Quality

PictureKind = Literal["image", "clip"]
CONTENT_TYPES: dict[PictureKind, str] = {"image": "image/png", "clip": "video/mp4"}


@dataclass(frozen=True)
class PictureRequest:
    prompt: str
    art_style: ArtStyle
    width: int
    height: int
    quality: Quality
    seed: str
    """Stable per job, scene and version: the same request makes the same picture where the provider allows."""
    reference: bytes | None = None
    """The user's reference image (any format Pillow reads): the basis of the picture."""
    subjects: tuple[str, ...] = ()
    """What the scene shows (English nouns, main subject first): the offline painter draws them."""
    look_seed: str = ""
    """Stable per job: a subject recurring across the job's scenes keeps its look where the provider allows."""

    @property
    def seed_number(self) -> int:
        """The seed as a 31-bit integer, the range every provider's `seed` input accepts."""
        return int.from_bytes(hashlib.sha256(self.seed.encode()).digest()[:4], "big") & 0x7FFFFFFF


@dataclass(frozen=True)
class Depiction:
    """What a picture is known to show: the subjects drawn and where the main one stands (fractions of
    the width and height). Unknown (empty) for a model's picture: a prompt is no promise."""

    depicts: tuple[str, ...] = ()
    focus: tuple[float, float] | None = None


class PictureMaker(Protocol):
    @property
    def kind(self) -> PictureKind:
        """What it makes: a still `image` or a `clip`."""
        ...

    def cost(self, prices: Prices, has_reference: bool) -> CostBreakdown:
        """What one picture costs; the same for every picture of this maker made with (or without) a reference."""
        ...

    async def make(self, request: PictureRequest) -> bytes:
        """The picture's bytes: PNG for images, MP4 for clips, at exactly the requested size."""
        ...


@runtime_checkable
class DescribedPictures(Protocol):
    """A maker that knows what its pictures show (the offline painter); a model's picture is not described."""

    def depiction(self, request: PictureRequest) -> Depiction:
        """What `make(request)` shows, known without making it (so a picture already stored is described too)."""
        ...


def depiction(maker: PictureMaker, request: PictureRequest) -> Depiction:
    return maker.depiction(request) if isinstance(maker, DescribedPictures) else Depiction()


def open_image(data: bytes, field: str) -> Image.Image:
    """Decode an image as RGB, upright (EXIF orientation applied); unreadable data is a clear error."""
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise InvalidInput(f"the {field} is not an image Reelforge can read ({error})", field=field) from None
    return ImageOps.exif_transpose(image).convert("RGB")


def provider_image(data: bytes, provider: str) -> Image.Image:
    """Decode a provider's answer; a provider that sends something else is failing, not the user."""
    try:
        return open_image(data, "picture")
    except InvalidInput as error:
        raise ProviderError(
            f"{provider} sent a picture that could not be read: {error.message}", retryable=True
        ) from None


def fit_to_frame(image: Image.Image, width: int, height: int) -> Image.Image:
    """Scale to cover `width` x `height` and crop the middle: the frame is filled, nothing is stretched."""
    return ImageOps.fit(image, (width, height), Image.Resampling.LANCZOS, centering=(0.5, 0.5))


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=False, compress_level=6)
    return buffer.getvalue()


def closest_shape(width: int, height: int, shapes: tuple[tuple[int, int], ...]) -> tuple[int, int]:
    """The shape whose aspect ratio is nearest the frame's (compared as log-ratios, so 2:1 and 1:2 are even)."""
    wanted = math.log(width / height)
    return min(shapes, key=lambda shape: abs(math.log(shape[0] / shape[1]) - wanted))
