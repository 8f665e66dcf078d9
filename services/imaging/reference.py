"""Offline pictures from the user's reference image: a different framing of it per scene, graded in the art style.

Each scene gets its own crop window (a seeded zoom and position within the picture), so a story
told over one photo still moves from shot to shot; the art style then decides the grade, the
way the procedural painters decide palette and texture. Pure and deterministic per seed.
"""

import hashlib

import numpy as np
from PIL import Image, ImageEnhance, ImageFilter, ImageOps

from libs.common.vocabulary import ArtStyle
from services.imaging.pictures import fit_to_frame, open_image, png

MIN_ZOOM = 0.55
"""The tightest crop keeps this share of the largest window of the frame's shape that fits the picture."""


def stylised_reference(reference: bytes, art_style: ArtStyle, width: int, height: int, seed: str) -> bytes:
    """A PNG of exactly `width` x `height`: a seeded crop of the reference, graded in `art_style`."""
    rng = np.random.default_rng(int.from_bytes(hashlib.sha256(seed.encode()).digest(), "big"))
    framed = fit_to_frame(_crop(open_image(reference, "reference_image"), width / height, rng), width, height)
    return png(GRADES[art_style](framed))


def _crop(image: Image.Image, aspect: float, rng: np.random.Generator) -> Image.Image:
    """A window of the frame's aspect ratio, zoomed in by a seeded amount, at a seeded position."""
    full_w, full_h = (
        (image.width, image.width / aspect)
        if image.width / image.height < aspect
        else (
            image.height * aspect,
            image.height,
        )
    )
    zoom = rng.uniform(MIN_ZOOM, 1.0)
    crop_w, crop_h = max(full_w * zoom, 1.0), max(full_h * zoom, 1.0)
    left = rng.uniform(0, image.width - crop_w)
    top = rng.uniform(0, image.height - crop_h)
    return image.crop((round(left), round(top), round(left + crop_w), round(top + crop_h)))


def _photorealistic(image: Image.Image) -> Image.Image:
    sharpened = image.filter(ImageFilter.UnsharpMask(radius=2, percent=60, threshold=2))
    return ImageEnhance.Contrast(sharpened).enhance(1.08)


def _cinematic(image: Image.Image) -> Image.Image:
    """Teal shadows, orange highlights, crushed blacks and a vignette."""
    pixels = np.asarray(image, np.float32) / 255
    luma = pixels @ np.array([0.299, 0.587, 0.114], np.float32)
    shadow, highlight = (1 - luma)[..., None], luma[..., None]
    toned = pixels + 0.10 * shadow * np.array([-0.5, 0.1, 0.35]) + 0.10 * highlight * np.array([0.4, 0.1, -0.35])
    toned = np.clip((toned - 0.04) / 0.96, 0, 1) ** 1.1
    return _from_float(toned * _vignette(image.height, image.width, 0.45)[..., None])


def _anime(image: Image.Image) -> Image.Image:
    """Flat cel shading: smoothed, few tones, vivid, with thin dark lines."""
    smooth = image.filter(ImageFilter.ModeFilter(5)).filter(ImageFilter.SMOOTH_MORE)
    cel = ImageEnhance.Color(ImageOps.posterize(smooth, 3)).enhance(1.5)
    return _inked(cel, image, threshold=60, darkness=0.35)


def _comic_book(image: Image.Image) -> Image.Image:
    """Bold inks over a few punchy flat colours and a halftone dot screen."""
    flat = ImageEnhance.Color(ImageOps.posterize(image.filter(ImageFilter.MedianFilter(5)), 2)).enhance(1.8)
    rows, columns = np.mgrid[0 : image.height, 0 : image.width]
    dots = (np.sin(rows * 0.9) * np.sin(columns * 0.9) > 0.6)[..., None]
    screened = np.where(dots, np.asarray(flat, np.float32) * 0.8, np.asarray(flat, np.float32))
    return _inked(Image.fromarray(screened.astype(np.uint8)), image, threshold=35, darkness=1.0)


def _pixar_art(image: Image.Image) -> Image.Image:
    """Soft, bright and saturated, with a warm glow blooming from the highlights."""
    soft = ImageEnhance.Color(image.filter(ImageFilter.GaussianBlur(2))).enhance(1.45)
    soft = ImageEnhance.Brightness(soft).enhance(1.1)
    pixels = np.asarray(soft, np.float32) / 255
    glow = np.asarray(soft.filter(ImageFilter.GaussianBlur(12)), np.float32) / 255
    warm = np.array([1.0, 0.92, 0.78], np.float32)
    return _from_float(1 - (1 - pixels) * (1 - 0.35 * glow * warm))


def _inked(colour: Image.Image, source: Image.Image, threshold: int, darkness: float) -> Image.Image:
    """Draw dark lines where the source has edges stronger than `threshold`."""
    edges = np.asarray(source.convert("L").filter(ImageFilter.FIND_EDGES), np.float32)
    ink = (edges > threshold)[..., None]
    pixels = np.asarray(colour, np.float32)
    return Image.fromarray(np.where(ink, pixels * (1 - darkness), pixels).astype(np.uint8))


def _vignette(height: int, width: int, strength: float) -> np.ndarray:
    rows = np.linspace(-1, 1, height, dtype=np.float32)[:, None]
    columns = np.linspace(-1, 1, width, dtype=np.float32)[None, :]
    return 1 - strength * np.clip(rows**2 + columns**2, 0, 2) / 2


def _from_float(pixels: np.ndarray) -> Image.Image:
    return Image.fromarray((np.clip(pixels, 0, 1) * 255 + 0.5).astype(np.uint8))


GRADES = {
    "photorealistic": _photorealistic,
    "cinematic": _cinematic,
    "anime": _anime,
    "comic-book": _comic_book,
    "pixar-art": _pixar_art,
}
