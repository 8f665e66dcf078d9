"""What a job request turns into: sources, options and the resolution grammar."""

import pytest
from pydantic import ValidationError

from libs.common.models import PICTURE_MODEL_IDS
from libs.common.vocabulary import ART_STYLES, FPS_VALUES, LANGUAGES, MOODS, QUALITIES, TRANSITIONS, VOICES
from services.gateway.core.schemas import JobCreate


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


# ---- every documented option ------------------------------------------------------------------

EVERY_OPTION = {
    "art_style": ART_STYLES,
    "language": LANGUAGES,
    "voice": VOICES,
    "fps": FPS_VALUES,
    "quality": QUALITIES,
    "transition": TRANSITIONS,
    "mood": MOODS,
    "model_id": PICTURE_MODEL_IDS,
    "subtitles": (True, False),
    "motion": (True, False),
    "include_voice": (True, False),
    "include_music": (True, False),
    "preview": (True, False),
    "num_scenes": (1, 7, 30),
}


@pytest.mark.parametrize(
    ("name", "value"), [(name, value) for name, values in EVERY_OPTION.items() for value in values]
)
def test_every_documented_option_value_reaches_the_render_options(name: str, value: object) -> None:
    options = JobCreate.model_validate({"topic": "love", name: value}).render_options()
    assert getattr(options, name) == value


@pytest.mark.parametrize(
    ("duration", "preset", "seconds"),
    [("short", "short", None), ("long", "long", None), (30, "short", 30), ("240", "long", 240), (5, "short", 5)],
)
def test_duration_is_a_preset_or_seconds(duration: object, preset: str, seconds: int | None) -> None:
    options = JobCreate.model_validate({"prompt": "a lighthouse", "duration": duration}).render_options()
    assert (options.duration, options.duration_s) == (preset, seconds)


def test_genre_and_style_preferences_reach_the_job_input() -> None:
    request = JobCreate(script="One line.", genre="noir", style_preferences={"color_palette": "warm", "mood": "calm"})
    source = request.source()
    assert (source.genre, source.style_preferences) == ("noir", {"color_palette": "warm", "mood": "calm"})


@pytest.mark.parametrize(
    ("field", "value", "allowed"),
    [
        ("art_style", "watercolour", "'photorealistic', 'cinematic', 'anime', 'comic-book' or 'pixar-art'"),
        ("voice", "robot", "'alloy', 'echo', 'fable', 'onyx', 'nova' or 'shimmer'"),
        ("quality", "ultra", "'draft', 'standard' or 'high'"),
        ("transition", "spin", "'crossfade', 'fadeblack', 'wipeleft', 'slideup' or 'none'"),
        ("mood", "angry", "'inspiring', 'calm'"),
        ("fps", 29, "24, 25, 30 or 60"),
        ("language", "klingon", "'english', 'czech'"),
        ("duration", "medium", "'short', 'long' or a number of seconds from 5 to 600"),
        ("duration", 601, "'short', 'long' or a number of seconds from 5 to 600"),
        ("model_id", "acme:dream", "'offline:procedural', 'openai:gpt-image-1', 'replicate:flux-schnell'"),
        ("num_scenes", 31, "less than or equal to 30"),
        ("num_scenes", 0, "greater than or equal to 1"),
    ],
)
def test_a_bad_option_is_refused_naming_the_allowed_values(field: str, value: object, allowed: str) -> None:
    with pytest.raises(ValidationError) as caught:
        JobCreate.model_validate({"topic": "love", field: value})
    [error] = caught.value.errors()
    assert error["loc"] == (field,)
    assert allowed in error["msg"]


def test_style_preferences_are_bounded() -> None:
    too_many = {f"key{n}": "value" for n in range(11)}
    for preferences in (too_many, {"k" * 41: "v"}, {"palette": "v" * 101}, {"palette": ""}, {"palette": 3}):
        with pytest.raises(ValidationError, match="style_preferences"):
            JobCreate.model_validate({"topic": "love", "style_preferences": preferences})
