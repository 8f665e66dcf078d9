"""How stock results are judged against a scene: words folded to the singular, relevance, and one kind per scene."""

from libs.common.events import RenderOptions, Scene
from services.imaging.pictures import PictureKind
from services.imaging.stock_api import Candidate, Frame, best_file, slug_words
from services.imaging.stock_media import Wanted, assign, fold, prompt_query, words

OPTIONS = RenderOptions(width=270, height=480)


def candidate(id: str, description: str, kind: PictureKind = "image", rank: int = 0) -> Candidate:
    return Candidate(library="pexels", id=id, kind=kind, description=description, file_url=f"https://x/{id}",
                     width=540, height=960, duration_s=10.0 if kind == "clip" else 0.0,
                     page_url=f"https://www.pexels.com/photo/{id}/", author="A", rank=rank)  # fmt: skip


def scene(subjects: list[str] | None = None, query: str = "", prompt: str = "x", shots: int = 1) -> Scene:
    return Scene(index=0, narration="A short line.", subtitle="s", image_prompt=prompt, subjects=subjects or [],
                 search_query=query, shots=shots)  # fmt: skip


def test_plural_and_singular_words_are_the_same_word() -> None:
    assert [fold(word) for word in ("cities", "boxes", "cats", "glass", "bus", "churches")] == [
        "city", "box", "cat", "glass", "bus", "church",
    ]  # fmt: skip
    assert words("The Lighthouses of the northern coast!") == {"lighthouse", "northern", "coast"}


def test_the_query_falls_back_to_the_subjects_then_to_the_prompts_first_words() -> None:
    assert Wanted.of(scene(subjects=["red fox"], query="fox in snow")).query == "fox in snow"
    assert Wanted.of(scene(subjects=["red fox", "snow"])).query == "red fox snow"
    assert Wanted.of(scene(prompt="An old lighthouse on a rocky cliff at dusk, cinematic, warm")).query == (
        "old lighthouse rocky cliff dusk"
    )
    assert prompt_query("A, b") == ""
    assert Wanted.of(scene(subjects=["fox"]), prompt="a whale at sea").query == "whale sea", "a user's prompt wins"


def test_relevance_weighs_subjects_over_plain_query_words() -> None:
    wanted = Wanted.of(scene(subjects=["lighthouse"], query="lighthouse storm"))
    assert wanted.relevance(words("storm clouds")) == 1 / 3
    assert wanted.relevance(words("two lighthouses")) == 2 / 3
    assert wanted.relevance(words("lighthouse in a storm")) == 1.0
    assert Wanted.of(scene(prompt=",")).relevance(words("anything")) == 0.0


def test_a_scene_of_several_shots_gets_that_many_of_one_kind_or_none() -> None:
    found = {0: [candidate("v1", "cat", "clip"), candidate("p1", "cat"), candidate("p2", "cat", rank=1)]}
    wanted = {0: Wanted.of(scene(subjects=["cat"]))}
    two = assign([scene(subjects=["cat"], shots=2)], wanted, found, OPTIONS, 0.3)
    assert two[0].ids == ["p1", "p2"] and two[0].kind == "image", "one clip is not enough for two shots"
    assert assign([scene(subjects=["cat"], shots=3)], wanted, found, OPTIONS, 0.3) == {}


def test_the_file_chosen_is_the_smallest_that_needs_no_enlarging() -> None:
    frame = Frame(270, 480)
    files = [("big", 2160, 3840), ("hd", 720, 1280), ("sd", 240, 426)]
    assert best_file(files, frame) == ("hd", 720, 1280)
    assert best_file([("sd", 240, 426), ("tiny", 120, 213)], frame) == ("sd", 240, 426)
    assert best_file([("", 1, 1), ("none", 0, 0)], frame) is None
    assert (
        slug_words("https://www.pexels.com/video/drone-view-of-a-lighthouse-3571264/") == "drone view of a lighthouse"
    )
