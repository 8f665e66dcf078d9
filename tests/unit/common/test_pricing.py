"""Pricing a job before it starts: each kind of work priced from the table by what the job will do."""

import pytest

from libs.common.events import CostBreakdown, JobInput, RenderOptions
from libs.common.models import Provider
from libs.common.pricing import Prices, estimate

PRICES = Prices()
OFFLINE: frozenset[Provider] = frozenset()
OPENAI: frozenset[Provider] = frozenset({"openai"})
BOTH: frozenset[Provider] = frozenset({"openai", "replicate"})


def test_an_offline_job_costs_only_its_render() -> None:
    cost = estimate(JobInput(topic="love"), RenderOptions(), OFFLINE, PRICES)
    assert cost.model_dump() == {
        "story_generation": 0.0,
        "image_generation": 0.0,
        "video_generation": 0.0,
        "voice_synthesis": 0.0,
        "music_synthesis": 0.0,
        "ffmpeg_processing": pytest.approx(45 / 60 * PRICES.price_render_per_minute),
    }


def test_openai_prices_the_story_and_the_narration_by_length() -> None:
    short = estimate(JobInput(topic="love"), RenderOptions(), OPENAI, PRICES)
    long = estimate(JobInput(topic="love"), RenderOptions(duration_s=180), OPENAI, PRICES)
    assert short.story_generation == long.story_generation == PRICES.price_openai_chat_story
    assert 0 < short.voice_synthesis < long.voice_synthesis == pytest.approx(4 * short.voice_synthesis, rel=0.05)
    silent = estimate(JobInput(topic="love"), RenderOptions(include_voice=False), OPENAI, PRICES)
    assert silent.voice_synthesis == 0.0


def test_a_script_is_never_sent_to_a_model_and_is_narrated_by_its_own_length() -> None:
    script = "The first line of the story.\nThe second line.\nThe end."
    cost = estimate(JobInput(script=script), RenderOptions(), OPENAI, PRICES)
    assert cost.story_generation == 0.0
    assert cost.voice_synthesis == pytest.approx(len(script) / 1000 * PRICES.price_openai_tts_per_1k_chars)


@pytest.mark.parametrize(
    ("model_id", "image_price", "clip_price"),
    [
        ("offline:procedural", 0.0, 0.0),
        ("openai:gpt-image-1", PRICES.price_openai_image, 0.0),
        ("replicate:flux-schnell", PRICES.price_replicate_image, 0.0),
        ("replicate:sdxl", PRICES.price_replicate_image, 0.0),
        ("replicate:svd-xt", 0.0, PRICES.price_replicate_clip),
        ("stock:pexels", 0.0, 0.0),
        ("stock:pixabay", 0.0, 0.0),
    ],
)
def test_pictures_are_priced_per_scene_by_the_model(model_id: str, image_price: float, clip_price: float) -> None:
    cost = estimate(JobInput(prompt="a fox"), RenderOptions(model_id=model_id, num_scenes=10), BOTH, PRICES)
    assert cost.image_generation == pytest.approx(10 * image_price)
    assert cost.video_generation == pytest.approx(10 * clip_price)


def test_a_reference_image_needs_no_generated_stills() -> None:
    source = JobInput(prompt="a fox", reference_image_key="uploads/x/reference.png")
    cost = estimate(source, RenderOptions(model_id="openai:gpt-image-1", num_scenes=3), BOTH, PRICES)
    assert cost.image_generation == 0.0


def test_music_and_a_preview_add_their_share() -> None:
    prices = Prices(price_music_track=0.3)
    plain = estimate(JobInput(topic="love"), RenderOptions(), OFFLINE, prices)
    extras = estimate(JobInput(topic="love"), RenderOptions(include_music=True, preview=True), OFFLINE, prices)
    assert (plain.music_synthesis, extras.music_synthesis) == (0.0, 0.3)
    assert extras.ffmpeg_processing > plain.ffmpeg_processing


def test_the_total_is_the_sum_of_the_breakdown() -> None:
    cost = estimate(
        JobInput(topic="scary"), RenderOptions(model_id="replicate:svd-xt", include_music=True), BOTH, PRICES
    )
    assert cost.total == pytest.approx(sum(cost.model_dump().values()))
    assert (cost + CostBreakdown(story_generation=1.0)).total == pytest.approx(cost.total + 1.0)
