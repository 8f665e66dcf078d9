"""A job with options beyond the defaults, as a user drives it: the models registry, a cost estimate,
bad options refused naming the allowed values, and one short job that completes with its costs."""

import asyncio

import httpx
import pytest

from tests.stack import EmbeddedStack, register_and_login

pytestmark = pytest.mark.e2e

JOB = {
    "prompt": "a lighthouse keeper who befriends a whale",
    "duration": 12,
    "num_scenes": 2,
    "resolution": "256x448",
    "fps": 24,
    "mood": "calm",
    "genre": "fairy tale",
    "style_preferences": {"color_palette": "warm"},
    "include_music": True,
    "voice": "nova",
    "language": "french",
    "transition": "fadeblack",
    "quality": "draft",
    "model_id": "offline:procedural",
}


async def test_a_job_with_options_is_estimated_refused_when_wrong_and_completes_with_its_costs(
    stack: EmbeddedStack,
) -> None:
    token = register_and_login(stack, "e2e_options")
    async with httpx.AsyncClient(base_url=stack.api, headers={"Authorization": f"Bearer {token}"}, timeout=30) as api:
        models = (await api.get("/models")).json()
        available = {model["id"]: model["is_available"] for model in models["models"]}
        assert available["offline:procedural"] and not available["replicate:svd-xt"], "no keys in this stack"
        assert (await api.get("/models/replicate:svd-xt")).json()["capabilities"]["supports_image_to_video"] is True
        assert (await api.get("/models/acme:dream")).status_code == 404

        wrong = await api.post("/jobs", json={**JOB, "transition": "spin", "model_id": "acme:dream"})
        assert wrong.status_code == 422
        fields = {error["field"]: error["message"] for error in wrong.json()["errors"]}
        assert "'crossfade', 'fadeblack'" in fields["transition"] and "'offline:procedural'" in fields["model_id"]
        unusable = await api.post("/jobs", json={**JOB, "model_id": "replicate:svd-xt"})
        assert unusable.status_code == 422 and "REPLICATE_API_TOKEN" in unusable.json()["detail"]

        estimate = (await api.post("/jobs/estimate-cost", json=JOB)).json()
        assert estimate["breakdown"]["ffmpeg_processing"] > 0 and estimate["breakdown"]["image_generation"] == 0
        assert estimate["estimated_cost"] == pytest.approx(estimate["breakdown"]["total"])

        created = await api.post("/jobs", json=JOB)
        assert created.status_code == 202, created.text
        job = created.json()
        assert job["estimated_cost"]["total"] == pytest.approx(estimate["estimated_cost"])
        assert (job["options"]["duration_s"], job["options"]["num_scenes"], job["options"]["include_music"]) == (
            12,
            2,
            True,
        )
        async with asyncio.timeout(240):
            while job["status"] not in ("completed", "failed", "moderation_failed", "cancelled"):
                await asyncio.sleep(0.5)
                job = (await api.get(f"/jobs/{job['id']}")).json()
    assert job["status"] == "completed", job["error"]
    assert len(job["storyboard"]["scenes"]) == 2 and job["storyboard"]["mood"] == "calm"
    assert all("fairy tale genre" in scene["image_prompt"] for scene in job["storyboard"]["scenes"])
    actual = job["actual_cost"]
    assert actual["total"] == pytest.approx(sum(value for name, value in actual.items() if name != "total"))
    assert actual["story_generation"] == 0.0, "the offline writer costs nothing"
