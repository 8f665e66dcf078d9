"""Self-hosted Stable Diffusion (an AUTOMATIC1111/Forge web UI, ComfyUI) over real HTTP, against a fake server
that speaks both APIs and validates what it is sent; directly, and through the imaging stage."""

import base64
import io
import re
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from uuid import uuid4

import pytest
from PIL import Image

from libs.common.errors import InvalidInput, ProviderError
from libs.common.events import (
    ImagesCompleted,
    JobFailed,
    JobInput,
    RenderOptions,
    Scene,
    Storyboard,
    StoryCompleted,
)
from libs.common.pricing import Prices
from libs.common.settings import ProviderSettings, StorageSettings
from libs.common.storage import open_store
from services.gateway.core.admission import price_job
from services.gateway.http.routes.models import catalogue
from services.imaging.app import create_app
from services.imaging.pictures import PictureMaker, PictureRequest
from services.imaging.providers import build_makers
from services.imaging.settings import ImagingSettings
from tests.bus import BusProbe, service_settings, serving
from tests.fakes.stable_diffusion import CHECKPOINTS, FakeStableDiffusion, FakeStableDiffusionServer, with_login
from tests.servers import free_port

WEBUI, COMFYUI = "local:automatic1111", "local:comfyui"
GENERATES = {WEBUI: "/sdapi/v1/", COMFYUI: "/prompt"}
"""Where each server is asked for a picture."""


@pytest.fixture(scope="module")
def sd_server() -> Iterator[FakeStableDiffusionServer]:
    server = FakeStableDiffusionServer(FakeStableDiffusion())
    with server:
        yield server


@pytest.fixture
def fake_sd(sd_server: FakeStableDiffusionServer) -> Iterator[FakeStableDiffusion]:
    """The fake with nothing recorded or scripted; both APIs at `fake_sd.base_url`."""
    sd_server.fake.reset()
    yield sd_server.fake
    sd_server.fake.reset()


def request(width: int = 270, height: int = 480, **changes: object) -> PictureRequest:
    fields: dict = {"prompt": "a lighthouse at dusk, cinematic", "art_style": "cinematic", "width": width,
                    "height": height, "quality": "standard", "seed": "job:0:1"} | changes  # fmt: skip
    return PictureRequest(**fields)


def size_of(png: bytes) -> tuple[str | None, tuple[int, int]]:
    image = Image.open(io.BytesIO(png))
    return image.format, image.size


@asynccontextmanager
async def maker(model_id: str, url: str, **changes: object) -> AsyncIterator[PictureMaker]:
    """The maker the imaging stage would pick for `model_id`, with both servers at `url`."""
    settings = ImagingSettings(sd_webui_url=url, comfyui_url=url, comfyui_poll_s=0.01, **changes)  # type: ignore[arg-type]
    makers = build_makers(settings)
    try:
        yield makers.for_model(model_id)
    finally:
        await makers.close()


def sent_seeds(fake: FakeStableDiffusion, model_id: str) -> list[int]:
    bodies = [record.body for record in fake.requests(GENERATES[model_id], "POST")]
    if model_id == WEBUI:
        return [body["seed"] for body in bodies]
    return [
        next(n["inputs"]["seed"] for n in body["prompt"].values() if n["class_type"] == "KSampler") for body in bodies
    ]


@pytest.mark.parametrize(
    ("width", "height", "quality", "canvas", "steps"),
    [(270, 480, "standard", (576, 1024), 25), (480, 270, "high", (1024, 576), 40),
     (128, 128, "draft", (1024, 1024), 12)],
)  # fmt: skip
async def test_the_web_ui_paints_the_prompt_in_the_frame_shape_and_the_picture_is_cropped_to_the_frame(
    fake_sd: FakeStableDiffusion, width: int, height: int, quality: str, canvas: tuple[int, int], steps: int
) -> None:
    async with maker(WEBUI, fake_sd.base_url) as webui:
        png = await webui.make(request(width, height, quality=quality))

    assert size_of(png) == ("PNG", (width, height))
    [sent] = fake_sd.requests("/sdapi/v1/txt2img")
    assert sent.body == {
        "prompt": "a lighthouse at dusk, cinematic",
        "negative_prompt": ImagingSettings().sd_negative_prompt,
        "width": canvas[0],
        "height": canvas[1],
        "steps": steps,
        "cfg_scale": 7.0,
        "seed": request().seed_number,
        "sampler_name": "Euler a",
        "batch_size": 1,
    }
    assert webui.cost(Prices(), has_reference=False).total == 0


