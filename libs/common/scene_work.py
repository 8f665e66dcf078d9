"""Stages that work scene by scene (painting, narrating): a bounded fan-out with progress per scene."""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from libs.common.events import Event, JobProgress, Scene, overall_progress
from libs.common.vocabulary import Stage

T = TypeVar("T")

SEARCHING_FOOTAGE = "Generating video search queries"
FETCHING_FOOTAGE = "Fetching background videos"
"""The steps imaging reports with a stock media model: searching every scene, then fetching what it chose.
The text2video dialect shows them as its 60 % and 80 % stages."""


async def each_scene(
    scenes: Sequence[Scene],
    concurrency: int,
    work: Callable[[Scene], Awaitable[T]],
    finished: Callable[[Scene, T, int], Awaitable[None]],
) -> list[T]:
    """Run `work` on every scene, at most `concurrency` at once; results come back in scene order.

    `finished(scene, result, count)` runs as each scene completes, `count` being how many
    have completed so far, so progress counts up whatever order scenes finish in.
    """
    bound = asyncio.Semaphore(concurrency)
    count = 0

    async def run(scene: Scene) -> T:
        nonlocal count
        async with bound:
            result = await work(scene)
        count += 1
        await finished(scene, result, count)
        return result

    return list(await asyncio.gather(*(run(scene) for scene in scenes)))


def scene_progress(cause: Event, stage: Stage, scene: Scene, count: int, total: int, verb: str) -> JobProgress:
    """`<verb> scene <count> of <total>`, placed in the stage's band of the job's overall progress."""
    return JobProgress.after(
        cause,
        stage=stage,
        progress=overall_progress(stage, count / total),
        message=f"{verb} scene {count} of {total}",
        scene_index=scene.index,
    )
