"""Word timings inside a phrase whose start and end are known from its audio.

A narrator that knows when each word was spoken (Piper, from its phoneme alignment) gives those
times; for the others (espeak-ng, Kokoro, OpenAI speech, silence) each phrase's span is shared
among its words by their letters, a fair guess within a phrase of a few words. Either way the
words are those of `libs.common.lines.words`, so captions can wrap and colour them one by one.
"""

import unicodedata
from collections.abc import Sequence

from libs.common.events import Cue, WordTiming
from libs.common.lines import words

SPOKEN_CATEGORIES = ("L", "N", "M")
"""Letters, digits and the marks that belong to them take time to say; punctuation does not."""


def spoken_letters(word: str) -> int:
    return sum(unicodedata.category(char)[0] in SPOKEN_CATEGORIES for char in word)


def spread(text: str, start_s: float, end_s: float) -> list[WordTiming]:
    """The words of `text` over [start_s, end_s], each lasting its share of the spoken letters.

    Punctuation alone (a Japanese `。`) takes no time: it appears with the word before it.
    """
    tokens = [word.text for word in words(text)]
    weights = [spoken_letters(token) for token in tokens]
    total = sum(weights)
    if not tokens:
        return []
    if total == 0:
        weights, total = [1] * len(tokens), len(tokens)
    span = max(end_s - start_s, 0.0)
    timings: list[WordTiming] = []
    done = 0
    for token, weight in zip(tokens, weights, strict=True):
        begin = start_s + span * done / total
        done += weight
        timings.append(WordTiming(start_s=begin, end_s=start_s + span * done / total, text=token))
    return timings


def timed_cue(text: str, start_s: float, end_s: float, spans: Sequence[tuple[float, float]] | None = None) -> Cue:
    """A cue for a phrase spoken from `start_s` to `end_s`, with its words' times.

    `spans` are the words' (start, end) as the synthesizer spoke them, on the same clock; they are
    used when there is one per word of `text`, and the words are spread over the phrase otherwise.
    """
    tokens = [word.text for word in words(text)]
    if spans is not None and len(spans) == len(tokens):
        timings = [
            WordTiming(start_s=max(start, start_s), end_s=min(max(end, start), end_s), text=token)
            for token, (start, end) in zip(tokens, spans, strict=True)
        ]
    else:
        timings = spread(text, start_s, end_s)
    return Cue(start_s=start_s, end_s=end_s, text=text, words=timings)


def words_of(cue: Cue) -> list[WordTiming]:
    """The cue's word timings, or its words spread over it when it carries none that fit its text."""
    if cue.words and [word.text for word in cue.words] == [word.text for word in words(cue.text)]:
        return cue.words
    return spread(cue.text, cue.start_s, cue.end_s)
