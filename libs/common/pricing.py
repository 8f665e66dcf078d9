"""What each provider operation costs, in US dollars: one table, read by every stage that spends.

Stages price what they actually did (`CostBreakdown` on their completion events); the gateway
prices what a job will do before it starts. Offline providers cost nothing; rendering is priced
per minute of output so self-hosters can account for their own compute.
"""

import re

from pydantic import Field, NonNegativeFloat

from libs.common.events import CostBreakdown, JobInput, RenderOptions
from libs.common.models import BY_ID, DEFAULT_PICTURE_MODEL, Provider, get_model
from libs.common.pacing import planned_seconds, target_scenes
from libs.common.settings import ReelforgeSettings


class Prices(ReelforgeSettings):
    """Prices per operation; override any of them with `REELFORGE_PRICE_<NAME>`."""

    price_openai_chat_story: NonNegativeFloat = Field(0.002, description="One story from OpenAI chat.")
    price_openai_image: NonNegativeFloat = Field(0.04, description="One image from OpenAI images.")
    price_replicate_image: NonNegativeFloat = Field(0.003, description="One text-to-image run on Replicate.")
    price_replicate_clip: NonNegativeFloat = Field(0.05, description="One image-to-video clip on Replicate.")
    price_openai_tts_per_1k_chars: NonNegativeFloat = Field(0.015, description="OpenAI speech, per 1000 characters.")
    price_music_track: NonNegativeFloat = Field(0.0, description="One synthesized background track.")
    price_render_per_minute: NonNegativeFloat = Field(0.01, description="ffmpeg rendering, per minute of video.")


class CostLimits(ReelforgeSettings):
    """Spending limits checked before a job starts (0 turns a limit off)."""

    cost_limit_per_job_usd: NonNegativeFloat = Field(100.0, description="Most one job may be estimated to cost.")
    cost_limit_per_user_day_usd: NonNegativeFloat = Field(
        500.0, description="Most one user's jobs of one UTC day may cost, this job's estimate included."
    )


SCRIPT_SCENE_CAP = 60


def estimate(source: JobInput, options: RenderOptions, providers: frozenset[Provider], prices: Prices) -> CostBreakdown:
    """What a job will cost before it starts, given the paid providers configured (`providers`).

    The story is priced when OpenAI would write it (a script never goes to a model); pictures by
    the job's model (a clip model also animates every scene); narration by characters when OpenAI
    speaks it; rendering by minutes of video, a draft preview counting as a second, smaller render.
    """
    seconds, scenes = _planned(source, options)
    model = get_model(options.model_id or DEFAULT_PICTURE_MODEL) or BY_ID[DEFAULT_PICTURE_MODEL]
    per_picture = _picture_price(model.id, prices)
    images = 0.0 if source.reference_image_key else scenes * (per_picture if model.task == "image" else 0.0)
    clips = scenes * per_picture if model.task == "video" else 0.0
    characters = len(source.script) if source.script else seconds * CHARACTERS_PER_SECOND
    voice = characters / 1000 * prices.price_openai_tts_per_1k_chars if options.include_voice else 0.0
    render_minutes = seconds / 60 * (1 + PREVIEW_SHARE if options.preview else 1)
    return CostBreakdown(
        story_generation=prices.price_openai_chat_story if "openai" in providers and not source.script else 0.0,
        image_generation=round(images, 6),
        video_generation=round(clips, 6),
        voice_synthesis=round(voice, 6) if "openai" in providers else 0.0,
        music_synthesis=prices.price_music_track if options.include_music else 0.0,
        ffmpeg_processing=round(render_minutes * prices.price_render_per_minute, 6),
    )


CHARACTERS_PER_SECOND = 17
"""What a narrator reads in a second: about 3 English words of 6 characters (with space and punctuation)."""
PREVIEW_SHARE = 0.25
"""A draft preview renders at a quarter of the work of the full video."""


def _planned(source: JobInput, options: RenderOptions) -> tuple[float, int]:
    """Seconds of video and pictures a job will make (`pacing.planned_seconds`, as the story plans it); a
    script's paragraphs decide its pictures unless `num_scenes` does."""
    seconds = planned_seconds(source, options)
    if source.script and options.num_scenes is None:
        text = source.script.strip()
        pieces = re.split(r"\n\s*\n", text) if re.search(r"\n\s*\n", text) else text.splitlines()
        return seconds, min(SCRIPT_SCENE_CAP, max(1, sum(1 for piece in pieces if piece.strip())))
    return seconds, target_scenes(options)


def _picture_price(model_id: str, prices: Prices) -> float:
    """One picture's price; offline art, the stock libraries (free under their licences) and the user's own
    Stable Diffusion server (their GPU, not an account here) cost nothing."""
    return {
        "openai:gpt-image-1": prices.price_openai_image,
        "replicate:flux-schnell": prices.price_replicate_image,
        "replicate:sdxl": prices.price_replicate_image,
        "replicate:svd-xt": prices.price_replicate_clip,
        "stock:pexels": 0.0,
        "stock:pixabay": 0.0,
        "local:automatic1111": 0.0,
        "local:comfyui": 0.0,
    }.get(model_id, 0.0)
