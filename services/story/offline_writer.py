"""Storyboards written offline: the user's own script split into scenes, or a story told from
hand-written material for a topic, a custom topic or a free prompt.

A told story is a `Plot`: beats in order (opening, development, twist, ending...), each a pool
of interchangeable passages. A seed hashed from the job and its request picks the cast and the
passages, so a job always gets the same story and another job gets another. Passages
are chosen to keep the running word count on target, which fixes how long the narration speaks.
"""

import hashlib
import random
import re
from uuid import UUID

from libs.common.errors import InvalidInput
from libs.common.events import JobInput, RenderOptions, Scene, Storyboard
from services.story.direction import PRESET_WORDS, Direction, direct
from services.story.fitting import fit_scenes
from services.story.material import CUSTOM_TOPIC, PLOTS, PROMPT_TALE
from services.story.plot import Beat, Passage, Plot
from services.story.reference_material import CAMERA_MOVES, REFERENCE_TALE

MAX_SCENES = 60
MAX_TITLE_CHARS = 80
MAX_SCRIPT_TITLE_CHARS = 60
MAX_IMAGE_PROMPT_CHARS = 300
SCRIPT_TITLE_WORDS = 8
SUBJECT_WORDS = 10
SUBJECT_CHARS = 70
PASSAGE_CHOICES = 3
"""How many of a beat's shuffled passages compete for a scene: more steers length, fewer varies more.
The last scene weighs them all, since nothing after it can make up the difference."""

WORD_TARGETS = PRESET_WORDS

STYLE_PHRASES: dict[str, str] = {
    "photorealistic": "photorealistic, natural light, 35mm photograph, high detail",
    "cinematic": "cinematic lighting, anamorphic, film grain",
    "anime": "anime style, cel shading, vibrant",
    "comic-book": "comic book style, bold ink outlines, halftone shading",
    "pixar-art": "3D animated, Pixar style, soft lighting",
}

_TRAILING_PUNCTUATION = " \t,;:.!?-–—…\"'“”‘’()[]"
_DANGLING_WORDS = frozenset(
    "a an the and or but of to with in on at for by from about into who that which whose my your our their".split()
)
_LOWERCASE_OPENERS = frozenset("a an the my your our their his her its this that these those some".split())
_INSTRUCTION = re.compile(
    r"^(?:please\s+)?(?:(?:write|tell|make|create|generate|give|produce|narrate|imagine|show)\s+(?:me\s+|us\s+)?)?"
    r"(?:(?:a|an|the|some|one)\s+)?(?:(?:short|long|little|funny|scary|sad|happy|bedtime|quick|cute|epic|true|"
    r"animated|video|creepy|romantic|inspiring)\s+)*(?:story|stories|video|tale|narration|script|film|clip|poem)\s+"
    r"(?:about|of|on|where|in\s+which|featuring|with)\s+",
    re.IGNORECASE,
)
_TELL_ME_ABOUT = re.compile(r"^(?:please\s+)?(?:tell|teach|show)\s+(?:me|us)\s+about\s+", re.IGNORECASE)


def write_storyboard(source: JobInput, options: RenderOptions, job_id: UUID) -> Storyboard:
    """The storyboard for a job: from its script, topic or prompt (exactly one is set).

    Each job gets its own telling, and the same job always gets the same one, so a
    redelivered request or a re-run stage rewrites exactly the story it wrote before.
    A reference image alone is told as its captured moment brought to life.
    """
    direction = direct(source, options)
    if source.script is not None:
        return storyboard_from_script(source.script, options.art_style, direction)
    rng = random.Random(story_seed(source, options, job_id))
    if source.prompt is not None:
        return tell(PROMPT_TALE, options, rng, direction, subject=short_subject(source.prompt))
    if source.topic == "custom topic":
        if not (source.topic_text or "").strip():
            raise InvalidInput("topic 'custom topic' needs topic_text", field="topic_text")
        return tell(CUSTOM_TOPIC, options, rng, direction, subject=short_subject(source.topic_text or ""))
    if source.topic is not None:
        return tell(PLOTS[source.topic], options, rng, direction)
    if source.reference_image_key is not None:
        return tell(REFERENCE_TALE, options, rng, direction)
    raise InvalidInput("give exactly one of topic, prompt or script, or a reference image", field="topic")


