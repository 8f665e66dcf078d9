"""Making a storyboard exactly as many scenes as a job asks for, without losing or repeating a word.

Too many scenes: the two neighbours with the fewest words together become one. Too few: the
scene with the most words is cut in two, between sentences when it has several, else between words.
"""

import re

from libs.common.events import Scene

_SENTENCE_END = re.compile(r"(?<=[.!?…])[”’\"]?\s+")


def fit_scenes(scenes: list[Scene], wanted: int) -> list[Scene]:
    """`scenes` merged or split to `wanted` (as close as the words allow), re-indexed in order."""
    fitted = list(scenes)
    while len(fitted) > max(wanted, 1):
        at = min(range(len(fitted) - 1), key=lambda i: _words(fitted[i]) + _words(fitted[i + 1]))
        fitted[at : at + 2] = [_merged(fitted[at], fitted[at + 1])]
    while len(fitted) < wanted:
        at = max(range(len(fitted)), key=lambda i: _words(fitted[i]))
        halves = _split(fitted[at].narration)
        if halves is None:
            break
        fitted[at : at + 1] = [fitted[at].model_copy(update={"narration": half, "subtitle": half}) for half in halves]
    return [scene.model_copy(update={"index": index}) for index, scene in enumerate(fitted)]


def _words(scene: Scene) -> int:
    return len(scene.narration.split())


def _merged(first: Scene, second: Scene) -> Scene:
    return first.model_copy(
        update={
            "narration": f"{first.narration} {second.narration}",
            "subtitle": f"{first.subtitle} {second.subtitle}",
        }
    )


def _split(narration: str) -> tuple[str, str] | None:
    """Two halves of about equal length: at the sentence end nearest the middle, else at the middle word."""
    middle = len(narration) / 2
    ends = [match.end() for match in _SENTENCE_END.finditer(narration)]
    if ends:
        cut = min(ends, key=lambda end: abs(end - middle))
        return narration[:cut].strip(), narration[cut:].strip()
    words = narration.split()
    if len(words) < 2:
        return None
    half = len(words) // 2
    return " ".join(words[:half]), " ".join(words[half:])
