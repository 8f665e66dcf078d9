"""The offline writer's material: one TOML file per language in `material/`, loaded into typed tales.

A file holds a tale per topic (plus "custom topic", "prompt" and "reference image") and what the
writer needs to handle that language (how its length is counted, how to trim a user's prompt
into a phrase). Every file is checked when it is loaded: an unknown field, a beat that asks for
more passages than it has, or a `{slot}` no cast alternative fills fails start-up with the file
and the place named, instead of a story with a hole in it.
"""

import functools
import re
import string
import tomllib
from pathlib import Path
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from libs.common.vocabulary import LANGUAGES, TOPICS, Language

MATERIAL_DIR = Path(__file__).with_name("material")
CUSTOM_TOPIC = "custom topic"
PROMPT = "prompt"
REFERENCE_IMAGE = "reference image"
TALE_NAMES: tuple[str, ...] = (*TOPICS, PROMPT, REFERENCE_IMAGE)
"""Every tale a language file must hold: the topics ("custom topic" among them), free prompts, pictures."""
USER_SLOTS = frozenset({"subject", "subject_title"})
"""Slots the writer fills with the user's own words, in the tales that tell them (custom topic, prompt)."""
TALES_WITH_USER_WORDS = frozenset({CUSTOM_TOPIC, PROMPT})


class MaterialError(Exception):
    """A material file is malformed; the message names the file and what is wrong."""


def _non_blank(text: str) -> str:
    if not text.strip():
        raise ValueError("must not be blank")
    return text


