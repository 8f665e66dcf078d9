"""The job's subtitle timeline, and the caption files made from it: SRT, WebVTT, word timings as JSON and
a styled ASS script.

Every format shows a cue in at most two lines, wrapped at word boundaries (text written
without spaces, such as Chinese or Japanese, may break between two characters where kinsoku
shori allows: see libs/common/lines.py). The ASS script draws in the language's caption font.
"""

import functools
import json
import math
import re
import subprocess
import unicodedata
from collections.abc import Iterable, Iterator, Sequence

from libs.common.events import Cue, SceneNarration
from libs.common.lines import Word, display_width, joined, words, wrap
from libs.common.vocabulary import CaptionStyle, Language
from libs.common.word_timing import words_of
from services.render.caption_fonts import CAPTION_FONTS

LINE_COLUMNS = 32
"""A caption line holds about this many columns (a CJK character takes two)."""
MAX_LINES = 2
HIGHLIGHT = "&H0000E5FF&"
"""The spoken word's colour in karaoke captions: a warm yellow (ASS colours are &HAABBGGRR)."""

FONT_SHARE_OF_SHORT_SIDE = 0.055
SIDE_MARGIN_SHARE = 0.08
BOTTOM_MARGIN_SHARE_VERTICAL = 0.18
BOTTOM_MARGIN_SHARE_LANDSCAPE = 0.10

_PICTOGRAPH = re.compile("[\u2600-\u27bf\U0001f000-\U0001faff]")
_PRESENTATION_MARKS = re.compile("[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]")
"""Variation selectors and skin-tone modifiers: an outline font draws them as swatches, not as part of the emoji."""


def timeline(narrations: Sequence[SceneNarration], scene_durations: Sequence[float]) -> list[Cue]:
    """All cues on the video's clock: each scene's cues shifted by the scenes before it (their narration and
    pauses: `scene_durations`, in scene order)."""
    cues: list[Cue] = []
    offset = 0.0
    ordered = sorted(narrations, key=lambda narration: narration.scene_index)
    for narration, duration_s in zip(ordered, scene_durations, strict=True):
        cues.extend(cue.retimed(shift=offset) for cue in narration.cues)
        offset += duration_s
    return cues


def caption_lines(text: str, columns: int = LINE_COLUMNS) -> list[str]:
    """Wrap text into at most two balanced lines; lines grow past `columns` only when the text needs it.

    Whitespace, newlines included, only separates words: the wrapping decides where lines break.
    """
    return [joined(line) for line in caption_word_lines(text, columns)]


def caption_word_lines(text: str, columns: int = LINE_COLUMNS) -> list[list[Word]]:
    """`caption_lines`, as the words (or pieces of an over-long word) on each line."""
    text_words = words(text)
    total = display_width(joined(text_words))
    if total <= columns:
        return [text_words] if text_words else []
    width = math.ceil(total / MAX_LINES)
    while len(lines := wrap(text_words, width)) > MAX_LINES:
        width += 1
    return lines


def to_srt(cues: Iterable[Cue]) -> str:
    blocks = [
        f"{number}\n{_timestamp(cue.start_s, ',')} --> {_timestamp(cue.end_s, ',')}\n" + "\n".join(lines) + "\n"
        for number, (cue, lines) in enumerate(_shown(cues), start=1)
    ]
    return "\n".join(blocks)


def to_vtt(cues: Iterable[Cue]) -> str:
    blocks = [
        f"{_timestamp(cue.start_s, '.')} --> {_timestamp(cue.end_s, '.')}\n"
        + "\n".join(_vtt_escape(line) for line in lines)
        + "\n"
        for cue, lines in _shown(cues)
    ]
    return "\n".join(["WEBVTT\n", *blocks])


def to_word_json(cues: Iterable[Cue]) -> str:
    """The word timings as JSON: every cue on the video's clock with its words, times in seconds."""
    shown = [
        {
            "start_s": round(cue.start_s, 3),
            "end_s": round(cue.end_s, 3),
            "text": cue.text,
            "words": [
                {"start_s": round(word.start_s, 3), "end_s": round(word.end_s, 3), "text": word.text}
                for word in words_of(cue)
            ],
        }
        for cue, _ in _shown(cues)
    ]
    return json.dumps({"cues": shown}, ensure_ascii=False, indent=1) + "\n"


def to_ass(cues: Iterable[Cue], width: int, height: int, language: Language, style: CaptionStyle = "phrase") -> str:
    """An ASS script for burning in: big bold white text, black outline and soft shadow, bottom centre,
    in the language's caption font (`caption_fonts.toml`). In the `karaoke` style the word being
    spoken turns yellow, from its start to the next word's.

    The bottom margin on vertical video clears the controls that short-video apps overlay there.
    WrapStyle 0 is a safety net only: lines arrive pre-wrapped, and libass wraps again just
    when a line is still wider than the frame, rather than letting it run off the edge.
    """
    font = CAPTION_FONTS.font_for(language)
    fitting = _fitting_font_size(width, font.advance_per_column)
    font_size = round(min(FONT_SHARE_OF_SHORT_SIDE * min(width, height), fitting))
    outline = max(2, round(font_size * 0.1))
    shadow = max(1, round(font_size * 0.04))
    side = round(SIDE_MARGIN_SHARE * width)
    bottom_share = BOTTOM_MARGIN_SHARE_VERTICAL if height > width else BOTTOM_MARGIN_SHARE_LANDSCAPE
    bottom = round(bottom_share * height)
    header = [
        "[Script Info]",
        "ScriptType: v4.00+",
        f"PlayResX: {width}",
        f"PlayResY: {height}",
        "WrapStyle: 0",
        "ScaledBorderAndShadow: yes",
        "",
        "[V4+ Styles]",
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic,"
        " Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment,"
        " MarginL, MarginR, MarginV, Encoding",
        f"Style: Caption,{font.family},{font_size},&H00FFFFFF,&H00FFFFFF,&H00000000,&H80000000,-1,0,0,0,100,100,0,0,1,"
        f"{outline},{shadow},2,{side},{side},{bottom},1",
        "",
        "[Events]",
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    ]
    events = [
        f"Dialogue: 0,{_ass_time(start_s)},{_ass_time(end_s)},Caption,,0,0,0,,{text}"
        for cue in cues
        if (lines := _drawn_lines(cue.text))
        for start_s, end_s, text in _timed_texts(cue, lines, style)
    ]
    return "\n".join([*header, *events]) + "\n"


