"""Every provider model Reelforge can use, what it can do, what it needs, and whether it is usable here.

One registry read by the gateway (`/models`, validating a job's `model_id`, pricing a job) and by
the stages (which model a job's `RenderOptions.model_id` names). A model is available when the
key its provider needs is configured (for a self-hosted server, its URL); offline models always are.
"""

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from libs.common.settings import ProviderSettings

Provider = Literal["offline", "openai", "replicate", "pexels", "pixabay", "automatic1111", "comfyui"]
Task = Literal["story", "moderation", "image", "video", "speech", "music"]

KEY_NAMES: dict[Provider, str] = {
    "openai": "OPENAI_API_KEY",
    "replicate": "REPLICATE_API_TOKEN",
    "pexels": "PEXELS_API_KEY",
    "pixabay": "PIXABAY_API_KEY",
    "automatic1111": "REELFORGE_SD_WEBUI_URL",
    "comfyui": "REELFORGE_COMFYUI_URL",
}
"""The setting a provider with accounts needs, as users know it (the stock libraries are free but keyed)."""
STOCK_LIBRARIES: dict[str, Provider] = {"stock:pexels": "pexels", "stock:pixabay": "pixabay"}
"""The stock media models and the library each searches first."""
SELF_HOSTED: dict[str, Provider] = {"local:automatic1111": "automatic1111", "local:comfyui": "comfyui"}
"""The models painted on the user's own Stable Diffusion server, and which server software it is."""


class Capabilities(BaseModel):
    """What a model makes. Frames and fps matter only to video models (0 otherwise)."""

    supports_text_to_image: bool = False
    supports_text_to_video: bool = False
    supports_image_to_video: bool = False
    max_frames: int = 0
    recommended_fps: int = 0


class MemoryRequirements(BaseModel):
    """Memory this process needs to run the model: zero VRAM for anything running at a provider."""

    vram_gb: float = 0.0
    ram_gb: float = 0.5


@dataclass(frozen=True)
class ModelSpec:
    id: str
    name: str
    provider: Provider
    task: Task
    description: str
    capabilities: Capabilities
    memory: MemoryRequirements

    def is_available(self, configured: frozenset[Provider]) -> bool:
        return self.provider == "offline" or self.provider in configured

    @property
    def makes_pictures(self) -> bool:
        """Whether a job's `model_id` may name it: the imaging stage paints or animates scenes with it."""
        return self.task in ("image", "video")


def _spec(
    id: str, name: str, task: Task, description: str, ram_gb: float = 0.5, **capabilities: int | bool
) -> ModelSpec:
    """A model whose provider is its id's prefix (`openai:…`), or the stock library it searches (`stock:pexels`),
    or the server software that runs it (`local:comfyui`)."""
    named = STOCK_LIBRARIES.get(id) or SELF_HOSTED.get(id)
    provider: Provider = named or id.split(":", 1)[0]  # type: ignore[assignment]
    return ModelSpec(
        id, name, provider, task, description, Capabilities(**capabilities), MemoryRequirements(ram_gb=ram_gb)
    )


