"""The approved story: scenes reordered, deleted, rewritten and added, each field left unset kept as written."""

import pytest

from libs.common.errors import InvalidInput
from libs.common.events import Scene, Storyboard
from services.gateway.core.review import approved_storyboard
from services.gateway.core.schemas import SceneEdit, StoryApproval

WRITTEN = Storyboard(
    title="The Lighthouse",
    description="A night at sea",
    text="One.\n\nTwo.",
    scenes=[
        Scene(index=0, narration="One.", image_prompt="a tower", subtitle="One.", subjects=["lighthouse"], shots=2),
        Scene(index=1, narration="Two.", image_prompt="a storm", subtitle="Two.", subjects=["storm"]),
    ],
)


def test_no_edits_keep_the_story_as_written() -> None:
    assert approved_storyboard(WRITTEN, StoryApproval()) == WRITTEN


def test_scenes_come_in_their_new_order_renumbered_with_only_what_changed_changed() -> None:
    approval = StoryApproval(
        title="Night Watch",
        scenes=[SceneEdit(index=1, subjects=["storm", "ship"]), SceneEdit(index=0, narration="One, again.")],
    )

    story = approved_storyboard(WRITTEN, approval)

    assert story.title == "Night Watch" and story.text == "Two.\n\nOne, again."
    first, second = story.scenes
    assert (first.index, first.narration, first.image_prompt) == (0, "Two.", "a storm")
    assert (first.subjects, first.search_query) == (["storm", "ship"], "storm ship")
    assert (second.index, second.narration, second.subtitle, second.image_prompt) == (
        1,
        "One, again.",
        "One, again.",
        "a tower",
    )
    assert second.shots == 1, "a rewritten narration is one picture again"


def test_a_new_scene_needs_its_narration_and_an_index_must_exist() -> None:
    added = approved_storyboard(WRITTEN, StoryApproval(scenes=[SceneEdit(narration="Dawn.")]))
    assert [(scene.narration, scene.image_prompt) for scene in added.scenes] == [("Dawn.", "Dawn.")]

    with pytest.raises(InvalidInput) as nameless:
        approved_storyboard(WRITTEN, StoryApproval(scenes=[SceneEdit(subjects=["cat"])]))
    assert nameless.value.field == "scenes[0].narration"
    with pytest.raises(InvalidInput) as missing:
        approved_storyboard(WRITTEN, StoryApproval(scenes=[SceneEdit(index=0), SceneEdit(index=2)]))
    assert missing.value.field == "scenes[1].index" and "0 to 1" in missing.value.message
