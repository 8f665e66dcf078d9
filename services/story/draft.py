"""The storyboard a language model drafts: its schema (sent as the structured-output format) and its checks.

The schema keeps to what OpenAI's strict structured outputs accept (every property required, no
extra properties, only item counts as constraints); what it cannot say (no blank text) the
pydantic validators check, and a draft that fails them counts as invalid output.
"""

from dataclasses import replace
from typing import Annotated

from openai.types.shared_params import ResponseFormatJSONSchema
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from libs.common.events import RenderOptions, Scene, Storyboard
from libs.common.pacing import target_seconds
from libs.common.subjects import MAX_SUBJECTS
from services.story.direction import Direction
from services.story.fitting import fit_scenes
from services.story.offline_writer import MAX_SCENES, MAX_TITLE_CHARS, clip_words, image_prompt
from services.story.pictures import STYLE_PHRASES

SCHEMA_NAME = "storyboard"


def _filled(text: str) -> str:
    collapsed = " ".join(text.split())
    if not collapsed:
        raise ValueError("must not be blank")
    return collapsed


Text = Annotated[str, AfterValidator(_filled)]


class SceneDraft(BaseModel):
    model_config = ConfigDict(extra="forbid")

    narration: Text = Field(description="What the narrator says in this scene: one to three short sentences.")
    image_prompt: Text = Field(
        description="One picture for the scene, in English: subject, setting, light and mood, "
        "no text in the picture; ends with the art style."
    )
    subtitle: Text = Field(description="The narration as shown on screen, in the story's language.")
    subjects: list[Text] = Field(
        min_length=1,
        max_length=MAX_SUBJECTS,
        description="What the picture shows, as 1 to 4 English nouns in the singular, main subject first "
        "(e.g. lighthouse, cat, storm), whatever the story's language.",
    )
    search_query: str = Field(
        description="A short English stock-photo search query for the picture, 2 to 6 words "
        "(e.g. lighthouse storm night), whatever the story's language."
    )


class StoryDraft(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Text = Field(description=f"A catchy title of at most {MAX_TITLE_CHARS} characters.")
    description: Text = Field(description="One sentence saying what the video is about.")
    scenes: list[SceneDraft] = Field(min_length=1, max_length=MAX_SCENES, description="The scenes, in order.")


def response_format() -> ResponseFormatJSONSchema:
    """The `response_format` asking for a `StoryDraft` as strict structured output."""
    return {
        "type": "json_schema",
        "json_schema": {"name": SCHEMA_NAME, "strict": True, "schema": StoryDraft.model_json_schema()},
    }


def storyboard_from_draft(draft: StoryDraft, options: RenderOptions, direction: Direction | None = None) -> Storyboard:
    """The storyboard of a valid draft, held to the job's direction: its mood, picture notes, scene count
    and length (a model that wrote a scene more or less than asked is corrected here rather than asked again)."""
    art_style = options.art_style
    scenes = [
        Scene(
            index=index,
            narration=scene.narration,
            subtitle=scene.subtitle,
            image_prompt=styled(scene.image_prompt, art_style, direction),
            mood=direction.mood if direction else None,
            subjects=list(dict.fromkeys(subject.lower() for subject in scene.subjects)),
            search_query=" ".join(scene.search_query.split()),
        )
        for index, scene in enumerate(draft.scenes)
    ]
    if direction is not None and direction.scenes is not None:
        scenes = fit_scenes(scenes, direction.scenes)
    return Storyboard(
        title=clip_words(draft.title, MAX_TITLE_CHARS),
        description=draft.description,
        text="\n\n".join(scene.narration for scene in scenes),
        scenes=scenes,
        mood=direction.mood if direction else None,
        target_s=float(target_seconds(options)),
    )


def styled(picture: str, art_style: str, direction: Direction | None = None) -> str:
    """A model's picture ending with the picture notes and the art style exactly once, whether the model
    added them or not."""
    bare = picture.rstrip(" .")
    notes = direction.notes if direction is not None else ""
    for phrase in (STYLE_PHRASES.get(art_style, art_style), notes):
        if phrase and bare.lower().endswith(phrase.lower()):
            bare = bare[: -len(phrase)].rstrip(" ,;")
    # The model writes its own camera moves for a reference image: none is added here.
    plain = replace(direction, reference_image=False) if direction else None
    return image_prompt(bare.rstrip(" ,;"), art_style, plain)
