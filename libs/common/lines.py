"""Breaking text into display lines by columns: shared by narration (phrase cutting) and captions.

Columns, not characters: a CJK character takes two. Lines break at word boundaries;
text written without spaces (Chinese, Japanese) may break between any two characters,
and a word longer than a line is cut into line-sized pieces.
"""

import re
import unicodedata
from dataclasses import dataclass

_UNSPACED = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
"""Scripts written without spaces (CJK ideographs, kana, full-width forms)."""
_WORD = re.compile(rf"(\s*)([{_UNSPACED}]|[^\s{_UNSPACED}]+)")


@dataclass(frozen=True)
class Word:
    """A word, or a single CJK character; `spaced` says whether whitespace preceded it."""

    text: str
    spaced: bool


def words(text: str) -> list[Word]:
    return [Word(match.group(2), bool(match.group(1))) for match in _WORD.finditer(text.strip())]


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def wrap(line_words: list[Word], width: int) -> list[list[Word]]:
    """Greedy wrapping by display columns; over-long words are cut into pieces first."""
    lines: list[list[Word]] = []
    used = 0
    for piece in (piece for word in line_words for piece in _cut(word, width)):
        needed = display_width(piece.text) + (1 if piece.spaced else 0)
        if lines and used + needed <= width:
            lines[-1].append(piece)
            used += needed
        else:
            lines.append([piece])
            used = display_width(piece.text)
    return lines


def joined(line_words: list[Word]) -> str:
    """The words as text again, spaced as they were (no space before a line's first word)."""
    return "".join((" " if word.spaced and index else "") + word.text for index, word in enumerate(line_words))


def _cut(word: Word, width: int) -> list[Word]:
    pieces: list[Word] = []
    current = ""
    for char in word.text:
        if current and display_width(current + char) > width:
            pieces.append(Word(current, word.spaced and not pieces))
            current = ""
        current += char
    pieces.append(Word(current, word.spaced and not pieces))
    return pieces
