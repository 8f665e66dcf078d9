"""What a scene shows: the subject nouns found in its English picture text, and the drawing of each.

The vocabulary is data (`subjects.toml`, written by `scripts/build_subjects.py`): a few hundred nouns
common in stories, each with its other names and plurals, the OpenMoji drawing that depicts it (a
codepoint sequence such as `1F9D1-200D-1F680`) and where it stands in a picture. The story stage
names each scene's subjects with `find_subjects`; the offline painter draws them with `emoji_for`.
"""

import functools
import re
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SUBJECTS_FILE = Path(__file__).with_name("subjects.toml")
MAX_SUBJECTS = 4
MAX_QUERY_WORDS = 6

SubjectKind = Literal["figure", "place", "sky", "luminary"]
"""Where a subject stands: on the ground, set back on the horizon, above it, or as the scene's light."""


class Subject(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    emoji: str = Field(pattern=r"^[0-9A-F]{4,6}(-[0-9A-F]{4,6})*$", description="OpenMoji's hexcode of the drawing.")
    kind: SubjectKind
    aliases: tuple[str, ...] = Field(default=(), description="Other names and plurals, lower case.")

    @property
    def text(self) -> str:
        """The drawing as the text a font draws."""
        return "".join(chr(int(code, 16)) for code in self.emoji.split("-"))


class Vocabulary(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    openmoji: str = Field(description="The OpenMoji release the drawings were checked against.")
    settings: tuple[str, ...] = Field(min_length=1, description="Setting and light words a search query may add.")
    subjects: dict[str, Subject] = Field(min_length=1)

    @model_validator(mode="after")
    def _names_are_unique(self) -> "Vocabulary":
        owners: dict[str, str] = {}
        for subject, entry in self.subjects.items():
            for name in (subject, *entry.aliases):
                if name != name.lower().strip() or not name:
                    raise ValueError(f"{subject}: name {name!r} must be lower case, trimmed and not empty")
                if name in owners and owners[name] != subject:
                    raise ValueError(f"{name!r} names both {owners[name]} and {subject}")
                owners[name] = subject
        return self

    def names(self) -> dict[str, str]:
        """Every name (subject or alias) and the subject it names."""
        return {name: subject for subject, entry in self.subjects.items() for name in (subject, *entry.aliases)}


@functools.cache
def vocabulary() -> Vocabulary:
    """The vocabulary; a malformed file fails loudly at the first use."""
    with SUBJECTS_FILE.open("rb") as file:
        return Vocabulary.model_validate(tomllib.load(file))


@functools.cache
def _pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    names = vocabulary().names()
    longest_first = sorted(names, key=len, reverse=True)
    spelled = [r"[\s-]+".join(re.escape(word) for word in name.split()) for name in longest_first]
    return re.compile(r"\b(?:" + "|".join(spelled) + r")\b", re.IGNORECASE), names


def find_subjects(text: str, limit: int = MAX_SUBJECTS) -> list[str]:
    """The subjects `text` names, in the order they first appear, each once, at most `limit`.

    Longer names win where names overlap ("fire engine" before "fire"); names match whole words only.
    English only: text in another language finds nothing (or a loan word).
    """
    pattern, names = _pattern()
    found: list[str] = []
    for match in pattern.finditer(text.replace("’", "'")):
        spelled = " ".join(match.group(0).lower().split())
        subject = names.get(spelled) or names[spelled.replace("-", " ")]
        if subject not in found:
            found.append(subject)
            if len(found) == limit:
                break
    return found


def search_query(text: str, subjects: list[str]) -> str:
    """A short stock-media query: the subjects, then the first setting or light word `text` has (in the
    vocabulary's order of preference), whole names only, at most `MAX_QUERY_WORDS` words."""
    words: list[str] = []
    lowered = text.lower()
    settings = [setting for setting in vocabulary().settings if re.search(rf"\b{re.escape(setting)}\b", lowered)]
    for name in [*subjects, *settings[:1]]:
        if name not in words and len(words) + len(name.split()) <= MAX_QUERY_WORDS:
            words += name.split()
    return " ".join(words)


def emoji_for(subject: str) -> str | None:
    """The text of the drawing that depicts `subject` (a subject or any of its names), or None."""
    _, names = _pattern()
    entry = vocabulary().subjects.get(names.get(subject.lower(), ""))
    return entry.text if entry is not None else None


def kind_of(subject: str) -> SubjectKind:
    """Where `subject` stands in a picture (a figure when the vocabulary does not know it)."""
    entry = vocabulary().subjects.get(subject)
    return entry.kind if entry is not None else "figure"