def story_seed(source: JobInput, options: RenderOptions, job_id: UUID) -> int:
    """A stable seed from the job and what shapes its story (source and length), on any machine.

    How the video looks and sounds (voice, art style, size) is left out, so those options
    never change the words.
    """
    request = f"{job_id}|{source.model_dump_json()}|{options.duration}"
    if options.duration_s is not None or options.num_scenes is not None:
        request += f"|{options.duration_s}|{options.num_scenes}"
    return int.from_bytes(hashlib.sha256(request.encode()).digest()[:8], "big")


# ---- scripts --------------------------------------------------------------------------------


def storyboard_from_script(script: str, art_style: str, direction: Direction) -> Storyboard:
    """The user's own words, one scene per paragraph (or per line when there are no paragraphs).

    With `num_scenes` the words are regrouped into exactly that many scenes, never rewritten.
    """
    narrations = script_scenes(script)
    if not narrations:
        raise InvalidInput("script is empty: write one line or paragraph per scene", field="script")
    scenes = [
        Scene(
            index=index,
            narration=narration,
            subtitle=narration,
            image_prompt=image_prompt(clip_words(narration, 200), art_style, direction, index),
            mood=direction.mood,
        )
        for index, narration in enumerate(narrations)
    ]
    if direction.scenes is not None:
        scenes = fit_scenes(scenes, direction.scenes)
    return Storyboard(
        title=script_title(narrations[0]),
        description=f"A {len(scenes)}-scene video from your script.",
        text="\n\n".join(scene.narration for scene in scenes),
        scenes=scenes,
        mood=direction.mood,
    )


def script_scenes(script: str) -> list[str]:
    """Paragraphs if blank lines separate any, else lines; whitespace collapsed, empties dropped.

    Past `MAX_SCENES`, the tail joins the last scene: a long script is never cut short.
    """
    text = script.strip()
    pieces = re.split(r"\n[ \t\r\f\v]*\n", text) if re.search(r"\n[ \t\r\f\v]*\n", text) else text.splitlines()
    narrations = [" ".join(piece.split()) for piece in pieces]
    narrations = [narration for narration in narrations if narration]
    if len(narrations) > MAX_SCENES:
        narrations = [*narrations[: MAX_SCENES - 1], " ".join(narrations[MAX_SCENES - 1 :])]
    return narrations


def script_title(first_scene: str) -> str:
    """The first few words of the first scene, stopping at the end of its first sentence."""
    words: list[str] = []
    for word in first_scene.split()[:SCRIPT_TITLE_WORDS]:
        words.append(word)
        if word.rstrip("\"'”’)").endswith((".", "!", "?")):
            break
    title = clip_words(" ".join(words), MAX_SCRIPT_TITLE_CHARS).strip(_TRAILING_PUNCTUATION)
    return title or "Your story"


# ---- told stories ---------------------------------------------------------------------------


def tell(
    plot: Plot, options: RenderOptions, rng: random.Random, direction: Direction, subject: str | None = None
) -> Storyboard:
    """Tell `plot` at the requested length and scene count, in pictures of the requested art style."""
    cast: dict[str, str] = {}
    for role in plot.cast:
        cast.update(rng.choice(role))
    if subject is not None:
        cast.update(subject=subject, subject_title=title_case(subject))
    if direction.custom:
        counts = beat_counts(plot, direction.passages(sum(len(beat.passages) for beat in plot.beats)))
    else:
        counts = [beat.long if options.duration == "long" else beat.short for beat in plot.beats]
    total_scenes, target = sum(counts), direction.words
    lines: list[tuple[int, str, str]] = []
    spoken = 0
    for beat, count in zip(plot.beats, counts, strict=True):
        pool = [(index, *_filled(passage, beat, index, cast)) for index, passage in enumerate(beat.passages)]
        rng.shuffle(pool)
        chosen: list[tuple[int, str, str]] = []
        for _ in range(count):
            position = len(lines) + len(chosen) + 1
            due = target * position / total_scenes - spoken
            candidates = pool if position == total_scenes else pool[:PASSAGE_CHOICES]
            line = min(candidates, key=lambda line: abs(word_count(line[1]) - due))
            pool.remove(line)
            chosen.append(line)
            spoken += word_count(line[1])
        lines.extend(sorted(chosen) if beat.ordered else chosen)
    scenes = [
        Scene(
            index=index,
            narration=text,
            subtitle=text,
            image_prompt=image_prompt(visual, options.art_style, direction, index),
            mood=direction.mood,
        )
        for index, (_, text, visual) in enumerate(lines)
    ]
    if direction.scenes is not None:
        scenes = fit_scenes(scenes, direction.scenes)
    return Storyboard(
        title=clip_words(rng.choice(plot.titles).format_map(cast), MAX_TITLE_CHARS),
        description=rng.choice(plot.descriptions).format_map(cast),
        text="\n\n".join(scene.narration for scene in scenes),
        scenes=scenes,
        mood=direction.mood,
    )