async def test_the_web_ui_paints_over_the_reference_image_with_img2img(fake_sd: FakeStableDiffusion) -> None:
    reference = io.BytesIO()
    Image.new("RGB", (300, 200), "teal").save(reference, "JPEG")

    async with maker(WEBUI, fake_sd.base_url, sd_long_side=512) as webui:
        png = await webui.make(request(480, 270, reference=reference.getvalue()))

    assert size_of(png) == ("PNG", (480, 270))
    [sent] = fake_sd.requests("/sdapi/v1/img2img")
    assert (sent.body["width"], sent.body["height"], sent.body["denoising_strength"]) == (512, 288, 0.75)
    [start] = sent.body["init_images"]
    assert size_of(base64.b64decode(start)) == ("PNG", (512, 288))


async def test_comfyui_queues_the_graph_polls_its_history_until_the_run_is_recorded_and_fetches_the_picture(
    fake_sd: FakeStableDiffusion,
) -> None:
    async with maker(COMFYUI, fake_sd.base_url) as comfyui:
        png = await comfyui.make(request(270, 480, prompt="a fox in the snow"))

    assert size_of(png) == ("PNG", (270, 480))
    [queued] = fake_sd.requests("/prompt")
    graph = queued.body["prompt"]
    assert graph["4"]["inputs"]["ckpt_name"] == "sd_xl_base_1.0.safetensors"
    assert (graph["6"]["inputs"]["text"], graph["7"]["inputs"]["text"]) == (
        "a fox in the snow",
        ImagingSettings().sd_negative_prompt,
    )
    assert graph["5"]["inputs"] == {"width": 576, "height": 1024, "batch_size": 1}
    sampler = graph["3"]["inputs"]
    assert (sampler["seed"], sampler["steps"], sampler["cfg"]) == (request().seed_number, 25, 7.0)
    assert queued.body["client_id"]
    polls = fake_sd.requests("/history/")
    assert len(polls) == 2, "the fake records the run after one poll"
    [view] = fake_sd.requests("/view")
    assert view.query == {"filename": "reelforge_00001_.png", "subfolder": "", "type": "output"}


@pytest.mark.parametrize("model_id", [WEBUI, COMFYUI])
async def test_the_same_seed_string_paints_with_the_same_seed_so_a_redelivery_repaints_the_same_picture(
    fake_sd: FakeStableDiffusion, model_id: str
) -> None:
    async with maker(model_id, fake_sd.base_url) as local:
        first, again, other = [await local.make(request(seed=seed)) for seed in ("job:0:1", "job:0:1", "job:0:2")]

    seeds = sent_seeds(fake_sd, model_id)
    assert seeds[0] == seeds[1] == request(seed="job:0:1").seed_number != seeds[2]
    assert first == again != other


def _answer(api: str, status: int, body: object = None) -> Callable[[FakeStableDiffusion], None]:
    return lambda fake: fake.fail_next(api, status, body)  # type: ignore[arg-type]


def _run_error(kind: str, message: str) -> Callable[[FakeStableDiffusion], None]:
    return lambda fake: fake.fail_run(kind, message)


def _nothing(fake: FakeStableDiffusion) -> None:
    return None


