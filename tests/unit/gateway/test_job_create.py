"""What a job request turns into: sources, options and the resolution grammar."""

import pytest
from pydantic import ValidationError

from services.gateway.schemas import JobCreate


def test_defaults_make_a_vertical_short() -> None:
    options = JobCreate(topic="mystery").render_options()
    assert (options.width, options.height, options.fps, options.duration) == (1080, 1920, 30, "short")
    assert options.subtitles is True


def test_resolution_and_options_carry_through() -> None:
    request = JobCreate(prompt="a lighthouse", resolution="1920x1080", fps=60, voice="nova", language="greek")
    options = request.render_options()
    assert (options.width, options.height, options.fps, options.voice, options.language) == (
        1920,
        1080,
        60,
        "nova",
        "greek",
    )
    assert request.source().prompt == "a lighthouse"


@pytest.mark.parametrize("resolution", ["1080", "1080x", "x1920", "100x1920", "4000x1080", "1081x1920", "1080×1920"])
def test_bad_resolutions_are_rejected(resolution: str) -> None:
    with pytest.raises(ValidationError, match="resolution"):
        JobCreate(topic="love", resolution=resolution)


def test_custom_topic_needs_its_text() -> None:
    with pytest.raises(ValidationError, match="topic_text"):
        JobCreate(topic="custom topic")
    assert JobCreate(topic="custom topic", topic_text="owls").source().topic_text == "owls"
