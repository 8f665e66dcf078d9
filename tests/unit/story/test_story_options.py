"""The story honours the job's options: length in seconds, exact scene counts, mood, genre, style
preferences and a reference image, offline and in what the OpenAI writer is asked."""

import re
from uuid import UUID

import pytest

from libs.common.events import JobInput, RenderOptions, Storyboard
from libs.common.pacing import spoken_seconds
from libs.common.vocabulary import TOPICS
from services.story.direction import TOPIC_MOODS, direct
from services.story.draft import StoryDraft, storyboard_from_draft
from services.story.offline_writer import STYLE_PHRASES, write_storyboard
from services.story.story_prompt import story_messages
from services.story.tales import material_for

JOB = UUID("3c0a3b4e-8f61-4f3e-9a55-1f2b0c9d7e21")


def spoken(storyboard: Storyboard) -> float:
    return spoken_seconds(storyboard.text, "english")


def topic_input(topic: str, **more: object) -> JobInput:
    return JobInput(topic=topic, topic_text="owls" if topic == "custom topic" else None, **more)


@pytest.mark.parametrize("seconds", [15, 60, 120, 200])
def test_a_length_in_seconds_sets_how_much_is_narrated(seconds: int) -> None:
    storyboard = write_storyboard(JobInput(topic="mystery"), RenderOptions(duration_s=seconds), JOB)
    assert seconds * 0.75 <= spoken(storyboard) <= seconds * 1.05, f"{spoken(storyboard):.0f} s spoken for {seconds} s"


def test_a_length_past_the_material_tells_all_of_it_and_the_video_still_lands_on_it() -> None:
    longest = write_storyboard(JobInput(topic="mystery"), RenderOptions(duration_s=600), JOB)
    whole = sum(len(beat.passages) for beat in material_for("english").tales["mystery"].beats)
    assert len(longest.scenes) == whole, "every passage told once, none repeated"
    assert longest.target_s == 600, "the render holds the scenes longer to land on the length asked for"


@pytest.mark.parametrize("topic", TOPICS)
@pytest.mark.parametrize("scenes", [1, 3, 8, 30])
def test_num_scenes_gives_exactly_that_many_scenes_for_every_topic(topic: str, scenes: int) -> None:
    storyboard = write_storyboard(topic_input(topic), RenderOptions(num_scenes=scenes), JOB)
    assert sum(scene.shots for scene in storyboard.scenes) == scenes, "one picture per scene asked for"
    assert len(storyboard.scenes) >= scenes * 0.8, "pictures are whole scenes, shots only make up the rest"
    assert [scene.index for scene in storyboard.scenes] == list(range(len(storyboard.scenes)))
    assert all(scene.narration[-1] in '.!?…”"' for scene in storyboard.scenes), "scenes end at a sentence end"
    assert storyboard.text == "\n\n".join(scene.narration for scene in storyboard.scenes)


def test_num_scenes_regroups_a_script_without_changing_a_word() -> None:
    script = "One. Two three.\nFour five six.\nSeven.\nEight nine.\nTen eleven twelve thirteen."
    for wanted in (1, 2, 5, 9):
        storyboard = write_storyboard(JobInput(script=script), RenderOptions(num_scenes=wanted), JOB)
        assert len(storyboard.scenes) == min(wanted, 6), "six sentences: never more scenes, never a cut sentence"
        assert sum(scene.shots for scene in storyboard.scenes) == wanted
        assert " ".join(scene.narration for scene in storyboard.scenes).split() == script.split()


@pytest.mark.parametrize("topic", sorted(TOPIC_MOODS))
def test_the_mood_comes_from_the_topic_when_not_given(topic: str) -> None:
    storyboard = write_storyboard(JobInput(topic=topic), RenderOptions(), JOB)
    assert storyboard.mood == TOPIC_MOODS[topic]
    assert {scene.mood for scene in storyboard.scenes} == {TOPIC_MOODS[topic]}


