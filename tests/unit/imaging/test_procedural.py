"""Offline paintings: exact size, deterministic, and a look of their own for every art style."""

import io
import itertools

import numpy as np
import pytest
from PIL import Image

from libs.common.vocabulary import ART_STYLES
from services.imaging.procedural import paint_scene

PROMPT = "a quiet valley with a river at noon"


def decoded(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(decoded(png), dtype=np.float64)


def colour_histogram(png: bytes) -> np.ndarray:
    """Share of pixels in each of 512 colour bins (8 levels per channel)."""
    levels = np.asarray(decoded(png)) // 32
    bins = levels[..., 0].astype(int) * 64 + levels[..., 1].astype(int) * 8 + levels[..., 2]
    counts = np.bincount(bins.ravel(), minlength=512)
    return counts / counts.sum()


@pytest.mark.parametrize("art_style", ART_STYLES)
@pytest.mark.parametrize(("width", "height"), [(540, 960), (1920, 1080), (1080, 1080), (16, 16), (17, 301)])
def test_painting_is_an_rgb_png_of_exactly_the_requested_size(art_style: str, width: int, height: int) -> None:
    png = paint_scene(PROMPT, art_style, width, height, "job:0:1")
    image = decoded(png)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert (image.format, image.mode, image.size) == ("PNG", "RGB", (width, height))


@pytest.mark.parametrize("art_style", ART_STYLES)
def test_same_arguments_paint_identical_bytes(art_style: str) -> None:
    assert paint_scene(PROMPT, art_style, 270, 480, "job:3:1") == paint_scene(PROMPT, art_style, 270, 480, "job:3:1")


@pytest.mark.parametrize("art_style", ART_STYLES)
def test_different_seeds_paint_different_pictures(art_style: str) -> None:
    first = pixels(paint_scene(PROMPT, art_style, 270, 480, "job:0:1"))
    second = pixels(paint_scene(PROMPT, art_style, 270, 480, "job:1:1"))
    assert np.abs(first - second).mean() > 3


@pytest.mark.parametrize("art_style", ART_STYLES)
def test_paintings_are_not_flat(art_style: str) -> None:
    for prompt in (PROMPT, "a dark night in the city", "a warm sunset over the sea"):
        image = pixels(paint_scene(prompt, art_style, 270, 480, "job:0:1"))
        assert image.std() > 20
        assert image.reshape(-1, 3).std(axis=0).min() > 10


@pytest.mark.parametrize("prompt", [PROMPT, "a dark night in the city", "a warm sunset over the sea", "a forest"])
def test_each_style_has_its_own_palette(prompt: str) -> None:
    histograms = {style: colour_histogram(paint_scene(prompt, style, 270, 480, "job:0:1")) for style in ART_STYLES}
    for first, second in itertools.combinations(ART_STYLES, 2):
        shared = np.minimum(histograms[first], histograms[second]).sum()
        assert 1 - shared > 0.2, (first, second)


def test_comic_book_is_inked_and_the_soft_styles_are_not() -> None:
    def edge_density(style: str) -> float:
        grey = pixels(paint_scene(PROMPT, style, 540, 960, "job:0:1")).mean(axis=2)
        return float((np.abs(np.diff(grey, axis=1)) > 40).mean())

    comic = edge_density("comic-book")
    for style in ("photorealistic", "cinematic", "pixar-art"):
        assert comic > 10 * edge_density(style), style


@pytest.mark.parametrize("art_style", ART_STYLES)
def test_night_words_darken_the_painting(art_style: str) -> None:
    day = pixels(paint_scene("a bright day in the meadow", art_style, 270, 480, "job:0:1"))
    night = pixels(paint_scene("a scary night in the meadow", art_style, 270, 480, "job:0:1"))
    assert night.mean() < day.mean() - 25


@pytest.mark.parametrize("art_style", ART_STYLES)
def test_a_full_hd_vertical_frame_paints(art_style: str) -> None:
    assert decoded(paint_scene(PROMPT, art_style, 1080, 1920, "job:0:1")).size == (1080, 1920)


@pytest.mark.parametrize(("width", "height"), [(15, 100), (100, 4097), (0, 0), (-16, 100), (1080.0, 1920), (True, 100)])
def test_sizes_outside_16_to_4096_integers_are_rejected(width: int, height: int) -> None:
    with pytest.raises(ValueError, match="must be an integer from 16 to 4096"):
        paint_scene(PROMPT, "anime", width, height, "job:0:1")


def test_unknown_art_style_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown art style 'watercolour'"):
        paint_scene(PROMPT, "watercolour", 64, 64, "job:0:1")
