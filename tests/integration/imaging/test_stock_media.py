"""Stock media over real HTTP against fake Pexels and Pixabay servers, then through the real bus and imaging service."""

import io
import time
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import uuid4

import pytest
from PIL import Image

from libs.common.errors import ProviderError
from libs.common.events import (
    ImageRegenerationRequested,
    ImagesCompleted,
    JobProgress,
    RenderOptions,
    Scene,
    SceneImageCompleted,
    Storyboard,
    StoryCompleted,
)
from libs.common.scene_work import FETCHING_FOOTAGE, SEARCHING_FOOTAGE
from libs.common.settings import StorageSettings
from libs.common.storage import open_store
from services.imaging.app import create_app
from services.imaging.offline import OfflinePainter
from services.imaging.settings import ImagingSettings
from services.imaging.stock_api import PexelsClient, PixabayClient, StockClient
from services.imaging.stock_media import StockMedia
from tests.bus import BusProbe, service_settings, serving
from tests.fakes.stock_media import PEXELS_KEY, PIXABAY_KEY, FakeStockMedia, Item
from tests.media import probe

OPTIONS = RenderOptions(width=270, height=480, quality="draft", model_id="stock:pexels")
SHORT = "The keeper climbs the stairs at dusk."  # about 2.5 s spoken
LONG = (
    "The dog runs along the wet sand while the waves roll in, and the evening light turns the whole beach gold "
    "before the tide comes back."
)  # about 8 s spoken


def scene(index: int, subjects: list[str], query: str = "", narration: str = SHORT, shots: int = 1) -> Scene:
    prompt = f"A picture of {' and '.join(subjects)}, cinematic"
    return Scene(index=index, narration=narration, subtitle=narration, image_prompt=prompt, subjects=subjects,
                 search_query=query, shots=shots)  # fmt: skip


def stock(*libraries: StockClient, attempts: int = 3) -> StockMedia:
    return StockMedia(libraries, OfflinePainter(), attempts=attempts, retry_max_s=2.0, retry_base_s=0.05)


@pytest.fixture
async def pexels(fake_stock: FakeStockMedia) -> AsyncIterator[PexelsClient]:
    client = PexelsClient(PEXELS_KEY, fake_stock.pexels_url, 10.0)
    yield client
    await client.close()


@pytest.fixture
async def pixabay(fake_stock: FakeStockMedia) -> AsyncIterator[PixabayClient]:
    client = PixabayClient(PIXABAY_KEY, fake_stock.pixabay_url, 10.0)
    yield client
    await client.close()


async def test_the_result_naming_the_scenes_subject_wins_over_the_librarys_first(
    fake_stock: FakeStockMedia, pexels: PexelsClient
) -> None:
    fake_stock.catalogue = [
        Item("pexels", "photo", 1, "Dark storm clouds over the sea"),
        Item("pexels", "photo", 2, "White lighthouses on a rocky cliff", author="Ann Lee"),
        Item("pexels", "video", 3, "Storm waves crashing on rocks"),
    ]

    plan = await stock(pexels).plan([scene(0, ["lighthouse"], "lighthouse storm")], OPTIONS)

    [chosen] = plan[0].shots
    assert chosen.id == "pexels:photo:2", "the plural in the alt text still names the subject"
    assert plan[0].source == "pexels"
    assert (
        plan[0].credit
        == "Photo by Ann Lee on Pexels: https://www.pexels.com/photo/white-lighthouses-on-a-rocky-cliff-2/"
    )
    searched = fake_stock.searches("pexels")
    assert {record.kind for record in searched} == {"photo", "video"}
    for record in searched:
        assert record.headers["authorization"] == PEXELS_KEY
        assert (record.params["query"], record.params["orientation"], record.params["size"]) == (
            "lighthouse storm",
            "portrait",
            "small",
        )


async def test_pixabay_results_are_ranked_by_their_tags(fake_stock: FakeStockMedia, pixabay: PixabayClient) -> None:
    fake_stock.catalogue = [
        Item("pixabay", "photo", 11, "forest trees fog"),
        Item("pixabay", "video", 12, "red fox forest snow", author="wildlife_cam"),
    ]

    plan = await stock(pixabay).plan([scene(0, ["fox"], "fox in the forest")], OPTIONS)

    assert plan[0].ids == ["pixabay:video:12"] and plan[0].kind == "clip"
    assert plan[0].credit == "Video by wildlife_cam on Pixabay: https://pixabay.com/videos/red-fox-forest-snow-12/"
    photos = next(record for record in fake_stock.searches("pixabay") if record.kind == "photo")
    assert photos.params["key"] == PIXABAY_KEY and photos.params["orientation"] == "vertical"
    assert (photos.params["q"], photos.params["image_type"]) == ("fox in the forest", "photo")


