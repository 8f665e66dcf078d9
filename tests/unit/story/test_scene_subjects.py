"""The offline writer names each scene's subjects and a stock-media query from its picture text."""

from uuid import UUID

from libs.common.events import JobInput, RenderOptions, Scene, Storyboard
from libs.common.subjects import MAX_QUERY_WORDS, MAX_SUBJECTS, find_subjects
from services.story.offline_writer import write_storyboard

JOB = UUID(int=3)


def check_scenes(board: Storyboard) -> None:
    for scene in board.scenes:
        assert len(scene.subjects) <= MAX_SUBJECTS
        assert len(scene.search_query.split()) <= MAX_QUERY_WORDS
        assert scene.search_query.startswith(scene.subjects[0]) if scene.subjects else True


def test_a_prompts_scenes_name_its_subjects_first() -> None:
    board = write_storyboard(JobInput(prompt="a cat and an astronaut meet a dragon"), RenderOptions(), JOB)
    check_scenes(board)
    firsts = [scene.subjects[:3] for scene in board.scenes]
    assert ["cat", "astronaut", "dragon"] in firsts
    assert all(scene.search_query for scene in board.scenes if scene.subjects)


def test_a_told_storys_subjects_come_from_its_bare_picture_text_not_the_style() -> None:
    board = write_storyboard(JobInput(topic="scary"), RenderOptions(art_style="comic-book"), JOB)
    check_scenes(board)
    assert sum(bool(scene.subjects) for scene in board.scenes) >= len(board.scenes) / 2
    for scene in board.scenes:
        assert set(scene.subjects) <= set(find_subjects(scene.image_prompt, 8))


def test_an_english_script_names_its_subjects_and_another_language_may_name_none() -> None:
    script = "The lighthouse keeper fed his cat.\n\nA storm broke over the sea at night."
    board = write_storyboard(JobInput(script=script), RenderOptions(), JOB)
    assert [scene.subjects for scene in board.scenes] == [["lighthouse", "cat"], ["storm", "wave"]]
    assert board.scenes[1].search_query == "storm wave night"
    french = write_storyboard(JobInput(script="Le gardien nourrit son chat."), RenderOptions(language="french"), JOB)
    assert french.scenes[0].subjects == [] and french.scenes[0].search_query == ""


def test_a_storyboard_without_subjects_still_parses() -> None:
    old = {"index": 0, "narration": "n", "image_prompt": "p", "subtitle": "s"}
    scene = Scene.model_validate(old)
    assert (scene.subjects, scene.search_query) == ([], "")
