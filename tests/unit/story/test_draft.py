"""A model's draft: the schema it is asked for, what passes validation, and the storyboard it becomes."""

import json
import re
from typing import Any

import pytest
from pydantic import ValidationError

from libs.common.errors import InvalidInput
from libs.common.events import JobInput, RenderOptions
from services.story.draft import StoryDraft, response_format, storyboard_from_draft, styled
from services.story.offline_writer import MAX_SCENES, STYLE_PHRASES
from services.story.story_prompt import TOPIC_BRIEFS, story_messages

SCENE = {
    "narration": "The lamp went dark.",
    "image_prompt": "a dark lighthouse at night",
    "subtitle": "The lamp went dark.",
    "subjects": ["Lighthouse", "storm"],
    "search_query": "lighthouse  storm night",
}


def draft(**changes: Any) -> dict[str, Any]:
    return {"title": "The Last Light", "description": "A keeper's final night.", "scenes": [SCENE, SCENE], **changes}


def objects(schema: dict[str, Any]) -> list[dict[str, Any]]:
    found = [schema] if schema.get("type") == "object" else []
    for value in schema.values():
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
        found += [node for child in children if isinstance(child, dict) for node in objects(child)]
    return found


def test_the_response_format_is_a_strict_json_schema_of_the_draft() -> None:
    spec = response_format()
    assert spec["type"] == "json_schema" and spec["json_schema"]["strict"] is True
    schema = spec["json_schema"]["schema"]
    for node in objects(schema):
        assert node["additionalProperties"] is False
        assert set(node["required"]) == set(node["properties"])
    assert schema["properties"]["scenes"]["maxItems"] == MAX_SCENES


def test_a_valid_draft_becomes_a_storyboard_with_indexed_scenes_and_joined_text() -> None:
    storyboard = storyboard_from_draft(
        StoryDraft.model_validate_json(json.dumps(draft())), RenderOptions(art_style="anime")
    )
    assert [scene.index for scene in storyboard.scenes] == [0, 1]
    assert storyboard.text == "The lamp went dark.\n\nThe lamp went dark."
    assert all(scene.image_prompt.endswith(STYLE_PHRASES["anime"]) for scene in storyboard.scenes)
    assert all(scene.subjects == ["lighthouse", "storm"] for scene in storyboard.scenes)
    assert all(scene.search_query == "lighthouse storm night" for scene in storyboard.scenes)


@pytest.mark.parametrize(
    "broken",
    [
        '{"title": "The Last Light", "scenes": [',
        json.dumps(draft(scenes=[])),
        json.dumps(draft(scenes=[{**SCENE, "subjects": []}])),
        json.dumps(draft(scenes=[{**SCENE, "subjects": ["a", "b", "c", "d", "e"]}])),
        json.dumps(draft(title="   ")),
        json.dumps(draft(scenes=[{**SCENE, "narration": ""}])),
        json.dumps(draft(scenes=[{"narration": "Only words."}])),
        json.dumps(draft(mood="dark")),
        json.dumps(draft(scenes=[SCENE] * (MAX_SCENES + 1))),
    ],
)
def test_unusable_drafts_fail_validation(broken: str) -> None:
    with pytest.raises(ValidationError):
        StoryDraft.model_validate_json(broken)


def test_pictures_end_with_the_art_style_exactly_once() -> None:
    phrase = STYLE_PHRASES["comic-book"]
    assert styled("a harbour at dawn", "comic-book") == f"a harbour at dawn, {phrase}"
    assert styled(f"a harbour at dawn, {phrase}.", "comic-book") == f"a harbour at dawn, {phrase}"


def test_long_titles_are_clipped_at_a_word() -> None:
    storyboard = storyboard_from_draft(StoryDraft.model_validate(draft(title="word " * 40)), RenderOptions())
    assert len(storyboard.title) <= 80 and not storyboard.title.endswith(" ")


@pytest.mark.parametrize(("duration", "scenes", "seconds"), [("short", 6, 45), ("long", 24, 180)])
def test_the_prompt_asks_for_the_length_language_and_art_style(duration: str, scenes: int, seconds: int) -> None:
    options = RenderOptions(duration=duration, language="french", art_style="pixar-art")
    [system, user] = story_messages(JobInput(prompt="a cat who runs a bakery"), options)
    assert system["role"] == "system" and user["role"] == "user"
    ask = str(user["content"])
    asked = re.search(rf"about {scenes} scenes and about (\d+) words of narration", ask)
    assert asked is not None, ask
    assert 2.0 * seconds <= int(asked.group(1)) <= 4.0 * seconds, "a narrator speaks 2-4 words a second"
    assert "French" in ask and STYLE_PHRASES["pixar-art"] in ask
    assert "<request>a cat who runs a bakery</request>" in ask


def test_the_prompt_describes_listed_topics_and_quotes_custom_ones() -> None:
    [_, listed] = story_messages(JobInput(topic="long form jokes"), RenderOptions())
    [_, custom] = story_messages(JobInput(topic="custom topic", topic_text="tide pools"), RenderOptions())
    assert TOPIC_BRIEFS["long form jokes"] in str(listed["content"])
    assert "<request>tide pools</request>" in str(custom["content"])
    with pytest.raises(InvalidInput):
        story_messages(JobInput(topic="custom topic"), RenderOptions())
