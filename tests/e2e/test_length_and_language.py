"""What a person gets matches what they asked: the video's length for every kind of request, and the
language and lettering of its words in each family of scripts (Latin, Cyrillic, Greek, CJK, Devanagari).

All the jobs are asked for at once at the start (as many users would), then each test checks one
finished video with ffprobe, a language identifier and the caption font's own character map.
"""

import asyncio
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
from fontTools.ttLib import TTCollection, TTFont

from services.render.caption_fonts import CAPTION_FONTS
from services.story.language_check import confidence, identify
from services.story.tales import material_for
from tests.media import probe
from tests.stack import EmbeddedStack, register_and_login

pytestmark = pytest.mark.e2e

SMALL = {"resolution": "270x480", "fps": 24, "quality": "draft"}
SCRIPT = "A beautiful sunrise over mountains\nBirds flying in the sky\nA peaceful lake"
"""Seed 001's example script: three lines, a few seconds to say."""
NATIVE: dict[str, tuple[dict[str, Any], float]] = {
    "topic, short": ({"topic": "mystery"}, 45),
    "topic, long": ({"topic": "bedtime", "duration": "long"}, 180),
    "prompt": ({"prompt": "A lighthouse keeper's cat who guards the lamp on stormy nights"}, 45),
    "script, 60 s": ({"script": SCRIPT, "duration": 60, "num_scenes": 6}, 60),
}
SCRIPT_FAMILIES = {"Latin": "french", "Cyrillic": "russian", "Greek": "greek", "CJK": "japanese", "Devanagari": "hindi"}
TOLERANCE = 0.10
WAIT_S = 420


@dataclass
class Finished:
    expected_s: float
    job: dict[str, Any]
    video: Path
    srt: str


async def wait_for(client: httpx.AsyncClient, job_id: str) -> dict[str, Any]:
    async with asyncio.timeout(WAIT_S):
        while (job := (await client.get(f"/jobs/{job_id}")).json())["status"] not in {"completed", "failed"}:
            await asyncio.sleep(0.5)
    return job


async def fetch(client: httpx.AsyncClient, job_id: str, folder: Path, expected_s: float) -> Finished:
    job = await wait_for(client, job_id)
    assert job["status"] == "completed", job
    video = folder / f"{job_id}.mp4"
    video.write_bytes((await client.get(f"/jobs/{job_id}/video")).content)
    srt = (await client.get(f"/jobs/{job_id}/captions.srt")).text
    return Finished(expected_s, job, video, srt)


async def storyboard_shots(stack: EmbeddedStack, folder: Path) -> Finished:
    """Seed 004's example (three shots) through its own dialect, anonymously as on loopback, to the MP4."""
    async with httpx.AsyncClient(base_url=f"{stack.base_url}/compat/storyboard/api/v1", timeout=30) as shots:
        created = await shots.post("/jobs", json={"user_prompt": "A peaceful forest at sunrise", "max_shots": 3})
        assert created.status_code == 201, created.text
        job_id = created.json()["id"]
        async with asyncio.timeout(WAIT_S):
            while (job := (await shots.get(f"/jobs/{job_id}")).json())["status"] not in {"completed", "failed"}:
                await asyncio.sleep(0.5)
        assert job["status"] == "completed", job
        video = folder / f"{job_id}.mp4"
        video.write_bytes((await shots.get(f"/jobs/{job_id}/video")).content)
    return Finished(3 * 7.5, job, video, "")


async def studio_job(stack: EmbeddedStack) -> str:
    """Seed 001's example through its own dialect (ten pictures, 30 seconds, three lines of script), asked
    for by a studio user; returns that user's token, which the native API takes too."""
    base = f"{stack.base_url}/compat/studio/api/v1"
    async with httpx.AsyncClient(base_url=base, timeout=30) as studio:
        account = {"email": "length_studio@example.com", "username": "length_studio", "password": "correct horse 1"}
        assert (await studio.post("/auth/register", json=account)).status_code == 201
        token = (await studio.post("/auth/login", json=account)).json()["access_token"]
        config = {"num_images": 10, "video_duration": 30, "quality": "draft", "include_music": True}
        created = await studio.post(
            "/jobs/", json={"script": SCRIPT, "config": config}, headers={"Authorization": f"Bearer {token}"}
        )
        assert created.status_code == 201, created.text
    return str(token)