def _drawn_lines(text: str) -> list[list[tuple[int, Word]]]:
    """The caption's lines as libass can draw them: each piece of text with the number of the word it belongs to.

    A word too long for a line comes in pieces, all with its number; a piece with nothing drawable left
    (an emoji no outline font has) is dropped, and so is a line left empty.
    """
    whole = words(text)
    lines: list[list[tuple[int, Word]]] = []
    number, left = 0, ""
    for line in caption_word_lines(text):
        drawn: list[tuple[int, Word]] = []
        for piece in line:
            left = (left or whole[number].text).removeprefix(piece.text)
            if shown := drawable(piece.text):
                drawn.append((number, Word(shown, piece.spaced)))
            number += not left
        if drawn:
            lines.append(drawn)
    return lines


def _timed_texts(
    cue: Cue, lines: list[list[tuple[int, Word]]], style: CaptionStyle
) -> Iterator[tuple[float, float, str]]:
    """The cue's dialogue texts with their times: the whole cue at once, or one per spoken word."""
    if style == "phrase":
        yield cue.start_s, cue.end_s, _ass_text(lines, None)
        return
    timings = words_of(cue)
    starts = [max(word.start_s, cue.start_s) for word in timings]
    if starts and starts[0] > cue.start_s:
        yield cue.start_s, starts[0], _ass_text(lines, None)
    for number, start_s in enumerate(starts):
        end_s = starts[number + 1] if number + 1 < len(starts) else cue.end_s
        if end_s > start_s:
            yield start_s, end_s, _ass_text(lines, number)


def _ass_text(lines: list[list[tuple[int, Word]]], spoken: int | None) -> str:
    """The lines as an ASS event's text, the word numbered `spoken` (if any) in the highlight colour."""
    texts = []
    for line in lines:
        pieces = []
        for index, (number, piece) in enumerate(line):
            text = (" " if piece.spaced and index else "") + ass_escape(piece.text)
            pieces.append(f"{{\\c{HIGHLIGHT}}}{text}{{\\r}}" if number == spoken else text)
        texts.append("".join(pieces))
    return r"\N".join(texts)


def drawable(text: str) -> str:
    """`text` as libass can burn it in: libass draws no colour (bitmap) emoji, so an emoji is drawn from an
    outline font that has it (Symbola, DejaVu Sans), white and outlined like the words around it, and a
    pictograph that no such font covers is left out rather than shown as a box. SRT and VTT keep it all.

    The text is composed (NFC) first: the caption fonts lack a few characters whose canonical twins they
    have (the Greek ano teleia U+0387 is U+00B7, the Greek question mark U+037E is `;`)."""
    text = _PRESENTATION_MARKS.sub("", unicodedata.normalize("NFC", text))
    return _PICTOGRAPH.sub(lambda found: found.group() if outline_font_covers(found.group()) else "", text)


@functools.cache
def outline_font_covers(char: str) -> bool:
    """Whether an installed font that libass can draw (not a colour font) has `char`: fontconfig is asked
    as libass asks it when the caption font lacks a glyph. No fontconfig tools: treated as not covered."""
    try:
        fonts = subprocess.run(
            ["fc-list", f":charset={ord(char):x}:color=False", "family"], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return bool(fonts.stdout.strip())


def ass_escape(text: str) -> str:
    """Make story text literal in an ASS event: no override blocks, no `\\N`/`\\n`/`\\h` codes.

    A backslash gets an invisible word joiner after it so it can never start a code, braces
    use libass's `\\{`/`\\}` escapes, and a newline becomes the `\\N` line break.
    """
    escaped = text.replace("\\", "\\\u2060").replace("{", r"\{").replace("}", r"\}")
    return r"\N".join(escaped.splitlines())


def _fitting_font_size(width: int, advance_per_column: float) -> float:
    """The largest font size at which a full line (LINE_COLUMNS columns of the font) fits between the margins."""
    usable = width * (1 - 2 * SIDE_MARGIN_SHARE)
    return usable / (LINE_COLUMNS * advance_per_column)


def _shown(cues: Iterable[Cue]) -> list[tuple[Cue, list[str]]]:
    """The cues that have text to show, each with its caption lines."""
    wrapped = [(cue, caption_lines(cue.text)) for cue in cues]
    return [(cue, lines) for cue, lines in wrapped if lines]


def _timestamp(seconds: float, decimal: str) -> str:
    """HH:MM:SS<decimal>mmm, rounded to the millisecond (SRT uses ',', WebVTT '.')."""
    hours, rest = divmod(round(max(seconds, 0.0) * 1000), 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    whole, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{whole:02d}{decimal}{millis:03d}"


def _ass_time(seconds: float) -> str:
    """ASS's H:MM:SS.cc, rounded to the centisecond."""
    hours, rest = divmod(round(max(seconds, 0.0) * 100), 360_000)
    minutes, rest = divmod(rest, 6000)
    whole, centis = divmod(rest, 100)
    return f"{hours:d}:{minutes:02d}:{whole:02d}.{centis:02d}"


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