def beat_counts(plot: Plot, passages: int) -> list[int]:
    """How many passages each beat tells when a story is `passages` long.

    The beats a short story tells come first (evenly spaced, opening and ending kept, when there
    are fewer passages than them); the rest go to the beats a long story dwells on, in proportion.
    """
    essential = [index for index, beat in enumerate(plot.beats) if beat.short]
    counts = [0] * len(plot.beats)
    if passages <= len(essential):
        step = (len(essential) - 1) / (passages - 1) if passages > 1 else 0
        for k in range(passages):
            counts[essential[round(k * step)]] = 1
        return counts
    for index in essential:
        counts[index] = 1
    weights = [max(beat.long - counts[index], 0) for index, beat in enumerate(plot.beats)]
    for _ in range(passages - len(essential)):
        room = [index for index, beat in enumerate(plot.beats) if counts[index] < len(beat.passages)]
        if not room:
            break
        best = max(room, key=lambda index: (weights[index] / (counts[index] + 1), -index))
        counts[best] += 1
    return counts


def _filled(passage: Passage, beat: Beat, index: int, cast: dict[str, str]) -> tuple[str, str]:
    narration, visual = passage if isinstance(passage, tuple) else (passage, beat.visuals[index % len(beat.visuals)])
    return narration.format_map(cast), visual.format_map(cast)


def image_prompt(visual: str, art_style: str, direction: Direction | None = None, index: int = 0) -> str:
    """A picture description ending with the job's picture notes and the art style's phrase, within
    `MAX_IMAGE_PROMPT_CHARS`. For image-to-video it opens with a camera move over the reference image."""
    style = STYLE_PHRASES.get(art_style, art_style)
    if direction is not None and direction.notes:
        style = f"{direction.notes}, {style}"
    if direction is not None and direction.reference_image:
        visual = f"{CAMERA_MOVES[index % len(CAMERA_MOVES)]} over the reference image, {visual}"
    return f"{clip_words(visual, MAX_IMAGE_PROMPT_CHARS - len(style) - 2)}, {style}"


def short_subject(text: str) -> str:
    """A user's prompt or topic as a phrase that reads inside a sentence.

    Keeps the first sentence, drops "write a story about"-style instructions, and trims to
    about ten words (back to a comma where there is one) without a dangling "and" or "the".
    """
    whole = " ".join(text.split()).strip(_TRAILING_PUNCTUATION)
    first = re.split(r"(?<=[.!?])\s+", whole)[0]
    phrase = _TELL_ME_ABOUT.sub("", _INSTRUCTION.sub("", first)).strip(_TRAILING_PUNCTUATION)
    kept = clip_words(" ".join(phrase.split()[:SUBJECT_WORDS]), SUBJECT_CHARS)
    if kept != phrase and "," in kept:
        kept = kept.rsplit(",", 1)[0]
    words = kept.split()
    while len(words) > 1 and words[-1].lower().strip(_TRAILING_PUNCTUATION) in _DANGLING_WORDS:
        words.pop()
    subject = " ".join(words).strip(_TRAILING_PUNCTUATION) or clip_words(whole, SUBJECT_CHARS)
    opener = subject.split()[0] if subject else ""
    if opener.lower() in _LOWERCASE_OPENERS and opener[:1].isupper():
        subject = subject[:1].lower() + subject[1:]
    return subject or "this idea"


def title_case(text: str) -> str:
    """Headline capitals for user text, leaving words that already carry capitals (NASA, iPhone) alone."""
    words = text.split()
    return " ".join(
        word
        if any(letter.isupper() for letter in word) or (position and word in _DANGLING_WORDS)
        else word[:1].upper() + word[1:]
        for position, word in enumerate(words)
    )


def clip_words(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a word boundary, without trailing punctuation."""
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[: limit + 1] else text[:limit]
    return cut.rstrip(_TRAILING_PUNCTUATION)


def word_count(text: str) -> int:
    return len(text.split())
