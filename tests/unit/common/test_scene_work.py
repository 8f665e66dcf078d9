"""The scene-by-scene fan-out: bounded, in scene order, progress counting up."""

import asyncio
from uuid import uuid4

from libs.common.events import JobCancelled, Scene
from libs.common.scene_work import each_scene, scene_progress

SCENES = [Scene(index=i, narration="n", image_prompt="p", subtitle="s") for i in range(6)]


async def test_results_come_back_in_scene_order_whatever_order_work_finishes_in() -> None:
    async def slow_first(scene: Scene) -> int:
        await asyncio.sleep(0.01 * (len(SCENES) - scene.index))
        return scene.index * 10

    finished: list[tuple[int, int]] = []

    async def record(scene: Scene, _result: int, count: int) -> None:
        finished.append((scene.index, count))

    results = await each_scene(SCENES, 6, slow_first, record)
    assert results == [0, 10, 20, 30, 40, 50]
    assert [count for _, count in finished] == [1, 2, 3, 4, 5, 6]
    assert [index for index, _ in finished] == [5, 4, 3, 2, 1, 0]


async def test_no_more_than_the_bound_run_at_once() -> None:
    running = peak = 0

    async def work(_scene: Scene) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.005)
        running -= 1

    async def ignore(*_: object) -> None:
        return None

    await each_scene(SCENES, 2, work, ignore)
    assert peak == 2


def test_scene_progress_sits_in_its_stage_band_and_says_which_scene() -> None:
    cause = JobCancelled(job_id=uuid4(), user_id="u")
    progress = scene_progress(cause, "images", SCENES[3], 3, 6, "Painted")
    assert (progress.progress, progress.message, progress.scene_index) == (40, "Painted scene 3 of 6", 3)
    assert progress.job_id == cause.job_id