async def test_no_photo_or_clip_is_shown_twice_in_one_video(fake_stock: FakeStockMedia, pexels: PexelsClient) -> None:
    fake_stock.catalogue = [
        Item("pexels", "photo", 21, "ginger cat sleeping"),
        Item("pexels", "photo", 22, "two cats playing"),
        Item("pexels", "video", 23, "cat walking in the garden"),
    ]
    scenes = [scene(index, ["cat"], "cat") for index in range(4)]

    plan = await stock(pexels).plan(scenes, OPTIONS)

    assert sorted(plan) == [0, 1, 2], "the fourth scene has nothing left and is painted"
    shown = [shown for footage in plan.values() for shown in footage.ids]
    assert sorted(shown) == ["pexels:photo:21", "pexels:photo:22", "pexels:video:23"]
    again = await stock(pexels).plan(scenes, OPTIONS)
    assert {index: footage.ids for index, footage in again.items()} == {i: f.ids for i, f in plan.items()}


async def test_a_long_scene_gets_a_video_that_lasts_it_cut_to_the_frame_and_its_length(
    fake_stock: FakeStockMedia, pexels: PexelsClient, tmp_path: Path
) -> None:
    fake_stock.catalogue = [
        Item("pexels", "video", 31, "dog running beach", duration=3),
        Item("pexels", "photo", 32, "dog on the beach"),
        Item("pexels", "video", 33, "dog running on the beach at sunset", duration=14),
    ]
    media = stock(pexels)

    plan = await media.plan([scene(0, ["dog", "beach"], "dog beach", narration=LONG)], OPTIONS)

    footage = plan[0]
    assert footage.ids == ["pexels:video:33"] and footage.shot_s > 4
    path = tmp_path / "clip.mp4"
    path.write_bytes(await media.fetch(footage.shots[0], OPTIONS, footage.shot_s))
    info = probe(path)
    [video] = info["streams"]
    assert (video["codec_name"], video["width"], video["height"], video["pix_fmt"]) == ("h264", 270, 480, "yuv420p")
    assert footage.shot_s < float(info["format"]["duration"]) <= footage.shot_s + 1.2


async def test_a_rate_limited_search_is_tried_again_after_its_retry_after(
    fake_stock: FakeStockMedia, pexels: PexelsClient
) -> None:
    fake_stock.fail("pexels", 429, times=1, retry_after_s=1)
    started = time.monotonic()

    plan = await stock(pexels).plan([scene(0, ["lighthouse"], "lighthouse")], OPTIONS)

    assert time.monotonic() - started >= 1.0
    assert plan[0].source == "pexels"
    statuses = sorted(record.status for record in fake_stock.searches("pexels"))
    assert statuses == [200, 200, 429]


async def test_a_search_still_rate_limited_after_its_tries_leaves_the_scene_to_procedural_art(
    fake_stock: FakeStockMedia, pexels: PexelsClient
) -> None:
    fake_stock.fail("pexels", 429, times=4, retry_after_s=0.1)

    plan = await stock(pexels, attempts=2).plan([scene(0, ["lighthouse"], "lighthouse")], OPTIONS)

    assert plan == {}
    assert [record.status for record in fake_stock.searches("pexels")] == [429] * 4


async def test_a_rejected_key_is_a_clear_error_that_is_not_retried(fake_stock: FakeStockMedia) -> None:
    for client, message in [
        (PexelsClient("wrong-key", fake_stock.pexels_url, 10.0), "Pexels rejected the API key (check PEXELS_API_KEY)"),
        (PixabayClient("wrong", fake_stock.pixabay_url, 10.0), "Pixabay rejected the API key (check PIXABAY_API_KEY)"),
    ]:
        try:
            with pytest.raises(ProviderError) as raised:
                await stock(client).plan([scene(0, ["cat"], "cat")], OPTIONS)
        finally:
            await client.close()
        assert (raised.value.message, raised.value.retryable) == (message, False)
    assert len(fake_stock.searches()) == 4, "one try per search: a wrong key does not heal"


async def test_pixabay_fills_the_scenes_pexels_found_nothing_for(
    fake_stock: FakeStockMedia, pexels: PexelsClient, pixabay: PixabayClient
) -> None:
    fake_stock.catalogue = [
        Item("pexels", "photo", 41, "hot air balloon over hills"),
        Item("pixabay", "photo", 42, "lantern festival night sky"),
        Item("pixabay", "photo", 43, "hot air balloon festival"),
    ]
    scenes = [scene(0, ["balloon"], "hot air balloon"), scene(1, ["lantern"], "lantern festival")]

    plan = await stock(pexels, pixabay).plan(scenes, OPTIONS)

    assert (plan[0].ids, plan[1].ids) == (["pexels:photo:41"], ["pixabay:photo:42"])
    assert {record.params["q"] for record in fake_stock.searches("pixabay")} == {"lantern festival"}


