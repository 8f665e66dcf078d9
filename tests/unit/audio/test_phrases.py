"""How narration text is cut into subtitle phrases (pure; no espeak-ng needed)."""

import pytest

from libs.common.vocabulary import LANGUAGES, VOICES
from services.audio.espeak import LANGUAGE_CODES, LINE_COLUMNS, VOICE_STYLES, espeak_voice, split_phrases


def lines_needed(phrase: str, width: int = LINE_COLUMNS) -> int:
    """Lines a space-separated phrase takes when wrapped greedily at word boundaries."""
    lines, used = 0, width + 1
    for word in phrase.split():
        if used + 1 + len(word) <= width:
            used += 1 + len(word)
        else:
            lines, used = lines + 1, len(word)
    return lines


def test_phrases_end_at_sentence_ends_and_at_commas_semicolons_and_colons() -> None:
    text = "It was dark. Then, a sound; a knock: three times! Who is there? Nobody"

    assert split_phrases(text) == [
        "It was dark.",
        "Then,",
        "a sound;",
        "a knock:",
        "three times!",
        "Who is there?",
        "Nobody",
    ]


def test_decimal_points_and_thousands_separators_do_not_end_a_phrase() -> None:
    assert split_phrases("Pi is 3.14 and 1,000 people agreed.") == ["Pi is 3.14 and 1,000 people agreed."]


def test_closing_quotes_stay_with_the_sentence_they_close() -> None:
    assert split_phrases('"Run!" she said. Fine') == ['"Run!"', "she said.", "Fine"]


def test_newlines_and_runs_of_spaces_are_plain_word_separators() -> None:
    assert split_phrases("  one\n\ntwo\t three  ") == ["one two three"]


def test_a_long_clause_is_cut_at_word_boundaries_into_phrases_of_at_most_two_lines() -> None:
    text = (
        "the old lighthouse keeper climbed the winding stairs every single evening without fail "
        "to light the great lamp that guided sailors home across the stormy northern sea"
    )

    phrases = split_phrases(text)

    assert len(phrases) > 1
    assert all(lines_needed(phrase) <= 2 for phrase in phrases)
    assert " ".join(phrases).split() == text.split()


def test_chinese_without_spaces_breaks_between_characters_and_gains_no_spaces() -> None:
    text = "很久很久以前在一个遥远的国度里住着一位美丽的公主和她的父亲国王他们每天都在城堡的花园里散步聊天"

    phrases = split_phrases(text)

    assert len(phrases) == 2
    assert "".join(phrases) == text
    assert all(" " not in phrase for phrase in phrases)
    assert all(len(phrase) <= LINE_COLUMNS for phrase in phrases)  # two columns per character, two lines


def test_full_width_punctuation_ends_a_phrase_without_a_following_space() -> None:
    assert split_phrases("你好，世界。再见！") == ["你好，", "世界。", "再见！"]


def test_closing_marks_after_cjk_punctuation_stay_in_the_clause_they_close() -> None:
    assert split_phrases("第一章（真的吗？）；她却说：“别回头。”") == ["第一章（真的吗？）；", "她却说：", "“别回头。”"]


def test_no_phrase_starts_with_the_french_guillemet_that_closes_the_one_before() -> None:
    spaced = "« Attends ! » murmura-t-elle. « Il y a quelqu’un ? » Personne."
    no_break = "«\u00a0Attends\u00a0!\u00a0» murmura-t-elle. «\u00a0Quoi\u00a0?\u00a0» Rien."

    assert split_phrases(spaced) == ["« Attends ! »", "murmura-t-elle.", "« Il y a quelqu’un ? »", "Personne."]
    assert split_phrases(no_break) == [
        "«\u00a0Attends\u00a0!\u00a0»",
        "murmura-t-elle.",
        "«\u00a0Quoi\u00a0?\u00a0»",
        "Rien.",
    ]  # the no-break spaces are kept, so no caption line breaks at them


def test_a_clause_ends_at_german_and_danish_closing_quotes_and_an_opening_one_starts_the_next() -> None:
    assert split_phrases("„Warte!“ Sie lief. »Er der nogen?« Ingen. ”Vänta!” viskade hon.") == [
        "„Warte!“",
        "Sie lief.",
        "»Er der nogen?«",
        "Ingen.",
        "”Vänta!”",
        "viskade hon.",
    ]


def test_a_word_longer_than_a_line_is_cut_into_line_sized_pieces() -> None:
    word = "a" * 100

    phrases = split_phrases(f"{word} end")

    assert phrases == ["a" * 2 * LINE_COLUMNS, "a" * (100 - 2 * LINE_COLUMNS) + " end"]


def test_text_of_only_whitespace_has_no_phrases() -> None:
    assert split_phrases(" \n\t ") == []


def test_every_language_has_an_espeak_code() -> None:
    assert set(LANGUAGE_CODES) == set(LANGUAGES)


def test_every_voice_has_its_own_espeak_variant() -> None:
    assert set(VOICE_STYLES) == set(VOICES)
    assert len({style.variant for style in VOICE_STYLES.values()}) == len(VOICES)


@pytest.mark.parametrize(
    ("language", "voice", "expected"), [("english", "alloy", "en-us+m3"), ("chinese", "nova", "cmn-latn-pinyin+f4")]
)
def test_espeak_voice_joins_language_code_and_variant(language: str, voice: str, expected: str) -> None:
    assert espeak_voice(language, voice) == expected  # type: ignore[arg-type]
