"""Line breaking by columns: kinsoku shori for Chinese and Japanese, grapheme clusters kept whole."""

import pytest
import regex

from libs.common.lines import NO_LINE_END, NO_LINE_START, display_width, joined, words, wrap


def lines_of(text: str, width: int) -> list[str]:
    return [joined(line) for line in wrap(words(text), width)]


def graphemes(text: str) -> list[str]:
    return regex.findall(r"\X", text)


def test_a_full_stop_never_starts_a_line_it_takes_the_character_before_it_along() -> None:
    # Five characters fit a line of 10 columns; a plain cut would start the second line with 。
    assert lines_of("あいうえお。かきくけこ", 10) == ["あいうえ", "お。かきく", "けこ"]


def test_an_opening_bracket_never_ends_a_line_it_moves_to_the_next_with_what_it_opens() -> None:
    # A plain cut would end the first line with 「
    assert lines_of("あいうえ「かきくけ」", 10) == ["あいうえ", "「かきく", "け」"]


@pytest.mark.parametrize(
    "text",
    [
        "昔々、ある村に「桃太郎」という男の子が住んでいました。ある日、おじいさんは山へ芝刈りに行きました。",
        "「待って！」と彼女はささやいた。「誰かいるの？」誰も答えなかった――ただ風と雨の音だけ……『夜の話』（第一章）",
        "ちょっとキャッシュを確認してください。時々、ゆっくり読んでね。",
        "“等一下！”她低声说，“有人在吗？”没有人回答——只有风声、雨声，还有那座旧钟的滴答声……《夜话》（真的吗？）；",
        "很久很久以前，在一个遥远的国度里，住着一位美丽的公主。她说：“你好！”",
    ],
    ids=["japanese-tale", "japanese-dialogue", "japanese-small-kana", "chinese-dialogue", "chinese-tale"],
)
@pytest.mark.parametrize("width", range(10, 33))
def test_chinese_and_japanese_lines_keep_kinsoku_at_every_width(text: str, width: int) -> None:
    lines = lines_of(text, width)

    assert "".join(lines) == text
    assert all(display_width(line) <= width for line in lines)
    assert not [line for line in lines[1:] if line[0] in NO_LINE_START], lines
    assert not [line for line in lines[:-1] if line[-1] in NO_LINE_END], lines


def test_small_kana_and_the_long_vowel_mark_stay_with_the_kana_before_them() -> None:
    assert lines_of("あいうキャ", 8) == ["あいう", "キャ"]
    assert lines_of("あいうエー", 8) == ["あいう", "エー"]


def test_quotes_stay_with_the_chinese_characters_they_open_and_close() -> None:
    assert lines_of("她说：“你好。”", 8) == ["她说：", "“你好。”"]
    assert lines_of("她说：“你好。”", 10) == ["她说：“你", "好。”"]


def test_a_latin_word_inside_japanese_keeps_the_particle_break_but_not_the_full_stop() -> None:
    assert lines_of("これはPythonです。", 16) == ["これはPythonで", "す。"]
    assert lines_of("これはPython。", 12) == ["これは", "Python。"]


def test_a_group_wider_than_the_line_is_parted_rather_than_overflowing() -> None:
    lines = lines_of("」」」」」」」」", 4)

    assert lines == ["」」", "」」", "」」", "」」"]


@pytest.mark.parametrize(
    "text",
    [
        "Μια φορά κι έναν καιρό ζούσε ένας βασιλιάς που είχε τρεις κόρες",
        "Жили-были старик со старухой у самого синего моря, и жили они бедно",
        "Příliš žluťoučký kůň úpěl ďábelské ódy a pak odešel domů spát",
    ],
)
def test_greek_cyrillic_and_latin_break_at_spaces_only(text: str) -> None:
    lines = lines_of(text, 20)

    assert len(lines) > 1
    assert " ".join(lines) == text
    assert all(display_width(line) <= 20 for line in lines)


def test_french_punctuation_set_off_by_a_space_stays_with_its_word() -> None:
    # No-break spaces join; plain ones do too when the other side is punctuation alone.
    assert lines_of("Il dit\u00a0: «\u00a0Oui\u00a0!\u00a0»", 11) == ["Il dit\u00a0:", "«\u00a0Oui\u00a0!\u00a0»"]
    assert lines_of("Il y a quelqu’un ? Personne", 19) == ["Il y a quelqu’un ?", "Personne"]
    assert lines_of("dit « Oui » alors", 8) == ["dit", "« Oui »", "alors"]


def test_a_long_hindi_word_is_cut_between_grapheme_clusters_only() -> None:
    # Conjuncts (क्ष, ज्ञ, श्र), vowel signs and the virama belong to the consonant before them.
    word = "क्षत्रियज्ञानश्रद्धाकृष्णप्रेमविद्यालयराष्ट्रपतिप्रधानमंत्री"

    pieces = lines_of(word, 7)

    assert len(pieces) > 2
    assert "".join(pieces) == word
    assert [cluster for piece in pieces for cluster in graphemes(piece)] == graphemes(word)
    assert all(display_width(piece) <= 7 for piece in pieces)


def test_combining_accents_and_emoji_sequences_are_never_parted_from_their_base() -> None:
    accented = "e\u0301" * 30  # é written as e and a combining acute
    family = "👨\u200d👩\u200d👧" * 10
    thumbs = "👍🏽" * 10

    for word, width in [(accented, 7), (family, 5), (thumbs, 5)]:
        pieces = lines_of(word, width)
        assert len(pieces) > 1
        assert [cluster for piece in pieces for cluster in graphemes(piece)] == graphemes(word)


@pytest.mark.parametrize(
    ("text", "columns"),
    [
        ("abc", 3),
        ("漢字かな", 8),
        ("e\u0301", 1),  # a combining mark takes no column
        ("नमस्ते", 4),  # न म स ्त े: the virama and the vowel sign above take none
        ("👨\u200d👩\u200d👧", 2),  # one emoji, drawn two columns wide
        ("👍🏽", 2),
    ],
)
def test_display_width_counts_columns_per_grapheme_cluster(text: str, columns: int) -> None:
    assert display_width(text) == columns
