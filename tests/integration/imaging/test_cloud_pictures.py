"""The cloud picture makers over real HTTP, against fake OpenAI and Replicate servers that validate requests."""

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from openai import AsyncOpenAI
from PIL import Image

from libs.common.errors import ProviderError
from libs.common.pricing import Prices
from services.imaging.openai_images import OpenAIImages
from services.imaging.pictures import PictureRequest
from services.imaging.replicate_api import ReplicateClient
from services.imaging.replicate_models import FLUX_SCHNELL, SDXL, ReplicateClips, ReplicateStills
from tests.fakes.openai_api import IMAGES, FakeOpenAI, content_policy, fail
from tests.fakes.replicate_api import FLUX_SCHNELL as FLUX_SLUG
from tests.fakes.replicate_api import SVD, FakeReplicate, http_error, nsfw, slow
from tests.media import probe


def request(width: int = 270, height: int = 480, **changes: object) -> PictureRequest:
    fields: dict = {"prompt": "a lighthouse at dusk, cinematic", "art_style": "cinematic", "width": width,
                    "height": height, "quality": "standard", "seed": "job:0:1"} | changes  # fmt: skip
    return PictureRequest(**fields)


def size_of(png: bytes) -> tuple[str | None, tuple[int, int]]:
    image = Image.open(io.BytesIO(png))
    return image.format, image.size


@pytest.fixture
async def replicate(fake_replicate: FakeReplicate) -> AsyncIterator[ReplicateClient]:
    client = ReplicateClient(fake_replicate.token, f"{fake_replicate.base_url}/v1", 10.0, 0.05, 10.0)
    yield client
    await client.close()


def openai_images(fake: FakeOpenAI, key: str | None = None) -> OpenAIImages:
    client = AsyncOpenAI(api_key=key or fake.api_key, base_url=fake.base_url, max_retries=0, timeout=10)
    return OpenAIImages(client, "gpt-image-1")


@pytest.mark.parametrize(
    ("width", "height", "quality", "asked_size", "asked_quality"),
    [(270, 480, "standard", "1024x1536", "medium"), (480, 270, "high", "1536x1024", "high"),
     (128, 128, "draft", "1024x1024", "low")],
)  # fmt: skip
async def test_openai_is_asked_for_the_nearest_size_and_the_answer_is_cropped_to_the_frame(
    fake_openai: FakeOpenAI, width: int, height: int, quality: str, asked_size: str, asked_quality: str
) -> None:
    png = await openai_images(fake_openai).make(request(width, height, quality=quality))

    assert size_of(png) == ("PNG", (width, height))
    [sent] = fake_openai.requests(IMAGES)
    assert sent.reply.status == 200
    assert (sent.body["model"], sent.body["size"], sent.body["quality"]) == ("gpt-image-1", asked_size, asked_quality)
    assert "response_format" not in sent.body  # gpt-image-1 rejects it


@pytest.mark.parametrize(
    ("behaviour", "key", "message", "retryable"),
    [
        (None, "sk-wrong-0123456789", "OpenAI rejected the API key (check OPENAI_API_KEY)", False),
        (content_policy(), None, "OpenAI refused the request under its content policy", False),
        (fail(503), None, "OpenAI failed with HTTP 503", True),
    ],
)
async def test_openai_failures_are_clear_provider_errors(
    fake_openai: FakeOpenAI, behaviour: object, key: str | None, message: str, retryable: bool
) -> None:
    if behaviour is not None:
        fake_openai.queue(IMAGES, behaviour)  # type: ignore[arg-type]
    with pytest.raises(ProviderError) as raised:
        await openai_images(fake_openai, key).make(request())
    assert raised.value.message.startswith(message) and raised.value.retryable is retryable
    assert "sk-wrong" not in raised.value.message


async def test_flux_is_asked_with_prefer_wait_in_the_nearest_aspect_ratio(
    fake_replicate: FakeReplicate, replicate: ReplicateClient
) -> None:
    png = await ReplicateStills(replicate, FLUX_SCHNELL).make(request(270, 480))

    assert size_of(png) == ("PNG", (270, 480))
    [created] = fake_replicate.requests("/v1/models/")
    assert created.path == f"/v1/models/{FLUX_SLUG}/predictions"
    assert created.headers["prefer"].startswith("wait")
    assert created.body["input"]["aspect_ratio"] == "9:16" and created.body["input"]["output_format"] == "png"