BAD_STEPS = {"error": "HTTPException", "detail": "Invalid steps", "body": "", "errors": "400: Invalid steps"}
AT = r" at http://127\.0\.0\.1:\d+ "
MISSING_CHECKPOINT = (
    r"rejected the request \(HTTP 400\): Prompt outputs failed validation; CheckpointLoaderSimple \(node 4\): "
    r"Value not in list: ckpt_name: 'dreamshaper_8\.safetensors' not in \[.*\]; set REELFORGE_COMFYUI_CHECKPOINT "
    r"to one of the server's checkpoints$"
)
FAILURES = [
    pytest.param(WEBUI, _answer("webui", 500), {}, "failed with HTTP 500 .*trying again$", True, id="webui-500"),
    pytest.param(COMFYUI, _answer("comfyui", 500), {}, "failed with HTTP 500 .*trying again$", True, id="comfyui-500"),
    pytest.param(COMFYUI, _answer("comfyui", 503), {}, "failed with HTTP 503", True, id="comfyui-503"),
    pytest.param(
        WEBUI, _answer("webui", 400, BAD_STEPS), {}, r"rejected the request \(HTTP 400\): Invalid steps$", False,
        id="webui-400",
    ),
    pytest.param(
        WEBUI, _nothing, {"sd_webui_sampler": "Euler b"},
        r"answered HTTP 404 at /sdapi/v1/txt2img \(Sampler not found\): .*REELFORGE_SD_WEBUI_SAMPLER", False,
        id="webui-unknown-sampler",
    ),
    pytest.param(
        COMFYUI, _nothing, {"comfyui_checkpoint": "dreamshaper_8.safetensors"}, MISSING_CHECKPOINT, False,
        id="comfyui-missing-checkpoint",
    ),
    pytest.param(
        COMFYUI, _run_error("torch.OutOfMemoryError", "Allocation on device"), {},
        r"failed in KSampler \(node 3\): torch\.OutOfMemoryError: Allocation on device; trying again$", True,
        id="comfyui-out-of-memory",
    ),
    pytest.param(
        COMFYUI, _run_error("RuntimeError", "mat1 and mat2 shapes cannot be multiplied"), {},
        r"failed in KSampler \(node 3\): RuntimeError: mat1 and mat2 shapes cannot be multiplied$", False,
        id="comfyui-run-error",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("model_id", "prepare", "changes", "message", "retryable"), FAILURES)
async def test_server_errors_are_retried_and_refusals_fail_clearly_naming_the_server(
    fake_sd: FakeStableDiffusion,
    model_id: str,
    prepare: Callable[[FakeStableDiffusion], None],
    changes: dict[str, object],
    message: str,
    retryable: bool,
) -> None:
    prepare(fake_sd)
    async with maker(model_id, fake_sd.base_url, **changes) as local:
        with pytest.raises(ProviderError) as raised:
            await local.make(request())
    name = "AUTOMATIC1111" if model_id == WEBUI else "ComfyUI"
    assert re.match(f"{name}{AT}{message}", raised.value.message), raised.value.message
    assert raised.value.retryable is retryable


@pytest.mark.parametrize(("model_id", "name"), [(WEBUI, "AUTOMATIC1111"), (COMFYUI, "ComfyUI")])
async def test_a_server_that_is_down_is_tried_again(model_id: str, name: str) -> None:
    down = f"http://127.0.0.1:{free_port()}"
    async with maker(model_id, down) as local:
        with pytest.raises(ProviderError) as raised:
            await local.make(request())
    assert raised.value.message == f"could not reach {name} at {down}; trying again"
    assert raised.value.retryable is True


async def test_a_login_in_the_web_ui_url_is_sent_and_never_shown(fake_sd: FakeStableDiffusion) -> None:
    fake_sd.login = ("reel", "s3cret-pass")

    async with maker(WEBUI, with_login(fake_sd.base_url, "reel", "s3cret-pass")) as webui:
        assert size_of(await webui.make(request()))[1] == (270, 480)
    async with maker(WEBUI, with_login(fake_sd.base_url, "reel", "wrong-pass")) as webui:
        with pytest.raises(ProviderError) as raised:
            await webui.make(request())

    assert raised.value.message == (
        f"AUTOMATIC1111 at {fake_sd.base_url} asks for a login (HTTP 401): put its user and password in "
        "REELFORGE_SD_WEBUI_URL (http://user:password@host:port)"
    )
    assert raised.value.retryable is False and "wrong-pass" not in raised.value.message


def test_the_models_are_listed_available_only_where_their_server_url_is_set() -> None:
    def listed(keys: ProviderSettings) -> dict[str, tuple[bool, str | None]]:
        return {m.id: (m.is_available, m.requires) for m in catalogue(keys).models if m.id in (WEBUI, COMFYUI)}

    assert listed(ProviderSettings()) == {
        WEBUI: (False, "REELFORGE_SD_WEBUI_URL"),
        COMFYUI: (False, "REELFORGE_COMFYUI_URL"),
    }
    assert listed(ProviderSettings(sd_webui_url="http://gpu-box:7860")) == {
        WEBUI: (True, "REELFORGE_SD_WEBUI_URL"),
        COMFYUI: (False, "REELFORGE_COMFYUI_URL"),
    }
    assert listed(ProviderSettings(comfyui_url="http://gpu-box:8188"))[COMFYUI] == (True, "REELFORGE_COMFYUI_URL")
    only = {model.id for model in catalogue(ProviderSettings(comfyui_url="http://gpu-box:8188"), True).models}
    assert COMFYUI in only and WEBUI not in only


def test_a_job_may_name_a_local_model_only_with_its_url_set_and_it_costs_nothing() -> None:
    source, options = JobInput(prompt="lighthouses at dusk"), RenderOptions(model_id=COMFYUI, num_scenes=4)
    with pytest.raises(InvalidInput, match="model local:comfyui is not available: its provider needs "
                       "REELFORGE_COMFYUI_URL to be set"):  # fmt: skip
        price_job(ProviderSettings(), Prices(), source, options)
    cost = price_job(ProviderSettings(comfyui_url="http://gpu-box:8188"), Prices(), source, options)
    assert (cost.image_generation, cost.video_generation) == (0.0, 0.0)
    with pytest.raises(InvalidInput, match="REELFORGE_SD_WEBUI_URL"):
        build_makers(ImagingSettings()).for_model(WEBUI)
    with pytest.raises(ValueError, match="REELFORGE_COMFYUI_URL must be an http:// or https:// URL"):
        ImagingSettings(comfyui_url="gpu-box:8188")


# ---- through the imaging stage ----------------------------------------------------------------


def story(model_id: str, scenes: int = 2) -> StoryCompleted:
    board = Storyboard(
        title="T",
        description="D",
        text="X",
        scenes=[
            Scene(index=i, narration=f"n{i}", image_prompt=f"a harbour at dawn {i}", subtitle="s")
            for i in range(scenes)
        ],
    )
    options = RenderOptions(width=160, height=284, model_id=model_id)
    return StoryCompleted(job_id=uuid4(), user_id="u1", storyboard=board, storyboard_key="k", options=options)


def stage_settings(kafka: str, tmp_path: Path, url: str, **changes: object) -> ImagingSettings:
    storage = StorageSettings(media_dir=tmp_path / "media")
    settings = service_settings(ImagingSettings, kafka, f"sqlite+aiosqlite:///{tmp_path}/i.db", storage, tmp_path)
    update = {"sd_webui_url": url, "comfyui_url": url, "comfyui_poll_s": 0.01, "retry_base_s": 0.05, **changes}
    return settings.model_copy(update=update)


@pytest.mark.parametrize(("model_id", "api"), [(WEBUI, "webui"), (COMFYUI, "comfyui")])
async def test_the_imaging_stage_paints_every_scene_on_the_users_server_retrying_a_server_error(
    kafka: str, tmp_path: Path, fake_sd: FakeStableDiffusion, model_id: str, api: str
) -> None:
    fake_sd.fail_next(api, 500)  # type: ignore[arg-type]
    event = story(model_id)
    async with serving(create_app(stage_settings(kafka, tmp_path, fake_sd.base_url))), BusProbe(kafka) as bus:
        await bus.publish(event)
        [done] = await bus.events(ImagesCompleted, 1)

    store = await open_store(StorageSettings(media_dir=tmp_path / "media"))
    pictures = [size_of(await store.get_bytes(image.key)) for image in done.images]
    assert pictures == [("PNG", (160, 284))] * 2
    assert done.cost.total == 0
    assert len(fake_sd.requests(GENERATES[model_id], "POST")) >= 3
    assert len(set(sent_seeds(fake_sd, model_id))) == 2, "the retried scene was asked with the seed it had before"


async def test_a_checkpoint_comfyui_lacks_fails_the_job_at_once_naming_the_setting(
    kafka: str, tmp_path: Path, fake_sd: FakeStableDiffusion
) -> None:
    settings = stage_settings(kafka, tmp_path, fake_sd.base_url, comfyui_checkpoint="dreamshaper_8.safetensors")
    async with serving(create_app(settings)), BusProbe(kafka) as bus:
        await bus.publish(story(COMFYUI, scenes=1))
        [failed] = await bus.events(JobFailed, 1)

    assert failed.stage == "images" and "set REELFORGE_COMFYUI_CHECKPOINT" in failed.reason
    assert f"not in {list(CHECKPOINTS)}" in failed.reason
    assert len(fake_sd.requests("/prompt")) == 1, "a refused graph is not sent again"