# ---- through the bus ---------------------------------------------------------------------------------------------


def story(*scenes: Scene) -> StoryCompleted:
    board = Storyboard(title="T", description="D", text="X", scenes=list(scenes))
    return StoryCompleted(job_id=uuid4(), user_id="u1", storyboard=board, storyboard_key="k", options=OPTIONS)


ON_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
"""Stock media does not depend on the database."""


def stock_settings(
    kafka: str, database_url: str, tmp_path: Path, fake: FakeStockMedia
) -> tuple[ImagingSettings, StorageSettings]:
    storage = StorageSettings(media_dir=tmp_path / "media")
    settings = service_settings(ImagingSettings, kafka, database_url, storage, tmp_path)
    return settings.model_copy(update={"pexels_api_key": PEXELS_KEY, "pexels_base_url": fake.pexels_url}), storage


@ON_SQLITE
async def test_a_job_records_which_footage_each_scene_shows_and_paints_the_rest(
    kafka: str, database_url: str, tmp_path: Path, fake_stock: FakeStockMedia
) -> None:
    fake_stock.catalogue = [
        Item("pexels", "video", 51, "lighthouse in a storm at night", author="Sea Films", duration=6),
        Item("pexels", "photo", 52, "lighthouse on a cliff", author="Ann Lee"),
        Item("pexels", "photo", 53, "humpback whale breaching"),
    ]
    settings, storage = stock_settings(kafka, database_url, tmp_path, fake_stock)
    painted = story(scene(0, ["lighthouse"], "lighthouse storm"), scene(1, ["whale"], "whale ocean"),
                    scene(2, ["unicorn"], "unicorn meadow"))  # fmt: skip
    async with serving(create_app(settings)), BusProbe(kafka) as bus:
        await bus.publish(painted)
        [done] = await bus.events(ImagesCompleted, 1)
        progress = await bus.events(JobProgress, 5)
        await bus.publish(ImageRegenerationRequested.after(painted, scene_index=0))
        [_, again] = await bus.events(ImagesCompleted, 2)

    images = done.images
    assert [(image.source, image.kind) for image in images] == [("pexels", "clip"), ("pexels", "image"),
                                                                ("procedural", "image")]  # fmt: skip
    assert (
        images[0].credit
        == "Video by Sea Films on Pexels: https://www.pexels.com/video/lighthouse-in-a-storm-at-night-51/"
    )
    assert images[1].credit is not None and images[1].credit.startswith("Photo by Jane Doe on Pexels: ")
    assert images[2].credit is None and images[2].source_ids == []
    assert images[0].key.endswith("scene-000-v1.mp4") and images[2].key.endswith("scene-002-v1.png")
    assert done.cost.total == 0
    messages = [event.message for event in progress]
    assert messages[:2] == [SEARCHING_FOOTAGE, FETCHING_FOOTAGE]
    assert sorted(message.split()[0] for message in messages[2:]) == ["Fetched", "Fetched", "Painted"]
    store = await open_store(storage)
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(await store.get_bytes(images[0].key))
    [video] = probe(clip)["streams"]
    assert (video["codec_name"], video["width"], video["height"]) == ("h264", 270, 480)
    assert Image.open(io.BytesIO(await store.get_bytes(images[1].key))).size == (270, 480)

    regenerated = again.images[0]
    assert (regenerated.version, regenerated.source) == (2, "pexels")
    assert regenerated.source_ids == ["pexels:photo:52"], "the one result the job does not show yet"


@ON_SQLITE
async def test_a_search_that_finds_nothing_still_completes_the_imaging_stage_with_procedural_pictures(
    kafka: str, database_url: str, tmp_path: Path, fake_stock: FakeStockMedia
) -> None:
    fake_stock.empty = True
    settings, _ = stock_settings(kafka, database_url, tmp_path, fake_stock)
    painted = story(scene(0, ["lighthouse"], "lighthouse"), scene(1, ["whale"], "whale"))
    async with serving(create_app(settings)), BusProbe(kafka) as bus:
        await bus.publish(painted)
        [done] = await bus.events(ImagesCompleted, 1)
        shown = await bus.events(SceneImageCompleted, 2)
    assert [(image.source, image.kind, image.credit) for image in done.images] == [("procedural", "image", None)] * 2
    assert {event.image.source for event in shown} == {"procedural"}
    assert len(fake_stock.searches("pexels")) == 4
