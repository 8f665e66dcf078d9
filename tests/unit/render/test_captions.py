"""The subtitle timeline and the SRT, WebVTT and ASS files made from it."""

import json
import re
from pathlib import Path

import pytest

from libs.common.events import Cue, SceneNarration, WordTiming
from libs.common.lines import NO_LINE_END, NO_LINE_START
from libs.common.vocabulary import LANGUAGES, Language
from services.render.caption_fonts import CAPTION_FONTS_FILE, CaptionFontsError, load_caption_fonts
from services.render.captions import (
    HIGHLIGHT,
    LINE_COLUMNS,
    SIDE_MARGIN_SHARE,
    ass_escape,
    caption_lines,
    drawable,
    timeline,
    to_ass,
    to_srt,
    to_vtt,
    to_word_json,
)

LONG_TEXT = "The old lighthouse keeper climbed the winding stairs every evening to light the lamp"


def narration(index: int, duration_s: float, *cues: tuple[float, float, str]) -> SceneNarration:
    return SceneNarration(
        scene_index=index,
        key=f"narration/{index}.wav",
        duration_s=duration_s,
        cues=[Cue(start_s=start, end_s=end, text=text) for start, end, text in cues],
    )


def dialogue_texts(script: str) -> list[str]:
    return [line.split(",", 9)[9] for line in script.splitlines() if line.startswith("Dialogue:")]


def style_fields(script: str) -> dict[str, str]:
    names = next(line for line in script.splitlines() if line.startswith("Format: Name"))
    values = next(line for line in script.splitlines() if line.startswith("Style:"))
    return dict(zip(names[len("Format: ") :].split(", "), values[len("Style: ") :].split(","), strict=True))


def test_timeline_shifts_each_scene_by_the_scenes_before_it_in_scene_order() -> None:
    narrations = [
        narration(2, 3.0, (0.0, 1.0, "third")),
        narration(0, 2.0, (0.0, 0.5, "first a"), (0.6, 1.9, "first b")),
        narration(1, 4.0, (0.25, 3.5, "second")),
    ]

    cues = timeline(narrations, [2.5, 4.5, 3.5])  # each scene's narration plus a 0.5 s pause

    assert [(cue.start_s, cue.end_s, cue.text) for cue in cues] == [
        (0.0, 0.5, "first a"),
        (0.6, 1.9, "first b"),
        (2.75, 6.0, "second"),
        (7.0, 8.0, "third"),
    ]


def test_timeline_of_no_narrations_is_empty() -> None:
    assert timeline([], []) == []


def test_srt_numbers_cues_from_one_with_comma_millisecond_timestamps_past_an_hour() -> None:
    cues = [Cue(start_s=0.0, end_s=1.5, text="Hello"), Cue(start_s=3725.25, end_s=3727.0, text="Later")]

    assert to_srt(cues) == ("1\n00:00:00,000 --> 00:00:01,500\nHello\n\n2\n01:02:05,250 --> 01:02:07,000\nLater\n")


def test_timestamps_round_to_the_nearest_millisecond_and_carry_into_seconds_and_minutes() -> None:
    cues = [Cue(start_s=1.2344, end_s=1.9996, text="a"), Cue(start_s=59.9995, end_s=3599.9999, text="b")]

    srt = to_srt(cues)

    assert "00:00:01,234 --> 00:00:02,000" in srt
    assert "00:01:00,000 --> 01:00:00,000" in srt


def test_vtt_starts_with_its_header_and_uses_dot_milliseconds() -> None:
    vtt = to_vtt([Cue(start_s=3661.007, end_s=3662.5, text="Hi")])

    assert vtt == "WEBVTT\n\n01:01:01.007 --> 01:01:02.500\nHi\n"


def test_vtt_escapes_markup_characters_in_text() -> None:
    vtt = to_vtt([Cue(start_s=0, end_s=1, text="a <b> & c --> d")])

    assert "a &lt;b&gt; &amp; c --&gt; d" in vtt