MODELS: tuple[ModelSpec, ...] = (
    _spec(
        "offline:procedural",
        "Procedural art",
        "image",
        "Painted on this machine per art style with NumPy and Pillow; no account needed.",
        ram_gb=0.5,
        supports_text_to_image=True,
    ),
    _spec(
        "openai:gpt-image-1",
        "GPT Image 1",
        "image",
        "gpt-image-1 via OpenAI images.",
        ram_gb=0.1,
        supports_text_to_image=True,
    ),
    _spec(
        "replicate:flux-schnell",
        "FLUX.1 [schnell]",
        "image",
        "flux-schnell via Replicate: fast text-to-image.",
        ram_gb=0.1,
        supports_text_to_image=True,
    ),
    _spec(
        "replicate:sdxl",
        "Stable Diffusion XL",
        "image",
        "sdxl via Replicate: text-to-image.",
        ram_gb=0.1,
        supports_text_to_image=True,
    ),
    _spec(
        "replicate:svd-xt",
        "SVD XT",
        "video",
        "svd-xt via Replicate: a short clip animated from each scene's picture.",
        ram_gb=1.0,
        supports_image_to_video=True,
        max_frames=25,
        recommended_fps=6,
    ),
    _spec(
        "stock:pexels",
        "Pexels stock media",
        "video",
        "Free stock videos and photos from Pexels that match each scene's subjects (Pixabay adds coverage when "
        "its key is set too); a scene nothing matches gets procedural art. Credited per scene.",
        ram_gb=0.3,
        supports_text_to_image=True,
        supports_text_to_video=True,
    ),
    _spec(
        "stock:pixabay",
        "Pixabay stock media",
        "video",
        "Free stock videos and photos from Pixabay that match each scene's subjects (Pexels adds coverage when "
        "its key is set too); a scene nothing matches gets procedural art. Credited per scene.",
        ram_gb=0.3,
        supports_text_to_image=True,
        supports_text_to_video=True,
    ),
    _spec(
        "local:automatic1111",
        "Stable Diffusion on your AUTOMATIC1111",
        "image",
        "Your own AUTOMATIC1111 or Forge web UI (REELFORGE_SD_WEBUI_URL, started with --api) paints each scene "
        "with the checkpoint it has loaded, over the reference image when there is one; costs nothing here.",
        ram_gb=0.1,
        supports_text_to_image=True,
    ),
    _spec(
        "local:comfyui",
        "Stable Diffusion on your ComfyUI",
        "image",
        "Your own ComfyUI server (REELFORGE_COMFYUI_URL) runs a text-to-image graph with "
        "REELFORGE_COMFYUI_CHECKPOINT for each scene; costs nothing here.",
        ram_gb=0.1,
        supports_text_to_image=True,
    ),
    _spec("openai:tts-1", "OpenAI TTS", "speech", "tts-1 via OpenAI: the six named voices.", ram_gb=0.1),
    _spec(
        "offline:espeak-ng",
        "eSpeak NG",
        "speech",
        "espeak-ng on this machine: a voice variant per named voice, all 20 languages.",
        ram_gb=0.1,
    ),
    _spec(
        "offline:ambient-music",
        "Ambient music",
        "music",
        "A background track per mood, synthesized on this machine; loops cleanly.",
        ram_gb=0.2,
    ),
    _spec("openai:gpt-4o-mini", "GPT-4o mini", "story", "gpt-4o-mini via OpenAI chat: structured storyboards.", 0.1),
    _spec(
        "offline:writer",
        "Offline writer",
        "story",
        "Hand-written material per topic, told at the requested length; scripts split as written.",
        ram_gb=0.1,
    ),
    _spec(
        "openai:omni-moderation-latest",
        "OpenAI moderation",
        "moderation",
        "omni-moderation-latest via OpenAI.",
        ram_gb=0.1,
    ),
    _spec("offline:moderation-rules", "Moderation rules", "moderation", "Weighted local rules with a 0-1 score.", 0.1),
)

BY_ID: dict[str, ModelSpec] = {model.id: model for model in MODELS}
PICTURE_MODEL_IDS: tuple[str, ...] = tuple(model.id for model in MODELS if model.makes_pictures)
"""The ids a job's `model_id` may name."""
DEFAULT_PICTURE_MODEL = "offline:procedural"
"""What paints scenes when a job names no model."""


def configured_providers(settings: ProviderSettings) -> frozenset[Provider]:
    """The providers whose key (or self-hosted server's URL) is set."""
    configured: set[Provider] = set()
    if settings.openai_api_key:
        configured.add("openai")
    if settings.replicate_api_token:
        configured.add("replicate")
    if settings.pexels_api_key:
        configured.add("pexels")
    if settings.pixabay_api_key:
        configured.add("pixabay")
    if settings.sd_webui_url:
        configured.add("automatic1111")
    if settings.comfyui_url:
        configured.add("comfyui")
    return frozenset(configured)


def get_model(model_id: str) -> ModelSpec | None:
    return BY_ID.get(model_id)


def unavailable_reason(model: ModelSpec, configured: frozenset[Provider]) -> str | None:
    """Why a model cannot be used here, in words a user can act on; None when it can."""
    if model.is_available(configured):
        return None
    return f"model {model.id} is not available: its provider needs {KEY_NAMES[model.provider]} to be set"
