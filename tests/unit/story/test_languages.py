"""Every language for real: the offline writer's stories, read as a listener and a viewer meet them.

A language identifier (py3langid, not our own code) judges the title, every scene's narration and
the subtitle file of stories on several topics in each of the 20 languages, and a non-English story
must not carry English function words left over from a template.
"""

import re
from uuid import UUID, uuid5

import pytest

from libs.common.events import Cue, JobInput, RenderOptions, Storyboard
from libs.common.vocabulary import LANGUAGES
from services.audio.espeak import split_phrases
from services.render.captions import to_srt
from services.story.language_check import confidence, identify
from services.story.offline_writer import write_storyboard
from services.story.tales import material_for

JOB = UUID("5b7c1f8e-2d3a-4e6f-9a1b-0c2d3e4f5a6b")
TOPICS = ("scary", "interesting history", "fun facts", "love")
ENGLISH_FUNCTION_WORDS = frozenset({"the", "and", "of", "to", "is", "with", "that", "this", "was", "for", "you"})
SHARED_WORDS: dict[str, frozenset[str]] = {
    "dutch": frozenset({"is", "of", "was"}),  # Dutch "is" (is), "of" (or), "was" (was)
    "german": frozenset({"was"}),  # German "was" (what)
    "polish": frozenset({"to"}),  # Polish "to" (it, this)
    "czech": frozenset({"to"}),
    "danish": frozenset({"for", "to"}),  # Danish and Norwegian "for" (for, too) and "to" (two)
    "norwegian": frozenset({"for", "to"}),
}
CONFIDENT = 0.95


def story(language: str, topic: str) -> Storyboard:
    return write_storyboard(JobInput(topic=topic), RenderOptions(language=language), uuid5(JOB, f"{language}{topic}"))


def subtitle_file(storyboard: Storyboard) -> str:
    """The SRT the render writes: the narration cut into phrases exactly as the narrator cuts it."""
    phrases = [phrase for scene in storyboard.scenes for phrase in split_phrases(scene.subtitle)]
    return to_srt(Cue(start_s=n * 2.0, end_s=n * 2.0 + 1.5, text=phrase) for n, phrase in enumerate(phrases))


def shown_text(srt: str, language: str) -> str:
    """What a viewer reads in an SRT: each cue's lines joined (without a space in Chinese and Japanese)."""
    joiner = "" if material_for(language).unspaced else " "
    blocks = [block.splitlines()[2:] for block in srt.strip().split("\n\n")]
    return "\n".join(joiner.join(lines) for lines in blocks)


def reads_as(text: str, language: str) -> tuple[bool, str]:
    verdict = identify(text)
    return verdict.code in material_for(language).langid, f"{verdict.code} p={verdict.probability:.3f}: {text[:80]}"


def english_words_in(text: str, language: str) -> set[str]:
    words = {word.lower() for word in re.findall(r"[A-Za-z]+", text)}
    return (words & ENGLISH_FUNCTION_WORDS) - SHARED_WORDS.get(language, frozenset())


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_word_of_a_story_is_in_the_language_asked_for(language: str) -> None:
    for topic in TOPICS:
        storyboard = story(language, topic)
        whole = identify(storyboard.text)
        assert whole.code in material_for(language).langid, (topic, whole)
        assert confidence(storyboard.text, language) >= CONFIDENT, (topic, whole)
        for scene in storyboard.scenes:
            ok, why = reads_as(scene.narration, language)
            assert ok, f"{topic}, scene {scene.index}: {why}"
        ok, why = reads_as(f"{storyboard.title}. {storyboard.description}", language)
        assert ok, f"{topic} title: {why}"
        subtitles = subtitle_file(storyboard)
        shown = shown_text(subtitles, language)
        assert identify(shown).code in material_for(language).langid, (topic, identify(shown))
        assert confidence(shown, language) >= CONFIDENT, (topic, identify(shown))
        if language != "english":
            spoken = "\n".join([storyboard.title, storyboard.description, storyboard.text])
            assert not english_words_in(spoken, language), (
                f"{topic}: English words {english_words_in(spoken, language)}"
            )


@pytest.mark.parametrize("language", LANGUAGES)
def test_two_jobs_on_one_topic_get_different_stories_on_that_topic(language: str) -> None:
    first, second = (
        write_storyboard(JobInput(topic="mystery"), RenderOptions(language=language), uuid5(JOB, str(n)))
        for n in range(2)
    )
    assert first.text != second.text
    mystery = material_for(language).tales["mystery"]
    known = {passage for beat in mystery.beats for passage in beat.passages}
    slots = re.compile(r"\{[^}]*\}")
    patterns = [re.compile(".*".join(map(re.escape, slots.split(passage)))) for passage in known]
    for storyboard in (first, second):
        for scene in storyboard.scenes:
            assert any(pattern.fullmatch(scene.narration) for pattern in patterns), "a passage of another topic"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_custom_topic_in_the_language_is_quoted_and_one_in_another_is_not(language: str) -> None:
    material = material_for(language)
    own = material.fallback_subject
    told = write_storyboard(JobInput(topic="custom topic", topic_text=own), RenderOptions(language=language), JOB)
    assert own in told.text and not told.warnings
    foreign = (
        "the secret life of honey bees in a city garden"
        if language != "english"
        else "la vie secrète des abeilles dans les jardins de la ville"
    )
    other = write_storyboard(JobInput(topic="custom topic", topic_text=foreign), RenderOptions(language=language), JOB)
    assert foreign not in other.text
    assert other.warnings and "does not translate" in other.warnings[0]