def test_a_chosen_mood_or_genre_wins_over_the_topic() -> None:
    assert write_storyboard(JobInput(topic="scary"), RenderOptions(mood="playful"), JOB).mood == "playful"
    assert write_storyboard(JobInput(topic="love", genre="thriller"), RenderOptions(), JOB).mood == "tense"
    preferred = JobInput(topic="love", style_preferences={"mood": "epic"})
    assert write_storyboard(preferred, RenderOptions(), JOB).mood == "epic"
    assert write_storyboard(JobInput(prompt="a haunted lighthouse"), RenderOptions(), JOB).mood == "dark"


def test_genre_and_style_preferences_reach_every_image_prompt_before_the_art_style() -> None:
    source = JobInput(prompt="a fox in the city", genre="noir", style_preferences={"color_palette": "warm"})
    storyboard = write_storyboard(source, RenderOptions(art_style="anime", mood="calm"), JOB)
    for scene in storyboard.scenes:
        assert scene.image_prompt.endswith(f"noir genre, calm mood, color palette: warm, {STYLE_PHRASES['anime']}")
        assert len(scene.image_prompt) <= 300


def test_a_reference_image_alone_is_told_as_its_moment_brought_to_life() -> None:
    source = JobInput(reference_image_key="uploads/abc/reference.png")
    storyboard = write_storyboard(source, RenderOptions(num_scenes=3), JOB)
    assert len(storyboard.scenes) == 3
    assert all("over the reference image" in scene.image_prompt for scene in storyboard.scenes)
    assert len({scene.image_prompt.split(" over ")[0] for scene in storyboard.scenes}) == 3, "camera moves repeat"


def test_a_reference_image_with_a_prompt_tells_the_prompt_over_the_image() -> None:
    source = JobInput(prompt="a dragon over the mountains", reference_image_key="uploads/abc/reference.png")
    storyboard = write_storyboard(source, RenderOptions(), JOB)
    assert "dragon" in storyboard.text
    assert all("over the reference image" in scene.image_prompt for scene in storyboard.scenes)


def test_the_openai_writer_is_asked_for_the_same_direction() -> None:
    source = JobInput(prompt="a lighthouse keeper", genre="fairy tale", style_preferences={"lighting": "soft"})
    options = RenderOptions(duration_s=90, num_scenes=9, mood="calm", art_style="comic-book")
    [_, user] = story_messages(source, options)
    ask = str(user["content"])
    asked = re.search(r"exactly 9 scenes and about (\d+) words of narration", ask)
    assert asked is not None and 180 <= int(asked.group(1)) <= 290, ask
    assert "Mood: calm." in ask and "<request>fairy tale</request>" in ask
    notes = f"fairy tale genre, calm mood, lighting: soft, {STYLE_PHRASES['comic-book']}"
    assert f'end every image prompt with ", {notes}"' in ask
    [_, image_job] = story_messages(JobInput(reference_image_key="uploads/x/reference.png"), RenderOptions())
    assert "reference image" in str(image_job["content"])


def test_a_draft_with_the_wrong_scene_count_is_fitted_and_given_the_mood() -> None:
    draft = StoryDraft.model_validate(
        {
            "title": "T",
            "description": "D",
            "scenes": [
                {
                    "narration": f"Scene {n} happens here. Then more.",
                    "image_prompt": f"picture {n}",
                    "subtitle": "s",
                    "subjects": ["cat"],
                    "search_query": "cat",
                }
                for n in range(5)
            ],
        }
    )
    direction = direct(JobInput(prompt="x", genre="noir"), RenderOptions(num_scenes=3))
    storyboard = storyboard_from_draft(draft, RenderOptions(), direction)
    assert len(storyboard.scenes) == 3 and storyboard.mood == "mysterious"
    assert all(scene.image_prompt.endswith(f"noir genre, {STYLE_PHRASES['cinematic']}") for scene in storyboard.scenes)
