"""Seed 002's progress stages for a stock media job: the search and the fetching of background videos."""

from libs.common.events import JobInput, RenderOptions
from libs.common.scene_work import FETCHING_FOOTAGE, SEARCHING_FOOTAGE
from services.gateway.compat.text2video import STEPS, status_of
from services.gateway.core.store import Job


def job(progress: int, message: str, status: str = "processing") -> Job:
    return Job(
        user_id="u1",
        source=JobInput(script="One line.").model_dump_json(),
        options=RenderOptions().model_dump_json(),
        status=status,
        progress=progress,
        message=message,
    )


def test_the_reported_steps_are_the_documents_60_and_80_percent_stages_in_its_words() -> None:
    searching = status_of(job(20, SEARCHING_FOOTAGE), {SEARCHING_FOOTAGE})
    assert (searching.progress, searching.message) == (60, "Generating video search queries...")
    fetching = status_of(job(22, FETCHING_FOOTAGE), {SEARCHING_FOOTAGE, FETCHING_FOOTAGE})
    assert (fetching.progress, fetching.message) == (80, "Fetching background videos...")


def test_a_step_once_reached_holds_while_narration_reports_lower_progress() -> None:
    later = status_of(job(35, "Narrated scene 2 of 4"), {SEARCHING_FOOTAGE, FETCHING_FOOTAGE})
    assert (later.progress, later.message) == (80, "Narrated scene 2 of 4")
    rendering = status_of(job(95, "Rendering"), {FETCHING_FOOTAGE})
    assert rendering.progress == 90


def test_without_stock_media_the_stages_follow_the_progress_alone() -> None:
    stages = [status_of(job(value, "Painted scene 1 of 2")).progress for value in (0, 25, 45, 65, 85)]
    assert stages == [0, 20, 40, 60, 80] and set(stages) <= set(STEPS)
    assert status_of(job(100, "Video ready", "completed"), {FETCHING_FOOTAGE}).progress == 100
