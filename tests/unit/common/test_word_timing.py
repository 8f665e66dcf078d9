"""Word timings inside a phrase: spread by letters, or the synthesizer's own; and moved with their cue."""

import pytest

from libs.common.events import Cue, WordTiming
from libs.common.word_timing import spread, timed_cue, words_of


def test_words_share_the_phrase_by_their_letters_and_punctuation_takes_no_time() -> None:
    timings = spread("I saw — seven!", 1.0, 2.0)

    assert [word.text for word in timings] == ["I", "saw", "—", "seven!"]
    assert [round(word.end_s - word.start_s, 3) for word in timings] == [0.111, 0.333, 0.0, 0.556]
    assert timings[0].start_s == 1.0 and timings[-1].end_s == pytest.approx(2.0)


def test_text_without_letters_still_gets_its_words_in_turn() -> None:
    assert [(word.start_s, word.end_s) for word in spread("… !", 0.0, 1.0)] == [(0.0, 0.5), (0.5, 1.0)]


def test_the_synthesizers_times_are_used_when_there_is_one_per_word() -> None:
    cue = timed_cue("one two", 1.0, 2.0, [(0.9, 1.3), (1.4, 2.2)])

    assert [(word.start_s, word.end_s) for word in cue.words] == [(1.0, 1.3), (1.4, 2.0)]


def test_times_that_do_not_fit_the_words_are_not_guessed_from() -> None:
    cue = timed_cue("one two three", 0.0, 1.3, [(0.0, 1.3)])

    assert [word.text for word in cue.words] == ["one", "two", "three"]
    assert cue.words[1].start_s == pytest.approx(1.3 * 3 / 11), "spread by letters: 3 of 11"


def test_a_cue_from_before_word_timing_gets_its_words_spread() -> None:
    old = Cue(start_s=0.0, end_s=1.0, text="ab cd")

    assert [(word.text, word.start_s, word.end_s) for word in words_of(old)] == [("ab", 0.0, 0.5), ("cd", 0.5, 1.0)]


def test_a_cue_moves_and_stretches_with_its_words_and_stays_within_bounds() -> None:
    cue = Cue(
        start_s=1.0,
        end_s=3.0,
        text="a b",
        words=[WordTiming(start_s=1.0, end_s=2.0, text="a"), WordTiming(start_s=2.0, end_s=3.0, text="b")],
    )

    moved = cue.retimed(scale=0.5, shift=10.0, high=11.25)

    assert (moved.start_s, moved.end_s) == (10.5, 11.25)
    assert [(word.start_s, word.end_s) for word in moved.words] == [(10.5, 11.0), (11.0, 11.25)]
    assert cue.start_s == 1.0, "the original is left as it was"