Text = Annotated[str, AfterValidator(_non_blank)]
Alternative = dict[str, str]
"""One choice for a cast role: the slots it fills, e.g. a name with its pronouns."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Beat(Strict):
    """One movement of a tale: passages to choose from, each with its picture.

    `short` and `long` are how many scenes the beat takes in each preset length (0 skips it).
    `pictures[i]` pictures `passages[i]` (cycled when there are fewer pictures than passages).
    Passages read in any order unless `ordered`: then the chosen ones keep their written order.
    """

    short: int = Field(ge=0)
    long: int = Field(ge=0)
    passages: tuple[Text, ...] = Field(min_length=1)
    pictures: tuple[Text, ...] = Field(min_length=1)
    ordered: bool = False

    @model_validator(mode="after")
    def _enough_passages(self) -> Self:
        if self.long > len(self.passages) or self.short > len(self.passages):
            raise ValueError(f"asks for {max(self.short, self.long)} passages but has {len(self.passages)}")
        if self.short > self.long:
            raise ValueError("a short story cannot tell more of a beat than a long one")
        return self

    def picture(self, index: int) -> str:
        return self.pictures[index % len(self.pictures)]


class Tale(Strict):
    """A topic's story: titles, one-line descriptions, a cast to draw from, and its beats."""

    titles: tuple[Text, ...] = Field(min_length=1)
    descriptions: tuple[Text, ...] = Field(min_length=1)
    cast: tuple[tuple[Alternative, ...], ...] = ()
    beats: tuple[Beat, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _alternatives_agree(self) -> Self:
        for number, role in enumerate(self.cast, start=1):
            if not role:
                raise ValueError(f"cast role {number} has no alternatives")
            slots = set(role[0])
            for alternative in role[1:]:
                if set(alternative) != slots:
                    raise ValueError(
                        f"cast role {number}: every alternative fills the same slots "
                        f"({sorted(slots)} against {sorted(alternative)})"
                    )
        return self

    @property
    def cast_slots(self) -> frozenset[str]:
        return frozenset(slot for role in self.cast for slot in role[0])

    def texts(self) -> list[str]:
        """Every text with slots in it: titles, descriptions, passages and pictures."""
        texts = [*self.titles, *self.descriptions]
        for beat in self.beats:
            texts += [*beat.passages, *beat.pictures]
        for role in self.cast:
            texts += [value for alternative in role for value in alternative.values()]
        return texts


class LanguageMaterial(Strict):
    """Everything the offline writer knows of one language."""

    language: Language
    langid: tuple[str, ...] = Field(min_length=1, description="py3langid codes that mean this language.")
    unspaced: bool = Field(description="Written without spaces between words: length counts characters.")
    title_case: bool = Field(description="Titles capitalise every word of the user's phrase (English).")
    script_title: Text = Field(description="The title of a script whose first words make none.")
    script_description: Text = Field(description="A script video's description; {scenes} is the scene count.")
    fallback_subject: Text = Field(description="The subject when the user's words cannot be used ('this idea').")
    prompt_openers: tuple[str, ...] = Field(
        description="Regular expressions (case-insensitive) for instructions opening a prompt, "
        "such as 'write a story about', removed before the prompt is told."
    )
    dangling_words: tuple[str, ...] = Field(description="Words a trimmed phrase must not end on ('and', 'the').")
    lowercase_openers: tuple[str, ...] = Field(
        description="Words a phrase may open with that read lower-case inside a sentence ('the', 'my')."
    )
    tales: dict[str, Tale]

    @model_validator(mode="after")
    def _complete(self) -> Self:
        missing = [name for name in TALE_NAMES if name not in self.tales]
        unknown = [name for name in self.tales if name not in TALE_NAMES]
        if missing or unknown:
            raise ValueError(f"tales missing: {missing}, unknown: {unknown} (expected {list(TALE_NAMES)})")
        for pattern in self.prompt_openers:
            re.compile(pattern)
        for name, tale in self.tales.items():
            allowed = tale.cast_slots | (USER_SLOTS if name in TALES_WITH_USER_WORDS else frozenset())
            for text in tale.texts():
                unfilled = slots_in(text) - allowed
                if unfilled:
                    raise ValueError(f"tale {name!r}: {sorted(unfilled)} in {text[:60]!r} are filled by nothing")
        return self

    def opener_pattern(self) -> re.Pattern[str] | None:
        if not self.prompt_openers:
            return None
        return re.compile("|".join(f"(?:{pattern})" for pattern in self.prompt_openers), re.IGNORECASE)


def slots_in(text: str) -> set[str]:
    """The `{slot}` names a text uses (format-string fields)."""
    try:
        return {field for _, field, _, _ in string.Formatter().parse(text) if field}
    except ValueError as error:
        raise ValueError(f"{text[:60]!r} is not a valid template: {error}") from error


def load_file(path: Path) -> LanguageMaterial:
    """One language's material; MaterialError names the file and the problem."""
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
        material = LanguageMaterial.model_validate(data)
    except (OSError, tomllib.TOMLDecodeError, ValidationError, ValueError) as error:
        raise MaterialError(f"{path}: {error}") from error
    if material.language != path.stem:
        raise MaterialError(f"{path}: says language {material.language!r}; the file must be named after it")
    return material


@functools.cache
def all_material(folder: Path = MATERIAL_DIR) -> dict[str, LanguageMaterial]:
    """Every language's material, checked; MaterialError when a file is malformed or a language is missing."""
    found = {path.stem: load_file(path) for path in sorted(folder.glob("*.toml"))}
    missing = [language for language in LANGUAGES if language not in found]
    if missing:
        raise MaterialError(f"{folder}: no material for {', '.join(missing)} (one <language>.toml each)")
    return found


def material_for(language: str) -> LanguageMaterial:
    return all_material()[language]


def main() -> None:
    """`python -m services.story.tales [FILE...]`: check material files (all of them by default)."""
    import sys

    paths = [Path(argument) for argument in sys.argv[1:]] or sorted(MATERIAL_DIR.glob("*.toml"))
    failed = False
    for path in paths:
        try:
            material = load_file(path)
        except MaterialError as error:
            print(f"FAIL {error}")
            failed = True
            continue
        passages = sum(len(beat.passages) for tale in material.tales.values() for beat in tale.beats)
        print(f"ok   {path}: {len(material.tales)} tales, {passages} passages")
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
