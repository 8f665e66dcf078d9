"""What each provider operation costs, in US dollars: one table, read by every stage that spends.

Stages price what they actually did (`CostBreakdown` on their completion events); the gateway
prices what a job will do before it starts. Offline providers cost nothing; rendering is priced
per minute of output so self-hosters can account for their own compute.
"""

from pydantic import Field, NonNegativeFloat

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