@pytest.mark.parametrize("render", [to_srt, to_vtt])
def test_long_cue_text_wraps_at_word_boundaries_into_two_lines(render: object) -> None:
    text = render([Cue(start_s=0, end_s=1, text=LONG_TEXT)])  # type: ignore[operator]

    lines = text.strip().splitlines()[-2:]
    assert " ".join(lines) == LONG_TEXT
    assert text.strip().splitlines()[-3].count("-->") == 1  # the two lines directly follow the timing line


def test_caption_lines_keep_short_text_on_one_line() -> None:
    assert caption_lines("Short and sweet") == ["Short and sweet"]


def test_caption_lines_balance_two_lines_of_a_phrase_that_needs_them() -> None:
    lines = caption_lines("Once upon a time in a land far, far away there lived")

    assert len(lines) == 2
    assert all(len(line) <= LINE_COLUMNS for line in lines)
    assert abs(len(lines[0]) - len(lines[1])) <= 10


def test_caption_lines_never_exceed_two_lines_even_for_very_long_text() -> None:
    text = " ".join([LONG_TEXT] * 3)

    lines = caption_lines(text)

    assert len(lines) == 2
    assert " ".join(lines) == text


def test_caption_lines_break_chinese_between_characters() -> None:
    text = "很久很久以前在一个遥远的国度里住着一位美丽的公主"

    lines = caption_lines(text)

    assert len(lines) == 2
    assert "".join(lines) == text


@pytest.mark.parametrize(
    "text",
    [
        "「待って！」と彼女はささやいた。「誰かいるの？」",
        "昔々、ある村に「桃太郎」という男の子が住んでいました。",
        "“等一下！”她低声说，“有人在吗？”没有人回答。",
        "很久很久以前，在一个遥远的国度里，住着一位公主。",
    ],
    ids=["japanese-dialogue", "japanese-tale", "chinese-dialogue", "chinese-tale"],
)
def test_caption_lines_of_chinese_and_japanese_keep_punctuation_with_its_characters(text: str) -> None:
    lines = caption_lines(text)

    assert len(lines) == 2
    assert "".join(lines) == text
    assert lines[1][0] not in NO_LINE_START
    assert lines[0][-1] not in NO_LINE_END


def test_caption_lines_cut_a_word_longer_than_both_lines() -> None:
    word = "x" * 90

    lines = caption_lines(word)

    assert len(lines) == 2
    assert "".join(lines) == word


def test_cues_without_text_are_left_out_of_every_format() -> None:
    cues = [Cue(start_s=0, end_s=1, text="  "), Cue(start_s=1, end_s=2, text="kept")]

    assert to_srt(cues).startswith("1\n00:00:01,000")
    assert to_vtt(cues).count("-->") == 1
    assert dialogue_texts(to_ass(cues, 1080, 1920, "english")) == ["kept"]


def test_ass_escape_makes_braces_literal_and_backslashes_unable_to_start_codes() -> None:
    escaped = ass_escape(r"{\b1}bold\N not a break \h")

    assert escaped == "\\{\\\u2060b1\\}bold\\\u2060N not a break \\\u2060h"
    assert not re.search(r"(?<!\\)[{}]", escaped)  # every brace is escaped
    assert not re.search(r"\\[Nnh]", escaped)  # no backslash code survives


def test_ass_escape_turns_newlines_into_ass_line_breaks() -> None:
    assert ass_escape("one\ntwo\r\nthree") == r"one\Ntwo\Nthree"


def test_ass_events_put_the_two_caption_lines_on_one_event_line() -> None:
    script = to_ass([Cue(start_s=1.005, end_s=62.5, text=LONG_TEXT + ' "quoted": {x} \\ end')], 1080, 1920, "english")

    [event] = [line for line in script.splitlines() if line.startswith("Dialogue:")]
    assert event.startswith("Dialogue: 0,0:00:01.00,0:01:02.50,Caption,,0,0,0,,")
    [text] = dialogue_texts(script)
    assert text.count(r"\N") == 1
    assert r"\{x\}" in text


