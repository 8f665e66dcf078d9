"""Upload checks look at the bytes: whole JPEG/PNG/WEBP images pass, anything else is refused naming the rule."""

import io
import struct
import zlib

import pytest
from PIL import Image

from libs.common.errors import InvalidInput
from services.gateway.core.projects import project_reference
from services.gateway.core.uploads import MAX_PIXELS, inspect_image


def encoded(kind: str, size: tuple[int, int] = (32, 24)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, kind)
    return buffer.getvalue()


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP"])
def test_whole_images_pass_with_their_size(kind: str) -> None:
    assert inspect_image(encoded(kind)) == (kind, 32, 24)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "is empty"),
        (b"%PDF-1.4 not an image", "not a readable JPG, JPEG, PNG or WEBP image"),
        (encoded("PNG")[:60], "not a readable"),
        (encoded("GIF"), "is a GIF image"),
        (encoded("BMP"), "is a BMP image"),
    ],
)
def test_anything_else_is_refused_naming_the_rule(data: bytes, says: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        inspect_image(data)
    assert refused.value.field == "file" and says in refused.value.message


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims a size in its header and holds no pixels: what a decompression bomb starts with."""
    header = b"IHDR" + struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunks = [(13, header), (0, b"IDAT"), (0, b"IEND")]
    return b"\x89PNG\r\n\x1a\n" + b"".join(
        struct.pack(">I", length) + chunk + struct.pack(">I", zlib.crc32(chunk)) for length, chunk in chunks
    )


def test_a_picture_with_too_many_pixels_is_refused_before_decoding() -> None:
    side = int(MAX_PIXELS**0.5) + 8
    with pytest.raises(InvalidInput) as refused:
        inspect_image(png_header(side, side))
    assert f"{side}x{side} pixels" in refused.value.message


@pytest.mark.parametrize(
    ("ref", "found"),
    [
        ("7", 7),
        (7, 7),
        (" 12 ", 12),
        ("0b7c4f0e-3f7d-4b8e-a7a5-6c1d2e9f4a21", "uuid"),
        ("x", None),
        ("99999999999", None),
    ],
)
def test_projects_are_found_by_integer_or_uuid(ref: object, found: object) -> None:
    resolved = project_reference(ref)  # type: ignore[arg-type]
    assert str(resolved) == ref if found == "uuid" else resolved == found
