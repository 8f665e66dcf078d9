"""The picture words every language shares (art-style phrases, camera moves), from `pictures.toml`."""

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from libs.common.vocabulary import ArtStyle


class PictureVocabulary(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    style_phrases: dict[ArtStyle, str]
    camera_moves: tuple[str, ...] = Field(min_length=1)


def _load() -> PictureVocabulary:
    with Path(__file__).with_name("pictures.toml").open("rb") as file:
        return PictureVocabulary.model_validate(tomllib.load(file))


VOCABULARY = _load()
STYLE_PHRASES: dict[str, str] = {style: phrase for style, phrase in VOCABULARY.style_phrases.items()}
CAMERA_MOVES = VOCABULARY.camera_moves
