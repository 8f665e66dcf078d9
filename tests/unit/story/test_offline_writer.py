"""Offline storyboards: scripts split as written, topics and prompts told at the right length."""

import re
from uuid import UUID, uuid5

import pytest

from libs.common.errors import InvalidInput
from libs.common.events import JobInput, RenderOptions, Storyboard
from libs.common.pacing import spoken_seconds
from libs.common.vocabulary import ART_STYLES, TOPICS
from services.story.offline_writer import MAX_SCENES, STYLE_PHRASES, write_storyboard

JOB = UUID("8f14e45f-ceea-467f-a0e6-0f2c1c7a9b11")
SCENES = {"short": range(5, 8), "long": range(18, 29)}
SPOKEN_S = {"short": (36.0, 46.0), "long": (150.0, 181.0)}
"""Seconds of narration at English's measured rate: 93 % of 45 s and of 3 minutes, the rest is pauses."""
_SENTENCE_END = re.compile(r"(?<=[.!?…])[”’\"]?\s+(?=[“\"A-Z0-9])")


def words(text: str) -> int:
    return len(text.split())


def told_at_length(text: str, duration: str) -> bool:
    low, high = SPOKEN_S[duration]
    return low <= spoken_seconds(text, "english") <= high


def sentences(narration: str) -> list[str]:
    """Sentences as a listener hears them: a quoted line inside a sentence does not end it."""
    return [sentence for sentence in _SENTENCE_END.split(narration) if sentence]


def topic_input(topic: str) -> JobInput:
    return JobInput(topic=topic, topic_text="the migration of monarch butterflies" if topic == "custom topic" else None)


def from_script(script: str, art_style: str = "cinematic") -> Storyboard:
    return write_storyboard(JobInput(script=script), RenderOptions(art_style=art_style), JOB)


# ---- scripts ----------------------------------------------------------------------------------


def test_script_without_blank_lines_gets_one_scene_per_line() -> None:
    storyboard = from_script("The sun rose.\nThe town woke.\nNobody noticed the stranger.")
    assert [scene.narration for scene in storyboard.scenes] == [
        "The sun rose.",
        "The town woke.",
        "Nobody noticed the stranger.",
    ]


def test_script_with_blank_lines_gets_one_scene_per_paragraph() -> None:
    script = "The sun rose.\nThe town woke.\n\nNobody noticed\nthe stranger.\n   \nThe end."
    storyboard = from_script(script)
    assert [scene.narration for scene in storyboard.scenes] == [
        "The sun rose. The town woke.",
        "Nobody noticed the stranger.",
        "The end.",
    ]


def test_script_whitespace_is_collapsed_and_empty_pieces_dropped() -> None:
    storyboard = from_script("\n\n   First   line\twith  gaps  \n\n\n\n  \n  Second line \n\n")
    assert [scene.narration for scene in storyboard.scenes] == ["First line with gaps", "Second line"]


def test_script_keeps_the_users_words_verbatim() -> None:
    lines = ["Ich bin ein Berliner!", "C'est la vie — 42 times, honestly…", "¿Qué pasa, amigo? 😀"]
    storyboard = from_script("\n".join(lines))
    assert [scene.narration for scene in storyboard.scenes] == lines
    assert [scene.subtitle for scene in storyboard.scenes] == lines
    assert storyboard.text == "\n\n".join(lines)


def test_script_past_the_scene_cap_merges_the_tail_without_losing_words() -> None:
    lines = [f"Line number {number} of the script." for number in range(75)]
    storyboard = from_script("\n".join(lines))
    assert len(storyboard.scenes) == MAX_SCENES
    assert [scene.narration for scene in storyboard.scenes[:-1]] == lines[: MAX_SCENES - 1]
    assert storyboard.scenes[-1].narration == " ".join(lines[MAX_SCENES - 1 :])
    assert " ".join(scene.narration for scene in storyboard.scenes) == " ".join(lines)


def test_script_title_is_the_opening_words_and_description_counts_scenes() -> None:
    storyboard = from_script("Once upon a time, in a kingdom by the sea, there lived a girl.\nShe sailed away.")
    assert storyboard.title == "Once upon a time, in a kingdom by"
    assert storyboard.description == "A 2-scene video from your script."


def test_script_title_stops_at_the_first_sentence_without_trailing_punctuation() -> None:
    assert from_script("Run!!! The dogs are coming.").title == "Run"
    assert len(from_script("Supercalifragilistic" * 10).title) <= 60


def test_script_scene_pictures_describe_the_scene_in_the_art_style() -> None:
    storyboard = from_script("A red balloon drifts over the harbour.", art_style="anime")
    prompt = storyboard.scenes[0].image_prompt
    assert prompt.startswith("A red balloon drifts over the harbour")
    assert prompt.endswith(STYLE_PHRASES["anime"])


def test_script_of_only_whitespace_is_invalid() -> None:
    with pytest.raises(InvalidInput, match="script is empty"):
        from_script(" \n\t\n ")


# ---- told stories -----------------------------------------------------------------------------


