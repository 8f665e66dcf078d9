"""Motion that follows the picture's main subject: zooms hold it in place, pans travel toward it."""

import math
import re

import pytest

from services.render.motion import DIRECTIONS, Pan, Zoom, plan_motion


def zoom(focus: tuple[float, float] | None) -> Zoom:
    motion = plan_motion(0, 150, 1080, 1920, 30, True, focus)
    assert isinstance(motion, Zoom)
    return motion


def test_a_zoom_without_a_focus_cuts_the_centre_as_before() -> None:
    plain = zoom(None)
    assert plain.anchor == (0.5, 0.5)
    assert plain == plan_motion(0, 150, 1080, 1920, 30, True)
    centred = rf"crop=1080:1920:x='\(\({plain.canvas_width}-[^']*-1080\)/2':y='[^']*-1920\)/2':exact=1$"
    assert re.search(centred, plain.filter(0))


@pytest.mark.parametrize("focus", [(0.3, 0.72), (0.68, 0.25), (0.0, 1.0)])
def test_a_zoom_holds_the_main_subject_in_place_on_screen(focus: tuple[float, float]) -> None:
    motion = zoom(focus)
    assert motion.anchor == focus
    for frame in range(0, 150, 7):
        width, height = motion.size(frame)
        left = math.floor((width - motion.width) * focus[0])
        top = math.floor((height - motion.height) * focus[1])
        assert 0 <= left <= width - motion.width and 0 <= top <= height - motion.height
        assert abs(focus[0] * width - left - focus[0] * motion.width) <= 1
        assert abs(focus[1] * height - top - focus[1] * motion.height) <= 1
    crop = motion.filter(30)
    assert re.search(rf"x='floor\(\(.*\)\*{focus[0]:.4f}\)'", crop), crop


@pytest.mark.parametrize(("focus", "direction"), [((0.8, 0.75), (1, 1)), ((0.2, 0.5), (-1, 0)), ((0.52, 0.3), (0, -1))])
def test_a_pan_travels_toward_the_main_subject(focus: tuple[float, float], direction: tuple[int, int]) -> None:
    motion = plan_motion(1, 150, 1080, 1920, 30, True, focus)
    assert isinstance(motion, Pan) and (motion.dx, motion.dy) == direction


def test_a_centred_subject_leaves_the_pan_as_planned_and_a_still_stays_still() -> None:
    motion = plan_motion(3, 150, 1080, 1920, 30, True, (0.5, 0.5))
    assert isinstance(motion, Pan) and (motion.dx, motion.dy) == DIRECTIONS[1]
    assert plan_motion(1, 150, 1080, 1920, 30, False, (0.9, 0.9)) == Pan(1080, 1920, 1080, 1920, 0, 0, 1)
