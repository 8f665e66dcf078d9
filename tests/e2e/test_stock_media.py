"""Stock media end to end: a stack whose Pexels key and API point at a fake Pexels, driven as a user would.

A job asking for `stock:pexels` completes with each scene's picture found on Pexels and credited in
the scenes API; when Pexels finds nothing, the same job still completes, with procedural pictures.
"""

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fakes.stock_media import PEXELS_KEY, FakeStockMedia, FakeStockMediaServer
from tests.media import probe
from tests.stack import EmbeddedStack, register_and_login

pytestmark = pytest.mark.e2e

SCRIPT = "A lighthouse stands on the cliff above the sea.\nA whale swims slowly through the blue ocean."
JOB = {"script": SCRIPT, "resolution": "270x480", "quality": "draft", "fps": 24, "model_id": "stock:pexels"}
WAIT_S = 240


@pytest.fixture(scope="module")
def pexels() -> Iterator[FakeStockMedia]:
    with FakeStockMediaServer(FakeStockMedia()) as server:
        yield server.fake


@pytest.fixture(scope="module")
def stock_stack(tmp_path_factory: pytest.TempPathFactory, pexels: FakeStockMedia) -> Iterator[EmbeddedStack]:
    env = {"REELFORGE_PEXELS_API_KEY": PEXELS_KEY, "REELFORGE_PEXELS_BASE_URL": pexels.pexels_url}
    running = EmbeddedStack(var_dir=tmp_path_factory.mktemp("stock-var"), extra_env=env).start()
    try:
        yield running
    finally:
        running.stop()


async def finished(api: httpx.AsyncClient) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    created = await api.post("/jobs", json=JOB)
    assert created.status_code == 202, created.text
    job = created.json()
    async with asyncio.timeout(WAIT_S):
        while job["status"] not in ("completed", "failed", "moderation_failed", "cancelled"):
            await asyncio.sleep(0.5)
            job = (await api.get(f"/jobs/{job['id']}")).json()
    assert job["status"] == "completed", job["error"]
    return job, (await api.get(f"/jobs/{job['id']}/scenes")).json()["scenes"]


async def test_a_stock_job_credits_each_scenes_footage_and_paints_when_pexels_finds_nothing(
    stock_stack: EmbeddedStack, pexels: FakeStockMedia, tmp_path: Path
) -> None:
    token = register_and_login(stock_stack, "e2e_stock")
    async with httpx.AsyncClient(
        base_url=stock_stack.api, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as api:
        models = {model["id"]: model for model in (await api.get("/models")).json()["models"]}
        assert models["stock:pexels"]["is_available"] and not models["stock:pixabay"]["is_available"]
        estimate = (await api.post("/jobs/estimate-cost", json=JOB)).json()
        assert estimate["breakdown"]["image_generation"] == estimate["breakdown"]["video_generation"] == 0

        job, scenes = await finished(api)
        assert len(scenes) == 2
        for scene in scenes:
            image = scene["image"]
            assert image["source"] == "pexels", scene
            assert image["credit"].split(" on Pexels: https://www.pexels.com/")[0] in (
                "Video by Jane Doe",
                "Photo by Jane Doe",
            )
            assert scene["images"] == [image]
        assert len({scene["image"]["credit"] for scene in scenes}) == 2, "no footage is shown twice"
        assert "clip" in {scene["image"]["kind"] for scene in scenes}, "short scenes prefer moving footage"
        video = tmp_path / "stock.mp4"
        video.write_bytes((await api.get(f"/jobs/{job['id']}/video")).content)
        [stream] = [stream for stream in probe(video)["streams"] if stream["codec_type"] == "video"]
        assert (stream["width"], stream["height"]) == (270, 480)
        assert {record.params["query"] for record in pexels.searches("pexels")}, "Pexels was searched"

        pexels.empty = True
        _, painted = await finished(api)
        assert [(scene["image"]["source"], scene["image"]["credit"]) for scene in painted] == [("procedural", None)] * 2
