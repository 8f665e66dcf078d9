"""Breaking text into display lines by columns: shared by narration (phrase cutting) and captions.

Columns, not characters: a CJK character takes two, a combining mark or joiner none, and a
grapheme cluster (a Devanagari conjunct with its vowel signs, a letter with its accents, an
emoji with its modifiers) is measured, and cut, as one. Lines break at whitespace (a no-break
space joins); text written without spaces (Chinese, Japanese) may break between any two
characters, except that closing punctuation never starts a line and opening brackets or quotes
never end one (kinsoku shori). A word longer than a line is cut into line-sized pieces.
"""

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

import regex

_UNSPACED = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003134f"
"""Scripts written without spaces (CJK ideographs, kana, full-width forms)."""
_SEPARATOR = r"[^\S\u00a0\u2007\u202f]"
"""Whitespace that separates words: any but the no-break spaces (French puts one before `?` and `»`)."""
_WORD = regex.compile(rf"({_SEPARATOR}*)((?=[{_UNSPACED}])\X|(?:(?!{_SEPARATOR}|[{_UNSPACED}])\X)+)")
_GRAPHEME = regex.compile(r"\X")
_ZERO_WIDTH = frozenset({"Mn", "Me", "Cf"})
"""Non-spacing and enclosing marks, and format characters (joiners): they take no column of their own."""

NO_LINE_START = frozenset(
    "!%),.:;?]}¢°’”‰′″›»‼⁇⁈⁉℃…‥"
    "、。〃〉》」』】〕〗〙〛〞〟゛゜・ー々〻ゝゞヽヾ"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ"
    "！％），．：；？］｝｠｡｣､･ｧｨｩｪｫｬｭｮｯｰﾞﾟ￠"
)
"""Closing punctuation, small kana and iteration marks: no line starts with one (JIS X 4051, strict)."""
NO_LINE_END = frozenset("([{¡¿‘“‹«〈《「『【〔〖〘〚〝（［｛｟｢＄￡￥")
"""Opening brackets and quotes (and currency signs that lead a number): no line ends with one."""


@dataclass(frozen=True)
class Word:
    """A word, or a single CJK character; `spaced` says whether whitespace preceded it."""

    text: str
    spaced: bool


def words(text: str) -> list[Word]:
    return [Word(match.group(2), bool(match.group(1))) for match in _WORD.finditer(text.strip())]


def display_width(text: str) -> int:
    return sum(_grapheme_width(grapheme) for grapheme in _GRAPHEME.findall(text))


def wrap(line_words: list[Word], width: int) -> list[list[Word]]:
    """Greedy wrapping by display columns, at the breaks kinsoku shori allows; over-long words are cut first.

    Pieces that may not be parted (`。` and the character before it) move to the next line together;
    when such a group is wider than a whole line, fitting wins and it is parted anyway.
    """
    lines: list[list[Word]] = []
    used = 0
    for unit in _unbreakable(line_words, width):
        unit_width = display_width(joined(unit))
        needed = unit_width + (1 if unit[0].spaced else 0)
        if lines and used + needed <= width:
            lines[-1].extend(unit)
            used += needed
        else:
            lines.append(list(unit))
            used = unit_width
    return lines


def joined(line_words: list[Word]) -> str:
    """The words as text again, spaced as they were (no space before a line's first word)."""
    return "".join((" " if word.spaced and index else "") + word.text for index, word in enumerate(line_words))


def _may_break(before: Word, after: Word) -> bool:
    """Whether a line may end after `before` and the next begin with `after`.

    Between unspaced pieces (CJK characters, a Latin word touching them) the kinsoku rules decide;
    at a space a break is always allowed, unless the word after it is punctuation alone (French
    `Quoi ?`, `« Oui »`), which stays with its neighbour.
    """
    if after.text[0] in NO_LINE_START and (not after.spaced or _only(after.text, NO_LINE_START)):
        return False
    return not (before.text[-1] in NO_LINE_END and (not after.spaced or _only(before.text, NO_LINE_END)))


def _unbreakable(line_words: list[Word], width: int) -> Iterator[list[Word]]:
    """The words cut to fit `width`, grouped where no line may break; a group wider than `width` falls apart."""
    groups: list[list[Word]] = []
    for piece in (piece for word in line_words for piece in _cut(word, width)):
        if groups and not _may_break(groups[-1][-1], piece):
            groups[-1].append(piece)
        else:
            groups.append([piece])
    for group in groups:
        if len(group) > 1 and display_width(joined(group)) > width:
            yield from ([piece] for piece in group)
        else:
            yield group


def _cut(word: Word, width: int) -> list[Word]:
    """`word` in pieces of at most `width` columns, cut between grapheme clusters only."""
    if display_width(word.text) <= width:
        return [word]
    pieces: list[Word] = []
    current = ""
    for grapheme in _GRAPHEME.findall(word.text):
        if current and display_width(current + grapheme) > width:
            pieces.append(Word(current, word.spaced and not pieces))
            current = ""
        current += grapheme
    pieces.append(Word(current, word.spaced and not pieces))
    return pieces


def _grapheme_width(grapheme: str) -> int:
    if any(unicodedata.east_asian_width(char) in "WF" for char in grapheme):
        return 2
    return sum(1 for char in grapheme if unicodedata.category(char) not in _ZERO_WIDTH)


def _only(text: str, marks: frozenset[str]) -> bool:
    return all(char in marks for char in text)