@pytest.fixture(scope="module")
def finished(stack: EmbeddedStack, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Finished]:
    """Every job of this module, asked for together and followed to the end."""
    folder = tmp_path_factory.mktemp("lengths")
    token = register_and_login(stack, "length_and_language")

    async def run() -> dict[str, Finished]:
        async with httpx.AsyncClient(
            base_url=stack.api, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as api:
            ids: dict[str, tuple[str, float]] = {}
            for name, (body, seconds) in NATIVE.items():
                created = await api.post("/jobs", json={**body, **SMALL})
                assert created.status_code == 202, created.text
                ids[name] = (created.json()["id"], seconds)
            for family, language in SCRIPT_FAMILIES.items():
                created = await api.post("/jobs", json={"topic": "love", "language": language, **SMALL})
                assert created.status_code == 202, created.text
                ids[family] = (created.json()["id"], 45)
            used = await api.post("/templates/history-in-a-minute/use", json=SMALL)
            assert used.status_code == 202, used.text
            ids["template"] = (used.json()["id"], 60)
            studio_token = await studio_job(stack)
            studio = {"Authorization": f"Bearer {studio_token}"}
            async with httpx.AsyncClient(base_url=stack.api, headers=studio, timeout=30) as studio_api:
                [studio_job_id] = [job["id"] for job in (await studio_api.get("/jobs")).json()["items"]]
                results = await asyncio.gather(
                    fetch(studio_api, studio_job_id, folder, 30),
                    storyboard_shots(stack, folder),
                    *(fetch(api, job_id, folder, s) for job_id, s in ids.values()),
                )
            return dict(zip(["studio, 30 s", "seed 004 shots", *ids], results, strict=True))

    return asyncio.run(run())


def seconds(video: Path) -> float:
    return float(probe(video)["format"]["duration"])


@pytest.mark.parametrize(
    "name", [*NATIVE, "studio, 30 s", "template", "seed 004 shots"], ids=lambda name: name.replace(" ", "_")
)
def test_the_video_is_as_long_as_asked(finished: dict[str, Finished], name: str) -> None:
    result = finished[name]
    length = seconds(result.video)
    assert abs(length - result.expected_s) <= TOLERANCE * result.expected_s, f"{name}: {length:.1f} s"


def test_a_script_is_never_padded_with_words_and_more_pictures_hold_its_lines(finished: dict[str, Finished]) -> None:
    studio = finished["studio, 30 s"].job
    scenes = studio["storyboard"]["scenes"]
    assert [scene["narration"] for scene in scenes] == SCRIPT.splitlines(), "the script's own words, one line each"
    assert sum(scene["shots"] for scene in scenes) == 10, "ten pictures for three lines: each line held over several"


@cache
def font_characters(path: str, family: str) -> frozenset[int]:
    """Every character the font has a glyph for (the named family's face, in a collection)."""
    if path.endswith(".ttc"):
        faces = TTCollection(path).fonts
        face = next(font for font in faces if family in font["name"].getDebugName(1))
    else:
        face = TTFont(path)
    return frozenset(face.getBestCmap())


@pytest.mark.parametrize("family", SCRIPT_FAMILIES)
def test_each_family_of_scripts_reads_and_is_lettered_in_its_language(
    finished: dict[str, Finished], family: str
) -> None:
    language = SCRIPT_FAMILIES[family]
    result = finished[family]
    length = seconds(result.video)
    assert abs(length - result.expected_s) <= TOLERANCE * result.expected_s, f"{family}: {length:.1f} s"
    words = re.sub(r"^\d+\n[\d:,]+ --> [\d:,]+\n", "", result.srt, flags=re.MULTILINE)
    verdict = identify(words)
    assert verdict.code in material_for(language).langid and confidence(words, language) >= 0.95, verdict
    font = CAPTION_FONTS.font_for(language)  # type: ignore[arg-type]
    covered = font_characters(str(font.file), font.family)
    missing = {char for char in words if not char.isspace() and ord(char) not in covered}
    assert not missing, f"{font.family} has no glyph for {sorted(missing)}: they would show as boxes"
