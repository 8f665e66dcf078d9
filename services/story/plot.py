"""The shape of a told story: a plot of beats, each beat a pool of interchangeable passages."""

from dataclasses import dataclass

Passage = str | tuple[str, str]
"""A narration, or a narration with its own picture (when a beat's scenes all differ, like facts)."""


@dataclass(frozen=True)
class Beat:
    """One movement of a story: passages to choose from, and their pictures.

    `short` and `long` are how many scenes the beat takes in each duration (0 skips it).
    `visuals[i]` pictures `passages[i]` (cycled when there are fewer visuals than passages).
    Passages read in any order unless the beat is `ordered`: then the chosen ones keep the
    order they are written in (a chronology, a scene that must come first).
    """

    short: int
    long: int
    passages: tuple[Passage, ...]
    visuals: tuple[str, ...] = ()
    ordered: bool = False


@dataclass(frozen=True)
class Plot:
    """A topic's story: titles, one-line descriptions, a cast to draw from and its beats.

    Each cast role is a set of alternatives; each alternative fills several slots at once
    (a name with its pronouns, a house with its picture), so the choices stay consistent.
    """

    titles: tuple[str, ...]
    descriptions: tuple[str, ...]
    cast: tuple[tuple[dict[str, str], ...], ...]
    beats: tuple[Beat, ...]


def person(name: str, pronoun: str, **more: str) -> dict[str, str]:
    """A cast member: a name, the pronouns that go with it, and any extra slots."""
    they, them, their = {"she": ("she", "her", "her"), "he": ("he", "him", "his")}[pronoun]
    pronouns = {"they": they, "them": them, "their": their, "They": they.capitalize(), "Their": their.capitalize()}
    return {"name": name, **pronouns, **more}
