"""Offline pictures from a reference image: exact size, a framing per scene, a grade per art style."""

import io

import numpy as np
import pytest
from PIL import Image

from libs.common.errors import InvalidInput
from libs.common.vocabulary import ART_STYLES
from services.imaging.reference import stylised_reference


def photo(width: int = 640, height: int = 480) -> bytes:
    """A photo-like picture with structure everywhere, so every crop of it is different."""
    rows, columns = np.mgrid[0:height, 0:width]
    pixels = np.stack(
        [
            127 + 120 * np.sin(columns / 37.0),
            127 + 120 * np.sin(rows / 23.0),
            127 + 120 * np.sin((rows + columns) / 51.0),
        ],
        axis=-1,
    )
    buffer = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8)).save(buffer, "JPEG")
    return buffer.getvalue()


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)), dtype=np.float64)


@pytest.mark.parametrize("art_style", ART_STYLES)
@pytest.mark.parametrize(("width", "height"), [(270, 480), (480, 270), (64, 64)])
def test_every_style_makes_a_png_of_exactly_the_frame(art_style: str, width: int, height: int) -> None:
    image = Image.open(io.BytesIO(stylised_reference(photo(), art_style, width, height, "job:0:1")))  # type: ignore[arg-type]
    assert (image.format, image.mode, image.size) == ("PNG", "RGB", (width, height))


def test_each_scene_gets_its_own_framing_and_the_same_scene_the_same_one() -> None:
    first = stylised_reference(photo(), "photorealistic", 270, 480, "job:0:1")
    assert stylised_reference(photo(), "photorealistic", 270, 480, "job:0:1") == first
    second = stylised_reference(photo(), "photorealistic", 270, 480, "job:1:1")
    assert np.abs(pixels(first) - pixels(second)).mean() > 10


def test_styles_grade_the_same_framing_differently() -> None:
    graded = {style: pixels(stylised_reference(photo(), style, 270, 480, "job:0:1")) for style in ART_STYLES}  # type: ignore[arg-type]
    for style in ART_STYLES:
        for other in ART_STYLES:
            if style < other:
                assert np.abs(graded[style] - graded[other]).mean() > 4, (style, other)


def test_a_reference_that_is_not_an_image_is_invalid_input_naming_the_field() -> None:
    with pytest.raises(InvalidInput, match="reference_image is not an image") as raised:
        stylised_reference(b"%PDF-1.7 not a picture", "anime", 64, 64, "job:0:1")
    assert raised.value.field == "reference_image"