def test_ass_keeps_emoji_an_outline_font_draws_and_leaves_out_the_rest_but_srt_keeps_all() -> None:
    # 🎉 is in Symbola (installed with the system packages); 🥰 came in Unicode 11, after every outline
    # font installed; a skin-tone modifier would be drawn as a swatch beside the hand.
    cues = [Cue(start_s=0, end_s=1, text="Party 🎉 time 👍🏽 🥰")]

    assert dialogue_texts(to_ass(cues, 1080, 1920, "english")) == ["Party 🎉 time 👍"]
    assert "🥰" in to_srt(cues) and "👍🏽" in to_srt(cues)


@pytest.mark.parametrize(("width", "height"), [(1080, 1920), (1920, 1080), (540, 960)])
def test_ass_play_resolution_matches_the_video_size(width: int, height: int) -> None:
    script = to_ass([], width, height, "english")

    assert f"PlayResX: {width}\n" in script
    assert f"PlayResY: {height}\n" in script


def test_ass_style_is_large_bold_white_with_black_outline_at_bottom_centre() -> None:
    style = style_fields(to_ass([], 1080, 1920, "english"))

    assert 50 <= int(style["Fontsize"]) <= 66
    assert style["Bold"] == "-1"
    assert style["PrimaryColour"] == "&H00FFFFFF"
    assert style["OutlineColour"] == "&H00000000"
    assert int(style["Outline"]) >= 4
    assert int(style["Shadow"]) >= 1
    assert style["Alignment"] == "2"
    assert int(style["MarginL"]) == int(style["MarginR"]) == round(0.08 * 1080)


def test_ass_bottom_margin_is_higher_on_vertical_than_on_landscape_video() -> None:
    vertical = style_fields(to_ass([], 1080, 1920, "english"))
    landscape = style_fields(to_ass([], 1920, 1080, "english"))

    assert int(vertical["MarginV"]) == round(0.18 * 1920)
    assert int(landscape["MarginV"]) == round(0.10 * 1080)


def test_ass_font_scales_with_the_frame() -> None:
    small = int(style_fields(to_ass([], 540, 960, "english"))["Fontsize"])
    large = int(style_fields(to_ass([], 1080, 1920, "english"))["Fontsize"])

    assert large == pytest.approx(2 * small, abs=1)


@pytest.mark.parametrize(
    ("language", "family"),
    [
        ("english", "Noto Sans"),
        ("czech", "Noto Sans"),
        ("greek", "Noto Sans"),
        ("russian", "Noto Sans"),
        ("ukrainian", "Noto Sans"),
        ("japanese", "Noto Sans CJK JP"),
        ("chinese", "Noto Sans CJK SC"),
        ("hindi", "Noto Sans Devanagari"),
    ],
)
def test_ass_style_draws_in_the_language_caption_font(language: Language, family: str) -> None:
    assert style_fields(to_ass([], 1080, 1920, language))["Fontname"] == family


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("width", "height"), [(1080, 1920), (1920, 1080), (720, 1280), (540, 960), (480, 1080)])
def test_a_full_caption_line_fits_between_the_side_margins_in_every_language(
    language: Language, width: int, height: int
) -> None:
    font = load_caption_fonts().font_for(language)
    size = int(style_fields(to_ass([], width, height, language))["Fontsize"])

    assert size * font.advance_per_column * LINE_COLUMNS <= width * (1 - 2 * SIDE_MARGIN_SHARE) + 1


def test_drawable_text_is_composed_so_canonical_twins_the_fonts_have_are_drawn() -> None:
    # Noto Sans has U+00B7 and ';', not the Greek ano teleia U+0387 or question mark U+037E.
    assert drawable("ρολογιού\u0387 εκεί\u037e") == "ρολογιού\u00b7 εκεί;"
    assert drawable("cafe\u0301") == "caf\u00e9"


def test_the_caption_font_file_gives_every_language_a_font() -> None:
    assert sorted(load_caption_fonts().languages) == sorted(LANGUAGES)