@pytest.mark.parametrize("duration", ["short", "long"])
@pytest.mark.parametrize("topic", TOPICS)
def test_every_topic_is_told_at_the_length_of_its_duration(topic: str, duration: str) -> None:
    storyboard = write_storyboard(topic_input(topic), RenderOptions(duration=duration), JOB)
    assert len(storyboard.scenes) in SCENES[duration]
    assert told_at_length(storyboard.text, duration), f"{spoken_seconds(storyboard.text, 'english'):.0f} s"
    assert [scene.index for scene in storyboard.scenes] == list(range(len(storyboard.scenes)))
    assert storyboard.text == "\n\n".join(scene.narration for scene in storyboard.scenes)
    assert 0 < len(storyboard.title) <= 80
    assert storyboard.description.strip()


@pytest.mark.parametrize("topic", TOPICS)
def test_every_narration_is_one_to_three_short_sentences_shown_as_its_subtitle(topic: str) -> None:
    for duration in ("short", "long"):
        for scene in write_storyboard(topic_input(topic), RenderOptions(duration=duration), JOB).scenes:
            assert 1 <= len(sentences(scene.narration)) <= 3, scene.narration
            assert max(words(sentence) for sentence in sentences(scene.narration)) <= 25, scene.narration
            assert scene.subtitle == scene.narration
            assert "{" not in scene.narration and "}" not in scene.narration


def test_different_jobs_for_a_topic_vary_within_its_length() -> None:
    stories = {write_storyboard(JobInput(topic="scary"), RenderOptions(), uuid5(JOB, str(n))).text for n in range(12)}
    assert len(stories) > 5
    assert all(told_at_length(story, "short") for story in stories)


def test_voice_and_art_style_never_change_the_words() -> None:
    stories = {
        write_storyboard(JobInput(topic="scary"), RenderOptions(voice=voice, art_style=style), JOB).text
        for voice in ("alloy", "echo", "nova")
        for style in ART_STYLES
    }
    assert len(stories) == 1


def test_the_same_request_gets_the_same_storyboard() -> None:
    for source in (JobInput(topic="mystery"), topic_input("custom topic"), JobInput(prompt="a robot who paints")):
        options = RenderOptions(duration="long", art_style="comic-book")
        assert write_storyboard(source, options, JOB) == write_storyboard(source, options, JOB)


def test_different_custom_topics_get_different_stories() -> None:
    owls = write_storyboard(JobInput(topic="custom topic", topic_text="owls"), RenderOptions(), JOB)
    coffee = write_storyboard(JobInput(topic="custom topic", topic_text="coffee"), RenderOptions(), JOB)
    assert owls.text != coffee.text
    assert owls.text.replace("owls", "coffee") != coffee.text


def test_custom_topic_text_is_woven_into_the_narration() -> None:
    for duration in ("short", "long"):
        storyboard = write_storyboard(topic_input("custom topic"), RenderOptions(duration=duration), JOB)
        mentions = storyboard.text.count("the migration of monarch butterflies")
        assert mentions >= 2
        assert "The Migration of Monarch Butterflies" in storyboard.title


def test_long_custom_topic_text_is_shortened_in_the_narration() -> None:
    text = "Deep sea creatures that glow in the dark, " + "and many other wonders of the ocean floor " * 15
    storyboard = write_storyboard(JobInput(topic="custom topic", topic_text=text), RenderOptions(), JOB)
    assert "Deep sea creatures that glow in the dark" in storyboard.text
    assert "ocean floor and many" not in storyboard.text
    assert told_at_length(storyboard.text, "short")


@pytest.mark.parametrize(
    ("prompt", "subject"),
    [
        (
            "Write a story about a lighthouse keeper who finds a message in a bottle. Make it sad.",
            "a lighthouse keeper who finds a message in a bottle",
        ),
        ("A robot who learns to paint", "a robot who learns to paint"),
        ("Tell me about black holes", "black holes"),
        (
            "Make a video about the Roman Empire and its fall, with lots of battles and emperors",
            "the Roman Empire and its fall",
        ),
    ],
)
def test_prompt_subject_is_stated_in_the_opening_and_the_story(prompt: str, subject: str) -> None:
    storyboard = write_storyboard(JobInput(prompt=prompt), RenderOptions(), JOB)
    assert subject in storyboard.scenes[0].narration
    assert storyboard.text.count(subject) >= 2
    assert told_at_length(storyboard.text, "short")


@pytest.mark.parametrize("art_style", ART_STYLES)
def test_image_prompts_end_with_the_art_style_and_stay_short(art_style: str) -> None:
    sources = [topic_input(topic) for topic in TOPICS] + [JobInput(prompt="dragons " * 200)]
    for source in sources:
        for scene in write_storyboard(source, RenderOptions(art_style=art_style, duration="long"), JOB).scenes:
            assert scene.image_prompt.endswith(", " + STYLE_PHRASES[art_style])
            assert len(scene.image_prompt) <= 300
            assert len(scene.image_prompt) > len(STYLE_PHRASES[art_style]) + 10
