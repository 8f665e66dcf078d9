"""Offline stories get pictures of their subjects: the writer names each scene's subjects and the painter draws them."""

import io
from itertools import pairwise
from pathlib import Path
from uuid import UUID

import numpy as np
import pytest
from PIL import Image

from libs.common.events import JobInput, RenderOptions, SceneImage, Storyboard
from libs.common.storage import LocalStore
from libs.common.subjects import emoji_for
from services.imaging.handlers import make_picture
from services.imaging.offline import OfflinePainter
from services.story.offline_writer import write_storyboard

JOB = UUID(int=7)
OPTIONS = RenderOptions(width=180, height=320, art_style="pixar-art")
PROMPT = "a cat and an astronaut meet a dragon"
SOURCES = [JobInput(topic="scary"), JobInput(topic="bedtime"), JobInput(topic="fun facts"), JobInput(prompt=PROMPT)]


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.float64)


async def painted(board: Storyboard, store: LocalStore) -> list[SceneImage]:
    maker = OfflinePainter()
    return [
        await make_picture(store, maker, JOB, scene, 1, scene.image_prompt, OPTIONS, None) for scene in board.scenes
    ]


@pytest.mark.parametrize("source", SOURCES, ids=["scary", "bedtime", "fun-facts", "prompt"])
async def test_every_scene_is_painted_with_the_subjects_it_names(source: JobInput, tmp_path: Path) -> None:
    board = write_storyboard(source, OPTIONS, JOB)
    store = LocalStore(tmp_path)
    images = await painted(board, store)

    assert sum(bool(scene.subjects) for scene in board.scenes) >= len(board.scenes) / 2
    for scene, image in zip(board.scenes, images, strict=True):
        assert set(image.depicts) <= set(scene.subjects), (scene.subjects, image.depicts)
        if any(emoji_for(subject) for subject in scene.subjects):
            assert image.depicts and image.focus is not None, scene.image_prompt
        else:
            assert image.depicts == [] and image.focus is None
    pictures = [pixels(await store.get_bytes(image.key)) for image in images]
    for before, after in pairwise(pictures):
        assert np.abs(before - after).mean() > 2.0, "two scenes in a row got the same picture"


async def test_a_prompts_subjects_are_what_its_pictures_show(tmp_path: Path) -> None:
    board = write_storyboard(JobInput(prompt=PROMPT), OPTIONS, JOB)
    images = await painted(board, LocalStore(tmp_path))

    shown = {subject for image in images for subject in image.depicts}
    assert {"cat", "astronaut", "dragon"} <= shown
    assert all(
        scene.search_query.startswith("cat astronaut dragon") for scene in board.scenes if scene.subjects[:1] == ["cat"]
    )


async def test_the_same_prompt_with_another_subject_gets_another_picture(tmp_path: Path) -> None:
    scene = write_storyboard(JobInput(prompt=PROMPT), OPTIONS, JOB).scenes[0]
    pictures = {}
    for subject in ("cat", "dragon"):
        store = LocalStore(tmp_path / subject)
        image = await make_picture(
            store,
            OfflinePainter(),
            JOB,
            scene.model_copy(update={"subjects": [subject]}),
            1,
            scene.image_prompt,
            OPTIONS,
            None,
        )
        assert image.depicts == [subject]
        pictures[subject] = pixels(await store.get_bytes(image.key))

    assert np.abs(pictures["cat"] - pictures["dragon"]).mean() > 1.0
