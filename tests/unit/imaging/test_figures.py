"""Offline paintings show the scene's subjects: drawn where they fit, alike across a job, recorded as depicted."""

import io

import numpy as np
import pytest
from PIL import Image

from libs.common.vocabulary import ART_STYLES
from services.imaging.offline import OfflinePainter
from services.imaging.pictures import PictureRequest
from services.imaging.procedural import paint_scene, plan_cast_for

PROMPT = "a cat and an astronaut meet a dragon at night"
SUBJECTS = ("cat", "astronaut", "dragon")


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.float64)


@pytest.mark.parametrize("art_style", ART_STYLES)
def test_the_subjects_are_drawn_over_the_landscape_and_recorded(art_style: str) -> None:
    plain = pixels(paint_scene(PROMPT, art_style, 270, 480, "job:0:1"))
    drawn = pixels(paint_scene(PROMPT, art_style, 270, 480, "job:0:1", SUBJECTS, "job"))
    cast = plan_cast_for(art_style, 270, 480, "job:0:1", SUBJECTS, "job")

    assert cast.depicts == list(SUBJECTS)
    assert cast.focus is not None and 0 < cast.focus[0] < 1 and 0 < cast.focus[1] < 1
    changed = np.abs(drawn - plain).max(axis=2) > 40
    main = next(figure for figure in cast.figures if figure.main)
    inside = changed[main.top : main.top + main.height, main.left : main.left + main.width]
    assert inside.mean() > 0.25, "the main subject's box shows no drawing"
    assert main.subject == "cat" and max(main.width, main.height) >= 0.35 * 270 - 1


@pytest.mark.parametrize(("width", "height"), [(540, 960), (1920, 1080), (1080, 1080), (64, 64), (17, 301)])
@pytest.mark.parametrize("art_style", ["cinematic", "comic-book"])
def test_every_subject_stays_inside_the_frame(art_style: str, width: int, height: int) -> None:
    for scene in range(6):
        subjects = [*["lighthouse", "moon", "dragon", "storm"][scene % 4 :], "cat"]
        cast = plan_cast_for(art_style, width, height, f"job:{scene}:1", subjects, "job")
        assert cast.figures
        for figure in cast.figures:
            assert 0 <= figure.left and figure.left + figure.width <= width, (figure, width)
            assert 0 <= figure.top and figure.top + figure.height <= height, (figure, height)


def test_a_recurring_subject_keeps_its_look_across_a_jobs_scenes() -> None:
    looks = set()
    for scene in range(5):
        cast = plan_cast_for("anime", 540, 960, f"job:{scene}:1", ["dragon", "cat"], "job")
        dragon = next(figure for figure in cast.figures if figure.subject == "dragon")
        looks.add((dragon.text, dragon.width, dragon.height, dragon.flip))
    assert len(looks) == 1
    others = {
        (figure.width, figure.flip)
        for job in ("a", "b", "c", "d")
        for figure in plan_cast_for("anime", 540, 960, f"{job}:0:1", ["dragon"], job).figures
    }
    assert len(others) > 1, "every job draws the dragon alike"


def test_same_arguments_paint_the_same_bytes_and_other_subjects_another_picture() -> None:
    cat = paint_scene(PROMPT, "pixar-art", 270, 480, "job:2:1", ["cat"], "job")
    assert cat == paint_scene(PROMPT, "pixar-art", 270, 480, "job:2:1", ["cat"], "job")
    dragon = paint_scene(PROMPT, "pixar-art", 270, 480, "job:2:1", ["dragon"], "job")
    assert np.abs(pixels(cat) - pixels(dragon)).max(axis=2).mean() > 1.0


def test_a_scene_whose_subjects_have_no_drawing_stays_a_landscape() -> None:
    plain = paint_scene(PROMPT, "anime", 270, 480, "job:0:1")
    assert paint_scene(PROMPT, "anime", 270, 480, "job:0:1", ["spreadsheet", "quantum"], "job") == plain
    cast = plan_cast_for("anime", 270, 480, "job:0:1", ["spreadsheet"], "job")
    assert cast.depicts == [] and cast.focus is None


def test_subjects_are_matched_by_any_of_their_names_and_drawn_once() -> None:
    cast = plan_cast_for("anime", 270, 480, "job:0:1", ["kittens", "old lighthouse", "cat"], "job")
    assert cast.depicts == ["kittens", "old lighthouse"]


def test_the_sun_or_moon_drawn_becomes_the_landscapes_light() -> None:
    cast = plan_cast_for("anime", 540, 960, "job:0:1", ["fox", "moon"], "job")
    assert cast.luminary is not None and cast.luminary.subject == "moon"
    assert cast.luminary.bottom < 0.5 * 960, "the moon stands above the horizon"


async def test_the_offline_maker_describes_what_it_paints() -> None:
    maker = OfflinePainter()
    request = PictureRequest(PROMPT, "cinematic", 270, 480, "standard", "job:0:1", subjects=SUBJECTS, look_seed="job")
    shown = maker.depiction(request)
    assert shown.depicts == SUBJECTS and shown.focus is not None
    assert await maker.make(request) == paint_scene(PROMPT, "cinematic", 270, 480, "job:0:1", SUBJECTS, "job")
