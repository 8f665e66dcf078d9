"""Every language's captions in its own font: the font has each character, and libass draws them from it.

The text is the language's story material (titles and passages, services/story/material/) where that
file exists, and always the sample in tests/data/caption_samples.toml, which holds the punctuation the
language typically uses. Frames are burned in with the real ffmpeg and libass, as the render stage does.
"""

import functools
import re
import subprocess
import tomllib
import unicodedata
from pathlib import Path

import numpy as np
import pytest
import regex
from fontTools.ttLib import TTCollection, TTFont

from libs.common.events import Cue
from libs.common.lines import display_width
from libs.common.vocabulary import LANGUAGES, Language
from services.audio.espeak import split_phrases
from services.render.caption_fonts import CAPTION_FONTS, CaptionFont
from services.render.captions import drawable, to_ass
from services.render.segment import filter_path
from services.story.tales import MATERIAL_DIR, load_file, slots_in

SAMPLES = tomllib.loads((Path(__file__).parents[2] / "data" / "caption_samples.toml").read_text(encoding="utf-8"))
WIDTH, HEIGHT = 540, 960
BACKGROUND = "0x203040"
TEXT_WHITE = 235
"""A pixel with every channel at least this bright is caption fill (the background is dark blue, the outline black)."""
_FONT_SELECTED = re.compile(r"fontselect: \([^)]*\) -> (.+?), (\d+), ")
"""libass's log line for each font it opens: the file and the face's number in it."""
_MISSING_GLYPH = re.compile(r"Glyph (0x[0-9A-Fa-f]+) not found")


def material_texts(language: str) -> list[str]:
    """Titles and passages of the language's material, with the cast's words for their slots; none without a file."""
    path = MATERIAL_DIR / f"{language}.toml"
    if not path.exists():
        return []
    texts: list[str] = []
    for tale in load_file(path).tales.values():
        told = [*tale.titles, *(passage for beat in tale.beats for passage in beat.passages)]
        slots = set().union(*(slots_in(text) for text in told))
        texts += [re.sub(r"\{[^{}]*\}", " ", text) for text in told]
        texts += [
            value for role in tale.cast for alternative in role for slot, value in alternative.items() if slot in slots
        ]
    return texts


def texts_of(language: str) -> list[str]:
    return [SAMPLES[language], *material_texts(language)]


def drawn_characters(text: str) -> set[str]:
    """The characters libass draws for `text` in the caption font: no whitespace, controls or emoji."""
    kept = (
        grapheme
        for grapheme in regex.findall(r"\X", drawable(text))
        if not regex.search(r"\p{Extended_Pictographic}", grapheme)
    )
    return {char for grapheme in kept for char in grapheme if not char.isspace() and unicodedata.category(char) != "Cc"}


@functools.cache
def face(font: CaptionFont) -> tuple[int, TTFont]:
    """The face of `font.family` in `font.file`, with its number there (a .ttc holds several, one per family)."""
    faces = TTCollection(font.file).fonts if font.file.suffix == ".ttc" else [TTFont(font.file)]
    for number, candidate in enumerate(faces):
        if font.family in {candidate["name"].getDebugName(1), candidate["name"].getDebugName(16)}:
            return number, candidate
    raise AssertionError(f"{font.file} has no face of the family {font.family!r}")


def test_every_language_has_a_sample() -> None:
    assert sorted(SAMPLES) == sorted(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_caption_font_has_every_character_of_the_language(language: Language) -> None:
    font = CAPTION_FONTS.font_for(language)
    cmap = face(font)[1].getBestCmap()

    missing = sorted({char for text in texts_of(language) for char in drawn_characters(text) if ord(char) not in cmap})

    assert not missing, f"{font.family} ({font.file}) lacks {[f'{char} U+{ord(char):04X}' for char in missing]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_language_text_is_no_wider_per_column_than_its_font_declares(language: Language) -> None:
    # Unshaped advances (hmtx) are close enough to bound the font size: a full line must fit the frame.
    font = CAPTION_FONTS.font_for(language)
    _, glyphs = face(font)
    cmap, advances = glyphs.getBestCmap(), glyphs["hmtx"]
    size_unit = glyphs["OS/2"].usWinAscent + glyphs["OS/2"].usWinDescent  # what libass sizes a font by
    text = " ".join(drawable(text) for text in texts_of(language))

    advance = sum(advances[cmap[ord(char)]][0] for char in text if ord(char) in cmap) / size_unit

    assert advance / display_width(text) <= font.advance_per_column


@pytest.mark.parametrize("language", LANGUAGES)
def test_libass_burns_the_language_in_from_its_caption_font_without_falling_back(
    language: Language, tmp_path: Path
) -> None:
    font = CAPTION_FONTS.font_for(language)
    phrases = split_phrases(SAMPLES[language])
    cues = [Cue(start_s=index, end_s=index + 1, text=phrase) for index, phrase in enumerate(phrases)]
    script = tmp_path / "captions.ass"
    script.write_text(to_ass(cues, WIDTH, HEIGHT, language), encoding="utf-8")

    burned = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostdin", "-v", "verbose", "-f", "lavfi",
         "-i", f"color=c={BACKGROUND}:s={WIDTH}x{HEIGHT}:r=1:d={len(cues)}",
         "-vf", f"ass=filename={filter_path(script)}", "-frames:v", str(len(cues)),
         "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True, timeout=60,
    )  # fmt: skip

    log = burned.stderr.decode(errors="replace")
    assert burned.returncode == 0, log[-2000:]
    selected = {(Path(file), int(number)) for file, number in _FONT_SELECTED.findall(log)}
    assert selected == {(font.file, face(font)[0])}, log[-2000:]
    assert not _MISSING_GLYPH.findall(log), f"libass fell back to another font for {_MISSING_GLYPH.findall(log)}"
    frames = np.frombuffer(burned.stdout, np.uint8).reshape(len(cues), HEIGHT, WIDTH, 3)
    for number, frame in enumerate(frames):
        fill = (frame >= TEXT_WHITE).all(axis=2)
        assert not fill[: HEIGHT // 2].any(), f"frame {number}: caption pixels in the upper half"
        assert fill[HEIGHT // 2 :].sum() > 100, f"frame {number} ({phrases[number]!r}): no caption drawn"
