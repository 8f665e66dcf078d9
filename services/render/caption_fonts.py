"""The font each language's burned-in captions are drawn in: `caption_fonts.toml`, checked when imported.

A malformed file, a language without a font or a font no language uses fails the import (and so
the render service's start-up) with the file named, rather than captions drawn in a fallback font.
Whether the files are installed is the system packages' business (`scripts/install-system-deps.sh`),
checked by tests/integration/render/test_caption_fonts.py.
"""

import tomllib
from pathlib import Path
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from libs.common.vocabulary import LANGUAGES, Language

CAPTION_FONTS_FILE = Path(__file__).with_name("caption_fonts.toml")


class CaptionFontsError(Exception):
    """The caption font file is malformed; the message names the file and what is wrong."""


def _plain_family(family: str) -> str:
    if not family.strip() or any(mark in family for mark in ",{}\\\n"):
        raise ValueError("must be a non-blank fontconfig family with no comma, brace, backslash or newline")
    return family


def _absolute(path: Path) -> Path:
    if not path.is_absolute():
        raise ValueError("must be an absolute path")
    return path


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CaptionFont(Strict):
    family: Annotated[str, AfterValidator(_plain_family)] = Field(
        description="The fontconfig family the ASS style names; a field of the style line, so no commas."
    )
    file: Annotated[Path, AfterValidator(_absolute)] = Field(description="The file fontconfig finds for it, bold.")
    advance_per_column: float = Field(
        gt=0, le=1, description="Mean glyph advance per ASS font-size unit per display column, widest common text."
    )


class CaptionFonts(Strict):
    fonts: dict[str, CaptionFont] = Field(min_length=1)
    languages: dict[Language, str]

    @model_validator(mode="after")
    def _every_language_one_known_font(self) -> Self:
        missing = [language for language in LANGUAGES if language not in self.languages]
        unknown = sorted({name for name in self.languages.values() if name not in self.fonts})
        unused = sorted(set(self.fonts) - set(self.languages.values()))
        if missing or unknown or unused:
            raise ValueError(f"languages without a font: {missing}, unknown fonts: {unknown}, unused fonts: {unused}")
        return self

    def font_for(self, language: Language) -> CaptionFont:
        return self.fonts[self.languages[language]]


def load_caption_fonts(path: Path = CAPTION_FONTS_FILE) -> CaptionFonts:
    """The caption fonts in `path`; CaptionFontsError names the file and the problem."""
    try:
        with path.open("rb") as file:
            return CaptionFonts.model_validate(tomllib.load(file))
    except (OSError, tomllib.TOMLDecodeError, ValidationError) as error:
        raise CaptionFontsError(f"{path}: {error}") from error


CAPTION_FONTS = load_caption_fonts()