def malformed(tmp_path: Path, old: str, new: str) -> Path:
    text = CAPTION_FONTS_FILE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "caption_fonts.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "complaint"),
    [
        ('greek = "noto-sans"\n', "", "languages without a font: ['greek']"),
        ('hindi = "noto-sans-devanagari"', 'hindi = "noto-sans-hindi"', "unknown fonts: ['noto-sans-hindi']"),
        ('chinese = "noto-sans-cjk-sc"', 'chinese = "noto-sans-cjk-jp"', "unused fonts: ['noto-sans-cjk-sc']"),
        ('english = "noto-sans"', 'english = "noto-sans"\nklingon = "noto-sans"', "klingon"),
        ('family = "Noto Sans"', 'family = "Noto Sans, Bold"', "no comma"),
        ('file = "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"', 'file = "NotoSans-Bold.ttf"', "absolute"),
        ("advance_per_column = 0.44", "advance_per_column = 0", "greater than 0"),
        ("advance_per_column = 0.44", "advance_per_column = 0.44\nsize = 3", "Extra inputs"),
        ("[languages]", "[languages", "Expected ']'"),
    ],
)
def test_a_malformed_caption_font_file_fails_loudly_naming_the_file(
    tmp_path: Path, old: str, new: str, complaint: str
) -> None:
    path = malformed(tmp_path, old, new)

    with pytest.raises(CaptionFontsError, match=re.escape(str(path))) as raised:
        load_caption_fonts(path)

    assert complaint in str(raised.value)


def test_karaoke_events_light_each_word_from_its_start_to_the_next_word() -> None:
    timed = [
        WordTiming(start_s=1.2, end_s=1.5, text="Hello,"),
        WordTiming(start_s=1.6, end_s=2.0, text="world."),
    ]
    script = to_ass([Cue(start_s=1.0, end_s=2.5, text="Hello, world.", words=timed)], 1080, 1920, "english", "karaoke")

    events = [line.split(",", 9) for line in script.splitlines() if line.startswith("Dialogue:")]
    assert [(event[1], event[2], event[9]) for event in events] == [
        ("0:00:01.00", "0:00:01.20", "Hello, world."),
        ("0:00:01.20", "0:00:01.60", f"{{\\c{HIGHLIGHT}}}Hello,{{\\r}} world."),
        ("0:00:01.60", "0:00:02.50", f"Hello,{{\\c{HIGHLIGHT}}} world.{{\\r}}"),
    ]


def test_karaoke_lights_every_piece_of_a_word_cut_across_lines_and_skips_undrawable_emoji() -> None:
    long_word = "Donaudampfschifffahrtsgesellschaftskapitänswitwe"
    text = f"{long_word} \U0001fae8 end"
    script = to_ass([Cue(start_s=0.0, end_s=3.0, text=text)], 1080, 1920, "german", "karaoke")

    texts = [line.split(",", 9)[9] for line in script.splitlines() if line.startswith("Dialogue:")]
    lit = [text.count(HIGHLIGHT) for text in texts]
    assert lit[0] == 2, "both pieces of the long word light up together"
    assert "\U0001fae8" not in script
    assert texts[-1].endswith(f"{{\\c{HIGHLIGHT}}} end{{\\r}}")


def test_phrase_captions_carry_no_highlight_even_with_word_times() -> None:
    timed = [WordTiming(start_s=0.0, end_s=0.5, text="Hi")]
    script = to_ass([Cue(start_s=0.0, end_s=1.0, text="Hi", words=timed)], 1080, 1920, "english")

    assert HIGHLIGHT not in script
    assert sum(line.startswith("Dialogue:") for line in script.splitlines()) == 1


def test_the_word_json_keeps_every_cue_with_its_words() -> None:
    cues = [Cue(start_s=0.0, end_s=1.0, text="很久以前。"), Cue(start_s=1.0, end_s=1.0, text="  ")]

    shown = json.loads(to_word_json(cues))["cues"]

    assert len(shown) == 1
    assert [word["text"] for word in shown[0]["words"]] == ["很", "久", "以", "前", "。"]
    assert shown[0]["words"][3]["end_s"] == shown[0]["words"][4]["start_s"] == shown[0]["words"][4]["end_s"] == 1.0
