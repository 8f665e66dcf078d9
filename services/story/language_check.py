"""Which language a text is in, by py3langid (a small model inside the wheel, nothing downloaded).

Used where the story stage cannot trust the words it is given: a model's answer (asked for one
language, it may write another), a user's script (narrated as written, so a mismatch is worth a
warning) and a user's prompt (whose words the offline writer quotes only when they are in the
story's language).
"""

import functools
from dataclasses import dataclass

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from libs.common.vocabulary import Language
from services.story.tales import all_material, material_for

CONFIDENT = 0.9
"""A normalised probability at or above which a verdict is trusted."""
MIN_LETTERS = 12
"""Shorter texts (a word or two) are not judged: identification needs more to go on."""


@dataclass(frozen=True)
class Verdict:
    code: str
    probability: float

    @property
    def confident(self) -> bool:
        return self.probability >= CONFIDENT


@functools.cache
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def identify(text: str) -> Verdict:
    code, probability = _identifier().classify(text)
    return Verdict(str(code), float(probability))


def confidence(text: str, language: Language) -> float:
    """How likely `text` is in `language`: the probability of all its codes together (Indonesian and Malay
    share most words, so a text sure to be one of them splits its probability between the two)."""
    codes = material_for(language).langid
    return sum(float(probability) for code, probability in _identifier().rank(text) if code in codes)


def judgeable(text: str) -> bool:
    return sum(1 for char in text if char.isalpha()) >= MIN_LETTERS


def written_in(text: str, language: Language) -> bool:
    """Whether `text` reads as `language` (too short to tell counts as yes)."""
    return not judgeable(text) or identify(text).code in material_for(language).langid


def clearly_other_language(text: str, language: Language) -> Verdict | None:
    """The verdict when `text` is confidently in another language than `language`, else None."""
    if not judgeable(text):
        return None
    verdict = identify(text)
    if verdict.confident and verdict.code not in material_for(language).langid:
        return verdict
    return None


def language_name(code: str) -> str:
    """Our name for an ISO code ("fr" → "french"), or the code itself for a language we do not offer."""
    for language, material in all_material().items():
        if code in material.langid:
            return language
    return code
