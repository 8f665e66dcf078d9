"""The models registry: every provider's models, availability from the configured keys, and the routes' shapes."""

import pytest

from libs.common.errors import NotFound
from libs.common.models import MODELS, PICTURE_MODEL_IDS
from libs.common.settings import ProviderSettings
from services.gateway.http.routes.models import catalogue, describe

NO_KEYS = ProviderSettings(openai_api_key="", replicate_api_token="", pexels_api_key="", pixabay_api_key="")


def available(keys: ProviderSettings) -> set[str]:
    return {model.id for model in catalogue(keys).models if model.is_available}


def test_without_keys_only_offline_models_are_available() -> None:
    listing = catalogue(NO_KEYS)
    assert listing.total == len(MODELS) == len(listing.models)
    assert available(NO_KEYS) == {model.id for model in MODELS if model.id.startswith("offline:")}
    assert {"offline:procedural", "offline:espeak-ng", "offline:ambient-music", "offline:writer"} <= available(NO_KEYS)


def test_an_openai_key_makes_the_openai_models_available() -> None:
    keys = ProviderSettings(openai_api_key="sk-test", replicate_api_token="")
    assert available(keys) - available(NO_KEYS) == {
        "openai:gpt-image-1",
        "openai:tts-1",
        "openai:gpt-4o-mini",
        "openai:omni-moderation-latest",
    }


def test_a_replicate_token_makes_the_replicate_models_available() -> None:
    keys = ProviderSettings(openai_api_key="", replicate_api_token="r8_test")
    assert available(keys) - available(NO_KEYS) == {"replicate:flux-schnell", "replicate:sdxl", "replicate:svd-xt"}
    only = catalogue(keys, available_only=True)
    assert only.total == len(only.models) == len(available(keys))


def test_the_keys_are_read_from_their_standard_environment_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    monkeypatch.delenv("REPLICATE_API_TOKEN", raising=False)
    monkeypatch.delenv("REELFORGE_REPLICATE_API_TOKEN", raising=False)
    assert "openai:gpt-image-1" in available(ProviderSettings())
    assert "replicate:sdxl" not in available(ProviderSettings())


def test_svd_xt_is_image_to_video_with_frames_and_fps() -> None:
    svd = describe(NO_KEYS, "replicate:svd-xt")
    assert (svd.provider, svd.is_available, svd.requires) == ("replicate", False, "REPLICATE_API_TOKEN")
    assert svd.capabilities.supports_image_to_video and not svd.capabilities.supports_text_to_video
    assert svd.capabilities.max_frames > 0 and svd.capabilities.recommended_fps > 0
    assert svd.memory_requirements.vram_gb == 0.0 and svd.memory_requirements.ram_gb > 0


def test_only_picture_models_may_be_named_by_a_job() -> None:
    assert set(PICTURE_MODEL_IDS) == {
        "offline:procedural",
        "openai:gpt-image-1",
        "replicate:flux-schnell",
        "replicate:sdxl",
        "replicate:svd-xt",
        "local:automatic1111",
        "local:comfyui",
        "stock:pexels",
        "stock:pixabay",
    }
    assert describe(NO_KEYS, "offline:espeak-ng").usable_as_model_id is False


def test_a_stock_librarys_key_makes_its_stock_model_available() -> None:
    for key, model in [("pexels_api_key", "stock:pexels"), ("pixabay_api_key", "stock:pixabay")]:
        keys = NO_KEYS.model_copy(update={key: "a-key"})
        assert available(keys) - available(NO_KEYS) == {model}
    pexels = describe(NO_KEYS, "stock:pexels")
    assert (pexels.provider, pexels.is_available, pexels.requires, pexels.usable_as_model_id) == (
        "pexels",
        False,
        "PEXELS_API_KEY",
        True,
    )
    assert pexels.capabilities.supports_text_to_video and pexels.capabilities.supports_text_to_image


def test_the_stock_keys_are_read_from_their_standard_environment_names(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("REELFORGE_PEXELS_API_KEY", "REELFORGE_PIXABAY_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PEXELS_API_KEY", "from-env")
    monkeypatch.setenv("PIXABAY_API_KEY", "from-env")
    assert {"stock:pexels", "stock:pixabay"} <= available(ProviderSettings())


def test_an_unknown_model_is_not_found_and_the_known_ones_are_named() -> None:
    with pytest.raises(NotFound, match="offline:procedural"):
        describe(NO_KEYS, "acme:dream")