async def test_a_prediction_still_running_is_polled_until_it_succeeds(
    fake_replicate: FakeReplicate, replicate: ReplicateClient
) -> None:
    fake_replicate.queue(FLUX_SLUG, slow(polls=3))

    await ReplicateStills(replicate, FLUX_SCHNELL).make(request())

    polls = [record for record in fake_replicate.requests("/v1/predictions/") if record.method == "GET"]
    assert len(polls) == 3


async def test_sdxl_runs_its_pinned_version_and_paints_over_the_reference(
    fake_replicate: FakeReplicate, replicate: ReplicateClient
) -> None:
    reference = io.BytesIO()
    Image.new("RGB", (300, 200), "teal").save(reference, "PNG")

    png = await ReplicateStills(replicate, SDXL).make(request(480, 270, reference=reference.getvalue()))

    assert size_of(png) == ("PNG", (480, 270))
    [created] = fake_replicate.requests("/v1/predictions")
    assert created.body["version"] == SDXL.version
    inputs = created.body["input"]
    assert (inputs["width"], inputs["height"]) == (1024, 576)
    assert inputs["image"].startswith("data:image/jpeg;base64,")


async def test_svd_xt_animates_a_flux_still_into_a_clip_of_the_frame_size(
    fake_replicate: FakeReplicate, replicate: ReplicateClient, tmp_path: Path
) -> None:
    clips = ReplicateClips(replicate, ReplicateStills(replicate, FLUX_SCHNELL))

    path = tmp_path / "clip.mp4"
    path.write_bytes(await clips.make(request(160, 284)))

    [video] = probe(path)["streams"]
    assert (video["codec_name"], video["width"], video["height"], video["pix_fmt"]) == ("h264", 160, 284, "yuv420p")
    assert int(video["nb_frames"]) == 25
    [animated] = fake_replicate.predictions(SVD)
    assert animated.inputs["video_length"] == "25_frames_with_svd_xt"
    assert len(fake_replicate.predictions(FLUX_SLUG)) == 1
    prices = Prices()
    cost = clips.cost(prices, has_reference=False)
    assert (cost.video_generation, cost.image_generation) == (prices.price_replicate_clip, prices.price_replicate_image)


@pytest.mark.parametrize(
    ("outcome", "message", "retryable"),
    [
        (nsfw(), "Replicate refused the request under its content policy", False),
        (http_error(402), "the Replicate account is out of quota or credit", False),
        (http_error(429, retry_after_s=7), "Replicate is rate limiting the requests", True),
    ],
)
async def test_replicate_failures_are_clear_provider_errors(
    fake_replicate: FakeReplicate, replicate: ReplicateClient, outcome: object, message: str, retryable: bool
) -> None:
    fake_replicate.queue(FLUX_SLUG, outcome)  # type: ignore[arg-type]
    with pytest.raises(ProviderError) as raised:
        await ReplicateStills(replicate, FLUX_SCHNELL).make(request())
    assert raised.value.message.startswith(message) and raised.value.retryable is retryable
    if retryable:
        assert raised.value.retry_after_s == 7


async def test_a_wrong_replicate_token_is_named(fake_replicate: FakeReplicate) -> None:
    client = ReplicateClient("r8_wrong_token_0123456789", f"{fake_replicate.base_url}/v1", 10.0, 0.05, 10.0)
    try:
        with pytest.raises(ProviderError, match=r"Replicate rejected the API key \(check REPLICATE_API_TOKEN\)"):
            await ReplicateStills(client, FLUX_SCHNELL).make(request())
    finally:
        await client.close()


async def test_an_output_url_inside_the_network_is_refused(fake_replicate: FakeReplicate) -> None:
    """The output URL comes from the provider: only the API's own host is trusted, not other internal ones."""
    client = ReplicateClient(fake_replicate.token, f"{fake_replicate.base_url}/v1", 10.0, 0.05, 10.0)
    try:
        with pytest.raises(ProviderError, match=r"output URL that is not allowed: .*metadata") as raised:
            await client.download("http://169.254.169.254/latest/meta-data/")
        assert raised.value.retryable is False
    finally:
        await client.close()
