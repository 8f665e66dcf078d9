"""Making a storyboard exactly as many pictures as a job asks for, without losing, repeating or cutting a sentence.

Too many scenes: the two neighbours with the least text together become one. Too few: the scene
with the most text is cut in two at the sentence end nearest its middle. When no scene has a
sentence left to give, the longest scenes show more than one picture (shots) while their
narration plays, rather than having their sentences broken up.
"""

import re
from itertools import pairwise

from libs.common.events import Scene

SENTENCE_END = re.compile(
    r"(?<=[.!?…])[”’\"»)\]]*\s+"  # Latin-style ends count when a space follows (3.14 and 1,000 stay whole)
    r"|(?<=[。！？।॥])(?![”’」』）)»\"])\s*"  # CJK and Devanagari ends count as they stand, not inside a quote
)


def sentence_cuts(text: str) -> list[int]:
    """The positions inside `text` where one sentence ends and the next begins."""
    return [match.end() for match in SENTENCE_END.finditer(text) if 0 < match.end() < len(text.rstrip())]


def sentences(text: str) -> list[str]:
    """`text` cut after every sentence end, each sentence keeping its punctuation."""
    bounds = [0, *sentence_cuts(text), len(text)]
    return [piece for start, end in pairwise(bounds) if (piece := text[start:end].strip())]


def fit_scenes(scenes: list[Scene], wanted: int) -> list[Scene]:
    """`scenes` merged or split to `wanted` pictures, re-indexed in order; shots make up what sentences cannot."""
    fitted = list(scenes)
    while len(fitted) > max(wanted, 1):
        at = min(range(len(fitted) - 1), key=lambda i: _size(fitted[i]) + _size(fitted[i + 1]))
        fitted[at : at + 2] = [_merged(fitted[at], fitted[at + 1])]
    while len(fitted) < wanted:
        splittable = [i for i, scene in enumerate(fitted) if sentence_cuts(scene.narration)]
        if not splittable:
            break
        at = max(splittable, key=lambda i: _size(fitted[i]))
        halves = _split(fitted[at].narration)
        fitted[at : at + 1] = [fitted[at].model_copy(update={"narration": half, "subtitle": half}) for half in halves]
    fitted = [scene.model_copy(update={"index": index, "shots": 1}) for index, scene in enumerate(fitted)]
    return _with_shots(fitted, wanted - len(fitted))


def _with_shots(scenes: list[Scene], extra: int) -> list[Scene]:
    """Give `extra` more pictures to the scenes, one at a time to the one with the most text per picture."""
    shots = [1] * len(scenes)
    for _ in range(max(extra, 0)):
        at = max(range(len(scenes)), key=lambda i: (_size(scenes[i]) / shots[i], -i))
        shots[at] += 1
    return [scene.model_copy(update={"shots": count}) for scene, count in zip(scenes, shots, strict=True)]


def _size(scene: Scene) -> int:
    """How much there is to say: letters and digits, so text written without spaces weighs like any other."""
    return sum(1 for char in scene.narration if char.isalnum())


def _merged(first: Scene, second: Scene) -> Scene:
    joiner = "" if _unspaced_boundary(first.narration, second.narration) else " "
    return first.model_copy(
        update={
            "narration": f"{first.narration}{joiner}{second.narration}",
            "subtitle": f"{first.subtitle}{joiner}{second.subtitle}",
        }
    )


def _unspaced_boundary(left: str, right: str) -> bool:
    """Whether two texts join without a space (CJK on both sides of the join)."""
    return bool(left and right and _is_unspaced(left[-1]) and _is_unspaced(right[0]))


def _is_unspaced(char: str) -> bool:
    return "\u2e80" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" or "\uff00" <= char <= "\uffef"


def _split(narration: str) -> tuple[str, str]:
    """Two parts of about equal length, cut at the sentence end nearest the middle."""
    cut = min(sentence_cuts(narration), key=lambda end: abs(end - len(narration) / 2))
    return narration[:cut].strip(), narration[cut:].strip()
